/*
 * The model builder: creates the plain-data description (src/blocks/desc.h) through the public
 * setters, checks each value as it is set, and finalizes per-product tables, cumulative
 * probabilities and in-degrees before sims are built. It does not parse text (loader.c, parse.c)
 * and runs nothing.
 *
 * Invariant: any setter clears `finalized`; tsim__model_finalize rebuilds the derived tables.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "model/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[TSIM_BLOCK_TYPE_COUNT] = {
    "source", "buffer", "delay", "machine", "assembly", "split", "sink",
};

const char *tsim_block_type_name(enum tsim_block_type type)
{
    return (unsigned)type < TSIM_BLOCK_TYPE_COUNT ? type_names[type] : "unknown";
}

struct tsim_model *tsim_model_create(const char *name)
{
    TSIM__ASSERT(name != NULL, "NULL name");
    struct tsim_model *m = tsim__calloc(1, sizeof *m);
    m->name = tsim__strdup(name);
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
        tsim_dist_release(&b->due);
        tsim_dist_release(&b->delay);
        pdist_release(&b->process);
        tsim_dist_release(&b->setup);
        tsim_dist_release(&b->between);
        tsim_dist_release(&b->repair);
        tsim__free(b->part_count);
        tsim__free(b->parts_product);
        tsim__free(b->parts_k);
    }
    for (int i = 0; i < m->nproducts; i++) tsim__free(m->products[i]);
    for (int i = 0; i < m->nshifts; i++) {
        tsim__free(m->shifts[i].name);
        tsim__free(m->shifts[i].periods);
    }
    for (int i = 0; i < m->npools; i++) tsim__free(m->pools[i].name);
    tsim__free(m->products);
    tsim__free(m->blocks);
    tsim__free(m->shifts);
    tsim__free(m->pools);
    tsim__free(m->block_line);
    tsim__free(m->block_col);
    tsim__free(m->block_index.slot);
    tsim__free(m->product_index.slot);
    tsim__free(m->block_names);
    tsim__free(m->name);
    tsim__free(m);
}

const char *tsim_model_name(const struct tsim_model *m) { return m->name; }

int tsim_model_set_time_unit(struct tsim_model *m, const char *unit)
{
    static const char *const units[] = {"s", "min", "h", "d"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (unit && strcmp(unit, units[i]) == 0) {
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
    if ((unsigned)type >= TSIM_BLOCK_TYPE_COUNT)
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

/* The block `block` if it exists and has one of the types in `mask` (1 << type). */
static struct tsim__block_desc *get_block(struct tsim_model *m, int block, unsigned mask,
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

#define T(x) (1u << (x))

/* A time must not be negative on average; a distribution that can draw negative values (normal)
 * is clamped to 0 at each draw. */
static int check_time(const char *func, const struct tsim__block_desc *b, const char *param,
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

static void set_dist(struct tsim_dist *dst, const struct tsim_dist *src)
{
    tsim_dist_release(dst);
    tsim_dist_copy(dst, src);
}

int tsim_source_set_interarrival(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SOURCE), __func__, "interarrival", &rc);
    if (!b) return rc;
    if ((rc = check_time(__func__, b, "interarrival", d))) return rc;
    set_dist(&b->interarrival, d);
    b->has_interarrival = 1;
    return 0;
}

int tsim_source_set_mix(struct tsim_model *m, int block, const int *product, const double *prob,
                        int n)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SOURCE), __func__, "product", &rc);
    if (!b) return rc;
    if (n < 1) return tsim__fail(TSIM_EINVAL, __func__, "empty product mix for '%s'", b->name);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (product[i] < 0 || product[i] >= m->nproducts)
            return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product[i]);
        if (!(prob[i] >= 0)) return tsim__fail(TSIM_ERANGE, __func__, "negative probability");
        sum += prob[i];
    }
    if (fabs(sum - 1) > 1e-9)
        return tsim__fail(TSIM_EINVAL, __func__, "product probabilities of '%s' sum to %g, not 1",
                          b->name, sum);
    tsim__free(b->mix_product);
    tsim__free(b->mix_cum);
    b->mix_product = tsim__malloc((size_t)n * sizeof(int));
    b->mix_cum = tsim__malloc((size_t)n * sizeof(double));
    double c = 0;
    for (int i = 0; i < n; i++) {
        b->mix_product[i] = product[i];
        c += prob[i];
        b->mix_cum[i] = c;
    }
    b->mix_cum[n - 1] = 1.0;
    b->mix_n = n;
    return 0;
}

int tsim_source_set_limit(struct tsim_model *m, int block, uint64_t limit)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SOURCE), __func__, "limit", &rc);
    if (!b) return rc;
    b->limit = limit;
    return 0;
}

int tsim_source_set_batch(struct tsim_model *m, int block, int batch)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SOURCE), __func__, "batch", &rc);
    if (!b) return rc;
    if (batch < 1) return tsim__fail(TSIM_ERANGE, __func__, "batch of '%s' must be >= 1", b->name);
    b->batch = batch;
    return 0;
}

int tsim_source_set_population(struct tsim_model *m, int block, int population)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SOURCE), __func__, "population", &rc);
    if (!b) return rc;
    if (population < 0)
        return tsim__fail(TSIM_ERANGE, __func__, "population of '%s' must be >= 0", b->name);
    b->population = population;
    return 0;
}

int tsim_source_set_due(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SOURCE), __func__, "due", &rc);
    if (!b) return rc;
    if ((rc = check_time(__func__, b, "due", d))) return rc;
    set_dist(&b->due, d);
    b->has_due = 1;
    return 0;
}

int tsim_buffer_set_capacity(struct tsim_model *m, int block, uint64_t capacity)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_BUFFER), __func__, "capacity", &rc);
    if (!b) return rc;
    if (capacity > (UINT64_C(1) << 40))
        return tsim__fail(TSIM_ERANGE, __func__, "capacity of '%s' is too large", b->name);
    b->capacity = capacity;
    return 0;
}

int tsim_buffer_set_discipline(struct tsim_model *m, int block, enum tsim_discipline discipline)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_BUFFER), __func__, "discipline", &rc);
    if (!b) return rc;
    if ((unsigned)discipline > TSIM_EDD)
        return tsim__fail(TSIM_EINVAL, __func__, "unknown discipline %d", (int)discipline);
    b->discipline = discipline;
    return 0;
}

int tsim_buffer_set_drop(struct tsim_model *m, int block, int drop)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_BUFFER), __func__, "when_full", &rc);
    if (!b) return rc;
    b->drop = drop != 0;
    return 0;
}

int tsim_machine_set_drop(struct tsim_model *m, int block, int drop)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_MACHINE), __func__, "when_full", &rc);
    if (!b) return rc;
    b->drop = drop != 0;
    return 0;
}

int tsim_delay_set_time(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_DELAY), __func__, "time", &rc);
    if (!b) return rc;
    if ((rc = check_time(__func__, b, "time", d))) return rc;
    set_dist(&b->delay, d);
    return 0;
}

int tsim_machine_set_process(struct tsim_model *m, int block, int product,
                             const struct tsim_dist *d)
{
    int rc;
    struct tsim__block_desc *b =
        get_block(m, block, T(TSIM_MACHINE) | T(TSIM_ASSEMBLY), __func__, "process", &rc);
    if (!b) return rc;
    if ((rc = check_time(__func__, b, "process", d))) return rc;
    struct tsim__pdist *pd = &b->process;
    if (product < 0) {
        if (pd->has_default) tsim_dist_release(&pd->dflt);
        tsim_dist_copy(&pd->dflt, d);
        pd->has_default = 1;
        return 0;
    }
    if (product >= m->nproducts) return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product);
    for (int i = 0; i < pd->n; i++) {
        if (pd->product[i] == product) {
            set_dist(&pd->dist[i], d);
            return 0;
        }
    }
    pd->product = tsim__realloc(pd->product, (size_t)(pd->n + 1) * sizeof(int));
    pd->dist = tsim__realloc(pd->dist, (size_t)(pd->n + 1) * sizeof *pd->dist);
    pd->product[pd->n] = product;
    tsim_dist_copy(&pd->dist[pd->n], d);
    pd->n++;
    return 0;
}

void tsim__machine_clear_product_process(struct tsim_model *m, int block)
{
    struct tsim__pdist *pd = &m->blocks[block].process;
    for (int i = 0; i < pd->n; i++) tsim_dist_release(&pd->dist[i]);
    pd->n = 0;
    m->finalized = 0;
}

int tsim_machine_set_servers(struct tsim_model *m, int block, int servers)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_MACHINE), __func__, "servers", &rc);
    if (!b) return rc;
    if (servers < 1 || servers > 100000)
        return tsim__fail(TSIM_ERANGE, __func__, "servers of '%s' must be in 1..100000", b->name);
    b->servers = servers;
    return 0;
}

int tsim_machine_set_setup(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_MACHINE), __func__, "setup", &rc);
    if (!b) return rc;
    if ((rc = check_time(__func__, b, "setup", d))) return rc;
    set_dist(&b->setup, d);
    b->has_setup = 1;
    return 0;
}

int tsim_machine_set_failures(struct tsim_model *m, int block, const struct tsim_dist *between,
                              const struct tsim_dist *repair)
{
    int rc;
    struct tsim__block_desc *b =
        get_block(m, block, T(TSIM_MACHINE) | T(TSIM_ASSEMBLY), __func__, "failures", &rc);
    if (!b) return rc;
    if ((rc = check_time(__func__, b, "failures.between", between))) return rc;
    if ((rc = check_time(__func__, b, "failures.repair", repair))) return rc;
    if (!(tsim_dist_mean(between) > 0))
        return tsim__fail(TSIM_ERANGE, __func__, "'failures.between' of '%s' must have a mean > 0",
                          b->name);
    set_dist(&b->between, between);
    set_dist(&b->repair, repair);
    b->has_failures = 1;
    return 0;
}

int tsim_machine_set_failure_basis(struct tsim_model *m, int block, enum tsim_failure_basis basis)
{
    int rc;
    struct tsim__block_desc *b =
        get_block(m, block, T(TSIM_MACHINE) | T(TSIM_ASSEMBLY), __func__, "failures", &rc);
    if (!b) return rc;
    if ((unsigned)basis > TSIM_FAILURES_CALENDAR)
        return tsim__fail(TSIM_ERANGE, __func__, "failure basis %d of '%s' is not one of the enum",
                          (int)basis, b->name);
    b->failure_basis = basis;
    return 0;
}

int tsim_machine_set_scrap(struct tsim_model *m, int block, double fraction)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_MACHINE), __func__, "scrap", &rc);
    if (!b) return rc;
    if (!(fraction >= 0 && fraction < 1))
        return tsim__fail(TSIM_ERANGE, __func__, "scrap of '%s' must be in [0, 1)", b->name);
    b->scrap = fraction;
    return 0;
}

int tsim_machine_set_needs(struct tsim_model *m, int block, int pool, int count, unsigned for_mask)
{
    int rc;
    struct tsim__block_desc *b =
        get_block(m, block, T(TSIM_MACHINE) | T(TSIM_ASSEMBLY), __func__, "needs", &rc);
    if (!b) return rc;
    if (pool < 0 || pool >= m->npools) return tsim__fail(TSIM_ENOENT, __func__, "no pool %d", pool);
    if (count < 1 || count > m->pools[pool].count)
        return tsim__fail(TSIM_ERANGE, __func__,
                          "'%s' needs %d of pool '%s', which has %d", b->name, count,
                          m->pools[pool].name, m->pools[pool].count);
    if (!for_mask || (for_mask & ~7u))
        return tsim__fail(TSIM_EINVAL, __func__, "bad 'for' mask %u", for_mask);
    b->need = (struct tsim__need){pool, count, for_mask};
    return 0;
}

int tsim_machine_set_shift(struct tsim_model *m, int block, int shift)
{
    int rc;
    struct tsim__block_desc *b =
        get_block(m, block, T(TSIM_MACHINE) | T(TSIM_ASSEMBLY), __func__, "shift", &rc);
    if (!b) return rc;
    if (shift < -1 || shift >= m->nshifts) return tsim__fail(TSIM_ENOENT, __func__, "no shift %d", shift);
    b->shift = shift;
    return 0;
}

int tsim_assembly_set_part(struct tsim_model *m, int block, int product, int count)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_ASSEMBLY), __func__, "parts", &rc);
    if (!b) return rc;
    if (product < 0 || product >= m->nproducts)
        return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product);
    if (count < 1 || count > 1000000)
        return tsim__fail(TSIM_ERANGE, __func__, "part count of '%s' must be >= 1", b->name);
    for (int i = 0; i < b->parts_n; i++) {
        if (b->parts_product[i] == product) {
            b->parts_k[i] = count;
            return 0;
        }
    }
    b->parts_product = tsim__realloc(b->parts_product, (size_t)(b->parts_n + 1) * sizeof(int));
    b->parts_k = tsim__realloc(b->parts_k, (size_t)(b->parts_n + 1) * sizeof(int));
    b->parts_product[b->parts_n] = product;
    b->parts_k[b->parts_n] = count;
    b->parts_n++;
    return 0;
}

int tsim_assembly_set_product(struct tsim_model *m, int block, int product)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_ASSEMBLY), __func__, "product", &rc);
    if (!b) return rc;
    if (product < -1 || product >= m->nproducts)
        return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product);
    b->out_product = product;
    return 0;
}

int tsim_split_set_into(struct tsim_model *m, int block, int into)
{
    int rc;
    struct tsim__block_desc *b = get_block(m, block, T(TSIM_SPLIT), __func__, "into", &rc);
    if (!b) return rc;
    if (into < 1 || into > 1000000)
        return tsim__fail(TSIM_ERANGE, __func__, "'into' of '%s' must be >= 1", b->name);
    b->into = into;
    return 0;
}

/* Routes ---------------------------------------------------------------------------------- */

static struct tsim__block_desc *route_from(struct tsim_model *m, int from, int to,
                                           const char *func, int *rc)
{
    struct tsim__block_desc *b = get_block(m, from, ~T(TSIM_SINK), func, "to", rc);
    if (!b) return NULL;
    if (to < 0 || to >= m->nblocks) {
        *rc = tsim__fail(TSIM_ENOENT, func, "route from '%s' to no block %d", b->name, to);
        return NULL;
    }
    if (m->blocks[to].type == TSIM_SOURCE) {
        *rc = tsim__fail(TSIM_EINVAL, func, "route from '%s' into source '%s'", b->name,
                         m->blocks[to].name);
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
    if (rule != TSIM_ROUTE_SHORTEST_QUEUE && rule != TSIM_ROUTE_ROUND_ROBIN)
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
        if (fabs(c - 1) > 1e-9)
            return tsim__fail(TSIM_EMODEL, "tsim_model_validate",
                              "probabilities of the routes from '%s' sum to %g, not 1", b->name, c);
        r->cum[r->n - 1] = 1.0;
    } else if (r->rule == TSIM_ROUTE_PRODUCT) {
        r->by_product = tsim__malloc((size_t)np * sizeof(int));
        for (int p = 0; p < np; p++) r->by_product[p] = -1;
        for (int i = 0; i < r->n; i++) r->by_product[r->product[i]] = r->to[i];
    }
    for (int i = 0; i < r->n; i++) m->blocks[r->to[i]].indegree++;

    tsim__free(b->part_count);
    b->part_count = tsim__calloc((size_t)np, sizeof(int));
    for (int i = 0; i < b->parts_n; i++) b->part_count[b->parts_product[i]] = b->parts_k[i];
    return 0;
}

static int check_block(const struct tsim_model *m, const struct tsim__block_desc *b)
{
    const char *fn = "tsim_model_validate";
    if (b->type != TSIM_SINK && b->route.rule == TSIM_ROUTE_NONE)
        return tsim__fail(TSIM_EMODEL, fn, "block '%s' has no way out", b->name);
    if (b->type == TSIM_MACHINE || b->type == TSIM_ASSEMBLY) {
        /* Which products reach a machine depends on the routes; a product that arrives with
         * no processing time of its own is processed in zero time (the loader checks the
         * product flow and reports it with a position). */
        if (!b->process.has_default && b->process.n == 0)
            return tsim__fail(TSIM_EMODEL, fn, "'%s' has no processing time", b->name);
        if (b->need.pool >= 0 && b->need.count > m->pools[b->need.pool].count)
            return tsim__fail(TSIM_EMODEL, fn, "'%s' needs more operators than pool '%s' has",
                              b->name, m->pools[b->need.pool].name);
    }
    if (b->type == TSIM_ASSEMBLY && b->parts_n == 0)
        return tsim__fail(TSIM_EMODEL, fn, "assembly '%s' has no parts", b->name);
    if (b->type == TSIM_SOURCE && !b->has_interarrival && b->population == 0)
        return tsim__fail(TSIM_EMODEL, fn, "source '%s' has neither interarrival nor population",
                          b->name);
    if (b->type == TSIM_SOURCE && b->has_interarrival && b->limit == 0 &&
        tsim_dist_mean(&b->interarrival) <= 0)
        return tsim__fail(TSIM_EMODEL, fn,
                          "source '%s' has interarrival 0 and no limit: it would never end",
                          b->name);
    return 0;
}

/* Shifts are laid on the clock in whole ticks per hour (blocks/shift.c): an hour must be a whole
 * number of ticks, at least one. Otherwise a day would not be a whole number of ticks and shifts
 * would drift a little each day, or, with ticks longer than an hour, not be placed at all. (A
 * boundary between two ticks is rounded to the nearer, as every time is.) */
static int check_shift_ticks(const struct tsim_model *m)
{
    if (m->nshifts == 0) return 0;
    const char *fn = "tsim_model_validate";
    double tph = m->ticks_per_unit * tsim_unit_factor("h", m->time_unit);
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
    for (int i = 0; i < m->nblocks; i++) m->blocks[i].indegree = 0;
    for (int i = 0; i < m->nblocks; i++) {
        int rc = finalize_block(m, &m->blocks[i]);
        if (rc) return rc;
    }
    if (m->nblocks == 0) return tsim__fail(TSIM_EMODEL, "tsim_model_validate", "model '%s' has no blocks", m->name);
    if (check_shift_ticks(m) != 0) return TSIM_EMODEL;
    long long servers = 0;
    for (int i = 0; i < m->nblocks; i++) {
        int rc = check_block(m, &m->blocks[i]);
        if (rc) return rc;
        if (m->blocks[i].type == TSIM_MACHINE) servers += m->blocks[i].servers;
    }
    /* Every server has its state in each sim, addressed by 32-bit offsets: about 130 bytes a
     * server, so this keeps a sim far below 4 GiB (and its memory in reach). */
    if (servers > TSIM__SERVERS_TOTAL_MAX)
        return tsim__fail(TSIM_EMODEL, "tsim_model_validate",
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
