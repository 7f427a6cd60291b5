/*
 * Entity attributes: their declarations in the model, their values in the sim, the small
 * expression machine of a block's `set`, and a block's hook (its sets and its rule), run as an
 * entity leaves the block. The expressions are compiled elsewhere (src/logic/expr.c); this file
 * only runs them. Not API.
 *
 * Invariants:
 * - A model without attributes and hooks costs nothing: sim->attrs is NULL, no block's route is
 *   `slow` for a hook, and the sources call tsim__attrs_start only when sim->nattrs > 0.
 * - Values are doubles; an attribute not yet set is TSIM__UNSET (a NaN). No expression yields
 *   a NaN (that is an error), so a NaN read is always an attribute read before it was set.
 * - An integer, product or id attribute holds a whole number: the compiler gives such an
 *   attribute only expressions of whole numbers (no '/'), and draws for it are rounded.
 */
#include "blocks/sim.h"

#include <math.h>
#include <string.h>

/* Declarations ------------------------------------------------------------------------------- */

int tsim__attr_find(const struct tsim_model *m, const char *name)
{
    for (int i = 0; i < m->nattrs; i++)
        if (strcmp(m->attrs[i].name, name) == 0) return i;
    return -1;
}

int tsim__attr_add(struct tsim_model *m, const char *name, enum tsim__attr_type type)
{
    if (tsim__attr_find(m, name) >= 0) return -1;
    m->attrs = tsim__realloc(m->attrs, (size_t)(m->nattrs + 1) * sizeof *m->attrs);
    struct tsim__attr_desc *a = &m->attrs[m->nattrs];
    memset(a, 0, sizeof *a);
    a->name = tsim__strdup(name);
    a->type = type;
    return m->nattrs++;
}

struct tsim__hook *tsim__block_hook(struct tsim_model *m, int block)
{
    struct tsim__block_desc *d = &m->blocks[block];
    if (!d->hook) d->hook = tsim__calloc(1, sizeof *d->hook);
    m->finalized = 0; /* the route's `slow` changes */
    return d->hook;
}

void tsim__attrs_release(struct tsim_model *m)
{
    for (int i = 0; i < m->nattrs; i++) {
        tsim__free(m->attrs[i].name);
        tsim_dist_release(&m->attrs[i].dist);
    }
    tsim__free(m->attrs);
    for (int b = 0; b < m->nblocks; b++) {
        if (m->blocks[b].seq.release) m->blocks[b].seq.release(m->blocks[b].seq.ctx);
        struct tsim__hook *h = m->blocks[b].hook;
        if (!h) continue;
        for (int i = 0; i < h->nset; i++) tsim__free(h->set[i].expr.code);
        tsim__free(h->set);
        for (int i = 0; i < 2; i++)
            if (h->ctx[i]) h->ctx_free[i](h->ctx[i]);
        tsim__free(h);
    }
    tsim__free(m->file);
}

/* Values ------------------------------------------------------------------------------------- */

void tsim__attrs_start(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    const struct tsim_model *m = sim->m;
    double *v = tsim__attrs(sim, e);
    for (uint32_t i = 0; i < sim->nattrs; i++) {
        const struct tsim__attr_desc *a = &m->attrs[i];
        if (a->init == 1) {
            v[i] = a->value;
        } else if (a->init == 2 && b != TSIM__NIL) {
            /* A source's third stream ("NAME/fail") is otherwise unused: its draws for
             * attributes shift none of the draws of its arrivals, mix or due dates. */
            struct tsim_rng *r = &tsim__hdr(sim, b)->rng[TSIM__RNG_FAIL];
            double x = sim->philox ? tsim__philox_sample(&a->dist, r) : tsim__sample(&a->dist, r);
            v[i] = a->type == TSIM__ATTR_NUMBER ? x : nearbyint(x);
        } else {
            v[i] = TSIM__UNSET;
        }
    }
}

void tsim__attrs_copy(struct tsim_sim *sim, uint32_t dst, uint32_t src)
{
    memcpy(tsim__attrs(sim, dst), tsim__attrs(sim, src), sim->nattrs * sizeof(double));
}

/* Expressions -------------------------------------------------------------------------------- */

double tsim__expr_eval(struct tsim_sim *sim, const struct tsim__aexpr *x, uint32_t b, uint32_t e,
                       int line, int col)
{
    double st[TSIM__EXPR_DEPTH];
    int sp = 0;
    const double *v = tsim__attrs(sim, e);
    const char *file = sim->m->file ? sim->m->file : "model";
    for (int i = 0; i < x->n; i++) {
        const struct tsim__insn *in = &x->code[i];
        double r = 0, a = sp >= 2 ? st[sp - 2] : 0, c = sp >= 1 ? st[sp - 1] : 0;
        switch (in->op) {
        case TSIM__OP_CONST:
            st[sp++] = in->value;
            continue;
        case TSIM__OP_ATTR:
            r = v[in->attr];
            if (isnan(r)) {
                tsim__sim_fail(sim, TSIM_EMODEL,
                               "%s:%d:%d: attribute '%s' is read before it was set (entity %llu "
                               "leaving '%s')",
                               file, line, col, sim->m->attrs[in->attr].name,
                               (unsigned long long)sim->ents[e].id, sim->m->blocks[b].name);
                return NAN;
            }
            st[sp++] = r;
            continue;
        case TSIM__OP_NEG: st[sp - 1] = -c; continue;
        case TSIM__OP_NOT: st[sp - 1] = c == 0; continue;
        case TSIM__OP_ADD: r = a + c; break;
        case TSIM__OP_SUB: r = a - c; break;
        case TSIM__OP_MUL: r = a * c; break;
        case TSIM__OP_DIV: r = a / c; break;
        case TSIM__OP_LT: r = a < c; break;
        case TSIM__OP_LE: r = a <= c; break;
        case TSIM__OP_GT: r = a > c; break;
        case TSIM__OP_GE: r = a >= c; break;
        case TSIM__OP_EQ: r = a == c; break;
        case TSIM__OP_NE: r = a != c; break;
        case TSIM__OP_AND: r = a != 0 && c != 0; break;
        case TSIM__OP_OR: r = a != 0 || c != 0; break;
        }
        st[sp - 2] = r;
        sp--;
    }
    double r = st[0];
    if (!isfinite(r)) {
        tsim__sim_fail(sim, TSIM_ERANGE,
                       "%s:%d:%d: expression gives %s (entity %llu leaving '%s'; a division by "
                       "0?)",
                       file, line, col, isnan(r) ? "no number" : "an infinite value",
                       (unsigned long long)sim->ents[e].id, sim->m->blocks[b].name);
        return NAN;
    }
    return r;
}

/* Hooks -------------------------------------------------------------------------------------- */

int tsim__hook_run(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    const struct tsim__hook *h = sim->blocks[b].hook;
    int k = -1;
    if (h->route_first) {
        k = h->fn[TSIM__HOOK_ROUTE](sim, b, e, h->ctx[TSIM__HOOK_ROUTE]);
        if (k < 0) return -2;
    }
    for (int i = 0; i < h->nset; i++) {
        const struct tsim__assign *s = &h->set[i];
        double r = tsim__expr_eval(sim, &s->expr, b, e, s->line, s->col);
        if (isnan(r)) return -2;
        tsim__attrs(sim, e)[s->attr] = r;
    }
    if (h->fn[TSIM__HOOK_SET] && h->fn[TSIM__HOOK_SET](sim, b, e, h->ctx[TSIM__HOOK_SET]) < 0)
        return -2;
    if (h->route_first) return k;
    if (!h->fn[TSIM__HOOK_ROUTE]) return -1;
    k = h->fn[TSIM__HOOK_ROUTE](sim, b, e, h->ctx[TSIM__HOOK_ROUTE]);
    return k < 0 ? -2 : k;
}
