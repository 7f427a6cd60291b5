/*
 * Block parameters from text: which keys each block type accepts, and how one key's text becomes
 * a setter call. The YAML loader calls tsim__param_set for every scalar key of a block, and
 * tsim_model_set_param (`--set filler.servers=2`, experiment factors) calls the same function, so
 * a value means the same and is refused with the same words in both places.
 *
 * Parameters that a file writes as a mapping have a path form here: "filler.process.small"
 * (processing time of one product), "filler.failures.between" and "filler.failures.repair" (one
 * half of an existing failure model), "filler.failures.basis", and "crew.count" for an operators
 * pool.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "model/params.h"

#include <stdio.h>
#include <string.h>

static const char *const source_keys[] = {"interarrival", "product", "limit", "batch",
                                          "population",   "due",     "to",    "description",
                                          NULL};
static const char *const buffer_keys[] = {"capacity", "discipline", "when_full", "to",
                                          "description", NULL};
static const char *const delay_keys[] = {"time", "to", "description", NULL};
static const char *const machine_keys[] = {"servers", "process", "setup",     "failures",
                                           "needs",   "scrap",   "when_full", "shift",
                                           "to",      "description", NULL};
static const char *const assembly_keys[] = {"parts", "process", "product",     "failures",
                                            "needs", "shift",   "description", "to",
                                            NULL};
static const char *const split_keys[] = {"into", "to", "description", NULL};
static const char *const sink_keys[] = {"description", NULL};

const char *const *tsim__block_keys(enum tsim_block_type type)
{
    switch (type) {
    case TSIM_SOURCE: return source_keys;
    case TSIM_BUFFER: return buffer_keys;
    case TSIM_DELAY: return delay_keys;
    case TSIM_MACHINE: return machine_keys;
    case TSIM_ASSEMBLY: return assembly_keys;
    case TSIM_SPLIT: return split_keys;
    case TSIM_SINK: return sink_keys;
    case TSIM_BLOCK_TYPE_COUNT: break;
    }
    return sink_keys;
}

static int has_key(enum tsim_block_type type, const char *key)
{
    for (const char *const *k = tsim__block_keys(type); *k; k++) {
        if (strcmp(*k, key) == 0) return 1;
    }
    return 0;
}

/* Upper bounds on counts: far beyond any factory, low enough that no later product of two of
 * them overflows. A machine's servers each take state and calendar room in every sim, hence
 * their own bound (tsim_machine_set_servers). */
#define COUNT_MAX 1000000LL
#define CAPACITY_MAX 1000000000000LL
#define SERVERS_MAX 100000LL

static const char *const disciplines[] = {"fifo", "lifo", "priority", "spt", "edd", NULL};
static const char *const when_full_values[] = {"block", "drop", NULL};
static const char *const failure_bases[] = {"operating", "calendar", NULL}; /* enum's order */

/* A setter refused what the parser let through: pass its own words on. */
static int setter_failed(struct tsim__perr *e, int rc)
{
    return tsim__perr_set(e, rc, 0, "%s", tsim__errmsg_body());
}

/* `text` with surrounding blanks removed, in `buf`. */
static const char *trimmed(const char *text, char *buf, size_t size)
{
    while (*text == ' ' || *text == '\t') text++;
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t')) n--;
    if (n >= size) n = size - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}

static int find_named(const char *text, const char *const *names, const char *what,
                      struct tsim__perr *e)
{
    char word[80];
    trimmed(text, word, sizeof word);
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], word) == 0) return i;
    }
    const char *hint = tsim__suggest_list(word, names);
    if (!hint[0]) {
        char list[120] = "";
        for (int i = 0; names[i]; i++) {
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
        }
        return tsim__perr_set(e, TSIM_EPARSE, 0, "unknown %s '%s' (use %s)", what, word, list);
    }
    return tsim__perr_set(e, TSIM_EPARSE, 0, "unknown %s '%s'%s", what, word, hint);
}

/* The index of product `text`, or a "did you mean" error. */
static int product_index(const struct tsim_model *m, const char *text, struct tsim__perr *e)
{
    char word[80];
    trimmed(text, word, sizeof word);
    int p = tsim_model_find_product(m, word);
    if (p >= 0) return p;
    struct tsim__suggest s;
    tsim__suggest_init(&s, word);
    for (int i = 0; i < m->nproducts; i++) tsim__suggest_offer(&s, m->products[i]);
    return tsim__perr_set(e, TSIM_ENOENT, 0, "undefined product '%s'%s", word,
                          tsim__suggest_text(&s));
}

static int shift_index(const struct tsim_model *m, const char *text, struct tsim__perr *e)
{
    char word[80];
    trimmed(text, word, sizeof word);
    int s_ = tsim_model_find_shift(m, word);
    if (s_ >= 0) return s_;
    struct tsim__suggest s;
    tsim__suggest_init(&s, word);
    for (int i = 0; i < m->nshifts; i++) tsim__suggest_offer(&s, m->shifts[i].name);
    return tsim__perr_set(e, TSIM_ENOENT, 0, "undefined shift '%s'%s", word,
                          tsim__suggest_text(&s));
}

int tsim__check_resolution(const struct tsim_model *m, const char *what,
                           const struct tsim_dist *d, struct tsim__perr *e)
{
    double mean = tsim_dist_mean(d);
    if (!(mean > 0) || mean * m->ticks_per_unit >= 1) return 0;
    char got[40], tick[40];
    tsim__fmt_num(got, sizeof got, mean);
    tsim__fmt_num(tick, sizeof tick, 1 / m->ticks_per_unit);
    return tsim__perr_set(e, TSIM_ERANGE, 0,
                          "%s has mean %s %s, below the model's resolution (%s %s): set "
                          "'resolution' or change the unit",
                          what, got, m->time_unit, tick, m->time_unit);
}

/* The distribution-valued parameters share one shape: parse, set (which deep-copies), release. */
static int set_dist(struct tsim_model *m, int block, const char *key, const char *text,
                    const char *base_dir, struct tsim__perr *e)
{
    struct tsim_dist d;
    int rc = tsim__parse_dist(&d, text, m->time_unit, base_dir, e);
    if (rc) return rc;
    char what[40];
    snprintf(what, sizeof what, "'%s'", key);
    if ((rc = tsim__check_resolution(m, what, &d, e))) {
        tsim_dist_release(&d);
        return rc;
    }
    if (strcmp(key, "interarrival") == 0)
        rc = tsim_source_set_interarrival(m, block, &d);
    else if (strcmp(key, "due") == 0)
        rc = tsim_source_set_due(m, block, &d);
    else if (strcmp(key, "time") == 0)
        rc = tsim_delay_set_time(m, block, &d);
    else if (strcmp(key, "setup") == 0)
        rc = tsim_machine_set_setup(m, block, &d);
    else
        rc = tsim_machine_set_process(m, block, -1, &d);
    tsim_dist_release(&d);
    return rc ? setter_failed(e, rc) : 0;
}

int tsim__param_set_process(struct tsim_model *m, int block, int product, const char *text,
                            const char *base_dir, struct tsim__perr *e)
{
    struct tsim_dist d;
    int rc = tsim__parse_dist(&d, text, m->time_unit, base_dir, e);
    if (rc) return rc;
    char what[120];
    if (product >= 0)
        snprintf(what, sizeof what, "the processing time of '%s'", m->products[product]);
    else
        snprintf(what, sizeof what, "'process'");
    if ((rc = tsim__check_resolution(m, what, &d, e))) {
        tsim_dist_release(&d);
        return rc;
    }
    rc = tsim_machine_set_process(m, block, product, &d);
    tsim_dist_release(&d);
    return rc ? setter_failed(e, rc) : 0;
}

int tsim__param_set_failures(struct tsim_model *m, int block, const char *between,
                             const char *repair, const char *base_dir, struct tsim__perr *e,
                             int *which)
{
    const struct tsim__block_desc *b = &m->blocks[block];
    if ((!between || !repair) && !b->has_failures)
        return tsim__perr_set(e, TSIM_ENOENT, 0,
                              "%s '%s' has no failures to change (give 'between' and "
                              "'repair' together)",
                              tsim_block_type_name(b->type), b->name);
    struct tsim_dist db, dr;
    int rc;
    *which = 0;
    if (between) {
        if ((rc = tsim__parse_dist(&db, between, m->time_unit, base_dir, e))) return rc;
        if ((rc = tsim__check_resolution(m, "'between'", &db, e))) {
            tsim_dist_release(&db);
            return rc;
        }
    } else {
        tsim_dist_copy(&db, &b->between);
    }
    *which = 1;
    if (repair) {
        if ((rc = tsim__parse_dist(&dr, repair, m->time_unit, base_dir, e))) {
            tsim_dist_release(&db);
            return rc;
        }
        if ((rc = tsim__check_resolution(m, "'repair'", &dr, e))) {
            tsim_dist_release(&db);
            tsim_dist_release(&dr);
            return rc;
        }
    } else {
        tsim_dist_copy(&dr, &b->repair);
    }
    *which = -1;
    rc = tsim_machine_set_failures(m, block, &db, &dr);
    tsim_dist_release(&db);
    tsim_dist_release(&dr);
    return rc ? setter_failed(e, rc) : 0;
}

int tsim__param_set_failure_basis(struct tsim_model *m, int block, const char *text,
                                  struct tsim__perr *e)
{
    int k = find_named(text, failure_bases, "failure basis", e);
    if (k < 0) return k;
    int rc = tsim_machine_set_failure_basis(m, block, (enum tsim_failure_basis)k);
    return rc ? setter_failed(e, rc) : 0;
}

int tsim__param_set(struct tsim_model *m, int block, const char *key, const char *text,
                    const char *base_dir, struct tsim__perr *e)
{
    enum tsim_block_type type = tsim_model_block_type(m, block);
    const char *name = tsim_model_block_name(m, block);
    char what[64];
    snprintf(what, sizeof what, "'%s'", key);
    if (!has_key(type, key) || strcmp(key, "to") == 0 || strcmp(key, "failures") == 0 ||
        strcmp(key, "needs") == 0 || strcmp(key, "parts") == 0 ||
        strcmp(key, "description") == 0) {
        return tsim__perr_set(e, TSIM_ENOENT, 0, "unknown parameter '%s' of %s '%s'%s", key,
                              tsim_block_type_name(type), name,
                              tsim__suggest_list(key, tsim__block_keys(type)));
    }

    long long v;
    int rc;
    if (strcmp(key, "interarrival") == 0 || strcmp(key, "due") == 0 ||
        strcmp(key, "time") == 0 || strcmp(key, "setup") == 0 || strcmp(key, "process") == 0)
        return set_dist(m, block, key, text, base_dir, e);

    if (strcmp(key, "limit") == 0) {
        if ((rc = tsim__parse_int(text, what, 1, INT64_MAX, &v, e))) return rc;
        rc = tsim_source_set_limit(m, block, (uint64_t)v);
    } else if (strcmp(key, "batch") == 0) {
        if ((rc = tsim__parse_int(text, what, 1, COUNT_MAX, &v, e))) return rc;
        rc = tsim_source_set_batch(m, block, (int)v);
    } else if (strcmp(key, "population") == 0) {
        if ((rc = tsim__parse_int(text, what, 0, COUNT_MAX, &v, e))) return rc;
        rc = tsim_source_set_population(m, block, (int)v);
    } else if (strcmp(key, "product") == 0) {
        int p = product_index(m, text, e);
        if (p < 0) return p;
        if (type == TSIM_SOURCE) {
            double one = 1.0;
            rc = tsim_source_set_mix(m, block, &p, &one, 1);
        } else {
            rc = tsim_assembly_set_product(m, block, p);
        }
    } else if (strcmp(key, "capacity") == 0) {
        char word[16];
        if (strcmp(trimmed(text, word, sizeof word), "unlimited") == 0) {
            v = 0;
        } else if ((rc = tsim__parse_int(text, what, 1, CAPACITY_MAX, &v, e))) {
            if (rc == TSIM_ERANGE && strstr(e->msg, "at least"))
                strcat(e->msg, " (omit it for no limit)");
            return rc;
        }
        rc = tsim_buffer_set_capacity(m, block, (uint64_t)v);
    } else if (strcmp(key, "discipline") == 0) {
        int k = find_named(text, disciplines, "discipline", e);
        if (k < 0) return k;
        rc = tsim_buffer_set_discipline(m, block, (enum tsim_discipline)k);
    } else if (strcmp(key, "when_full") == 0) {
        int k = find_named(text, when_full_values, "'when_full' value", e);
        if (k < 0) return k;
        /* A machine 'full' is a machine with no free server: drop makes it a loss system. */
        rc = tsim_model_block_type(m, block) == TSIM_MACHINE ? tsim_machine_set_drop(m, block, k)
                                                             : tsim_buffer_set_drop(m, block, k);
    } else if (strcmp(key, "servers") == 0) {
        if ((rc = tsim__parse_int(text, what, 1, SERVERS_MAX, &v, e))) return rc;
        rc = tsim_machine_set_servers(m, block, (int)v);
    } else if (strcmp(key, "scrap") == 0) {
        double f;
        if ((rc = tsim__parse_real(text, what, &f, e))) return rc;
        if (f < 0.0 || f >= 1.0)
            return tsim__perr_set(e, TSIM_ERANGE, 0, "'scrap' must be in [0, 1), got %g", f);
        rc = tsim_machine_set_scrap(m, block, f);
    } else if (strcmp(key, "shift") == 0) {
        int s = shift_index(m, text, e);
        if (s < 0) return s;
        rc = tsim_machine_set_shift(m, block, s);
    } else { /* into */
        if ((rc = tsim__parse_int(text, what, 1, COUNT_MAX, &v, e))) return rc;
        rc = tsim_split_set_into(m, block, (int)v);
    }
    return rc ? setter_failed(e, rc) : 0;
}

/* A source without a `limit` cannot take an interarrival of mean 0: it would make entities
 * without end at time 0. The loader says so once the whole block is read (the limit may come
 * after); a change of a loaded model is checked here, where the limit is known. */
static int endless_interarrival(struct tsim_model *m, int b, const char *value,
                                struct tsim__perr *e)
{
    const struct tsim__block_desc *d = &m->blocks[b];
    if (d->limit) return 0;
    struct tsim_dist dist;
    if (tsim__parse_dist(&dist, value, m->time_unit, NULL, e) != 0) return 0; /* said later */
    double mean = tsim_dist_mean(&dist);
    tsim_dist_release(&dist);
    if (mean > 0) return 0;
    return tsim__perr_set(e, TSIM_ERANGE, 0,
                          "'interarrival' of source '%s' has mean 0 and no 'limit', so it never "
                          "ends",
                          d->name);
}

/* Apply `param` (the path after the block name) to block `b`. */
static int set_block_param(struct tsim_model *m, int b, const char *param, const char *value,
                           struct tsim__perr *e)
{
    enum tsim_block_type type = tsim_model_block_type(m, b);
    if (type == TSIM_SOURCE && strcmp(param, "interarrival") == 0) {
        int rc = endless_interarrival(m, b, value, e);
        if (rc) return rc;
    }
    if (strncmp(param, "process.", 8) == 0 &&
        (type == TSIM_MACHINE || type == TSIM_ASSEMBLY)) {
        int p = product_index(m, param + 8, e);
        if (p < 0) return p;
        return tsim__param_set_process(m, b, p, value, NULL, e);
    }
    if ((type == TSIM_MACHINE || type == TSIM_ASSEMBLY) &&
        (strcmp(param, "failures.between") == 0 ||
         strcmp(param, "failures.repair") == 0)) {
        int which;
        int between = strcmp(param, "failures.between") == 0;
        return tsim__param_set_failures(m, b, between ? value : NULL, between ? NULL : value,
                                        NULL, e, &which);
    }
    if ((type == TSIM_MACHINE || type == TSIM_ASSEMBLY) && strcmp(param, "failures.basis") == 0)
        return tsim__param_set_failure_basis(m, b, value, e);
    if ((type == TSIM_MACHINE || type == TSIM_ASSEMBLY) && strcmp(param, "process") == 0) {
        /* A whole new processing time: it replaces the per-product ones too, as writing
         * `process: X` in the file would. */
        int rc = tsim__param_set(m, b, param, value, NULL, e);
        if (rc == 0) tsim__machine_clear_product_process(m, b);
        return rc;
    }
    return tsim__param_set(m, b, param, value, NULL, e);
}

int tsim_model_set_param(struct tsim_model *m, const char *path, const char *value)
{
    TSIM__ASSERT(m && path && value, "NULL argument");
    struct tsim__perr e;
    e.msg[0] = '\0';
    /* Names may themselves hold dots, so try each dot in turn: the first prefix that names a
     * block or an operators pool decides. */
    size_t len = strlen(path);
    char *name = tsim__malloc(len + 1);
    int rc = TSIM_ENOENT, found = 0;
    for (size_t i = 0; i < len && !found; i++) {
        if (path[i] != '.') continue;
        memcpy(name, path, i);
        name[i] = '\0';
        const char *param = path + i + 1;
        int b = tsim_model_find_block(m, name);
        if (b >= 0) {
            found = 1;
            rc = set_block_param(m, b, param, value, &e);
            break;
        }
        int pool = tsim_model_find_operators(m, name);
        if (pool >= 0) {
            found = 1;
            long long v;
            if (strcmp(param, "count") != 0) {
                rc = tsim__perr_set(
                    &e, TSIM_ENOENT, 0, "unknown parameter '%s' of operators '%s'%s", param, name,
                    tsim__suggest_list(param, (const char *const[]){"count", NULL}));
            } else if ((rc = tsim__parse_int(value, "'count'", 1, COUNT_MAX, &v, &e)) == 0) {
                /* A block that needs more operators than the pool would have could never work. */
                for (int k = 0; k < m->nblocks && rc == 0; k++) {
                    const struct tsim__block_desc *d = &m->blocks[k];
                    if (d->need.pool == pool && d->need.count > v)
                        rc = tsim__perr_set(&e, TSIM_ERANGE, 0,
                                            "'count' %lld of '%s' is below the %d operators %s "
                                            "'%s' needs",
                                            v, name, d->need.count,
                                            tsim_block_type_name(d->type), d->name);
                }
                if (rc == 0) rc = tsim_model_set_pool_count(m, pool, (int)v);
                if (rc && !e.msg[0]) setter_failed(&e, rc);
            }
            break;
        }
    }
    if (!found) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : len;
        memcpy(name, path, n);
        name[n] = '\0';
        struct tsim__suggest s;
        tsim__suggest_init(&s, name);
        for (int b = 0; b < m->nblocks; b++) tsim__suggest_offer(&s, m->blocks[b].name);
        for (int p = 0; p < m->npools; p++) tsim__suggest_offer(&s, m->pools[p].name);
        rc = tsim__perr_set(&e, TSIM_ENOENT, 0,
                            dot ? "unknown block or operators pool '%s'%s"
                                : "expected BLOCK.PARAMETER, got '%s'%s",
                            dot ? name : path, dot ? tsim__suggest_text(&s) : "");
    }
    tsim__free(name);
    if (rc) return tsim__fail(rc, __func__, "%s: %s", path, e.msg);
    return 0;
}
