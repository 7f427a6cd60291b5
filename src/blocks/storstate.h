/*
 * A storage block's state, and what its two files share: storage.c (the block: its cycles,
 * requests, statistics, keys and the live twin's calls) and storslot.c (where a load goes and
 * where a retrieval takes one: the crane's travel times, the slots' tags, the put-away and
 * retrieval policies). Included by those two files only, so the block's short names (its keys
 * K_, its slot states) stay theirs; storage.h is what other files see. Not API.
 *
 * Invariants: see storage.c's head. storslot.c only chooses: it never changes a slot's state,
 * the stock counts or the queues, and draws from the block's route stream only when a choice is
 * drawn (random put-away or retrieval) and there is one to draw.
 */
#ifndef TSIM_BLOCKS_STORSTATE_H
#define TSIM_BLOCKS_STORSTATE_H
#include "blocks/sim.h"


enum { IDLE, BUSY, BLOCKED };
enum { FREE, STORED, RESERVED };
enum { PUT_RANDOM, PUT_CLOSEST, PUT_DEDICATED, PUT_CLASS };
enum { RACK_SELECTIVE, RACK_DRIVE_IN, RACK_FLOW };
enum { RET_FIFO, RET_LIFO, RET_CLOSEST, RET_RANDOM };
enum { CYCLE_DUAL, CYCLE_SINGLE };
enum { QUEUE_FIFO, QUEUE_NEAREST };
enum { CLASSES_BY_ORDER, CLASSES_BY_TURNOVER };
enum { STOCKOUT_WAIT, STOCKOUT_DROP };
enum { INITIAL_EMPTY, INITIAL_FULL };
enum {
    K_BAYS, K_LEVELS, K_BAY_WIDTH, K_LEVEL_HEIGHT, K_SPEED_X, K_SPEED_Y, K_PICK, K_DROP, K_CYCLE,
    K_QUEUE, K_PUT_AWAY, K_RETRIEVAL, K_DEMAND, K_DEMAND_PRODUCT, K_STOCKOUT, K_INITIAL,
    K_REQUESTS, K_STOCK_FILE, K_RACK, K_DEPTH, K_CLASSES, K_CLASSES_BY, K_ACCEL, K_ACCEL_X,
    K_ACCEL_Y, K_SLOT_LOADS, K_SERVED_BY, K_BY_PRODUCT
}; /* indices in `keys` */

struct slot {
    int64_t t_stored; /* ticks */
    uint32_t ent;     /* TSIM__NIL when free */
    uint16_t state;
    uint16_t pad_;
};

struct request {
    int64_t t;       /* ticks, when asked */
    int32_t product; /* the load's, -1 for the block's own demand (demand_product or any) */
    uint32_t to, kind, arg; /* the block event scheduled when its load is at I/O (another
                               block's request, tsim__storage_request); to TSIM__NIL: none */
};

/* A block told at each put-away of a product one of the watchers waits for (storage.h). */
struct watcher {
    uint32_t to, kind;
};

/* A lane of a drive-in or flow rack: `depth` slots one behind the other at one bay and level,
 * holding one product at a time. Its loads (stored, or a put-away on its way) are at positions
 * head, head + 1, ... (mod depth) in the order they were put away, `n` of them. */
struct lane {
    uint32_t head, n, product, pad_;
};

/* A cycle under way, done by the crane or (served_by) by one operator or vehicle. */
struct cycle {
    int64_t t_ret, t_end;       /* its later instants, ticks */
    int64_t since;              /* when it began, ticks */
    uint64_t blocked_seq;       /* BLOCKED: the order it was blocked in */
    int32_t put_slot, ret_slot; /* its slots, -1 if none */
    uint32_t carry, out;        /* entities on the server, TSIM__NIL if none */
    uint32_t tell_to, tell_kind, tell_arg; /* its retrieval's request's event */
    uint32_t phase;             /* IDLE: the record is free */
    uint32_t server;            /* the vehicle of a fleet's cycle */
    uint32_t pad_;
};

/* One product's stock and moves: its loads held (stored, or reserved by a retrieval until the
 * crane picks them up, as `stock` counts them) and their time-weighted count, its put-aways,
 * retrievals and their dwell, since the statistics' start. */
struct prod_stat {
    struct tsim__area level;
    struct tsim__sum dwell;
    uint64_t held, put_aways, retrievals, pad_;
};

struct storage {
    struct tsim__bhdr h;
    uint32_t nslots, nprod, req_cap;
    uint32_t head, tail, nput;  /* put-away queue */
    uint32_t nfree;             /* FREE slots */
    uint32_t req_head, req_n;   /* request ring */
    uint32_t ncyc, nbusy;       /* cycle records, those under way */
    uint32_t waiting, coming;   /* served_by: servers asked for that none was sent for yet (0
                                   or 1), and those on their way (or queued at the pool) */
    uint32_t in_ask, answer, answer_srv; /* a fleet's answer to an ask, while it is made */
    uint64_t blocked_n;
    uint64_t stock, avail_all;
    uint64_t slots_off, avail_off, req_off; /* bytes from the state's start */
    uint64_t lanes_off, tag_off; /* lanes (drive-in, flow); per slot its product (dedicated) or
                                    class zone (class), -1 for none */
    uint64_t turn_off;           /* per product its retrievals since the run's start */
    uint64_t cyc_off;            /* the cycle records, `ncyc` of them */
    uint64_t prod_off;           /* per product its statistics (struct prod_stat) */
    uint64_t watch_off;          /* the watchers (struct watcher, `nwatch` of at most one a
                                    block of the model), then per product a byte: some watcher
                                    waits for a load of it (tsim__storage_watch) */
    uint32_t nwatch, pad_watch_;
    struct tsim__area stock_level;
    int64_t busy_ticks;
    uint64_t put_aways, retrievals, stockouts, lost, cycles_single, cycles_dual;
    struct tsim__sum dwell, put_wait, ret_wait;
    double travel_single, travel_dual; /* sums, model time */
};

static inline struct slot *slots_of(struct storage *s)
{
    return (struct slot *)((unsigned char *)s + s->slots_off);
}
static inline uint64_t *avail_of(struct storage *s)
{
    return (uint64_t *)((unsigned char *)s + s->avail_off);
}
static inline struct request *reqs_of(struct storage *s)
{
    return (struct request *)((unsigned char *)s + s->req_off);
}

static inline struct prod_stat *prods_of(struct storage *s)
{
    return (struct prod_stat *)((unsigned char *)s + s->prod_off);
}

static inline struct watcher *watchers_of(struct storage *s)
{
    return (struct watcher *)((unsigned char *)s + s->watch_off);
}

static inline struct cycle *cyc_of(struct storage *s)
{
    return (struct cycle *)((unsigned char *)s + s->cyc_off);
}

static inline uint32_t depth_of(const struct tsim__block_desc *d)
{
    return d->val[K_DEPTH].set ? (uint32_t)d->val[K_DEPTH].i : 1u;
}

/* Loads one slot of a selective rack holds, side by side, each reached at once. */
static inline uint32_t loads_of(const struct tsim__block_desc *d)
{
    return d->val[K_SLOT_LOADS].set ? (uint32_t)d->val[K_SLOT_LOADS].i : 1u;
}

/* Places at one bay and level: a lane's depth, or a selective slot's loads (one of the two is
 * 1, checked). Places i of the slot table are at rack slot i / places_of(d), places of one slot
 * next to each other. */
static inline uint32_t places_of(const struct tsim__block_desc *d)
{
    return depth_of(d) * loads_of(d);
}

static inline uint32_t nslots_of(const struct tsim__block_desc *d)
{
    return (uint32_t)(d->val[K_BAYS].i * d->val[K_LEVELS].i) * places_of(d);
}

static inline int lanes_on(const struct tsim__block_desc *d)
{
    return d->val[K_RACK].i != RACK_SELECTIVE;
}
static inline struct lane *lanes_of(struct storage *s)
{
    return (struct lane *)((unsigned char *)s + s->lanes_off);
}
static inline int32_t *tags_of(struct storage *s)
{
    return (int32_t *)((unsigned char *)s + s->tag_off);
}
static inline uint64_t *turn_of(struct storage *s)
{
    return (uint64_t *)((unsigned char *)s + s->turn_off);
}

/* storslot.c, called by storage.c only. */

/* Travel time in model time from the I/O point, or between two places (`from` < 0: the I/O
 * point; `to` < 0: to it); a place of a lane is reached at the lane's face, each load of a slot
 * at the slot's centre. */
double tsim__storslot_travel(const struct tsim__block_desc *d, int32_t from, int32_t to);
/* Each place's tag at the run's start (dedicated: its product; class: its zone; else -1). */
void tsim__storslot_tag(struct storage *s, const struct tsim__block_desc *d);
/* Whether free place `i` may take a load of product `p` under put-away policy `rule`, `zone`
 * being p's class zone (policy class) or -1 for any zone. */
int tsim__storslot_may_take(struct storage *s, long long rule, uint32_t i, int p, int32_t zone);
/* The place a put-away of product `p` goes to by the block's policy, -1 if none takes it now. */
int32_t tsim__storslot_put(struct tsim_sim *sim, struct storage *s,
                           const struct tsim__block_desc *d, int p);
/* The place a retrieval of product `p` (-1: any) takes its load from by the block's retrieval
 * rule, -1 if no load of it is available and reachable; `busy` is the place of the same cycle's
 * put-away, -1 if none. */
int32_t tsim__storslot_ret(struct tsim_sim *sim, struct storage *s,
                           const struct tsim__block_desc *d, int p, int32_t busy);
#endif
