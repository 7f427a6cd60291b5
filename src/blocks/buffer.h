/*
 * The buffer's state and its usual arrival, inline for a source that sends only to a buffer
 * (source.c): the same counts and the same link as the buffer's offer makes them, without the
 * route, the block table and a call on the path of every arrival. Not API.
 */
#ifndef TSIM_BLOCKS_BUFFER_H
#define TSIM_BLOCKS_BUFFER_H

#include "blocks/sim.h"

struct tsim__buffer {
    struct tsim__bhdr h;
    uint32_t head, tail;
    int32_t machine; /* the one block it sends to, when that is a machine: offered directly */
    int ruled;       /* SEND_* (buffer.c); not SEND_HEAD: forward_ruled sends */
    int ordered;     /* an ordered discipline: SEND_ORDER from ORDER_MIN entities on */
    uint32_t root;   /* the index of the queue (qtree.h), SEND_INDEX and SEND_ORDER */
    uint32_t synced; /* SEND_INDEX: the last entity of the list in the index, TSIM__NIL: none */
    uint64_t arrivals; /* the index's seq, its order among equal keys */
    uint64_t dropped;
    struct tsim__sum wait;
    double spt_key[]; /* per product */
};

/* Buffer `b` takes `e` at the back of its queue when that is a FIFO queue with room whose head
 * already waits on the next block, `e` holds no card and no observer listens (1). It calls
 * nothing. Otherwise it does nothing (0): the buffer's full offer (buffer.c) is for the rest. */
static inline int tsim__buffer_join(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__entity *en = &sim->ents[e];
    uint32_t tail = q->tail;
    if (__builtin_expect(q->head == TSIM__NIL || d->discipline != TSIM_FIFO || sim->obs ||
                             en->card || (d->capacity && q->h.content >= d->capacity),
                         0))
        return 0;
    tsim__count_enter(sim, b, e);
    en->next = TSIM__NIL;
    sim->ents[tail].next = e;
    q->tail = e;
    return 1;
}

#endif
