/*
 * Model parameters from text: the one path by which both the YAML loader (loader.c) and
 * tsim_model_set_param (setparam.c) turn a value such as "triangular(0.5, 0.6, 0.9)" or "20"
 * into a call of a public setter. Not API: nothing here is declared in include/twinsim.h.
 *
 * Every function reports a problem as a message worded for a model file's author (lowercase,
 * subject in single quotes, no full stop) and the byte offset in the value text where the problem
 * starts, so the loader can point at the column and set_param can quote the path.
 */
#ifndef TSIM_MODEL_PARAMS_H
#define TSIM_MODEL_PARAMS_H

#include "twinsim.h"

#include <stddef.h>

/* A problem found while applying a value: its TSIM_E* code, message and byte offset. */
struct tsim__perr {
    int code;
    size_t at;
    char msg[320];
};

/* Fill `e` (printf-style) and return `code`. */
int tsim__perr_set(struct tsim__perr *e, int code, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * "Did you mean": offer candidates one by one, then take the closest (Levenshtein distance,
 * case-insensitive) if it is close enough to be a plausible typo of `word`.
 */
struct tsim__suggest {
    const char *word;
    const char *best;
    size_t best_dist;
};
void tsim__suggest_init(struct tsim__suggest *s, const char *word);
void tsim__suggest_offer(struct tsim__suggest *s, const char *candidate);
/* " (did you mean 'x'?)" or "" when nothing is close; a static buffer per thread. */
const char *tsim__suggest_text(const struct tsim__suggest *s);
/* Same, over a NULL-terminated list of names. */
const char *tsim__suggest_list(const char *word, const char *const *names);

/* A whole-text integer in [lo, hi]; `what` names it in messages ("'servers'"). */
int tsim__parse_int(const char *text, const char *what, long long lo, long long hi,
                    long long *out, struct tsim__perr *e);
/* A whole-text finite real number. */
int tsim__parse_real(const char *text, const char *what, double *out, struct tsim__perr *e);
/* A probability in [0, 1]. */
int tsim__parse_prob(const char *text, const char *what, double *out, struct tsim__perr *e);
/* A duration ("30s", "5min", 2.5) converted to `time_unit`; negative ones are refused. */
int tsim__parse_duration(const char *text, const char *what, const char *time_unit, double *out,
                         struct tsim__perr *e);
/* A distribution of durations in `time_unit`; on success the caller releases `d`. */
int tsim__parse_dist(struct tsim_dist *d, const char *text, const char *time_unit,
                     const char *base_dir, struct tsim__perr *e);

/*
 * Set scalar parameter `key` of block `block` from `text`: any key of the block's type in the
 * registry (src/blocks/registry.h) but those written as a mapping (`to`, `failures`, `needs`,
 * `parts`) and `description`. The key's kind says how its text is read. Returns 0 or a TSIM_E*
 * code with `e` filled (TSIM_ENOENT: not a parameter of this block's type).
 */
int tsim__param_set(struct tsim_model *m, int block, const char *key, const char *text,
                    const char *base_dir, struct tsim__perr *e);

/* Set the processing time of `product` (-1: every product without its own). */
int tsim__param_set_process(struct tsim_model *m, int block, int product, const char *text,
                            const char *base_dir, struct tsim__perr *e);


/* Set both halves of a machine's failure model, or one of them (the other NULL: keep the one the
 * machine has). On a parse error `*which` says which text was wrong: 0 between, 1 repair. */
int tsim__param_set_failures(struct tsim_model *m, int block, const char *between,
                             const char *repair, const char *base_dir, struct tsim__perr *e,
                             int *which);
/* Set the clock a machine's failures run on from its name, `operating` or `calendar`. */
int tsim__param_set_failure_basis(struct tsim_model *m, int block, const char *text,
                                  struct tsim__perr *e);

/* `v` in at most 10 significant digits, an exponent as people write it ("1e-6", "4.6e12"). */
void tsim__fmt_num(char *buf, size_t size, double v);

/* A time distribution `d` given as `text` for `what` ("'interarrival'") must not have a mean
 * above 0 but below one tick of `m`: every draw would round to 0 (an interarrival would make
 * entities without end at one instant). Returns 0 or TSIM_ERANGE with `e` filled. */
int tsim__check_resolution(const struct tsim_model *m, const char *what,
                           const struct tsim_dist *d, struct tsim__perr *e);

/* The rest of a setter's tsim_errmsg() after its "function: " prefix. */
const char *tsim__errmsg_body(void);

#endif
