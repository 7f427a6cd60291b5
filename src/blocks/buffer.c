/*
 * Buffer: holds entities in a queue until the next block takes them. Capacity (0: unlimited),
 * discipline (fifo, lifo, priority, spt, edd), and when full either block upstream or drop the
 * arrival and count it. Reports waiting time, content over time, maximum content, drops.
 *
 * The queue is an intrusive list through the entities. Ordered disciplines insert in order,
 * stable among equal keys (FIFO), at the place a walk of a short queue finds, or an index of a
 * long one (qtree.h: by (key, arrival), O(log content) per insertion and per departure; see
 * ORDER_MIN). Keys: priority = product index
 * (products listed first go first), spt = mean processing time of the product at the next block
 * (a machine; else 0), edd = due date. Only the head can be blocked: it keeps the destination it
 * was refused by.
 *
 * A buffer with a sequencing rule (`rule:`, desc->seq, made by src/logic/seq.c) keeps its queue
 * in arrival order and asks the rule which entity to send each time it sends, so rules whose
 * keys move with the clock (slack, critical ratio, waiting time) see the keys of that moment:
 * O(content) per decision. A rule whose key stays as it is while an entity waits (desc->seq_key:
 * EDD, SPT, MWKR, ...) is not asked: the buffer indexes its queue by that key and sends the
 * first of the index, the entity the rule would choose, in O(log content). Arrivals join the
 * list alone (offer's short path knows nothing of the index) and enter the index when the
 * buffer next sends, in arrival order. An entity refused downstream keeps its destination (it
 * is not routed, nor `set`, again) while others are chosen before it.
 */
#include "blocks/buffer.h"
#include "blocks/qtree.h"
#include "blocks/station.h"
#include "core/core.h"

#include <math.h>

/* How a buffer chooses what it sends (struct tsim__buffer's `ruled`). */
enum {
    SEND_HEAD,  /* fifo and lifo: the head, by forward */
    SEND_SCAN,  /* a rule, asked over the whole queue */
    SEND_INDEX, /* a rule with a static key: the first of the index; the list in arrival order */
    SEND_ORDER, /* priority, spt, edd: the head of the list, which the index keeps in order */
    SEND_RING,  /* a buffer that would send its head, on a ring the loader warned of (desc ring):
                 * the head, by forward_ruled, which runs the gridlock check when it is refused;
                 * so forward, the path of every other buffer, pays nothing for it */
};

/* An ordered discipline walks the list to place an arrival while the queue is shorter than
 * this, as cheap there as the index (which costs a search tree's insertion and removal per
 * entity, and the machine's general hand-over in place of the direct one): the index is built
 * when the queue reaches it and dropped when the queue empties. */
#define ORDER_MIN 32

int tsim__buffer_no_index;

static int nproducts(const struct tsim_model *m) { return m->nproducts > 0 ? m->nproducts : 1; }

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct tsim__buffer) + (size_t)nproducts(m) * sizeof(double);
}

/* How buffer `d` sends (SEND_*). An index needs keys that stay as they are while an entity
 * waits: not a rule's where the buffer's own route moves an entity along its routing sheet (a
 * refused one waits with its next step's features), nor an spt key that is a NaN (the walk of
 * the list stops at one, so the order is not the index's). tsim__buffer_no_index: none at all. */
static int send_mode(const struct tsim_sim *sim, const struct tsim__block_desc *d,
                     const struct tsim__buffer *q)
{
    if (d->seq.choose) {
        int routed = d->hook && d->hook->fn[TSIM__HOOK_ROUTE];
        return d->seq_key.key && d->seq_key.choose == d->seq.choose && !routed &&
                       !tsim__buffer_no_index
                   ? SEND_INDEX
                   : SEND_SCAN;
    }
    if (tsim__buffer_no_index || d->discipline == TSIM_FIFO || d->discipline == TSIM_LIFO)
        return SEND_HEAD;
    if (d->discipline == TSIM_SPT)
        for (int p = 0; p < nproducts(sim->m); p++)
            if (isnan(q->spt_key[p])) return SEND_HEAD;
    return SEND_ORDER;
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    q->head = q->tail = TSIM__NIL;
    q->wait = (struct tsim__sum){0, 0};
    q->machine = !d->route.slow && sim->vt[d->route.to[0]] == &tsim__machine_vt
                     ? d->route.to[0]
                     : -1;
    if (d->capacity && !d->drop) q->h.full_at = d->capacity;
    if (d->discipline == TSIM_SPT && d->route.rule == TSIM_ROUTE_SINGLE) {
        const struct tsim__block_desc *next = &sim->m->blocks[d->route.to[0]];
        for (int p = 0; p < nproducts(sim->m); p++) {
            const struct tsim_dist *pd =
                next->process.by_product ? next->process.by_product[p] : NULL;
            q->spt_key[p] = pd ? tsim_dist_mean(pd) : 0;
        }
    }
    q->root = q->synced = TSIM__NIL;
    q->arrivals = 0;
    q->ruled = send_mode(sim, d, q);
    q->ordered = q->ruled == SEND_ORDER;
    if (q->ordered) q->ruled = SEND_HEAD; /* until the queue is long */
    if (d->ring && q->ruled == SEND_HEAD) q->ruled = SEND_RING; /* its queue is never indexed */
}

static double key(struct tsim_sim *sim, const struct tsim__buffer *q, enum tsim_discipline disc,
                  uint32_t e)
{
    const struct tsim__entity *en = &sim->ents[e];
    switch (disc) {
    case TSIM_PRIORITY: return en->product;
    case TSIM_SPT: return q->spt_key[en->product];
    case TSIM_EDD: return (double)en->due;
    default: return 0;
    }
}

/* An ordered discipline's queue has grown long: index it. The list is in (key, arrival) order,
 * so seqs given in list order keep equal keys in arrival order. */
static __attribute__((noinline)) void index_all(struct tsim_sim *sim, struct tsim__buffer *q,
                                                const struct tsim__block_desc *d)
{
    tsim__qtree_reserve(sim);
    for (uint32_t e = q->head; e != TSIM__NIL; e = sim->ents[e].next)
        tsim__qtree_insert(sim, &q->root, e, key(sim, q, d->discipline, e), q->arrivals++);
    q->ruled = SEND_ORDER;
}

static void insert(struct tsim_sim *sim, struct tsim__buffer *q, const struct tsim__block_desc *d,
                   uint32_t e)
{
    struct tsim__entity *en = &sim->ents[e];
    en->next = TSIM__NIL;
    /* The index: e goes after the last entity whose key is at most its own, as the walk below
     * finds it (the list is in (key, arrival) order; a key is never a NaN here). */
    uint32_t prev = TSIM__NIL;
    if (q->ruled == SEND_ORDER) {
        tsim__qtree_reserve(sim);
        prev = tsim__qtree_insert(sim, &q->root, e, key(sim, q, d->discipline, e),
                                  q->arrivals++);
    }
    if (q->head == TSIM__NIL) {
        q->head = q->tail = e;
        return;
    }
    if (d->discipline == TSIM_FIFO || q->ruled == SEND_SCAN || q->ruled == SEND_INDEX) {
        sim->ents[q->tail].next = e;
        q->tail = e;
        return;
    }
    /* An ordered or LIFO arrival may go before a head that is waiting on the next block: the
     * head then gives up its destination (the buffer stays registered as that block's waiter)
     * and the new head picks its own when it is offered. This keeps the discipline
     * non-preemptive in the machine, not in the queue. */
    uint32_t cur = q->head;
    if (q->ruled == SEND_ORDER) {
        if (prev != TSIM__NIL) cur = sim->ents[prev].next;
    } else if (d->discipline != TSIM_LIFO) {
        double k = key(sim, q, d->discipline, e);
        while (cur != TSIM__NIL && key(sim, q, d->discipline, cur) <= k) {
            prev = cur;
            cur = sim->ents[cur].next;
        }
    }
    if (prev == TSIM__NIL) sim->ents[q->head].dest = -1;
    en->next = cur;
    if (prev == TSIM__NIL) q->head = e;
    else sim->ents[prev].next = e;
    if (cur == TSIM__NIL) q->tail = e;
    if (__builtin_expect(q->ordered, 0) && q->ruled == SEND_HEAD && q->h.content >= ORDER_MIN)
        index_all(sim, q, d);
}

double tsim__buffer_work(const struct tsim_sim *sim, uint32_t b, uint32_t m)
{
    const struct tsim__buffer *q = tsim__state(sim, b);
    double work = 0;
    for (uint32_t e = q->head; e != TSIM__NIL; e = sim->ents[e].next)
        work += tsim__station_mean_ticks(sim, m, sim->ents[e].product);
    return work;
}

uint32_t tsim__buffer_head(const struct tsim_sim *sim, uint32_t b)
{
    return ((const struct tsim__buffer *)tsim__state(sim, b))->head;
}

/* tsim__send of `e` to machine `m`, the buffer's only destination (so `e` waits for no other):
 * the machine's offer called directly, and no route to look at. */
static inline int send_to_machine(struct tsim_sim *sim, uint32_t b, uint32_t e, int32_t m)
{
    sim->ents[e].dest = -1;
    return tsim__offer_leave_by(sim, b, e, m, tsim__station_offer);
}

/* SEND_INDEX: put the arrivals since the last call into the index, the list's entities after
 * `synced`, in arrival order. */
static void sync(struct tsim_sim *sim, uint32_t b, struct tsim__buffer *q)
{
    uint32_t prev = q->synced, e = prev == TSIM__NIL ? q->head : sim->ents[prev].next;
    if (e == TSIM__NIL) return;
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    tsim__qtree_reserve(sim);
    for (; e != TSIM__NIL; prev = e, e = sim->ents[e].next) {
        uint64_t seq = q->arrivals++;
        sim->qnodes[e].prev = prev;
        tsim__qtree_insert(sim, &q->root, e, d->seq_key.key(sim, b, e, seq, d->seq.ctx), seq);
    }
    q->synced = prev;
}

/* Entity `e`, which stood between `prev` and `next` in the list, leaves the index. */
static void unindex(struct tsim_sim *sim, struct tsim__buffer *q, uint32_t e, uint32_t prev,
                    uint32_t next)
{
    tsim__qtree_remove(sim, &q->root, e);
    if (q->ruled == SEND_ORDER && q->root == TSIM__NIL) q->ruled = SEND_HEAD; /* empty */
    if (q->ruled == SEND_INDEX) {
        tsim__qtree_reserve(sim); /* `next` may be newer than the nodes */
        if (next != TSIM__NIL) sim->qnodes[next].prev = prev;
        if (q->synced == e) q->synced = prev;
    }
}

/* forward of a buffer that does not send its head alone (`ruled`): the choice, the rule's or
 * the index's (SEND_RING: the head), is sent while the next block takes; it is unlinked from
 * wherever it sits in the queue. The first of the index is the rule's choice: the least key,
 * ties to the earlier arrival, as rules.c's scan; a head whose key is a NaN wins that scan (no
 * key compares below it), and so is sent here too. */
static __attribute__((noinline)) uint64_t forward_ruled(struct tsim_sim *sim, uint32_t b,
                                                         struct tsim__buffer *q)
{
    const struct tsim__seq *r = &tsim__desc(sim, b)->seq;
    uint64_t sent = 0;
    while (q->head != TSIM__NIL) {
        uint32_t e = q->head, prev = TSIM__NIL;
        if (q->ruled == SEND_SCAN) {
            e = r->choose(sim, b, q->head, r->ctx);
            if (e == TSIM__NIL) break; /* the sim has failed */
            for (uint32_t c = q->head; c != e; c = sim->ents[c].next) prev = c;
        } else if (q->ruled == SEND_INDEX) {
            sync(sim, b, q);
            if (!isnan(sim->qnodes[e].key)) e = tsim__qtree_first(sim, q->root);
            prev = sim->qnodes[e].prev;
        }
        int64_t t_in = sim->ents[e].t_in;
        uint32_t next = sim->ents[e].next;
        if (q->machine >= 0 ? !send_to_machine(sim, b, e, q->machine)
                            : !tsim__send_leave(sim, b, e)) {
            if (tsim__desc(sim, b)->ring) tsim__ring_check(sim, b);
            break;
        }
        if (prev == TSIM__NIL) q->head = next;
        else sim->ents[prev].next = next;
        if (next == TSIM__NIL) q->tail = prev;
        if (q->ruled == SEND_INDEX || q->ruled == SEND_ORDER) unindex(sim, q, e, prev, next);
        tsim__sum_add(&q->wait, sim->now - t_in);
        sent++;
    }
    return sent;
}

/* Send from the head while the next block takes. Returns how many left. */
TSIM__HOT uint64_t forward(struct tsim_sim *sim, uint32_t b, struct tsim__buffer *q)
{
    if (__builtin_expect(q->ruled, 0)) return forward_ruled(sim, b, q);
    uint64_t sent = 0;
    while (q->head != TSIM__NIL) {
        uint32_t e = q->head;
        int64_t t_in = sim->ents[e].t_in;
        uint32_t next = sim->ents[e].next;
        if (q->machine >= 0 ? !send_to_machine(sim, b, e, q->machine)
                            : !tsim__send_leave(sim, b, e))
            break;
        q->head = next;
        if (next == TSIM__NIL) q->tail = TSIM__NIL;
        tsim__sum_add(&q->wait, sim->now - t_in);
        sent++;
    }
    return sent;
}

static __attribute__((noinline)) int offer_full(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (d->capacity && q->h.content >= d->capacity) {
        if (!d->drop) return 0;
        q->dropped++;
        tsim__note_drop(sim, b, e);
        tsim__entity_dispose(sim, e);
        return 1;
    }
    int was_empty = q->head == TSIM__NIL;
    tsim__note_enter(sim, b, e);
    insert(sim, q, d, e);
    /* A non-empty buffer's head is already waiting on the next block. */
    if (was_empty) forward(sim, b, q);
    return 1;
}

/* offer_full's shortest path (buffer.h), which calls nothing, so no register is saved on the
 * path of most arrivals. */
static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    if (__builtin_expect(tsim__buffer_join(sim, b, e), 1)) return 1;
    return offer_full(sim, b, e);
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    if (forward(sim, b, q)) tsim__wake(sim, b);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    q->dropped = 0;
    q->wait = (struct tsim__sum){0, 0};
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "dropped", (double)q->dropped);
    tsim_result_add(r, (int)b, "wait", tsim__sum_mean(sim, &q->wait));
    tsim_result_add(r, (int)b, "max_content", (double)q->h.level.max);
}

/* Remove the newest entities (the tail end), never a blocked head's destination bookkeeping. */
static int remove_n(struct tsim_sim *sim, uint32_t b, uint64_t n)
{
    struct tsim__buffer *q = tsim__state(sim, b);
    int removed = 0;
    if (q->ruled == SEND_INDEX) sync(sim, b, q);
    while (n-- > 0 && q->head != TSIM__NIL) {
        uint32_t prev = TSIM__NIL, cur = q->head;
        while (sim->ents[cur].next != TSIM__NIL) {
            prev = cur;
            cur = sim->ents[cur].next;
        }
        if (prev == TSIM__NIL) q->head = q->tail = TSIM__NIL;
        else {
            sim->ents[prev].next = TSIM__NIL;
            q->tail = prev;
        }
        if (q->ruled == SEND_INDEX || q->ruled == SEND_ORDER) unindex(sim, q, cur, prev, TSIM__NIL);
        tsim__note_leave(sim, b, cur);
        tsim__entity_dispose(sim, cur);
        removed++;
    }
    if (removed) tsim__wake(sim, b);
    return removed;
}

/* The block buffer `b` is stuck on for good (ring.c): full, its head refused by that block (a
 * buffer that sends its head; one whose rule chooses what it sends is not judged); else
 * TSIM__NIL. A head that an ordered arrival put first has no destination yet, and waits, as the
 * head before it did, on its one target. */
static uint32_t stuck_on(const struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__buffer *q = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (!d->capacity || d->drop || q->h.content < d->capacity || q->head == TSIM__NIL ||
        q->ruled == SEND_SCAN || q->ruled == SEND_INDEX)
        return TSIM__NIL;
    int32_t t = sim->ents[q->head].dest;
    if (t < 0 && d->route.rule == TSIM_ROUTE_SINGLE && !d->hook) t = d->route.to[0];
    return t >= 0 ? (uint32_t)t : TSIM__NIL;
}

static const struct tsim__block_vt buffer_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .restart = restart,
    .report = report,
    .remove = remove_n,
    .stuck_on = stuck_on,
};

/* Machine `m` has a free server and buffer `b` is its only waiter: the pull that tsim__wake would
 * make, without the wait list's turn and the refusal that ends it. The same entities start in the
 * same order with the same draws and events. `b` stays m's waiter while it holds entities (where
 * the pull's refusal would put it back), and leaves the ring once it is empty, before its own
 * upstream is woken, as a woken waiter does. Its head's `dest` is left as it is: a buffer that
 * sends only to a machine never reads it (send_to_machine). Returns 0, having done nothing, where
 * the general path must run: `b` is not a buffer sending only to `m`, it has a rule, or an
 * observer listens (tests/unit/test_buffer.c runs models both ways and compares every event).
 * A machine of one server takes the head with tsim__buffer_take instead. */
int tsim__buffer_feed(struct tsim_sim *sim, uint32_t b, uint32_t m)
{
    if (sim->vt[b] != &buffer_vt || sim->obs) return 0;
    struct tsim__buffer *q = tsim__state(sim, b);
    if (q->machine != (int32_t)m || q->ruled) return 0;
    struct tsim__bhdr *mh = tsim__hdr(sim, m);
    uint32_t saved = mh->waking;
    mh->waking = b;
    uint64_t sent = 0;
    int s;
    while (q->head != TSIM__NIL && mh->content < mh->full_at &&
           (s = tsim__station_free_server(sim, m)) >= 0) {
        uint32_t e = q->head;
        int64_t t_in = sim->ents[e].t_in;
        uint32_t next = sim->ents[e].next;
        sim->ents[e].dest = -1;
        tsim__note_enter(sim, m, e);
        tsim__station_start(sim, m, s, e);
        tsim__count_leave(sim, b);
        q->head = next;
        if (next == TSIM__NIL) q->tail = TSIM__NIL;
        tsim__sum_add(&q->wait, sim->now - t_in);
        sent++;
    }
    if (q->head == TSIM__NIL) {
        mh->wait_head = mh->wait_head + 1 == mh->wait_cap ? 0 : mh->wait_head + 1;
        mh->wait_n--;
    }
    if (sent) tsim__wake(sim, b);
    tsim__hdr(sim, m)->waking = saved;
    return 1;
}

/* The buffer's side of tsim__buffer_feed for a machine of one server, whose start the station
 * then makes inline (station.c, server_free): `b`'s head leaves it, its wait counted. A leaf
 * that calls nothing, so it saves no registers. */
uint32_t tsim__buffer_take(struct tsim_sim *sim, uint32_t b, uint32_t m, int *empty)
{
    if (sim->vt[b] != &buffer_vt || sim->obs) return TSIM__NIL;
    struct tsim__buffer *q = tsim__state(sim, b);
    uint32_t e = q->head;
    if (q->machine != (int32_t)m || q->ruled || e == TSIM__NIL) return TSIM__NIL;
    struct tsim__entity *en = &sim->ents[e];
    uint32_t next = en->next;
    en->dest = -1;
    tsim__count_leave(sim, b);
    tsim__sum_add(&q->wait, sim->now - en->t_in);
    q->head = next;
    if (next == TSIM__NIL) q->tail = TSIM__NIL;
    *empty = next == TSIM__NIL;
    return e;
}

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_buffer_set_capacity(struct tsim_model *m, int block, uint64_t capacity)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_BUFFER), __func__, "capacity", &rc);
    if (!b) return rc;
    if (capacity > (UINT64_C(1) << 40))
        return tsim__fail(TSIM_ERANGE, __func__, "capacity of '%s' is too large", b->name);
    b->capacity = capacity;
    return 0;
}

int tsim_buffer_set_discipline(struct tsim_model *m, int block, enum tsim_discipline discipline)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_BUFFER), __func__, "discipline", &rc);
    if (!b) return rc;
    if ((unsigned)discipline > TSIM_EDD)
        return tsim__fail(TSIM_EINVAL, __func__, "unknown discipline %d", (int)discipline);
    b->discipline = discipline;
    /* A discipline replaces a sequencing rule given before it (and a rule a discipline). */
    if (b->seq.release) b->seq.release(b->seq.ctx);
    b->seq = (struct tsim__seq){NULL, NULL, NULL};
    b->seq_key = (struct tsim__seq_key){NULL, NULL};
    return 0;
}

int tsim_buffer_set_drop(struct tsim_model *m, int block, int drop)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_BUFFER), __func__, "when_full", &rc);
    if (!b) return rc;
    b->drop = drop != 0;
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

static int set_capacity(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_buffer_set_capacity(m, b, (uint64_t)v->i);
}

static int set_discipline(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_buffer_set_discipline(m, b, (enum tsim_discipline)v->i);
}

static int set_drop(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_buffer_set_drop(m, b, (int)v->i);
}

static const char *const disciplines[] = {"fifo", "lifo", "priority", "spt", "edd", NULL};

/* A buffer's and a machine's `when_full` (machine.c): the values in the order of `drop`. */
const char *const tsim__when_full_values[] = {"block", "drop", NULL};

static const struct tsim__key keys[] = {
    {"capacity", TSIM__KEY_CAPACITY, 0, 1, TSIM__CAPACITY_MAX, .dflt = "unlimited",
     .help = "the most entities it holds, or `unlimited`", .set = set_capacity},
    {"discipline", TSIM__KEY_CHOICE, 0, .choices = disciplines, .noun = "discipline",
     .dflt = "fifo", .help = "the order in which it sends entities on", .set = set_discipline},
    {"when_full", TSIM__KEY_CHOICE, 0, .choices = tsim__when_full_values,
     .noun = "'when_full' value", .dflt = "block",
     .help = "block (the sender waits) or drop (the arrival is thrown away)", .set = set_drop},
    {"rule", TSIM__KEY_FORM, 0, .dflt = "none",
     .help = "a sequencing rule (SPT, EDD, SLACK, ..., lua, agent, docs/logic.md) in place of "
             "`discipline`"},
    {"lua", TSIM__KEY_FORM, 0, .dflt = "none", .help = "the code of `rule: lua` (docs/logic.md)"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"entered", "left", "dropped", "throughput", "wait", "content",
                                   "max_content", NULL};

/* A buffer takes no time. What arrives waits here without a limit when it has none; one that
 * drops when full loses what a slow machine after it cannot take, so nothing piles up. */
static enum tsim__flow flow(const struct tsim__block_desc *b, const struct tsim__block_desc *src,
                            struct tsim__stream *s)
{
    (void)src;
    if (b->drop) return TSIM__FLOW_STOP;
    if (b->capacity == 0) s->waits = 1;
    return TSIM__FLOW_PASS;
}

const struct tsim__block_type tsim__buffer_type = {
    .name = "buffer",
    .help = "a queue in front of the next block",
    .keys = keys,
    .kpis = kpis,
    .vt = &buffer_vt,
    .lint = {.zero_time = tsim__zero_time_always, .flow = flow},
};
