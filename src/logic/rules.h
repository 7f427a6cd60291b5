/*
 * Decision points and the built-in sequencing rules (docs/logic.md).
 *
 * A decision point stops with a list of candidates, each described by the same small set of
 * features (struct tsim_cand), and takes back the index of the one chosen. A built-in rule is one
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
struct tsim_cand {
    uint64_t seq;     /* arrival order at this decision point, unique per candidate */
    double arrival;   /* when it arrived at this decision point */
    double proc;      /* processing time of the operation it waits for */
    double due;       /* its due date */
    double work_left; /* processing time of this operation and of every later one */
    double ops_left;  /* operations left, this one included */
};

/* The features a weighted rule sums, each as a number where smaller is served first. */
enum tsim_feature {
    TSIM_FEAT_PROC,  /* proc */
    TSIM_FEAT_DUE,   /* due */
    TSIM_FEAT_SLACK, /* due - now - work_left */
    TSIM_FEAT_WORK,  /* work_left */
    TSIM_FEAT_OPS,   /* ops_left */
    TSIM_FEAT_WAIT,  /* now - arrival */
    TSIM_FEAT_COUNT
};

enum tsim_rule_kind {
    TSIM_RULE_FIFO,
    TSIM_RULE_LIFO,
    TSIM_RULE_SPT,
    TSIM_RULE_LPT,
    TSIM_RULE_EDD,
    TSIM_RULE_SLACK,
    TSIM_RULE_CR,
    TSIM_RULE_MWKR,
    TSIM_RULE_LWKR,
    TSIM_RULE_MOPNR,
    TSIM_RULE_RANDOM,
    TSIM_RULE_WEIGHTED,
    TSIM_RULE_COUNT
};

struct tsim_rule {
    enum tsim_rule_kind kind;
    double w[TSIM_FEAT_COUNT]; /* TSIM_RULE_WEIGHTED only: the weight of each feature */
};

/* The name of a rule kind as written in a model or on the command line ("MWKR"). */
const char *tsim_rule_name(enum tsim_rule_kind kind);

/* Read a rule: a name of tsim_rule_name (any case), or "weighted(F=W, ...)" with F a feature name
 * of docs/logic.md and W a finite number. Errors: TSIM_EPARSE with the reason in `err`
 * (lowercase, the offending word in single quotes, a did-you-mean where one is close). */
int tsim_rule_parse(struct tsim_rule *r, const char *text, char *err, size_t errlen);

/* The index in [0, n) of the candidate `r` chooses at time `now`; n >= 1. `rng` is drawn from by
 * TSIM_RULE_RANDOM only (one draw per decision with n >= 2) and may be NULL for every other rule. */
size_t tsim_rule_choose(const struct tsim_rule *r, const struct tsim_cand *c, size_t n, double now,
                        struct tsim_rng *rng);

#endif
