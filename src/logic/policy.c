/*
 * Learned sequencing rules (policy.h, docs/ai.md): a weights file read into a `linear` or a
 * small `mlp` model over standardized candidate features, and the choice it makes. Training is
 * not here (examples/ai/train.py); this file only reads and applies what training wrote.
 *
 * Invariants once read: 1 <= nf <= TSIM__PF_COUNT features, each at most once; every scale > 0;
 * 1 <= hidden <= POLICY_MAX_HIDDEN for mlp; every number finite. A score is then finite or, for
 * features that overflow, +-inf or NaN: NaN scores compare false and so never beat the first
 * candidate, which keeps the choice in [0, n) whatever the inputs.
 */
#include "logic/policy.h"

#include "logic/closest.h"

#include "core/core.h"
#include "core/names.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_VERSION 1
#define POLICY_MAX_HIDDEN 64
#define POLICY_MAX_FILE (1u << 20)

enum policy_kind { POLICY_LINEAR, POLICY_MLP };

struct tsim_policy {
    enum policy_kind kind;
    int nf;                      /* features read */
    int feat[TSIM__PF_COUNT];    /* which, in the file's order */
    double mean[TSIM__PF_COUNT]; /* z = (feature - mean) / scale */
    double scale[TSIM__PF_COUNT];
    int hidden;                  /* mlp: hidden units */
    size_t np;                   /* parameters */
    double *w; /* linear: w[nf]. mlp: per unit its bias and nf weights, then hidden outputs */
    char *name;                  /* the file's name, for the errors of tsim__policy_require */
    int feat_line;               /* where the `features` line is */
    int feat_col[TSIM__PF_COUNT];
};

static const char *const pfeat_names[TSIM__PF_COUNT] = {
    "proc",      "due",       "slack",     "work",      "ops",       "wait",
    "job_work",  "share",     "next_proc", "mach_work", "next_work", "next_free",
    "next_queue", "queue",     "busy",      "backlog",   "util",      "index",
};

const char *tsim__pfeat_name(enum tsim__pfeat f)
{
    return (unsigned)f < TSIM__PF_COUNT ? pfeat_names[f] : "?";
}

static inline double pfeat(int f, const struct tsim__cand *x, double now)
{
    switch (f) {
    case TSIM__PF_PROC: return x->proc;
    case TSIM__PF_DUE: return x->due;
    case TSIM__PF_SLACK: return x->due - now - x->work_left;
    case TSIM__PF_WORK: return x->work_left;
    case TSIM__PF_OPS: return x->ops_left;
    case TSIM__PF_WAIT: return now - x->arrival;
    case TSIM__PF_JOB_WORK: return x->job_work;
    case TSIM__PF_SHARE: return x->job_work > 0 ? x->work_left / x->job_work : 0;
    case TSIM__PF_NEXT_PROC: return x->next_proc;
    case TSIM__PF_MACH_WORK: return x->mach_work;
    case TSIM__PF_NEXT_WORK: return x->next_work;
    case TSIM__PF_NEXT_FREE: return x->next_free;
    case TSIM__PF_NEXT_QUEUE: return x->next_queue;
    default: break; /* a route's features: refused at a sequencing decision when read */
    }
    return 0;
}

void tsim__pfeat_all(const struct tsim__cand *x, double now, double *out)
{
    for (int f = 0; f < TSIM__PF_COUNT; f++) out[f] = pfeat(f, x, now);
}

/* The score of standardized features z[nf]. */
static double score_z(const struct tsim_policy *p, const double *z)
{
    const double *w = p->w;
    double s = 0;
    if (p->kind == POLICY_LINEAR) {
        for (int i = 0; i < p->nf; i++) s += w[i] * z[i];
        return s;
    }
    const double *out = w + (size_t)p->hidden * (size_t)(p->nf + 1);
    for (int h = 0; h < p->hidden; h++, w += p->nf + 1) {
        double a = w[0];
        for (int i = 0; i < p->nf; i++) a += w[i + 1] * z[i];
        s += out[h] * tanh(a);
    }
    return s;
}

static double score(const struct tsim_policy *p, const struct tsim__cand *x, double now)
{
    double z[TSIM__PF_COUNT];
    for (int i = 0; i < p->nf; i++) z[i] = (pfeat(p->feat[i], x, now) - p->mean[i]) / p->scale[i];
    return score_z(p, z);
}

double tsim__policy_score_row(const struct tsim_policy *p, const double *f)
{
    double z[TSIM__PF_COUNT];
    for (int i = 0; i < p->nf; i++) z[i] = (f[p->feat[i]] - p->mean[i]) / p->scale[i];
    return score_z(p, z);
}

size_t tsim__policy_choose(const struct tsim_policy *p, const struct tsim__cand *c, size_t n,
                           double now)
{
    size_t best = 0;
    double bk = score(p, &c[0], now);
    for (size_t i = 1; i < n; i++) {
        double k = score(p, &c[i], now);
        if (k < bk || (k == bk && c[i].seq < c[best].seq)) {
            bk = k;
            best = i;
        }
    }
    return best;
}

unsigned tsim__policy_reads(const struct tsim_policy *p)
{
    unsigned m = 0;
    for (int i = 0; i < p->nf; i++) m |= 1u << p->feat[i];
    return m;
}

/* ---- the weights file ---- */

/* One line's words and where each starts. */
#define LINE_MAX_WORDS (POLICY_MAX_HIDDEN + TSIM__PF_COUNT + 2)

struct line {
    const char *w[LINE_MAX_WORDS];
    size_t len[LINE_MAX_WORDS];
    int col[LINE_MAX_WORDS];
    int n, no; /* words, line number */
};

struct rd {
    const char *name, *p, *end;
    int line;
};

static int fail_at(const struct rd *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(const struct rd *r, int line, int col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tsim__fail(TSIM_EPARSE, "tsim_policy", "%s:%d:%d: error: %s", r->name, line, col, msg);
}

/* The next line with a word (a '#' starts a comment) into `l`: 1, 0 at the end, or an error. */
static int next_line(struct rd *r, struct line *l)
{
    while (r->p < r->end) {
        const char *s = r->p;
        const char *e = memchr(s, '\n', (size_t)(r->end - s));
        if (!e) e = r->end;
        r->p = e < r->end ? e + 1 : e;
        int no = ++r->line;
        l->n = 0;
        l->no = no;
        for (const char *q = s; q < e;) {
            unsigned char ch = (unsigned char)*q;
            if (ch == '#') break;
            if (ch == ' ' || ch == '\t' || ch == '\r') {
                q++;
                continue;
            }
            if (!isprint(ch))
                return fail_at(r, no, (int)(q - s) + 1, "unexpected byte 0x%02x", ch);
            if (l->n == LINE_MAX_WORDS)
                return fail_at(r, no, (int)(q - s) + 1, "more than %d words on a line",
                               LINE_MAX_WORDS);
            l->w[l->n] = q;
            l->col[l->n] = (int)(q - s) + 1;
            while (q < e && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#' &&
                   isprint((unsigned char)*q))
                q++;
            l->len[l->n] = (size_t)(q - l->w[l->n]);
            l->n++;
        }
        if (l->n > 0) return 1;
    }
    return 0;
}

static int word_is(const struct line *l, int i, const char *s)
{
    return l->len[i] == strlen(s) && memcmp(l->w[i], s, l->len[i]) == 0;
}

/* Word i of `l` as a finite number into *v. */
static int number(const struct rd *r, const struct line *l, int i, double *v)
{
    char buf[64];
    if (l->len[i] >= sizeof buf)
        return fail_at(r, l->no, l->col[i], "'%.20s...' is not a number", l->w[i]);
    memcpy(buf, l->w[i], l->len[i]);
    buf[l->len[i]] = '\0';
    char *end;
    *v = strtod(buf, &end);
    if (end == buf || *end != '\0' || !isfinite(*v))
        return fail_at(r, l->no, l->col[i], "'%s' is not a finite number", buf);
    return 0;
}

/* Read the line that must come next: key `key` and exactly `count` numbers into v. */
static int numbers_line(struct rd *r, struct line *l, const char *key, int count, double *v,
                        const char *why)
{
    int rc = next_line(r, l);
    if (rc < 0) return rc;
    if (rc == 0) return fail_at(r, r->line, 1, "the file ends before '%s'", key);
    if (!word_is(l, 0, key))
        return fail_at(r, l->no, l->col[0], "expected '%s', not '%.*s'", key, (int)l->len[0],
                       l->w[0]);
    if (l->n - 1 != count)
        return fail_at(r, l->no, l->col[l->n - 1 > count ? count + 1 : 0],
                       "'%s' needs %d numbers (%s), not %d", key, count, why, l->n - 1);
    for (int i = 0; i < count; i++) {
        int e = number(r, l, i + 1, &v[i]);
        if (e) return e;
    }
    return 0;
}

static int parse(struct rd *r, struct tsim_policy *p)
{
    struct line l;
    int rc = next_line(r, &l);
    if (rc < 0) return rc;
    if (rc == 0 || !word_is(&l, 0, "twinsim-policy"))
        return fail_at(r, rc ? l.no : 1, rc ? l.col[0] : 1,
                       "a weights file starts with 'twinsim-policy %d'", POLICY_VERSION);
    if (l.n != 2 || !(l.len[1] == 1 && l.w[1][0] == '0' + POLICY_VERSION))
        return fail_at(r, l.no, l.col[l.n > 1 ? 1 : 0],
                       "unsupported weights file version (this twinsim reads 'twinsim-policy %d')",
                       POLICY_VERSION);

    rc = next_line(r, &l);
    if (rc < 0) return rc;
    if (rc == 0) return fail_at(r, r->line, 1, "the file ends before 'model'");
    if (!word_is(&l, 0, "model") || l.n != 2)
        return fail_at(r, l.no, l.col[0], "expected 'model linear' or 'model mlp'");
    if (word_is(&l, 1, "linear"))
        p->kind = POLICY_LINEAR;
    else if (word_is(&l, 1, "mlp"))
        p->kind = POLICY_MLP;
    else
        return fail_at(r, l.no, l.col[1], "unknown model '%.*s' (models: linear, mlp)",
                       (int)l.len[1], l.w[1]);

    rc = next_line(r, &l);
    if (rc < 0) return rc;
    if (rc == 0) return fail_at(r, r->line, 1, "the file ends before 'features'");
    if (!word_is(&l, 0, "features"))
        return fail_at(r, l.no, l.col[0], "expected 'features', not '%.*s'", (int)l.len[0],
                       l.w[0]);
    if (l.n < 2) return fail_at(r, l.no, l.col[0], "'features' names at least one feature");
    p->feat_line = l.no;
    if (l.n - 1 > TSIM__PF_COUNT)
        return fail_at(r, l.no, l.col[TSIM__PF_COUNT + 1], "more than the %d features there are",
                       TSIM__PF_COUNT);
    for (int i = 1; i < l.n; i++) {
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(l.len[i] < 31 ? l.len[i] : 31), l.w[i]);
        int f = -1;
        for (int k = 0; k < TSIM__PF_COUNT; k++)
            if (word_is(&l, i, pfeat_names[k])) f = k;
        if (f < 0) {
            const char *best = tsim__closest_name(name, pfeat_names, TSIM__PF_COUNT);
            if (best)
                return fail_at(r, l.no, l.col[i], "unknown feature '%s' (did you mean '%s'?)",
                               name, best);
            return fail_at(r, l.no, l.col[i], "unknown feature '%s' (features: proc, due, slack, "
                           "work, ops, wait, job_work, share, next_proc, mach_work, next_work, "
                           "next_free, next_queue; at a route: queue, busy, backlog, util, "
                           "index)", name);
        }
        for (int k = 0; k < p->nf; k++)
            if (p->feat[k] == f)
                return fail_at(r, l.no, l.col[i], "feature '%s' is named twice", name);
        p->feat_col[p->nf] = l.col[i];
        p->feat[p->nf++] = f;
    }

    char why[64];
    snprintf(why, sizeof why, "one per feature");
    rc = numbers_line(r, &l, "mean", p->nf, p->mean, why);
    if (rc) return rc;
    rc = numbers_line(r, &l, "scale", p->nf, p->scale, why);
    if (rc) return rc;
    for (int i = 0; i < p->nf; i++)
        if (!(p->scale[i] > 0))
            return fail_at(r, l.no, l.col[i + 1], "a scale must be greater than 0");

    if (p->kind == POLICY_LINEAR) {
        p->np = (size_t)p->nf;
        p->w = tsim__calloc(p->np, sizeof *p->w);
        rc = numbers_line(r, &l, "weights", p->nf, p->w, why);
        if (rc) return rc;
    } else {
        rc = next_line(r, &l);
        if (rc < 0) return rc;
        if (rc == 0) return fail_at(r, r->line, 1, "the file ends before 'hidden'");
        double h;
        if (!word_is(&l, 0, "hidden") || l.n != 2)
            return fail_at(r, l.no, l.col[0], "expected 'hidden' and the number of hidden units");
        rc = number(r, &l, 1, &h);
        if (rc) return rc;
        if (h != floor(h) || h < 1 || h > POLICY_MAX_HIDDEN)
            return fail_at(r, l.no, l.col[1], "'hidden' must be a whole number from 1 to %d",
                           POLICY_MAX_HIDDEN);
        p->hidden = (int)h;
        p->np = (size_t)p->hidden * (size_t)(p->nf + 2);
        p->w = tsim__calloc(p->np, sizeof *p->w);
        snprintf(why, sizeof why, "a bias and a weight per feature");
        for (int u = 0; u < p->hidden; u++) {
            rc = numbers_line(r, &l, "unit", p->nf + 1, p->w + (size_t)u * (size_t)(p->nf + 1),
                              why);
            if (rc) return rc;
        }
        snprintf(why, sizeof why, "one per hidden unit");
        rc = numbers_line(r, &l, "output", p->hidden,
                          p->w + (size_t)p->hidden * (size_t)(p->nf + 1), why);
        if (rc) return rc;
    }
    rc = next_line(r, &l);
    if (rc < 0) return rc;
    if (rc == 1)
        return fail_at(r, l.no, l.col[0], "unexpected '%.*s' after the last weights",
                       (int)l.len[0], l.w[0]);
    return 0;
}

void tsim_policy_destroy(struct tsim_policy *p)
{
    if (!p) return;
    tsim__free(p->w);
    tsim__free(p->name);
    tsim__free(p);
}

int tsim_policy_parse(const char *name, const char *text, size_t len, struct tsim_policy **out)
{
    *out = NULL;
    struct rd r = {.name = name ? name : "<policy>", .p = text, .end = text + len};
    struct tsim_policy *p = tsim__calloc(1, sizeof *p);
    int rc = parse(&r, p);
    if (rc != 0) {
        tsim_policy_destroy(p);
        return rc;
    }
    p->name = tsim__strdup(r.name);
    *out = p;
    return 0;
}

int tsim_policy_read(const char *path, struct tsim_policy **out)
{
    *out = NULL;
    char *text, err[256];
    size_t len;
    int r = tsim__read_file(path, POLICY_MAX_FILE, &text, &len, err, sizeof err);
    if (r != 0) return tsim__fail(r, "tsim_policy_read", "%s", err);
    r = tsim_policy_parse(path, text, len, out);
    tsim__free(text);
    return r;
}

size_t tsim_policy_params(const struct tsim_policy *p) { return p->np; }

int tsim_policy_set_params(struct tsim_policy *p, const double *w, size_t n)
{
    if (n != p->np)
        return tsim__fail(TSIM_EINVAL, "tsim_policy_set_params", "%zu parameters given; the "
                          "policy has %zu", n, p->np);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(w[i]))
            return tsim__fail(TSIM_EINVAL, "tsim_policy_set_params", "parameter %zu is not "
                              "finite", i);
    memcpy(p->w, w, n * sizeof *w);
    return 0;
}

int tsim__policy_require(const struct tsim_policy *p, unsigned given, const char *where,
                         char *err, size_t errlen)
{
    for (int i = 0; i < p->nf; i++) {
        if (given & (1u << p->feat[i])) continue;
        char list[160] = "";
        size_t n = 0;
        for (int f = 0; f < TSIM__PF_COUNT && n < sizeof list; f++)
            if (given & (1u << f))
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "",
                                      pfeat_names[f]);
        snprintf(err, errlen, "%s:%d:%d: error: feature '%s' is not known at %s (it gives %s)",
                 p->name, p->feat_line, p->feat_col[i], pfeat_names[p->feat[i]], where, list);
        return TSIM_EPARSE;
    }
    return 0;
}
