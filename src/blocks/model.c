/*
 * The model builder: creates the plain-data description (desc.h) through the public setters,
 * checks each value as it is set, and finalizes per-product tables, cumulative probabilities and
 * in-degrees before sims are built; then validates the model as a whole. What is particular to a
 * block type (its parameters, their setters and checks) is in that type's file, found through the
 * registry (registry.h); this file holds what every model has: names, products, shifts, pools,
 * blocks, routes. It does not parse text (src/model) and runs nothing.
 *
 * Invariant: any setter clears `finalized`; tsim__model_finalize rebuilds the derived tables and
 * validates once, until the next change.
 */
#include "blocks/desc.h"
#include "blocks/network.h"
#include "blocks/picking.h"
#include "blocks/registry.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *tsim_block_type_name(enum tsim_block_type type)
{
    return (int)type >= 0 && (int)type < tsim__block_type_n ? tsim__block_types[type]->name
                                                              : "unknown";
}

struct tsim_model *tsim_model_create(const char *name)
{
    TSIM__ASSERT(name != NULL, "NULL name");
    struct tsim_model *m = tsim__calloc(1, sizeof *m);
    m->name = tsim__strdup(name);
    m->err_block = -1;
    strcpy(m->time_unit, "min");
    m->ticks_per_unit = 1e6;
    return m;
}

static void route_release(struct tsim__route *r)
{
    tsim__free(r->to);
    tsim__free(r->p);
    tsim__free(r->cum);
    tsim__free(r->product);
    tsim__free(r->by_product);
    memset(r, 0, sizeof *r);
}

static void pdist_release(struct tsim__pdist *pd)
{
    if (pd->has_default) tsim_dist_release(&pd->dflt);
    for (int i = 0; i < pd->n; i++) tsim_dist_release(&pd->dist[i]);
    tsim__free(pd->product);
    tsim__free(pd->dist);
    tsim__free((void *)pd->by_product);
    memset(pd, 0, sizeof *pd);
}

/* The table of names of the KPIs by product (finalize makes it). */
static void product_kpis_release(struct tsim_model *m)
{
    for (int i = 0; m->product_kpis && i < TSIM__PK_N * m->nproducts; i++)
        tsim__free(m->product_kpis[i]);
    tsim__free(m->product_kpis);
    m->product_kpis = NULL;
}

int tsim__products_kept(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return m->nproducts >= 2 || d->orders_reach ? m->nproducts : 0;
}

/* Mark the blocks that a picking block's shipped orders may reach along routes (orders_reach):
 * a walk over the route graph from every picking block, O(blocks + routes). A picking block with
 * `lines_to` also waits on its lines' block: counted in that block's indegree (its waiter ring). */
static void mark_orders_reach(struct tsim_model *m)
{
    int *stack = tsim__malloc(((size_t)m->nblocks + 1) * sizeof *stack), top = 0;
    for (int b = 0; b < m->nblocks; b++) {
        m->blocks[b].orders_reach = tsim__picking_is(m, b);
        if (!m->blocks[b].orders_reach) continue;
        stack[top++] = b;
        int lines_to = tsim__picking_lines_to(m, b);
        if (lines_to >= 0) m->blocks[lines_to].indegree++;
    }
    while (top > 0) {
        const struct tsim__route *r = &m->blocks[stack[--top]].route;
        for (int i = 0; i < r->n; i++) {
            struct tsim__block_desc *t = &m->blocks[r->to[i]];
            if (!t->orders_reach) t->orders_reach = 1, stack[top++] = r->to[i];
        }
    }
    tsim__free(stack);
}

static char *kpi_name(const char *product, const char *kpi)
{
    size_t n = strlen(product) + strlen(kpi) + sizeof "products..";
    char *s = tsim__malloc(n);
    snprintf(s, n, "products.%s.%s", product, kpi);
    return s;
}

void tsim_model_destroy(struct tsim_model *m)
{
    if (!m) return;
    for (int i = 0; i < m->nblocks; i++) {
        struct tsim__block_desc *b = &m->blocks[i];
        tsim__free(b->name);
        route_release(&b->route);
        tsim_dist_release(&b->interarrival);
        tsim__free(b->mix_product);
        tsim__free(b->mix_cum);
        tsim__free(b->item_len);
        tsim__free(b->speed_at);
        tsim__free(b->speed_to);
        tsim__free(b->release_list);
        tsim__free(b->release_over);
        tsim__free(b->pick_from);
        tsim_dist_release(&b->due);
        tsim_dist_release(&b->delay);
        pdist_release(&b->process);
        tsim_dist_release(&b->setup);
        tsim_dist_release(&b->between);
        tsim_dist_release(&b->repair);
        tsim__free(b->part_count);
        tsim__free(b->parts_product);
        tsim__free(b->parts_k);
        tsim__free(b->stock.slot);
        tsim__free(b->stock.product);
        tsim__free(b->stock.empty_slot);
        tsim__free(b->stock.empty_product);
        tsim__orderlines_release(&b->orders);
        tsim__trucks_release(&b->trucks);
        tsim__vals_release(b);
    }
    product_kpis_release(m);
    for (int i = 0; i < m->nproducts; i++) tsim__free(m->products[i]);
    for (int i = 0; i < m->nshifts; i++) {
        tsim__free(m->shifts[i].name);
        tsim__free(m->shifts[i].periods);
    }
    for (int i = 0; i < m->npools; i++) tsim__free(m->pools[i].name);
    tsim__attrs_release(m);
    tsim__sheets_release(m);
    tsim__free(m->products);
    tsim__free(m->blocks);
    tsim__free(m->shifts);
    tsim__free(m->pools);
    tsim__net_destroy(m->net);
    tsim__free(m->block_line);
    tsim__free(m->block_col);
    tsim__free(m->key_at);
    tsim__free(m->net_at);
    tsim__free(m->block_index.slot);
    tsim__free(m->product_index.slot);
    tsim__free(m->block_names);
    tsim__free(m->name);
    tsim__free(m);
}

const char *tsim_model_name(const struct tsim_model *m) { return m->name; }

/* The time units a model may count in, and their length in seconds. */
static const struct {
    const char *name;
    double seconds;
} units[] = {{"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}};

/* Hours in the model's time unit. */
static double unit_hours(const struct tsim_model *m)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(m->time_unit, units[i].name) == 0) return 3600 / units[i].seconds;
    return 0;
}

double tsim__units_per_hour(const struct tsim_model *m) { return unit_hours(m); }

int tsim_model_set_time_unit(struct tsim_model *m, const char *unit)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (unit && strcmp(unit, units[i].name) == 0) {
            strcpy(m->time_unit, unit);
            m->finalized = 0;
            return 0;
        }
    }
    return tsim__fail(TSIM_EINVAL, __func__, "unknown time unit '%s' (use s, min, h or d)",
                      unit ? unit : "(null)");
}

const char *tsim_model_time_unit(const struct tsim_model *m) { return m->time_unit; }

int tsim_model_set_start_clock(struct tsim_model *m, double hours)
{
    if (!(hours >= 0 && hours < 24))
        return tsim__fail(TSIM_ERANGE, __func__, "start clock %g h is outside [0, 24)", hours);
    m->start_clock = hours;
    m->finalized = 0;
    return 0;
}

int tsim_model_set_resolution(struct tsim_model *m, double ticks_per_unit)
{
    if (!(ticks_per_unit >= 1 && ticks_per_unit <= 1e12))
        return tsim__fail(TSIM_ERANGE, __func__, "resolution %g ticks per unit is outside [1, 1e12]",
                          ticks_per_unit);
    m->ticks_per_unit = ticks_per_unit;
    m->finalized = 0;
    return 0;
}

double tsim_model_max_time(const struct tsim_model *m)
{
    return (double)TSIM__TMAX / m->ticks_per_unit;
}

/* Far above any plant, below what the entity pool's 32-bit indices and memory allow. */
#define MAX_ENTITIES_LIMIT 1000000000u
#define MAX_INSTANT_LIMIT 1000000000000000u

int tsim_model_set_max_entities(struct tsim_model *m, uint64_t n)
{
    if (n > MAX_ENTITIES_LIMIT)
        return tsim__fail(TSIM_ERANGE, __func__, "'max_entities' must be at most %u, got %llu",
                          MAX_ENTITIES_LIMIT, (unsigned long long)n);
    m->max_entities = n;
    return 0;
}

int tsim_model_set_max_instant_events(struct tsim_model *m, uint64_t n)
{
    if (n > MAX_INSTANT_LIMIT)
        return tsim__fail(TSIM_ERANGE, __func__,
                          "'max_instant_events' must be at most %llu, got %llu",
                          (unsigned long long)MAX_INSTANT_LIMIT, (unsigned long long)n);
    m->max_instant_events = n;
    return 0;
}

static int valid_name(const char *func, const char *name)
{
    if (!name || !*name) return tsim__fail(TSIM_EINVAL, func, "empty name");
    return 0;
}

int tsim_model_add_product(struct tsim_model *m, const char *name)
{
    int rc = valid_name(__func__, name);
    if (rc) return rc;
    if (tsim_model_find_product(m, name) >= 0)
        return tsim__fail(TSIM_EEXIST, __func__, "duplicate product '%s'", name);
    if (m->nproducts >= 65535) return tsim__fail(TSIM_ELIMIT, __func__, "too many products");
    product_kpis_release(m);
    size_t cap = (size_t)m->cap_products;
    tsim__grow((void **)&m->products, &cap, (size_t)m->nproducts + 1, sizeof *m->products);
    m->cap_products = (int)cap;
    m->products[m->nproducts] = tsim__strdup(name);
    tsim__names_put(&m->product_index, m->products, m->nproducts + 1, m->nproducts);
    m->finalized = 0;
    return m->nproducts++;
}

int tsim_model_find_product(const struct tsim_model *m, const char *name)
{
    return tsim__names_find(&m->product_index, m->products, name);
}

int tsim_model_product_count(const struct tsim_model *m) { return m->nproducts; }

const char *tsim_model_product_name(const struct tsim_model *m, int product)
{
    if (m->nproducts == 0 && product == 0) return "part";
    return product >= 0 && product < m->nproducts ? m->products[product] : NULL;
}

int tsim_model_add_shift(struct tsim_model *m, const char *name, const double *periods, int n)
{
    int rc = valid_name(__func__, name);
    if (rc) return rc;
    if (tsim_model_find_shift(m, name) >= 0)
        return tsim__fail(TSIM_EEXIST, __func__, "duplicate shift '%s'", name);
    if (n < 1) return tsim__fail(TSIM_ERANGE, __func__, "shift '%s' has no period", name);
    for (int i = 0; i < n; i++) {
        double a = periods[2 * i], b = periods[2 * i + 1];
        if (!(a >= 0 && a < b && b <= 24))
            return tsim__fail(TSIM_ERANGE, __func__,
                              "period %d of shift '%s' must satisfy 0 <= start < end <= 24", i + 1,
                              name);
        if (i > 0 && a < periods[2 * i - 1])
            return tsim__fail(TSIM_ERANGE, __func__,
                              "periods of shift '%s' overlap or are not in order", name);
    }
    m->shifts = tsim__realloc(m->shifts, (size_t)(m->nshifts + 1) * sizeof *m->shifts);
    struct tsim__shift_desc *s = &m->shifts[m->nshifts];
    s->name = tsim__strdup(name);
    s->n = n;
    s->periods = tsim__malloc((size_t)n * 2 * sizeof(double));
    memcpy(s->periods, periods, (size_t)n * 2 * sizeof(double));
    m->finalized = 0;
    return m->nshifts++;
}

int tsim_model_find_shift(const struct tsim_model *m, const char *name)
{
    for (int i = 0; i < m->nshifts; i++)
        if (strcmp(m->shifts[i].name, name) == 0) return i;
    return TSIM_ENOENT;
}

int tsim_model_add_operators(struct tsim_model *m, const char *name, int count, int shift)
{
    int rc = valid_name(__func__, name);
    if (rc) return rc;
    if (tsim_model_find_operators(m, name) >= 0)
        return tsim__fail(TSIM_EEXIST, __func__, "duplicate operator pool '%s'", name);
    if (count < 1) return tsim__fail(TSIM_ERANGE, __func__, "operator pool '%s' needs count >= 1", name);
    if (shift < -1 || shift >= m->nshifts)
        return tsim__fail(TSIM_ENOENT, __func__, "no shift %d", shift);
    m->pools = tsim__realloc(m->pools, (size_t)(m->npools + 1) * sizeof *m->pools);
    m->pools[m->npools] = (struct tsim__pool_desc){tsim__strdup(name), count, shift};
    m->finalized = 0;
    return m->npools++;
}

int tsim_model_find_operators(const struct tsim_model *m, const char *name)
{
    for (int i = 0; i < m->npools; i++)
        if (strcmp(m->pools[i].name, name) == 0) return i;
    return TSIM_ENOENT;
}

int tsim_model_pool_count(const struct tsim_model *m) { return m->npools; }

const char *tsim_model_pool_name(const struct tsim_model *m, int pool)
{
    return pool >= 0 && pool < m->npools ? m->pools[pool].name : NULL;
}

int tsim_model_set_pool_count(struct tsim_model *m, int pool, int count)
{
    if (pool < 0 || pool >= m->npools) return tsim__fail(TSIM_ENOENT, __func__, "no pool %d", pool);
    if (count < 1)
        return tsim__fail(TSIM_ERANGE, __func__, "operator pool '%s' needs count >= 1",
                          m->pools[pool].name);
    m->pools[pool].count = count;
    m->finalized = 0;
    return 0;
}

int tsim_model_add_block(struct tsim_model *m, enum tsim_block_type type, const char *name)
{
    int rc = valid_name(__func__, name);
    if (rc) return rc;
    if ((int)type < 0 || (int)type >= tsim__block_type_n)
        return tsim__fail(TSIM_EINVAL, __func__, "unknown block type %d", (int)type);
    if (tsim_model_find_block(m, name) >= 0)
        return tsim__fail(TSIM_EEXIST, __func__, "duplicate block name '%s'", name);
    size_t cap = (size_t)m->cap_blocks;
    tsim__grow((void **)&m->blocks, &cap, (size_t)m->nblocks + 1, sizeof *m->blocks);
    m->cap_blocks = (int)cap;
    struct tsim__block_desc *b = &m->blocks[m->nblocks];
    memset(b, 0, sizeof *b);
    b->type = type;
    b->name = tsim__strdup(name);
    b->index = m->nblocks;
    size_t ncap = (size_t)m->cap_block_names;
    tsim__grow((void **)&m->block_names, &ncap, (size_t)m->nblocks + 1, sizeof *m->block_names);
    m->cap_block_names = (int)ncap;
    m->block_names[m->nblocks] = b->name;
    tsim__names_put(&m->block_index, m->block_names, m->nblocks + 1, m->nblocks);
    b->servers = 1;
    b->batch = 1;
    b->shift = -1;
    b->need.pool = -1;
    b->out_product = -1;
    b->into = 1;
    b->discipline = TSIM_FIFO;
    double zero = 0;
    tsim_dist_init(&b->interarrival, TSIM_DIST_CONSTANT, &zero, 1);
    tsim_dist_init(&b->due, TSIM_DIST_CONSTANT, &zero, 1);
    tsim_dist_init(&b->delay, TSIM_DIST_CONSTANT, &zero, 1);
    tsim_dist_init(&b->setup, TSIM_DIST_CONSTANT, &zero, 1);
    tsim_dist_init(&b->between, TSIM_DIST_CONSTANT, &zero, 1);
    tsim_dist_init(&b->repair, TSIM_DIST_CONSTANT, &zero, 1);
    tsim__vals_init(b);
    m->finalized = 0;
    return m->nblocks++;
}

int tsim_model_find_block(const struct tsim_model *m, const char *name)
{
    return tsim__names_find(&m->block_index, m->block_names, name);
}

int tsim_model_block_count(const struct tsim_model *m) { return m->nblocks; }

const char *tsim_model_block_name(const struct tsim_model *m, int block)
{
    return block >= 0 && block < m->nblocks ? m->blocks[block].name : NULL;
}

enum tsim_block_type tsim_model_block_type(const struct tsim_model *m, int block)
{
    TSIM__ASSERT(block >= 0 && block < m->nblocks, "no block %d", block);
    return m->blocks[block].type;
}

struct tsim__block_desc *tsim__block_get(struct tsim_model *m, int block, unsigned mask,
                                         const char *func, const char *param, int *rc)
{
    if (!m) {
        *rc = tsim__fail(TSIM_EINVAL, func, "NULL model");
        return NULL;
    }
    if (block < 0 || block >= m->nblocks) {
        *rc = tsim__fail(TSIM_ENOENT, func, "no block %d", block);
        return NULL;
    }
    struct tsim__block_desc *b = &m->blocks[block];
    if (!(mask & (1u << b->type))) {
        *rc = tsim__fail(TSIM_EINVAL, func, "%s '%s' has no parameter '%s'",
                         tsim_block_type_name(b->type), b->name, param);
        return NULL;
    }
    m->finalized = 0;
    *rc = 0;
    return b;
}

struct tsim__block_desc *tsim__block_get_whole(struct tsim_model *m, int block, unsigned mask,
                                               const char *func, const char *param, int v, int lo,
                                               int hi, int code, const char *fmt, int *rc)
{
    struct tsim__block_desc *b = tsim__block_get(m, block, mask, func, param, rc);
    if (!b) return NULL;
    if (hi == TSIM__LAST_PRODUCT) hi = m->nproducts - 1;
    if (v >= lo && v <= hi) return b;
    if (code == TSIM_ENOENT)
        *rc = tsim__fail(code, func, fmt, v);
    else
        *rc = tsim__fail(code, func, fmt, b->name);
    return NULL;
}

int tsim__check_time(const char *func, const struct tsim__block_desc *b, const char *param,
                     const struct tsim_dist *d)
{
    if (!d) return tsim__fail(TSIM_EINVAL, func, "NULL distribution for '%s'", param);
    if (d->kind == TSIM_DIST_CONSTANT && d->p[0] < 0)
        return tsim__fail(TSIM_ERANGE, func, "'%s' of '%s' is negative", param, b->name);
    double mean = tsim_dist_mean(d);
    if (!(mean >= 0) || !isfinite(mean))
        return tsim__fail(TSIM_ERANGE, func, "'%s' of '%s' has a negative or undefined mean",
                          param, b->name);
    return 0;
}

void tsim__dist_set(struct tsim_dist *dst, const struct tsim_dist *src)
{
    tsim_dist_release(dst);
    tsim_dist_copy(dst, src);
}

int tsim__block_set_time(struct tsim_model *m, int block, unsigned mask, const char *func,
                         const char *param, const struct tsim_dist *d, size_t at, size_t has_at)
{
    int rc;
    struct tsim__block_desc *b = tsim__block_get(m, block, mask, func, param, &rc);
    if (!b) return rc;
    if ((rc = tsim__check_time(func, b, param, d))) return rc;
    tsim__dist_set((struct tsim_dist *)((char *)b + at), d);
    if (has_at != TSIM__NO_FLAG) *(int *)((char *)b + has_at) = 1;
    return 0;
}

/* Routes ---------------------------------------------------------------------------------- */

static struct tsim__block_desc *route_from(struct tsim_model *m, int from, int to,
                                           const char *func, int *rc)
{
    struct tsim__block_desc *b = tsim__block_get(m, from, ~0u, func, "to", rc);
    if (!b) return NULL;
    if (tsim__block_type(b->type)->flags & TSIM__TYPE_NO_ROUTE) {
        *rc = tsim__fail(TSIM_EINVAL, func, "%s '%s' has no parameter 'to'",
                         tsim_block_type_name(b->type), b->name);
        return NULL;
    }
    if (to < 0 || to >= m->nblocks) {
        *rc = tsim__fail(TSIM_ENOENT, func, "route from '%s' to no block %d", b->name, to);
        return NULL;
    }
    if ((tsim__block_type(m->blocks[to].type)->flags & TSIM__TYPE_NO_INPUT) &&
        !tsim__picking_takes(m, to)) {
        *rc = tsim__fail(TSIM_EINVAL, func, "route from '%s' into %s '%s'", b->name,
                         tsim_block_type_name(m->blocks[to].type), m->blocks[to].name);
        return NULL;
    }
    return b;
}

static void route_append(struct tsim__route *r, int to, double p, int product)
{
    r->to = tsim__realloc(r->to, (size_t)(r->n + 1) * sizeof(int));
    r->p = tsim__realloc(r->p, (size_t)(r->n + 1) * sizeof(double));
    r->product = tsim__realloc(r->product, (size_t)(r->n + 1) * sizeof(int));
    r->to[r->n] = to;
    r->p[r->n] = p;
    r->product[r->n] = product;
    r->n++;
}

int tsim_route_to(struct tsim_model *m, int from, int to)
{
    int rc;
    struct tsim__block_desc *b = route_from(m, from, to, __func__, &rc);
    if (!b) return rc;
    route_release(&b->route);
    b->route.rule = TSIM_ROUTE_SINGLE;
    route_append(&b->route, to, 1.0, -1);
    return 0;
}

int tsim_route_add_probability(struct tsim_model *m, int from, int to, double p)
{
    int rc;
    struct tsim__block_desc *b = route_from(m, from, to, __func__, &rc);
    if (!b) return rc;
    if (!(p >= 0 && p <= 1))
        return tsim__fail(TSIM_ERANGE, __func__, "probability %g outside [0, 1]", p);
    if (b->route.rule != TSIM_ROUTE_PROBABILITY) {
        route_release(&b->route);
        b->route.rule = TSIM_ROUTE_PROBABILITY;
    }
    route_append(&b->route, to, p, -1);
    return 0;
}

int tsim_route_add_product(struct tsim_model *m, int from, int product, int to)
{
    int rc;
    struct tsim__block_desc *b = route_from(m, from, to, __func__, &rc);
    if (!b) return rc;
    if (product < 0 || product >= m->nproducts)
        return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product);
    if (b->route.rule != TSIM_ROUTE_PRODUCT) {
        route_release(&b->route);
        b->route.rule = TSIM_ROUTE_PRODUCT;
    }
    for (int i = 0; i < b->route.n; i++)
        if (b->route.product[i] == product)
            return tsim__fail(TSIM_EEXIST, __func__, "product %d already routed from '%s'",
                              product, b->name);
    route_append(&b->route, to, 1.0, product);
    return 0;
}

int tsim_route_set_rule(struct tsim_model *m, int from, enum tsim_route_rule rule,
                        const int *among, int n)
{
    int rc;
    if (rule != TSIM_ROUTE_SHORTEST_QUEUE && rule != TSIM_ROUTE_ROUND_ROBIN &&
        rule != TSIM_ROUTE_FIRST_FREE && rule != TSIM_ROUTE_LEAST_UTILIZED &&
        rule != TSIM_ROUTE_EARLIEST_FREE)
        return tsim__fail(TSIM_EINVAL, __func__, "rule %d takes no list", (int)rule);
    if (n < 1) return tsim__fail(TSIM_EINVAL, __func__, "empty list of targets");
    for (int i = 0; i < n; i++)
        if (!route_from(m, from, among[i], __func__, &rc)) return rc;
    struct tsim__block_desc *b = &m->blocks[from];
    route_release(&b->route);
    b->route.rule = rule;
    for (int i = 0; i < n; i++) route_append(&b->route, among[i], 1.0, -1);
    return 0;
}

/* Finalize and validate ---------------------------------------------------------------------- */

static int finalize_block(struct tsim_model *m, struct tsim__block_desc *b)
{
    int np = m->nproducts > 0 ? m->nproducts : 1;
    struct tsim__pdist *pd = &b->process;
    tsim__free((void *)pd->by_product);
    pd->by_product = tsim__calloc((size_t)np, sizeof *pd->by_product);
    for (int p = 0; p < np; p++) pd->by_product[p] = pd->has_default ? &pd->dflt : NULL;
    for (int i = 0; i < pd->n; i++) pd->by_product[pd->product[i]] = &pd->dist[i];

    struct tsim__route *r = &b->route;
    tsim__free(r->cum);
    tsim__free(r->by_product);
    r->cum = NULL;
    r->by_product = NULL;
    if (r->rule == TSIM_ROUTE_PROBABILITY) {
        r->cum = tsim__malloc((size_t)r->n * sizeof(double));
        double c = 0;
        for (int i = 0; i < r->n; i++) r->cum[i] = (c += r->p[i]);
        if (fabs(c - 1) > 1e-9) {
            tsim__model_blame_key(m, b->index, tsim__key_index(tsim__block_type(b->type), "to"));
            return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                              "probabilities of the routes from '%s' sum to %g, not 1", b->name, c);
        }
        r->cum[r->n - 1] = 1.0;
    } else if (r->rule == TSIM_ROUTE_PRODUCT) {
        r->by_product = tsim__malloc((size_t)np * sizeof(int));
        for (int p = 0; p < np; p++) r->by_product[p] = -1;
        for (int i = 0; i < r->n; i++) r->by_product[r->product[i]] = r->to[i];
    }
    for (int i = 0; i < r->n; i++) m->blocks[r->to[i]].indegree++;
    r->slow = r->rule != TSIM_ROUTE_SINGLE || b->hook != NULL;

    tsim__free(b->release_over);
    b->release_over = NULL;
    if (b->release_wip && b->release_n >= 0) {
        b->release_over = tsim__calloc((size_t)m->nblocks, 1);
        for (int i = 0; i < b->release_n; i++) b->release_over[b->release_list[i]] = 1;
    }

    tsim__free(b->part_count);
    b->part_count = tsim__calloc((size_t)np, sizeof(int));
    for (int i = 0; i < b->parts_n; i++) b->part_count[b->parts_product[i]] = b->parts_k[i];
    return 0;
}

/* What every block must have, then what its type asks (the type's `check`). */
static int check_block(const struct tsim_model *m, const struct tsim__block_desc *b)
{
    const struct tsim__block_type *bt = tsim__block_type(b->type);
    if (!(bt->flags & TSIM__TYPE_NO_ROUTE) && b->route.rule == TSIM_ROUTE_NONE)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, "block '%s' has no way out", b->name);
    for (int i = 0; bt->keys[i].name; i++) {
        const struct tsim__key *k = &bt->keys[i];
        /* Keys kept in the value table; a type with fields of its own checks them itself. */
        if ((k->flags & TSIM__KEY_REQUIRED) && b->val && !k->set && k->kind != TSIM__KEY_FORM &&
            !b->val[i].set)
            return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, "%s '%s' has no '%s'", bt->name,
                              b->name, k->name);
    }
    ((struct tsim_model *)m)->err_line = 0;
    return bt->check ? bt->check(m, b) : 0;
}

void tsim__model_blame_at(const struct tsim_model *m, int line, int col)
{
    struct tsim_model *w = (struct tsim_model *)m;
    w->err_line = line;
    w->err_col = col;
}

void tsim__model_blame_key(const struct tsim_model *m, int b, int key)
{
    for (int k = 0; k < m->nkey_at; k++)
        if (m->key_at[k][0] == b && m->key_at[k][1] == key) {
            tsim__model_blame_at(m, m->key_at[k][2], m->key_at[k][3]);
            return;
        }
}

void tsim__model_note_net(struct tsim_model *m, int what, int index, int line, int col)
{
    if (m->nnet_at == m->cap_net_at) {
        m->cap_net_at = m->cap_net_at ? 2 * m->cap_net_at : 8;
        m->net_at = tsim__realloc(m->net_at, (size_t)m->cap_net_at * sizeof *m->net_at);
    }
    int *w = m->net_at[m->nnet_at++];
    w[0] = what;
    w[1] = index;
    w[2] = line;
    w[3] = col;
}

int tsim__model_blame_net(const struct tsim_model *m, int what, int index)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < m->nnet_at; k++)
            if (m->net_at[k][0] == what && m->net_at[k][1] == index) {
                tsim__model_blame_at(m, m->net_at[k][2], m->net_at[k][3]);
                return 1;
            }
        if (what != TSIM__AT_ZONE || index < 0) return 0;
        index = -1; /* not in `zones`: its capacity is `node_capacity`'s */
    }
    return 0;
}

/* Shifts are laid on the clock in whole ticks per hour (blocks/shift.c): an hour must be a whole
 * number of ticks, at least one. Otherwise a day would not be a whole number of ticks and shifts
 * would drift a little each day, or, with ticks longer than an hour, not be placed at all. (A
 * boundary between two ticks is rounded to the nearer, as every time is.) */
static int check_shift_ticks(const struct tsim_model *m)
{
    if (m->nshifts == 0) return 0;
    const char *fn = TSIM__VALIDATE;
    double tph = m->ticks_per_unit * unit_hours(m);
    double whole = floor(tph + 0.5);
    if (whole < 1 || fabs(tph - whole) > 1e-9 * tph)
        return tsim__fail(TSIM_EMODEL, fn,
                          "shift '%s' needs an hour to be a whole number of ticks, but the "
                          "resolution (%g %s) makes it %.10g (use a finer 'resolution', such as "
                          "1s)",
                          m->shifts[0].name, 1 / m->ticks_per_unit, m->time_unit, tph);
    return 0;
}

int tsim__model_finalize(struct tsim_model *m)
{
    if (m->finalized) return 0;
    m->err_block = -1;
    m->err_line = 0;
    for (int i = 0; i < m->nblocks; i++) m->blocks[i].indegree = 0;
    for (int i = 0; i < m->nblocks; i++) {
        int rc = finalize_block(m, &m->blocks[i]);
        if (rc) return m->err_block = i, rc;
    }
    if (m->nblocks == 0)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, "model '%s' has no blocks", m->name);
    mark_orders_reach(m);
    if (!m->product_kpis && (m->nproducts >= 2 || (m->nproducts == 1 && tsim__picking_any(m)))) {
        /* Products are only ever added, never renamed: names made once stay right, and adding
         * a product drops the table (tsim_model_add_product). */
        static const char *const kpi[TSIM__PK_N] = {"lead_time", "throughput", "count",
                                                    "units", "lines_per_hour", "units_per_hour",
                                                    "stock", "put_aways", "retrievals", "dwell"};
        m->product_kpis = tsim__calloc((size_t)m->nproducts * TSIM__PK_N, sizeof *m->product_kpis);
        for (int p = 0; p < m->nproducts; p++)
            for (int k = 0; k < TSIM__PK_N; k++)
                m->product_kpis[TSIM__PK_N * p + k] = kpi_name(m->products[p], kpi[k]);
    }
    if (check_shift_ticks(m) != 0) return TSIM_EMODEL;
    long long servers = 0;
    for (int i = 0; i < m->nblocks; i++) {
        int rc = check_block(m, &m->blocks[i]);
        if (rc) return m->err_block = i, rc;
        if (m->blocks[i].type == TSIM_MACHINE) servers += m->blocks[i].servers;
    }
    /* Every server has its state in each sim, addressed by 32-bit offsets: about 130 bytes a
     * server, so this keeps a sim far below 4 GiB (and its memory in reach). */
    if (servers > TSIM__SERVERS_TOTAL_MAX)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "the machines have %lld servers in all, more than %d", servers,
                          TSIM__SERVERS_TOTAL_MAX);
    m->finalized = 1;
    return 0;
}

int tsim_model_validate(const struct tsim_model *m)
{
    TSIM__ASSERT(m != NULL, "NULL model");
    /* Validation builds derived tables once; the description itself is not changed. */
    return tsim__model_finalize((struct tsim_model *)m);
}

int tsim_model_error_block(const struct tsim_model *m)
{
    TSIM__ASSERT(m != NULL, "NULL model");
    return m->err_block;
}
