/*
 * Stations: the servers of a machine or an assembly, with everything that can happen to one:
 * setup on product change, processing, operators seized for setup/process/repair, failures with
 * preempt-resume on an operating or a calendar clock, shifts (work pauses off shift), scrap, and
 * blocking after service. machine.c and assembly.c are thin layers over this; it is not a block of
 * its own.
 *
 * Invariants: a server holds at most one entity; its running phase (setup or process) has exactly
 * one pending end event while the server is available (not down, not off shift) and holds the
 * operators the phase needs, none while paused, and `remaining` then holds the ticks left. Work
 * that pauses (a failure, the end of the machine's shift, the plant forcing it down) releases the
 * operators it held or withdraws its request for them, and asks again when it resumes: so a server
 * has at most one request in a pool's queue (for its work or for its repair crew, never both), and
 * interrupted work never holds the operator its own repair waits for. The failure process of a
 * server has at most one pending event (the failure or the repair end), none while its clock is
 * frozen (operating basis, off shift: `fail_left` holds the ticks left). State shares are
 * accounted at every change of the effective state (off shift > down > phase).
 */
#ifndef TSIM_BLOCKS_STATION_H
#define TSIM_BLOCKS_STATION_H

#include "blocks/sim.h"

enum { TSIM__PH_IDLE, TSIM__PH_SETUP, TSIM__PH_BUSY, TSIM__PH_BLOCKED, TSIM__PH_WAIT };

struct tsim__server {
    uint32_t ent;
    uint8_t phase, down, off, forced;
    uint8_t wait_purpose; /* TSIM_NEED_* being waited for (phase WAIT) */
    uint8_t resuming;     /* the WAIT resumes a paused phase: `remaining` is already drawn */
    uint8_t ops_held;     /* operators held for setup/process */
    uint8_t ops_wait;     /* a request for them is in the pool's queue */
    uint8_t crew_held;    /* operators held for repair */
    uint8_t crew_wait;    /* a request for the repair crew is in the pool's queue */
    uint8_t repairing;    /* down by failure: repair running, waiting for its crew, or frozen */
    uint8_t fail_frozen;  /* the failure clock is stopped (operating basis, off shift) */
    uint8_t state;        /* accounted state (enum tsim_state) */
    uint8_t stalled;      /* counted in sim->stalled */
    int32_t last_product; /* a machine of routing sheets (desc `sheet`): its last family */
    int32_t prev_family;  /* such a machine in setup: the family it changes over from */
    int64_t remaining, finish, since;
    int64_t fail_at;      /* when the pending failure or repair end comes */
    int64_t fail_left;    /* fail_frozen: ticks of it left */
    uint64_t ev, fail_ev;
    int64_t acc[TSIM_STATE_COUNT];
};

struct tsim__station {
    struct tsim__bhdr h;
    uint32_t n;
    uint32_t assembly;        /* an assembly's station: a free server first tries the next set */
    uint32_t blk_head, blk_n; /* ring of blocked servers, in the order they blocked */
    uint32_t blk_off;         /* arena offset of uint32_t[n] */
    uint64_t scrapped, good, dropped;
    /* The one block it sends to when that is a sink (a route of one target, no rule): a
     * completion is then counted there inline (sink.h); -1 otherwise. */
    int32_t sink;
    uint32_t ring; /* a machine on a ring the loader warned of (desc ring): tsim__ring_check */
    struct tsim__server srv[];
};

size_t tsim__station_size(int servers);
/* Calendar slots of a station of `servers` servers: one per server for its phase's end, and one
 * more for its failure or repair when the block has failures. */
uint32_t tsim__station_slots(const struct tsim__block_desc *d, int servers);
void tsim__station_init(struct tsim_sim *sim, uint32_t b, int servers, size_t state_bytes);
/* Ticks of busy time per server since the statistics began (utilization x window). */
double tsim__station_busy(const struct tsim_sim *sim, uint32_t b);
/* For the route rule earliest_free (flow.c): ticks from now until one of the servers would be
 * free for new work when `queued` more ticks of work wait for them, min over servers of the work
 * each has left + queued / servers. A server's work left: none when idle or blocked; what is
 * left of its processing (paused work's too); a setup's rest plus its part's mean processing
 * time; the mean processing time when waiting for operators. Failures and shifts ahead are not
 * foreseen. */
double tsim__station_free_after(const struct tsim_sim *sim, uint32_t b, double queued);
/* Mean processing time in ticks of product `product` at machine or assembly `b` (0: none). */
double tsim__station_mean_ticks(const struct tsim_sim *sim, uint32_t b, int product);
/* The work waiting in buffer `b` for machine `m`: the sum of its entities' mean processing
 * times there, in ticks (buffer.c). */
double tsim__buffer_work(const struct tsim_sim *sim, uint32_t b, uint32_t m);
/* Tests only: while set, buffers made from then on keep no index of their queue (buffer.c) and
 * choose by the scan of their rule and the walk of their discipline, as the index's reference
 * (tests/unit/test_seq_index.c). */
extern int tsim__buffer_no_index;
/* The first entity of buffer `b`'s queue, TSIM__NIL when empty (the environment reads the queue
 * of a buffer that asks it, src/logic/fenv.c). */
uint32_t tsim__buffer_head(const struct tsim_sim *sim, uint32_t b);
/* Machine `m` has a free server and buffer `b` is the one block waiting on it: `b` sends its
 * head directly (buffer.c); 0 where the general wake must run instead. */
int tsim__buffer_feed(struct tsim_sim *sim, uint32_t b, uint32_t m);
/* The same for a machine `m` of one server, free, whose start the caller makes: buffer `b`'s
 * head, which has left `b` (counted out, its wait noted, `*empty` set when `b` is empty now), for
 * the caller to count in and start; TSIM__NIL, having done nothing, where the general wake must
 * run (as tsim__buffer_feed's 0, and also when `b` is empty). The caller then takes `b` off its
 * waiters when `*empty`, and wakes `b`'s own waiters with `b` as its `waking`. */
uint32_t tsim__buffer_take(struct tsim_sim *sim, uint32_t b, uint32_t m, int *empty);
/* An available idle server (up, on shift), or -1. */
int tsim__station_free_server(const struct tsim_sim *sim, uint32_t b);
/* Start entity `e` (already counted in) on server `s`. */
void tsim__station_start(struct tsim_sim *sim, uint32_t b, int s, uint32_t e);
/* A machine's offer: start `e` on an available idle server; else refuse it, or drop it if the
 * machine drops what it cannot take. */
int tsim__station_offer(struct tsim_sim *sim, uint32_t b, uint32_t e);
void tsim__station_event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg);
void tsim__station_pull(struct tsim_sim *sim, uint32_t b);
/* A machine whose every server holds a finished entity that was refused is stuck on the block
 * the first of them (the next it sends) waits for (ring.c); else TSIM__NIL. A server down in the
 * middle of its work is not blocked: its repair will move it. */
uint32_t tsim__station_stuck_on(const struct tsim_sim *sim, uint32_t b);
void tsim__station_granted(struct tsim_sim *sim, uint32_t b, uint32_t s, uint32_t purpose);
void tsim__station_shift(struct tsim_sim *sim, uint32_t b, int on);
int tsim__station_force_down(struct tsim_sim *sim, uint32_t b, int s, int down);
int tsim__station_state(const struct tsim_sim *sim, uint32_t b, int s);
void tsim__station_restart(struct tsim_sim *sim, uint32_t b);
void tsim__station_report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r);

/* Called by the station when a server became free (idle and available) outside an offer:
 * machine wakes its upstream; assembly first tries to start the next set. */
void tsim__assembly_server_free(struct tsim_sim *sim, uint32_t b);

/* The keys and the check machines and assemblies share (their descriptors, registry.h). */
int tsim__station_set_process(struct tsim_model *m, int b, const struct tsim__value *v);
int tsim__station_set_shift(struct tsim_model *m, int b, const struct tsim__value *v);
int tsim__station_check(const struct tsim_model *m, const struct tsim__block_desc *b);
#define TSIM__STATION_PROCESS                                                                  \
    {"process", TSIM__KEY_DIST, TSIM__KEY_REQUIRED | TSIM__KEY_BY_PRODUCT, .dflt = "required", \
     .help = "processing time, or one per product {PRODUCT: distribution, ...}",             \
     .set = tsim__station_set_process}
#define TSIM__STATION_FAILURES \
    {"failures", TSIM__KEY_FORM, 0, .dflt = "no failures", .help = "{between: ..., repair: ...}"}
#define TSIM__STATION_NEEDS \
    {"needs", TSIM__KEY_FORM, 0, .dflt = "no operators", .help = "{POOL: count, for: WORK}"}
#define TSIM__STATION_SHIFT                                                                    \
    {"shift", TSIM__KEY_SHIFT, 0, .dflt = "always",                                           \
     .help = "a shift name: it works only during that shift's periods",                      \
     .set = tsim__station_set_shift}
#define TSIM__STATION_KPIS                                                                     \
    "entered", "left", "throughput", "content", "utilization", "states.busy", "states.idle",  \
        "states.blocked", "states.down", "states.setup", "states.off_shift", "states.waiting"
/* The vtable entries that machines and assemblies take from the station as they are; each type
 * gives its own state_size, slots, init and offer. */
#define TSIM__STATION_VT                                                                       \
    .pull = tsim__station_pull, .event = tsim__station_event, .restart = tsim__station_restart, \
    .report = tsim__station_report, .granted = tsim__station_granted,                         \
    .shift = tsim__station_shift, .force_down = tsim__station_force_down,                     \
    .state = tsim__station_state

#endif
