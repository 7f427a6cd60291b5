/*
 * The mapping file: which MQTT topics and JSON fields stand for which model elements. It is
 * read once, checked against the model, and then only read (by the twin's and the emulator's
 * threads alike). It is not the decoder: ingest.c applies it to messages.
 *
 * Every problem is a diagnostic with the place it was found (the key's line and column, or the
 * value's for a scalar), collected and all reported, as for model files. Unknown keys are errors,
 * with a suggestion, because a misspelt key silently ignored is a twin that silently mismaps.
 */
#include "core/core.h"
#include "model/params.h"
#include "model/yaml.h"
#include "twin/twin.h"

#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[TSIM__TEV_KIND_COUNT] = {
    "machine_state", "part", "buffer_level", "count", "order", "param", "heartbeat",
    "stock_level", "truck_arrival", "order_release", "pick_done", "conveyor_speed", "command",
    "vda_state", "vda_connection"};

static const char *const role_names[TSIM__R_COUNT] = {
    "block", "server", "state", "action", "product", "part",
    "level", "order", "quantity", "due", "name", "value", "count",
    "truck", "direction", "pallets", "door", "line", "depart", "speed"};

/* The JSON field a role reads when `fields:` does not name one. */
static const char *const role_default_field[TSIM__R_COUNT] = {
    "block", "server", "state", "event", "product", "part",
    "level", "order", "quantity", "due", "name", "value", "count",
    "truck", "direction", "pallets", "door", "line", "depart", "speed"};

static const char *const pstate_names[TSIM__PS_COUNT] = {"running", "idle", "down", "setup", "off"};

/* Roles each kind must have (bit per role), and roles it may have. `block` may also come from
 * the topic or from the rule itself. */
#define RB(r) (1u << (r))
static const unsigned kind_required[TSIM__TEV_KIND_COUNT] = {
    [TSIM__TEV_STATE] = RB(TSIM__R_BLOCK) | RB(TSIM__R_STATE),
    [TSIM__TEV_PART] = RB(TSIM__R_BLOCK) | RB(TSIM__R_ACTION) | RB(TSIM__R_PART),
    [TSIM__TEV_LEVEL] = RB(TSIM__R_BLOCK) | RB(TSIM__R_LEVEL),
    [TSIM__TEV_COUNT] = RB(TSIM__R_BLOCK) | RB(TSIM__R_TOTAL),
    [TSIM__TEV_ORDER] = RB(TSIM__R_BLOCK) | RB(TSIM__R_ORDER) | RB(TSIM__R_PRODUCT) |
                        RB(TSIM__R_QUANTITY),
    [TSIM__TEV_PARAM] = RB(TSIM__R_NAME) | RB(TSIM__R_VALUE),
    [TSIM__TEV_HEARTBEAT] = 0,
    [TSIM__TEV_STOCK] = RB(TSIM__R_BLOCK) | RB(TSIM__R_PRODUCT) | RB(TSIM__R_LEVEL),
    [TSIM__TEV_TRUCK] = RB(TSIM__R_BLOCK) | RB(TSIM__R_TRUCK) | RB(TSIM__R_DIRECTION) |
                        RB(TSIM__R_PALLETS),
    [TSIM__TEV_RELEASE] = RB(TSIM__R_BLOCK) | RB(TSIM__R_ORDER),
    [TSIM__TEV_PICK] = RB(TSIM__R_BLOCK) | RB(TSIM__R_ORDER) | RB(TSIM__R_LINE),
    [TSIM__TEV_SPEED] = RB(TSIM__R_BLOCK) | RB(TSIM__R_SPEED),
    [TSIM__TEV_COMMAND] = 0,
};
static const unsigned kind_optional[TSIM__TEV_KIND_COUNT] = {
    [TSIM__TEV_STATE] = RB(TSIM__R_SERVER),
    [TSIM__TEV_PART] = RB(TSIM__R_PRODUCT),
    [TSIM__TEV_LEVEL] = RB(TSIM__R_PRODUCT),
    [TSIM__TEV_COUNT] = 0,
    [TSIM__TEV_ORDER] = RB(TSIM__R_DUE),
    [TSIM__TEV_PARAM] = 0,
    [TSIM__TEV_HEARTBEAT] = 0,
    [TSIM__TEV_STOCK] = 0,
    [TSIM__TEV_TRUCK] = RB(TSIM__R_DOOR) | RB(TSIM__R_DEPART),
    [TSIM__TEV_COMMAND] = 0,
};

struct ctx {
    struct tsim__map *map;
    const struct tsim_model *m;
    struct tsim_diags *d;
    struct tsim__yaml *y;
    const char *unit;
    char *act_enter, *act_leave;
};

/* ---- small helpers ----------------------------------------------------------------------- */

static void err_at(struct ctx *c, struct fy_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err_at(struct ctx *c, struct fy_node *n, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tsim__yaml_err(c->y, n, "%s", buf);
}

/* " (did you mean 'x'?)" for the closest of `names`, or "" when none is close. */
static const char *suggest(const char *word, const char *const *names, int n)
{
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, word);
    for (int i = 0; i < n; i++) tsim__suggest_offer(&sg, names[i]);
    return tsim__suggest_text(&sg);
}

/* The text of scalar `n` (owned by the reader), NULL for anything else. */
static const char *scalar(struct ctx *c, struct fy_node *n) { return tsim__yaml_str(c->y, n); }

/* The pairs of mapping `v` one at a time (`*it` NULL at first): fills *pk and *pv and returns 1,
 * or 0 after the last. */
static int next_pair(struct fy_node *v, void **it, struct fy_node **pk, struct fy_node **pv)
{
    struct fy_node_pair *p = fy_node_mapping_iterate(v, it);
    if (!p) return 0;
    *pk = fy_node_pair_key(p);
    *pv = fy_node_pair_value(p);
    return 1;
}

/* The scalar text of `v`, or NULL with an error naming `key`. */
static const char *need_scalar(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    const char *s = scalar(c, v);
    if (!s) err_at(c, k, "'%s' must be a single value", scalar(c, k));
    return s;
}

/* Numbers are read as model files' numbers are (params.h): in the C locale, no hex, no 'inf'. */
static int parse_double(const char *s, double *out)
{
    struct tsim__perr e;
    return s && tsim__parse_real(s, "a number", out, &e) == 0 ? 0 : -1;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    struct tsim__perr e;
    long long x;
    if (!s || tsim__parse_int(s, "a number", min, max, &x, &e) != 0) return -1;
    *out = (long)x;
    return 0;
}

/* A block name: model name or a plant alias already read. */
static int find_block(const struct ctx *c, const char *name)
{
    int b = tsim_model_find_block(c->m, name);
    if (b >= 0) return b;
    for (int i = 0; i < c->map->nblocks; i++)
        if (strcmp(c->map->blocks[i].plant, name) == 0) return c->map->blocks[i].index;
    return -1;
}

static void unknown_block(struct ctx *c, struct fy_node *at, const char *name)
{
    int nb = tsim_model_block_count(c->m);
    const char **names = tsim__malloc(sizeof *names * (size_t)(nb > 0 ? nb : 1));
    for (int i = 0; i < nb; i++) names[i] = tsim_model_block_name(c->m, i);
    err_at(c, at, "unknown block '%s'%s", name, suggest(name, names, nb));
    tsim__free(names);
}

static void unknown_key(struct ctx *c, struct fy_node *k, const char *where,
                        const char *const *keys, int n)
{
    const char *s = scalar(c, k) ? scalar(c, k) : "?";
    err_at(c, k, "unknown key '%s' in %s%s", s, where, suggest(s, keys, n));
}

static int is_mapping(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    if (v && fy_node_is_mapping(v)) return 1;
    err_at(c, k, "'%s' must be a mapping", scalar(c, k) ? scalar(c, k) : "?");
    return 0;
}

/* A duration in the model's time unit ("30s", "2h", or a bare number in that unit). */
static int duration(struct ctx *c, struct fy_node *k, struct fy_node *v, const char *unit,
                    double *out)
{
    const char *s = need_scalar(c, k, v);
    if (!s) return -1;
    if (tsim_duration_parse(s, unit, out) != 0 || *out < 0) {
        err_at(c, v, "bad duration '%s' for '%s'", s, scalar(c, k));
        return -1;
    }
    return 0;
}

/* ---- sections ------------------------------------------------------------------------------ */

static void read_time(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"field", "unit", "origin", "late", "ahead", "max_gap"};
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *key = scalar(c, pk);
        const char *s;
        if (!key) continue;
        if (strcmp(key, "field") == 0) {
            if ((s = need_scalar(c, pk, pv))) {
                tsim__free(c->map->ts_field);
                c->map->ts_field = tsim__strdup(s);
            }
        } else if (strcmp(key, "unit") == 0) {
            if (!(s = need_scalar(c, pk, pv))) continue;
            if (strcmp(s, "s") == 0) c->map->ts_unit = TSIM__TS_S;
            else if (strcmp(s, "ms") == 0) c->map->ts_unit = TSIM__TS_MS;
            else if (strcmp(s, "iso") == 0) c->map->ts_unit = TSIM__TS_ISO;
            else err_at(c, pv, "unknown timestamp unit '%s' (expected 's', 'ms' or 'iso')", s);
        } else if (strcmp(key, "origin") == 0) {
            if (!(s = need_scalar(c, pk, pv))) continue;
            double t;
            if (strcmp(s, "first") == 0) {
                c->map->has_origin = 0;
            } else if (parse_double(s, &t) == 0 || tsim__iso_time(s, &t) == 0) {
                c->map->has_origin = 1;
                c->map->origin = t;
            } else {
                err_at(c, pv, "bad origin '%s' (expected Unix seconds, an ISO 8601 time or "
                              "'first')", s);
            }
        } else if (strcmp(key, "late") == 0) {
            duration(c, pk, pv, c->unit, &c->map->late);
        } else if (strcmp(key, "ahead") == 0) {
            if (duration(c, pk, pv, c->unit, &c->map->ahead) == 0 && c->map->ahead <= 0)
                err_at(c, pv, "'ahead' must be positive");
        } else if (strcmp(key, "max_gap") == 0) {
            if (duration(c, pk, pv, c->unit, &c->map->max_gap) == 0 && c->map->max_gap <= 0)
                err_at(c, pv, "'max_gap' must be positive");
        } else {
            unknown_key(c, pk, "'time'", keys, 6);
        }
    }
}

static void read_aliases(struct ctx *c, struct fy_node *k, struct fy_node *v, int products)
{
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *plant = scalar(c, pk), *model = need_scalar(c, pk, pv);
        if (!plant || !model) continue;
        int idx = products ? tsim_model_find_product(c->m, model)
                           : tsim_model_find_block(c->m, model);
        if (idx < 0) {
            if (products) err_at(c, pv, "unknown product '%s'", model);
            else unknown_block(c, pv, model);
            continue;
        }
        struct tsim__alias **arr = products ? &c->map->products : &c->map->blocks;
        int *n = products ? &c->map->nproducts : &c->map->nblocks;
        *arr = tsim__realloc(*arr, sizeof **arr * (size_t)(*n + 1));
        (*arr)[*n].plant = tsim__strdup(plant);
        (*arr)[*n].index = idx;
        (*n)++;
    }
}

static void read_states(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *key = scalar(c, pk), *word = need_scalar(c, pk, pv);
        if (!key || !word) continue;
        int s = -1;
        for (int i = 0; i < TSIM__PS_COUNT; i++)
            if (strcmp(key, pstate_names[i]) == 0) s = i;
        if (s < 0) {
            unknown_key(c, pk, "'states'", pstate_names, TSIM__PS_COUNT);
            continue;
        }
        tsim__free(c->map->state_word[s]);
        c->map->state_word[s] = tsim__strdup(word);
    }
}

static void read_actions(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"enter", "leave"};
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *key = scalar(c, pk), *word = need_scalar(c, pk, pv);
        if (!key || !word) continue;
        if (strcmp(key, "enter") == 0) {
            tsim__free(c->act_enter);
            c->act_enter = tsim__strdup(word);
        } else if (strcmp(key, "leave") == 0) {
            tsim__free(c->act_leave);
            c->act_leave = tsim__strdup(word);
        } else {
            unknown_key(c, pk, "'actions'", keys, 2);
        }
    }
}

/* Split `topic` into levels; check `{block}` (whole level, at most once) and wildcards. */
static int topic_shape(struct ctx *c, struct fy_node *at, struct tsim__rule *r)
{
    const char *t = r->topic;
    if (!*t) {
        err_at(c, at, "empty topic");
        return -1;
    }
    size_t len = strlen(t);
    char *f = tsim__malloc(len + 1);
    size_t o = 0;
    int level = 0, ok = 0;
    r->block_level = -1;
    for (const char *s = t;; level++) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 7 && strncmp(s, "{block}", 7) == 0) {
            if (r->block_level >= 0) {
                err_at(c, at, "topic '%s' names '{block}' twice", t);
                ok = -1;
            }
            r->block_level = level;
            f[o++] = '+';
        } else {
            if (memchr(s, '{', n) || memchr(s, '}', n)) {
                err_at(c, at, "topic '%s': only a whole level '{block}' may be a placeholder", t);
                ok = -1;
            }
            if ((memchr(s, '+', n) || memchr(s, '#', n)) && n != 1) {
                err_at(c, at, "topic '%s': a wildcard must be a whole level", t);
                ok = -1;
            }
            if (n == 1 && s[0] == '#' && e) {
                err_at(c, at, "topic '%s': '#' must be the last level", t);
                ok = -1;
            }
            memcpy(f + o, s, n);
            o += n;
        }
        if (!e) break;
        f[o++] = '/';
        s = e + 1;
    }
    f[o] = '\0';
    r->filter = f;
    return ok;
}

static void read_rule(struct ctx *c, struct fy_node *item)
{
    static const char *const keys[] = {"topic", "kind", "block", "fields"};
    if (!fy_node_is_mapping(item)) {
        tsim_diags_add(c->d, TSIM_ERROR, 0, 0, "each entry of 'events' must be a mapping");
        return;
    }
    struct tsim__rule r;
    memset(&r, 0, sizeof r);
    r.kind = TSIM__TEV_KIND_COUNT;
    r.fixed_block = -1;
    r.block_level = -1;
    struct fy_node *first = NULL, *kind_at = NULL, *fields_at = NULL;
    struct fy_node *topic_at = NULL;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(item, &it, &pk, &pv);) {
        const char *key = scalar(c, pk);
        const char *s;
        if (!key) continue;
        if (!first) first = pk;
        if (strcmp(key, "topic") == 0) {
            if ((s = need_scalar(c, pk, pv))) {
                r.topic = tsim__strdup(s);
                topic_at = pv;
            }
        } else if (strcmp(key, "kind") == 0) {
            if (!(s = need_scalar(c, pk, pv))) continue;
            kind_at = pv;
            for (int i = 0; i < TSIM__TEV_COMMAND; i++)
                if (strcmp(s, kind_names[i]) == 0) r.kind = i;
            if (r.kind == TSIM__TEV_KIND_COUNT) {
                            err_at(c, pv, "unknown event kind '%s'%s", s,
                       suggest(s, kind_names, TSIM__TEV_COMMAND));
            }
        } else if (strcmp(key, "block") == 0) {
            if (!(s = need_scalar(c, pk, pv))) continue;
            r.fixed_block = find_block(c, s);
            if (r.fixed_block < 0) unknown_block(c, pv, s);
        } else if (strcmp(key, "fields") == 0) {
            if (is_mapping(c, pk, pv)) fields_at = pv;
        } else {
            unknown_key(c, pk, "an event", keys, 4);
        }
    }
    if (!r.topic) err_at(c, first, "event has no 'topic'");
    if (!kind_at) err_at(c, first, "event has no 'kind'");
    if (!r.topic || r.kind == TSIM__TEV_KIND_COUNT) {
        tsim__free(r.topic);
        return;
    }
    r.line = r.col = 0;
    tsim__yaml_pos(topic_at, &r.line, &r.col);
    if (topic_shape(c, topic_at, &r) != 0) {
        tsim__free(r.topic);
        tsim__free(r.filter);
        return;
    }
    unsigned req = kind_required[r.kind], opt = kind_optional[r.kind];
    /* Fields given explicitly. */
    unsigned given = 0;
    if (fields_at) {
        for (void *it = NULL; next_pair(fields_at, &it, &pk, &pv);) {
            const char *key = scalar(c, pk), *s = need_scalar(c, pk, pv);
            if (!key || !s) continue;
            int role = -1;
            for (int i = 0; i < TSIM__R_COUNT; i++)
                if (strcmp(key, role_names[i]) == 0) role = i;
            if (role < 0 || !((req | opt) & RB(role))) {
                char where[64];
                snprintf(where, sizeof where, "'fields' of a '%s' event", kind_names[r.kind]);
                if (role < 0) unknown_key(c, pk, where, role_names, TSIM__R_COUNT);
                else err_at(c, pk, "a '%s' event has no field '%s'", kind_names[r.kind], key);
                continue;
            }
            if (!*s) {
                err_at(c, pv, "empty field name for '%s'", key);
                continue;
            }
            r.field[role] = tsim__strdup(s);
            given |= RB(role);
        }
    }
    int block_elsewhere = r.block_level >= 0 || r.fixed_block >= 0;
    if (block_elsewhere && (given & RB(TSIM__R_BLOCK)))
        err_at(c, topic_at, "the block is named twice: by the topic or 'block' and by a field");
    if (r.block_level >= 0 && r.fixed_block >= 0)
        err_at(c, topic_at, "the block is named twice: by the topic and by 'block'");
    if (!((req | opt) & RB(TSIM__R_BLOCK)) && block_elsewhere)
        err_at(c, topic_at, "a '%s' event has no block", kind_names[r.kind]);
    /* Defaults for roles not given; the block only when it comes from nowhere else. */
    for (int i = 0; i < TSIM__R_COUNT; i++) {
        if (r.field[i] || !((req | opt) & RB(i))) continue;
        if (i == TSIM__R_BLOCK && block_elsewhere) continue;
        r.field[i] = tsim__strdup(role_default_field[i]);
    }
    c->map->rules = tsim__realloc(c->map->rules, sizeof r * (size_t)(c->map->nrules + 1));
    c->map->rules[c->map->nrules++] = r;
}

static void read_events(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    if (!v || !fy_node_is_sequence(v)) {
        err_at(c, k, "'events' must be a list");
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(v, &it))) read_rule(c, item);
}

/* `subscribe:` one filter or a list: what the twin subscribes to instead of one subscription per
 * rule (a single `plant/#` is common). Messages matching no rule are then counted as unknown. */
static void read_subscribe(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    struct fy_node *one = v && fy_node_is_scalar(v) ? v : NULL;
    if (!one && (!v || !fy_node_is_sequence(v))) {
        err_at(c, k, "'subscribe' must be a topic filter or a list of them");
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = one ? one : fy_node_sequence_iterate(v, &it))) {
        const char *f = scalar(c, item);
        struct tsim__rule probe;
        memset(&probe, 0, sizeof probe);
        if (!f || !*f) {
            err_at(c, k, "empty topic filter in 'subscribe'");
        } else {
            probe.topic = (char *)f;
            if (topic_shape(c, item, &probe) == 0 && probe.block_level < 0) {
                c->map->subscribe = tsim__realloc(c->map->subscribe, sizeof *c->map->subscribe *
                                                  (size_t)(c->map->nsubscribe + 1));
                c->map->subscribe[c->map->nsubscribe++] = tsim__strdup(f);
            } else if (probe.block_level >= 0) {
                err_at(c, item, "'{block}' has no place in 'subscribe' ('%s')", f);
            }
            tsim__free(probe.filter);
        }
        if (one) break;
    }
}

static void read_twin(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"command", "forecast", "alert", "state", "status"};
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *key = scalar(c, pk), *s = need_scalar(c, pk, pv);
        if (!key || !s) continue;
        char **dst = NULL;
        if (strcmp(key, "command") == 0) dst = &c->map->topic_command;
        else if (strcmp(key, "forecast") == 0) dst = &c->map->topic_forecast;
        else if (strcmp(key, "alert") == 0) dst = &c->map->topic_alert;
        else if (strcmp(key, "state") == 0) dst = &c->map->topic_state;
        else if (strcmp(key, "status") == 0) dst = &c->map->topic_status;
        if (!dst) {
            unknown_key(c, pk, "'twin'", keys, 5);
            continue;
        }
        if (!*s || strchr(s, '+') || strchr(s, '#')) {
            err_at(c, pv, "bad topic '%s' for '%s' (no wildcards)", s, key);
            continue;
        }
        tsim__free(*dst);
        *dst = tsim__strdup(s);
    }
}

static void read_forecast(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"every", "replications", "horizon", "seed", "plan",
                                       "threads"};
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *key = scalar(c, pk), *s = need_scalar(c, pk, pv);
        long n;
        double x;
        if (!key || !s) continue;
        if (strcmp(key, "every") == 0) {
            duration(c, pk, pv, "s", &c->map->every_s);
        } else if (strcmp(key, "replications") == 0) {
            if (parse_int(s, 1, 100000, &n) == 0) c->map->replications = (int)n;
            else err_at(c, pv, "bad replications '%s' (1 to 100000)", s);
        } else if (strcmp(key, "threads") == 0) {
            if (parse_int(s, 0, 1024, &n) == 0) c->map->threads = (int)n;
            else err_at(c, pv, "bad threads '%s' (0 to 1024)", s);
        } else if (strcmp(key, "seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long u = strtoull(s, &end, 10);
            if (*s == '-' || *end || errno) err_at(c, pv, "bad seed '%s'", s);
            else c->map->seed = u;
        } else if (strcmp(key, "plan") == 0) {
            if (parse_double(s, &x) == 0 && x >= 0) c->map->plan = x;
            else err_at(c, pv, "bad plan '%s' (a number of parts)", s);
        } else if (strcmp(key, "horizon") == 0) {
            /* "8h": model time 8 h (the end of a shift that starts at 0); "+2h": two hours
             * after now; "every 8h": the next multiple of 8 h after now (the end of the
             * current shift when shifts repeat). */
            int mode = 0;
            const char *t = s;
            if (*t == '+') {
                mode = 1;
                t++;
            } else if (strncmp(t, "every ", 6) == 0) {
                mode = 2;
                t += 6;
            }
            if (tsim_duration_parse(t, c->unit, &x) != 0 || x <= 0) {
                err_at(c, pv, "bad horizon '%s' (a duration, '+DURATION' or 'every DURATION')",
                       s);
                continue;
            }
            c->map->horizon_mode = mode;
            c->map->horizon = x;
        } else {
            unknown_key(c, pk, "'forecast'", keys, 6);
        }
    }
}

static void read_alerts(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"kpi", "below", "above"};
    static const char *const kpis[] = {"output", "p_meet_plan", "p_on_time"};
    if (!v || !fy_node_is_sequence(v)) {
        err_at(c, k, "'alerts' must be a list");
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(v, &it))) {
        if (!fy_node_is_mapping(item)) {
            err_at(c, k, "each alert must be a mapping");
            continue;
        }
        struct tsim__alert a = {.kpi = TSIM__KPI_OUTPUT, .below = 1, .threshold = NAN};
        int have_kpi = 0, have_dir = 0, bad_kpi = 0;
        struct fy_node *first = NULL;
        struct fy_node *pk, *pv;
        for (void *jt = NULL; next_pair(item, &jt, &pk, &pv);) {
            const char *key = scalar(c, pk), *s = need_scalar(c, pk, pv);
            if (!first) first = pk;
            if (!key || !s) continue;
            if (strcmp(key, "kpi") == 0) {
                int found = -1;
                for (int i = 0; i < 3; i++)
                    if (strcmp(s, kpis[i]) == 0) found = i;
                have_kpi = 1;
                if (found < 0) {
                                    err_at(c, pv, "unknown kpi '%s'%s", s, suggest(s, kpis, 3));
                    a.threshold = NAN;
                    bad_kpi = 1;
                    continue;
                }
                a.kpi = (enum tsim__alert_kpi)found;
                have_kpi = 1;
            } else if (strcmp(key, "below") == 0 || strcmp(key, "above") == 0) {
                if (have_dir) err_at(c, pk, "an alert has one of 'below' and 'above'");
                have_dir = 1;
                a.below = key[0] == 'b';
                if (parse_double(s, &a.threshold) != 0) err_at(c, pv, "bad threshold '%s'", s);
            } else {
                unknown_key(c, pk, "an alert", keys, 3);
            }
        }
        if (!have_kpi) err_at(c, first, "alert has no 'kpi'");
        if (!have_dir) err_at(c, first, "alert has no 'below' or 'above'");
        if (!have_kpi || !have_dir || bad_kpi || isnan(a.threshold)) continue;
        c->map->alerts = tsim__realloc(c->map->alerts, sizeof a * (size_t)(c->map->nalerts + 1));
        c->map->alerts[c->map->nalerts++] = a;
    }
}

static void read_emulator(struct ctx *c, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"heartbeat"};
    if (!is_mapping(c, k, v)) return;
    struct fy_node *pk, *pv;
    for (void *it = NULL; next_pair(v, &it, &pk, &pv);) {
        const char *key = scalar(c, pk);
        if (!key) continue;
        if (strcmp(key, "heartbeat") == 0) duration(c, pk, pv, c->unit, &c->map->heartbeat);
        else unknown_key(c, pk, "'emulator'", keys, 1);
    }
}

/* ---- whole file ---------------------------------------------------------------------------- */

static void map_defaults(struct tsim__map *map, const struct tsim_model *m)
{
    map->model = m;
    map->ts_field = tsim__strdup("ts");
    map->ts_unit = TSIM__TS_S;
    map->late = 0;
    double per_hour = tsim_unit_factor("h", tsim_model_time_unit(m));
    map->max_gap = 24 * (per_hour > 0 ? per_hour : 1);
    map->ahead = 5 * (per_hour > 0 ? per_hour : 1) / 60;
    map->id_field = tsim__strdup("seq");
    map->max_payload = TSIM__MAP_PAYLOAD_DEFAULT;
    map->qos = 1;
    for (int i = 0; i < TSIM__PS_COUNT; i++) map->state_word[i] = tsim__strdup(pstate_names[i]);
    map->action_word[0] = tsim__strdup("leave");
    map->action_word[1] = tsim__strdup("enter");
    map->replications = 30;
    map->seed = 1;
    map->horizon_mode = 1;
    map->horizon = 8 * (per_hour > 0 ? per_hour : 1);
    map->every_s = 0;
}

struct tsim__map *tsim__map_load(const char *text, size_t len, const struct tsim_model *m,
                                 struct tsim_diags *diags)
{
    static const char *const keys[] = {"time", "id", "max_payload", "qos", "names", "products",
                                       "states", "actions", "events", "twin", "forecast",
                                       "alerts", "emulator", "model", "subscribe", "vda5050"};
    struct tsim__map *map = tsim__calloc(1, sizeof *map);
    map_defaults(map, m);
    struct ctx c = {.map = map, .m = m, .d = diags, .unit = tsim_model_time_unit(m)};
    size_t errors0 = diags->errors;

    struct tsim__yaml y;
    tsim__yaml_init(&y, "mapping file", TSIM_MODEL_MAX_BYTES, diags);
    c.y = &y;
    struct fy_node *root = NULL;
    if (tsim__yaml_read(&y, text, len) != 0) {
        /* reported */
    } else if (!(root = y.root) || !fy_node_is_mapping(root)) {
        tsim_diags_add(diags, TSIM_ERROR, 1, 1, "a mapping file must be a YAML mapping");
    } else {
        /* Aliases first: rules may name blocks by their plant names. */
        struct fy_node *pk, *pv;
        for (void *it = NULL; next_pair(root, &it, &pk, &pv);) {
            const char *key = scalar(&c, pk);
            if (key && strcmp(key, "names") == 0) read_aliases(&c, pk, pv, 0);
            else if (key && strcmp(key, "products") == 0) read_aliases(&c, pk, pv, 1);
        }
        for (void *it = NULL; next_pair(root, &it, &pk, &pv);) {
            const char *key = scalar(&c, pk), *s;
            long n;
            if (!key) {
                err_at(&c, pk, "mapping keys must be plain names");
                continue;
            }
            if (strcmp(key, "names") == 0 || strcmp(key, "products") == 0 ||
                strcmp(key, "model") == 0)
                continue;
            if (strcmp(key, "time") == 0) read_time(&c, pk, pv);
            else if (strcmp(key, "id") == 0) {
                if ((s = need_scalar(&c, pk, pv))) {
                    tsim__free(map->id_field);
                    map->id_field = *s && strcmp(s, "none") != 0 ? tsim__strdup(s) : NULL;
                }
            } else if (strcmp(key, "max_payload") == 0) {
                if ((s = need_scalar(&c, pk, pv)) &&
                    parse_int(s, 64, TSIM__MAP_PAYLOAD_MAX, &n) == 0)
                    map->max_payload = (size_t)n;
                else if (s)
                    err_at(&c, pv, "bad max_payload '%s' (64 to %u bytes)", s,
                           TSIM__MAP_PAYLOAD_MAX);
            } else if (strcmp(key, "qos") == 0) {
                if ((s = need_scalar(&c, pk, pv)) && parse_int(s, 0, 2, &n) == 0)
                    map->qos = (int)n;
                else if (s) err_at(&c, pv, "bad qos '%s' (0, 1 or 2)", s);
            } else if (strcmp(key, "states") == 0) read_states(&c, pk, pv);
            else if (strcmp(key, "actions") == 0) read_actions(&c, pk, pv);
            else if (strcmp(key, "events") == 0) read_events(&c, pk, pv);
            else if (strcmp(key, "twin") == 0) read_twin(&c, pk, pv);
            else if (strcmp(key, "forecast") == 0) read_forecast(&c, pk, pv);
            else if (strcmp(key, "alerts") == 0) read_alerts(&c, pk, pv);
            else if (strcmp(key, "emulator") == 0) read_emulator(&c, pk, pv);
            else if (strcmp(key, "subscribe") == 0) read_subscribe(&c, pk, pv);
            else if (strcmp(key, "vda5050") == 0) tsim__vda_read(map, m, diags, &y, pk, pv);
            else unknown_key(&c, pk, "the mapping", keys, 16);
        }
        if (map->nrules == 0 && diags->errors == errors0)
            tsim_diags_add(diags, TSIM_ERROR, 1, 1, "the mapping has no 'events'");
        for (int i = 0; i < TSIM__PS_COUNT; i++)
            for (int j = 0; j < i; j++)
                if (strcmp(map->state_word[i], map->state_word[j]) == 0)
                    tsim_diags_add(diags, TSIM_ERROR, 0, 0,
                                   "states '%s' and '%s' have the same plant word '%s'",
                                   pstate_names[j], pstate_names[i], map->state_word[i]);
        if (c.act_enter && c.act_leave && strcmp(c.act_enter, c.act_leave) == 0)
            tsim_diags_add(diags, TSIM_ERROR, 0, 0, "actions 'enter' and 'leave' are both '%s'",
                           c.act_enter);
    }
    if (c.act_enter) {
        tsim__free(map->action_word[1]);
        map->action_word[1] = c.act_enter;
        c.act_enter = NULL;
    }
    if (c.act_leave) {
        tsim__free(map->action_word[0]);
        map->action_word[0] = c.act_leave;
        c.act_leave = NULL;
    }
    tsim__free(c.act_enter);
    tsim__free(c.act_leave);
    tsim__yaml_release(&y);
    if (diags->errors != errors0) {
        tsim__map_destroy(map);
        return NULL;
    }
    return map;
}

struct tsim__map *tsim__map_load_file(const char *path, const struct tsim_model *m,
                                      struct tsim_diags *diags)
{
    struct tsim__yaml y;
    tsim__yaml_init(&y, "mapping file", TSIM_MODEL_MAX_BYTES, diags);
    char *buf;
    size_t n;
    if (tsim__yaml_read_file(&y, path, &buf, &n) != 0) return NULL;
    struct tsim__map *map = tsim__map_load(buf, n, m, diags);
    tsim__free(buf);
    return map;
}

void tsim__map_destroy(struct tsim__map *map)
{
    if (!map) return;
    tsim__free(map->ts_field);
    tsim__free(map->id_field);
    for (int i = 0; i < map->nblocks; i++) tsim__free(map->blocks[i].plant);
    tsim__free(map->blocks);
    for (int i = 0; i < map->nproducts; i++) tsim__free(map->products[i].plant);
    tsim__free(map->products);
    for (int i = 0; i < TSIM__PS_COUNT; i++) tsim__free(map->state_word[i]);
    tsim__free(map->action_word[0]);
    tsim__free(map->action_word[1]);
    for (int i = 0; i < map->nrules; i++) {
        tsim__free(map->rules[i].topic);
        tsim__free(map->rules[i].filter);
        for (int j = 0; j < TSIM__R_COUNT; j++) tsim__free(map->rules[i].field[j]);
    }
    tsim__free(map->rules);
    for (int i = 0; i < map->nsubscribe; i++) tsim__free(map->subscribe[i]);
    tsim__free(map->subscribe);
    tsim__free(map->topic_command);
    tsim__free(map->topic_forecast);
    tsim__free(map->topic_alert);
    tsim__free(map->topic_state);
    tsim__free(map->topic_status);
    tsim__free(map->alerts);
    tsim__vda_destroy(map->vda);
    tsim__free(map);
}

const char *tsim__map_block_name(const struct tsim__map *map, int block)
{
    for (int i = 0; i < map->nblocks; i++)
        if (map->blocks[i].index == block) return map->blocks[i].plant;
    return tsim_model_block_name(map->model, block);
}

const char *tsim__map_product_name(const struct tsim__map *map, int product)
{
    for (int i = 0; i < map->nproducts; i++)
        if (map->products[i].index == product) return map->products[i].plant;
    return tsim_model_product_name(map->model, product);
}
