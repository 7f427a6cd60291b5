/*
 * The ordered index of a buffer's queue: a search tree over the entities it holds, ordered by
 * (key, seq), that finds the first one and the place of a new one in O(log n). The nodes are
 * the sim's `qnodes`, one per entity of the pool (an entity waits in one queue at a time), so
 * the index is plain data and a clone copies it; a tree is its root's entity index, kept by its
 * owner (buffer.c). Not API.
 *
 * The order is total: smaller key first, a NaN key after every other, equal keys (and two
 * NaNs) by smaller seq. The tree is a treap whose node priorities are a hash of seq, so its
 * shape, and every answer, depends on the keys and seqs alone.
 */
#ifndef TSIM_BLOCKS_QTREE_H
#define TSIM_BLOCKS_QTREE_H

#include "blocks/sim.h"
#include "core/core.h"

struct tsim__qnode {
    double key;
    uint64_t seq;         /* unique within one tree */
    uint32_t left, right; /* children, TSIM__NIL: none */
    uint32_t prev;        /* the owner's: the entity before it in its queue's list */
    uint32_t prio;        /* the treap's heap order, larger nearer the root */
};

/* Make the nodes as many as the entity pool's capacity (the pool may have grown since). */
static inline void tsim__qtree_reserve(struct tsim_sim *sim)
{
    if (__builtin_expect(sim->cap_qnodes < sim->cap_ents, 0)) {
        sim->qnodes = tsim__realloc(sim->qnodes, (size_t)sim->cap_ents * sizeof *sim->qnodes);
        sim->cap_qnodes = sim->cap_ents;
    }
}

/* Put entity `e` with (key, seq) into the tree at `*root`; seq must be unique in that tree.
 * Returns the entity just before it in the order, TSIM__NIL if it is the first. */
uint32_t tsim__qtree_insert(struct tsim_sim *sim, uint32_t *root, uint32_t e, double key,
                            uint64_t seq);

/* Take entity `e`, which is in the tree at `*root`, out of it. */
void tsim__qtree_remove(struct tsim_sim *sim, uint32_t *root, uint32_t e);

/* The first entity of the tree `root` in the order, TSIM__NIL when it is empty. */
uint32_t tsim__qtree_first(const struct tsim_sim *sim, uint32_t root);

#endif
