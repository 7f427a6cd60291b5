/*
 * A storage block served by others (`served_by`) in place of its own crane: by the operators of
 * a pool, each cycle done by one operator seized for it and released at its end, or by the
 * vehicles of a fleet, each cycle done by one vehicle sent to the storage's node and freed there
 * at its end (through the fleet's `granted` hook: storserve.h); several cycles run at once.
 * storage.c runs the cycles; here is only the link to the servers.
 *
 * The key's value (the loader's, model/loadblocks.c): a fleet block's index, or an operators
 * pool p as -1 - p.
 */
#include "blocks/sim.h"
#include "blocks/storserve.h"

uint32_t tsim__storserve_servers(const struct tsim_model *m, long long by, uint32_t nslots)
{
    long long n = by < 0 ? m->pools[-1 - by].count
                         : m->blocks[by].val[TSIM__STORSERVE_FLEET_COUNT].i;
    return n < (long long)nslots ? (uint32_t)n : nslots;
}

int tsim__storserve_ask(struct tsim_sim *sim, uint32_t b, long long by, uint32_t *server)
{
    if (by >= 0) {
        sim->vt[by]->granted(sim, (uint32_t)by, b, TSIM__FLEET_TASK);
        return 2;
    }
    *server = 0;
    return tsim__pool_seize(sim, (int)(-1 - by), 1, b, 0, 0);
}

void tsim__storserve_release(struct tsim_sim *sim, long long by, uint32_t server)
{
    if (by >= 0) sim->vt[by]->granted(sim, (uint32_t)by, server, TSIM__FLEET_TASK_DONE);
    else tsim__pool_release(sim, (int)(-1 - by), 1);
}
