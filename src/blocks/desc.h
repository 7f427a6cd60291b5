/*
 * Block descriptions: the immutable, plain-data form of a model that sims are built from.
 * The builder (model.c and each block type's setters, found through registry.h) fills these;
 * blocks read them when a sim is created. Nothing here changes while any sim of the model exists.
 *
 * Invariants once tsim__model_finalize() has run (tsim_sim_create calls it through validation):
 * every `by_product` table has one entry per product (NULL where the product has no value of its
 * own and no default), `indegree` counts the routes into each block, and `prob.c` is cumulative.
 */
#ifndef TSIM_BLOCKS_DESC_H
#define TSIM_BLOCKS_DESC_H

#include "blocks/registry.h"
#include "core/names.h"
#include "twinsim.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* The latest tick a run reaches: 2^62 - 1. A drawn duration is at most this too, so that
 * `now + duration`, the sum every block computes, stays below 2^63 without a check: the run
 * loop never runs an event later than TSIM__TMAX (tsim_sim_run stops with an error there,
 * horizons past it are refused: tsim_model_max_time). */
#define TSIM__TMAX ((INT64_C(1) << 62) - 1)
#define TSIM__TMAX_D 4611686018427387904.0 /* 2^62: a double at or above it is past TSIM__TMAX */

/* Servers of all machines of a model together (tsim_model_validate). */
#define TSIM__SERVERS_TOTAL_MAX 1000000

/* A per-product distribution: a default plus overrides, resolved to a table by product. */
struct tsim__pdist {
    int has_default;
    struct tsim_dist dflt;
    int n;                      /* overrides */
    int *product;
    struct tsim_dist *dist;
    const struct tsim_dist **by_product; /* finalized: one per product, NULL if none */
};

struct tsim__route {
    enum tsim_route_rule rule;
    /* finalized: a send must go out of line (any rule but SINGLE, or a block with a hook) */
    int slow;
    int n;
    int *to;        /* targets (SINGLE: to[0]; PRODUCT: parallel to `product`) */
    double *p;      /* PROBABILITY: probabilities as given */
    double *cum;    /* finalized PROBABILITY: cumulative, last exactly 1 */
    int *product;   /* PRODUCT: product of each branch */
    int *by_product;/* finalized PRODUCT: target per product, -1 if none */
};

struct tsim__need {
    int pool;       /* -1: none */
    int count;
    unsigned for_mask;
};

/* Loads a storage block holds at time 0: slot (level x bays + bay, from 0) and product, `n` of
 * them, one per load in file order, so that a slot of several loads (or a lane) appears once for
 * each (src/model/stockcsv.c reads them). */
struct tsim__stock {
    int n, cap;
    int32_t *slot;
    int32_t *product;
    /* the rows of quantity 0: empty slots the file names a product for (dedicated put-away) */
    int nempty, capempty;
    int32_t *empty_slot;
    int32_t *empty_product;
};

/* The order lines a picking block releases (orders_file; src/model/ordercsv.c reads them):
 * `norders` orders in the order they are released (by release time, then priority, highest
 * first, then first appearance in the file), the lines of order i being first[i]..first[i+1]-1
 * in line-number order. Times in model time units. */
struct tsim__orderlines {
    int norders, nlines;
    double *release, *due; /* per order; due: INFINITY when none */
    int32_t *first;        /* per order, and first[norders] = nlines */
    int32_t *product, *qty; /* per line */
    char **id;             /* per order: its id in the file (the plant's, for the live twin) */
    char *id_pool;         /* the ids, end to end: `id` points into it (one allocation) */
    int32_t *line;         /* per line: its number in the file */
    struct tsim__names ids; /* id -> order (tsim__orderlines_index) */
};

/* The trucks of a dock's appointments (appointments_file; src/model/truckcsv.c reads them), `n`
 * of them by arrival time (then file order). Times in model time units; planned and departure
 * INFINITY when not given. `id`: each truck's id as the file writes it (the plant's name for it,
 * by which the live twin knows it), each given once. */
struct tsim__trucks {
    int n;
    double *arrival, *planned, *departure;
    int32_t *pallets;
    unsigned char *outbound;
    char **id;
    struct tsim__names ids; /* id -> truck (tsim__trucks_index) */
    int32_t *door;          /* the door it is for, from 0; -1: any that serves it */
    /* the product of an inbound truck's pallets (its `product` column), -1: the dock's
     * `product`; NULL without the column */
    int32_t *product;
    /* The orders an outbound truck names (its `orders` column), NULL without the column: per
     * truck the cell's text (NULL: none), its line and column in the file, and how many orders
     * it names (0: none; it then loads by due time). Read by truckcsv.c; `shown` is the file's
     * name in messages. */
    char **orders;
    long long *orders_line, *orders_col;
    int32_t *named;
    char *shown;
    /* The named orders, resolved once every block is loaded (loadblocks.c): those of picking
     * block `order_block` (-1: none), truck_of[o] the truck that names its order o, or -1
     * (norder_map = that block's orders). */
    int order_block, norder_map;
    int32_t *truck_of;
};

/*
 * A buffer's sequencing decision point (src/logic/seq.c makes it from a `rule:`): of the
 * entities of its queue, a list from `head` through their `next` in arrival order, the one it
 * sends on next. Returns that entity, or TSIM__NIL after failing the sim. `ctx` belongs to it
 * (freed with `release`, when set, when the model is; sims read it and never write it).
 */
struct tsim_sim;
struct tsim__seq {
    uint32_t (*choose)(struct tsim_sim *sim, uint32_t b, uint32_t head, const void *ctx);
    void *ctx;
    void (*release)(void *ctx);
};

/*
 * What a sequencing rule whose key does not change while an entity waits adds to its
 * tsim__seq: the rule is then an argmin of `key` (of entity `e`, the `seq`-th to arrive, with
 * the rule's ctx), ties to the earlier arrival, and the buffer keeps its queue in an index
 * (qtree.h) and sends the first of it without asking `choose`, which would answer the same
 * (buffer.c). It holds only while `choose` is the seq's own: a rule set later in its place,
 * which knows nothing of it, leaves it stale and so unused.
 */
struct tsim__seq_key {
    uint32_t (*choose)(struct tsim_sim *sim, uint32_t b, uint32_t head, const void *ctx);
    double (*key)(const struct tsim_sim *sim, uint32_t b, uint32_t e, uint64_t seq,
                  const void *ctx);
};

struct tsim__block_desc {
    enum tsim_block_type type;
    char *name;
    int index;
    int indegree; /* finalized */
    /* finalized: a picking block's shipped orders may reach it along routes (they carry their
     * order data there: a sink then keeps their units by product) */
    int orders_reach;
    /* on a ring that the loader warned can fill (model/loadconv.c): a refusal of it runs the
     * run-time gridlock check, tsim__ring_check (blocks/ring.c) */
    int ring;
    struct tsim__route route;

    /* source */
    int has_interarrival;
    struct tsim_dist interarrival;
    int mix_n;
    int *mix_product;
    double *mix_cum;        /* cumulative */
    uint64_t limit;
    int batch;
    int population;
    int has_due;
    struct tsim_dist due;
    /* CONWIP release (source.c): release_wip 0: none, entities leave as they are made; else at
     * most release_wip released ones in the set (release_over[block] 1; NULL: the whole system) */
    int release_wip, release_n; /* release_n < 0: no set given (the whole system) */
    int *release_list;          /* the set as given */
    unsigned char *release_over; /* finalized: one per block */

    /* buffer */
    uint64_t capacity;      /* 0: unlimited */
    enum tsim_discipline discipline;
    struct tsim__seq seq;   /* its sequencing rule; seq.choose NULL: the discipline orders */
    struct tsim__seq_key seq_key; /* its rule's static key, if any */
    int drop;               /* buffer: drop when full; machine: drop when no server is free */

    /* delay */
    struct tsim_dist delay;

    /* machine and assembly */
    int servers;
    struct tsim__pdist process;
    int has_setup;
    struct tsim_dist setup;
    int has_failures;
    struct tsim_dist between, repair;
    enum tsim_failure_basis failure_basis;
    double scrap;
    struct tsim__need need;
    int shift;              /* -1: always */
    int sheet;              /* machine: it processes operations of routing sheets (a group's) */

    /* assembly */
    int *part_count;        /* finalized: count per product (0: not a part); built from list */
    int parts_n;
    int *parts_product;
    int *parts_k;
    int out_product;        /* -1: that of the first part */

    /* split */
    int into;

    /* storage: loads to store at time 0 (stock_file) */
    struct tsim__stock stock;

    /* picking: the order lines it releases (orders_file) */
    struct tsim__orderlines orders;

    /* dock: the trucks of its appointments (appointments_file) */
    struct tsim__trucks trucks;

    /* conveyor: the item length of each product (item_len_n of them, from 0; NaN, or a product
     * past them: its `item_length`); NULL: its `item_length` for every product */
    double *item_len;
    int item_len_n;
    /* conveyor: its speed from speed_at[i] on is speed_to[i] (model time units, ascending) */
    int nspeeds;
    double *speed_at, *speed_to;

    /* picking: the storage blocks (aisles) its crew picks from (`pick_from`), in the order
     * written, pick_from_n of them; NULL: none */
    int *pick_from;
    int pick_from_n;

    /* Values of the keys of its type that have no field above (registry.h): one per key of the
     * type, in key order; NULL when the type has none. */
    struct tsim__val *val;

    /* What happens as an entity leaves it (attribute sets, a rule's route); NULL: nothing. */
    struct tsim__hook *hook;
};

/* Entity attributes (attr.c). Values are doubles, one per attribute per entity; an attribute
 * not yet set holds TSIM__UNSET (a NaN), which no expression can produce (a NaN result is an
 * error), so reading it is caught. Integer, product and id values are whole numbers. */
enum tsim__attr_type { TSIM__ATTR_NUMBER, TSIM__ATTR_INTEGER, TSIM__ATTR_PRODUCT, TSIM__ATTR_ID };

struct tsim__attr_desc {
    char *name;
    enum tsim__attr_type type;
    int init;              /* 0: unset at the source; 1: `value`; 2: drawn from `dist` */
    double value;
    struct tsim_dist dist; /* rounded for an integer */
};

/* A compiled expression of attributes (attr.c runs it; src/logic compiles it): postfix code. */
enum tsim__op {
    TSIM__OP_CONST, TSIM__OP_ATTR, TSIM__OP_NEG, TSIM__OP_NOT, TSIM__OP_ADD, TSIM__OP_SUB,
    TSIM__OP_MUL, TSIM__OP_DIV, TSIM__OP_LT, TSIM__OP_LE, TSIM__OP_GT, TSIM__OP_GE, TSIM__OP_EQ,
    TSIM__OP_NE, TSIM__OP_AND, TSIM__OP_OR
};
#define TSIM__EXPR_DEPTH 32 /* the evaluation stack; the compiler refuses deeper expressions */
struct tsim__insn {
    enum tsim__op op;
    int attr;     /* OP_ATTR */
    double value; /* OP_CONST */
};
struct tsim__aexpr {
    int n;
    struct tsim__insn *code;
};

/* One assignment `attr: expression` of a block's `set`, and where it is written. */
struct tsim__assign {
    int attr;
    struct tsim__aexpr expr;
    int line, col;
};

/*
 * A block's hook: run when an entity leaves the block, before its route picks the next one.
 * The assignments run in order (a later one sees the earlier ones' values), then the rules
 * outside the blocks (src/logic): fn[TSIM__HOOK_SET] may set attributes, then
 * fn[TSIM__HOOK_ROUTE] returns the index in route.to of the chosen block. Either returns -1
 * after failing the sim with tsim__sim_fail. ctx[i] belongs to the hook, freed with ctx_free[i].
 */
struct tsim_sim;
enum { TSIM__HOOK_SET, TSIM__HOOK_ROUTE };
struct tsim__hook {
    /* fn[TSIM__HOOK_ROUTE] reads no attribute and runs before the assignments: a route the
     * environment decides (src/logic/route.c) answers -1 until the decision is made, and the
     * sender, pulled then, runs the hook again; the assignments run once, with the answer. */
    int route_first;
    int nset;
    struct tsim__assign *set;
    int (*fn[2])(struct tsim_sim *sim, uint32_t b, uint32_t e, void *ctx);
    void *ctx[2];
    void (*ctx_free[2])(void *ctx);
};

/* The hook of block `block`, made when first asked for (loader, src/logic). */
struct tsim__hook *tsim__block_hook(struct tsim_model *m, int block);
/* Declare attribute `name` of `type`; returns its index, or -1 if the name is taken. */
int tsim__attr_add(struct tsim_model *m, const char *name, enum tsim__attr_type type);
int tsim__attr_find(const struct tsim_model *m, const char *name);
void tsim__attrs_release(struct tsim_model *m);

/*
 * Routing sheets (src/logic/sheet.c, src/model/loadsheet.c): per product, the operations its
 * entities go through in order. An operation names a group, the block its entities are sent
 * to (a machine, or a buffer in front of one or more machines), its processing time there and
 * its setup family. An entity's `step` is the number of operations it has been sent to; while
 * it is at operation step - 1, a machine of that group draws the operation's time.
 */
struct tsim__sheet_op {
    int group;             /* block */
    struct tsim_dist time;
    int family;            /* -1: none */
};
struct tsim__sheet {
    int n;                 /* 0: the product has no sheet */
    struct tsim__sheet_op *op;
    double *rest;          /* n + 1: rest[k] = mean time of operations k..n-1; rest[n] = 0 */
};
/* Setup times by (previous family, next family): nfam x nfam cells, row = previous; a cell
 * with has = 0 falls back to the machine's own `setup` (none: no setup). */
struct tsim__setups {
    int nfam;
    char **family;
    unsigned char *has;
    struct tsim_dist *time;
};

struct tsim__shift_desc {
    char *name;
    int n;
    double *periods; /* 2n hours since midnight */
};

struct tsim__pool_desc {
    char *name;
    int count;
    int shift;
};

struct tsim_model {
    char *name;
    char time_unit[8];
    double ticks_per_unit;
    double start_clock; /* hours since midnight at time 0 */
    int has_start_date; /* run.start gave a date: start_day is its day */
    long long start_day; /* days from 1970-01-01 of time 0 (model/csvtab.c reads dates by it) */
    int nproducts, cap_products;
    char **products;
    int nblocks, cap_blocks;
    struct tsim__block_desc *blocks;
    int nshifts;
    struct tsim__shift_desc *shifts;
    int npools;
    struct tsim__pool_desc *pools;
    int finalized;
    struct tsim__names block_index, product_index;
    char **block_names; /* blocks[i].name, for the index */
    int cap_block_names;
    /* Optional per-block source positions for diagnostics (set by the loader, may be NULL). */
    int *block_line, *block_col;
    /* Limits of a run (tsim_model_set_max_entities, _max_instant_events); 0: the default. */
    uint64_t max_entities, max_instant_events;
    int err_block; /* the block the last failed validation was about; -1: none */
    /* Where in the file the last failed validation points, when its check named a place
     * (tsim__model_blame_key, _at); 0: at the block. Set by the loader: the place of each key a
     * block gives, key_at[k] = {block, key index in its type's keys, line, col}. */
    int err_line, err_col;
    int nkey_at;
    int (*key_at)[4];
    /* The same for what the network gives (tsim__model_blame_net): net_at[k] = {what, index,
     * line, col}, `what` a TSIM__AT_*; cap_net_at entries allocated. */
    int nnet_at, cap_net_at;
    int (*net_at)[4];
    enum tsim_rng_kind rng; /* the generator of its sims' streams (tsim_model_set_rng) */
    struct tsim__network *net; /* the path network (blocks/network.h); NULL: none */
    int nattrs;
    struct tsim__attr_desc *attrs;
    char *file; /* the file it was loaded from, for run-time errors of its rules; may be NULL */
    /* finalized, with two products or more, or one and a picking block: the names of the KPIs
     * by product, "products.P.KPI" at TSIM__PK_N p + TSIM__PK_KPI (results borrow them); NULL
     * otherwise */
    char **product_kpis;
    struct tsim__sheet *sheets; /* per product; NULL: no routing sheets */
    struct tsim__setups setups;
};

/* The KPIs by product (m->product_kpis), in this order for each product: the first two of every
 * sink and the system, the next two of a sink in a model with a picking block (orders carry
 * units), the next two of a picking block, the last four of a storage block with `by_product`
 * (storage.c). */
enum {
    TSIM__PK_LEAD, TSIM__PK_THROUGHPUT, TSIM__PK_COUNT, TSIM__PK_UNITS, TSIM__PK_LINES_PH,
    TSIM__PK_UNITS_PH, TSIM__PK_STOCK, TSIM__PK_PUT_AWAYS, TSIM__PK_RETRIEVALS, TSIM__PK_DWELL,
    TSIM__PK_N
};
/* The products whose KPIs sink `d` of finalized `m` keeps (model.c): every product of a model of
 * two or more, or of one that a picking block's orders may reach; 0 otherwise. */
int tsim__products_kept(const struct tsim_model *m, const struct tsim__block_desc *d);
/* The fewest items conveyor `d` of `m` holds while stuck for good, its front item refused and
 * its entry never clear again (conveyor.c); at least 1. For the loader's check of rings. */
double tsim__conveyor_least_stuck(const struct tsim_model *m, const struct tsim__block_desc *d);

/* Free the routing sheets and setup families of `m` (src/blocks/sheets.c). */
void tsim__sheets_release(struct tsim_model *m);
/* The family of `name`, added if new (src/blocks/sheets.c); -1 past the limit. */
int tsim__family_intern(struct tsim_model *m, const char *name);

/* Resolve per-product tables, cumulative probabilities and in-degrees. Idempotent; called again
 * automatically after any setter. Returns 0 or TSIM_EMODEL with tsim_errmsg() set. */
int tsim__model_finalize(struct tsim_model *m);
/* A failing check's error is about key `key` (an index into the type's keys) of block `b`: the
 * loader reports it at that key's place in the file when the block gives the key, else at the
 * block. Validation builds derived tables of a const model; so does this. */
void tsim__model_blame_key(const struct tsim_model *m, int b, int key);
/* The same for a place the check knows itself (line and col 1-based). */
void tsim__model_blame_at(const struct tsim_model *m, int line, int col);
/* What of the network a check may blame, written in the file: TSIM__AT_NODE, the node of block
 * `index` (its entry in the network's `at`); TSIM__AT_ZONE, the zone capacity of node `index`
 * (its entry in `zones`; index -1: `node_capacity`, which gives every node not in `zones`). */
enum { TSIM__AT_NODE, TSIM__AT_ZONE };
/* The loader notes that `what` of `index` is written at `line`:`col`. */
void tsim__model_note_net(struct tsim_model *m, int what, int index, int line, int col);
/* A failing check's error is about `what` of `index`: the loader reports it where the file
 * gives it (a zone capacity not in `zones`: at `node_capacity`), else at the block. Returns 1
 * when the file gives it. */
int tsim__model_blame_net(const struct tsim_model *m, int what, int index);

/* How many of the model's time units make one hour (60 for minutes); 0 for an unknown unit. */
double tsim__units_per_hour(const struct tsim_model *m);

/* The function name validation errors carry in tsim_errmsg(). */
#define TSIM__VALIDATE "tsim_model_validate"

/* For setters of a block type (each type's file): the block `block` if it exists and its type is
 * one of `mask` (TSIM__T(type) bits), else NULL with *rc set ("TYPE 'x' has no parameter
 * 'param'"). A block it returns is marked changed (the model is finalized again). */
#define TSIM__T(type) (1u << (type))
struct tsim__block_desc *tsim__block_get(struct tsim_model *m, int block, unsigned mask,
                                         const char *func, const char *param, int *rc);
/* tsim__block_get, then whether the whole number `v` of the setter lies in lo..hi (hi
 * TSIM__LAST_PRODUCT: the model's last product): the block, or NULL with *rc set. Out of range,
 * the message is `fmt` with one argument: `v` for the code TSIM_ENOENT ("no product %d"), else
 * the block's name ("servers of '%s' must be in 1..100000"). */
#define TSIM__LAST_PRODUCT INT_MIN
struct tsim__block_desc *tsim__block_get_whole(struct tsim_model *m, int block, unsigned mask,
                                               const char *func, const char *param, int v, int lo,
                                               int hi, int code, const char *fmt, int *rc);
/* A time must not be negative on average; a distribution that can draw negative values (normal)
 * is clamped to 0 at each draw. Returns 0 or TSIM_ERANGE / TSIM_EINVAL with the message set. */
int tsim__check_time(const char *func, const struct tsim__block_desc *b, const char *param,
                     const struct tsim_dist *d);
/* The whole of a setter of one time distribution of a block: the block (tsim__block_get), `d`
 * checked (tsim__check_time) and copied into the distribution at offset `at` of the block's
 * description, and the int flag at offset `has_at` set to 1 (TSIM__NO_FLAG: none). Returns 0 or
 * the error code, with the message set. TSIM__AT(field) gives an offset. */
#define TSIM__AT(field) offsetof(struct tsim__block_desc, field)
#define TSIM__NO_FLAG ((size_t)-1)
int tsim__block_set_time(struct tsim_model *m, int block, unsigned mask, const char *func,
                         const char *param, const struct tsim_dist *d, size_t at, size_t has_at);
/* Replace distribution `dst` by a copy of `src`. */
void tsim__dist_set(struct tsim_dist *dst, const struct tsim_dist *src);

/* Drop the per-product processing times of machine or assembly `block` (station.c). */
void tsim__machine_clear_product_process(struct tsim_model *m, int block);

/* The value table of a new block of its type (defaults: nothing set), and its release
 * (registry.c). */
/* Free what `o` holds and empty it (picking.c). */
void tsim__orderlines_release(struct tsim__orderlines *o);
/* Index the ids of orders read (or trucks read, below), for the live twin's look-ups by id. */
void tsim__orderlines_index(struct tsim__orderlines *o);
void tsim__trucks_index(struct tsim__trucks *t);
/* Free what `t` holds and empty it (dock.c). */
void tsim__trucks_release(struct tsim__trucks *t);

void tsim__vals_init(struct tsim__block_desc *d);
void tsim__vals_release(struct tsim__block_desc *d);

#endif
