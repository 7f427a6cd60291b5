/*
 * Decision points and the built-in sequencing rules (docs/logic.md).
 *
 * A decision point stops with a list of candidates, each described by the same small set of
 * features (struct tsim__cand), and takes back the index of the one chosen. A built-in rule is one
 * way to give that index; a Lua function or an external policy is another, with the same
 * interface: read `n` candidates and `now`, return an index in [0, n). Nothing here allocates or
 * keeps state between calls, so a rule costs a scan of the candidates and nothing else.
 *
 * Ties: every rule ranks by its key first and then by `seq` (the order in which the candidates
 * arrived at the decision point, smaller first), so a choice never depends on where a candidate
 * sits in the array. LIFO is the one rule whose key is `seq` itself, larger first.
 */
#ifndef TSIM_LOGIC_RULES_H
#define TSIM_LOGIC_RULES_H

#include "twinsim.h"

#include <stddef.h>
#include <stdint.h>

/* What a decision point knows of one candidate. Times are in the model's time unit. */
struct tsim__cand {
    uint64_t seq;     /* arrival order at this decision point, unique per candidate */
    double arrival;   /* when it arrived at this decision point */
    double proc;      /* processing time of the operation it waits for */
    double due;       /* its due date */
    double work_left; /* processing time of this operation and of every later one */
    double ops_left;  /* operations left, this one included */
    /* Known where the decision point sees the whole routing (the job shop); 0 elsewhere. */
    double job_work;  /* processing time of all the job's operations, done or not */
    double next_proc; /* processing time of the job's next operation after this one; 0 if none */
    double mach_work; /* processing time still to be done on this machine, by every job */
    double next_work; /* the same for the machine of the job's next operation; 0 if none */
    double next_free; /* how long after now that machine is busy with work already started */
    double next_queue; /* processing time of the operations waiting now for that machine */
};

/* The features a weighted rule sums, each as a number where smaller is served first. */
enum tsim__feature {
    TSIM__FEAT_PROC,  /* proc */
    TSIM__FEAT_DUE,   /* due */
    TSIM__FEAT_SLACK, /* due - now - work_left */
    TSIM__FEAT_WORK,  /* work_left */
    TSIM__FEAT_OPS,   /* ops_left */
    TSIM__FEAT_WAIT,  /* now - arrival */
    TSIM__FEAT_COUNT
};

enum tsim__rule_kind {
    TSIM__RULE_FIFO,
    TSIM__RULE_LIFO,
    TSIM__RULE_SPT,
    TSIM__RULE_LPT,
    TSIM__RULE_EDD,
    TSIM__RULE_SLACK,
    TSIM__RULE_CR,
    TSIM__RULE_MWKR,
    TSIM__RULE_LWKR,
    TSIM__RULE_MOPNR,
    TSIM__RULE_RANDOM,
    TSIM__RULE_WEIGHTED,
    TSIM__RULE_POLICY, /* a model read from a weights file (policy.c) */
    TSIM__RULE_COUNT
};

struct tsim__rule {
    enum tsim__rule_kind kind;
    double w[TSIM__FEAT_COUNT]; /* TSIM__RULE_WEIGHTED only: the weight of each feature */
    struct tsim_policy *policy; /* TSIM__RULE_POLICY only: owned, freed by tsim__rule_release */
};

/* The name of a rule kind as written in a model or on the command line ("MWKR"). */
const char *tsim__rule_name(enum tsim__rule_kind kind);

/* Read a rule: a name of tsim__rule_name (any case), "weighted(F=W, ...)" with F a feature name
 * of docs/logic.md and W a finite number, or "policy:PATH", a weights file (docs/ai.md). Errors:
 * TSIM_EPARSE with the reason in `err` (lowercase, the offending word in single quotes, a
 * did-you-mean where one is close; a bad weights file as FILE:LINE:COL), TSIM_EIO for a weights
 * file that cannot be read. Release a rule read without error with tsim__rule_release. */
int tsim__rule_parse(struct tsim__rule *r, const char *text, char *err, size_t errlen);

/* Free what a rule owns (a policy's weights); the rule is then unusable. NULL-safe. */
void tsim__rule_release(struct tsim__rule *r);

/* The index in [0, n) of the candidate `r` chooses at time `now`; n >= 1. `rng` is drawn from by
 * TSIM__RULE_RANDOM only (one draw per decision with n >= 2) and may be NULL for every other rule. */
size_t tsim__rule_choose(const struct tsim__rule *r, const struct tsim__cand *c, size_t n, double now,
                        struct tsim_rng *rng);

#endif
