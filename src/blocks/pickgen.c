/*
 * Drawn orders of a picking block (`order_interarrival`, no orders file): a replication draws all
 * its orders at its start, from the block's own stream, into its state (struct
 * tsim__picking_gen and its arrays, the same arrays as a file's), so the rest of the block
 * cannot tell them from a file's. The state has room for `order_limit` orders of the most lines
 * `order_lines` can draw, so that distribution must be bounded (picking.c's check).
 */
#include "blocks/pickstate.h"

#include <math.h>

/* The most lines a draw of `d` gives (rounded, at least 1), or 0 if its draws are not bounded. */
long long tsim__pickgen_lines_max(const struct tsim_dist *d)
{
    double hi;
    switch (d->kind) {
    case TSIM_DIST_CONSTANT: hi = d->p[0]; break;
    case TSIM_DIST_UNIFORM: hi = d->p[1]; break;
    case TSIM_DIST_TRIANGULAR: hi = d->p[2]; break;
    case TSIM_DIST_PERT: hi = d->p[2]; break;
    case TSIM_DIST_BETA: hi = d->p[3]; break;
    case TSIM_DIST_DISCRETE:
    case TSIM_DIST_EMPIRICAL:
        hi = 0;
        for (uint32_t i = 0; i < d->n; i++)
            if (d->x[i] > hi) hi = d->x[i];
        break;
    default: return 0;
    }
    return hi < 1.5 ? 1 : hi < 1e9 ? llround(hi) : 0;
}

/* Orders and lines of the block's state: the file's, or room for the drawn ones. */
void tsim__pickgen_sizes(const struct tsim__block_desc *d, size_t *no, size_t *nl)
{
    if (!generated(d)) {
        *no = (size_t)d->orders.norders;
        *nl = (size_t)d->orders.nlines;
        return;
    }
    *no = d->val[K_ORDER_LIMIT].set ? (size_t)d->val[K_ORDER_LIMIT].i : 0;
    const struct tsim__val *lines = &d->val[K_ORDER_LINES];
    *nl = *no * (size_t)(lines->set ? tsim__pickgen_lines_max(&lines->d) : 1);
}

/* Bytes of the state the drawn orders take (0 with a file). */
size_t tsim__pickgen_size(const struct tsim__block_desc *d)
{
    if (!generated(d)) return 0;
    size_t no, nl;
    tsim__pickgen_sizes(d, &no, &nl);
    return round8(sizeof(struct tsim__picking_gen)) + 2 * round8(no * sizeof(int64_t)) +
           round8((no + 1) * sizeof(int32_t)) + 2 * round8(nl * sizeof(int32_t));
}

/* A whole number drawn from `key` (plain numbers, not times), rounded, from 1 to 10^9. */
static int32_t draw_count(struct tsim_sim *sim, struct tsim__picking *s,
                          const struct tsim__block_desc *d, int key)
{
    if (!d->val[key].set) return 1;
    double v = tsim__time(sim, tsim__draw(sim, &d->val[key].d, &s->h.rng[TSIM__RNG_AUX]));
    return v < 1.5 ? 1 : v < 1e9 ? (int32_t)llround(v) : 1000000000;
}

static int32_t draw_product(struct tsim_sim *sim, struct tsim__picking *s,
                            const struct tsim__block_desc *d)
{
    if (d->mix_n == 0 && d->val[K_PRODUCT].set) return (int32_t)d->val[K_PRODUCT].i;
    double u = tsim__draw_u(sim, &s->h.rng[TSIM__RNG_AUX]);
    if (d->mix_n == 0) {
        uint32_t p = (uint32_t)(u * s->nprod);
        return (int32_t)(p < s->nprod ? p : s->nprod - 1);
    }
    int i = 0;
    while (i < d->mix_n - 1 && u > d->mix_cum[i]) i++;
    return d->mix_product[i];
}

/* Draw every order of the replication into the arena, laid out after the stock. */
void tsim__pickgen_draw(struct tsim_sim *sim, struct tsim__picking *s,
                        const struct tsim__block_desc *d, uint64_t off)
{
    size_t no, nl;
    tsim__pickgen_sizes(d, &no, &nl);
    s->gen_off = off;
    struct tsim__picking_gen *g = GEN(s);
    g->rel_off = off + round8(sizeof(struct tsim__picking_gen));
    g->due_off = g->rel_off + round8(no * sizeof(int64_t));
    g->first_off = g->due_off + round8(no * sizeof(int64_t));
    g->product_off = g->first_off + round8((no + 1) * sizeof(int32_t));
    g->qty_off = g->product_off + round8(nl * sizeof(int32_t));
    int64_t *rel = GAT(s, rel_off, int64_t), *due = GAT(s, due_off, int64_t), t = sim->now;
    int32_t *first = GAT(s, first_off, int32_t), *prod = GAT(s, product_off, int32_t);
    int32_t *qty = GAT(s, qty_off, int32_t), l = 0;
    for (size_t o = 0; o < no; o++) {
        t += tsim__draw(sim, &d->val[K_ORDER_INTERARRIVAL].d, &s->h.rng[TSIM__RNG_AUX]);
        if (t > TSIM__TMAX) t = TSIM__TMAX;
        rel[o] = t;
        due[o] = TSIM__NEVER;
        if (d->val[K_DUE].set) {
            int64_t dd = tsim__draw(sim, &d->val[K_DUE].d, &s->h.rng[TSIM__RNG_AUX]);
            due[o] = dd < TSIM__TMAX - t ? t + dd : TSIM__TMAX;
        }
        first[o] = l;
        /* a draw just under the bound's rounding point may round up once in ticks */
        int32_t n = draw_count(sim, s, d, K_ORDER_LINES);
        if ((size_t)n > nl / (no ? no : 1)) n = (int32_t)(nl / no);
        for (int32_t k = 0; k < n; k++, l++) {
            prod[l] = draw_product(sim, s, d);
            qty[l] = draw_count(sim, s, d, K_LINE_UNITS);
        }
    }
    first[no] = l;
}
