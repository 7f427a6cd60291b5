/*
 * The ordered index of a buffer's queue (qtree.h): a treap in the sim's `qnodes`, walked
 * without recursion. Insertion goes down the search path while the nodes' priorities are
 * higher, then splits the subtree found there around the new node; removal merges the node's
 * two subtrees in its place. Both are O(depth), expected O(log n) whatever the keys, since the
 * priorities are a hash of seq and not of the order.
 */
#include "blocks/qtree.h"

#include <math.h>

/* a goes before b (qtree.h): smaller key, NaN last, then smaller seq. */
static inline int before(const struct tsim__qnode *a, const struct tsim__qnode *b)
{
    if (a->key < b->key) return 1;
    if (a->key > b->key) return 0;
    int an = isnan(a->key), bn = isnan(b->key);
    if (an != bn) return bn;
    return a->seq < b->seq;
}

/* The treap priority of seq: a 64-bit mix (the finalizer of MurmurHash3), its high half. */
static inline uint32_t prio_of(uint64_t seq)
{
    uint64_t x = seq + UINT64_C(0x9e3779b97f4a7c15);
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return (uint32_t)(x >> 32);
}

uint32_t tsim__qtree_insert(struct tsim_sim *sim, uint32_t *root, uint32_t e, double key,
                            uint64_t seq)
{
    struct tsim__qnode *q = sim->qnodes, *n = &q[e];
    n->key = key;
    n->seq = seq;
    n->prio = prio_of(seq);
    uint32_t pred = TSIM__NIL, *link = root;
    /* The last node the search for e leaves to the right is the one just before e. */
    while (*link != TSIM__NIL && q[*link].prio > n->prio) {
        uint32_t t = *link;
        if (before(&q[t], n)) {
            pred = t;
            link = &q[t].right;
        } else {
            link = &q[t].left;
        }
    }
    uint32_t t = *link, *lo = &n->left, *hi = &n->right;
    while (t != TSIM__NIL) {
        if (before(&q[t], n)) {
            pred = t;
            *lo = t;
            lo = &q[t].right;
            t = q[t].right;
        } else {
            *hi = t;
            hi = &q[t].left;
            t = q[t].left;
        }
    }
    *lo = *hi = TSIM__NIL;
    *link = e;
    return pred;
}

void tsim__qtree_remove(struct tsim_sim *sim, uint32_t *root, uint32_t e)
{
    struct tsim__qnode *q = sim->qnodes;
    uint32_t *link = root;
    while (*link != e) {
        TSIM__ASSERT(*link != TSIM__NIL, "entity %u is not in the queue's index", e);
        link = before(&q[e], &q[*link]) ? &q[*link].left : &q[*link].right;
    }
    uint32_t a = q[e].left, b = q[e].right;
    while (a != TSIM__NIL && b != TSIM__NIL) {
        if (q[a].prio > q[b].prio) {
            *link = a;
            link = &q[a].right;
            a = q[a].right;
        } else {
            *link = b;
            link = &q[b].left;
            b = q[b].left;
        }
    }
    *link = a != TSIM__NIL ? a : b;
}

uint32_t tsim__qtree_first(const struct tsim_sim *sim, uint32_t root)
{
    if (root == TSIM__NIL) return TSIM__NIL;
    while (sim->qnodes[root].left != TSIM__NIL) root = sim->qnodes[root].left;
    return root;
}
