/*
 * Gridlock of a ring, found at run time. Blocks that route to each other in a ring can fill:
 * every block of it full, each refused by the next, nothing in it able to move. Nothing can
 * change then (no block of the ring has room, and none has work or travel left), so the run
 * stops with an error naming the ring and the time instead of running on stalled.
 *
 * Each block type says when it is stuck for good, and on which block, through its stuck_on
 * (sim.h): a conveyor whose front item is refused, nothing on it able to move and its entry not
 * clear (conveyor.c); a buffer with a capacity, full, its head refused (buffer.c); a machine
 * whose every server holds a finished entity that was refused (station.c). A machine that is
 * down in the middle of its work is not stuck: its repair ends, it finishes, and only a refusal
 * then makes it stuck (as one that works still). The check starts from a block that was just
 * refused (or, a conveyor, changed while refused) and follows stuck_on until it comes back to
 * that block (a gridlock) or meets one that is not stuck (none): O(ring) per call.
 *
 * A ring closes when its last block becomes stuck, and that is a refusal of it or of the block
 * before it (a full block takes nothing, so the one before it is refused when it next sends),
 * or a conveyor's queue closing up while it is refused: so the check runs only then, and only
 * for blocks on a ring that the loader warned of (desc->ring, model/loadconv.c; a conveyor
 * checks whenever it is refused). Models without such a ring pay one test of a flag at each
 * refusal of a machine (station.c) and nothing else: a buffer of such a ring sends through its
 * rules' path (buffer.c, SEND_RING), so the path of every other buffer has no test at all.
 */
#include "blocks/sim.h"

#include <stdio.h>

void tsim__ring_check(struct tsim_sim *sim, uint32_t b)
{
    if (sim->err) return;
    uint32_t c = b, steps = 0;
    int belts = 1;
    do {
        uint32_t (*on)(const struct tsim_sim *, uint32_t) = sim->vt[c]->stuck_on;
        if (!on) return;
        int t = (int)sim->blocks[c].type;
        if (t == TSIM_BUFFER || t == TSIM_MACHINE) belts = 0;
        c = on(sim, c);
        if (c == TSIM__NIL || c >= sim->nblocks || ++steps > sim->nblocks) return;
    } while (c != b);
    char msg[600];
    size_t len = 0;
    c = b;
    do {
        int r = snprintf(msg + len, sizeof msg - len, "'%s' -> ", sim->m->blocks[c].name);
        if (r < 0 || (size_t)r >= sizeof msg - len) break;
        len += (size_t)r;
        c = sim->vt[c]->stuck_on(sim, c);
    } while (c != b);
    double at = tsim__time(sim, sim->now);
    const char *name = sim->m->blocks[b].name, *unit = sim->m->time_unit;
    if (belts)
        tsim__sim_fail(sim, TSIM_ESTATE, "gridlock at %.10g %s: conveyors %s'%s' are full, each "
                       "front item waiting for the next belt (a ring that filled: let items leave "
                       "it or feed it less)", at, unit, msg, name);
    else
        tsim__sim_fail(sim, TSIM_ESTATE, "gridlock at %.10g %s: blocks %s'%s' are full, each "
                       "waiting for the next (a ring that filled: let entities leave it or feed "
                       "it less)", at, unit, msg, name);
}
