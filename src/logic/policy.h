/*
 * The `policy` sequencing rule (policy.c, docs/ai.md): a small model read from a weights file
 * that scores each candidate of a decision point from its features; the smallest score is served,
 * ties to the smaller arrival order, as for every built-in rule. Not API beyond what
 * twinsim_logic.h declares.
 */
#ifndef TSIM_LOGIC_POLICY_H
#define TSIM_LOGIC_POLICY_H

#include "logic/rules.h"
#include "twinsim_logic.h"

/* The features a policy may read, each computed from one struct tsim__cand and the clock. */
enum tsim__pfeat {
    TSIM__PF_PROC,      /* proc */
    TSIM__PF_DUE,       /* due */
    TSIM__PF_SLACK,     /* due - now - work_left */
    TSIM__PF_WORK,      /* work_left */
    TSIM__PF_OPS,       /* ops_left */
    TSIM__PF_WAIT,      /* now - arrival */
    TSIM__PF_JOB_WORK,  /* job_work */
    TSIM__PF_SHARE,     /* work_left / job_work (0 when job_work is 0) */
    TSIM__PF_NEXT_PROC, /* next_proc */
    TSIM__PF_MACH_WORK, /* mach_work */
    TSIM__PF_NEXT_WORK, /* next_work */
    TSIM__PF_NEXT_FREE, /* next_free */
    TSIM__PF_NEXT_QUEUE, /* next_queue */
    /* A route's candidates are its targets (route.c): these are known there only. */
    TSIM__PF_QUEUE,     /* queue: entities in the target */
    TSIM__PF_BUSY,      /* busy: 1 if the target takes no entity now */
    TSIM__PF_BACKLOG,   /* backlog: time until the target would start one more */
    TSIM__PF_UTIL,      /* util: the target's busy share per server so far */
    TSIM__PF_INDEX,     /* index: the target's place in the route's list */
    TSIM__PF_COUNT
};

/* The features a sequencing decision may give (the job shop gives them all), and those a route
 * gives (proc is the entity's mean processing time at the target). */
#define TSIM__PF_SEQ_ALL ((1u << (TSIM__PF_NEXT_QUEUE + 1)) - 1u)
#define TSIM__PF_ROUTE_ALL                                                                    \
    ((1u << TSIM__PF_PROC) | (1u << TSIM__PF_QUEUE) | (1u << TSIM__PF_BUSY) |                 \
     (1u << TSIM__PF_BACKLOG) | (1u << TSIM__PF_UTIL) | (1u << TSIM__PF_INDEX))

/* The name of feature `f` as a weights file writes it ("next_proc"). */
const char *tsim__pfeat_name(enum tsim__pfeat f);

/* Every feature of candidate `x` at time `now`, into out[TSIM__PF_COUNT]. */
void tsim__pfeat_all(const struct tsim__cand *x, double now, double *out);

/* The index in [0, n) of the candidate with the smallest score; n >= 1. */
size_t tsim__policy_choose(const struct tsim_policy *p, const struct tsim__cand *c, size_t n,
                           double now);

/* The score of a candidate given as its features f[TSIM__PF_COUNT] (only those the policy reads
 * need be set): a route's target (route.c). */
double tsim__policy_score_row(const struct tsim_policy *p, const double *f);

/* The features `p` reads, bit f for enum tsim__pfeat f. */
unsigned tsim__policy_reads(const struct tsim_policy *p);

/* Check that every feature `p` reads is in `given` (bit f for enum tsim__pfeat f), the features
 * decision point `where` ("a buffer") computes. Returns 0, or TSIM_EPARSE with
 * "FILE:LINE:COL: error: ..." in `err`, the position that of the first feature not given. */
int tsim__policy_require(const struct tsim_policy *p, unsigned given, const char *where,
                         char *err, size_t errlen);

#endif
