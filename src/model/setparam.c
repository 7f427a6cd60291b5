/*
 * Block parameters from text: how one key's text becomes a setter call, by the key's kind in the
 * block-type registry (src/blocks/registry.h), which says which keys each type accepts. The YAML
 * loader calls tsim__param_set for every scalar key of a block, and tsim_model_set_param (`--set
 * filler.servers=2`, experiment factors) calls the same function, so a value means the same and is
 * refused with the same words in both places.
 *
 * Parameters that a file writes as a mapping have a path form here: "filler.process.small"
 * (processing time of one product), "filler.failures.between" and "filler.failures.repair" (one
 * half of an existing failure model), "filler.failures.basis", "orders.release.wip" (a
 * source's CONWIP limit), and "crew.count" for an operators pool.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "logic/logic.h"
#include "model/params.h"

#include <stdio.h>
#include <string.h>

/* The keys of block type `type`, NULL-terminated, in `buf` (TSIM__NAMES_MAX entries). */
static const char *const *keys_of(enum tsim_block_type type, const char **buf)
{
    tsim__type_key_names((int)type, buf, TSIM__NAMES_MAX);
    return buf;
}

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

/* The index of the product (`shift` 0) or shift (`shift` 1) named by `text`, or an "undefined
 * ... (did you mean ...?)" error. */
static int named_index(const struct tsim_model *m, int shift, const char *text,
                       struct tsim__perr *e)
{
    char word[80];
    trimmed(text, word, sizeof word);
    int i = shift ? tsim_model_find_shift(m, word) : tsim_model_find_product(m, word);
    if (i >= 0) return i;
    struct tsim__suggest s;
    tsim__suggest_init(&s, word);
    int n = shift ? m->nshifts : m->nproducts;
    for (i = 0; i < n; i++) tsim__suggest_offer(&s, shift ? m->shifts[i].name : m->products[i]);
    return tsim__perr_set(e, TSIM_ENOENT, 0, "undefined %s '%s'%s", shift ? "shift" : "product",
                          word, tsim__suggest_text(&s));
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

/* A distribution-valued key: parse, check against the resolution, apply (which deep-copies),
 * release. */
static int set_dist(struct tsim_model *m, int block, const struct tsim__key *k, const char *text,
                    const char *base_dir, struct tsim__perr *e)
{
    struct tsim_dist d;
    int rc = tsim__parse_dist(&d, text, m->time_unit, base_dir, e);
    if (rc) return rc;
    char what[40];
    snprintf(what, sizeof what, "'%s'", k->name);
    if ((rc = tsim__check_resolution(m, what, &d, e))) {
        tsim_dist_release(&d);
        return rc;
    }
    rc = tsim__key_apply(m, block, k, &(struct tsim__value){0, 0, &d});
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
    const struct tsim__block_type *bt = tsim__block_type((int)type);
    const char *name = tsim_model_block_name(m, block);
    const char *names[TSIM__NAMES_MAX];
    char what[64];
    snprintf(what, sizeof what, "'%s'", key);
    int ki = tsim__key_index(bt, key);
    const struct tsim__key *k = ki >= 0 ? &bt->keys[ki] : NULL;
    if (k && type == TSIM_BUFFER && strcmp(key, "rule") == 0) {
        char err[200];
        int rc = tsim__seq_attach(m, block, text, base_dir, err, sizeof err);
        return rc ? tsim__perr_set(e, rc, 0, "%s", err) : 0;
    }
    if (!k || k->kind == TSIM__KEY_FORM || k->kind == TSIM__KEY_TEXT) {
        return tsim__perr_set(e, TSIM_ENOENT, 0, "unknown parameter '%s' of %s '%s'%s", key,
                              bt->name, name, tsim__suggest_list(key, keys_of(type, names)));
    }

    long long v = 0;
    double r = 0;
    int rc;
    char word[16];
    switch (k->kind) {
    case TSIM__KEY_DIST: return set_dist(m, block, k, text, base_dir, e);
    case TSIM__KEY_INT:
        if ((rc = tsim__parse_int(text, what, k->lo, k->hi, &v, e))) return rc;
        break;
    case TSIM__KEY_CAPACITY:
        if (strcmp(trimmed(text, word, sizeof word), "unlimited") == 0) break;
        if ((rc = tsim__parse_int(text, what, k->lo, k->hi, &v, e))) {
            if (rc == TSIM_ERANGE && strstr(e->msg, "at least"))
                strcat(e->msg, " (omit it for no limit)");
            return rc;
        }
        break;
    case TSIM__KEY_REAL:
        if ((rc = tsim__parse_real(text, what, &r, e))) return rc;
        if (!(r >= k->rlo && r < k->rhi))
            return tsim__perr_set(e, TSIM_ERANGE, 0, "'%s' must be in [%g, %g), got %g", key,
                                  k->rlo, k->rhi, r);
        break;
    case TSIM__KEY_CHOICE:
        if ((v = find_named(text, k->choices, k->noun, e)) < 0) return (int)v;
        break;
    case TSIM__KEY_PRODUCT:
        if ((v = named_index(m, 0, text, e)) < 0) return (int)v;
        break;
    case TSIM__KEY_SHIFT:
        if ((v = named_index(m, 1, text, e)) < 0) return (int)v;
        break;
    case TSIM__KEY_FORM:
    case TSIM__KEY_TEXT: break; /* refused above */
    }
    rc = tsim__key_apply(m, block, k, &(struct tsim__value){v, r, NULL});
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

/* Apply `param` (the path after the block name) to block `b`. A key that may be written per
 * product (a machine's `process`) takes "KEY.PRODUCT"; a block with `failures` takes their
 * halves and basis as "failures.between", ".repair" and ".basis". */
static int set_block_param(struct tsim_model *m, int b, const char *param, const char *value,
                           struct tsim__perr *e)
{
    enum tsim_block_type type = tsim_model_block_type(m, b);
    const struct tsim__block_type *bt = tsim__block_type((int)type);
    if (type == TSIM_SOURCE && strcmp(param, "interarrival") == 0) {
        int rc = endless_interarrival(m, b, value, e);
        if (rc) return rc;
    }
    const char *dot = strchr(param, '.');
    char head[64];
    size_t n = dot ? (size_t)(dot - param) : strlen(param);
    if (n >= sizeof head) n = sizeof head - 1;
    memcpy(head, param, n);
    head[n] = '\0';
    int ki = tsim__key_index(bt, head);
    const struct tsim__key *k = ki >= 0 ? &bt->keys[ki] : NULL;
    int per_product = k && k->kind == TSIM__KEY_DIST && (k->flags & TSIM__KEY_BY_PRODUCT);
    if (dot && per_product) {
        int p = named_index(m, 0, dot + 1, e);
        if (p < 0) return p;
        return tsim__param_set_process(m, b, p, value, NULL, e);
    }
    if (k && strcmp(k->name, "failures") == 0 &&
        (strcmp(param, "failures.between") == 0 || strcmp(param, "failures.repair") == 0)) {
        int which;
        int between = strcmp(param, "failures.between") == 0;
        return tsim__param_set_failures(m, b, between ? value : NULL, between ? NULL : value,
                                        NULL, e, &which);
    }
    if (k && strcmp(param, "failures.basis") == 0)
        return tsim__param_set_failure_basis(m, b, value, e);
    if (k && strcmp(param, "release.wip") == 0) {
        /* The release's WIP limit; its set of blocks stays (a source without a release gets
         * one over the whole system). */
        long long wip;
        int rc = tsim__parse_int(value, "'release.wip'", 1, TSIM__COUNT_MAX, &wip, e);
        if (rc) return rc;
        const struct tsim__block_desc *d = &m->blocks[b];
        rc = tsim_source_set_release(m, b, (int)wip, d->release_n >= 0 ? d->release_list : NULL,
                                         d->release_n);
        return rc ? setter_failed(e, rc) : 0;
    }
    if (!dot && per_product) {
        /* A whole new processing time: it replaces the per-product ones too, as writing
         * `process: X` in the file would. */
        int rc = tsim__param_set(m, b, param, value, NULL, e);
        if (rc == 0) tsim__machine_clear_product_process(m, b);
        return rc;
    }
    return tsim__param_set(m, b, param, value, NULL, e);
}

/* What `path` names: a block (`*block`, -1 if not) or an operators pool (`*pool`), with the name
 * in `name` (room for the path) and the rest after the dot in `*param`. Names may themselves hold
 * dots, so each dot is tried in turn: the first prefix that names a block or a pool decides.
 * Returns 1 if one does. */
static int split_path(const struct tsim_model *m, const char *path, char *name, int *block,
                      int *pool, const char **param)
{
    size_t len = strlen(path);
    *block = *pool = -1;
    for (size_t i = 0; i < len; i++) {
        if (path[i] != '.') continue;
        memcpy(name, path, i);
        name[i] = '\0';
        *param = path + i + 1;
        int b = tsim_model_find_block(m, name), p = b >= 0 ? -1 : tsim_model_find_operators(m, name);
        if (b >= 0 || p >= 0) {
            *block = b >= 0 ? b : -1;
            *pool = p >= 0 ? p : -1;
            return 1;
        }
    }
    return 0;
}

int tsim_model_param_block(const struct tsim_model *m, const char *path)
{
    TSIM__ASSERT(m && path, "NULL argument");
    char *name = tsim__malloc(strlen(path) + 1);
    int b, pool;
    const char *param;
    split_path(m, path, name, &b, &pool, &param);
    tsim__free(name);
    return b;
}

int tsim_model_set_param(struct tsim_model *m, const char *path, const char *value)
{
    TSIM__ASSERT(m && path && value, "NULL argument");
    struct tsim__perr e;
    e.msg[0] = '\0';
    size_t len = strlen(path);
    char *name = tsim__malloc(len + 1);
    int rc = TSIM_ENOENT, block, pool;
    const char *param;
    int found = split_path(m, path, name, &block, &pool, &param);
    if (found && block >= 0) {
        rc = set_block_param(m, block, param, value, &e);
    } else if (found) {
        long long v;
        if (strcmp(param, "count") != 0) {
            rc = tsim__perr_set(
                &e, TSIM_ENOENT, 0, "unknown parameter '%s' of operators '%s'%s", param, name,
                tsim__suggest_list(param, (const char *const[]){"count", NULL}));
        } else if ((rc = tsim__parse_int(value, "'count'", 1, TSIM__COUNT_MAX, &v, &e)) == 0) {
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
