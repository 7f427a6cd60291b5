/*
 * The live twin, internally: a mapping from plant messages to model elements, payload decoding
 * with every check a network input needs, the live sim that follows the plant, forecasts from a
 * clone of it, SQLite recording, the MQTT glue and the plant emulator. Only the `twinsim twin`
 * and `twinsim emulate` commands and the tests use it, so it is not public API.
 *
 * The parts are separate so that each can be tested without a broker:
 *   mapping.c   YAML mapping file -> struct tsim__map (diagnostics as for model files)
 *   ingest.c    (topic, payload) -> struct tsim__tev per event, or a counted reason to drop it
 *   live.c      struct tsim__tev -> corrections of the live sim (the reconciliation rule and the
 *               clock defence live there)
 *   forecast.c  clone of the live state -> N replications to a horizon -> JSON, alerts
 *   store.c     SQLite: every accepted message and every forecast with the point it started from
 *   mqtt.c      libmosquitto client on a network loop of its own: connect, reconnect, subscribe,
 *               acknowledge only what the owner made durable
 *   msgq.c      the queue from the network thread to the twin's thread, and its durability gate
 *   emulate.c   a model run in scaled real time, publishing what the mapping expects of a plant
 *   twin.c      the twin's main loop tying them together; resuming a recording
 *   replay.c    a recorded forecast run again from the recording alone
 * Threads: the MQTT network thread only copies messages into a queue; one twin thread owns the
 * live sim and decodes and applies every message; one forecast thread runs forecasts on clones.
 * Nothing here prints, exits or installs a signal handler: the commands do (cli/twin.c).
 */
#ifndef TSIM_TWIN_H
#define TSIM_TWIN_H

#include "twinsim.h"
#include "twinsim_drivers.h"
#include "results/results.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

/* ---------------------------------------------------------------------------------------------
 * Wire (wire.c): what plant messages are made of, read alike by the mapping, the decoder, VDA 5050
 * and the twin's subscriptions.
 * ------------------------------------------------------------------------------------------- */

/** Is `s` (`n` bytes) valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF)? */
int tsim__utf8_valid(const unsigned char *s, size_t n);

/** Parse an RFC 3339 / ISO 8601 UTC time ("2026-11-29T06:00:00Z", fraction and offset allowed)
 * into Unix seconds. Returns 0, or -1 if it is not one. */
int tsim__iso_time(const char *s, double *out);

/** Does `topic` match the subscription `filter` (with `+` and `#`)? */
int tsim__topic_match(const char *filter, const char *topic);

/* ---------------------------------------------------------------------------------------------
 * Mapping: which topics and JSON fields mean what.
 * ------------------------------------------------------------------------------------------- */

/* Largest payload accepted by default, in bytes (the mapping may lower or raise it up to
 * TSIM__MAP_PAYLOAD_MAX). A PLC message is a few hundred bytes; anything far bigger is a fault.
 * The hard cap applies to a batch as a whole: 1 MiB holds batches of several thousand events,
 * far more than a gateway collects between two sends, and bounds what one parse may cost. */
#define TSIM__MAP_PAYLOAD_DEFAULT 4096u
#define TSIM__MAP_PAYLOAD_MAX (1024u * 1024u)

enum tsim__tev_kind {
    TSIM__TEV_STATE,     /* a machine server changed state */
    TSIM__TEV_PART,      /* a part entered or left a block */
    TSIM__TEV_LEVEL,     /* a buffer's level */
    TSIM__TEV_COUNT,     /* a block's cumulative count of parts entered (a PLC counter) */
    TSIM__TEV_ORDER,     /* an order released: product, quantity, due date */
    TSIM__TEV_PARAM,     /* a parameter changed: a process time, a crew size */
    TSIM__TEV_HEARTBEAT, /* nothing happened up to this time */
    TSIM__TEV_STOCK,     /* a storage block's stock of a product (storage.h) */
    TSIM__TEV_TRUCK,     /* a truck came to a dock (dock.h) */
    TSIM__TEV_RELEASE,   /* an order of a picking block's file released (picking.h) */
    TSIM__TEV_PICK,      /* a line of such an order picked (picking.h) */
    TSIM__TEV_SPEED,     /* a conveyor's speed changed (tsim_conveyor_set_speed) */
    TSIM__TEV_COMMAND,   /* a request to the twin (forecast now, publish state) */
    TSIM__TEV_VDA_STATE, /* a VDA 5050 vehicle's `state` (vda.c; no `events:` rule names it) */
    TSIM__TEV_VDA_CONN,  /* a VDA 5050 vehicle's `connection` */
    TSIM__TEV_KIND_COUNT
};

/* What a JSON field (or a topic level) of a rule stands for. */
enum tsim__role {
    TSIM__R_BLOCK,
    TSIM__R_SERVER,
    TSIM__R_STATE,
    TSIM__R_ACTION,
    TSIM__R_PRODUCT,
    TSIM__R_PART,
    TSIM__R_LEVEL,
    TSIM__R_ORDER,
    TSIM__R_QUANTITY,
    TSIM__R_DUE,
    TSIM__R_NAME,
    TSIM__R_VALUE,
    TSIM__R_TOTAL,        /* the `count` of a count event */
    TSIM__R_TRUCK,
    TSIM__R_DIRECTION,
    TSIM__R_PALLETS,
    TSIM__R_DOOR,
    TSIM__R_LINE,
    TSIM__R_DEPART,       /* a truck's latest planned departure */
    TSIM__R_SPEED,        /* a conveyor's new speed */
    TSIM__R_COUNT
};

/* The plant's machine states. A twin only enforces up versus down; the rest is recorded. */
enum tsim__pstate {
    TSIM__PS_RUNNING,
    TSIM__PS_IDLE,
    TSIM__PS_DOWN,
    TSIM__PS_SETUP,
    TSIM__PS_OFF,
    TSIM__PS_COUNT
};

enum tsim__ts_unit { TSIM__TS_S, TSIM__TS_MS, TSIM__TS_ISO };

/* One `events:` entry: messages on `topic` are of `kind`. A topic may hold one `{block}` level. */
struct tsim__rule {
    enum tsim__tev_kind kind;
    char *topic;          /* as written */
    char *filter;         /* the subscription: `{block}` replaced by `+` */
    int block_level;      /* index of the `{block}` level, -1 if none */
    int fixed_block;      /* `block:` named in the rule, -1 if none */
    char *field[TSIM__R_COUNT]; /* JSON field of each role; NULL where the role is not used */
    int line, col;
};

/* A plant name and the model element it stands for. */
struct tsim__alias {
    char *plant;
    int index;
};

enum tsim__alert_kpi { TSIM__KPI_OUTPUT, TSIM__KPI_P_PLAN, TSIM__KPI_P_ON_TIME };

struct tsim__alert {
    enum tsim__alert_kpi kpi;
    int below;            /* 1: alert when the value falls below `threshold`; 0: rises above */
    double threshold;
};

struct tsim__map {
    const struct tsim_model *model;
    /* time: the plant's timestamps -> model time */
    char *ts_field;
    enum tsim__ts_unit ts_unit;
    int has_origin;
    double origin;        /* plant seconds (Unix time) of model time 0 */
    double late;          /* tolerance for out-of-order timestamps, model time */
    double ahead;         /* an event further ahead of the twin's clock is held (live.c) */
    double max_gap;       /* largest jump forward accepted, model time */
    /* messages */
    char *id_field;       /* message id or sequence for duplicate detection; NULL: none */
    size_t max_payload;
    int qos;
    /* names: plant -> model (identity when absent) */
    struct tsim__alias *blocks;
    int nblocks;
    struct tsim__alias *products;
    int nproducts;
    char *state_word[TSIM__PS_COUNT]; /* the plant's word for each state */
    char *action_word[2];  /* the plant's words for a part leaving (0) and entering (1) */
    struct tsim__rule *rules;
    int nrules;
    char **subscribe;     /* subscriptions replacing the rules' own (`subscribe:`), may be 0 */
    int nsubscribe;
    /* twin topics */
    char *topic_command, *topic_forecast, *topic_alert, *topic_state, *topic_status;
    /* forecasts */
    double every_s;       /* wall-clock seconds between forecasts; 0: only on request */
    int replications;
    int horizon_mode;     /* 0: absolute, 1: relative to now, 2: next multiple */
    double horizon;       /* model time */
    uint64_t seed;
    double plan;          /* output expected by the horizon; 0: none */
    int threads;          /* forecast threads; 0: one per core up to the replications */
    struct tsim__alert *alerts;
    int nalerts;
    /* emulator */
    double heartbeat;     /* model time between heartbeats the emulator publishes; 0: none */
    struct tsim__vda *vda; /* the `vda5050:` section (vda.c); NULL: none */
};

/**
 * Load a mapping from YAML `text` against model `m` (block, product and pool names are checked).
 * Every problem is appended to `diags` ("unknown block 'filer' (did you mean 'filler'?)").
 * Returns the mapping, or NULL when `diags` holds an error.
 * Ownership: the caller frees it with tsim__map_destroy; `m` must outlive it.
 */
struct tsim__map *tsim__map_load(const char *text, size_t len, const struct tsim_model *m,
                                 struct tsim_diags *diags);
/** Read `path` and load it; an unreadable file is a diagnostic. */
struct tsim__map *tsim__map_load_file(const char *path, const struct tsim_model *m,
                                      struct tsim_diags *diags);
void tsim__map_destroy(struct tsim__map *map);

/** The plant name of block `block` (its alias, else its model name). */
const char *tsim__map_block_name(const struct tsim__map *map, int block);
const char *tsim__map_product_name(const struct tsim__map *map, int product);

/* ---------------------------------------------------------------------------------------------
 * Ingest: one message (one event or a batch) -> decoded events, each or a reason to drop it.
 * ------------------------------------------------------------------------------------------- */

enum tsim__drop {
    TSIM__OK,
    TSIM__D_TOOBIG,   /* payload over the cap */
    TSIM__D_UTF8,     /* not valid UTF-8 */
    TSIM__D_JSON,     /* not a JSON object */
    TSIM__D_TOPIC,    /* no rule for the topic */
    TSIM__D_FIELD,    /* a required field is missing or of the wrong type */
    TSIM__D_VALUE,    /* a value names nothing in the model or is out of range */
    TSIM__D_DUP,      /* a duplicate delivery */
    TSIM__D_LATE,     /* timestamp earlier than the twin's clock beyond the tolerance */
    TSIM__D_FUTURE,   /* timestamp too far ahead of the twin's clock */
    TSIM__D_ORDER,    /* a VDA 5050 headerId lower than the vehicle's last one on that topic */
    TSIM__D_COUNT
};

/** "too_big", "not_utf8", "bad_json", ... as written in counters and logs. */
const char *tsim__drop_name(enum tsim__drop d);

#define TSIM__TEV_STR 64

/* A decoded plant event. Times are plant seconds (Unix time) until live.c converts them. */
/* What a VDA 5050 `state` or `connection` message says of one vehicle (vda.c). */
struct tsim__vda_ev {
    int node;             /* the network node of lastNodeId; -1: none reported yet ("") */
    int driving;
    double battery;       /* batteryState.batteryCharge, percent */
    int errors, fatal;    /* entries of `errors`, and how many of them are FATAL */
    int online;           /* VDA_CONN: 1 ONLINE, 0 OFFLINE, -1 CONNECTIONBROKEN */
};

struct tsim__tev {
    enum tsim__tev_kind kind;
    const struct tsim__rule *rule;
    double ts;
    int has_ts;
    int block, server;
    enum tsim__pstate state;
    int enter;            /* PART: 1 enter, 0 leave */
    int product;          /* -1: not given */
    char part[TSIM__TEV_STR];
    int64_t level;        /* LEVEL: the level; COUNT: the count */
    char order[TSIM__TEV_STR];
    int64_t quantity;
    double due;           /* plant seconds */
    char name[TSIM__TEV_STR];
    char value[256];
    char command[TSIM__TEV_STR];
    struct tsim__vda_ev vda;  /* VDA_STATE, VDA_CONN: `block` is the fleet, `server` the vehicle */
    char truck[TSIM__TEV_STR]; /* TRUCK: its id; `quantity` its pallets */
    int outbound;             /* TRUCK: 1 outbound, 0 inbound */
    int door;                 /* TRUCK: 0-based (the plant's door 1 is 0); -1: not given */
    double depart;            /* TRUCK: its latest planned departure, plant seconds; < 0: none */
    int line;                 /* PICK: the line number of order `order` */
    double speed;             /* SPEED: the conveyor's, in model length units per time unit */
};

/* Recently seen message ids, to recognise QoS 1 redeliveries: a fixed table of 64-bit hashes
 * of (topic, id) with FIFO eviction. A redelivery older than `TSIM__DEDUP_WINDOW` messages is not
 * recognised; QoS 1 redelivers within the in-flight window, which is far smaller. */
#define TSIM__DEDUP_WINDOW 65536u
struct tsim__dedup {
    uint64_t *ring;       /* hashes in arrival order */
    uint64_t *table;      /* open addressing, 2x window, 0 = empty */
    uint32_t head, n;
};
void tsim__dedup_init(struct tsim__dedup *d);
void tsim__dedup_release(struct tsim__dedup *d);
/* Returns 1 if `key` was seen within the window, else records it and returns 0. */
int tsim__dedup_seen(struct tsim__dedup *d, uint64_t key);

struct tsim__ingest {
    const struct tsim__map *map;
    struct tsim__dedup dedup;
    int64_t *vda_header;  /* the last headerId of each mapped vehicle's state (2i), connection
                           * (2i + 1); -1: none yet. NULL without a `vda5050:` section */
    uint64_t received;
    uint64_t dropped[TSIM__D_COUNT];
};
void tsim__ingest_init(struct tsim__ingest *in, const struct tsim__map *map);
void tsim__ingest_release(struct tsim__ingest *in);

/* In a batch item, a string member of this name gives the topic the item would have been
 * published on alone; without it the item is of the message's topic. It lets one batch carry
 * events of every rule in their order. */
#define TSIM__BATCH_TOPIC "topic"

/* Called for every event of a message, in order: `rc` TSIM__OK with `ev` decoded, or the reason
 * it was dropped (already counted) with a message in `err`. `ev` and `err` are valid only
 * during the call. */
typedef void tsim__ingest_fn(void *ctx, enum tsim__drop rc, const struct tsim__tev *ev,
                             const char *err);

/**
 * Decode a message that is one event object or a batch: a JSON array of event objects. Each item
 * of a batch is decoded and counted as if it had been published alone on its own topic (see
 * TSIM__BATCH_TOPIC): one bad item is dropped and counted, the others go on. A batch that fails as
 * a whole (over the size cap, not UTF-8, not a JSON array, empty, on the command topic) is
 * counted once. Calls `fn` once per event and returns how many times it did (>= 1).
 */
size_t tsim__ingest_each(struct tsim__ingest *in, const char *topic, const void *payload,
                         size_t len, tsim__ingest_fn *fn, void *ctx);

/**
 * Decode one message holding one event object (a batch is `bad_json` here; the twin uses
 * tsim__ingest_each). Returns TSIM__OK with `*ev` filled, or the reason it is dropped (counted in
 * `in->dropped`), with a lowercase message in `err`. Duplicates are checked last, so a malformed
 * message never occupies the window. Never fails on any input.
 */
enum tsim__drop tsim__ingest_decode(struct tsim__ingest *in, const char *topic,
                                    const void *payload, size_t len, struct tsim__tev *ev,
                                    char *err, size_t errlen);

/* ---------------------------------------------------------------------------------------------
 * Live: the sim that follows the plant.
 * ------------------------------------------------------------------------------------------- */

struct tsim__order {
    char id[TSIM__TEV_STR];
    int product;
    int64_t quantity;
    double due;           /* model time; < 0: none */
    uint64_t *entity;     /* the live sim's entities for it */
    int nentity;
    double released;      /* model time */
};

/* Counters of disagreements between plant and twin, and of what was done about them. */
struct tsim__recon {
    uint64_t content;     /* a block's content differed from the plant's */
    uint64_t state;       /* a server was up in the twin and down in the plant, or back */
    uint64_t added;       /* entities injected to match */
    uint64_t removed;     /* entities removed to match */
    uint64_t unresolved;  /* differences the engine could not correct (a part on a machine) */
    uint64_t clamped;     /* slightly late events applied at the twin's clock */
    uint64_t unknown_part;/* a part left a block the twin had not seen it enter */
};

struct tsim__part_slot;
struct tsim__held;

/* What the live sim tells its owner as it goes (all optional). */
struct tsim__live_hooks {
    /* Called with the live state at each checkpoint time (every `checkpoint_every` of model
     * time up to `checkpoint_until`, < 0: no end), before the clock moves past it. */
    void (*checkpoint)(void *ctx, double t);
    double checkpoint_every, checkpoint_until;
    /* An event accepted earlier (held by the clock defence) is dropped after all, or fails when
     * it is finally applied: count and report it. */
    void (*dropped)(void *ctx, const struct tsim__tev *ev, enum tsim__drop why, const char *err);
    void *ctx;
};

struct tsim__live {
    struct tsim_model *model;
    const struct tsim__map *map;
    struct tsim_sim *sim;
    uint64_t seed;
    double unit_s;        /* seconds per model time unit */
    double origin;        /* plant seconds of model time 0 */
    int has_origin;
    double now;           /* model time of the last applied event */
    uint64_t applied;     /* events applied */
    int nblocks;
    /* what the plant reported, per block */
    unsigned char *observed;  /* 1 once the plant reported anything about the block */
    unsigned char *dirty;     /* reported since the last reconciliation */
    int64_t *content;
    uint64_t *entered, *left;
    int *last_product;
    /* per machine server: the plant's state and since when (model time); index by srv_off */
    int *srv_off;
    int nsrv;
    signed char *srv_state;   /* enum tsim__pstate, -1: never reported */
    double *srv_since;
    unsigned char *srv_dirty;
    unsigned char *srv_forced;  /* held down by the twin on the plant's word */
    /* parts: plant id -> block (who is where) */
    struct tsim__part_slot *parts;
    uint32_t parts_cap, parts_n;
    struct tsim__order *orders;
    int norders, cap_orders;
    uint64_t completed;   /* parts the plant reported entering a sink */
    int64_t *count_last;  /* per block: the last count reported, -1: none */
    struct tsim__recon recon;
    uint64_t late, future;
    /* the clock defence: events held until their time is confirmed (live.c) */
    struct tsim__held *held;
    int nheld, cap_held;
    uint64_t held_order;
    int releasing;        /* applying a held event: the clock's move releases no other */
    struct tsim__live_hooks hooks;
    double cp_next;       /* the next checkpoint time */
    struct tsim__vda_seen *vda; /* per mapped vehicle: what the plant said of it (vda.c) */
    uint64_t vda_moved;   /* idle vehicles of the live sim moved to their reported node */
    uint64_t vda_charged; /* reported charges that set a live vehicle's charge */
    uint64_t vda_charge_ignored; /* reported charges of a fleet without a battery */
    uint64_t vda_failed;  /* reports with a FATAL error that failed a live vehicle */
    uint64_t vda_resumed; /* reports with none that ended such a failure */
    uint64_t vda_warnings; /* errors of level WARNING reported (counted only) */
};

/* ---------------------------------------------------------------------------------------------
 * VDA 5050 (v2): vehicles of a fleet followed through their `state` and `connection` topics
 * (vda.c). The mapping's `vda5050:` section names the fleet block, the topic prefix, each
 * vehicle's manufacturer and serial number and, where they differ, the network node of a VDA
 * node id.
 * ------------------------------------------------------------------------------------------- */

struct tsim__vda_vehicle {
    char *manufacturer, *serial;
    int vehicle;          /* 0-based index in the fleet */
};

struct tsim__vda {
    int fleet;            /* the fleet block */
    char *prefix;         /* `<interface>/<version>`, e.g. "uagv/v2" */
    struct tsim__vda_vehicle *veh;
    int nveh;
    struct tsim__alias *nodes; /* VDA node id -> network node; others by their network name */
    int nnodes;
};

/* What the plant last said of a vehicle. */
struct tsim__vda_seen {
    int reported;         /* a state was applied */
    struct tsim__vda_ev ev;  /* the last state (node, driving, battery, errors) */
    int online;           /* the last connection state; -2: none yet */
};

struct fy_node;
struct tsim__yaml;
/* Read the mapping's `vda5050:` section (called by mapping.c with its context); adds the two
 * rules of its topics. Problems go to the mapping's diagnostics. */
void tsim__vda_read(struct tsim__map *map, const struct tsim_model *m, struct tsim_diags *diags,
                    struct tsim__yaml *y, struct fy_node *k, struct fy_node *v);
void tsim__vda_destroy(struct tsim__vda *vda);
/* Decode a `state` or `connection` payload `o` (a cJSON object) on `topic` of rule `r` into `ev`:
 * every check of the schema's fields the twin reads, the vehicle's identity against the topic
 * and the mapping, and headerId order per vehicle and topic. Counts a drop in `in->dropped`. */
enum tsim__drop tsim__vda_decode(struct tsim__ingest *in, const char *topic,
                                 const struct tsim__rule *r, const void *o, struct tsim__tev *ev,
                                 char *err, size_t errlen);
/* Apply a decoded VDA event to the live twin at its clock (live.c has advanced it). */
enum tsim__drop tsim__vda_apply(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                size_t errlen);
/* Write the member `"vehicles":{...}` of the view: the plant's reported nodes (`sim` NULL) or
 * the sim's. Nothing without a `vda5050:` section. */
void tsim__vda_write_view(const struct tsim__map *map, const struct tsim__vda_seen *seen,
                          const struct tsim_sim *sim, struct tsim__json *j);
/* Write the member `"vda5050":{...}`, what the plant last said of each mapped vehicle, for the
 * state message; nothing without a `vda5050:` section. */
void tsim__vda_write_json(const struct tsim__live *lv, struct tsim__json *j);

/**
 * Create a live twin of `m` with a sim for (seed, 0). `m` is not const because parameter
 * changes reported by the plant are applied to it. Returns NULL with tsim_errmsg() set when the
 * model does not validate. Ownership: the caller owns it; `m` and `map` must outlive it.
 */
struct tsim__live *tsim__live_create(struct tsim_model *m, const struct tsim__map *map,
                                     uint64_t seed);
void tsim__live_destroy(struct tsim__live *lv);

/**
 * Apply one decoded event: advance the live sim to its time, record what the plant reports and
 * correct the sim (see live.c for the rule). Returns TSIM__OK, TSIM__D_LATE, TSIM__D_FUTURE or
 * TSIM__D_VALUE (an order or parameter the engine refused, a count that went back), with a
 * message in `err`. An event far ahead of the clock is held (TSIM__OK, lv->nheld counts it)
 * until its time is confirmed; if it is dropped later, hooks.dropped says so.
 */
enum tsim__drop tsim__live_apply(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                 size_t errlen);

/** Set the hooks (copied); call before the first event. */
void tsim__live_set_hooks(struct tsim__live *lv, const struct tsim__live_hooks *h);

/** Write the checkpoints at or before model time `t` that are still due (at the end of a run). */
void tsim__live_checkpoints_through(struct tsim__live *lv, double t);

/** Does a PARAM event change the shared model (so no forecast may run meanwhile), rather than
 * only the live sim (a crew size)? */
int tsim__live_param_touches_model(const struct tsim__live *lv, const struct tsim__tev *ev);

/** Apply held events up to `t`, reconcile what was reported since the last reconciliation,
 * write due checkpoints, then run the sim to model time `t` (>= now) and make `t` the twin's
 * clock. */
void tsim__live_advance(struct tsim__live *lv, double t);

/** Reconcile what was reported since the last reconciliation (at the twin's clock). */
void tsim__live_settle(struct tsim__live *lv);

/** A copy of the live sim with what was reported since the last reconciliation applied to the
 * copy only: a forecast starts from the plant's latest word without disturbing the live state,
 * whose evolution must depend on the messages alone (not on when forecasts happen to run).
 * `forced` (lv->nsrv bytes) receives which servers the copy holds down on the plant's word.
 * Ownership: the caller destroys the copy. */
struct tsim_sim *tsim__live_snapshot(const struct tsim__live *lv, unsigned char *forced);

/** Model time of plant time `ts` (seconds); sets the origin from it if none yet. */
double tsim__live_model_time(struct tsim__live *lv, double ts);

/** Write the twin's view at its clock as one JSON line: `view` "observed" (what the plant
 * reported) or "sim" (the live sim). Machine states in plant words. */
void tsim__live_write_state(const struct tsim__live *lv, const char *view, double t, FILE *out);
/* The observed view as the member "observed" of the twin's state message `j` writes. */
void tsim__live_json_observed(const struct tsim__live *lv, double t, struct tsim__json *j);

/** The same view of an emulator's sim (the plant's truth), for checkpoint comparisons. */
void tsim__sim_write_state(const struct tsim_sim *sim, const struct tsim__map *map,
                           const char *view, double t, const uint64_t *entered, FILE *out);

/** The plant word for an engine state: busy -> running, blocked and waiting -> idle, ... */
enum tsim__pstate tsim__pstate_of(int engine_state);

/* ---------------------------------------------------------------------------------------------
 * Forecasts.
 * ------------------------------------------------------------------------------------------- */

/* What a forecast starts from: a clone of the live sim plus what the plant told the twin. */
struct tsim__fc_input {
    struct tsim_sim *base;       /* owned by the input */
    const struct tsim__map *map;
    uint64_t id;                 /* forecast number */
    double now, horizon;         /* model time */
    double plant_time;           /* plant seconds at `now` */
    uint64_t completed;          /* parts the plant finished before now */
    uint64_t events_applied;     /* events the live state has absorbed (for replay) */
    int replications;
    uint64_t seed;
    double plan;
    int threads;
    struct tsim__order *orders;  /* open orders, copied */
    int norders;
    int *down;                   /* (block, server) pairs held down on the plant's word */
    int ndown;
};

/**
 * Prepare `sim` (a copy of in->base) as replication `rep`: reseed it, and end each reported
 * breakdown after a repair time drawn from the machine's repair distribution (the plant's
 * "down" holds the machine down in the live sim; a forecast must not assume it stays down).
 * Returns what the scheduled repairs point to; free it with tsim__free after the run.
 */
void *tsim__fc_prepare(const struct tsim__fc_input *in, struct tsim_sim *sim, int rep);

/* The forecast fan's times (now, then 12 equal steps to the horizon) and quantiles over the
 * replications (type 7: linear between order statistics). */
#define TSIM__FC_FAN_POINTS 13
#define TSIM__FC_FAN_QUANTILES 5
extern const double tsim__fc_fan_q[TSIM__FC_FAN_QUANTILES];

struct tsim__fc_order {
    double completion_mean, completion_hw; /* over replications that completed it */
    double p_complete, p_on_time;
};

/* An outbound truck of a dock's records (blocks/dock.h) not gone at the forecast's start: over
 * the replications, how often it leaves full and on time (by its latest planned departure;
 * a truck without one is on time whenever it leaves), and when it leaves. */
struct tsim__fc_truck {
    int block, record;           /* its dock, and its record there */
    double p_full_on_time, p_full, p_on_time, p_left; /* p_left: gone by the horizon */
    double departure_mean, departure_hw; /* over replications where it left; -1: none did */
    double loaded_mean;                  /* pallets, over the same replications */
};

/* The most requests of one fleet a forecast names one by one (the oldest waiting first). */
#define TSIM__FC_REQUESTS_MAX 1000

/* A request in a fleet at the forecast's start (blocks/fleet.h), and its fate over the
 * replications: late when handed over later than the fleet's `deliver_within` after it came, or
 * not handed over by the horizon and past that time there. */
struct tsim__fc_request {
    uint64_t entity;             /* the entity's id */
    double since;                /* model time it came to the fleet */
    int from, to;                /* its pickup's block; its destination (known now, else the one
                                  * the most replications handed it to; -1: none) */
    char order[TSIM__TEV_STR];   /* the id of the plant's order it is of; "": none */
    double p_late, p_delivered;  /* p_delivered: handed over by the horizon */
    double delivery_mean, delivery_hw; /* over the replications that handed it over; -1: none */
};

/* A fleet with a delivery target: how many requests will be late by the horizon. */
struct tsim__fc_fleet {
    int block;
    double within;               /* `deliver_within`, model time */
    int open, overdue;           /* requests in the fleet now, and those already late now */
    struct tsim__fc_request *req; /* the first TSIM__FC_REQUESTS_MAX of the open ones */
    int nreq;
    struct tsim_summary late;    /* per replication: requests late by the horizon (see twin.md) */
};

/* A charger over the forecast window: will a vehicle wait for a point? */
struct tsim__fc_charger {
    int block;
    uint32_t points, queue_now;
    double p_queue;              /* share of replications in which a vehicle waited */
    struct tsim_summary queue;   /* per replication: the queue's time-weighted mean */
    struct tsim_summary queue_max; /* per replication: the longest queue */
    struct tsim_summary wait;    /* per replication with a point taken: the mean wait for it */
};

struct tsim__fc_result {
    uint64_t id;
    double now, horizon;
    int replications;
    double *output;              /* per replication: parts finished by the horizon */
    struct tsim_summary out;
    double p_plan;               /* P(output >= plan); -1 without a plan */
    struct tsim__fc_order *orders;
    int norders;
    int bottleneck;              /* block most often the most active machine; -1: none */
    double bottleneck_share;     /* share of replications where it was */
    double min_p_on_time;        /* -1 without open orders */
    struct tsim__fc_truck *trucks; /* outbound trucks still to leave, dock by dock */
    int ntrucks;
    struct tsim__fc_fleet *fleets; /* the fleets with `deliver_within`, in model order */
    int nfleets;
    struct tsim__fc_charger *chargers; /* every charger block, in model order */
    int nchargers;
    /* The fan: output (parts finished, as `output`) and work in process (entities in blocks
     * other than sinks) at TSIM__FC_FAN_POINTS times from now to the horizon, evenly spaced,
     * as the quantiles tsim__fc_fan_q of the replications: fan_output[q * points + k]. */
    double fan_t[TSIM__FC_FAN_POINTS];
    double *fan_output, *fan_wip;
    double wall_s;
    /* "" when every replication ran to the horizon; else the error that stopped the first
     * (lowest-numbered) one that did not: the forecast then has no figures. */
    char error[256];
};

/* A forecast's fleets and chargers (fcfleet.c): made from the input before the replications;
 * each replication calls _start on its clone before running it (the returned watch is the
 * clone's observer) and _end at the horizon, writing only its own slots; _finish fills the
 * result's fleets and chargers and frees the track. Release them with tsim__fc_fleets_release
 * (tsim__fc_result_release does). */
struct tsim__fc_track;
struct tsim__fc_track *tsim__fc_track_create(const struct tsim__fc_input *in);
void *tsim__fc_track_start(const struct tsim__fc_track *t, struct tsim_sim *sim, int rep);
void tsim__fc_track_end(struct tsim__fc_track *t, struct tsim_sim *sim, int rep, void *watch,
                        double horizon);
void tsim__fc_track_finish(struct tsim__fc_track *t, const struct tsim__fc_input *in,
                           struct tsim__fc_result *out);
void tsim__fc_fleets_release(struct tsim__fc_result *r);

/** Take the live state as a forecast input (clones the sim). Ownership: release with
 * tsim__fc_input_release. */
void tsim__fc_input_take(struct tsim__fc_input *in, const struct tsim__live *lv, uint64_t id);
void tsim__fc_input_release(struct tsim__fc_input *in);

/**
 * Run the forecast: replication i is clone(base), tsim_sim_reseed(seed, i), run to the horizon.
 * The result does not depend on the thread count. Ownership: release `out` with
 * tsim__fc_result_release.
 */
void tsim__fc_run(const struct tsim__fc_input *in, struct tsim__fc_result *out);
void tsim__fc_result_release(struct tsim__fc_result *r);

/** The forecast as one JSON object (no newline). Ownership: free with tsim__free. */
char *tsim__fc_json(const struct tsim__fc_input *in, const struct tsim__fc_result *r);

/* Alert state per rule, kept between forecasts so that an alert is raised once per crossing. */
struct tsim__alerts {
    int n;
    signed char *raised; /* -1: unknown, 0: clear, 1: raised */
};
void tsim__alerts_init(struct tsim__alerts *a, const struct tsim__map *map);
void tsim__alerts_release(struct tsim__alerts *a);
/**
 * Compare the forecast with each alert rule; for every rule that crossed its threshold (raised or
 * cleared) call `emit(ctx, json)` with a JSON object. Returns the number emitted.
 */
int tsim__alerts_check(struct tsim__alerts *a, const struct tsim__map *map,
                       const struct tsim__fc_result *r, void (*emit)(void *ctx, const char *json),
                       void *ctx);

/* ---------------------------------------------------------------------------------------------
 * SQLite recording: accepted messages and forecasts, so that a forecast can be replayed.
 * ------------------------------------------------------------------------------------------- */

struct tsim__store;

/** Open (creating the tables) the database at `path`; `sync_full`: every commit is on disk
 * before it returns (synchronous=FULL), else it survives a crash of the process but maybe not
 * a power cut. Returns NULL with a message in `err`. */
struct tsim__store *tsim__store_open(const char *path, int sync_full, char *err, size_t errlen);
/** Commit what is pending and close. */
void tsim__store_close(struct tsim__store *st);
/** Record an accepted message as number `seq` (never reused), in the open transaction (one is
 * begun if none is). Returns 0 or -1. */
int tsim__store_event(struct tsim__store *st, uint64_t seq, const char *topic,
                      const void *payload, size_t len);
/** Commit the open transaction, with `counters_json` (unless NULL) as the `counters` meta row in
 * it, so that a resumed twin's counters match its recorded messages. Returns 0 or -1. */
int tsim__store_commit(struct tsim__store *st, const char *counters_json);
/** Record a forecast (in the open transaction): the events it had absorbed, its seed and the
 * result and state JSON. */
int tsim__store_forecast(struct tsim__store *st, const struct tsim__fc_input *in,
                         const char *result_json, const char *state_json);

/** Record a key/value about the run (the live seed, the files): what a replay needs. In the
 * open transaction. */
int tsim__store_meta(struct tsim__store *st, const char *key, const char *value);
/** The meta value of `key` in an open store, or NULL. Ownership: free with tsim__free. */
char *tsim__store_meta_of(struct tsim__store *st, const char *key);
/** The meta value of `key` in the database at `path`, or NULL. Ownership: free with
 * tsim__free. */
char *tsim__store_get_meta(const char *path, const char *key);
/** The highest recorded message number and forecast id (0: none). */
uint64_t tsim__store_last_event(struct tsim__store *st);
uint64_t tsim__store_last_forecast(struct tsim__store *st);
/** Call `fn` for every recorded message with seq <= `upto`, in order, until it returns
 * nonzero. Returns 0, or -1 with a message in `err`. */
int tsim__store_each(struct tsim__store *st, uint64_t upto,
                     int (*fn)(void *ctx, const char *topic, const void *payload, size_t len),
                     void *ctx, char *err, size_t errlen);

/* Replay: call `fn` for every recorded message with seq <= `upto`, in order. */
int tsim__store_replay(const char *path, uint64_t upto,
                       void (*fn)(void *ctx, const char *topic, const void *payload, size_t len),
                       void *ctx, char *err, size_t errlen);
/* The stored forecast `id`: its events count, seed, and result JSON (caller frees). */
int tsim__store_get_forecast(const char *path, uint64_t id, uint64_t *events, uint64_t *seed,
                             char **result_json, char *err, size_t errlen);

/* ---------------------------------------------------------------------------------------------
 * MQTT.
 * ------------------------------------------------------------------------------------------- */


/* The longest wait between connection attempts, seconds. */
#define TSIM__MQTT_BACKOFF_MAX 30.0

/** The wait before attempt `attempt` + 1 after `attempt` failures in a row (0: the first retry):
 * 1, 2, 4, 8, 16 s, then TSIM__MQTT_BACKOFF_MAX, each scaled by 0.8 + 0.4 u (u in [0, 1]: the
 * jitter, uniform). */
double tsim__mqtt_backoff(unsigned attempt, double u);

struct tsim__mqtt;

enum tsim__mqtt_ev_kind {
    TSIM__MQ_CONNECTED,   /* the broker accepted a connection */
    TSIM__MQ_FAILED,      /* an attempt failed */
    TSIM__MQ_LOST         /* an established connection broke */
};

/* What happened to the connection, for the owner to report (the library prints nothing). */
struct tsim__mqtt_ev {
    enum tsim__mqtt_ev_kind kind;
    const char *text;     /* CONNECTED: the broker's address; else one line: what happened and
                           * the code that says why (the broker's CONNACK code, the TLS
                           * library's message or the system's errno) */
    int repeated;         /* FAILED, LOST: the same text as the problem before: said already */
    double retry_s;       /* FAILED, LOST: seconds until the next attempt */
    uint64_t n;           /* CONNECTED: connections so far; else failures in a row */
};

/* A received message, as the network thread hands it over; must only copy. */
typedef void tsim__mqtt_msg_fn(void *ctx, const char *topic, const void *payload, size_t len,
                               int qos);
/* Called on the network thread after a burst of messages and before their acknowledgements can
 * go out: return 0 once all of them are durable, nonzero to withhold the acknowledgements for
 * good (the connection then closes without them, and the broker delivers them again). */
typedef int tsim__mqtt_sync_fn(void *ctx);
typedef void tsim__mqtt_event_fn(void *ctx, const struct tsim__mqtt_ev *e);

struct tsim__mqtt_hooks {
    tsim__mqtt_msg_fn *on_msg;     /* NULL: a publisher */
    tsim__mqtt_sync_fn *on_sync;   /* NULL: acknowledge at once */
    tsim__mqtt_event_fn *on_event; /* NULL: nobody listens */
    void *ctx;
};

struct tsim__mqtt_stats {
    uint64_t connects;    /* connections the broker accepted */
    uint64_t reconnects;  /* connects after the first */
    uint64_t failures;    /* attempts that failed */
    double blind_s;       /* seconds without a connection since the start */
    int connected;
    char last_problem[512];
};

/**
 * Start the network thread: connect (in the background: failures are retried with
 * tsim__mqtt_backoff, each reported through h->on_event) and subscribe to `filters` after every
 * connect. Returns NULL with a message in `err` for bad options.
 */
struct tsim__mqtt *tsim__mqtt_start(const struct tsim_mqtt_opts *o,
                                    const struct tsim__mqtt_hooks *h, const char *const *filters,
                                    int nfilters, char *err, size_t errlen);
/** Publish (thread-safe). QoS 1 messages are queued while disconnected and sent on reconnect. */
int tsim__mqtt_publish(struct tsim__mqtt *c, const char *topic, const void *payload, size_t len,
                       int qos, int retain);
/** Messages published and not yet acknowledged by the broker (QoS 0: not yet written). */
int tsim__mqtt_pending(struct tsim__mqtt *c);
/** Wait while more than `max_pending` publishes are unacknowledged and the client is connected
 * (and `*interrupt`, unless NULL, is not set): a fast publisher's brake (libmosquitto's outgoing
 * queue costs time per queued message). */
void tsim__mqtt_throttle(struct tsim__mqtt *c, int max_pending,
                         const volatile sig_atomic_t *interrupt);
int tsim__mqtt_connected(struct tsim__mqtt *c);
uint64_t tsim__mqtt_reconnects(struct tsim__mqtt *c);
/** The connection's counters; all zero for NULL. */
void tsim__mqtt_stats(struct tsim__mqtt *c, struct tsim__mqtt_stats *s);
/** Stop and free: wait up to `drain_s` seconds (less once `*interrupt` is set) for pending
 * publishes, then say goodbye (status offline, DISCONNECT) unless acknowledgements were
 * withheld, in which case the socket is closed without a word. */
void tsim__mqtt_stop(struct tsim__mqtt *c, double drain_s, const volatile sig_atomic_t *interrupt);

/* A bounded queue of received messages from the network thread to the twin thread. When it is
 * full the network thread waits: the twin is then far behind and TCP flow control slows the
 * broker, which loses nothing; a forecast never holds the twin thread, so this wait is never
 * caused by one. Beside the messages it counts how many were pushed and how many the consumer
 * has declared done (durable), which is the gate of tsim__mqtt_sync_fn. */
struct tsim__msgq;
/* Payload bytes a queue holds at most (besides its message count): 256 MiB. */
#define TSIM__MSGQ_BYTES ((size_t)256 * 1024 * 1024)
struct tsim__msg {
    char *topic;
    void *payload;
    size_t len;
};
struct tsim__msgq *tsim__msgq_create(size_t cap);
void tsim__msgq_destroy(struct tsim__msgq *q);
/** Push a copy (dropped once the queue is abandoned: nobody would read it). */
void tsim__msgq_push(struct tsim__msgq *q, const char *topic, const void *payload, size_t len);
/** Pop into `*m` (caller frees m->topic and m->payload with tsim__free), waiting up to
 * `timeout_s`. Returns 1, or 0 on timeout. */
int tsim__msgq_pop(struct tsim__msgq *q, struct tsim__msg *m, double timeout_s);
/** Messages pushed so far. */
uint64_t tsim__msgq_pushed(struct tsim__msgq *q);
/** The consumer: the first `done` messages ever pushed are handled and durable. */
void tsim__msgq_done(struct tsim__msgq *q, uint64_t done);
/** Wait until the first `mark` messages are done: 0, or -1 once the queue is abandoned. */
int tsim__msgq_wait_done(struct tsim__msgq *q, uint64_t mark);
/** The consumer stops for good: waits end with -1, pushes are dropped. */
void tsim__msgq_abandon(struct tsim__msgq *q);
/** 1 if every message pushed is done. */
int tsim__msgq_settled(struct tsim__msgq *q);

/* ---------------------------------------------------------------------------------------------
 * The twin and the emulator, as the commands run them.
 * ------------------------------------------------------------------------------------------- */



/**
 * Replay forecast `id` recorded in `db`: feed its recorded messages to a fresh live twin (with the
 * recorded live seed and origin), forecast with the recorded seed and replications, write the JSON
 * to `out` and compare it with the recorded one (wall time aside). Returns 0 when they are equal,
 * 1 otherwise, with the reason in `err`.
 */
int tsim__twin_replay(struct tsim_model *m, struct tsim__map *map, const char *db, uint64_t id,
                      FILE *out, char *err, size_t errlen);

/** Run the twin until `*stop`, `until` or idle exit. With `db` it continues the recording found
 * there (replaying it first) or refuses it (another model, mapping, seed or origin). Returns 0,
 * or 1 when it could not run (model, recording) or never connected before an idle exit. */
int tsim__twin_main(struct tsim_model *m, const struct tsim__map *map,
                    const struct tsim_twin_opts *o);


/* A batch payload being built from event objects, as a gateway would send them: a JSON array
 * whose first item's topic is the message's, later items naming their own topic
 * (TSIM__BATCH_TOPIC) where it differs. */
struct tsim__batch {
    struct tsim__sb text; /* "[" and the items so far, comma separated */
    size_t first_len;     /* length of the first item's text */
    char topic[512];      /* the message's topic: the first item's */
    int n;
};
void tsim__batch_init(struct tsim__batch *b);
void tsim__batch_release(struct tsim__batch *b);
/**
 * Append event object `json` (published alone on `topic`). Returns 0, or -1 without appending
 * when the batch holds items and the payload would then exceed `max_bytes`: send it first.
 */
int tsim__batch_add(struct tsim__batch *b, const char *topic, const char *json, size_t max_bytes);
/**
 * The payload to send (NUL-terminated, `*len` bytes): the lone item itself when there is one
 * (a batch of one is the plain message), else the array. Valid until the next add or clear.
 */
const char *tsim__batch_payload(struct tsim__batch *b, size_t *len);
void tsim__batch_clear(struct tsim__batch *b);

/** Run the emulator to `until`, publishing plant messages. Returns 0 when every message was
 * acknowledged by the broker, 1 otherwise (never connected, or messages left unacknowledged). */
int tsim__emu_main(const struct tsim_model *m, const struct tsim__map *map,
                   const struct tsim_emulate_opts *o);

/* The emulator's message composer, separated for tests: turn an observation into messages as
 * the mapping expects a plant to send them, each handed to `emit`. */
struct tsim__emu {
    const struct tsim__map *map;
    double origin;
    double unit_s;
    uint64_t seq;
    signed char *last_word;      /* per machine server, -1 before the first report */
    int *srv_off;
    void (*emit)(void *ctx, const char *topic, const char *json);
    void *ctx;
    uint64_t *entered;           /* per block, for checkpoints */
    uint64_t published;
    const struct tsim_sim *sim;  /* the sim it plays (for the vehicles' nodes) */
};
/* Publish vehicle `vehicle` of the `vda5050:` fleet as a VDA 5050 `state` message at model time
 * `t` (nothing for a vehicle the section does not map). */
void tsim__vda_emit(struct tsim__emu *e, double t, int vehicle);
void tsim__emu_init(struct tsim__emu *e, const struct tsim__map *map, const struct tsim_sim *sim,
                    double origin,
                    void (*emit)(void *ctx, const char *topic, const char *json), void *ctx);
void tsim__emu_release(struct tsim__emu *e);
/** Publish the whole current state of `sim` (every server's state, every buffer level). */
void tsim__emu_snapshot(struct tsim__emu *e, const struct tsim_sim *sim);
/** The observer: publish what `o` means for the plant. */
void tsim__emu_observe(void *ctx, const struct tsim_obs *o);
/** Publish a heartbeat at model time `t`. */
void tsim__emu_heartbeat(struct tsim__emu *e, double t);

#endif
