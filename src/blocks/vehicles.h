/*
 * The vehicles of a model's fleets as their model descriptions give them: how many a fleet has
 * and whether they charge, and which storage blocks they serve. Read here, in the header, so
 * that a charger (charger.c) counts the vehicles that may come to it without a call into
 * fleet.c, which calls the charger: the two blocks depend one way only; and so that a fleet and
 * the storage blocks it serves find each other without a call either way. Not API.
 */
#ifndef TSIM_BLOCKS_VEHICLES_H
#define TSIM_BLOCKS_VEHICLES_H
#include "blocks/desc.h"
#include "blocks/storserve.h"

/* The places of `count` and `battery` in a fleet's value table (fleet.c's `keys` and its K_
 * names, which a static assertion there holds to these). */
enum { TSIM__FLEET_K_COUNT = 0, TSIM__FLEET_K_BATTERY = 7 };

/* The number of vehicles of fleet block `block` of `m`; -1 when the block is not a fleet. */
static inline int tsim__fleet_vehicles(const struct tsim_model *m, int block)
{
    if (block < 0 || block >= m->nblocks) return -1;
    const struct tsim__block_desc *d = &m->blocks[block];
    if ((int)d->type != tsim_block_type_find("fleet")) return -1;
    return (int)d->val[TSIM__FLEET_K_COUNT].i;
}

/* Whether block `block` of `m` is a fleet with a battery (its vehicles use the chargers). */
static inline int tsim__fleet_charges(const struct tsim_model *m, int block)
{
    return tsim__fleet_vehicles(m, block) > 0 && m->blocks[block].val[TSIM__FLEET_K_BATTERY].set;
}

/* The fleet block that serves block `block` of `m`, a storage block whose `served_by` names a
 * fleet; -1 for any other block. */
static inline int tsim__storage_served_by(const struct tsim_model *m, int block)
{
    const struct tsim__block_desc *d = &m->blocks[block];
    if ((int)d->type != tsim_block_type_find("storage")) return -1;
    const struct tsim__val *v = &d->val[TSIM__STORAGE_K_SERVED_BY];
    return v->set && v->i >= 0 ? (int)v->i : -1;
}
#endif
