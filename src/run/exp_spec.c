/*
 * Experiment files: parse the YAML of `twinsim experiment` / `optimize` into a struct tsim__xspec.
 * Only syntax and shape are checked here (every problem collected with its line and column);
 * names are bound to the model's parameters and KPIs later, in tsim__xrun_init, because only the
 * model knows them.
 */
#include "run/experiment.h"

#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* libfyaml reports a syntax error as text ("SOURCE:LINE:COL: error: MESSAGE"); turn each into a
 * diagnostic. (Its collect-errors mode would give them as structs, but leaks them in 0.7.) */
static void yaml_error(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    struct tsim_diags *d = user;
    const char *tag = memmem(buf, len, ": error: ", 9);
    if (!tag) return;
    const char *msg = tag + 9, *end = memchr(msg, '\n', len - (size_t)(msg - buf));
    if (!end) end = buf + len;
    /* Walk back over ":COL" and ":LINE". */
    const char *p = tag;
    int nums[2] = {0, 0};
    for (int k = 1; k >= 0; k--) {
        const char *q = p;
        while (q > buf && isdigit((unsigned char)q[-1])) q--;
        if (q == p || q == buf || q[-1] != ':') break;
        nums[k] = atoi(q);
        p = q - 1;
    }
    tsim_diags_add(d, TSIM_ERROR, nums[0], nums[1], "%.*s", (int)(end - msg), msg);
}

/* libfyaml marks tokens, not nodes: a collection is placed at its first scalar. */
static void mark_of(struct fy_node *n, int *line, int *col)
{
    for (int depth = 0; n && fy_node_get_type(n) != FYNT_SCALAR && depth < 64; depth++) {
        void *it = NULL;
        if (fy_node_get_type(n) == FYNT_MAPPING) {
            struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
            n = p ? fy_node_pair_key(p) : NULL;
        } else {
            n = fy_node_sequence_iterate(n, &it);
        }
    }
    struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    *line = m ? m->line + 1 : 0;
    *col = m ? m->column + 1 : 0;
}

#define ERR_AT(d, node, ...)                                                 \
    do {                                                                     \
        int l_, c_;                                                          \
        mark_of((node), &l_, &c_);                                           \
        tsim_diags_add((d), TSIM_ERROR, l_, c_, __VA_ARGS__);                \
    } while (0)

static const char *scalar(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar0(n) : NULL;
}

static int parse_number(const char *t, double *out)
{
    char *end;
    if (!t || !*t) return -1;
    errno = 0;
    double v = strtod(t, &end);
    while (isspace((unsigned char)*end)) end++;
    if (*end || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int parse_int_node(struct fy_node *n, struct tsim_diags *d, const char *what, long lo,
                          long hi, int *out)
{
    double v;
    const char *t = scalar(n);
    if (!t || parse_number(t, &v) != 0 || v != floor(v)) {
        ERR_AT(d, n, "'%s' must be an integer", what);
        return -1;
    }
    if (v < lo || v > hi) {
        ERR_AT(d, n, "'%s' must be between %ld and %ld", what, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_bool_node(struct fy_node *n, struct tsim_diags *d, const char *what, int *out)
{
    const char *t = scalar(n);
    if (t && (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "on"))) *out = 1;
    else if (t && (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "off"))) *out = 0;
    else {
        ERR_AT(d, n, "'%s' must be true or false", what);
        return -1;
    }
    return 0;
}

/* Percent ("1%") or fraction ("0.01"). */
static int parse_rel(const char *t, double *out)
{
    char buf[64];
    size_t len = t ? strlen(t) : 0;
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, t, len + 1);
    double scale = 1;
    if (buf[len - 1] == '%') {
        buf[len - 1] = 0;
        scale = 0.01;
    }
    if (parse_number(buf, out) != 0) return -1;
    *out *= scale;
    return *out > 0 ? 0 : -1;
}

/* ---- expressions: constant + sum of coef * name --------------------------------------- */

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_' || c == '.' || c == '-'; }

static void skip_ws(const char **p)
{
    while (isspace((unsigned char)**p)) (*p)++;
}

static int read_num(const char **p, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(*p, &end);
    if (end == *p || errno == ERANGE) return -1;
    *p = end;
    return 0;
}

int tsim__xexpr_parse(struct tsim__expr *e, const char *text, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    e->text = tsim__strdup(text);
    const char *p = text;
    int cap = 0;
    skip_ws(&p);
    if (!*p) {
        snprintf(err, errlen, "empty expression");
        return -1;
    }
    for (int first = 1;; first = 0) {
        double sign = 1;
        skip_ws(&p);
        if (*p == '+' || *p == '-') {
            sign = *p == '-' ? -1 : 1;
            p++;
            skip_ws(&p);
        } else if (!first) {
            snprintf(err, errlen, "expected '+' or '-' at '%s'", p);
            return -1;
        }
        double coef = 1;
        int have_num = 0;
        if (isdigit((unsigned char)*p) || *p == '.') {
            if (read_num(&p, &coef) != 0) {
                snprintf(err, errlen, "bad number at '%s'", p);
                return -1;
            }
            have_num = 1;
            skip_ws(&p);
            if (*p == '*') {
                p++;
                skip_ws(&p);
            } else if (!is_name_start((unsigned char)*p)) {
                e->constant += sign * coef;
                skip_ws(&p);
                if (!*p) break;
                continue;
            }
        }
        if (!is_name_start((unsigned char)*p)) {
            snprintf(err, errlen, "expected a name at '%s'", *p ? p : "end");
            return -1;
        }
        const char *s = p;
        while (is_name_char((unsigned char)*p)) p++;
        size_t len = (size_t)(p - s);
        skip_ws(&p);
        if (*p == '*' && !have_num) {
            p++;
            skip_ws(&p);
            if (read_num(&p, &coef) != 0) {
                snprintf(err, errlen, "expected a number after '*'");
                return -1;
            }
            skip_ws(&p);
        }
        if (e->n == cap) {
            cap = cap ? 2 * cap : 4;
            e->terms = tsim__realloc(e->terms, (size_t)cap * sizeof *e->terms);
        }
        struct tsim__term *t = &e->terms[e->n++];
        t->coef = sign * coef;
        t->kind = TSIM__TERM_KPI;
        t->index = -1;
        t->name = tsim__malloc(len + 1);
        memcpy(t->name, s, len);
        t->name[len] = 0;
        if (!*p) break;
    }
    if (e->n == 0) {
        snprintf(err, errlen, "the expression names no KPI");
        return -1;
    }
    return 0;
}

void tsim__xexpr_release(struct tsim__expr *e)
{
    for (int i = 0; i < e->n; i++) tsim__free(e->terms[i].name);
    tsim__free(e->terms);
    tsim__free(e->text);
    memset(e, 0, sizeof *e);
}

/* ---- sections ------------------------------------------------------------------------- */

static char *fmt_num(double v)
{
    char buf[40];
    tsim__x_fmt_double(buf, sizeof buf, v);
    return tsim__strdup(buf);
}

static void parse_factor(struct tsim__xspec *s, struct fy_node *key, struct fy_node *val,
                         struct tsim_diags *d)
{
    const char *name = scalar(key);
    if (!name || !*name) {
        ERR_AT(d, key, "a factor name must be a parameter path such as 'filler.process'");
        return;
    }
    for (int i = 0; i < s->nfactors; i++) {
        if (!strcmp(s->factors[i].path, name)) {
            ERR_AT(d, key, "factor '%s' is given twice", name);
            return;
        }
    }
    if (s->nfactors == TSIM__X_MAX_FACTORS) {
        ERR_AT(d, key, "too many factors (at most %d)", TSIM__X_MAX_FACTORS);
        return;
    }
    struct tsim__factor f = {0};
    mark_of(key, &f.line, &f.col);
    if (fy_node_get_type(val) == FYNT_SEQUENCE) {
        f.kind = TSIM__FACTOR_LIST;
        int n = fy_node_sequence_item_count(val);
        if (n <= 0) {
            ERR_AT(d, key, "factor '%s' has no values", name);
            return;
        }
        f.values = tsim__calloc((size_t)n, sizeof *f.values);
        void *it = NULL;
        struct fy_node *v;
        while ((v = fy_node_sequence_iterate(val, &it))) {
            const char *t = scalar(v);
            if (!t || !*t) {
                ERR_AT(d, v, "a value of factor '%s' must be a number or a text", name);
                continue;
            }
            f.values[f.nvalues++] = tsim__strdup(t);
        }
    } else if (fy_node_get_type(val) == FYNT_MAPPING) {
        double lo = NAN, hi = NAN, step = 0;
        int ok = 1, has_step = 0;
        void *it = NULL;
        struct fy_node_pair *pr;
        while ((pr = fy_node_mapping_iterate(val, &it))) {
            const char *k = scalar(fy_node_pair_key(pr));
            struct fy_node *v = fy_node_pair_value(pr);
            double x;
            if (k && !strcmp(k, "format")) {
                /* "exponential({})": the number goes where {} is, so a range can vary a
                 * distribution's parameter. */
                const char *t = scalar(v);
                if (!t || !strstr(t, "{}") || strstr(strstr(t, "{}") + 2, "{}")) {
                    ERR_AT(d, v, "'format' of factor '%s' must hold '{}' once, as in "
                           "'exponential({})'", name);
                    ok = 0;
                    continue;
                }
                tsim__free(f.format);
                f.format = tsim__strdup(t);
                continue;
            }
            if (!k || (strcmp(k, "from") && strcmp(k, "to") && strcmp(k, "step"))) {
                ERR_AT(d, fy_node_pair_key(pr), "unknown key '%s' in factor '%s' (expected 'from', "
                       "'to', 'step', 'format')", k ? k : "?", name);
                ok = 0;
                continue;
            }
            if (parse_number(scalar(v), &x) != 0) {
                ERR_AT(d, v, "'%s' of factor '%s' must be a number", k, name);
                ok = 0;
                continue;
            }
            if (!strcmp(k, "from")) lo = x;
            else if (!strcmp(k, "to")) hi = x;
            else step = x, has_step = 1;
        }
        if (!ok) {
            tsim__free(f.format);
            return;
        }
        if (isnan(lo) || isnan(hi)) {
            ERR_AT(d, val, "factor '%s' needs both 'from' and 'to'", name);
            return;
        }
        if (hi < lo) {
            ERR_AT(d, val, "factor '%s' has an empty range: 'from' %g is above 'to' %g", name, lo,
                   hi);
            return;
        }
        if (has_step && !(step > 0)) {
            /* A step of 0 would never reach 'to'. */
            ERR_AT(d, val, "'step' of factor '%s' must be above 0, got %g", name, step);
            tsim__free(f.format);
            return;
        }
        int integral = lo == floor(lo) && hi == floor(hi) && (step == 0 || step == floor(step));
        f.kind = integral ? TSIM__FACTOR_INT : TSIM__FACTOR_REAL;
        f.lo = lo;
        f.hi = hi;
        f.step = integral && step == 0 ? 1 : step;
        if (f.kind == TSIM__FACTOR_REAL && step > 0) {
            /* A stepped real range is a list: enumerate it once here. */
            double cnt = floor((hi - lo) / step + 1e-9) + 1;
            if (cnt > 100000) {
                ERR_AT(d, val, "factor '%s' has too many steps", name);
                return;
            }
            f.kind = TSIM__FACTOR_LIST;
            f.nvalues = (int)cnt;
            f.values = tsim__calloc((size_t)f.nvalues, sizeof *f.values);
            for (int i = 0; i < f.nvalues; i++) f.values[i] = fmt_num(lo + i * step);
        } else if (f.kind == TSIM__FACTOR_INT && (hi - lo) / f.step > 1e6) {
            ERR_AT(d, val, "factor '%s' has too many values", name);
            return;
        }
    } else {
        const char *t = scalar(val);
        if (!t || !*t) {
            ERR_AT(d, val, "factor '%s' has no values", name);
            return;
        }
        /* One value: the factor is fixed, which is still worth allowing (a base override). */
        f.kind = TSIM__FACTOR_LIST;
        f.nvalues = 1;
        f.values = tsim__calloc(1, sizeof *f.values);
        f.values[0] = tsim__strdup(t);
    }
    f.path = tsim__strdup(name);
    s->factors[s->nfactors++] = f;
}

static void parse_replications(struct tsim__xspec *s, struct fy_node *val, struct tsim_diags *d)
{
    if (fy_node_get_type(val) == FYNT_SCALAR) {
        int n;
        if (parse_int_node(val, d, "replications", 2, TSIM__X_MAX_REPS, &n) == 0)
            s->rep_min = s->rep_max = n;
        return;
    }
    if (fy_node_get_type(val) != FYNT_MAPPING) {
        ERR_AT(d, val, "'replications' must be a number or {min, max, until}");
        return;
    }
    int have_max = 0;
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(val, &it))) {
        const char *k = scalar(fy_node_pair_key(pr));
        struct fy_node *v = fy_node_pair_value(pr);
        if (k && !strcmp(k, "min")) {
            parse_int_node(v, d, "min", 2, TSIM__X_MAX_REPS, &s->rep_min);
        } else if (k && !strcmp(k, "max")) {
            if (parse_int_node(v, d, "max", 2, TSIM__X_MAX_REPS, &s->rep_max) == 0) have_max = 1;
        } else if (k && !strcmp(k, "until")) {
            if (fy_node_get_type(v) != FYNT_MAPPING) {
                ERR_AT(d, v, "'until' must map KPIs to relative half-widths ('system.throughput: 1%%')");
                continue;
            }
            void *it2 = NULL;
            struct fy_node_pair *p2;
            while ((p2 = fy_node_mapping_iterate(v, &it2))) {
                const char *kk = scalar(fy_node_pair_key(p2));
                double rel;
                char err[160];
                if (parse_rel(scalar(fy_node_pair_value(p2)), &rel) != 0) {
                    ERR_AT(d, fy_node_pair_value(p2),
                           "target of '%s' must be a positive relative half-width such as '1%%'",
                           kk ? kk : "?");
                    continue;
                }
                s->until = tsim__realloc(s->until, (size_t)(s->nuntil + 1) * sizeof *s->until);
                struct tsim__until *u = &s->until[s->nuntil];
                if (tsim__xexpr_parse(&u->what, kk ? kk : "", err, sizeof err) != 0) {
                    ERR_AT(d, fy_node_pair_key(p2), "bad KPI '%s': %s", kk ? kk : "", err);
                    tsim__xexpr_release(&u->what);
                    continue;
                }
                u->rel = rel;
                s->nuntil++;
            }
        } else {
            ERR_AT(d, fy_node_pair_key(pr), "unknown key '%s' in 'replications' (expected 'min', "
                   "'max', 'until')", k ? k : "?");
        }
    }
    if (!have_max) s->rep_max = s->nuntil ? 100 * s->rep_min : s->rep_min;
    if (s->rep_max < s->rep_min)
        ERR_AT(d, val, "'replications' max %d is below min %d", s->rep_max, s->rep_min);
}

static int parse_constraint(struct tsim__constraint *c, const char *text, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    const char *op = NULL;
    int oplen = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '<' || *p == '>') {
            op = p;
            oplen = p[1] == '=' ? 2 : 1;
            c->op = *p == '<' ? TSIM__LE : TSIM__GE;
            break;
        }
    }
    if (!op) {
        snprintf(err, errlen, "expected 'KPI <= VALUE' or 'KPI >= VALUE'");
        return -1;
    }
    size_t llen = (size_t)(op - text);
    while (llen && isspace((unsigned char)text[llen - 1])) llen--;
    char *lhs = tsim__malloc(llen + 1);
    memcpy(lhs, text, llen);
    lhs[llen] = 0;
    int rc = tsim__xexpr_parse(&c->lhs, lhs, err, errlen);
    tsim__free(lhs);
    if (rc != 0) return -1;
    const char *b = op + oplen;
    while (isspace((unsigned char)*b)) b++;
    size_t blen = strlen(b);
    while (blen && isspace((unsigned char)b[blen - 1])) blen--;
    if (!blen) {
        snprintf(err, errlen, "missing bound after the comparison");
        return -1;
    }
    c->bound_text = tsim__malloc(blen + 1);
    memcpy(c->bound_text, b, blen);
    c->bound_text[blen] = 0;
    return 0;
}

static void parse_objective(struct tsim__xspec *s, struct fy_node *val, struct tsim_diags *d)
{
    if (fy_node_get_type(val) != FYNT_MAPPING) {
        ERR_AT(d, val, "'objective' must be {maximize: KPI} or {minimize: KPI}, with 'subject_to'");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *pr;
    char err[200];
    while ((pr = fy_node_mapping_iterate(val, &it))) {
        const char *k = scalar(fy_node_pair_key(pr));
        struct fy_node *v = fy_node_pair_value(pr);
        if (k && (!strcmp(k, "maximize") || !strcmp(k, "minimize"))) {
            if (s->has_objective) {
                ERR_AT(d, fy_node_pair_key(pr), "only one of 'maximize' and 'minimize' may be given");
                continue;
            }
            const char *t = scalar(v);
            if (!t || tsim__xexpr_parse(&s->objective, t, err, sizeof err) != 0) {
                ERR_AT(d, v, "bad objective '%s': %s", t ? t : "", t ? err : "not a text");
                tsim__xexpr_release(&s->objective);
                continue;
            }
            s->has_objective = 1;
            s->maximize = k[1] == 'a';
            mark_of(v, &s->obj_line, &s->obj_col);
        } else if (k && !strcmp(k, "subject_to")) {
            if (fy_node_get_type(v) != FYNT_SEQUENCE) {
                ERR_AT(d, v, "'subject_to' must be a list of constraints such as 'x.wait <= 5min'");
                continue;
            }
            void *it2 = NULL;
            struct fy_node *cn;
            while ((cn = fy_node_sequence_iterate(v, &it2))) {
                const char *t = scalar(cn);
                struct tsim__constraint c;
                if (!t || parse_constraint(&c, t, err, sizeof err) != 0) {
                    ERR_AT(d, cn, "bad constraint '%s': %s", t ? t : "", t ? err : "not a text");
                    if (t) {
                        tsim__xexpr_release(&c.lhs);
                        tsim__free(c.bound_text);
                    }
                    continue;
                }
                mark_of(cn, &c.line, &c.col);
                s->cons = tsim__realloc(s->cons, (size_t)(s->ncons + 1) * sizeof *s->cons);
                s->cons[s->ncons++] = c;
            }
        } else {
            ERR_AT(d, fy_node_pair_key(pr), "unknown key '%s' in 'objective' (expected 'maximize', "
                   "'minimize', 'subject_to')", k ? k : "?");
        }
    }
    if (!s->has_objective) ERR_AT(d, val, "'objective' needs 'maximize' or 'minimize'");
}

static void parse_design(struct tsim__xspec *s, struct fy_node *val, struct tsim_diags *d)
{
    const char *t = scalar(val);
    if (t && !strcmp(t, "full")) {
        s->design = TSIM__DESIGN_FULL;
    } else if (t && !strcmp(t, "lhs")) {
        s->design = TSIM__DESIGN_LHS;
    } else if (fy_node_get_type(val) == FYNT_MAPPING) {
        void *it = NULL;
        struct fy_node_pair *pr;
        while ((pr = fy_node_mapping_iterate(val, &it))) {
            const char *k = scalar(fy_node_pair_key(pr));
            if (k && !strcmp(k, "lhs")) {
                s->design = TSIM__DESIGN_LHS;
                parse_int_node(fy_node_pair_value(pr), d, "lhs", 1, TSIM__X_MAX_SCENARIOS,
                               &s->lhs_n);
            } else if (k && !strcmp(k, "n")) {
                parse_int_node(fy_node_pair_value(pr), d, "n", 1, TSIM__X_MAX_SCENARIOS,
                               &s->lhs_n);
            } else if (k && !strcmp(k, "type")) {
                parse_design(s, fy_node_pair_value(pr), d);
            } else {
                ERR_AT(d, fy_node_pair_key(pr), "unknown key '%s' in 'design'", k ? k : "?");
            }
        }
    } else {
        ERR_AT(d, val, "unknown design '%s' (expected 'full' or 'lhs')", t ? t : "?");
    }
}

static void parse_optimize(struct tsim__xspec *s, struct fy_node *val, struct tsim_diags *d)
{
    if (fy_node_get_type(val) != FYNT_MAPPING) {
        ERR_AT(d, val, "'optimize' must be {budget, initial, replications}");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(val, &it))) {
        const char *k = scalar(fy_node_pair_key(pr));
        struct fy_node *v = fy_node_pair_value(pr);
        if (k && !strcmp(k, "budget")) parse_int_node(v, d, "budget", 2, TSIM__X_MAX_REPS, &s->budget);
        else if (k && !strcmp(k, "initial")) parse_int_node(v, d, "initial", 1, 10000, &s->initial);
        else if (k && !strcmp(k, "replications"))
            parse_int_node(v, d, "replications", 2, 10000, &s->opt_reps);
        else ERR_AT(d, fy_node_pair_key(pr), "unknown key '%s' in 'optimize' (expected 'budget', "
                    "'initial', 'replications')", k ? k : "?");
    }
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return tsim__strdup(".");
    size_t n = (size_t)(slash - path);
    if (n == 0) n = 1;
    char *s = tsim__malloc(n + 1);
    memcpy(s, path, n);
    s[n] = 0;
    return s;
}

int tsim__xspec_parse(struct tsim__xspec *s, const char *text, size_t len, const char *file,
                      struct tsim_diags *d)
{
    memset(s, 0, sizeof *s);
    s->file = tsim__strdup(file ? file : "<experiment>");
    s->dir = dir_of(s->file);
    s->crn = 1;
    s->rep_min = s->rep_max = 10;
    s->text_hash = tsim__x_hash(1469598103934665603ull, text, len);
    size_t errors0 = d->errors;

    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = yaml_error;
    dc.user = d;
    dc.colorize = false;
    dc.show_source = false;
    dc.show_position = true;
    dc.show_type = true;
    dc.show_module = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (!diag) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "cannot start the YAML parser");
        return TSIM_EPARSE;
    }
    struct fy_parse_cfg pc;
    memset(&pc, 0, sizeof pc);
    pc.flags = FYPCF_QUIET;
    pc.diag = diag;
    struct fy_parser *fyp = fy_parser_create(&pc);
    struct fy_document *doc = NULL;
    if (fyp && fy_parser_set_string(fyp, text, len) == 0) doc = fy_parse_load_document(fyp);
    if (!doc || fy_diag_got_error(diag)) {
        if (d->errors == errors0) tsim_diags_add(d, TSIM_ERROR, 0, 0, "not a YAML document");
        if (doc) fy_parse_document_destroy(fyp, doc);
        if (fyp) fy_parser_destroy(fyp);
        fy_diag_destroy(diag);
        return TSIM_EPARSE;
    }
    struct fy_node *root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        tsim_diags_add(d, TSIM_ERROR, 1, 1, "an experiment file must be a mapping with 'model' "
                       "and 'factors'");
        fy_parse_document_destroy(fyp, doc);
        fy_parser_destroy(fyp);
        fy_diag_destroy(diag);
        return TSIM_EPARSE;
    }
    int have_model = 0, have_factors = 0;
    int n_given = 0;
    struct fy_node *n_node = NULL;
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *key = fy_node_pair_key(pr), *val = fy_node_pair_value(pr);
        const char *k = scalar(key);
        if (!k) {
            ERR_AT(d, key, "keys must be plain names");
        } else if (!strcmp(k, "model")) {
            const char *t = scalar(val);
            if (!t || !*t) {
                ERR_AT(d, val, "'model' must be the path of a model file");
                continue;
            }
            have_model = 1;
            if (t[0] == '/') {
                s->model_path = tsim__strdup(t);
            } else {
                size_t n = strlen(s->dir) + strlen(t) + 2;
                s->model_path = tsim__malloc(n);
                snprintf(s->model_path, n, "%s/%s", s->dir, t);
            }
        } else if (!strcmp(k, "factors")) {
            have_factors = 1;
            if (fy_node_get_type(val) != FYNT_MAPPING) {
                ERR_AT(d, val, "'factors' must map parameter paths to values");
                continue;
            }
            void *it2 = NULL;
            struct fy_node_pair *p2;
            while ((p2 = fy_node_mapping_iterate(val, &it2)))
                parse_factor(s, fy_node_pair_key(p2), fy_node_pair_value(p2), d);
            if (fy_node_mapping_item_count(val) == 0) ERR_AT(d, val, "'factors' is empty");
        } else if (!strcmp(k, "design")) {
            parse_design(s, val, d);
        } else if (!strcmp(k, "n")) {
            n_node = val;
            if (parse_int_node(val, d, "n", 1, TSIM__X_MAX_SCENARIOS, &n_given) != 0) n_given = 0;
        } else if (!strcmp(k, "replications")) {
            parse_replications(s, val, d);
        } else if (!strcmp(k, "common_random_numbers")) {
            parse_bool_node(val, d, "common_random_numbers", &s->crn);
        } else if (!strcmp(k, "objective")) {
            parse_objective(s, val, d);
        } else if (!strcmp(k, "seed")) {
            double v;
            if (parse_number(scalar(val), &v) != 0 || v < 0 || v != floor(v) || v > 9e15) {
                ERR_AT(d, val, "'seed' must be a non-negative integer");
                continue;
            }
            s->has_seed = 1;
            s->seed = (uint64_t)v;
        } else if (!strcmp(k, "horizon") || !strcmp(k, "warmup")) {
            /* Durations need the model's time unit: keep the text, convert when binding. */
            const char *t = scalar(val);
            if (!t) {
                ERR_AT(d, val, "'%s' must be a duration such as '8h'", k);
                continue;
            }
            if (k[0] == 'h') s->has_horizon = 1;
            else s->has_warmup = 1;
            char **dst = k[0] == 'h' ? &s->horizon_text : &s->warmup_text;
            tsim__free(*dst);
            *dst = tsim__strdup(t);
        } else if (!strcmp(k, "optimize")) {
            parse_optimize(s, val, d);
        } else {
            ERR_AT(d, key, "unknown key '%s' (expected 'model', 'factors', 'design', 'n', "
                   "'replications', 'common_random_numbers', 'objective', 'seed', 'horizon', "
                   "'warmup', 'optimize')", k);
        }
    }
    if (!have_model) tsim_diags_add(d, TSIM_ERROR, 1, 1, "missing 'model'");
    if (!have_factors) tsim_diags_add(d, TSIM_ERROR, 1, 1, "missing 'factors'");
    if (n_given) {
        if (s->design != TSIM__DESIGN_LHS) ERR_AT(d, n_node, "'n' applies only to design 'lhs'");
        else if (!s->lhs_n) s->lhs_n = n_given;
    }
    if (s->design == TSIM__DESIGN_LHS && !s->lhs_n)
        tsim_diags_add(d, TSIM_ERROR, 1, 1, "design 'lhs' needs 'n' (the number of scenarios)");
    fy_parse_document_destroy(fyp, doc);
    fy_parser_destroy(fyp);
    fy_diag_destroy(diag);
    return d->errors > errors0 ? TSIM_EPARSE : 0;
}

int tsim__xspec_load(struct tsim__xspec *s, const char *path, struct tsim_diags *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(s, 0, sizeof *s);
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        return TSIM_EIO;
    }
    char *buf = tsim__malloc(TSIM__X_MAX_FILE + 1);
    size_t n = fread(buf, 1, TSIM__X_MAX_FILE + 1, f);
    fclose(f);
    if (n > TSIM__X_MAX_FILE) {
        memset(s, 0, sizeof *s);
        tsim__free(buf);
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "experiment file '%s' is larger than %u bytes", path,
                       TSIM__X_MAX_FILE);
        return TSIM_ELIMIT;
    }
    buf[n] = 0;
    int rc = tsim__xspec_parse(s, buf, n, path, d);
    tsim__free(buf);
    return rc;
}

void tsim__xspec_release(struct tsim__xspec *s)
{
    for (int i = 0; i < s->nfactors; i++) {
        struct tsim__factor *f = &s->factors[i];
        for (int j = 0; j < f->nvalues; j++) tsim__free(f->values[j]);
        tsim__free(f->values);
        tsim__free(f->path);
        tsim__free(f->format);
    }
    for (int i = 0; i < s->nuntil; i++) tsim__xexpr_release(&s->until[i].what);
    tsim__free(s->until);
    for (int i = 0; i < s->ncons; i++) {
        tsim__xexpr_release(&s->cons[i].lhs);
        tsim__free(s->cons[i].bound_text);
    }
    tsim__free(s->cons);
    tsim__xexpr_release(&s->objective);
    tsim__free(s->horizon_text);
    tsim__free(s->warmup_text);
    tsim__free(s->model_path);
    tsim__free(s->dir);
    tsim__free(s->file);
    memset(s, 0, sizeof *s);
}
