/*
 * Picking by a storage block's crane (`picked_by: STORAGE`): the link of a picking block
 * (picking.c) to the crane of storage.c. Each released line, in release order, is a retrieval
 * request for one load of its product (tsim__storage_request); when the crane drops that load at
 * its I/O point, the line is picked from it in `pick_line` plus `pick_unit` a unit, and is then
 * at the pack station. No picker walks and the storage holds the stock, so the block's walking
 * and stock keys have no use here. It is not the crane: storage.c runs every cycle.
 *
 * Stock-outs follow the storage's rule (`stockout`): a line that finds no load is counted in the
 * storage's `stockouts` and waits in the crane's queue (`wait`), or is dropped (`drop`): then it
 * is short, counted in this block's `stockouts` and `units_short`, and its order ships without it.
 *
 * Invariants: the lines from next_line to the end of the released ones have not asked the crane
 * (the storage's request queue was full when they came); every line before next_line has asked
 * or was dropped, unless the plant had reported it picked (`done`) before its turn. A line's bit
 * in `in` is set once it is at the pack station by the crane's load, or its load came after the
 * plant's report, or it was dropped: the crane owes it nothing more.
 */
#include "blocks/pickstate.h"
#include "blocks/storage.h"

/* Line `l` found no load and the storage dropped it (`stockout: drop`): it is short by all its
 * units (`stockouts`, `units_short`, as a walker's line that finds too few), and its order ships
 * without it. It counts as brought (`in`), so a later report of it by the plant is a difference
 * the sim does not resolve. */
static void drop_line(struct tsim_sim *sim, struct tsim__picking *s,
                      struct tsim__picking_lines ol, uint32_t l)
{
    AT(s, in_off, unsigned char)[l / 8] |= (unsigned char)(1u << (l % 8));
    line_short(s, l, ol.qty[l]);
    line_settle(sim, s, order_of(ol.first, s->norders, l), 0);
}

int tsim__pickcrane_ask(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__picking_lines ol = lines_of(s, d);
    const unsigned char *done = AT(s, done_off, unsigned char);
    int settled = 0;
    for (uint32_t l; (l = s->next_line) < (uint32_t)ol.first[s->released]; s->next_line++) {
        if (is_done(done, l)) continue;
        int rc = tsim__storage_request(sim, (uint32_t)d->val[K_PICKED_BY].i, ol.product[l], b,
                                       EV_CRANE, l);
        if (rc < 0) break;
        if (rc > 0) {
            drop_line(sim, s, ol, l);
            settled = 1;
        }
    }
    return settled;
}

/* The line is picked from the load in `pick_line` plus `pick_unit` a unit (EV_LINE then), and
 * the next lines ask, since the crane's queue has room again. A line the plant reported picked
 * while the crane was on its way is not picked again: its load leaves unused (along the
 * storage's `to`, as every retrieved load). */
int tsim__pickcrane_drop(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t l)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (is_done(AT(s, done_off, unsigned char), l)) {
        AT(s, in_off, unsigned char)[l / 8] |= (unsigned char)(1u << (l % 8));
        return tsim__pickcrane_ask(sim, b, s);
    }
    int64_t t = draw_of(sim, s, d, K_PICK_LINE);
    t += lines_of(s, d).qty[l] * draw_of(sim, s, d, K_PICK_UNIT);
    tsim__schedule(sim, sim->now + t, b, EV_LINE, l);
    return tsim__pickcrane_ask(sim, b, s);
}

/* Counted when the plant reported it before: then it came to the pack station at that report. */
int tsim__pickcrane_line_in(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t l)
{
    struct tsim__picking_lines ol = lines_of(s, tsim__desc(sim, b));
    AT(s, in_off, unsigned char)[l / 8] |= (unsigned char)(1u << (l % 8));
    if (is_done(AT(s, done_off, unsigned char), l)) return 0;
    s->units += (uint64_t)ol.qty[l];
    line_in(sim, s, order_of(ol.first, s->norders, l));
    observe(sim, b, TSIM_OBS_PICK, l);
    return 1;
}

/* A line that has asked the crane and is not brought yet: its request is withdrawn while it
 * waits in the crane's queue (the load stays in stock); once the crane is on its way the
 * retrieval goes on and the load is not picked (tsim__pickcrane_drop). */
int tsim__pickcrane_pick(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t l)
{
    if (is_done(AT(s, in_off, unsigned char), l)) return 1;
    if (l < s->next_line)
        tsim__storage_withdraw(sim, (uint32_t)tsim__desc(sim, b)->val[K_PICKED_BY].i, b, EV_CRANE,
                               l);
    return 0;
}

int tsim__pickcrane_check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    static const int walk_keys[] = {K_PICKERS,   K_TOUR_LINES,  K_AISLES,
                                    K_AISLE_LENGTH, K_AISLE_PITCH, K_LOCATIONS,
                                    K_WALK_SPEED, K_ROUTING,     K_STOCK, K_PICK_FROM};
    static const char *const walk_names[] = {"pickers",     "tour_lines", "aisles", "aisle_length",
                                             "aisle_pitch", "locations",  "walk_speed", "routing",
                                             "stock",       "pick_from"};
    for (size_t i = 0; i < sizeof walk_keys / sizeof *walk_keys; i++)
        if (d->val[walk_keys[i]].set) {
            tsim__model_blame_key(m, d->index, walk_keys[i]); /* at that key */
            return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                              "picking '%s' is picked by the crane of '%s', so '%s' has no use "
                              "(no picker walks; the storage holds the stock)",
                              d->name, m->blocks[d->val[K_PICKED_BY].i].name, walk_names[i]);
        }
    return 0;
}
