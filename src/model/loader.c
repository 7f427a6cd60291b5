/*
 * The model file loader: YAML text in, a struct tsim_model (built through the public setters)
 * and a list of diagnostics out. It checks structure, names and references, and reports every
 * problem it finds with its line and column; it does not simulate, and the values of parameters
 * are read by params.h's functions, the same ones tsim_model_set_param uses. This file reads the
 * document and what blocks refer to (settings, products, shifts, operators); loadblocks.c reads
 * the blocks and routes and checks the model as a whole; loadyaml.c masks the calls and parses;
 * loadnode.c, below them all, holds the readers of nodes and keys and places their diagnostics.
 *
 * Hardening, since a model file may come from anywhere: the text is size-capped and checked to
 * be valid UTF-8 made of characters YAML allows before libfyaml sees it (libfyaml 0.7.12 hangs on
 * some invalid UTF-8, e.g. the two bytes "%\xE9"); anchors and aliases are refused and never
 * resolved (an alias bomb would expand to gigabytes); libfyaml's own errors are collected through
 * its diag API, never printed. What one file may declare is capped (BLOCKS_MAX and friends below),
 * and the loader stops after DIAGS_MAX diagnostics (loadnode.c), so that no small file costs
 * much time or memory.
 *
 * Distributions are written as calls, "triangular(0.5, 0.6, 0.9)", also inside flow collections
 * ("{small: triangular(0.5, 0.6, 0.9), large: 0.9}") where YAML would split them at the commas.
 * So before parsing, the separators inside a call's parentheses are masked (same length, so every
 * line:col stays true) and each scalar read back gets the original characters again.
 *
 * The loading runs in fixed phases whatever the order of keys in the file: settings, products,
 * shifts, operators, blocks, then routes (which need every block), then the checks of the model
 * as a whole. Diagnostics appear in that order. An unreachable block is a warning, not an error:
 * a model under construction often holds blocks not yet connected, and they do no harm.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "logic/logic.h"
#include "model/csvtab.h"
#include "model/loader.h"
#include "model/params.h"
#include "model/yaml.h"

#include <ctype.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reader's diagnostics count towards the loader's cap like every other. */
static void yaml_report(void *user, enum tsim_severity sev, int line, int col, const char *msg)
{
    struct loader *ld = user;
    if (sev == TSIM_ERROR)
        tsim__ld_err(ld, (struct pos){line, col}, "%s", msg);
    else
        tsim__ld_warn(ld, (struct pos){line, col}, "%s", msg);
}
static const struct pos nowhere = {0, 0};

/* ---------------------------------------------------------------------------------------------
 * Settings: name, time unit, resolution, run
 * ------------------------------------------------------------------------------------------- */

static const char *const top_keys[] = {"version",    "name",   "description", "time_unit",
                                       "resolution", "run",    "products",    "shifts",
                                       "operators",  "blocks", "network", "attributes",
                                       "sheets", "setup_matrix", NULL};
enum {
    K_VERSION,
    K_NAME,
    K_DESCRIPTION,
    K_TIME_UNIT,
    K_RESOLUTION,
    K_RUN,
    K_PRODUCTS,
    K_SHIFTS,
    K_OPERATORS,
    K_BLOCKS,
    K_NETWORK,
    K_ATTRIBUTES,
    K_SHEETS,
    K_SETUP_MATRIX,
    K_COUNT
};

/* The value nodes of the top-level keys, and where each key is. */
struct top {
    struct fy_node *v[K_COUNT];
    struct pos at[K_COUNT];
    int has[K_COUNT];
};

/* The model's name: as written, else the file's name without directory and extension. */
static char *model_name(struct loader *ld, const struct top *t)
{
    if (t->has[K_NAME]) {
        const char *s = tsim__ld_scalar(ld, t->v[K_NAME], "'name'", t->at[K_NAME]);
        if (s && s[0]) return tsim__strdup(s);
        if (s) tsim__ld_err(ld, t->at[K_NAME], "'name' is empty");
    }
    const char *f = ld->file ? ld->file : "model";
    const char *slash = strrchr(f, '/');
    if (slash) f = slash + 1;
    size_t n = strcspn(f, ".");
    if (n == 0) return tsim__strdup("model");
    char *name = tsim__malloc(n + 1);
    memcpy(name, f, n);
    name[n] = '\0';
    return name;
}

static void load_settings(struct loader *ld, const struct top *t)
{
    struct tsim__perr e;
    if (t->has[K_VERSION]) {
        const char *s = tsim__ld_scalar(ld, t->v[K_VERSION], "'version'", t->at[K_VERSION]);
        if (s && strcmp(s, "1") != 0)
            tsim__ld_err(ld, tsim__ld_pos(t->v[K_VERSION], t->at[K_VERSION]),
                         "unsupported model format version '%s' (this twinsim reads version 1)", s);
    }
    if (t->has[K_DESCRIPTION])
        tsim__ld_scalar(ld, t->v[K_DESCRIPTION], "'description'", t->at[K_DESCRIPTION]);
    if (t->has[K_TIME_UNIT]) {
        const char *s = tsim__ld_scalar(ld, t->v[K_TIME_UNIT], "'time_unit'", t->at[K_TIME_UNIT]);
        if (s && tsim_model_set_time_unit(ld->m, s) != 0) {
            const char *hint =
                tsim__suggest_list(s, (const char *const[]){"s", "min", "h", "d", NULL});
            tsim__ld_err(ld, tsim__ld_pos(t->v[K_TIME_UNIT], t->at[K_TIME_UNIT]),
                         "unknown time unit '%s'%s", s, hint[0] ? hint : " (use s, min, h or d)");
        }
    }
    if (t->has[K_RESOLUTION]) {
        struct fy_node *n = t->v[K_RESOLUTION];
        const char *s = tsim__ld_scalar(ld, n, "'resolution'", t->at[K_RESOLUTION]);
        double r;
        if (s && tsim__parse_duration(s, "'resolution'", ld->m->time_unit, &r, &e) != 0) {
            tsim__ld_value_err(ld, n, s, &e, t->at[K_RESOLUTION]);
        } else if (s && (r <= 0.0 || tsim_model_set_resolution(ld->m, 1.0 / r) != 0)) {
            tsim__ld_err(ld, tsim__ld_pos(n, t->at[K_RESOLUTION]),
                         "'resolution' must be between 1e-12 and 1 time unit, got '%s'", s);
        }
    }
}

static const char *const run_keys[] = {"horizon", "warmup",       "replications",
                                       "seed",    "start",        "max_entities",
                                       "max_instant_events", "rng", NULL};

/* A horizon or warm-up `v` (read from `s` at node `n`) must lie within the times a run can count
 * at the model's resolution (tsim_model_max_time); says so with the largest that fits. */
static int check_time_range(struct loader *ld, struct fy_node *n, struct pos at, const char *what,
                            const char *s, double v)
{
    double max = tsim_model_max_time(ld->m);
    if (v <= max) return 0;
    /* The largest value in 10 digits that is not past the limit. */
    double p = pow(10, floor(log10(max)) - 9);
    char buf[40];
    tsim__fmt_num(buf, sizeof buf, floor(max / p) * p);
    tsim__ld_err(ld, tsim__ld_pos(n, at),
                 "%s %s is past the latest time a run can count at this resolution: at most %s %s "
                 "(a coarser 'resolution' reaches further)",
                 what, s, buf, ld->m->time_unit);
    return -1;
}

static int clock_hours(const char *s, double *out);

static void load_run(struct loader *ld, const struct top *t)
{
    struct tsim__perr e;
    struct tsim_run_spec *r = &ld->run;
    if (!t->has[K_RUN]) return;
    struct fy_node *run = t->v[K_RUN];
    if (!tsim__ld_expect(ld, run, FYNT_MAPPING, "'run'", t->at[K_RUN])) return;
    const char *horizon_text = NULL, *warmup_text = NULL;
    struct pos warmup_pos = nowhere;
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key(ld, run, &it, run_keys, " in 'run'", t->at[K_RUN], &v, &kp)) !=
           TSIM__LD_END) {
        if (k < 0) continue;
        char what[32];
        snprintf(what, sizeof what, "'%s'", run_keys[k]);
        const char *s = tsim__ld_scalar(ld, v, what, kp);
        if (!s) continue;
        long long n;
        if (k == 0) {
            double h;
            if (tsim__parse_duration(s, what, ld->m->time_unit, &h, &e) != 0)
                tsim__ld_value_err(ld, v, s, &e, kp);
            else if (check_time_range(ld, v, kp, what, s, h) == 0)
                r->horizon = h, horizon_text = s;
        } else if (k == 1) {
            double w;
            if (strcmp(s, "auto") == 0) {
                r->warmup_auto = 1;
            } else if (tsim__parse_duration(s, what, ld->m->time_unit, &w, &e) != 0) {
                if (e.code == TSIM_EPARSE && e.at == 0 && strstr(e.msg, "must be a"))
                    tsim__perr_set(&e, e.code, 0, "'warmup' must be a duration or 'auto', got '%s'",
                                   s);
                tsim__ld_value_err(ld, v, s, &e, kp);
            } else if (check_time_range(ld, v, kp, what, s, w) == 0) {
                r->warmup = w;
                warmup_text = s;
                warmup_pos = tsim__ld_pos(v, kp);
            }
        } else if (k == 2) {
            if (tsim__parse_int(s, what, 1, 1000000000, &n, &e) != 0)
                tsim__ld_value_err(ld, v, s, &e, kp);
            else
                r->replications = (int)n;
        } else if (k == 3) {
            if (tsim__parse_int(s, what, 0, INT64_MAX, &n, &e) != 0)
                tsim__ld_value_err(ld, v, s, &e, kp);
            else
                r->seed = (uint64_t)n;
        } else if (k == 4) {
            /* The clock at time 0, so that shifts fall where the plant has them; with a date,
             * the day too, from which the CSV files' date-times count (model/csvtab.c). */
            double hours, sec;
            long long day;
            char why[160];
            int dt = tsim__parse_datetime(s, &day, &sec, why, sizeof why);
            if (dt < 0) {
                tsim__ld_err(ld, tsim__ld_pos(v, kp), "invalid date-time '%s' for 'start': %s", s,
                             why);
            } else if (dt == 0) {
                tsim_model_set_start_clock(ld->m, sec / 3600.0);
                ld->m->has_start_date = 1;
                ld->m->start_day = day;
            } else if (clock_hours(s, &hours) != 0 ||
                       tsim_model_set_start_clock(ld->m, hours) != 0) {
                tsim__ld_err(ld, tsim__ld_pos(v, kp),
                             "invalid time of day '%s' for 'start' (use HH:MM from 00:00 to "
                             "23:59)",
                             s);
            }
        } else if (k == 5) {
            if (tsim__parse_int(s, what, 1, 1000000000, &n, &e) != 0)
                tsim__ld_value_err(ld, v, s, &e, kp);
            else
                tsim_model_set_max_entities(ld->m, (uint64_t)n);
        } else if (k == 6) {
            if (tsim__parse_int(s, what, 1, 1000000000000000LL, &n, &e) != 0)
                tsim__ld_value_err(ld, v, s, &e, kp);
            else
                tsim_model_set_max_instant_events(ld->m, (uint64_t)n);
        } else if (k == 7) {
            if (strcmp(s, "philox") == 0)
                tsim_model_set_rng(ld->m, TSIM_RNG_PHILOX);
            else if (strcmp(s, "xoshiro") == 0)
                tsim_model_set_rng(ld->m, TSIM_RNG_XOSHIRO);
            else
                tsim__ld_err(ld, tsim__ld_pos(v, kp),
                             "'rng' must be 'xoshiro' or 'philox', got '%s'", s);
        }
    }
    if (horizon_text && warmup_text && r->horizon > 0.0 && r->warmup >= r->horizon)
        tsim__ld_err(ld, warmup_pos, "'warmup' %s is not shorter than 'horizon' %s", warmup_text,
                     horizon_text);
}

/* ---------------------------------------------------------------------------------------------
 * Products, shifts, operators
 * ------------------------------------------------------------------------------------------- */

static void load_products(struct loader *ld, const struct top *t)
{
    if (!t->has[K_PRODUCTS]) return;
    struct fy_node *list = t->v[K_PRODUCTS];
    if (!tsim__ld_expect(ld, list, FYNT_SEQUENCE, "'products'", t->at[K_PRODUCTS])) return;
    void *it = NULL;
    struct fy_node *n;
    size_t cap = 0;
    while ((n = fy_node_sequence_iterate(list, &it))) {
        struct pos at = tsim__ld_pos(n, t->at[K_PRODUCTS]);
        if (ld->stop) break;
        const char *name = tsim__ld_name(ld, n, "a product", at);
        if (!name) continue;
        if (ld->m->nproducts == PRODUCTS_MAX) {
            tsim__ld_err(ld, at, "more than %d products", PRODUCTS_MAX);
            break;
        }
        int prev = tsim_model_find_product(ld->m, name);
        if (prev >= 0) {
            tsim__ld_err(ld, at, "duplicate product '%s' (first defined at line %d)", name,
                         ld->product_line[prev]);
            continue;
        }
        int idx = tsim_model_add_product(ld->m, name);
        if (idx < 0) {
            tsim__ld_err(ld, at, "%s", tsim__errmsg_body());
            continue;
        }
        tsim__grow((void **)&ld->product_line, &cap, (size_t)idx + 1, sizeof *ld->product_line);
        ld->product_line[idx] = at.line;
    }
}

/* "HH:MM" (or "H:MM", optionally ":SS") as hours since midnight; 24:00 is the end of a day. */
static int clock_hours(const char *s, double *out)
{
    int h = 0, m = 0, sec = 0, nd = 0;
    const char *c = s;
    while (*c >= '0' && *c <= '9' && nd < 2) h = h * 10 + (*c++ - '0'), nd++;
    if (nd == 0 || *c++ != ':') return -1;
    if (!(c[0] >= '0' && c[0] <= '9' && c[1] >= '0' && c[1] <= '9')) return -1;
    m = (c[0] - '0') * 10 + (c[1] - '0');
    c += 2;
    if (*c == ':') {
        if (!(c[1] >= '0' && c[1] <= '9' && c[2] >= '0' && c[2] <= '9')) return -1;
        sec = (c[1] - '0') * 10 + (c[2] - '0');
        c += 3;
    }
    if (*c || m > 59 || sec > 59 || h > 24 || (h == 24 && (m || sec))) return -1;
    *out = h + m / 60.0 + sec / 3600.0;
    return 0;
}

struct period {
    double a, b;
    const char *ta, *tb;
    struct pos at;
};

static int cmp_period(const void *x, const void *y)
{
    const struct period *p = x, *q = y;
    return (p->a > q->a) - (p->a < q->a);
}

static const char *const shift_keys[] = {"name", "periods", "description", NULL};

/* One shift. A period that ends before it starts runs past midnight ("22:00" to "06:00") and
 * is split in two; periods that touch are merged, periods that overlap are an error. */
static void load_shift(struct loader *ld, struct fy_node *sh, struct pos at0)
{
    struct pos at = tsim__ld_pos(sh, at0);
    if (!tsim__ld_expect(ld, sh, FYNT_MAPPING, "a shift", at)) return;
    const char *name = NULL;
    struct fy_node *periods = NULL;
    struct pos periods_at = at;
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key(ld, sh, &it, shift_keys, " in a shift", at, &v, &kp)) !=
           TSIM__LD_END) {
        if (k == 0)
            name = tsim__ld_name(ld, v, "'name' of a shift", kp);
        else if (k == 1)
            periods = v, periods_at = kp;
        else if (k == 2)
            tsim__ld_scalar(ld, v, "'description'", kp);
    }
    if (!name) {
        if (!fy_node_mapping_lookup_pair_by_string(sh, "name", FY_NT))
            tsim__ld_err(ld, at, "shift has no 'name'");
        return;
    }
    if (tsim_model_find_shift(ld->m, name) >= 0) {
        tsim__ld_err(ld, at, "duplicate shift '%s'", name);
        return;
    }
    if (ld->m->nshifts == SHIFTS_MAX) {
        tsim__ld_err(ld, at, "more than %d shifts", SHIFTS_MAX);
        ld->stop = 1;
        return;
    }
    if (!periods) {
        tsim__ld_err(ld, at, "shift '%s' has no 'periods'", name);
        return;
    }
    if (!tsim__ld_expect(ld, periods, FYNT_SEQUENCE, "'periods'", periods_at)) return;
    int count = fy_node_sequence_item_count(periods);
    if (count <= 0) {
        tsim__ld_err(ld, periods_at, "shift '%s' has no periods", name);
        return;
    }
    struct period *pp = tsim__malloc(2 * (size_t)count * sizeof *pp);
    int np = 0, ok = 1;
    it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(periods, &it))) {
        struct pos ip = tsim__ld_pos(item, periods_at);
        if (!fy_node_is_alias(item) &&
            (fy_node_get_type(item) != FYNT_SEQUENCE || fy_node_sequence_item_count(item) != 2)) {
            char buf[64];
            tsim__ld_err(ld, ip, "a shift period must be a pair [\"HH:MM\", \"HH:MM\"], not %s",
                         tsim__ld_describe(ld, item, buf, sizeof buf));
            ok = 0;
            continue;
        }
        if (fy_node_is_alias(item)) {
            ok = 0;
            continue;
        }
        const char *tx[2];
        double h[2];
        int good = 1;
        for (int j = 0; j < 2; j++) {
            struct fy_node *c = fy_node_sequence_get_by_index(item, j);
            struct pos cp = tsim__ld_pos(c, ip);
            tx[j] = tsim__ld_scalar(ld, c, "a time of day", cp);
            if (!tx[j]) {
                good = 0;
            } else if (clock_hours(tx[j], &h[j]) != 0) {
                tsim__ld_err(ld, cp, "invalid time of day '%s' (use HH:MM from 00:00 to 24:00)",
                             tx[j]);
                good = 0;
            }
        }
        if (!good) {
            ok = 0;
            continue;
        }
        /* Periods repeat daily, so a period starting at 24:00 starts at midnight: 00:00
         * ("24:00"-"24:00" stays empty, as written). */
        if (h[0] == 24.0 && h[1] != 24.0) h[0] = 0.0;
        if (h[0] == h[1]) {
            tsim__ld_err(ld, ip, "empty period '%s'-'%s' in shift '%s'", tx[0], tx[1], name);
            ok = 0;
        } else if (h[0] < h[1]) {
            pp[np++] = (struct period){h[0], h[1], tx[0], tx[1], ip};
        } else {
            pp[np++] = (struct period){h[0], 24.0, tx[0], tx[1], ip};
            if (h[1] > 0.0) pp[np++] = (struct period){0.0, h[1], tx[0], tx[1], ip};
        }
    }
    qsort(pp, (size_t)np, sizeof *pp, cmp_period);
    int merged = 0;
    for (int i = 0; i < np; i++) {
        if (merged > 0 && pp[i].a < pp[merged - 1].b) {
            const struct period *q = &pp[merged - 1];
            struct pos later = pp[i].at.line > q->at.line ||
                                       (pp[i].at.line == q->at.line && pp[i].at.col > q->at.col)
                                   ? pp[i].at
                                   : q->at;
            tsim__ld_err(ld, later, "periods of shift '%s' overlap: '%s'-'%s' and '%s'-'%s'", name,
                         q->ta, q->tb, pp[i].ta, pp[i].tb);
            ok = 0;
        } else if (merged > 0 && pp[i].a == pp[merged - 1].b) {
            pp[merged - 1].b = pp[i].b;
        } else {
            pp[merged++] = pp[i];
        }
    }
    if (ok) {
        double *hours = tsim__malloc(2 * (size_t)merged * sizeof *hours);
        for (int i = 0; i < merged; i++) {
            hours[2 * i] = pp[i].a;
            hours[2 * i + 1] = pp[i].b;
        }
        if (tsim_model_add_shift(ld->m, name, hours, merged) < 0)
            tsim__ld_err(ld, at, "%s", tsim__errmsg_body());
        tsim__free(hours);
    }
    tsim__free(pp);
}

static const char *const pool_keys[] = {"name", "count", "shift", "description", NULL};

static void load_pool(struct loader *ld, struct fy_node *op, struct pos at0)
{
    struct tsim__perr e;
    struct pos at = tsim__ld_pos(op, at0);
    if (!tsim__ld_expect(ld, op, FYNT_MAPPING, "an operators pool", at)) return;
    const char *name = NULL;
    long long count = -1;
    int shift = -1, ok = 1;
    struct fy_node *shift_node = NULL;
    struct pos shift_at = at;
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key(ld, op, &it, pool_keys, " in an operators pool", at, &v, &kp)) !=
           TSIM__LD_END) {
        if (k == 0) {
            name = tsim__ld_name(ld, v, "'name' of an operators pool", kp);
            if (!name) ok = 0;
        } else if (k == 1) {
            const char *s = tsim__ld_scalar(ld, v, "'count'", kp);
            if (!s)
                ok = 0;
            else if (tsim__parse_int(s, "'count'", 1, 1000000, &count, &e) != 0)
                tsim__ld_value_err(ld, v, s, &e, kp), ok = 0;
        } else if (k == 2) {
            shift_node = v;
            shift_at = kp;
        } else if (k == 3) {
            tsim__ld_scalar(ld, v, "'description'", kp);
        }
    }
    if (shift_node) {
        const char *s = tsim__ld_scalar(ld, shift_node, "'shift'", shift_at);
        if (!s) {
            ok = 0;
        } else if ((shift = tsim_model_find_shift(ld->m, s)) < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, s);
            for (int i = 0; i < ld->m->nshifts; i++)
                tsim__suggest_offer(&sg, ld->m->shifts[i].name);
            tsim__ld_err(ld, tsim__ld_pos(shift_node, shift_at), "undefined shift '%s'%s", s,
                         tsim__suggest_text(&sg));
            ok = 0;
        }
    }
    if (!name) {
        if (ok) tsim__ld_err(ld, at, "operators pool has no 'name'");
        return;
    }
    if (tsim_model_find_operators(ld->m, name) >= 0) {
        tsim__ld_err(ld, at, "duplicate operators pool '%s'", name);
        return;
    }
    if (ld->m->npools == POOLS_MAX) {
        tsim__ld_err(ld, at, "more than %d operators pools", POOLS_MAX);
        ld->stop = 1;
        return;
    }
    if (count < 0 && ok) {
        tsim__ld_err(ld, at, "operators pool '%s' has no 'count'", name);
        return;
    }
    if (!ok || count < 0) return;
    if (tsim_model_add_operators(ld->m, name, (int)count, shift) < 0)
        tsim__ld_err(ld, at, "%s", tsim__errmsg_body());
}

static void load_list(struct loader *ld, const struct top *t, int key, const char *what,
                      void (*one)(struct loader *, struct fy_node *, struct pos))
{
    if (!t->has[key]) return;
    if (!tsim__ld_expect(ld, t->v[key], FYNT_SEQUENCE, what, t->at[key])) return;
    void *it = NULL;
    struct fy_node *n;
    while (!ld->stop && (n = fy_node_sequence_iterate(t->v[key], &it))) one(ld, n, t->at[key]);
}

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

static void scan_top(struct loader *ld, struct fy_node *root, struct top *t)
{
    memset(t, 0, sizeof *t);
    const struct tsim__ld_keyset ks = {top_keys, run_keys, "top-level key", ""};
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key_of(ld, root, &it, &ks, (struct pos){1, 1}, &v, &kp)) !=
           TSIM__LD_END) {
        if (k == TSIM__LD_UNKNOWN) continue;
        if (k >= K_COUNT) {
            tsim__ld_err(ld, kp, "unknown top-level key '%s' (it belongs under 'run:')",
                         run_keys[k - K_COUNT]);
            continue;
        }
        t->v[k] = v;
        t->at[k] = kp;
        t->has[k] = 1;
    }
}

static void load_document(struct loader *ld, struct fy_node *root)
{
    char buf[64];
    if (!root || tsim__ld_is_null(root)) {
        tsim__ld_err(ld, nowhere, "model file is empty");
        return;
    }
    if (fy_node_get_type(root) != FYNT_MAPPING) {
        tsim__ld_err(ld, (struct pos){1, 1},
                     "a model must be a mapping of keys such as 'blocks:', not %s",
                     tsim__ld_describe(ld, root, buf, sizeof buf));
        return;
    }
    struct top t;
    scan_top(ld, root, &t);
    char *name = model_name(ld, &t);
    ld->m = tsim_model_create(name);
    tsim__free(name);
    load_settings(ld, &t);
    load_run(ld, &t);
    load_products(ld, &t);
    load_list(ld, &t, K_SHIFTS, "'shifts'", load_shift);
    load_list(ld, &t, K_OPERATORS, "'operators'", load_pool);
    load_list(ld, &t, K_ATTRIBUTES, "'attributes'", tsim__ld_attribute);
    if (ld->file) ld->m->file = tsim__strdup(ld->file);
    if (!t.has[K_BLOCKS]) {
        tsim__ld_err(ld, nowhere, "model has no 'blocks'");
        return;
    }
    size_t before = ld->d->errors;
    load_list(ld, &t, K_BLOCKS, "'blocks'", tsim__ld_block);
    if (fy_node_get_type(t.v[K_BLOCKS]) != FYNT_SEQUENCE && ld->d->errors > before) return;
    int np = ld->m->nproducts > 0 ? ld->m->nproducts : 1;
    if ((double)ld->nblk * np > CELLS_MAX) {
        tsim__ld_err(ld, t.at[K_BLOCKS],
                     "model is too large: %zu blocks with %d products (the limit is %d blocks "
                     "times products)",
                     ld->nblk, np, CELLS_MAX);
        return;
    }
    if (t.has[K_SHEETS]) tsim__ld_sheets(ld, t.v[K_SHEETS], t.at[K_SHEETS]);
    load_list(ld, &t, K_SETUP_MATRIX, "'setup_matrix'", tsim__ld_setup_cell);
    tsim__ld_connect(ld, t.at[K_BLOCKS], fy_node_sequence_item_count(t.v[K_BLOCKS]));
    if (ld->m->sheets) tsim__sheet_mark_machines(ld->m);
    if (t.has[K_NETWORK]) tsim__ld_network(ld, t.v[K_NETWORK], t.at[K_NETWORK]);

    struct tsim_model *m = ld->m;
    m->block_line = tsim__malloc(ld->nblk ? ld->nblk * sizeof(int) : sizeof(int));
    m->block_col = tsim__malloc(ld->nblk ? ld->nblk * sizeof(int) : sizeof(int));
    for (size_t i = 0; i < ld->nblk; i++) {
        m->block_line[i] = ld->blk[i].pos.line;
        m->block_col[i] = ld->blk[i].pos.col;
    }
}

/* The directory of `file`, for relative paths in the model; NULL for the current one. */
static char *dir_of(const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    if (!slash) return NULL;
    size_t n = slash == file ? 1 : (size_t)(slash - file);
    char *d = tsim__malloc(n + 1);
    memcpy(d, file, n);
    d[n] = '\0';
    return d;
}

struct tsim_model *tsim_model_load(const char *text, size_t len, const char *file,
                                   struct tsim_run_spec *run, struct tsim_diags *diags)
{
    TSIM__ASSERT(diags != NULL, "NULL diags");
    TSIM__ASSERT(text != NULL || len == 0, "NULL text");
    struct loader ld;
    memset(&ld, 0, sizeof ld);
    ld.file = file;
    ld.d = diags;
    ld.base_dir = dir_of(file);
    ld.run = (struct tsim_run_spec){0.0, 0.0, 0, 10, 1};
    size_t errors_before = diags->errors;
    tsim__yaml_init(&ld.y, "model file", TSIM_MODEL_MAX_BYTES, diags);
    ld.y.report = yaml_report;
    ld.y.user = &ld;
    if (tsim__ld_parse_yaml(&ld, text, len) == 0) load_document(&ld, ld.y.root);

    /* The whole-model checks, once: a problem of one block is placed at its type key. */
    if (ld.m && diags->errors == errors_before && tsim_model_validate(ld.m) != 0) {
        int b = tsim_model_error_block(ld.m);
        struct pos at = nowhere;
        if (b >= 0 && (size_t)b < ld.nblk) at = ld.blk[b].pos;
        if (b >= 0 && ld.m->err_line > 0) at = (struct pos){ld.m->err_line, ld.m->err_col};
        tsim__ld_err(&ld, at, "%s", tsim__errmsg_body());
    }
    if (run) *run = ld.run;
    tsim__yaml_release(&ld.y);
    for (size_t i = 0; i < ld.nstr; i++) tsim__free(ld.strs[i]);
    tsim__free(ld.strs);
    for (size_t i = 0; i < ld.nblk; i++) tsim__free(ld.blk[i].out);
    tsim__free(ld.blk);
    tsim__free(ld.product_line);
    tsim__free(ld.base_dir);
    tsim__free(ld.yaml);
    for (size_t i = 0; i < ld.nbroken; i++) tsim__free(ld.broken[i]);
    tsim__free(ld.broken);
    tsim__free(ld.sub_at);
    tsim__free(ld.sub_was);
    if (diags->errors > errors_before) {
        tsim_model_destroy(ld.m);
        return NULL;
    }
    return ld.m;
}

struct tsim_model *tsim_model_load_file(const char *path, struct tsim_run_spec *run,
                                        struct tsim_diags *diags)
{
    TSIM__ASSERT(path != NULL && diags != NULL, "NULL argument");
    char msg[512];
    char *text;
    size_t len;
    int rc = tsim__read_file(path, TSIM_MODEL_MAX_BYTES, &text, &len, msg, sizeof msg);
    if (rc == TSIM_ELIMIT) {
        tsim_diags_add(diags, TSIM_ERROR, 0, 0,
                       "model file is too large (more than %u bytes; that is the limit)",
                       TSIM_MODEL_MAX_BYTES);
    } else if (rc != 0) {
        tsim_diags_add(diags, TSIM_ERROR, 0, 0, "%s", msg);
    }
    if (rc != 0) {
        if (run) *run = (struct tsim_run_spec){0.0, 0.0, 0, 10, 1};
        return NULL;
    }
    struct tsim_model *m = tsim_model_load(text, len, path, run, diags);
    tsim__free(text);
    return m;
}
