/*
 * A picking block's `pick_from`: its crew takes each line's units from the stock of one or
 * several storage blocks (aisles), at the tour's start, from the aisles in the order
 * `aisle_order` gives (open_loads), and walks them (tsim__pickrack_walk). Under `stockout: wait`
 * a line that finds too few waits, from its tour's end, until a put-away into one of its aisles,
 * or a crane request withdrawn there, leaves the rest for it (the storage tells the block:
 * tsim__storage_watch, EV_STOCK), and is then a tour of its own: a line waits in the wait list,
 * then the ready list, or is on a tour, never two of these at once. picking.c plans the tours
 * and calls these; they call storage.c and nothing of picking.c.
 */
#include "blocks/pickstate.h"
#include "blocks/storage.h"

/* With `pick_from`, the walk of a tour that took loads from the aisles (storage blocks) whose
 * `reach` is not negative, each reach the farthest bay taken from along that aisle from its I/O
 * point: return routing, the aisles' I/O points standing along a front aisle `aisle_pitch`
 * apart in pick_from's order, the depot at the first's. Along the front out to the farthest
 * aisle visited and back, and into each aisle visited to its reach and out again (a rack's
 * levels take no walking), in model time. */
double tsim__pickrack_walk(const struct tsim__block_desc *d, const double *reach)
{
    if (!d->val[K_WALK_SPEED].set) return 0;
    double pitch = d->val[K_AISLE_PITCH].set ? d->val[K_AISLE_PITCH].r : 0, front = 0, in = 0;
    for (int k = 0; k < d->pick_from_n; k++) {
        if (reach[k] < 0) continue;
        front = k * pitch;
        in += reach[k];
    }
    return 2 * (front + in) / d->val[K_WALK_SPEED].r;
}

/* Units one storage load holds (`load_units`). */
static int64_t per_load(const struct tsim__block_desc *d)
{
    return d->val[K_LOAD_UNITS].set ? d->val[K_LOAD_UNITS].i : 1;
}

/* Units of `product` the crew may take now: those left of its open load, and those of the loads
 * its aisles hold that no crane request claims, less (stockout: wait) the units promised to
 * lines ready again. */
static int64_t pickable(struct tsim_sim *sim, const struct tsim__picking *s,
                        const struct tsim__block_desc *d, int product)
{
    int64_t n = 0;
    for (int k = 0; k < d->pick_from_n; k++)
        n += tsim__storage_pickable(sim, (uint32_t)d->pick_from[k], product);
    n = n * per_load(d) + AT(s, open_off, int64_t)[product];
    if (waits(d)) n -= AT(s, prom_off, int64_t)[product];
    return n > 0 ? n : 0;
}

/* Up to `loads` loads of `product` taken from the aisles, each giving what it may: in
 * pick_from's order (`aisle_order: list`), or (`nearest`) first from the aisles the tour already
 * enters (`reach` not negative: taking from them adds no walk along the front, nor into a new
 * aisle), then from the others, each group in the list's order (along the front from the depot:
 * with return routing an aisle farther along adds more walk). `reach` as tsim__pickrack_walk
 * reads it. Returns the loads taken. */
static int64_t open_loads(struct tsim_sim *sim, const struct tsim__block_desc *d, int product,
                          int64_t loads, double *reach)
{
    int nearest = d->val[K_AISLE_ORDER].i == AISLE_NEAREST;
    int64_t opened = 0;
    for (int entered = nearest; entered >= 0; entered--)
        for (int k = 0; k < d->pick_from_n && opened < loads; k++) {
            if (nearest && entered != (reach[k] >= 0)) continue;
            opened += tsim__storage_pick(sim, (uint32_t)d->pick_from[k], product, loads - opened,
                                         &reach[k]);
        }
    return opened;
}

/* A line takes up to `want` units of `product`: first what is left of the product's open load
 * (at the depot: no walk), then from loads it opens, `load_units` units each, taken from the
 * aisles by `aisle_order` (open_loads; a line may be split over aisles); what the last load
 * opened has left stays open for the next line of the product. `reach` per aisle, as
 * tsim__pickrack_walk reads it. Under `stockout: wait` it leaves the units promised to lines
 * ready again. Returns the units taken. */
int64_t tsim__pickrack_take(struct tsim_sim *sim, struct tsim__picking *s,
                            const struct tsim__block_desc *d, int product, int64_t want,
                            double *reach)
{
    if (waits(d)) {
        int64_t room = pickable(sim, s, d, product);
        if (room < want) want = room;
    }
    int64_t *open = &AT(s, open_off, int64_t)[product], n = per_load(d);
    int64_t got = want < *open ? want : *open;
    *open -= got;
    int64_t loads = (want - got + n - 1) / n, opened = open_loads(sim, d, product, loads, reach);
    int64_t from = opened * n < want - got ? opened * n : want - got;
    *open += opened * n - from;
    return got + from;
}

/* `stockout: wait`: append line `l` to the wait list (`ready` 0) or the ready list. */
void tsim__pickrack_append(struct tsim__picking *s, uint32_t l, int ready)
{
    struct tsim__pick_wait *w = AT(s, wait_off, struct tsim__pick_wait);
    uint32_t *head = ready ? &s->ready_head : &s->wait_head;
    uint32_t *tail = ready ? &s->ready_tail : &s->wait_tail;
    w[l].next = TSIM__NIL;
    if (*tail == TSIM__NIL) *head = l;
    else w[*tail].next = l;
    *tail = l;
}

/* `stockout: wait`: the lines waiting for `product`, in the order they began to wait, are ready
 * again while the aisles hold their units (less those promised to lines ready before them): the
 * first that finds too few stops the others of its product (FIFO), and the block watches its
 * aisles for the next put-away of the product (or crane request withdrawn). Lines the plant
 * reported picked leave the list. Returns whether a line is ready again. O(waiting lines). */
int tsim__pickrack_ready_check(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s,
                               const struct tsim__block_desc *d, int product)
{
    struct tsim__pick_wait *w = AT(s, wait_off, struct tsim__pick_wait);
    int64_t *prom = AT(s, prom_off, int64_t);
    const unsigned char *done = AT(s, done_off, unsigned char);
    const int32_t *prod = lines_of(s, d).product;
    int64_t room = -1;
    int moved = 0, still = 0;
    uint32_t prev = TSIM__NIL;
    for (uint32_t l = s->wait_head, next; l != TSIM__NIL; l = next) {
        next = w[l].next;
        int leave = is_done(done, l);
        if (!leave && prod[l] == product && !still) {
            if (room < 0) room = pickable(sim, s, d, product);
            if (room >= w[l].rem) {
                room -= w[l].rem;
                prom[product] += w[l].rem;
                tsim__sum_add(&s->stock_wait, sim->now - w[l].t);
                w[l].t = -1;
                leave = moved = 1;
            } else {
                still = 1;
            }
        }
        if (!leave) {
            prev = l;
            continue;
        }
        if (prev == TSIM__NIL) s->wait_head = next;
        else w[prev].next = next;
        if (s->wait_tail == l) s->wait_tail = prev;
        if (!is_done(done, l)) tsim__pickrack_append(s, l, 1);
    }
    for (int k = 0; still && k < d->pick_from_n; k++)
        tsim__storage_watch(sim, (uint32_t)d->pick_from[k], product, b, EV_STOCK);
    return moved;
}

/* `stockout: wait`: the first line ready again that the plant has not reported picked, taken
 * off the ready list with its promise, or TSIM__NIL. */
uint32_t tsim__pickrack_ready_pop(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__pick_wait *w = AT(s, wait_off, struct tsim__pick_wait);
    const unsigned char *done = AT(s, done_off, unsigned char);
    while (s->ready_head != TSIM__NIL) {
        uint32_t l = s->ready_head;
        s->ready_head = w[l].next;
        if (s->ready_head == TSIM__NIL) s->ready_tail = TSIM__NIL;
        if (is_done(done, l)) continue; /* its promise went with the plant's report */
        AT(s, prom_off, int64_t)[lines_of(s, d).product[l]] -= w[l].rem;
        return l;
    }
    return TSIM__NIL;
}
