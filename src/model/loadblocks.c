/*
 * The blocks of a model file, their routes, and the checks of the model as a whole: the second
 * half of the loader (loader.c reads the document and everything blocks refer to). Each block
 * becomes a tsim_model_add_block and one public setter call per parameter, its scalar values
 * read by params.h's tsim__param_set, the path tsim_model_set_param takes too.
 *
 * Invariant: blocks are added in file order and never removed, so the loader's blockinfo index
 * of a block is its model index.
 */
#include "blocks/desc.h"
#include "blocks/dock.h"
#include "blocks/picking.h"
#include "blocks/storage.h"
#include "core/core.h"
#include "logic/logic.h"
#include "model/loader.h"
#include "model/params.h"
#include "model/ordercsv.h"
#include "model/stockcsv.h"
#include "model/truckcsv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------------------------------
 * Blocks
 * ------------------------------------------------------------------------------------------- */

static int is_block_key(const char *key)
{
    for (int t = 0; t < tsim__block_type_n; t++) {
        if (tsim__key_index(tsim__block_type(t), key) >= 0) return 1;
    }
    return strcmp(key, "to") == 0;
}

/* A block's data file (stock_file, orders_file, appointments_file): its path relative to the
 * model file's folder, read by `read` into block `bd`, which first drops what the block held; a
 * problem in the file is reported at the key's value `p`, with the file, line and column in the
 * CSV. `name`: the path as written. */
typedef int (*data_reader)(struct loader *ld, struct tsim__block_desc *bd, const char *path,
                           const char *name, char *err, size_t size);

static void load_data_file(struct loader *ld, struct tsim__block_desc *bd, const char *name,
                           struct pos p, data_reader read)
{
    char *path = tsim__ld_data_path(ld, name);
    char err[512];
    if (read(ld, bd, path, name, err, sizeof err) != 0) tsim__ld_err(ld, p, "%s", err);
    tsim__free(path);
}

static int read_stock(struct loader *ld, struct tsim__block_desc *bd, const char *path,
                      const char *name, char *err, size_t size)
{
    tsim__stock_release(&bd->stock);
    struct tsim__stock_room room = {tsim__block_val(bd, "bays")->i,
                                    tsim__block_val(bd, "levels")->i, 1, 0, 0};
    tsim__storage_stock_room(bd, &room.loads, &room.one_product, &room.lanes);
    return tsim__stock_read(path, ld->m, &room, name, &bd->stock, err, size);
}

static int read_orders(struct loader *ld, struct tsim__block_desc *bd, const char *path,
                       const char *name, char *err, size_t size)
{
    tsim__orderlines_release(&bd->orders);
    if (tsim__orders_read(path, NULL, 0, ld->m, name, &bd->orders, err, size) != 0) return -1;
    tsim__orderlines_index(&bd->orders);
    return 0;
}

static int read_trucks(struct loader *ld, struct tsim__block_desc *bd, const char *path,
                       const char *name, char *err, size_t size)
{
    tsim__trucks_release(&bd->trucks);
    /* Without 'doors' (reported as missing) any door number is let through. */
    const struct tsim__val *doors = tsim__block_val(bd, "doors");
    const struct tsim__val *in = tsim__block_val(bd, "inbound_doors");
    const struct tsim__val *out = tsim__block_val(bd, "outbound_doors");
    struct tsim__truck_doors dd = {doors->set ? doors->i : INT32_MAX, in->set ? in->i : 0,
                                   out->set ? out->i : 0};
    if (tsim__trucks_read(path, NULL, 0, name, ld->m, &dd, &bd->trucks, err, size) != 0)
        return -1;
    tsim__trucks_index(&bd->trucks);
    return 0;
}

/* stock_file: a storage block's initial stock from a CSV file (model/stockcsv.c). */
static void load_stock(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    const char *s = tsim__ld_scalar(ld, v, "'stock_file'", kp);
    struct tsim__block_desc *bd = &ld->m->blocks[b];
    const struct tsim__val *bays = tsim__block_val(bd, "bays");
    const struct tsim__val *levels = tsim__block_val(bd, "levels");
    if (!s || !bays->set || !levels->set) return; /* reported already */
    struct pos p = tsim__ld_pos(v, kp);
    if (tsim__block_val(bd, "initial")->i != 0) {
        tsim__ld_err(ld, p, "'stock_file' and 'initial: full' both fill the rack: give one");
        return;
    }
    if (bays->i * levels->i > 1000000) return; /* the block's check reports it */
    load_data_file(ld, bd, s, p, read_stock);
}

/* orders_file: a picking block's order lines (model/ordercsv.c); appointments_file: a dock's
 * trucks (model/truckcsv.c). */
static void load_orders(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    const char *s = tsim__ld_scalar(ld, v, "'orders_file'", kp);
    if (s) load_data_file(ld, &ld->m->blocks[b], s, tsim__ld_pos(v, kp), read_orders);
}

static void load_trucks(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    const char *s = tsim__ld_scalar(ld, v, "'appointments_file'", kp);
    if (s) load_data_file(ld, &ld->m->blocks[b], s, tsim__ld_pos(v, kp), read_trucks);
}

/* Apply a scalar parameter through the path tsim_model_set_param also takes. */
/* Key `ki` of block `b` is written at `kp`: a check of the whole model may point there
 * (tsim__model_blame_key). */
static void note_key(struct tsim_model *m, int b, int ki, struct pos kp)
{
    if ((m->nkey_at & (m->nkey_at + 1)) == 0) /* at 0, 1, 3, 7, ...: room for twice as many */
        m->key_at = tsim__realloc(m->key_at, (size_t)(m->nkey_at + 1) * 2 * sizeof *m->key_at);
    int *k = m->key_at[m->nkey_at++];
    k[0] = b;
    k[1] = ki;
    k[2] = kp.line;
    k[3] = kp.col;
}

static int set_scalar(struct loader *ld, int b, const char *key, struct fy_node *v, struct pos kp)
{
    char what[40];
    snprintf(what, sizeof what, "'%s'", key);
    const char *s = tsim__ld_scalar(ld, v, what, kp);
    if (!s) return -1;
    struct tsim__perr e;
    if (tsim__param_set(ld->m, b, key, s, ld->base_dir, &e) != 0) {
        tsim__ld_value_err(ld, v, s, &e, kp);
        return -1;
    }
    return 0;
}

/* process: one distribution, or one per product ({small: 0.5, large: 0.9}). */
static int load_process(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!v || fy_node_get_type(v) != FYNT_MAPPING) return set_scalar(ld, b, "process", v, kp);
    if (fy_node_mapping_item_count(v) <= 0) {
        tsim__ld_err(ld, kp, "'process' is an empty mapping (give a time, or one per product)");
        return -1;
    }
    int ok = 1;
    int *covered = tsim__calloc((size_t)ld->m->nproducts + 1, sizeof *covered);
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        int prod = tsim__ld_product(ld, pr.key, pr.name, pr.at);
        const char *s = tsim__ld_scalar(ld, pr.v, "a processing time", pr.at);
        if (prod < 0 || !s) {
            ok = 0;
            continue;
        }
        struct tsim__perr e;
        if (tsim__param_set_process(ld->m, b, prod, s, ld->base_dir, &e) != 0) {
            tsim__ld_value_err(ld, pr.v, s, &e, pr.at);
            ok = 0;
        }
        covered[prod] = 1;
    }
    if (pr.bad) ok = 0;
    const struct tsim__block_desc *bd = &ld->m->blocks[b];
    /* A machine serves whatever comes; an assembly makes only its own (model-format.md). */
    for (int i = 0; ok && bd->type == TSIM_MACHINE && i < ld->m->nproducts; i++) {
        if (!covered[i]) {
            tsim__ld_err(ld, kp, "'process' of machine '%s' has no time for product '%s'", bd->name,
                         ld->m->products[i]);
            ok = 0;
        }
    }
    tsim__free(covered);
    return ok ? 0 : -1;
}

/*
 * A mapping of names to probabilities ({A: 0.7, B: 0.3}, mapping `v` at `kp`, n items, n > 0)
 * into `idx` and `prob`, each n long: each key is resolved to an index by `resolve` (-1: it
 * reported why), each value must be a probability, and the probabilities must sum to 1 (`what`
 * names the key in that message). The count read, or -1 once anything was reported.
 */
typedef int (*prob_key_fn)(struct loader *ld, struct fy_node *key, const char *text, struct pos at);

static int read_prob_map(struct loader *ld, struct fy_node *v, struct pos kp, prob_key_fn resolve,
                         const char *what, int *idx, double *prob)
{
    int k = 0, ok = 1;
    double sum = 0.0;
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        int i = resolve(ld, pr.key, pr.name, pr.at);
        const char *s = tsim__ld_scalar(ld, pr.v, "a probability", pr.at);
        struct tsim__perr e;
        if (i < 0 || !s) {
            ok = 0;
            continue;
        }
        if (tsim__parse_prob(s, "a probability", &prob[k], &e) != 0) {
            tsim__ld_value_err(ld, pr.v, s, &e, pr.at);
            ok = 0;
            continue;
        }
        idx[k] = i;
        sum += prob[k++];
    }
    if (pr.bad) ok = 0;
    if (ok && fabs(sum - 1.0) > 1e-9) {
        tsim__ld_err(ld, kp, "probabilities of '%s' sum to %.10g, not 1", what, sum);
        ok = 0;
    }
    return ok ? k : -1;
}

/* product of a source: one product, or a mix ({small: 0.7, large: 0.3}). */
static void load_mix(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!v || fy_node_get_type(v) != FYNT_MAPPING) {
        set_scalar(ld, b, "product", v, kp);
        return;
    }
    int n = fy_node_mapping_item_count(v);
    if (n <= 0) {
        tsim__ld_err(ld, kp, "empty product mix");
        return;
    }
    int *prod = tsim__malloc((size_t)n * sizeof *prod);
    double *prob = tsim__malloc((size_t)n * sizeof *prob);
    int k = read_prob_map(ld, v, kp, tsim__ld_product, "product", prod, prob);
    if (k >= 0 && tsim_source_set_mix(ld->m, b, prod, prob, k) != 0)
        tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
    tsim__free(prod);
    tsim__free(prob);
}

static const char *const failure_keys[] = {"between", "repair", "basis", NULL};

static void load_failures(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'failures'", kp)) return;
    static const char *const what[] = {"'between'", "'repair'", "'basis'"};
    const char *text[3];
    struct fy_node *node[3];
    struct pos at[3];
    tsim__ld_gather(ld, v, failure_keys, " in 'failures'", kp, node, at, what, text);
    int ok = 1;
    for (int k = 0; k < 3; k++)
        if (node[k] && !text[k]) ok = 0;
    for (int k = 0; k < 2 && ok; k++) {
        if (!node[k]) {
            tsim__ld_err(ld, kp, "'failures' needs '%s'", failure_keys[k]);
            ok = 0;
        }
    }
    if (!ok) return;
    struct tsim__perr e;
    int which = -1;
    if (tsim__param_set_failures(ld->m, b, text[0], text[1], ld->base_dir, &e, &which) != 0) {
        if (which >= 0)
            tsim__ld_value_err(ld, node[which], text[which], &e, at[which]);
        else
            tsim__ld_err(ld, kp, "%s", e.msg);
        return;
    }
    if (text[2] && tsim__param_set_failure_basis(ld->m, b, text[2], &e) != 0)
        tsim__ld_value_err(ld, node[2], text[2], &e, at[2]);
}

static const char *const need_for[] = {"setup", "process", "repair", NULL};

/* needs: {POOL: count, for: setup | process | repair or a list of them}; `for` defaults to
 * process. One pool per machine, as tsim_machine_set_needs takes. */
static void load_needs(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'needs'", kp)) return;
    int pool = -1, ok = 1;
    long long count = 0;
    unsigned mask = 0;
    const char *pool_name = NULL;
    struct pos count_at = kp;
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        if (strcmp(pr.name, "for") == 0) {
            /* One work or a list of them. */
            int list = pr.v && fy_node_get_type(pr.v) == FYNT_SEQUENCE;
            void *jt = NULL;
            struct fy_node *item = list ? fy_node_sequence_iterate(pr.v, &jt) : pr.v;
            if (list && !item) tsim__ld_err(ld, pr.at, "'for' lists no work"), ok = 0;
            for (; item; item = list ? fy_node_sequence_iterate(pr.v, &jt) : NULL) {
                const char *s = tsim__ld_scalar(ld, item, "'for'", pr.at);
                if (!s) {
                    ok = 0;
                    continue;
                }
                int k = tsim__ld_key_index(s, need_for);
                if (k < 0) {
                    const char *hint = tsim__suggest_list(s, need_for);
                    tsim__ld_err(ld, tsim__ld_pos(item, pr.at), "unknown work '%s' in 'for'%s", s,
                                 hint[0] ? hint : " (use setup, process or repair)");
                    ok = 0;
                    continue;
                }
                mask |= 1u << k;
            }
            continue;
        }
        if (pool_name) {
            tsim__ld_err(ld, pr.at, "a machine needs one operators pool, got '%s' and '%s'",
                         pool_name, pr.name);
            ok = 0;
            continue;
        }
        pool_name = pr.name;
        pool = tsim_model_find_operators(ld->m, pr.name);
        if (pool < 0) {
            struct tsim__suggest s;
            tsim__suggest_init(&s, pr.name);
            for (int i = 0; i < ld->m->npools; i++) tsim__suggest_offer(&s, ld->m->pools[i].name);
            tsim__ld_err(ld, pr.at, "undefined operators pool '%s'%s", pr.name,
                         tsim__suggest_text(&s));
            ok = 0;
        }
        const char *s = tsim__ld_scalar(ld, pr.v, "the number of operators", pr.at);
        struct tsim__perr e;
        count_at = tsim__ld_pos(pr.v, pr.at);
        if (!s) {
            ok = 0;
        } else if (tsim__parse_int(s, "the number of operators", 1, 1000000, &count, &e) != 0) {
            tsim__ld_value_err(ld, pr.v, s, &e, pr.at);
            ok = 0;
        }
    }
    if (pr.bad) ok = 0;
    if (!pool_name) {
        if (ok) tsim__ld_err(ld, kp, "'needs' names no operators pool");
        return;
    }
    if (!ok) return;
    if (count > ld->m->pools[pool].count) {
        tsim__ld_err(ld, count_at, "'needs' asks for %lld of '%s', which has only %d", count,
                     pool_name, ld->m->pools[pool].count);
        return;
    }
    if (mask == 0) mask = TSIM_NEED_PROCESS;
    /* need_for lists the works in the order of their TSIM_NEED_* bits. */
    if (tsim_machine_set_needs(ld->m, b, pool, (int)count, mask) != 0)
        tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
}

static void load_parts(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'parts'", kp)) return;
    if (fy_node_mapping_item_count(v) == 0) {
        tsim__ld_err(ld, kp, "'parts' lists no parts");
        return;
    }
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        int prod = tsim__ld_product(ld, pr.key, pr.name, pr.at);
        const char *s = tsim__ld_scalar(ld, pr.v, "a part count", pr.at);
        long long n;
        struct tsim__perr e;
        if (!s) continue;
        if (tsim__parse_int(s, "a part count", 1, 1000000, &n, &e) != 0) {
            tsim__ld_value_err(ld, pr.v, s, &e, pr.at);
            continue;
        }
        if (prod >= 0 && tsim_assembly_set_part(ld->m, b, prod, (int)n) != 0)
            tsim__ld_err(ld, pr.at, "%s", tsim__errmsg_body());
    }
}

/* Remember a block name that was written but could not be defined, so that routes to it are
 * not reported a second time. */
static void mark_broken(struct loader *ld, struct fy_node *n)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n)) return;
    size_t len;
    char *copy = tsim__ld_text(ld, n, &len);
    if (len == 0 || len > 200 || strlen(copy) != len) {
        tsim__free(copy);
        return;
    }
    tsim__grow((void **)&ld->broken, &ld->capbroken, ld->nbroken + 1, sizeof *ld->broken);
    ld->broken[ld->nbroken++] = copy;
}

static int is_broken(const struct loader *ld, const char *name)
{
    for (size_t i = 0; i < ld->nbroken; i++) {
        if (strcmp(ld->broken[i], name) == 0) return 1;
    }
    return 0;
}

/* The type key of a block mapping: the first key that names a block type. */
static struct fy_node_pair *type_pair(struct loader *ld, struct fy_node *blk, struct pos at,
                                      enum tsim_block_type *type)
{
    struct fy_node_pair *found = NULL, *first = NULL;
    const char *type_keys[TSIM__NAMES_MAX];
    tsim__type_names(type_keys, TSIM__NAMES_MAX);
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(blk, &it))) {
        struct fy_node *k = fy_node_pair_key(p);
        if (!first) first = p;
        if (!k || fy_node_get_type(k) != FYNT_SCALAR || fy_node_is_alias(k)) continue;
        size_t len;
        char *s = tsim__ld_text(ld, k, &len);
        for (int t = 0; t < tsim__block_type_n; t++) {
            if (strlen(type_keys[t]) == len && memcmp(type_keys[t], s, len) == 0) {
                if (found) {
                    tsim__ld_err(ld, tsim__ld_pos(k, at), "block has two types, '%s' and '%s'",
                                 tsim_block_type_name(*type), type_keys[t]);
                    continue;
                }
                found = p;
                *type = (enum tsim_block_type)t;
            }
        }
        tsim__free(s);
    }
    if (found || !first) {
        if (!first)
            tsim__ld_err(
                ld, at,
                "block %d of 'blocks' is empty (write '- machine: NAME' and its parameters)",
                ld->block_item);
        return found;
    }
    struct fy_node *k = fy_node_pair_key(first);
    struct pos kp = tsim__ld_pos(k, at);
    const char *key = tsim__ld_key(ld, first, at);
    if (!key) return NULL;
    mark_broken(ld, fy_node_pair_value(first));
    if (is_block_key(key)) {
        char list[400] = "";
        for (int t = 0; type_keys[t]; t++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     t == 0 ? "" : type_keys[t + 1] ? ", " : " or ", type_keys[t]);
        tsim__ld_err(ld, kp, "block has no type (start it with one of %s)", list);
    }
    else
        tsim__ld_err(ld, kp, "unknown block type '%s'%s", key, tsim__suggest_list(key, type_keys));
    return NULL;
}

/* The keys a block of type `bt` must give (TSIM__KEY_REQUIRED), and the groups of which it must
 * give one (TSIM__KEY_ONE_OF); `given` has bit i set for key i written. */
static void required_keys(struct loader *ld, const struct tsim__block_type *bt, const char *name,
                          unsigned long long given, struct pos at)
{
    char list[200] = "";
    int one_of = 0, have_one = 0, n = 0;
    for (int i = 0; bt->keys[i].name; i++) {
        if (!(bt->keys[i].flags & TSIM__KEY_ONE_OF)) continue;
        one_of++;
        have_one |= (given >> i) & 1;
    }
    for (int i = 0; one_of && !have_one && bt->keys[i].name; i++) {
        if (!(bt->keys[i].flags & TSIM__KEY_ONE_OF)) continue;
        n++;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'",
                 n == 1 ? "" : n == one_of ? " or " : ", ", bt->keys[i].name);
    }
    if (one_of && !have_one) tsim__ld_err(ld, at, "%s '%s' needs %s", bt->name, name, list);
    for (int i = 0; bt->keys[i].name; i++) {
        if ((bt->keys[i].flags & TSIM__KEY_REQUIRED) && !((given >> i) & 1))
            tsim__ld_err(ld, at, "%s '%s' has no '%s'", bt->name, name, bt->keys[i].name);
    }
}

void tsim__ld_block(struct loader *ld, struct fy_node *blk, struct pos at0)
{
    char buf[64];
    struct pos at = tsim__ld_pos(blk, at0);
    ld->block_item++;
    if (!blk || fy_node_is_alias(blk)) return;
    if (fy_node_get_type(blk) != FYNT_MAPPING) {
        tsim__ld_err(ld, at, "a block must be a mapping such as 'machine: NAME', not %s",
                     tsim__ld_describe(ld, blk, buf, sizeof buf));
        return;
    }
    enum tsim_block_type type = TSIM_SINK;
    struct fy_node_pair *tp = type_pair(ld, blk, at, &type);
    if (!tp) return;
    const char *tname = tsim_block_type_name(type);
    at = tsim__ld_pos(fy_node_pair_key(tp), at);
    struct fy_node *nv = fy_node_pair_value(tp);
    if (tsim__ld_is_null(nv)) {
        tsim__ld_err(ld, at, "missing name of %s (write '%s: NAME')", tname, tname);
        return;
    }
    char what[40];
    snprintf(what, sizeof what, "the name of a %s", tname);
    const char *name = tsim__ld_name(ld, nv, what, at);
    if (!name) {
        mark_broken(ld, nv);
        return;
    }
    int prev = tsim_model_find_block(ld->m, name);
    if (prev >= 0) {
        tsim__ld_err(ld, tsim__ld_pos(nv, at),
                     "duplicate block name '%s' (first defined at line %d)", name,
                     ld->blk[prev].pos.line);
        return;
    }
    if (ld->m->nblocks == BLOCKS_MAX) {
        tsim__ld_err(ld, at, "more than %d blocks", BLOCKS_MAX);
        ld->stop = 1;
        return;
    }
    int b = tsim_model_add_block(ld->m, type, name);
    if (b < 0) {
        tsim__ld_err(ld, at, "%s", tsim__errmsg_body());
        return;
    }
    /* Blocks are added in file order and never removed, so block index == info index. */
    tsim__grow((void **)&ld->blk, &ld->capblk, (size_t)b + 1, sizeof *ld->blk);
    ld->nblk = (size_t)b + 1;
    struct blockinfo *bi = &ld->blk[b];
    memset(bi, 0, sizeof *bi);
    bi->pos = at;
    bi->index = b;
    bi->type = type;

    const struct tsim__block_type *bt = tsim__block_type((int)type);
    const char *keys[TSIM__NAMES_MAX];
    int nkeys = tsim__type_key_names((int)type, keys, TSIM__NAMES_MAX);
    /* Handled here, not suggested: 'set' (a routed block's attributes) or 'to' (refused where
     * entities leave the model), then the type keys: this block's own, and a second one, which
     * type_pair reported already. */
    const char *more[TSIM__NAMES_MAX + 1];
    more[0] = (bt->flags & TSIM__TYPE_NO_ROUTE) ? "to" : "set";
    tsim__type_names(more + 1, TSIM__NAMES_MAX);
    char where[100];
    snprintf(where, sizeof where, " in %s '%s'", tname, name);
    const struct tsim__ld_keyset ks = {keys, more, "key", where};
    unsigned long long given = 0; /* bit i: key i of the type was written */
    struct fy_node *interarrival = NULL, *stock_file = NULL, *trucks_file = NULL;
    struct pos stock_pos = at, trucks_pos = at;
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int ki;
    while ((ki = tsim__ld_next_key_of(ld, blk, &it, &ks, at, &v, &kp)) != TSIM__LD_END) {
        if (ki == TSIM__LD_UNKNOWN || ki > nkeys) continue;
        if (ki == nkeys && (bt->flags & TSIM__TYPE_NO_ROUTE)) {
            tsim__ld_err(ld, kp, "%s '%s' cannot have 'to' (entities leave the model there)",
                         tname, name);
            continue;
        }
        if (ki == nkeys) {
            tsim__ld_set(ld, b, v, kp);
            continue;
        }
        const char *key = keys[ki];
        given |= 1ull << ki;
        note_key(ld->m, b, ki, kp);
        int mapping = v && fy_node_get_type(v) == FYNT_MAPPING;
        if (strcmp(key, "to") == 0) {
            bi->to = v;
            bi->to_pos = kp;
        } else if (bt->keys[ki].kind == TSIM__KEY_TEXT) {
            tsim__ld_scalar(ld, v, "'description'", kp);
        } else if (bt->keys[ki].kind == TSIM__KEY_DIST &&
                   (bt->keys[ki].flags & TSIM__KEY_BY_PRODUCT)) {
            load_process(ld, b, v, kp);
        } else if (bt->keys[ki].kind == TSIM__KEY_PRODUCT &&
                   (bt->keys[ki].flags & TSIM__KEY_BY_PRODUCT) && mapping) {
            load_mix(ld, b, v, kp);
        } else if (strcmp(key, "item_length") == 0 && mapping) {
            tsim__ld_item_lengths(ld, b, v, kp);
        } else if (strcmp(key, "speed_schedule") == 0) {
            tsim__ld_speed_schedule(ld, b, v, kp);
        } else if (strcmp(key, "failures") == 0) {
            load_failures(ld, b, v, kp);
        } else if (strcmp(key, "needs") == 0) {
            load_needs(ld, b, v, kp);
        } else if (strcmp(key, "parts") == 0) {
            load_parts(ld, b, v, kp);
        } else if (strcmp(key, "speed_by_class") == 0) { /* a fleet's: classes are the network's */
            bi->class_speeds = v;
            bi->class_speeds_pos = kp;
        } else if (strcmp(key, "priority") == 0 && bt->keys[ki].kind == TSIM__KEY_FORM) {
            bi->priority = v; /* a fleet's: read with the network (fleetload.c) */
            bi->priority_pos = kp;
        } else if (strcmp(key, "parking") == 0 && bt->keys[ki].kind == TSIM__KEY_FORM) {
            bi->parking = v; /* a fleet's: its nodes are the network's */
            bi->parking_pos = kp;
        } else if (strcmp(key, "products") == 0 && bt->keys[ki].kind == TSIM__KEY_FORM) {
            bi->carry = v; /* a fleet's: read with the network (fleetload.c) */
            bi->carry_pos = kp;
        } else if (strcmp(key, "fleets") == 0) { /* a charger's: the fleets may come later */
            bi->fleets = v;
            bi->fleets_pos = kp;
        } else if (strcmp(key, "release") == 0 && type == TSIM_SOURCE) {
            bi->release = v;
            bi->release_pos = kp;
        } else if (strcmp(key, "rule") == 0 && type == TSIM_BUFFER) {
            tsim__ld_seq_rule(ld, b, v, kp, blk);
        } else if (strcmp(key, "lua") == 0 && type == TSIM_BUFFER) {
            tsim__ld_seq_lua_key(ld, v, kp, blk);
        } else if (strcmp(key, "stock_file") == 0) {
            stock_file = v; /* read once the rack's size is known */
            stock_pos = kp;
        } else if (strcmp(key, "orders_file") == 0) {
            load_orders(ld, b, v, kp);
        } else if (strcmp(key, "picked_by") == 0) {
            bi->picked_by = v;
            bi->picked_by_pos = kp;
        } else if (strcmp(key, "pick_from") == 0) {
            bi->pick_from = v;
            bi->pick_from_pos = kp;
        } else if (strcmp(key, "lines_to") == 0 && bt->keys[ki].kind == TSIM__KEY_FORM) {
            bi->lines_to = v;
            bi->lines_to_pos = kp;
        } else if (strcmp(key, "served_by") == 0) {
            bi->served_by = v;
            bi->served_by_pos = kp;
        } else if (strcmp(key, "appointments_file") == 0) {
            trucks_file = v; /* read once the doors are known */
            trucks_pos = kp;
        } else {
            if (strcmp(key, "interarrival") == 0) interarrival = v;
            set_scalar(ld, b, key, v, kp);
        }
    }
    required_keys(ld, bt, name, given, at);
    int kd = tsim__key_index(bt, "discipline"), kr = tsim__key_index(bt, "rule");
    if (kd >= 0 && kr >= 0 && (given >> kd & 1) && (given >> kr & 1))
        tsim__ld_err(ld, at, "%s '%s' has both 'discipline' and 'rule' (give one: a rule orders "
                     "the queue in place of the discipline)", tname, name);
    if (stock_file) load_stock(ld, b, stock_file, stock_pos);
    if (trucks_file) {
        load_trucks(ld, b, trucks_file, trucks_pos);
        bi->appointments_pos = tsim__ld_pos(trucks_file, trucks_pos);
    }
    const struct tsim__block_desc *bd = &ld->m->blocks[b];
    if (interarrival && bd->has_interarrival && bd->limit == 0 &&
        tsim_dist_mean(&bd->interarrival) <= 0.0)
        tsim__ld_err(ld, tsim__ld_pos(interarrival, at),
                     "'interarrival' of source '%s' has mean 0 and no 'limit', so it never ends",
                     name);
}

/* ---------------------------------------------------------------------------------------------
 * Routes and the model as a whole
 * ------------------------------------------------------------------------------------------- */

static void add_out(struct blockinfo *bi, int to)
{
    bi->out = tsim__realloc(bi->out, (size_t)(bi->nout + 1) * sizeof *bi->out);
    bi->out[bi->nout++] = to;
}

/* The block named by scalar `n` as a route target, or -1 with a diagnostic. */
static int target(struct loader *ld, struct fy_node *n, struct pos at)
{
    const char *s = tsim__ld_scalar(ld, n, "a route target", at);
    if (!s) return -1;
    struct pos p = tsim__ld_pos(n, at);
    int b = tsim_model_find_block(ld->m, s);
    if (b < 0 && is_broken(ld, s)) return -1;
    if (b < 0) {
        struct tsim__suggest sg;
        tsim__suggest_init(&sg, s);
        for (int i = 0; i < ld->m->nblocks; i++) tsim__suggest_offer(&sg, ld->m->blocks[i].name);
        tsim__ld_err(ld, p, "route to undefined block '%s'%s", s, tsim__suggest_text(&sg));
        return -1;
    }
    if (tsim_model_block_type(ld->m, b) == TSIM_SOURCE) {
        tsim__ld_err(ld, p, "route into source '%s' (a source takes no entities)", s);
        return -1;
    }
    if ((tsim__block_type((int)tsim_model_block_type(ld->m, b))->flags & TSIM__TYPE_NO_INPUT) &&
        !tsim__picking_takes(ld->m, b)) {
        tsim__ld_err(ld, p, "route into %s '%s' (it takes no entities)",
                     tsim__block_type((int)tsim_model_block_type(ld->m, b))->name, s);
        return -1;
    }
    return b;
}

static const char *const rules[] = {"shortest_queue", "round_robin", "lua", "first_free",
                                    "least_utilized", "earliest_free", "sheet", "agent", NULL};
enum { RULE_AGENT = 7, RULE_POLICY = 8 }; /* policy:PATH is not a name of the list */
static const char *const rule_keys[] = {"rule", "among", "lua", "done", NULL};

/* {rule: sheet, done: BLOCK}: to the group of the next operation of the entity's routing sheet,
 * to `done` after the last. The route's targets are every group, then `done`. */
static int route_sheet(struct loader *ld, struct blockinfo *bi, int rule, struct fy_node *among,
                       struct fy_node *done, struct pos done_at, struct pos kp)
{
    if (rule != 6 || !done || among) {
        tsim__ld_err(ld, rule != 6 ? done_at : kp,
                     rule != 6 ? "'done' belongs to rule 'sheet' only"
                     : among   ? "rule 'sheet' takes no 'among' (its targets are the groups of "
                                 "the routing sheets)"
                               : "rule 'sheet' needs 'done: BLOCK' (where an entity goes after "
                                 "its last operation)");
        return 0;
    }
    struct tsim_model *m = ld->m;
    if (!m->sheets) {
        tsim__ld_err(ld, kp, "rule 'sheet' but the model has no routing sheets (add 'sheets:')");
        return 0;
    }
    int d = target(ld, done, done_at);
    if (d < 0) return 0;
    int *to = tsim__malloc((size_t)(m->nblocks + 1) * sizeof *to);
    int n = tsim__sheet_groups(m, to);
    to[n++] = d;
    int ok = 1;
    char err[200];
    for (int i = 0; i < n; i++) add_out(bi, to[i]);
    bi->sheet_done = d + 1;
    if (tsim_route_set_rule(m, bi->index, TSIM_ROUTE_ROUND_ROBIN, to, n) != 0) {
        tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
        ok = 0;
    } else if (tsim__sheet_route_attach(m, bi->index, err, sizeof err) != 0) {
        tsim__ld_err(ld, kp, "%s", err);
        ok = 0;
    }
    tsim__free(to);
    return ok;
}

/* rule: agent | policy:PATH (src/logic/route.c), over the targets set as a round robin's. A
 * fleet picks its destinations itself (fleet.c), without the route hook. */
static int learned_route(struct loader *ld, struct blockinfo *bi, const char *text,
                         struct pos at)
{
    if (strcmp(tsim_block_type_name(tsim_model_block_type(ld->m, bi->index)), "fleet") == 0) {
        tsim__ld_err(ld, at, "a fleet's route takes no rule '%s' (give it to the block the fleet "
                     "carries from)", text);
        return 0;
    }
    char err[512];
    if (tsim__route_attach(ld->m, bi->index, text, ld->base_dir, err, sizeof err) != 0) {
        tsim__ld_err(ld, at, "%s", err);
        return 0;
    }
    return 1;
}

static int route_rule(struct loader *ld, struct blockinfo *bi, struct fy_node *v, struct pos kp)
{
    int rule = -1, ok = 1;
    struct fy_node *among = NULL, *lua = NULL, *done = NULL;
    struct pos among_at = kp, lua_at = kp, done_at = kp, rule_at = kp;
    const char *rule_name = NULL;
    void *it = NULL;
    struct fy_node *rv;
    struct pos pk;
    int rk;
    while ((rk = tsim__ld_next_key(ld, v, &it, rule_keys, " in 'to'", kp, &rv, &pk)) !=
           TSIM__LD_END) {
        if (rk == 0) {
            rule_name = tsim__ld_scalar(ld, rv, "'rule'", pk);
            if (!rule_name) continue;
            rule_at = tsim__ld_pos(rv, pk);
            rule = tsim__ld_key_index(rule_name, rules);
            if (strncasecmp(rule_name, "policy:", 7) == 0 || strcasecmp(rule_name, "policy") == 0)
                rule = RULE_POLICY;
            if (rule < 0) {
                const char *hint = tsim__suggest_list(rule_name, rules);
                tsim__ld_err(ld, tsim__ld_pos(rv, pk), "unknown rule '%s' in 'to'%s", rule_name,
                             hint[0] ? hint : " (use shortest_queue, round_robin, first_free, least_utilized, earliest_free, lua, sheet, agent or policy:PATH)");
            }
        } else if (rk == 1) {
            among = rv;
            among_at = pk;
        } else if (rk == 2) {
            lua = rv;
            lua_at = pk;
        } else if (rk == 3) {
            done = rv;
            done_at = pk;
        } else {
            ok = 0;
        }
    }
    if (rule < 0) return 0;
    if (rule == 6 || done) return ok && route_sheet(ld, bi, rule, among, done, done_at, kp);
    if ((rule == 2) != (lua != NULL)) {
        tsim__ld_err(ld, rule == 2 ? kp : lua_at,
                     rule == 2 ? "rule 'lua' needs 'lua: CODE'"
                               : "'lua' belongs to rule 'lua' only");
        return 0;
    }
    if (!among) {
        tsim__ld_err(ld, kp, "rule '%s' needs 'among: [BLOCK, ...]'", rule_name);
        return 0;
    }
    if (!tsim__ld_expect(ld, among, FYNT_SEQUENCE, "'among'", among_at)) return 0;
    int n = fy_node_sequence_item_count(among);
    if (n <= 0) {
        tsim__ld_err(ld, among_at, "'among' of rule '%s' is empty", rule_name);
        return 0;
    }
    int *to = tsim__malloc((size_t)n * sizeof *to), k = 0;
    it = NULL;
    struct fy_node *c;
    while ((c = fy_node_sequence_iterate(among, &it))) {
        int t = target(ld, c, among_at);
        if (t < 0)
            ok = 0;
        else
            to[k++] = t;
    }
    if (ok) {
        for (int i = 0; i < k; i++) add_out(bi, to[i]);
        /* A Lua rule's candidates are kept as a round robin's; its hook picks among them. */
        enum tsim_route_rule r = rule == 0   ? TSIM_ROUTE_SHORTEST_QUEUE
                                 : rule == 3 ? TSIM_ROUTE_FIRST_FREE
                                 : rule == 4 ? TSIM_ROUTE_LEAST_UTILIZED
                                 : rule == 5 ? TSIM_ROUTE_EARLIEST_FREE
                                             : TSIM_ROUTE_ROUND_ROBIN;
        if (tsim_route_set_rule(ld->m, bi->index, r, to, k) != 0) {
            tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
            ok = 0;
        }
        if (ok && rule == 2) ok = tsim__ld_lua_route(ld, bi->index, lua, lua_at);
        if (ok && (rule == RULE_AGENT || rule == RULE_POLICY))
            ok = learned_route(ld, bi, rule_name, rule_at);
    }
    tsim__free(to);
    return ok;
}

static int route_by_product(struct loader *ld, struct blockinfo *bi, struct fy_node *v,
                            struct pos kp)
{
    int ok = 1, branches = 0;
    char *covered = tsim__calloc((size_t)ld->m->nproducts + 1, 1);
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        if (strcmp(pr.name, "by") == 0) {
            const char *s = tsim__ld_scalar(ld, pr.v, "'by'", pr.at);
            if (s && strcmp(s, "product") != 0) {
                tsim__ld_err(ld, tsim__ld_pos(pr.v, pr.at),
                             "unknown 'by' value '%s' in 'to' (use 'product')", s);
                ok = 0;
            }
            continue;
        }
        int prod = tsim__ld_product(ld, pr.key, pr.name, pr.at);
        int t = target(ld, pr.v, pr.at);
        if (prod < 0 || t < 0) {
            ok = 0;
            continue;
        }
        add_out(bi, t);
        branches++;
        covered[prod] = 1;
        if (tsim_route_add_product(ld->m, bi->index, prod, t) != 0) {
            tsim__ld_err(ld, pr.at, "%s", tsim__errmsg_body());
            ok = 0;
        }
    }
    if (pr.bad) ok = 0;
    if (ok && branches == 0) {
        tsim__ld_err(ld, kp, "'to' by product lists no products");
        ok = 0;
    }
    /* A warning, not an error: the product may never reach this block. If it does, the engine
     * drops it there and counts it. */
    for (int i = 0; ok && i < ld->m->nproducts; i++) {
        if (!covered[i])
            tsim__ld_warn(ld, kp,
                          "'to' of '%s' has no branch for product '%s' (it would be dropped there)",
                          tsim_model_block_name(ld->m, bi->index), ld->m->products[i]);
    }
    tsim__free(covered);
    return ok;
}

/* A route target named by a key of {BLOCK: p, ...} (read_prob_map's resolver). */
static int target_key(struct loader *ld, struct fy_node *key, const char *text, struct pos at)
{
    (void)text;
    return target(ld, key, at);
}

static int route_probabilities(struct loader *ld, struct blockinfo *bi, struct fy_node *v,
                               struct pos kp)
{
    int n = fy_node_mapping_item_count(v);
    if (n <= 0) {
        tsim__ld_err(ld, kp, "'to' is an empty mapping (give a block name)");
        return 0;
    }
    int *to = tsim__malloc((size_t)n * sizeof *to);
    double *prob = tsim__malloc((size_t)n * sizeof *prob);
    int k = read_prob_map(ld, v, kp, target_key, "to", to, prob), ok = k >= 0;
    for (int i = 0; ok && i < k; i++) {
        add_out(bi, to[i]);
        if (tsim_route_add_probability(ld->m, bi->index, to[i], prob[i]) != 0) {
            tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
            ok = 0;
        }
    }
    tsim__free(to);
    tsim__free(prob);
    return ok;
}

/* to: BLOCK | {BLOCK: p, ...} | {by: product, PRODUCT: BLOCK, ...} |
 *     {rule: shortest_queue | round_robin, among: [BLOCK, ...]} */
static void load_route(struct loader *ld, struct blockinfo *bi)
{
    struct fy_node *v = bi->to;
    struct pos kp = bi->to_pos;
    int ok;
    if (v && fy_node_is_alias(v)) {
        ok = 0;
    } else if (v && fy_node_get_type(v) == FYNT_MAPPING) {
        if (fy_node_mapping_lookup_pair_by_string(v, "rule", FY_NT))
            ok = route_rule(ld, bi, v, kp);
        else if (fy_node_mapping_lookup_pair_by_string(v, "by", FY_NT))
            ok = route_by_product(ld, bi, v, kp);
        else
            ok = route_probabilities(ld, bi, v, kp);
    } else if (v && fy_node_get_type(v) == FYNT_SEQUENCE) {
        tsim__ld_err(ld, kp,
                     "'to' must be a block name or a mapping, not a list (for a rule write "
                     "'{rule: round_robin, among: [...]}')");
        ok = 0;
    } else {
        int t = target(ld, v, kp);
        ok = t >= 0;
        if (ok) {
            add_out(bi, t);
            if (tsim_route_to(ld->m, bi->index, t) != 0) {
                tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
                ok = 0;
            }
        }
    }
    if (!ok) ld->route_errors++;
}

/* Every block but a sink needs a way out; every block should be reachable from a source. The
 * reachability warning is skipped when a route is wrong or missing, as it would mostly repeat
 * that. */
static void check_graph(struct loader *ld, struct pos blocks_at, int written)
{
    int n = (int)ld->nblk, sources = 0, stuck = 0;
    if (n == 0) {
        /* Blocks written but all wrong have been reported; only an empty list is news. */
        if (written == 0) tsim__ld_err(ld, blocks_at, "model has no blocks");
        return;
    }
    for (int i = 0; i < n; i++) {
        const struct blockinfo *bi = &ld->blk[i];
        /* a block that takes no entities makes its own (a source, a picking block's orders) */
        if (tsim__block_type((int)bi->type)->flags & (TSIM__TYPE_NO_INPUT | TSIM__TYPE_ORIGIN))
            sources++;
        if (!(tsim__block_type((int)bi->type)->flags & TSIM__TYPE_NO_ROUTE) && !bi->to) {
            tsim__ld_err(ld, bi->pos, "block '%s' has no way out (add 'to:')",
                         tsim_model_block_name(ld->m, i));
            stuck = 1;
        }
    }
    if (sources == 0) {
        tsim__ld_err(ld, blocks_at,
                     "model has no source (entities enter through a 'source' block)");
        return;
    }
    if (ld->route_errors || stuck) return;
    char *seen = tsim__calloc((size_t)n, 1);
    int *stack = tsim__malloc((size_t)n * sizeof *stack), top = 0;
    for (int i = 0; i < n; i++) {
        if (tsim__block_type((int)ld->blk[i].type)->flags &
            (TSIM__TYPE_NO_INPUT | TSIM__TYPE_ORIGIN))
            seen[i] = 1, stack[top++] = i;
    }
    while (top > 0) {
        const struct blockinfo *bi = &ld->blk[stack[--top]];
        for (int k = 0; k < bi->nout; k++) {
            int t = bi->out[k];
            if (!seen[t]) seen[t] = 1, stack[top++] = t;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!seen[i])
            tsim__ld_warn(ld, ld->blk[i].pos,
                          "block '%s' is unreachable (no route from a source leads to it)",
                          tsim_model_block_name(ld->m, i));
    }
    tsim__free(seen);
    tsim__free(stack);
}

/* A storage block named by a picking block's 'picked_by' or 'pick_from' (`quoted`), value
 * `node` at `at` (a scalar, or an item of pick_from's list): its index, or -1 after an error (a
 * name that is not one gets a "did you mean" among the storage blocks). */
static int storage_named(struct loader *ld, struct fy_node *node, struct pos at, const char *quoted,
                         int crane)
{
    const char *s = tsim__ld_scalar(ld, node, quoted, at);
    if (!s) return -1;
    int b = tsim_model_find_block(ld->m, s), storage = tsim_block_type_find("storage");
    if (b < 0 && is_broken(ld, s)) return -1;
    if (b >= 0 && (int)tsim_model_block_type(ld->m, b) == storage) return b;
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, s);
    for (int i = 0; i < ld->m->nblocks; i++)
        if ((int)tsim_model_block_type(ld->m, i) == storage)
            tsim__suggest_offer(&sg, ld->m->blocks[i].name);
    struct pos p = tsim__ld_pos(node, at);
    if (b < 0)
        tsim__ld_err(ld, p, "%s names undefined block '%s'%s", quoted, s,
                     tsim__suggest_text(&sg));
    else
        tsim__ld_err(ld, p, "%s names %s '%s', not a storage block (only a storage block%s)%s",
                     quoted, tsim_block_type_name(tsim_model_block_type(ld->m, b)), s,
                     crane ? "'s crane picks" : " holds stock", tsim__suggest_text(&sg));
    return -1;
}

/* A picking block's 'picked_by' (`crane` 1) or 'pick_from' (0), value `node` at `at`: a storage
 * block, whose crane brings each line's load, or (pick_from) one or a list of storage blocks,
 * the aisles from whose stock the pickers take each line's units; either a link the
 * reachability check follows, as a route (a rack that only a crew picks from is reached). */
static void load_picked_by(struct loader *ld, struct blockinfo *bi, struct fy_node *node,
                           struct pos at, int crane)
{
    const char *key = crane ? "picked_by" : "pick_from";
    const char *quoted = crane ? "'picked_by'" : "'pick_from'";
    struct tsim__block_desc *d = &ld->m->blocks[bi->index];
    int list = !crane && node && fy_node_get_type(node) == FYNT_SEQUENCE;
    int n = list ? fy_node_sequence_item_count(node) : 1;
    if (n <= 0) {
        tsim__ld_err(ld, tsim__ld_pos(node, at), "'pick_from' names no storage block");
        return;
    }
    int *aisles = tsim__malloc((size_t)n * sizeof *aisles), k = 0, ok = 1;
    void *it = NULL;
    struct fy_node *item = list ? fy_node_sequence_iterate(node, &it) : node;
    for (; item; item = list ? fy_node_sequence_iterate(node, &it) : NULL) {
        int b = storage_named(ld, item, at, quoted, crane);
        for (int j = 0; j < k && b >= 0; j++) {
            if (aisles[j] != b) continue;
            tsim__ld_err(ld, tsim__ld_pos(item, at), "'pick_from' names storage '%s' twice",
                         ld->m->blocks[b].name);
            b = -1;
        }
        if (b < 0) ok = 0;
        else aisles[k++] = b;
    }
    if (!ok) {
        tsim__free(aisles);
        return;
    }
    struct tsim__val *v = &d->val[tsim__key_index(tsim__block_type((int)d->type), key)];
    v->set = 1;
    v->i = aisles[0];
    for (int j = 0; j < k; j++) add_out(bi, aisles[j]);
    if (crane) {
        tsim__free(aisles);
        return;
    }
    tsim__free(d->pick_from);
    d->pick_from = aisles;
    d->pick_from_n = k;
}

/* A storage block's 'served_by': an operators pool, kept as -1 - its index, which the pool also
 * counts as a block that may wait for it (need.pool: one request at a time), or a fleet block,
 * kept as its index; a name that is neither gets a "did you mean" among the pools and fleets. */
static void load_served_by(struct loader *ld, struct blockinfo *bi)
{
    const char *s = tsim__ld_scalar(ld, bi->served_by, "'served_by'", bi->served_by_pos);
    if (!s) return;
    struct tsim__block_desc *d = &ld->m->blocks[bi->index];
    struct tsim__val *v = &d->val[tsim__key_index(tsim__block_type((int)d->type), "served_by")];
    int pool = tsim_model_find_operators(ld->m, s);
    if (pool >= 0) {
        v->set = 1;
        v->i = -1 - pool;
        d->need.pool = pool;
        d->need.count = 1;
        return;
    }
    int b = tsim_model_find_block(ld->m, s), fleet = tsim_block_type_find("fleet");
    if (b < 0 && is_broken(ld, s)) return;
    if (b >= 0 && (int)tsim_model_block_type(ld->m, b) == fleet) {
        v->set = 1;
        v->i = b;
        add_out(bi, b); /* its vehicles are reached through the storage */
        return;
    }
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, s);
    for (int i = 0; i < ld->m->npools; i++) tsim__suggest_offer(&sg, ld->m->pools[i].name);
    for (int i = 0; i < ld->m->nblocks; i++)
        if ((int)tsim_model_block_type(ld->m, i) == fleet)
            tsim__suggest_offer(&sg, ld->m->blocks[i].name);
    struct pos p = tsim__ld_pos(bi->served_by, bi->served_by_pos);
    if (b < 0)
        tsim__ld_err(ld, p, "'served_by' names '%s', which is no operators pool or fleet%s", s,
                     tsim__suggest_text(&sg));
    else
        tsim__ld_err(ld, p, "'served_by' names %s '%s', not an operators pool or a fleet%s",
                     tsim_block_type_name(tsim_model_block_type(ld->m, b)), s,
                     tsim__suggest_text(&sg));
}

/* The orders a dock's trucks name (the appointments' `orders` column), looked up in the orders
 * files of the picking blocks whose shipped orders reach the dock along routes (truckcsv.c). A
 * problem is reported at the 'appointments_file' value, with its line and column in the CSV. A
 * dock without `loads: orders` is left to its own check. */
static void load_truck_orders(struct loader *ld, const struct blockinfo *bi)
{
    struct tsim__block_desc *d = &ld->m->blocks[bi->index];
    /* without `loads: orders` the dock's check says the names are of no use; with a route
     * refused, what reaches the dock is not known */
    if (!d->trucks.orders || !tsim__dock_loads_orders(ld->m, bi->index) || ld->route_errors)
        return;
    char err[512];
    if (tsim__trucks_resolve(&d->trucks, ld->m, bi->index, err, sizeof err) != 0)
        tsim__ld_err(ld, bi->appointments_pos, "%s", err);
}

/* A picking block's 'lines_to': the block its picked lines leave to, itself or one a route may
 * lead into (read before the routes, which may then lead back into the picking block). */
static void load_lines_to(struct loader *ld, struct blockinfo *bi)
{
    const char *s = tsim__ld_scalar(ld, bi->lines_to, "'lines_to'", bi->lines_to_pos);
    int t = s ? tsim_model_find_block(ld->m, s) : -1;
    if (s && t != bi->index) t = target(ld, bi->lines_to, bi->lines_to_pos);
    /* a wrong one, reported, is kept as the block itself: routes into it are not errors again */
    tsim__picking_set_lines_to(ld->m, bi->index, t >= 0 ? t : bi->index);
    if (t >= 0) add_out(bi, t);
    else ld->route_errors++;
}

/* The blocks that routes lead to from `from` include `to` (following every route target). */
static int leads_to(const struct loader *ld, int from, int to)
{
    int n = (int)ld->nblk, top = 0, found = from == to;
    char *seen = tsim__calloc((size_t)n, 1);
    int *stack = tsim__malloc((size_t)n * sizeof *stack);
    seen[from] = 1;
    stack[top++] = from;
    while (top > 0 && !found) {
        const struct blockinfo *bi = &ld->blk[stack[--top]];
        for (int k = 0; k < bi->nout && !found; k++) {
            int t = bi->out[k];
            found = t == to;
            if (!seen[t]) seen[t] = 1, stack[top++] = t;
        }
    }
    tsim__free(seen);
    tsim__free(stack);
    return found;
}

/* Once every route is known: a picking block's 'lines_to' must lead back to it, where its lines
 * are packed. */
static void check_lines_to(struct loader *ld, const struct blockinfo *bi)
{
    int t = tsim__picking_lines_to(ld->m, bi->index);
    if (t < 0 || leads_to(ld, t, bi->index)) return;
    const char *name = tsim_model_block_name(ld->m, bi->index);
    tsim__ld_err(ld, tsim__ld_pos(bi->lines_to, bi->lines_to_pos),
                 "'lines_to' of picking '%s' leads to '%s', from which no route comes back to "
                 "'%s' (its lines must come back to it, to its pack station)",
                 name, tsim_model_block_name(ld->m, t), name);
}

void tsim__ld_connect(struct loader *ld, struct pos blocks_at, int written)
{
    for (size_t i = 0; i < ld->nblk && !ld->stop; i++)
        if (ld->blk[i].lines_to) load_lines_to(ld, &ld->blk[i]);
    for (size_t i = 0; i < ld->nblk && !ld->stop; i++) {
        if (ld->blk[i].to) load_route(ld, &ld->blk[i]);
        struct blockinfo *bi = &ld->blk[i];
        if (bi->picked_by) load_picked_by(ld, bi, bi->picked_by, bi->picked_by_pos, 1);
        if (bi->pick_from) load_picked_by(ld, bi, bi->pick_from, bi->pick_from_pos, 0);
        if (ld->blk[i].served_by) load_served_by(ld, &ld->blk[i]);
        if (ld->blk[i].release)
            tsim__ld_release(ld, (int)i, ld->blk[i].release, ld->blk[i].release_pos);
    }
    for (size_t i = 0; i < ld->nblk && !ld->stop; i++) /* once every route is known */
        if (ld->m->blocks[ld->blk[i].index].trucks.orders) load_truck_orders(ld, &ld->blk[i]);
    for (size_t i = 0; i < ld->nblk && !ld->stop && !ld->route_errors; i++)
        if (ld->blk[i].lines_to) check_lines_to(ld, &ld->blk[i]);
    if (!ld->stop) check_graph(ld, blocks_at, written);
    if (!ld->stop) tsim__ld_rings(ld);
}
