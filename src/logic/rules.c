/*
 * The built-in sequencing rules (rules.h, docs/logic.md): each is a key per candidate, smallest
 * first, ties to the smaller arrival order. One loop per rule keeps the key's arithmetic inside
 * the loop, where the compiler can keep it in registers; a rule decision over 10 candidates is
 * a few tens of nanoseconds (`make bench`).
 */
#include "logic/rules.h"

#include "logic/closest.h"
#include "logic/policy.h"

#include "core/core.h"
#include "core/names.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const rule_names[TSIM__RULE_COUNT] = {
    "FIFO", "LIFO", "SPT", "LPT", "EDD", "SLACK", "CR", "MWKR", "LWKR", "MOPNR", "RANDOM",
    "weighted", "policy",
};

static const char *const feature_names[TSIM__FEAT_COUNT] = {
    "proc", "due", "slack", "work", "ops", "wait",
};

const char *tsim__rule_name(enum tsim__rule_kind kind)
{
    return (unsigned)kind < TSIM__RULE_COUNT ? rule_names[kind] : "?";
}

static int parse_weights(struct tsim__rule *r, const char *p, char *err, size_t errlen)
{
    /* p is just after "weighted(" */
    int any = 0;
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (*p == ')' && any) break;
        char name[32];
        size_t k = 0;
        while (isalpha((unsigned char)*p) || *p == '_') {
            if (k + 1 < sizeof name) name[k++] = (char)tolower((unsigned char)*p);
            p++;
        }
        name[k] = '\0';
        int f = -1;
        for (int i = 0; i < TSIM__FEAT_COUNT; i++)
            if (strcmp(name, feature_names[i]) == 0) f = i;
        if (f < 0) {
            const char *s = tsim__closest_name(name, feature_names, TSIM__FEAT_COUNT);
            if (k == 0)
                snprintf(err, errlen, "'weighted' expects FEATURE=WEIGHT pairs, e.g. "
                                      "'weighted(proc=1, slack=0.5)'");
            else if (s)
                snprintf(err, errlen, "unknown feature '%s' in 'weighted' (did you mean '%s'?)",
                         name, s);
            else
                snprintf(err, errlen,
                         "unknown feature '%s' in 'weighted' (features: proc, due, slack, work, "
                         "ops, wait)",
                         name);
            return TSIM_EPARSE;
        }
        while (isspace((unsigned char)*p)) p++;
        if (*p != '=') {
            snprintf(err, errlen, "'weighted' expects '=' and a weight after '%s'", name);
            return TSIM_EPARSE;
        }
        p++;
        char *end;
        double w = strtod(p, &end);
        if (end == p || !isfinite(w)) {
            snprintf(err, errlen, "the weight of '%s' in 'weighted' must be a finite number",
                     name);
            return TSIM_EPARSE;
        }
        r->w[f] = w;
        any = 1;
        p = end;
        while (isspace((unsigned char)*p)) p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == ')') break;
        snprintf(err, errlen, "'weighted' expects ',' or ')' after the weight of '%s'", name);
        return TSIM_EPARSE;
    }
    p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p) {
        snprintf(err, errlen, "unexpected text after 'weighted(...)'");
        return TSIM_EPARSE;
    }
    return 0;
}

void tsim__rule_release(struct tsim__rule *r)
{
    if (!r) return;
    tsim_policy_destroy(r->policy);
    r->policy = NULL;
}

/* "policy:PATH": the weights file's own message (FILE:LINE:COL) without its function name. */
static int parse_policy(struct tsim__rule *r, const char *path, char *err, size_t errlen)
{
    if (*path == '\0') {
        snprintf(err, errlen, "'policy:' expects the path of a weights file, e.g. "
                              "'policy:examples/ai/jobshop-policy.txt'");
        return TSIM_EPARSE;
    }
    int rc = tsim_policy_read(path, &r->policy);
    if (rc != 0) {
        const char *m = tsim_errmsg();
        const char *colon = strstr(m, ": ");
        snprintf(err, errlen, "%s", colon ? colon + 2 : m);
        return rc;
    }
    /* A route's features (queue, busy, ...) are no candidate's of a sequencing decision. */
    rc = tsim__policy_require(r->policy, TSIM__PF_SEQ_ALL, "a sequencing decision", err, errlen);
    if (rc != 0) {
        tsim_policy_destroy(r->policy);
        r->policy = NULL;
        return rc;
    }
    r->kind = TSIM__RULE_POLICY;
    return 0;
}

int tsim__rule_parse(struct tsim__rule *r, const char *text, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    while (isspace((unsigned char)*text)) text++;
    if (strncasecmp(text, "policy:", 7) == 0) return parse_policy(r, text + 7, err, errlen);
    if (strcasecmp(text, "policy") == 0) return parse_policy(r, "", err, errlen);
    if (strncasecmp(text, "weighted", 8) == 0) {
        const char *p = text + 8;
        while (isspace((unsigned char)*p)) p++;
        if (*p != '(') {
            snprintf(err, errlen, "'weighted' expects its weights in parentheses, e.g. "
                                  "'weighted(proc=1, slack=0.5)'");
            return TSIM_EPARSE;
        }
        r->kind = TSIM__RULE_WEIGHTED;
        return parse_weights(r, p + 1, err, errlen);
    }
    for (int i = 0; i < TSIM__RULE_WEIGHTED; i++) {
        if (strcasecmp(text, rule_names[i]) == 0) {
            r->kind = (enum tsim__rule_kind)i;
            return 0;
        }
    }
    const char *s = tsim__closest_name(text, rule_names, TSIM__RULE_COUNT);
    if (s)
        snprintf(err, errlen, "unknown rule '%s' (did you mean '%s'?)", text, s);
    else
        snprintf(err, errlen,
                 "unknown rule '%s' (rules: FIFO, LIFO, SPT, LPT, EDD, SLACK, CR, MWKR, LWKR, "
                 "MOPNR, RANDOM, weighted(...), policy:PATH)",
                 text);
    return TSIM_EPARSE;
}

/* The candidate whose KEY is smallest, ties to the smaller seq. */
#define ARGMIN(KEY)                                                       \
    do {                                                                  \
        size_t best = 0;                                                  \
        double bk;                                                        \
        {                                                                 \
            const struct tsim__cand *x = &c[0];                            \
            bk = (KEY);                                                   \
        }                                                                 \
        for (size_t i = 1; i < n; i++) {                                  \
            const struct tsim__cand *x = &c[i];                            \
            double k = (KEY);                                             \
            if (k < bk || (k == bk && x->seq < c[best].seq)) {            \
                bk = k;                                                   \
                best = i;                                                 \
            }                                                             \
        }                                                                 \
        return best;                                                      \
    } while (0)

/* Critical ratio: time to the due date over work left. No work left ranks after every finite
 * ratio when there is time left and before every one when the job is late. */
static inline double critical_ratio(const struct tsim__cand *x, double now)
{
    double t = x->due - now;
    if (x->work_left > 0) return t / x->work_left;
    return t >= 0 ? HUGE_VAL : -HUGE_VAL;
}

size_t tsim__rule_choose(const struct tsim__rule *r, const struct tsim__cand *c, size_t n, double now,
                        struct tsim_rng *rng)
{
    if (n <= 1) return 0;
    switch (r->kind) {
    case TSIM__RULE_FIFO: {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (c[i].seq < c[best].seq) best = i;
        return best;
    }
    case TSIM__RULE_LIFO: {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (c[i].seq > c[best].seq) best = i;
        return best;
    }
    case TSIM__RULE_SPT: ARGMIN(x->proc);
    case TSIM__RULE_LPT: ARGMIN(-x->proc);
    case TSIM__RULE_EDD: ARGMIN(x->due);
    case TSIM__RULE_SLACK: ARGMIN(x->due - now - x->work_left);
    case TSIM__RULE_CR: ARGMIN(critical_ratio(x, now));
    case TSIM__RULE_MWKR: ARGMIN(-x->work_left);
    case TSIM__RULE_LWKR: ARGMIN(x->work_left);
    case TSIM__RULE_MOPNR: ARGMIN(-x->ops_left);
    case TSIM__RULE_RANDOM: {
        size_t i = (size_t)(tsim_rng_uniform(rng) * (double)n);
        return i < n ? i : n - 1;
    }
    case TSIM__RULE_WEIGHTED: {
        const double *w = r->w;
        ARGMIN(w[TSIM__FEAT_PROC] * x->proc + w[TSIM__FEAT_DUE] * x->due +
               w[TSIM__FEAT_SLACK] * (x->due - now - x->work_left) +
               w[TSIM__FEAT_WORK] * x->work_left + w[TSIM__FEAT_OPS] * x->ops_left +
               w[TSIM__FEAT_WAIT] * (now - x->arrival));
    }
    case TSIM__RULE_POLICY: return tsim__policy_choose(r->policy, c, n, now);
    case TSIM__RULE_COUNT: break;
    }
    return 0;
}
