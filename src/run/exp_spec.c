/*
 * Experiment files: parse the YAML of `twinsim experiment` / `optimize` into a struct tsim__xspec.
 * Only syntax and shape are checked here (every problem collected with its line and column);
 * names are bound to the model's parameters and KPIs later, in tsim__xrun_init, because only the
 * model knows them.
 */
#include "run/experiment.h"

#include "core/core.h"
#include "core/names.h"
#include "model/params.h"
#include "model/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ERR_AT(y, node, ...) tsim__yaml_err((y), (node), __VA_ARGS__)

/* The text of scalar `n` (owned by the reader), NULL for anything else. */
static const char *scalar(struct tsim__yaml *y, struct fy_node *n) { return tsim__yaml_str(y, n); }

/* The keys of each mapping of an experiment file, for "unknown key" messages. */
static const char *const top_keys[] = {"model", "factors", "design", "n", "replications",
                                       "common_random_numbers", "objective", "seed", "horizon",
                                       "warmup", "optimize", NULL};
static const char *const range_keys[] = {"from", "to", "step", "format", NULL};
static const char *const replications_keys[] = {"min", "max", "until", NULL};
static const char *const objective_keys[] = {"maximize", "minimize", "subject_to", NULL};
static const char *const design_keys[] = {"lhs", "n", "type", NULL};
static const char *const optimize_keys[] = {"budget", "initial", "replications", NULL};

/* "unknown key 'K' WHERE": with the key it most likely means, or else the keys it may be. */
static void unknown_key(struct tsim__yaml *y, struct fy_node *key, const char *where,
                        const char *const *keys)
{
    const char *k = scalar(y, key);
    const char *sug = k ? tsim__suggest_list(k, keys) : "";
    if (sug[0]) {
        ERR_AT(y, key, "unknown key '%s'%s%s", k, where, sug);
        return;
    }
    char list[400];
    size_t o = 0;
    for (int i = 0; keys[i] && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s'%s'", i ? ", " : "", keys[i]);
    ERR_AT(y, key, "unknown key '%s'%s (expected %s)", k ? k : "?", where, list);
}

/* A finite number, read as model files' numbers are (params.h). */
static int parse_number(const char *t, double *out)
{
    struct tsim__perr e;
    if (!t || tsim__parse_real(t, "a number", out, &e) != 0) return -1;
    return 0;
}

static int parse_int_node(struct fy_node *n, struct tsim__yaml *y, const char *what, long lo,
                          long hi, int *out)
{
    double v;
    const char *t = scalar(y, n);
    if (!t || parse_number(t, &v) != 0 || v != floor(v)) {
        ERR_AT(y, n, "'%s' must be an integer", what);
        return -1;
    }
    if (v < lo || v > hi) {
        ERR_AT(y, n, "'%s' must be between %ld and %ld", what, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_bool_node(struct fy_node *n, struct tsim__yaml *y, const char *what, int *out)
{
    const char *t = scalar(y, n);
    if (t && (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "on"))) *out = 1;
    else if (t && (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "off"))) *out = 0;
    else {
        ERR_AT(y, n, "'%s' must be true or false", what);
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
                         struct tsim__yaml *y)
{
    const char *name = scalar(y, key);
    if (!name || !*name) {
        ERR_AT(y, key, "a factor name must be a parameter path such as 'filler.process'");
        return;
    }
    for (int i = 0; i < s->nfactors; i++) {
        if (!strcmp(s->factors[i].path, name)) {
            ERR_AT(y, key, "factor '%s' is given twice", name);
            return;
        }
    }
    if (s->nfactors == TSIM__X_MAX_FACTORS) {
        ERR_AT(y, key, "too many factors (at most %d)", TSIM__X_MAX_FACTORS);
        return;
    }
    struct tsim__factor f = {0};
    tsim__yaml_pos(key, &f.line, &f.col);
    if (fy_node_get_type(val) == FYNT_SEQUENCE) {
        f.kind = TSIM__FACTOR_LIST;
        int n = fy_node_sequence_item_count(val);
        if (n <= 0) {
            ERR_AT(y, key, "factor '%s' has no values", name);
            return;
        }
        f.values = tsim__calloc((size_t)n, sizeof *f.values);
        void *it = NULL;
        struct fy_node *v;
        while ((v = fy_node_sequence_iterate(val, &it))) {
            const char *t = scalar(y, v);
            if (!t || !*t) {
                ERR_AT(y, v, "a value of factor '%s' must be a number or a text", name);
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
            const char *k = scalar(y, fy_node_pair_key(pr));
            struct fy_node *v = fy_node_pair_value(pr);
            double x;
            if (k && !strcmp(k, "format")) {
                /* "exponential({})": the number goes where {} is, so a range can vary a
                 * distribution's parameter. */
                const char *t = scalar(y, v);
                if (!t || !strstr(t, "{}") || strstr(strstr(t, "{}") + 2, "{}")) {
                    ERR_AT(y, v, "'format' of factor '%s' must hold '{}' once, as in "
                           "'exponential({})'", name);
                    ok = 0;
                    continue;
                }
                tsim__free(f.format);
                f.format = tsim__strdup(t);
                continue;
            }
            if (!k || (strcmp(k, "from") && strcmp(k, "to") && strcmp(k, "step"))) {
                char where[200];
                snprintf(where, sizeof where, " in factor '%s'", name);
                unknown_key(y, fy_node_pair_key(pr), where, range_keys);
                ok = 0;
                continue;
            }
            if (parse_number(scalar(y, v), &x) != 0) {
                ERR_AT(y, v, "'%s' of factor '%s' must be a number", k, name);
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
            ERR_AT(y, val, "factor '%s' needs both 'from' and 'to'", name);
            return;
        }
        if (hi < lo) {
            ERR_AT(y, val, "factor '%s' has an empty range: 'from' %g is above 'to' %g", name, lo,
                   hi);
            return;
        }
        if (has_step && !(step > 0)) {
            /* A step of 0 would never reach 'to'. */
            ERR_AT(y, val, "'step' of factor '%s' must be above 0, got %g", name, step);
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
                ERR_AT(y, val, "factor '%s' has too many steps", name);
                return;
            }
            f.kind = TSIM__FACTOR_LIST;
            f.nvalues = (int)cnt;
            f.values = tsim__calloc((size_t)f.nvalues, sizeof *f.values);
            for (int i = 0; i < f.nvalues; i++) f.values[i] = fmt_num(lo + i * step);
        } else if (f.kind == TSIM__FACTOR_INT && (hi - lo) / f.step > 1e6) {
            ERR_AT(y, val, "factor '%s' has too many values", name);
            return;
        }
    } else {
        const char *t = scalar(y, val);
        if (!t || !*t) {
            ERR_AT(y, val, "factor '%s' has no values", name);
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

static void parse_replications(struct tsim__xspec *s, struct fy_node *val, struct tsim__yaml *y)
{
    if (fy_node_get_type(val) == FYNT_SCALAR) {
        int n;
        if (parse_int_node(val, y, "replications", 2, TSIM__X_MAX_REPS, &n) == 0)
            s->rep_min = s->rep_max = n;
        return;
    }
    if (fy_node_get_type(val) != FYNT_MAPPING) {
        ERR_AT(y, val, "'replications' must be a number or {min, max, until}");
        return;
    }
    int have_max = 0;
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(val, &it))) {
        const char *k = scalar(y, fy_node_pair_key(pr));
        struct fy_node *v = fy_node_pair_value(pr);
        if (k && !strcmp(k, "min")) {
            parse_int_node(v, y, "min", 2, TSIM__X_MAX_REPS, &s->rep_min);
        } else if (k && !strcmp(k, "max")) {
            if (parse_int_node(v, y, "max", 2, TSIM__X_MAX_REPS, &s->rep_max) == 0) have_max = 1;
        } else if (k && !strcmp(k, "until")) {
            if (fy_node_get_type(v) != FYNT_MAPPING) {
                ERR_AT(y, v, "'until' must map KPIs to relative half-widths ('system.throughput: 1%%')");
                continue;
            }
            void *it2 = NULL;
            struct fy_node_pair *p2;
            while ((p2 = fy_node_mapping_iterate(v, &it2))) {
                const char *kk = scalar(y, fy_node_pair_key(p2));
                double rel;
                char err[160];
                if (parse_rel(scalar(y, fy_node_pair_value(p2)), &rel) != 0) {
                    ERR_AT(y, fy_node_pair_value(p2),
                           "target of '%s' must be a positive relative half-width such as '1%%'",
                           kk ? kk : "?");
                    continue;
                }
                s->until = tsim__realloc(s->until, (size_t)(s->nuntil + 1) * sizeof *s->until);
                struct tsim__until *u = &s->until[s->nuntil];
                if (tsim__xexpr_parse(&u->what, kk ? kk : "", err, sizeof err) != 0) {
                    ERR_AT(y, fy_node_pair_key(p2), "bad KPI '%s': %s", kk ? kk : "", err);
                    tsim__xexpr_release(&u->what);
                    continue;
                }
                u->rel = rel;
                s->nuntil++;
            }
        } else {
            unknown_key(y, fy_node_pair_key(pr), " in 'replications'", replications_keys);
        }
    }
    if (!have_max) s->rep_max = s->nuntil ? 100 * s->rep_min : s->rep_min;
    if (s->rep_max < s->rep_min)
        ERR_AT(y, val, "'replications' max %d is below min %d", s->rep_max, s->rep_min);
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

static void parse_objective(struct tsim__xspec *s, struct fy_node *val, struct tsim__yaml *y)
{
    if (fy_node_get_type(val) != FYNT_MAPPING) {
        ERR_AT(y, val, "'objective' must be {maximize: KPI} or {minimize: KPI}, with 'subject_to'");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *pr;
    char err[200];
    while ((pr = fy_node_mapping_iterate(val, &it))) {
        const char *k = scalar(y, fy_node_pair_key(pr));
        struct fy_node *v = fy_node_pair_value(pr);
        if (k && (!strcmp(k, "maximize") || !strcmp(k, "minimize"))) {
            if (s->has_objective) {
                ERR_AT(y, fy_node_pair_key(pr), "only one of 'maximize' and 'minimize' may be given");
                continue;
            }
            const char *t = scalar(y, v);
            if (!t || tsim__xexpr_parse(&s->objective, t, err, sizeof err) != 0) {
                ERR_AT(y, v, "bad objective '%s': %s", t ? t : "", t ? err : "not a text");
                tsim__xexpr_release(&s->objective);
                continue;
            }
            s->has_objective = 1;
            s->maximize = k[1] == 'a';
            tsim__yaml_pos(v, &s->obj_line, &s->obj_col);
        } else if (k && !strcmp(k, "subject_to")) {
            if (fy_node_get_type(v) != FYNT_SEQUENCE) {
                ERR_AT(y, v, "'subject_to' must be a list of constraints such as 'x.wait <= 5min'");
                continue;
            }
            void *it2 = NULL;
            struct fy_node *cn;
            while ((cn = fy_node_sequence_iterate(v, &it2))) {
                const char *t = scalar(y, cn);
                struct tsim__constraint c;
                if (!t || parse_constraint(&c, t, err, sizeof err) != 0) {
                    ERR_AT(y, cn, "bad constraint '%s': %s", t ? t : "", t ? err : "not a text");
                    if (t) {
                        tsim__xexpr_release(&c.lhs);
                        tsim__free(c.bound_text);
                    }
                    continue;
                }
                tsim__yaml_pos(cn, &c.line, &c.col);
                s->cons = tsim__realloc(s->cons, (size_t)(s->ncons + 1) * sizeof *s->cons);
                s->cons[s->ncons++] = c;
            }
        } else {
            unknown_key(y, fy_node_pair_key(pr), " in 'objective'", objective_keys);
        }
    }
    if (!s->has_objective) ERR_AT(y, val, "'objective' needs 'maximize' or 'minimize'");
}

static void parse_design(struct tsim__xspec *s, struct fy_node *val, struct tsim__yaml *y)
{
    const char *t = scalar(y, val);
    if (t && !strcmp(t, "full")) {
        s->design = TSIM__DESIGN_FULL;
    } else if (t && !strcmp(t, "lhs")) {
        s->design = TSIM__DESIGN_LHS;
    } else if (fy_node_get_type(val) == FYNT_MAPPING) {
        void *it = NULL;
        struct fy_node_pair *pr;
        while ((pr = fy_node_mapping_iterate(val, &it))) {
            const char *k = scalar(y, fy_node_pair_key(pr));
            if (k && !strcmp(k, "lhs")) {
                s->design = TSIM__DESIGN_LHS;
                parse_int_node(fy_node_pair_value(pr), y, "lhs", 1, TSIM__X_MAX_SCENARIOS,
                               &s->lhs_n);
            } else if (k && !strcmp(k, "n")) {
                parse_int_node(fy_node_pair_value(pr), y, "n", 1, TSIM__X_MAX_SCENARIOS,
                               &s->lhs_n);
            } else if (k && !strcmp(k, "type")) {
                parse_design(s, fy_node_pair_value(pr), y);
            } else {
                unknown_key(y, fy_node_pair_key(pr), " in 'design'", design_keys);
            }
        }
    } else {
        ERR_AT(y, val, "unknown design '%s' (expected 'full' or 'lhs')", t ? t : "?");
    }
}

static void parse_optimize(struct tsim__xspec *s, struct fy_node *val, struct tsim__yaml *y)
{
    if (fy_node_get_type(val) != FYNT_MAPPING) {
        ERR_AT(y, val, "'optimize' must be {budget, initial, replications}");
        return;
    }
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(val, &it))) {
        const char *k = scalar(y, fy_node_pair_key(pr));
        struct fy_node *v = fy_node_pair_value(pr);
        if (k && !strcmp(k, "budget")) parse_int_node(v, y, "budget", 2, TSIM__X_MAX_REPS, &s->budget);
        else if (k && !strcmp(k, "initial")) parse_int_node(v, y, "initial", 1, 10000, &s->initial);
        else if (k && !strcmp(k, "replications"))
            parse_int_node(v, y, "replications", 2, 10000, &s->opt_reps);
        else unknown_key(y, fy_node_pair_key(pr), " in 'optimize'", optimize_keys);
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
    /* FNV-1a from an offset one digit short of FNV's: kept, for --resume of older results. */
    s->text_hash = tsim__fnv1a(1469598103934665603ull, text, len);
    size_t errors0 = d->errors;

    struct tsim__yaml yr, *y = &yr;
    tsim__yaml_init(y, "experiment file", TSIM__X_MAX_FILE, d);
    if (tsim__yaml_read(y, text, len) != 0) {
        tsim__yaml_release(y);
        return TSIM_EPARSE;
    }
    struct fy_node *root = y->root;
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        tsim_diags_add(d, TSIM_ERROR, 1, 1, "an experiment file must be a mapping with 'model' "
                       "and 'factors'");
        tsim__yaml_release(y);
        return TSIM_EPARSE;
    }
    int have_model = 0, have_factors = 0;
    int n_given = 0;
    struct fy_node *n_node = NULL;
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *key = fy_node_pair_key(pr), *val = fy_node_pair_value(pr);
        const char *k = scalar(y, key);
        if (!k) {
            ERR_AT(y, key, "keys must be plain names");
        } else if (!strcmp(k, "model")) {
            const char *t = scalar(y, val);
            if (!t || !*t) {
                ERR_AT(y, val, "'model' must be the path of a model file");
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
                ERR_AT(y, val, "'factors' must map parameter paths to values");
                continue;
            }
            void *it2 = NULL;
            struct fy_node_pair *p2;
            while ((p2 = fy_node_mapping_iterate(val, &it2)))
                parse_factor(s, fy_node_pair_key(p2), fy_node_pair_value(p2), y);
            if (fy_node_mapping_item_count(val) == 0) ERR_AT(y, val, "'factors' is empty");
        } else if (!strcmp(k, "design")) {
            parse_design(s, val, y);
        } else if (!strcmp(k, "n")) {
            n_node = val;
            if (parse_int_node(val, y, "n", 1, TSIM__X_MAX_SCENARIOS, &n_given) != 0) n_given = 0;
        } else if (!strcmp(k, "replications")) {
            parse_replications(s, val, y);
        } else if (!strcmp(k, "common_random_numbers")) {
            parse_bool_node(val, y, "common_random_numbers", &s->crn);
        } else if (!strcmp(k, "objective")) {
            parse_objective(s, val, y);
        } else if (!strcmp(k, "seed")) {
            double v;
            if (parse_number(scalar(y, val), &v) != 0 || v < 0 || v != floor(v) || v > 9e15) {
                ERR_AT(y, val, "'seed' must be a non-negative integer");
                continue;
            }
            s->has_seed = 1;
            s->seed = (uint64_t)v;
        } else if (!strcmp(k, "horizon") || !strcmp(k, "warmup")) {
            /* Durations need the model's time unit: keep the text, convert when binding. */
            const char *t = scalar(y, val);
            if (!t) {
                ERR_AT(y, val, "'%s' must be a duration such as '8h'", k);
                continue;
            }
            if (k[0] == 'h') s->has_horizon = 1;
            else s->has_warmup = 1;
            char **dst = k[0] == 'h' ? &s->horizon_text : &s->warmup_text;
            tsim__free(*dst);
            *dst = tsim__strdup(t);
        } else if (!strcmp(k, "optimize")) {
            parse_optimize(s, val, y);
        } else {
            unknown_key(y, key, "", top_keys);
        }
    }
    if (!have_model) tsim_diags_add(d, TSIM_ERROR, 1, 1, "missing 'model'");
    if (!have_factors) tsim_diags_add(d, TSIM_ERROR, 1, 1, "missing 'factors'");
    if (n_given) {
        if (s->design != TSIM__DESIGN_LHS) ERR_AT(y, n_node, "'n' applies only to design 'lhs'");
        else if (!s->lhs_n) s->lhs_n = n_given;
    }
    if (s->design == TSIM__DESIGN_LHS && !s->lhs_n)
        tsim_diags_add(d, TSIM_ERROR, 1, 1, "design 'lhs' needs 'n' (the number of scenarios)");
    tsim__yaml_release(y);
    return d->errors > errors0 ? TSIM_EPARSE : 0;
}

int tsim__xspec_load(struct tsim__xspec *s, const char *path, struct tsim_diags *d)
{
    struct tsim__yaml y;
    tsim__yaml_init(&y, "experiment file", TSIM__X_MAX_FILE, d);
    char *buf;
    size_t n;
    int rc = tsim__yaml_read_file(&y, path, &buf, &n);
    if (rc != 0) {
        memset(s, 0, sizeof *s);
        return rc;
    }
    rc = tsim__xspec_parse(s, buf, n, path, d);
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
