/*
 * A conveyor's keys that are written as more than one value (src/blocks/conveyor.c):
 *
 *   item_length: {box: 0.4, pallet: 1.2}   # per product; a product not named: 0
 *   speed_schedule:                        # the belt's speed from each time on
 *     - {at: 2h, speed: 0.5}
 *     - {at: 3h, speed: 0}                 # 0 stops the belt
 *
 * Read into the block's description (blocks/desc.h); the checks that need the whole model
 * (an item longer than the belt) are the conveyor's own.
 *
 * And a warning once the routes are known: a ring of blocks, each routing to the next, that can
 * fill and gridlock (each waits for the next, which is full, for ever). Its blocks are those
 * that hold a bounded number and refuse the rest: conveyors, buffers with a capacity, machines,
 * none of them dropping what it cannot take, nor routing `first_free` to a block that takes
 * everything (overflows). A ring is warned of when a block outside it feeds it and the sources
 * behind it may send at least the fewest entities it holds gridlocked (least_full, summed);
 * the rule and its reasons are in docs/logistics.md, "Rings and gridlock". The blocks of a ring
 * warned of are marked (desc->ring): a refusal of one runs the run-time check (blocks/ring.c),
 * which stops the run when the ring gridlocks.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "model/loader.h"
#include "model/params.h"

#include <math.h>
#include <string.h>

#include <stdio.h>

/* The most changes of speed one conveyor's schedule may list. */
#define SPEEDS_MAX 100000

void tsim__ld_item_lengths(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (fy_node_mapping_item_count(v) <= 0) {
        tsim__ld_err(ld, kp, "'item_length' is an empty mapping (give a length, or one per "
                     "product)");
        return;
    }
    int np = ld->m->nproducts, ok = 1;
    double *len = tsim__malloc((size_t)(np > 0 ? np : 1) * sizeof *len);
    for (int i = 0; i < np; i++) len[i] = NAN;
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        int prod = tsim__ld_product(ld, pr.key, pr.name, pr.at);
        double x = tsim__ld_measure(ld, pr.v, "an item length", pr.at, 1);
        if (prod < 0 || isnan(x)) ok = 0;
        else len[prod] = x;
    }
    struct tsim__block_desc *bd = &ld->m->blocks[b];
    if (!ok || pr.bad) {
        tsim__free(len);
        return;
    }
    tsim__free(bd->item_len);
    bd->item_len = len;
    bd->item_len_n = np;
}

void tsim__ld_speed_schedule(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!tsim__ld_expect(ld, v, FYNT_SEQUENCE, "'speed_schedule' (a list of {at, speed})", kp))
        return;
    static const char *const keys[] = {"at", "speed", NULL};
    static const char *const what[] = {"'at'", "'speed'"};
    int n = fy_node_sequence_item_count(v), k = 0, ok = 1;
    if (n <= 0 || n > SPEEDS_MAX) {
        tsim__ld_err(ld, kp, "'speed_schedule' must list 1 to %d changes, not %d", SPEEDS_MAX, n);
        return;
    }
    double *at = tsim__malloc((size_t)n * sizeof *at);
    double *speed = tsim__malloc((size_t)n * sizeof *speed);
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(v, &it))) {
        struct pos ip = tsim__ld_pos(item, kp);
        if (!tsim__ld_expect(ld, item, FYNT_MAPPING, "a speed change ({at, speed})", ip)) {
            ok = 0;
            continue;
        }
        struct fy_node *node[2];
        struct pos p[2];
        const char *text[2];
        if (tsim__ld_gather(ld, item, keys, " in 'speed_schedule'", ip, node, p, what, text))
            ok = 0;
        for (int j = 0; j < 2; j++) {
            if (!node[j]) {
                tsim__ld_err(ld, ip, "a speed change needs '%s'", keys[j]);
                ok = 0;
            }
        }
        if (!node[0] || !node[1] || !text[0] || !text[1]) {
            ok = 0;
            continue;
        }
        struct tsim__perr e;
        if (tsim__parse_duration(text[0], "'at'", ld->m->time_unit, &at[k], &e) != 0) {
            tsim__ld_value_err(ld, node[0], text[0], &e, p[0]);
            ok = 0;
            continue;
        }
        if (k > 0 && !(at[k] > at[k - 1])) {
            tsim__ld_err(ld, tsim__ld_pos(node[0], p[0]), "'at' %s is not after the change "
                         "before it (the changes are listed in time order)", text[0]);
            ok = 0;
            continue;
        }
        if (isnan(speed[k] = tsim__ld_measure(ld, node[1], "'speed'", p[1], 1))) {
            ok = 0;
            continue;
        }
        k++;
    }
    struct tsim__block_desc *bd = &ld->m->blocks[b];
    if (!ok) {
        tsim__free(at);
        tsim__free(speed);
        return;
    }
    tsim__free(bd->speed_at);
    tsim__free(bd->speed_to);
    bd->speed_at = at;
    bd->speed_to = speed;
    bd->nspeeds = k;
}

/* Rings ------------------------------------------------------------------------------------- */

/* Whether block `t` takes every entity offered to it: a sink, a delay (any number at once), a
 * buffer without a capacity, or a buffer or machine that drops what it cannot take. */
static int always_takes(const struct tsim__block_desc *d)
{
    switch ((int)d->type) {
    case TSIM_SINK:
    case TSIM_DELAY:
        return 1;
    case TSIM_BUFFER:
        return d->capacity == 0 || d->drop;
    case TSIM_MACHINE:
        return d->drop;
    default:
        return 0;
    }
}

/* Whether block `d` never waits for a target: its route is `first_free` and lists a block that
 * takes everything, with only buffers and machines before it, for which "takes it now"
 * (blocks/flow.c) is exactly whether they would (a conveyor is chosen whenever it has a place
 * left, and may then refuse: its entry is not clear). */
static int overflows(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    if (d->route.rule != TSIM_ROUTE_FIRST_FREE || (d->hook && d->hook->fn[TSIM__HOOK_ROUTE]))
        return 0;
    for (int k = 0; k < d->route.n; k++) {
        const struct tsim__block_desc *t = &m->blocks[d->route.to[k]];
        if (always_takes(t)) return 1;
        if (t->type != TSIM_BUFFER && t->type != TSIM_MACHINE) return 0;
    }
    return 0;
}

/* The fewest entities block `b` holds while it refuses for good, its own entities all waiting
 * for the next block: a buffer's capacity, a machine's servers (each holding a finished entity),
 * a conveyor's tsim__conveyor_least_stuck. 0 for a block that cannot hold up a ring: one of
 * another type, one that takes everything (always_takes), or one that never waits (overflows). */
static double least_full(const struct tsim_model *m, int b, int conveyor)
{
    const struct tsim__block_desc *d = &m->blocks[b];
    if (always_takes(d) || overflows(m, d)) return 0;
    if ((int)d->type == conveyor) return tsim__conveyor_least_stuck(m, d);
    if (d->type == TSIM_BUFFER) return (double)d->capacity;
    if (d->type == TSIM_MACHINE) return d->servers > 0 ? d->servers : 1;
    return 0;
}

/* The routes as the ring check follows them: a block to each of its targets, except that a block
 * a routing sheet (`rule: sheet`) sends on goes only where its entities may go next: from a
 * machine of operation k's group (the group itself, or a block the group routes to) to
 * operation k + 1's group, or to 'done' after the last; from a source to each first group. A
 * block that does no operation keeps every target. CSR both ways: out[out_at[b] ..
 * out_at[b + 1]) are b's targets, in[in_at[t] .. in_at[t + 1]) the blocks routing to t. */
struct graph {
    int *out_at, *out, *in_at, *in;
};

/* Whether block `b` does the operations of group `g`: it is `g`, or `g` routes to it. */
static int does(const struct loader *ld, int b, int g)
{
    if (g == b) return 1;
    for (int k = 0; k < ld->blk[g].nout; k++)
        if (ld->blk[g].out[k] == b) return 1;
    return 0;
}

/* Block `b`'s next blocks into `to` (room for its nout); returns how many. */
static int next_of(const struct loader *ld, int b, int *to)
{
    const struct blockinfo *bi = &ld->blk[b];
    const struct tsim_model *m = ld->m;
    int n = 0, np = m->nproducts > 0 ? m->nproducts : 1;
    int source = (int)m->blocks[b].type == TSIM_SOURCE;
    for (int p = 0; bi->sheet_done && m->sheets && p < np; p++) {
        const struct tsim__sheet *s = &m->sheets[p];
        for (int k = 0; k < s->n; k++) {
            int first = source && k == 0;
            if (!first && !does(ld, b, s->op[k].group)) continue;
            int t = first ? s->op[0].group : k + 1 < s->n ? s->op[k + 1].group
                                                          : bi->sheet_done - 1;
            int i = 0;
            while (i < n && to[i] != t) i++;
            if (i == n && n < bi->nout) to[n++] = t; /* each is one of its targets */
        }
    }
    if (n > 0) return n;
    for (int k = 0; k < bi->nout; k++) to[k] = bi->out[k];
    return bi->nout;
}

static void graph_build(const struct loader *ld, struct graph *g)
{
    int n = (int)ld->nblk;
    g->out_at = tsim__calloc((size_t)n + 1, sizeof *g->out_at);
    g->in_at = tsim__calloc((size_t)n + 1, sizeof *g->in_at);
    for (int b = 0; b < n; b++) g->out_at[b + 1] = g->out_at[b] + ld->blk[b].nout;
    g->out = tsim__malloc(((size_t)g->out_at[n] + 1) * sizeof *g->out);
    int e = 0;
    for (int b = 0; b < n; b++) {
        int k = next_of(ld, b, g->out + e);
        g->out_at[b] = e;
        e += k;
    }
    g->out_at[n] = e;
    for (int b = 0; b < n; b++)
        for (int k = g->out_at[b]; k < g->out_at[b + 1]; k++) g->in_at[g->out[k] + 1]++;
    for (int t = 0; t < n; t++) g->in_at[t + 1] += g->in_at[t];
    int *fill = tsim__malloc(((size_t)n + 1) * sizeof *fill);
    memcpy(fill, g->in_at, ((size_t)n + 1) * sizeof *fill);
    g->in = tsim__malloc(((size_t)e + 1) * sizeof *g->in);
    for (int b = 0; b < n; b++)
        for (int k = g->out_at[b]; k < g->out_at[b + 1]; k++) g->in[fill[g->out[k]]++] = b;
    tsim__free(fill);
}

static void graph_release(struct graph *g)
{
    tsim__free(g->out_at);
    tsim__free(g->out);
    tsim__free(g->in_at);
    tsim__free(g->in);
}

/* The most entities that can ever enter the ring `ring` (n blocks): the sum of the limits of the
 * sources a route leads from into it, back through buffers, delays, machines, assemblies and
 * conveyors, none of which makes an entity; INFINITY when one of those sources has no limit, or
 * when the way back passes a block that makes entities (a split, a batcher, a picking block's
 * orders, a storage's stock, a dock's trucks, ...). `seen` (zeroed on return) and `stack` have
 * room for every block. O(blocks + routes) per ring. */
static double entry_bound(const struct loader *ld, const struct graph *g, const int *ring, int n,
                          char *seen, int *stack, int conveyor)
{
    int top = 0, nseen = 0;
    double total = 0;
    for (int i = 0; i < n; i++) seen[ring[i]] = 1, stack[top++] = ring[i];
    int *list = tsim__malloc(ld->nblk * sizeof *list);
    while (top > 0 && total < INFINITY) {
        int v = stack[--top];
        list[nseen++] = v;
        for (int k = g->in_at[v]; k < g->in_at[v + 1]; k++) {
            int u = g->in[k];
            if (seen[u]) continue;
            seen[u] = 1;
            const struct tsim__block_desc *d = &ld->m->blocks[u];
            int ty = (int)d->type;
            if (ty == TSIM_SOURCE) {
                list[nseen++] = u;
                if (d->limit > 0) total += (double)d->limit;
                else if (!d->has_interarrival) total += d->population;
                else total = INFINITY;
            } else if (ty == TSIM_BUFFER || ty == TSIM_DELAY || ty == TSIM_MACHINE ||
                       ty == TSIM_ASSEMBLY || ty == conveyor) {
                stack[top++] = u;
            } else {
                list[nseen++] = u;
                total = INFINITY;
            }
        }
    }
    while (top > 0) list[nseen++] = stack[--top];
    for (int i = 0; i < nseen; i++) seen[list[i]] = 0;
    tsim__free(list);
    return total;
}

/* Warn of ring `ring` (n blocks, each routing to the next, the last to the first; marked in
 * `in_ring`) when a block outside it routes into it and more entities can enter it than it
 * holds at the least when gridlocked (`least` per block). */
static void warn_ring(struct loader *ld, const struct graph *g, const int *ring, int n,
                      const char *in_ring, const double *least, char *seen, int *stack,
                      int conveyor)
{
    int feeder = -1, only_belts = 1;
    double full = 0;
    for (int i = 0; i < n; i++) {
        for (int k = g->in_at[ring[i]]; k < g->in_at[ring[i] + 1]; k++)
            if (!in_ring[g->in[k]] && (feeder < 0 || g->in[k] < feeder)) feeder = g->in[k];
        if ((int)ld->m->blocks[ring[i]].type != conveyor) only_belts = 0;
        full += least[ring[i]];
    }
    if (feeder < 0) return; /* nothing comes onto it: it stays empty */
    if (entry_bound(ld, g, ring, n, seen, stack, conveyor) < full) return;
    char names[600];
    size_t len = 0;
    for (int i = 0; i <= n; i++) {
        int r = snprintf(names + len, sizeof names - len, "%s'%s'", i ? " -> " : "",
                         tsim_model_block_name(ld->m, ring[i % n]));
        if (r < 0 || (size_t)r >= sizeof names - len) break;
        len += (size_t)r;
    }
    for (int i = 0; i < n; i++) ld->m->blocks[ring[i]].ring = 1; /* checked at run time */
    const char *in = tsim_model_block_name(ld->m, feeder);
    if (only_belts)
        tsim__ld_warn(ld, ld->blk[ring[0]].pos, "conveyors %s form a ring that '%s' feeds: if it "
                      "fills, each front item waits for the next belt for ever (a gridlock, which "
                      "stops the run with an error); let items leave it as fast as they come",
                      names, in);
    else
        tsim__ld_warn(ld, ld->blk[ring[0]].pos, "blocks %s form a ring that '%s' feeds: from %.15g "
                      "entities in it on, it can fill, each block waiting for the next for ever (a "
                      "gridlock, which stops the run with an error); let entities leave it (a "
                      "'first_free' route to a block that takes every one) or fewer than %.15g "
                      "enter it", names, in, full, full);
}

void tsim__ld_rings(struct loader *ld)
{
    int n = (int)ld->nblk, conveyor = tsim_block_type_find("conveyor");
    if (n == 0) return;
    /* The blocks that can hold up a ring, then peel off those with no route to, or none from,
     * another one still kept: what is kept lies on rings of them, or between them. */
    double *least = tsim__malloc((size_t)n * sizeof *least);
    char *kept = tsim__calloc((size_t)n, 1), *in_ring = tsim__calloc((size_t)n, 1);
    char *seen = tsim__calloc((size_t)n, 1);
    int *indeg = tsim__calloc((size_t)n, sizeof *indeg);
    int *outdeg = tsim__calloc((size_t)n, sizeof *outdeg);
    int *stack = tsim__malloc((size_t)n * sizeof *stack), top = 0;
    struct graph g;
    graph_build(ld, &g);
    for (int i = 0; i < n; i++) kept[i] = (least[i] = least_full(ld->m, i, conveyor)) > 0;
    for (int i = 0; i < n; i++)
        for (int k = g.out_at[i]; kept[i] && k < g.out_at[i + 1]; k++)
            if (kept[g.out[k]]) outdeg[i]++, indeg[g.out[k]]++;
    for (int i = 0; i < n; i++)
        if (kept[i] && (indeg[i] == 0 || outdeg[i] == 0)) kept[i] = 0, stack[top++] = i;
    while (top > 0) {
        int v = stack[--top];
        for (int k = g.out_at[v]; k < g.out_at[v + 1]; k++) { /* routes from it */
            int t = g.out[k];
            if (kept[t] && --indeg[t] == 0) kept[t] = 0, stack[top++] = t;
        }
        for (int k = g.in_at[v]; k < g.in_at[v + 1]; k++) { /* routes into it */
            int u = g.in[k];
            if (kept[u] && --outdeg[u] == 0) kept[u] = 0, stack[top++] = u;
        }
    }
    /* From each kept block not yet seen, follow routes between kept ones until one repeats:
     * the stretch from its first visit is a ring. */
    int *step = tsim__malloc((size_t)n * sizeof *step);
    int *walk = tsim__malloc((size_t)n * sizeof *walk);
    for (int i = 0; i < n; i++) step[i] = -1;
    for (int i = 0; i < n; i++) {
        if (!kept[i] || step[i] >= 0) continue;
        int len = 0, c = i;
        while (c >= 0 && step[c] < 0) { /* a kept block routes to a kept one */
            step[c] = len;
            walk[len++] = c;
            int next = -1;
            for (int k = g.out_at[c]; next < 0 && k < g.out_at[c + 1]; k++)
                if (kept[g.out[k]]) next = g.out[k];
            c = next;
        }
        /* A block of an earlier walk ends this one on no new ring. */
        int first = c >= 0 ? step[c] : -1;
        if (first < 0 || first >= len || walk[first] != c) continue;
        for (int k = first; k < len; k++) in_ring[walk[k]] = 1;
        warn_ring(ld, &g, walk + first, len - first, in_ring, least, seen, stack, conveyor);
        for (int k = first; k < len; k++) in_ring[walk[k]] = 0;
    }
    tsim__free(walk);
    tsim__free(step);
    graph_release(&g);
    tsim__free(stack);
    tsim__free(outdeg);
    tsim__free(indeg);
    tsim__free(seen);
    tsim__free(in_ring);
    tsim__free(kept);
    tsim__free(least);
}
