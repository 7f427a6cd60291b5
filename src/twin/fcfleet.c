/*
 * A forecast's fleets and chargers (forecast.c runs the replications, this follows them): for
 * each fleet with a delivery target (`deliver_within`) how many requests will be late by the
 * horizon, and for each request in the fleet now its chance of being late; for each charger
 * whether a vehicle will wait for a point. Not a driver: it reads the base sim once, watches each
 * replication's clone through the sim's observer (which clones do not inherit, so each clone
 * gets its own) and reads the clone at the horizon.
 *
 * Invariants: replication i writes only its own slots (as forecast.c's), so the figures do not
 * depend on the thread count; the tracked entity ids are sorted, unique within a sim.
 */
#include "blocks/charger.h"
#include "blocks/desc.h"
#include "blocks/fleet.h"
#include "core/core.h"
#include "twin/twin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tsim__fc_track {
    int nfleets, nchargers, nreq;  /* nreq: the requests named, over all fleets */
    int *fleet, *charger;          /* their blocks */
    double *within;                /* per fleet */
    uint64_t *late0;               /* per fleet: its late deliveries in the base */
    int *first;                    /* per fleet: its first request in the arrays below (+ end) */
    struct tsim__fleet_request *req; /* the requests named, fleet by fleet */
    uint64_t *ids;                 /* their entity ids, sorted */
    int *by_id;                    /* the request of ids[k] */
    int *fleet_of_req;             /* each request's fleet block */
    double *late;                  /* [rep * nfleets + f] */
    double *deliv;                 /* [rep * nreq + k]: when handed over; -1: not by the horizon */
    int *dest;                     /* [rep * nreq + k]: the block it was handed to; -1 */
    struct tsim__charger_window *win; /* [rep * nchargers + c] at the horizon */
};

/* One replication's view for the observer. */
struct watch {
    const struct tsim__fc_track *t;
    double *deliv;
    int *dest;
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

struct tsim__fc_track *tsim__fc_track_create(const struct tsim__fc_input *in)
{
    const struct tsim_sim *base = in->base;
    const struct tsim_model *m = tsim_sim_model(base);
    int nb = tsim_model_block_count(m), R = in->replications > 0 ? in->replications : 1;
    struct tsim__fc_track *t = tsim__calloc(1, sizeof *t);
    t->fleet = tsim__malloc(sizeof *t->fleet * (size_t)(nb ? nb : 1));
    t->charger = tsim__malloc(sizeof *t->charger * (size_t)(nb ? nb : 1));
    for (int b = 0; b < nb; b++) {
        if (tsim__fleet_vehicles(m, b) >= 0 && tsim__fleet_deliver_within(m, b) >= 0)
            t->fleet[t->nfleets++] = b;
        if (tsim__is_charger(m, b)) t->charger[t->nchargers++] = b;
    }
    int F = t->nfleets;
    t->within = tsim__malloc(sizeof *t->within * (size_t)(F ? F : 1));
    t->late0 = tsim__malloc(sizeof *t->late0 * (size_t)(F ? F : 1));
    t->first = tsim__malloc(sizeof *t->first * (size_t)(F + 1));
    int total = 0;
    for (int f = 0; f < F; f++) {
        int n = tsim__fleet_requests(base, t->fleet[f], NULL, 0);
        total += n < TSIM__FC_REQUESTS_MAX ? n : TSIM__FC_REQUESTS_MAX;
    }
    t->req = tsim__malloc(sizeof *t->req * (size_t)(total ? total : 1));
    t->fleet_of_req = tsim__malloc(sizeof *t->fleet_of_req * (size_t)(total ? total : 1));
    for (int f = 0; f < F; f++) {
        t->within[f] = tsim__fleet_deliver_within(m, t->fleet[f]);
        t->late0[f] = tsim__fleet_late_all(base, t->fleet[f]);
        t->first[f] = t->nreq;
        int n = tsim__fleet_requests(base, t->fleet[f], t->req + t->nreq, TSIM__FC_REQUESTS_MAX);
        n = n < TSIM__FC_REQUESTS_MAX ? n : TSIM__FC_REQUESTS_MAX;
        for (int k = 0; k < n; k++) t->fleet_of_req[t->nreq + k] = t->fleet[f];
        t->nreq += n;
    }
    t->first[F] = t->nreq;
    int K = t->nreq;
    t->ids = tsim__malloc(sizeof *t->ids * (size_t)(K ? K : 1));
    t->by_id = tsim__malloc(sizeof *t->by_id * (size_t)(K ? K : 1));
    for (int k = 0; k < K; k++) t->ids[k] = t->req[k].entity;
    qsort(t->ids, (size_t)K, sizeof *t->ids, cmp_u64);
    for (int k = 0; k < K; k++) t->by_id[k] = -1;
    for (int k = 0; k < K; k++) {
        const uint64_t *at = bsearch(&t->req[k].entity, t->ids, (size_t)K, sizeof *t->ids, cmp_u64);
        t->by_id[at - t->ids] = k;
    }
    t->late = tsim__calloc((size_t)R * (size_t)(F ? F : 1), sizeof *t->late);
    t->deliv = tsim__malloc(sizeof *t->deliv * (size_t)R * (size_t)(K ? K : 1));
    t->dest = tsim__malloc(sizeof *t->dest * (size_t)R * (size_t)(K ? K : 1));
    t->win = tsim__calloc((size_t)R * (size_t)(t->nchargers ? t->nchargers : 1), sizeof *t->win);
    return t;
}

/* The request whose entity is `id`; -1: not one followed. */
static int request_of(const struct tsim__fc_track *t, uint64_t id)
{
    const uint64_t *at = bsearch(&id, t->ids, (size_t)t->nreq, sizeof *t->ids, cmp_u64);
    return at ? t->by_id[at - t->ids] : -1;
}

/* An entity handed over is reported entering its destination, then leaving its fleet (the
 * observer's order within an instant, twinsim.h): the entry names the destination, the leave is
 * the hand-over. Only the first hand-over counts (a fleet may hand over to another fleet). */
static void watch_fn(void *ctx, const struct tsim_obs *o)
{
    const struct watch *w = ctx;
    if (o->kind != TSIM_OBS_ENTER && o->kind != TSIM_OBS_LEAVE) return;
    int k = request_of(w->t, o->entity);
    if (k < 0 || w->deliv[k] >= 0) return;
    if (o->kind == TSIM_OBS_LEAVE && o->block == w->t->fleet_of_req[k]) w->deliv[k] = o->t;
    else if (o->kind == TSIM_OBS_ENTER && o->block != w->t->fleet_of_req[k]) w->dest[k] = o->block;
}

void *tsim__fc_track_start(const struct tsim__fc_track *t, struct tsim_sim *sim, int rep)
{
    for (int c = 0; c < t->nchargers; c++) tsim__charger_window_start(sim, (uint32_t)t->charger[c]);
    if (t->nreq == 0) return NULL;
    struct watch *w = tsim__malloc(sizeof *w);
    w->t = t;
    w->deliv = t->deliv + (size_t)rep * (size_t)t->nreq;
    w->dest = t->dest + (size_t)rep * (size_t)t->nreq;
    for (int k = 0; k < t->nreq; k++) w->deliv[k] = -1, w->dest[k] = -1;
    tsim_sim_set_observer(sim, watch_fn, w);
    return w;
}

/* Late by `horizon`: handed over (at t >= 0) later than `within` after `since`, or not handed
 * over and past that time at the horizon. Times are model time from ticks: a millionth of a
 * tick's worth of slack keeps a hand-over exactly at the target on time. */
static int is_late(double since, double within, double t, double horizon)
{
    double end = t >= 0 ? t : horizon;
    return end - since - within > 1e-9 * (fabs(end) > 1 ? fabs(end) : 1);
}

void tsim__fc_track_end(struct tsim__fc_track *t, struct tsim_sim *sim, int rep, void *watch,
                        double horizon)
{
    if (watch) tsim_sim_set_observer(sim, NULL, NULL);
    tsim__free(watch);
    for (int c = 0; c < t->nchargers; c++)
        tsim__charger_window(sim, (uint32_t)t->charger[c],
                             &t->win[(size_t)rep * (size_t)t->nchargers + (size_t)c]);
    /* Late by the horizon: the late hand-overs since now, and the requests still open then that
     * are past their time (those late already now among them). */
    for (int f = 0; f < t->nfleets; f++) {
        int b = t->fleet[f], n = tsim__fleet_requests(sim, b, NULL, 0);
        struct tsim__fleet_request *open = tsim__malloc(sizeof *open * (size_t)(n ? n : 1));
        tsim__fleet_requests(sim, b, open, n);
        double late = (double)(tsim__fleet_late_all(sim, b) - t->late0[f]);
        for (int k = 0; k < n; k++) late += is_late(open[k].since, t->within[f], -1, horizon);
        t->late[(size_t)rep * (size_t)t->nfleets + (size_t)f] = late;
        tsim__free(open);
    }
}

/* The id of the open order whose entities hold `entity`; NULL: none. */
static const char *order_of(const struct tsim__fc_input *in, uint64_t entity)
{
    for (int i = 0; i < in->norders; i++)
        for (int k = 0; k < in->orders[i].nentity; k++)
            if (in->orders[i].entity[k] == entity) return in->orders[i].id;
    return "";
}

static void fleets_summary(const struct tsim__fc_track *t, const struct tsim__fc_input *in,
                           struct tsim__fc_result *out, double *xs)
{
    int R = out->replications, K = t->nreq, nb = tsim_model_block_count(tsim_sim_model(in->base));
    int *votes = tsim__malloc(sizeof *votes * (size_t)(nb ? nb : 1));
    out->nfleets = t->nfleets;
    out->fleets = tsim__calloc((size_t)(t->nfleets ? t->nfleets : 1), sizeof *out->fleets);
    for (int f = 0; f < t->nfleets; f++) {
        struct tsim__fc_fleet *ff = &out->fleets[f];
        ff->block = t->fleet[f];
        ff->within = t->within[f];
        ff->open = tsim__fleet_requests(in->base, ff->block, NULL, 0);
        for (int i = 0; i < R; i++) xs[i] = t->late[(size_t)i * (size_t)t->nfleets + (size_t)f];
        tsim_summary_of(&ff->late, xs, (size_t)R, 0.95);
        ff->nreq = t->first[f + 1] - t->first[f];
        ff->req = tsim__calloc((size_t)(ff->nreq ? ff->nreq : 1), sizeof *ff->req);
        for (int j = 0; j < ff->nreq; j++) {
            int k = t->first[f] + j;
            const struct tsim__fleet_request *q = &t->req[k];
            struct tsim__fc_request *fr = &ff->req[j];
            fr->entity = q->entity;
            fr->since = q->since;
            fr->from = q->from;
            snprintf(fr->order, sizeof fr->order, "%s", order_of(in, q->entity));
            int n = 0, late = 0;
            memset(votes, 0, sizeof *votes * (size_t)(nb ? nb : 1));
            for (int i = 0; i < R; i++) {
                double at = t->deliv[(size_t)i * (size_t)K + (size_t)k];
                int to = t->dest[(size_t)i * (size_t)K + (size_t)k];
                late += is_late(q->since, ff->within, at, out->horizon);
                if (at < 0) continue;
                xs[n++] = at;
                if (to >= 0) votes[to]++;
            }
            struct tsim_summary s;
            tsim_summary_of(&s, xs, (size_t)n, 0.95);
            fr->p_late = R ? (double)late / R : 0;
            fr->p_delivered = R ? (double)n / R : 0;
            fr->delivery_mean = n ? s.mean : -1;
            fr->delivery_hw = n ? s.half_width : 0;
            fr->to = q->to;
            for (int b = 0; b < nb && q->to < 0; b++)
                if (votes[b] > 0 && (fr->to < 0 || votes[b] > votes[fr->to])) fr->to = b;
            /* Late already now: past its time at the forecast's start. */
            ff->overdue += is_late(q->since, ff->within, -1, out->now);
        }
    }
    tsim__free(votes);
}

static void chargers_summary(const struct tsim__fc_track *t, const struct tsim__fc_input *in,
                             struct tsim__fc_result *out, double *xs)
{
    int R = out->replications, C = t->nchargers;
    double span = out->horizon - out->now;
    out->nchargers = C;
    out->chargers = tsim__calloc((size_t)(C ? C : 1), sizeof *out->chargers);
    for (int c = 0; c < C; c++) {
        struct tsim__fc_charger *fc = &out->chargers[c];
        fc->block = t->charger[c];
        fc->points = tsim__charger_points(in->base, (uint32_t)fc->block);
        uint32_t owner, veh;
        while (tsim__charger_waiting(in->base, (uint32_t)fc->block, fc->queue_now, &owner, &veh))
            fc->queue_now++;
        const struct tsim__charger_window *w = &t->win[(size_t)c];
        int queued = 0, n = 0;
        for (int i = 0; i < R; i++) {
            queued += w[(size_t)i * (size_t)C].waited > 0;
            xs[i] = span > 0 ? w[(size_t)i * (size_t)C].queue_area / span : fc->queue_now;
        }
        fc->p_queue = R ? (double)queued / R : 0;
        tsim_summary_of(&fc->queue, xs, (size_t)R, 0.95);
        for (int i = 0; i < R; i++) xs[i] = w[(size_t)i * (size_t)C].queue_max;
        tsim_summary_of(&fc->queue_max, xs, (size_t)R, 0.95);
        for (int i = 0; i < R; i++) {
            const struct tsim__charger_window *x = &w[(size_t)i * (size_t)C];
            if (x->charges > 0) xs[n++] = x->wait / (double)x->charges;
        }
        tsim_summary_of(&fc->wait, xs, (size_t)n, 0.95);
    }
}

void tsim__fc_track_finish(struct tsim__fc_track *t, const struct tsim__fc_input *in,
                           struct tsim__fc_result *out)
{
    int R = out->replications;
    double *xs = tsim__malloc(sizeof *xs * (size_t)(R ? R : 1));
    fleets_summary(t, in, out, xs);
    chargers_summary(t, in, out, xs);
    tsim__free(xs);
    tsim__free(t->fleet);
    tsim__free(t->charger);
    tsim__free(t->within);
    tsim__free(t->late0);
    tsim__free(t->first);
    tsim__free(t->req);
    tsim__free(t->ids);
    tsim__free(t->by_id);
    tsim__free(t->fleet_of_req);
    tsim__free(t->late);
    tsim__free(t->deliv);
    tsim__free(t->dest);
    tsim__free(t->win);
    tsim__free(t);
}

void tsim__fc_fleets_release(struct tsim__fc_result *r)
{
    for (int f = 0; f < r->nfleets; f++) tsim__free(r->fleets[f].req);
    tsim__free(r->fleets);
    tsim__free(r->chargers);
    r->fleets = NULL;
    r->chargers = NULL;
    r->nfleets = r->nchargers = 0;
}
