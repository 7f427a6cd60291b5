/*
 * Source: creates entities by an interarrival distribution (batch per arrival, up to a limit)
 * and/or a population at time 0 for closed loops; picks each entity's product from the mix.
 * An entity enters the system when it leaves the source: time spent blocked in the source is not
 * lead time (the serial-line convention of REFERENCE.md: flow time starts on the first machine).
 * When the next block refuses, the source holds what it created and stops creating until all of
 * it has left (blocked_time measures that share of time).
 *
 * A source with a release (CONWIP) is an order-release point instead: what it creates joins its
 * backlog (the held list), arrivals go on whatever happens downstream, and the head of the
 * backlog is offered only while fewer than `release_wip` entities it released still count (carry
 * its card: in the system, inside the release's set of blocks). Invariants: `cards` is the
 * number of entities whose `card` names this source; `backlog` the length of the held list; a
 * release event is pending exactly while `release_pending` is set. A card comes back inside
 * some other block's hand-over, so the release it allows runs as an event of its own at the same
 * instant: re-entering the blocks of that hand-over is never needed.
 */
#include "blocks/buffer.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>

enum { EV_ARRIVE, EV_RELEASE };
enum { K_INTERARRIVAL, K_PRODUCT, K_LIMIT, K_BATCH, K_POPULATION, K_DUE, K_RELEASE }; /* `keys` */

struct source {
    struct tsim__bhdr h;
    uint64_t created;       /* all time, for the limit */
    uint64_t created_stat;  /* since the statistics restart */
    uint32_t held_head, held_tail; /* created, not yet accepted downstream */
    /* The one block it sends to when that is a buffer (a route of one target, no rule): an
     * arrival joins its queue inline (buffer.h); -1 otherwise. */
    int32_t buffer;
    int blocked;
    int64_t blocked_since, blocked_ticks;
    int64_t zero_t;  /* the instant of the last arrival that followed the one before in 0 ticks */
    uint64_t zero_n; /* such arrivals at that instant */
    /* release (CONWIP) only */
    uint64_t cards, backlog;
    int release_pending;
    struct tsim__area backlog_level, wip_level;
    struct tsim__sum delay; /* from creation to release */
};

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct source);
}

static __attribute__((noinline)) int pick_mixed(struct tsim_sim *sim, struct source *s,
                                                const struct tsim__block_desc *d)
{
    if (d->mix_n == 1) return d->mix_product[0];
    double u = tsim__draw_u(sim, &s->h.rng[TSIM__RNG_AUX]);
    int i = 0;
    while (i < d->mix_n - 1 && u > d->mix_cum[i]) i++;
    return d->mix_product[i];
}

/* The product of the next entity: inline for a source of one product, where the call would
 * cost more than the test. */
static inline int pick_product(struct tsim_sim *sim, struct source *s,
                               const struct tsim__block_desc *d)
{
    return d->mix_n == 0 ? 0 : pick_mixed(sim, s, d);
}

static int limit_reached(const struct source *s, const struct tsim__block_desc *d)
{
    return d->limit && s->created >= d->limit;
}

static void hold(struct tsim_sim *sim, struct source *s, uint32_t e)
{
    sim->ents[e].next = TSIM__NIL;
    if (s->held_head == TSIM__NIL) s->held_head = e;
    else sim->ents[s->held_tail].next = e;
    s->held_tail = e;
}

TSIM__HOT uint32_t create(struct tsim_sim *sim, struct source *s,
                          const struct tsim__block_desc *d)
{
    uint32_t e = tsim__entity_new(sim, pick_product(sim, s, d));
    if (__builtin_expect(sim->nattrs != 0, 0)) tsim__attrs_start(sim, s->h.index, e);
    if (d->has_due)
        sim->ents[e].due = sim->now + tsim__draw(sim, &d->due, &s->h.rng[TSIM__RNG_AUX]);
    s->created++;
    s->created_stat++;
    if (__builtin_expect(d->release_wip != 0, 0))
        tsim__area_in(&s->backlog_level, sim->now, ++s->backlog);
    return e;
}

/* Offer `e` downstream; it enters the system before the offer (a sink or a dropping buffer may
 * dispose of it inside the offer), and a refusal takes that back at the same instant. */
TSIM__HOT int offer_one(struct tsim_sim *sim, uint32_t b, struct source *s, uint32_t e)
{
    tsim__entity_enter_system(sim, e);
    /* What the observer is told is taken before the offer: the receiver may consume `e` and give
     * its slot to another entity before the send returns. */
    int watched = sim->obs != NULL;
    uint64_t id = watched ? sim->ents[e].id : 0;
    int product = watched ? sim->ents[e].product : 0;
    /* To a buffer of its own, its usual arrival inline: what tsim__send does for it (no
     * destination chosen before, the buffer's offer), with no call. */
    int joined = s->buffer >= 0 && sim->ents[e].dest < 0 &&
                 tsim__buffer_join(sim, (uint32_t)s->buffer, e);
    if (!joined && !tsim__send(sim, b, e)) {
        sim->live_ents--;
        sim->created--;
        tsim__area_out(&sim->wip, sim->now);
        return 0;
    }
    s->h.entered++;
    s->h.left++;
    if (watched && sim->obs) tsim__note_observe_seen(sim, TSIM_OBS_LEAVE, b, id, product);
    return 1;
}

/* Offer the held entities in order. Returns 1 when none is left. */
static int flush(struct tsim_sim *sim, uint32_t b, struct source *s)
{
    while (s->held_head != TSIM__NIL) {
        uint32_t e = s->held_head;
        uint32_t next = sim->ents[e].next;
        if (!offer_one(sim, b, s, e)) return 0;
        s->held_head = next;
    }
    return 1;
}

static void set_blocked(struct tsim_sim *sim, struct source *s, int blocked)
{
    if (blocked == s->blocked) return;
    if (blocked) s->blocked_since = sim->now;
    else s->blocked_ticks += sim->now - s->blocked_since;
    s->blocked = blocked;
}

static int zero_arrival(struct tsim_sim *sim, uint32_t b, struct source *s);

/* Release from the backlog, in the order made, while cards are left; stops at a refusal (the
 * source then waits on that block, as when it is blocked). An entity's card is given before its
 * offer: a receiver that disposes of it at once (a sink, a dropping buffer) gives it back inside
 * the offer. An entity's `t_in` holds its creation time until it is released. */
static void release(struct tsim_sim *sim, uint32_t b, struct source *s,
                    const struct tsim__block_desc *d)
{
    while (s->held_head != TSIM__NIL && s->cards < (uint64_t)d->release_wip) {
        uint32_t e = s->held_head;
        struct tsim__entity *en = &sim->ents[e];
        uint32_t next = en->next;
        int64_t made = en->t_in;
        en->card = b + 1;
        s->cards++;
        tsim__area_in(&s->wip_level, sim->now, s->cards);
        if (!offer_one(sim, b, s, e)) {
            sim->ents[e].card = 0;
            s->cards--;
            tsim__area_out(&s->wip_level, sim->now);
            set_blocked(sim, s, 1);
            return;
        }
        s->held_head = next;
        s->backlog--;
        tsim__area_out(&s->backlog_level, sim->now);
        tsim__sum_add(&s->delay, sim->now - made);
    }
    set_blocked(sim, s, 0);
}

/* Entity `e` gives its card back to its source, which releases what its backlog holds at an
 * event of this instant. */
static void card_back(struct tsim_sim *sim, uint32_t e)
{
    uint32_t b = sim->ents[e].card - 1;
    struct source *s = tsim__state(sim, b);
    sim->ents[e].card = 0;
    s->cards--;
    tsim__area_out(&s->wip_level, sim->now);
    if (s->held_head != TSIM__NIL && !s->release_pending) {
        s->release_pending = 1;
        tsim__schedule(sim, sim->now, b, EV_RELEASE, 0);
    }
}

void tsim__card_leave(struct tsim_sim *sim, uint32_t e) { card_back(sim, e); }

void tsim__card_enter(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    const unsigned char *over = sim->blocks[sim->ents[e].card - 1].release_over;
    if (over && !over[b]) card_back(sim, e);
}

/* The end of one round of arrivals, in both loops below: 1 when the loop stops (the limit is
 * reached, the next arrival is scheduled, or the sim stops on too many arrivals at one instant),
 * 0 when the next arrival comes now. */
TSIM__HOT int next_arrival(struct tsim_sim *sim, uint32_t b, struct source *s,
                           const struct tsim__block_desc *d)
{
    if (limit_reached(s, d)) return 1;
    int64_t ia = tsim__draw(sim, &d->interarrival, &s->h.rng[TSIM__RNG_MAIN]);
    if (ia > 0) {
        tsim__schedule_slot(sim, s->h.slot, sim->now + ia, b, EV_ARRIVE, 0);
        return 1;
    }
    return zero_arrival(sim, b, s);
}

/* A release source's arrivals: made into the backlog whatever happens downstream. */
static __attribute__((noinline)) void arrive_backlog(struct tsim_sim *sim, uint32_t b,
                                                     struct source *s,
                                                     const struct tsim__block_desc *d)
{
    for (;;) {
        for (int i = 0; i < d->batch && !limit_reached(s, d); i++) hold(sim, s, create(sim, s, d));
        release(sim, b, s, d);
        if (next_arrival(sim, b, s, d)) return;
    }
}

/* Another arrival 0 ticks after the last one. Such arrivals come without an event, so they
 * count against the limit of events at one instant (sim.c) here: without a `limit`, draws that
 * all round to 0 ticks would otherwise loop in arrive for ever. Returns 1 when the sim stops.
 * Kept in the state and out of line, so that the usual arrival pays nothing for it. */
static __attribute__((noinline)) int zero_arrival(struct tsim_sim *sim, uint32_t b,
                                                  struct source *s)
{
    if (s->zero_t != sim->now) {
        s->zero_t = sim->now;
        s->zero_n = 0;
    }
    /* The limit of the last checkpoint first (0 once the sim has failed, too many entities
     * say); the entities in the system since may have raised it. */
    ++s->zero_n;
    if (s->zero_n <= sim->instant_limit || s->zero_n <= tsim__instant_limit(sim)) return 0;
    tsim__zero_arrivals(sim, b, s->zero_n);
    return 1;
}

/* Create arrivals until the source blocks, reaches its limit, or the next arrival lies ahead.
 * Zero interarrival times are handled here without an event each: a source that always has
 * material creates the next entity as soon as the last one was taken. Inline into the event,
 * where every arrival comes. */
TSIM__HOT void arrive(struct tsim_sim *sim, uint32_t b, struct source *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (__builtin_expect(d->release_wip != 0, 0)) {
        arrive_backlog(sim, b, s, d);
        return;
    }
    for (;;) {
        if (d->batch == 1 && s->held_head == TSIM__NIL && !limit_reached(s, d)) {
            /* One entity and nothing held: a flush without the list. */
            uint32_t e = create(sim, s, d);
            if (!offer_one(sim, b, s, e)) {
                hold(sim, s, e);
                set_blocked(sim, s, 1);
                return;
            }
        } else {
            for (int i = 0; i < d->batch && !limit_reached(s, d); i++)
                hold(sim, s, create(sim, s, d));
            if (!flush(sim, b, s)) {
                set_blocked(sim, s, 1);
                return;
            }
        }
        if (next_arrival(sim, b, s, d)) return;
    }
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct source *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->held_head = s->held_tail = TSIM__NIL;
    s->zero_t = -1;
    s->buffer = !d->route.slow && d->route.n >= 1 && sim->blocks[d->route.to[0]].type == TSIM_BUFFER
                    ? d->route.to[0]
                    : -1;
}

/* The population is sent only once every block is initialised (sim.c calls start after init). A
 * population that blocks the source holds back the first arrival as any held entity does: pull
 * draws it when the last has left. */
static void start(struct tsim_sim *sim, uint32_t b)
{
    struct source *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    for (int i = 0; i < d->population; i++) hold(sim, s, create(sim, s, d));
    if (d->release_wip) {
        /* Arrivals go on while the backlog waits. */
        release(sim, b, s, d);
    } else if (d->population && !flush(sim, b, s)) {
        set_blocked(sim, s, 1);
        return;
    }
    if (d->has_interarrival && !limit_reached(s, d)) {
        int64_t ia = tsim__draw(sim, &d->interarrival, &s->h.rng[TSIM__RNG_MAIN]);
        tsim__schedule_slot(sim, s->h.slot, ia, b, EV_ARRIVE, 0);
    }
}

/* An arrival is pending only while the source is not blocked: arrive schedules the next one only
 * when all it made has left, and pull when the last held entity has. */
static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct source *s = tsim__state(sim, b);
    if (kind == EV_RELEASE) {
        s->release_pending = 0;
        release(sim, b, s, tsim__desc(sim, b));
        return;
    }
    arrive(sim, b, s);
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct source *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (d->release_wip) {
        release(sim, b, s, d);
        return;
    }
    if (!flush(sim, b, s)) return;
    set_blocked(sim, s, 0);
    if (!d->has_interarrival || limit_reached(s, d)) return;
    int64_t ia = tsim__draw(sim, &d->interarrival, &s->h.rng[TSIM__RNG_MAIN]);
    if (ia > 0) tsim__schedule_slot(sim, s->h.slot, sim->now + ia, b, EV_ARRIVE, 0);
    else arrive(sim, b, s);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct source *s = tsim__state(sim, b);
    s->created_stat = 0;
    s->blocked_ticks = 0;
    if (s->blocked) s->blocked_since = sim->now;
    tsim__area_restart(&s->backlog_level, sim->now, s->backlog);
    tsim__area_restart(&s->wip_level, sim->now, s->cards);
    s->delay = (struct tsim__sum){0, 0};
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct source *s = tsim__state(sim, b);
    int64_t blocked = s->blocked_ticks + (s->blocked ? sim->now - s->blocked_since : 0);
    int64_t window = sim->now - sim->stats_start;
    tsim_result_add(r, (int)b, "created", (double)s->created_stat);
    tsim__hdr_report(sim, b, r, 0);
    tsim_result_add(r, (int)b, "blocked_time", window > 0 ? (double)blocked / (double)window : 0);
    if (tsim__desc(sim, b)->release_wip) {
        tsim_result_add(r, (int)b, "backlog", tsim__area_mean(&s->backlog_level, sim->now, s->backlog));
        tsim_result_add(r, (int)b, "release_delay", tsim__sum_mean(sim, &s->delay));
        tsim_result_add(r, (int)b, "wip", tsim__area_mean(&s->wip_level, sim->now, s->cards));
    }
}

/* The next arrival: one pending at a time. */
static uint32_t slots(const struct tsim__block_desc *d) { return d->has_interarrival ? 1 : 0; }

static const struct tsim__block_vt source_vt = {
    .state_size = state_size,
    .slots = slots,
    .init = init,
    .start = start,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = report,
};

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_source_set_interarrival(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    return tsim__block_set_time(m, block, TSIM__T(TSIM_SOURCE), __func__, "interarrival", d,
                                TSIM__AT(interarrival), TSIM__AT(has_interarrival));
}

int tsim_source_set_mix(struct tsim_model *m, int block, const int *product, const double *prob,
                        int n)
{
    int rc;
    /* a picking block draws its lines' products from a mix too, and a dock its pallets' */
    int picking = tsim_block_type_find("picking"), dock = tsim_block_type_find("dock");
    struct tsim__block_desc *b = tsim__block_get(
        m, block,
        TSIM__T(TSIM_SOURCE) | (picking >= 0 ? TSIM__T(picking) : 0u) |
            (dock >= 0 ? TSIM__T(dock) : 0u),
        __func__, "product", &rc);
    if (!b) return rc;
    if (n < 1) return tsim__fail(TSIM_EINVAL, __func__, "empty product mix for '%s'", b->name);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (product[i] < 0 || product[i] >= m->nproducts)
            return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product[i]);
        if (!(prob[i] >= 0)) return tsim__fail(TSIM_ERANGE, __func__, "negative probability");
        sum += prob[i];
    }
    if (fabs(sum - 1) > 1e-9)
        return tsim__fail(TSIM_EINVAL, __func__, "product probabilities of '%s' sum to %g, not 1",
                          b->name, sum);
    tsim__free(b->mix_product);
    tsim__free(b->mix_cum);
    b->mix_product = tsim__malloc((size_t)n * sizeof(int));
    b->mix_cum = tsim__malloc((size_t)n * sizeof(double));
    double c = 0;
    for (int i = 0; i < n; i++) {
        b->mix_product[i] = product[i];
        c += prob[i];
        b->mix_cum[i] = c;
    }
    b->mix_cum[n - 1] = 1.0;
    b->mix_n = n;
    return 0;
}

int tsim_source_set_limit(struct tsim_model *m, int block, uint64_t limit)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_SOURCE), __func__, "limit", &rc);
    if (!b) return rc;
    b->limit = limit;
    return 0;
}

int tsim_source_set_batch(struct tsim_model *m, int block, int batch)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get_whole(m, block, TSIM__T(TSIM_SOURCE), __func__, "batch", batch, 1, INT_MAX,
                              TSIM_ERANGE, "batch of '%s' must be >= 1", &rc);
    if (!b) return rc;
    b->batch = batch;
    return 0;
}

int tsim_source_set_population(struct tsim_model *m, int block, int population)
{
    int rc;
    struct tsim__block_desc *b = tsim__block_get_whole(m, block, TSIM__T(TSIM_SOURCE), __func__,
                                                       "population", population, 0, INT_MAX,
                                                       TSIM_ERANGE,
                                                       "population of '%s' must be >= 0", &rc);
    if (!b) return rc;
    b->population = population;
    return 0;
}

int tsim_source_set_due(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    return tsim__block_set_time(m, block, TSIM__T(TSIM_SOURCE), __func__, "due", d,
                                TSIM__AT(due), TSIM__AT(has_due));
}

int tsim_source_set_release(struct tsim_model *m, int block, int wip, const int *over, int n)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_SOURCE), __func__, "release", &rc);
    if (!b) return rc;
    if (wip < 1)
        return tsim__fail(TSIM_ERANGE, __func__, "'wip' of the release of '%s' must be >= 1, not %d",
                          b->name, wip);
    if (over && n < 0) return tsim__fail(TSIM_EINVAL, __func__, "negative count of blocks");
    if (!over) n = 0;
    for (int i = 0; i < n; i++)
        if (over[i] < 0 || over[i] >= m->nblocks)
            return tsim__fail(TSIM_ENOENT, __func__, "no block %d", over[i]);
    /* `over` may be the list this block holds now (a new limit over the same set). */
    int *list = NULL;
    if (over && n > 0) {
        list = tsim__malloc((size_t)n * sizeof(int));
        for (int i = 0; i < n; i++) list[i] = over[i];
    }
    tsim__free(b->release_list);
    b->release_list = list;
    b->release_n = over ? n : -1;
    b->release_wip = wip;
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

static int set_interarrival(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_source_set_interarrival(m, b, v->d);
}

static int set_product(struct tsim_model *m, int b, const struct tsim__value *v)
{
    int p = (int)v->i;
    double one = 1.0;
    return tsim_source_set_mix(m, b, &p, &one, 1);
}

static int set_limit(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_source_set_limit(m, b, (uint64_t)v->i);
}

static int set_batch(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_source_set_batch(m, b, (int)v->i);
}

static int set_population(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_source_set_population(m, b, (int)v->i);
}

static int set_due(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_source_set_due(m, b, v->d);
}

/* A check's error, reported at key `k` of the source when the file gives it (else at the
 * block). */
#define fail_at(k, ...)                                                                            \
    (tsim__model_blame_key(m, b->index, (k)), tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__))

static int check(const struct tsim_model *m, const struct tsim__block_desc *b)
{
    /* Neither given is the loader's error; `population: 0` written is the key to mend. */
    if (!b->has_interarrival && b->population == 0)
        return fail_at(K_POPULATION, "source '%s' has neither interarrival nor population",
                       b->name);
    if (b->has_interarrival && b->limit == 0 && tsim_dist_mean(&b->interarrival) <= 0)
        return fail_at(K_INTERARRIVAL, "source '%s' has interarrival 0 and no limit: it would "
                       "never end", b->name);
    /* A released entity that entered a block outside the set would give its card back at once,
     * and the release would never stop. */
    for (int i = 0; b->release_over && i < b->route.n; i++)
        if (!b->release_over[b->route.to[i]])
            return fail_at(K_RELEASE, "the release of source '%s' counts the WIP of blocks that "
                           "leave out '%s', where it sends entities (add it to 'over')", b->name,
                           m->blocks[b->route.to[i]].name);
    return 0;
}

/* Arrivals without a limit never stop; a population alone is a closed loop, which ends when its
 * entities reach a sink (the lint follows those itself). */
static int endless(const struct tsim__block_desc *b, double *rate, char *why, size_t size)
{
    if (!b->has_interarrival || b->limit != 0) return 0;
    double ia = tsim_dist_mean(&b->interarrival);
    *rate = ia > 0 ? (double)b->batch / ia : 0;
    snprintf(why, size, "source '%s' has no 'limit'", b->name);
    return 1;
}

static const struct tsim__key keys[] = {
    [K_INTERARRIVAL] = {"interarrival", TSIM__KEY_DIST, TSIM__KEY_ONE_OF, .dflt = "none",
                        .help = "time between arrivals; the first arrival comes one interarrival "
                                "time after time 0",
                        .set = set_interarrival},
    [K_PRODUCT] = {"product", TSIM__KEY_PRODUCT, TSIM__KEY_BY_PRODUCT,
                   .dflt = "the first product",
                   .help = "a product name, or a mix {PRODUCT: probability, ...} summing to 1",
                   .set = set_product},
    [K_LIMIT] = {"limit", TSIM__KEY_INT, 0, 1, INT64_MAX, .dflt = "no limit",
                 .help = "the most entities this source creates (its population included)",
                 .set = set_limit},
    [K_BATCH] = {"batch", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX, .dflt = "1",
                 .help = "entities created per arrival", .set = set_batch},
    [K_POPULATION] = {"population", TSIM__KEY_INT, TSIM__KEY_ONE_OF, 0, TSIM__COUNT_MAX,
                      .dflt = "0", .help = "entities created at time 0 (closed loops)",
                      .set = set_population},
    [K_DUE] = {"due", TSIM__KEY_DIST, 0, .dflt = "no due date",
               .help = "each entity's due date, as a time after its creation", .set = set_due},
    [K_RELEASE] = {"release", TSIM__KEY_FORM, 0, .dflt = "none: each entity leaves as it is made",
                   .help = "{rule: conwip, wip: N, over: [BLOCK, ...]}: hold a backlog, release "
                           "while WIP < N"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"created", "entered", "left", "throughput", "blocked_time",
                                   NULL};

const struct tsim__block_type tsim__source_type = {
    .name = "source",
    .help = "creates entities",
    .keys = keys,
    .kpis = kpis,
    .vt = &source_vt,
    .flags = TSIM__TYPE_NO_INPUT,
    .check = check,
    .lint = {.endless = endless},
};
