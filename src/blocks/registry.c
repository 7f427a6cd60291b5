/*
 * The table of block types, and what every key of every type has in common: its checks by kind,
 * its place in a block's value table, and the public calls that set a key by name. What a type
 * is and does is in its own file (its descriptor, tsim__X_type); this file only lists them.
 *
 * Invariant: the first entries are in the order of enum tsim_block_type (the unit tests check it),
 * so that an enum value is an index here.
 */
#include "blocks/desc.h"
#include "core/core.h"

#include <math.h>
#include <string.h>

/* The block types, one line each, in table order: a new type is one more line above the last,
 * which ends the list. Each type's file defines tsim__NAME_type. */
#define TSIM__BLOCK_TYPES(X) \
    X(source)                \
    X(buffer)                \
    X(delay)                 \
    X(machine)               \
    X(assembly)              \
    X(split)                 \
    X(sink)                  \
    X(batcher)               \
    X(fleet)                 \
    X(conveyor)              \
    X(storage)               \
    X(picking)               \
    X(dock)                  \
    X(charger)               \
    /* end of the list */

#define DECLARE(x) extern const struct tsim__block_type tsim__##x##_type;
TSIM__BLOCK_TYPES(DECLARE)
#define ENTRY(x) &tsim__##x##_type,
const struct tsim__block_type *const tsim__block_types[] = {TSIM__BLOCK_TYPES(ENTRY)};
const int tsim__block_type_n = (int)(sizeof tsim__block_types / sizeof tsim__block_types[0]);

/* Setters pick types by bit (TSIM__T): 32 at most. */
_Static_assert(sizeof tsim__block_types / sizeof tsim__block_types[0] <= 32,
               "at most 32 block types");

const struct tsim__block_type *tsim__block_type(int type)
{
    TSIM__ASSERT(type >= 0 && type < tsim__block_type_n, "no block type %d", type);
    return tsim__block_types[type];
}

int tsim__key_index(const struct tsim__block_type *t, const char *name)
{
    for (int i = 0; t->keys[i].name; i++)
        if (strcmp(t->keys[i].name, name) == 0) return i;
    return -1;
}

int tsim__type_key_names(int type, const char **out, int cap)
{
    const struct tsim__block_type *t = tsim__block_type(type);
    int n = 0;
    for (int i = 0; t->keys[i].name && n < cap - 1; i++) out[n++] = t->keys[i].name;
    out[n] = NULL;
    return n;
}

int tsim__type_names(const char **out, int cap)
{
    int n = 0;
    for (int i = 0; i < tsim__block_type_n && n < cap - 1; i++)
        out[n++] = tsim__block_types[i]->name;
    out[n] = NULL;
    return n;
}

int tsim_block_type_count(void) { return tsim__block_type_n; }

int tsim__zero_time_always(const struct tsim__block_desc *d)
{
    (void)d;
    return 1;
}

int tsim_block_type_find(const char *name)
{
    for (int i = 0; name && i < tsim__block_type_n; i++)
        if (strcmp(tsim__block_types[i]->name, name) == 0) return i;
    return TSIM_ENOENT;
}

/* Value tables ------------------------------------------------------------------------------ */

static int stored(const struct tsim__key *k)
{
    return !k->set && k->kind != TSIM__KEY_FORM && k->kind != TSIM__KEY_TEXT;
}

void tsim__vals_init(struct tsim__block_desc *d)
{
    const struct tsim__block_type *t = tsim__block_type(d->type);
    int n = 0, any = 0;
    for (; t->keys[n].name; n++) any |= stored(&t->keys[n]);
    d->val = NULL;
    if (!any) return;
    d->val = tsim__calloc((size_t)n, sizeof *d->val);
    double zero = 0;
    for (int i = 0; i < n; i++) tsim_dist_init(&d->val[i].d, TSIM_DIST_CONSTANT, &zero, 1);
}

void tsim__vals_release(struct tsim__block_desc *d)
{
    if (!d->val) return;
    const struct tsim__block_type *t = tsim__block_type(d->type);
    for (int i = 0; t->keys[i].name; i++) tsim_dist_release(&d->val[i].d);
    tsim__free(d->val);
    d->val = NULL;
}

const struct tsim__val *tsim__block_val(const struct tsim__block_desc *d, const char *name)
{
    int k = tsim__key_index(tsim__block_type(d->type), name);
    TSIM__ASSERT(k >= 0 && d->val, "block '%s' keeps no value '%s'", d->name, name);
    return &d->val[k];
}

/* Applying a key ---------------------------------------------------------------------------- */

static int count_choices(const char *const *c)
{
    int n = 0;
    while (c[n]) n++;
    return n;
}

/* The checks of a key's kind, for a key kept in the value table (a key with a setter of its own
 * checks in it, in its own words). */
static int check_kind(const struct tsim_model *m, const struct tsim__block_desc *d,
                      const struct tsim__key *k, const struct tsim__value *v, const char *fn)
{
    switch (k->kind) {
    case TSIM__KEY_CAPACITY:
        if (v->i == 0) return 0; /* unlimited */
        /* fall through */
    case TSIM__KEY_INT:
        if (v->i < k->lo || v->i > k->hi)
            return tsim__fail(TSIM_ERANGE, fn, "'%s' of '%s' must be in %lld..%lld, got %lld",
                              k->name, d->name, k->lo, k->hi, v->i);
        return 0;
    case TSIM__KEY_REAL:
        if (!(v->r >= k->rlo && v->r < k->rhi))
            return tsim__fail(TSIM_ERANGE, fn, "'%s' of '%s' must be in [%g, %g), got %g",
                              k->name, d->name, k->rlo, k->rhi, v->r);
        return 0;
    case TSIM__KEY_CHOICE:
        if (v->i < 0 || v->i >= count_choices(k->choices))
            return tsim__fail(TSIM_ERANGE, fn, "'%s' of '%s' has no value %lld", k->name,
                              d->name, v->i);
        return 0;
    case TSIM__KEY_PRODUCT:
        if (v->i < 0 || v->i >= m->nproducts)
            return tsim__fail(TSIM_ENOENT, fn, "no product %lld", v->i);
        return 0;
    case TSIM__KEY_SHIFT:
        if (v->i < -1 || v->i >= m->nshifts)
            return tsim__fail(TSIM_ENOENT, fn, "no shift %lld", v->i);
        return 0;
    case TSIM__KEY_DIST: return tsim__check_time(fn, d, k->name, v->d);
    case TSIM__KEY_FORM:
    case TSIM__KEY_TEXT: break;
    }
    return tsim__fail(TSIM_EINVAL, fn, "'%s' of '%s' is not set by a value", k->name, d->name);
}

int tsim__key_apply(struct tsim_model *m, int block, const struct tsim__key *k,
                    const struct tsim__value *v)
{
    const char *fn = "tsim_block_set";
    if (k->set) return k->set(m, block, v);
    int rc;
    struct tsim__block_desc *d = tsim__block_get(m, block, ~0u, fn, k->name, &rc);
    if (!d) return rc;
    if ((rc = check_kind(m, d, k, v, fn))) return rc;
    struct tsim__val *x = &d->val[k - tsim__block_type(d->type)->keys];
    if (k->kind == TSIM__KEY_DIST) tsim__dist_set(&x->d, v->d);
    x->i = v->i;
    x->r = v->r;
    x->set = 1;
    return 0;
}

/* The key `key` of block `block`, or NULL with the error set. */
static const struct tsim__key *find_key(struct tsim_model *m, int block, const char *key,
                                        const char *fn, int *rc)
{
    TSIM__ASSERT(m != NULL && key != NULL, "NULL argument");
    if (block < 0 || block >= m->nblocks) {
        *rc = tsim__fail(TSIM_ENOENT, fn, "no block %d", block);
        return NULL;
    }
    const struct tsim__block_desc *d = &m->blocks[block];
    const struct tsim__block_type *t = tsim__block_type(d->type);
    int i = tsim__key_index(t, key);
    if (i < 0 || t->keys[i].kind == TSIM__KEY_FORM || t->keys[i].kind == TSIM__KEY_TEXT) {
        *rc = tsim__fail(TSIM_ENOENT, fn, "%s '%s' has no parameter '%s' set by a value",
                         t->name, d->name, key);
        return NULL;
    }
    return &t->keys[i];
}

int tsim_block_set_number(struct tsim_model *m, int block, const char *key, double value)
{
    int rc;
    const struct tsim__key *k = find_key(m, block, key, __func__, &rc);
    if (!k) return rc;
    if (k->kind == TSIM__KEY_DIST) {
        struct tsim_dist d;
        if ((rc = tsim_dist_init(&d, TSIM_DIST_CONSTANT, &value, 1))) return rc;
        rc = tsim__key_apply(m, block, k, &(struct tsim__value){0, value, &d});
        tsim_dist_release(&d);
        return rc;
    }
    if (k->kind != TSIM__KEY_REAL && !(value == floor(value) && fabs(value) < 9.2e18))
        return tsim__fail(TSIM_EINVAL, __func__, "'%s' takes a whole number, got %g", key, value);
    long long i = k->kind == TSIM__KEY_REAL ? 0 : (long long)value;
    return tsim__key_apply(m, block, k, &(struct tsim__value){i, value, NULL});
}

int tsim_block_set_dist(struct tsim_model *m, int block, const char *key, const struct tsim_dist *d)
{
    int rc;
    const struct tsim__key *k = find_key(m, block, key, __func__, &rc);
    if (!k) return rc;
    if (k->kind != TSIM__KEY_DIST)
        return tsim__fail(TSIM_EINVAL, __func__, "'%s' does not take a distribution", key);
    return tsim__key_apply(m, block, k, &(struct tsim__value){0, 0, d});
}

int tsim_model_block_servers(const struct tsim_model *m, int block)
{
    TSIM__ASSERT(m != NULL && block >= 0 && block < m->nblocks, "no block %d", block);
    const struct tsim__block_desc *d = &m->blocks[block];
    return tsim__block_type(d->type)->flags & TSIM__TYPE_SERVERS ? d->servers : 0;
}
