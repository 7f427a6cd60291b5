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
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "model/loader.h"
#include "model/params.h"

#include <math.h>
#include <string.h>

/* The most changes of speed one conveyor's schedule may list. */
#define SPEEDS_MAX 100000

/* A real number in [0, 1e12) written at `v`, or NAN reported. */
static double nonnegative(struct loader *ld, struct fy_node *v, const char *what, struct pos at)
{
    struct tsim__perr e;
    double x;
    const char *s = tsim__ld_scalar(ld, v, what, at);
    if (!s) return NAN;
    if (tsim__parse_real(s, what, &x, &e) != 0) {
        tsim__ld_value_err(ld, v, s, &e, at);
        return NAN;
    }
    if (!(x >= 0 && x < 1e12)) {
        tsim__ld_err(ld, tsim__ld_pos(v, at), "%s must be at least 0 and below 1e12, not %s",
                     what, s);
        return NAN;
    }
    return x;
}

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
        double x = nonnegative(ld, pr.v, "an item length", pr.at);
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
        if (isnan(speed[k] = nonnegative(ld, node[1], "'speed'", p[1]))) {
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
