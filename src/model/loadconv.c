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
 * And a warning once the routes are known: a ring of conveyors, each routing to the next, that
 * a block outside it feeds can fill, and a full ring is a gridlock (each front item waits for
 * the next belt, which is full): the run stops with an error if it happens (conveyor.c).
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

/* Report the ring `ring` (n conveyors, each routing to the next, the last to the first; marked
 * in `in_ring`) when a block outside it routes into it. */
static void warn_ring(struct loader *ld, const int *ring, int n, const char *in_ring)
{
    int feeder = -1;
    for (size_t j = 0; j < ld->nblk && feeder < 0; j++) {
        if (in_ring[j]) continue;
        for (int k = 0; k < ld->blk[j].nout && feeder < 0; k++)
            if (in_ring[ld->blk[j].out[k]]) feeder = (int)j;
    }
    if (feeder < 0) return; /* nothing comes onto it: it stays empty */
    char names[600];
    size_t len = 0;
    for (int i = 0; i <= n; i++) {
        int r = snprintf(names + len, sizeof names - len, "%s'%s'", i ? " -> " : "",
                         tsim_model_block_name(ld->m, ring[i % n]));
        if (r < 0 || (size_t)r >= sizeof names - len) break;
        len += (size_t)r;
    }
    tsim__ld_warn(ld, ld->blk[ring[0]].pos, "conveyors %s form a ring that '%s' feeds: if it "
                  "fills, each front item waits for the next belt for ever (a gridlock, which "
                  "stops the run with an error); let items leave it as fast as they come",
                  names, tsim_model_block_name(ld->m, feeder));
}

void tsim__ld_conveyor_rings(struct loader *ld)
{
    int n = (int)ld->nblk, type = tsim_block_type_find("conveyor");
    if (n == 0 || type < 0) return;
    /* Peel off the conveyors with no route to, or none from, another conveyor still kept:
     * what is kept lies on rings of conveyors, or between them. */
    char *kept = tsim__calloc((size_t)n, 1), *in_ring = tsim__calloc((size_t)n, 1);
    int *indeg = tsim__calloc((size_t)n, sizeof *indeg);
    int *outdeg = tsim__calloc((size_t)n, sizeof *outdeg);
    int *stack = tsim__malloc((size_t)n * sizeof *stack), top = 0;
    for (int i = 0; i < n; i++) kept[i] = (int)ld->blk[i].type == type;
    for (int i = 0; i < n; i++)
        for (int k = 0; kept[i] && k < ld->blk[i].nout; k++)
            if (kept[ld->blk[i].out[k]]) outdeg[i]++, indeg[ld->blk[i].out[k]]++;
    for (int i = 0; i < n; i++)
        if (kept[i] && (indeg[i] == 0 || outdeg[i] == 0)) kept[i] = 0, stack[top++] = i;
    while (top > 0) {
        int v = stack[--top];
        for (int k = 0; k < ld->blk[v].nout; k++) { /* routes from it */
            int t = ld->blk[v].out[k];
            if (kept[t] && --indeg[t] == 0) kept[t] = 0, stack[top++] = t;
        }
        for (int u = 0; u < n; u++) /* routes into it: O(blocks) per peeled conveyor */
            for (int k = 0; kept[u] && k < ld->blk[u].nout; k++)
                if (ld->blk[u].out[k] == v && --outdeg[u] == 0) kept[u] = 0, stack[top++] = u;
    }
    /* From each kept conveyor not yet seen, follow routes between kept ones until one repeats:
     * the stretch from its first visit is a ring. */
    int *step = tsim__malloc((size_t)n * sizeof *step);
    for (int i = 0; i < n; i++) step[i] = -1;
    for (int i = 0; i < n; i++) {
        if (!kept[i] || step[i] >= 0) continue;
        int len = 0, c = i;
        while (c >= 0 && step[c] < 0) { /* a kept conveyor routes to a kept one */
            step[c] = len;
            stack[len++] = c;
            int next = -1;
            for (int k = 0; next < 0 && k < ld->blk[c].nout; k++)
                if (kept[ld->blk[c].out[k]]) next = ld->blk[c].out[k];
            c = next;
        }
        /* A conveyor of an earlier walk ends this one on no new ring. */
        int first = c >= 0 ? step[c] : -1;
        if (first < 0 || first >= len || stack[first] != c) continue;
        for (int k = first; k < len; k++) in_ring[stack[k]] = 1;
        warn_ring(ld, stack + first, len - first, in_ring);
        for (int k = first; k < len; k++) in_ring[stack[k]] = 0;
    }
    tsim__free(step);
    tsim__free(stack);
    tsim__free(outdeg);
    tsim__free(indeg);
    tsim__free(in_ring);
    tsim__free(kept);
}
