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
/* ---------------------------------------------------------------------------------------------
 * The environment (docs/ai.md): a batch of N sims of one job shop, each stopped where a free
 * machine chooses which waiting operation it starts next, stepped together with one action each
 * (the index of the chosen candidate). Between two decisions a sim runs on by itself; a machine
 * with one candidate starts it without asking.
 * ------------------------------------------------------------------------------------------- */

struct tsim_env;

/** Floats per candidate in an observation, and after the candidates, the floats of the decision
 * point (docs/ai.md, The environment API, has the table). */
#define TSIM_ENV_CAND_FEATURES 12
#define TSIM_ENV_GLOBAL_FEATURES 4

/** What a step does to a sim whose episode ended (terminated or truncated). */
enum tsim_env_autoreset {
    TSIM_ENV_NEXT_STEP = 0,    /* the step after the last resets it, reads no action, reward 0 */
    TSIM_ENV_SAME_STEP = 1,    /* the last step resets it at once: its observation is the new one */
    TSIM_ENV_NO_AUTORESET = 2, /* stepping it before tsim_env_reset is an error */
};

struct tsim_env_config {
    int64_t num_envs;       /* sims in the batch, in [1, 2^20] (default 1) */
    int32_t threads;        /* threads that step the batch (0 or 1: the caller's only) */
    int32_t max_candidates; /* candidate slots of an observation; 0: the number of jobs */
    uint64_t seed;          /* sim i's stream: tsim_rng_stream(seed, i, "env") */
    int32_t autoreset;      /* enum tsim_env_autoreset (default TSIM_ENV_NEXT_STEP) */
    int32_t max_steps;      /* decisions before an episode is truncated; 0: never */
    /* reward = -(w_makespan * makespan increment + w_waiting * waiting increment); default 1, 0 */
    double w_makespan, w_waiting;
    /* With no instance: a new one of Taillard's generator at every reset of a sim, seeded from its
     * stream, of gen_jobs jobs and gen_machines machines (each in [1, 1000]). */
    int32_t gen_jobs, gen_machines;
    /* A model's env (tsim_env_create_model) adds w_throughput * entities completed to the
     * reward; in the job shop's, operations started. Default 0. */
    double w_throughput;
};

/** The outputs of reset and step, one row per sim, contiguous: obs[N][obs_size] (float), mask
 * [N][max_candidates] (1: the slot holds a candidate), reward[N], terminated[N], truncated[N],
 * agent[N] (the machine that asks; -1 once the episode has ended), candidates[N] (how many),
 * makespan[N] (the latest end of a started operation; on the step that ends an episode, that
 * episode's makespan under either autoreset). */
struct tsim_env_buffers {
    float *obs;
    uint8_t *mask;
    double *reward;
    uint8_t *terminated, *truncated;
    int32_t *agent, *candidates;
    double *makespan;
};

/** The defaults of struct tsim_env_config. */
TSIM_API void tsim_env_config_init(struct tsim_env_config *c);
/** Create the batch over `js` (copied: it may be destroyed afterwards), or over generated
 * instances when `js` is NULL, and reset every sim. Errors: TSIM_ERANGE (num_envs, threads,
 * max_candidates below the number of jobs, sizes or a batch over 64 GiB), TSIM_EINVAL (NULL
 * cfg, an unknown autoreset, weights not finite, neither or both of an instance and gen_*).
 * Ownership: release with tsim_env_destroy. */
TSIM_API int tsim_env_create(const struct tsim_jobshop *js, const struct tsim_env_config *cfg,
                             struct tsim_env **out);
/**
 * A batch of cfg->num_envs sims of model `m` whose buffers with `rule: agent` are the decision
 * points (docs/ai.md, Decision points in a model): each sim runs until such a buffer must choose
 * among two or more waiting entities, and the action is the slot of the one it sends. An episode
 * runs to `horizon` (a model file's `run: horizon`, from tsim_model_load_file), episode k of sim
 * i being replication i + k * num_envs of cfg->seed (a seeded reset counts again from 0).
 * cfg->max_candidates is the slots of an observation (0: 16; a longer queue shows its first
 * entities), reward = w_throughput * completed - (w_makespan * time + w_waiting * time in the
 * system), each an increment since the last step: set w_makespan to 0 (its sum is the horizon).
 * Errors: TSIM_EINVAL (no decision point, NULL m, gen_jobs set), TSIM_ERANGE (a horizon not
 * finite or not after 0, and as tsim_env_create).
 * Ownership: `m` is borrowed and must outlive the env; release the env with tsim_env_destroy. */
TSIM_API int tsim_env_create_model(const struct tsim_model *m, double horizon,
                                   const struct tsim_env_config *cfg, struct tsim_env **out);
TSIM_API void tsim_env_destroy(struct tsim_env *e);
/** The decision points: a model's buffers and routes with `rule: agent` (numbered as `agent`
 * gives them, in the model file's order of their blocks), or the job shop's machines. */
TSIM_API int tsim_env_agents(const struct tsim_env *e);
/** Decision point k's block name in a model's env; NULL for the job shop or k out of range.
 * Ownership: borrowed from the env. */
TSIM_API const char *tsim_env_agent_name(const struct tsim_env *e, int k);
/** Whether decision point k of a model's env is a route (its candidates are the route's
 * targets; docs/ai.md has the observation) rather than a buffer's queue: 1 or 0; -1 for the job
 * shop or k out of range. */
TSIM_API int tsim_env_agent_is_route(const struct tsim_env *e, int k);
TSIM_API size_t tsim_env_num(const struct tsim_env *e);
TSIM_API size_t tsim_env_max_candidates(const struct tsim_env *e);
/** Floats per sim in obs: max_candidates * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES. */
TSIM_API size_t tsim_env_obs_size(const struct tsim_env *e);
/** The bytes one sim takes (its state and its rows of the buffers). */
TSIM_API size_t tsim_env_sim_bytes(const struct tsim_env *e);
/** The buffers the outputs go to (the env's own unless set). */
TSIM_API void tsim_env_buffers(const struct tsim_env *e, struct tsim_env_buffers *out);
/** Write the outputs to the caller's buffers from now on (each of the size above; a NULL field:
 * the env's own). What the old buffers hold is copied over. Errors: TSIM_EINVAL (NULL b). */
TSIM_API int tsim_env_set_buffers(struct tsim_env *e, const struct tsim_env_buffers *b);
/** Start a new episode in every sim, or in those with mask[i] != 0; with `seed`, sim i's stream
 * restarts as tsim_rng_stream(*seed, i, "env") first (it draws the generated instances). Writes
 * their outputs with reward 0 and terminated = truncated = 0. */
TSIM_API int tsim_env_reset(struct tsim_env *e, const uint8_t *mask, const uint64_t *seed);
/** One decision in every sim: actions[i] is the index of the candidate sim i starts. Then each
 * runs on to its next decision or its end. Errors (nothing has moved then): TSIM_ERANGE (an
 * action outside [0, max_candidates)), TSIM_EINVAL (a masked action, a sim that ended under
 * TSIM_ENV_NO_AUTORESET, NULL actions); the message names the sim and the action. */
TSIM_API int tsim_env_step(struct tsim_env *e, const int32_t *actions);
/** The action a rule (tsim_jobshop_dispatch's names, policy:PATH included, not RANDOM) takes in
 * every sim (0 for a sim whose episode has ended). Errors: TSIM_EPARSE (unknown rule, a weights
 * file reading a route's features), TSIM_EIO (a weights file that cannot be read), TSIM_EINVAL
 * (RANDOM; a sim asking at a route, whose candidates are no sequencing rule's: the message
 * names the sim and the route). */
TSIM_API int tsim_env_rule_actions(const struct tsim_env *e, const char *rule, int32_t *actions);
/** The instance Taillard's generator gives for these seeds (each in [1, 2^31 - 2]): ta01 is
 * (15, 15, 840612802, 398197754). Errors: TSIM_ERANGE. */
TSIM_API int tsim_env_taillard(int jobs, int machines, int32_t time_seed, int32_t machine_seed,
                               struct tsim_jobshop **out);

#ifdef __cplusplus
}
#endif

#endif
