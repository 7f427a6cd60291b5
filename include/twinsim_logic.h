/*
 * twinsim's job shop (docs/logic.md): a standard job-shop instance file read, scheduled by a
 * built-in sequencing rule, or a given schedule replayed, and any schedule checked.
 *
 * Conventions as in twinsim.h: 0 or a negative TSIM_E* code; the message in tsim_errmsg(). A
 * problem in a file is reported as "FILE:LINE:COL: error: MESSAGE".
 */
#ifndef TWINSIM_LOGIC_H
#define TWINSIM_LOGIC_H

#include "twinsim.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tsim_jobshop;

/** Read an instance ("n m", then one line per job of m "machine time" pairs, machines 0-based)
 * from `text` (`len` bytes, need not end in NUL); `name` names it in messages.
 * Errors: TSIM_EPARSE (wrong counts, negative times, machine out of range, stray text).
 * Ownership: release with tsim_jobshop_destroy. */
TSIM_API int tsim_jobshop_parse(const char *name, const char *text, size_t len,
                                struct tsim_jobshop **out);
/** tsim_jobshop_parse of a file. Errors: also TSIM_EIO. */
TSIM_API int tsim_jobshop_read(const char *path, struct tsim_jobshop **out);
TSIM_API void tsim_jobshop_destroy(struct tsim_jobshop *js);
TSIM_API int tsim_jobshop_jobs(const struct tsim_jobshop *js);
TSIM_API int tsim_jobshop_machines(const struct tsim_jobshop *js);
/** The operations of job `j`, and the machine and time of its `k`-th. */
TSIM_API int tsim_jobshop_ops(const struct tsim_jobshop *js, int j);
TSIM_API void tsim_jobshop_op(const struct tsim_jobshop *js, int j, int k, int *machine,
                              int64_t *time);

/** Schedule by `rule` (a name of docs/logic.md: "MWKR", "weighted(proc=1, ops=-2)", ...) with
 * the non-delay scheme; `seed` feeds RANDOM. `start` (may be NULL) receives the start of every
 * operation, job by job (index: the job's first operation's index plus k). Errors: TSIM_EPARSE
 * for an unknown rule. */
TSIM_API int tsim_jobshop_dispatch(const struct tsim_jobshop *js, const char *rule, uint64_t seed,
                                   int64_t *start, int64_t *makespan);
/** Replay a schedule given as the machine order of operations: `text` holds one line per machine,
 * the jobs it processes in order (0-based job numbers; a job that visits a machine twice is named
 * twice). Every operation starts as early as its job and its machine allow (semi-active).
 * Errors: TSIM_EPARSE (FILE:LINE:COL: a wrong count, a job out of range, an order that
 * deadlocks). */
TSIM_API int tsim_jobshop_replay(const struct tsim_jobshop *js, const char *name, const char *text,
                                 size_t len, int64_t *start, int64_t *makespan);
/** Check a schedule: no operation before time 0, each after its job's previous one ends, no two
 * at once on a machine. Errors: TSIM_EINVAL naming the first violation. */
TSIM_API int tsim_jobshop_verify(const struct tsim_jobshop *js, const int64_t *start,
                                 int64_t *makespan);
/** The total number of operations (the length of a `start` array). */
TSIM_API size_t tsim_jobshop_size(const struct tsim_jobshop *js);

/*
 * Learned sequencing rules (docs/ai.md): a `linear` or `mlp` model over candidate features, read
 * from a weights file ("twinsim-policy 1", then model, features, mean, scale and the weights);
 * the candidate with the smallest score is served, ties to the one that arrived first. A rule
 * written "policy:PATH" wherever rules are named reads one.
 */
struct tsim_policy;

/** Read a weights file from `text` (`len` bytes); `name` names it in messages.
 * Errors: TSIM_EPARSE as "NAME:LINE:COL: error: ..." (a wrong version, key or count, an unknown
 * feature, a number that is not finite, a scale not above 0).
 * Ownership: release with tsim_policy_destroy. */
TSIM_API int tsim_policy_parse(const char *name, const char *text, size_t len,
                               struct tsim_policy **out);
/** tsim_policy_parse of a file (at most 1 MiB). Errors: also TSIM_EIO, TSIM_ELIMIT. */
TSIM_API int tsim_policy_read(const char *path, struct tsim_policy **out);
/** NULL is a no-op. */
TSIM_API void tsim_policy_destroy(struct tsim_policy *p);
/** The number of weights of `p`, in the order the file writes them (mean and scale excluded). */
TSIM_API size_t tsim_policy_params(const struct tsim_policy *p);
/** Replace the weights of `p` by the `n` of `w` (a trainer's candidate; the file's are lost).
 * Errors: TSIM_EINVAL when `n` is not tsim_policy_params(p) or a weight is not finite, `p`
 * unchanged. */
TSIM_API int tsim_policy_set_params(struct tsim_policy *p, const double *w, size_t n);
/** tsim_jobshop_dispatch with policy `p` as the rule: the same non-delay scheme and tie-break.
 * `start` may be NULL. Ownership: `p` is borrowed. Errors: none. */
TSIM_API int tsim_jobshop_dispatch_policy(const struct tsim_jobshop *js,
                                          const struct tsim_policy *p, int64_t *start,
                                          int64_t *makespan);

#ifdef __cplusplus
}
#endif

#endif
