/*
 * Forecasts from the live state: clone the live sim once, then run N replications forward to a
 * horizon, each from its own clone reseeded for (seed, i). Not a driver of its own: the same
 * clone / reseed / run_until the C API offers, so a forecast equals a direct run from the same
 * state with the same seeds (tests/unit/test_twin.c checks it).
 *
 * Invariants: a forecast reads only its input (a private clone and copied orders), never the
 * live twin, so it may run on its own thread while the twin keeps ingesting; replication i writes
 * only slot i, so results do not depend on the thread count. The model is shared read-only: the
 * twin does not change it while a forecast runs (see twin.c).
 */
#include "blocks/desc.h"
#include "blocks/dock.h"
#include "core/core.h"
#include "results/results.h"
#include "twin/twin.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int has_part_rule(const struct tsim__map *map)
{
    for (int i = 0; i < map->nrules; i++)
        if (map->rules[i].kind == TSIM__TEV_PART) return 1;
    return 0;
}

const double tsim__fc_fan_q[TSIM__FC_FAN_QUANTILES] = {0.05, 0.25, 0.5, 0.75, 0.95};

/* Entities in every block but the sinks: the work in process, as the run trace counts it. */
static double wip_of(const struct tsim_sim *sim)
{
    const struct tsim_model *m = tsim_sim_model(sim);
    double w = 0;
    for (int b = 0; b < tsim_model_block_count(m); b++)
        if (tsim_model_block_type(m, b) != TSIM_SINK) w += (double)tsim_block_content(sim, b);
    return w;
}

static uint64_t sink_entered(const struct tsim_sim *sim)
{
    const struct tsim_model *m = tsim_sim_model(sim);
    uint64_t n = 0;
    for (int b = 0; b < tsim_model_block_count(m); b++)
        if (tsim_model_block_type(m, b) == TSIM_SINK) n += tsim_block_entered(sim, b);
    return n;
}

void tsim__fc_input_take(struct tsim__fc_input *in, const struct tsim__live *lv, uint64_t id)
{
    const struct tsim__map *map = lv->map;
    memset(in, 0, sizeof *in);
    unsigned char *forced = tsim__malloc((size_t)(lv->nsrv > 0 ? lv->nsrv : 1));
    in->base = tsim__live_snapshot(lv, forced);
    in->map = map;
    in->id = id;
    in->now = lv->now;
    double h = map->horizon;
    switch (map->horizon_mode) {
    case 0: in->horizon = h > lv->now ? h : lv->now; break;
    case 1: in->horizon = lv->now + h; break;
    default: in->horizon = (floor(lv->now / h) + 1) * h; break;
    }
    in->plant_time = lv->origin + lv->now * lv->unit_s;
    /* Output so far: what the plant reported finished when it reports parts, else what the live
     * sim finished (which follows the plant through the reconciled buffers). */
    in->completed = has_part_rule(map) ? lv->completed : sink_entered(lv->sim);
    in->events_applied = lv->applied;
    in->replications = map->replications;
    in->seed = map->seed;
    in->plan = map->plan;
    in->threads = map->threads;
    in->down = tsim__malloc(sizeof *in->down * (size_t)(2 * lv->nsrv + 2));
    for (int b = 0; b < lv->nblocks; b++)
        for (int k = lv->srv_off[b]; k < lv->srv_off[b + 1]; k++)
            if (forced[k] && lv->srv_state[k] == TSIM__PS_DOWN) {
                in->down[2 * in->ndown] = b;
                in->down[2 * in->ndown + 1] = k - lv->srv_off[b];
                in->ndown++;
            }
    tsim__free(forced);
    in->orders = tsim__calloc((size_t)(lv->norders ? lv->norders : 1), sizeof *in->orders);
    for (int i = 0; i < lv->norders; i++) {
        const struct tsim__order *o = &lv->orders[i];
        int open = 0;
        for (int k = 0; k < o->nentity && !open; k++)
            open = tsim_sim_completion_time(lv->sim, o->entity[k]) < 0;
        if (!open) continue;
        struct tsim__order *c = &in->orders[in->norders++];
        *c = *o;
        c->entity = tsim__malloc(sizeof *c->entity * (size_t)(o->nentity ? o->nentity : 1));
        memcpy(c->entity, o->entity, sizeof *c->entity * (size_t)o->nentity);
    }
}

void tsim__fc_input_release(struct tsim__fc_input *in)
{
    tsim_sim_destroy(in->base);
    for (int i = 0; i < in->norders; i++) tsim__free(in->orders[i].entity);
    tsim__free(in->orders);
    tsim__free(in->down);
    memset(in, 0, sizeof *in);
}

/* ---- running -------------------------------------------------------------------------------- */

struct repair {
    int block, server;
};

static void repaired(struct tsim_sim *sim, void *arg)
{
    const struct repair *r = arg;
    tsim_machine_force_down(sim, r->block, r->server, 0);
}

void *tsim__fc_prepare(const struct tsim__fc_input *in, struct tsim_sim *sim, int rep)
{
    tsim_sim_reseed(sim, in->seed, (uint64_t)rep);
    const struct tsim_model *m = tsim_sim_model(sim);
    struct repair *r = tsim__calloc((size_t)(in->ndown ? in->ndown : 1), sizeof *r);
    double now = tsim_sim_now(sim);
    for (int k = 0; k < in->ndown; k++) {
        int b = in->down[2 * k], s = in->down[2 * k + 1];
        const struct tsim__block_desc *d = &m->blocks[b];
        /* Without a repair model the machine stays down to the horizon: the plant said so and
         * the model knows nothing better. The time already down is not used: the remaining
         * repair is drawn afresh, exact for exponential repairs and an approximation else. */
        if (!d->has_failures) continue;
        char name[160];
        snprintf(name, sizeof name, "twin/repair/%s/%d", d->name, s);
        struct tsim_rng rng;
        tsim_rng_stream(&rng, in->seed, (uint64_t)rep, name);
        double t = tsim_dist_sample(&d->repair, &rng);
        r[k].block = b;
        r[k].server = s;
        tsim_event_schedule(sim, repaired, &r[k], now + (t > 0 ? t : 0), 0);
    }
    return r;
}

struct job {
    const struct tsim__fc_input *in;
    atomic_int next;
    uint64_t base_done;
    double *base_active; /* per block: active time before now */
    double *output;
    double *done;        /* [rep * norders + k]: completion time, -1 if not by the horizon */
    int *bottleneck;     /* per replication */
    double *fan_out, *fan_wip; /* [rep * TSIM__FC_FAN_POINTS + k] */
    const struct tsim__fc_truck *trucks; /* the outbound trucks followed */
    int ntrucks;
    struct tsim__dock_truck *truck_end;  /* [rep * ntrucks + t]: each one's record at the end */
    struct tsim__fc_track *track;        /* the fleets and chargers followed (fcfleet.c) */
    pthread_mutex_t lock; /* guards the two below */
    int failed_rep;       /* the lowest replication stopped by an error; -1: none */
    char error[256];
};

/* Time a machine was active (busy, in setup, or down: the active-period bottleneck measure of
 * Roser et al.) over a result's window, summed over its servers' shares. */
static void active_time(const struct tsim_model *m, const struct tsim_result *r, double *out)
{
    static const char *const states[] = {"states.busy", "states.setup", "states.down"};
    double span = r->end_time - r->start_time;
    for (int b = 0; b < tsim_model_block_count(m); b++) {
        out[b] = -1;
        if (tsim_model_block_servers(m, b) == 0) continue;
        double share = 0;
        for (int i = 0; i < 3; i++) {
            const struct tsim_kpi *k = tsim_result_find(r, b, states[i]);
            if (k) share += k->value;
        }
        out[b] = share * span;
    }
}

/* The fan's time k: now (k = 0), then equal steps to the horizon, which the last one is exactly. */
static double fan_time(double now, double horizon, int k)
{
    if (horizon <= now) return now;
    if (k == TSIM__FC_FAN_POINTS - 1) return horizon;
    return now + (horizon - now) * k / (TSIM__FC_FAN_POINTS - 1);
}

static void run_one(struct job *j, int i)
{
    const struct tsim__fc_input *in = j->in;
    const struct tsim_model *m = tsim_sim_model(in->base);
    struct tsim_sim *c = tsim_sim_clone(in->base);
    void *repairs = tsim__fc_prepare(in, c, i);
    void *watch = tsim__fc_track_start(j->track, c, i);
    /* The fan's points on the way: running to a time and on runs the same events as running
     * straight to the horizon (run_until runs every event up to its time, then goes on). */
    double t0 = tsim_sim_now(c);
    size_t at = (size_t)i * TSIM__FC_FAN_POINTS;
    /* A horizon past the last time the model can count is refused at once, with the error a
     * forecast then reports, instead of after running to the points before it. */
    if (in->horizon > tsim_model_max_time(m)) tsim_sim_run_until(c, in->horizon);
    for (int k = 0; k < TSIM__FC_FAN_POINTS && tsim_sim_status(c) == 0; k++) {
        double t = fan_time(t0, in->horizon, k);
        if (t > tsim_sim_now(c)) tsim_sim_run_until(c, t);
        j->fan_out[at + (size_t)k] = (double)(in->completed + (sink_entered(c) - j->base_done));
        j->fan_wip[at + (size_t)k] = wip_of(c);
    }
    if (tsim_sim_status(c) != 0) {
        /* A stopped sim's numbers mean nothing: keep the error of the lowest replication, so
         * the message does not depend on the thread count. */
        pthread_mutex_lock(&j->lock);
        if (j->failed_rep < 0 || i < j->failed_rep) {
            j->failed_rep = i;
            snprintf(j->error, sizeof j->error, "replication %d: %s", i,
                     tsim_sim_error(c) ? tsim_sim_error(c) : "stopped");
        }
        pthread_mutex_unlock(&j->lock);
    }
    j->output[i] = (double)(in->completed + (sink_entered(c) - j->base_done));
    for (int k = 0; k < in->norders; k++) {
        const struct tsim__order *o = &in->orders[k];
        double last = 0;
        for (int e = 0; e < o->nentity && last >= 0; e++) {
            double t = tsim_sim_completion_time(c, o->entity[e]);
            last = t < 0 ? -1 : (t > last ? t : last);
        }
        j->done[(size_t)i * (size_t)in->norders + (size_t)k] = last;
    }
    int nb = tsim_model_block_count(m);
    double *act = tsim__malloc(sizeof *act * (size_t)(nb ? nb : 1));
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(c, &r);
    active_time(m, &r, act);
    int best = -1;
    double best_v = -1;
    for (int b = 0; b < nb; b++) {
        if (act[b] < 0) continue;
        double v = act[b] - j->base_active[b];
        if (v > best_v + 1e-12) {
            best_v = v;
            best = b;
        }
    }
    j->bottleneck[i] = best;
    tsim__fc_track_end(j->track, c, i, watch, in->horizon);
    for (int t = 0; t < j->ntrucks; t++)
        tsim__dock_truck(c, j->trucks[t].block, j->trucks[t].record,
                         &j->truck_end[(size_t)i * (size_t)j->ntrucks + (size_t)t]);
    tsim_result_release(&r);
    tsim__free(act);
    tsim_sim_destroy(c);
    tsim__free(repairs);
}

static void *worker(void *arg)
{
    struct job *j = arg;
    for (;;) {
        int i = atomic_fetch_add(&j->next, 1);
        if (i >= j->in->replications) return NULL;
        run_one(j, i);
    }
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile p of the sorted xs[0..n-1], linear between order statistics (type 7). */
static double quantile(const double *xs, int n, double p)
{
    if (n <= 0) return NAN;
    double h = (n - 1) * p;
    int lo = (int)floor(h);
    if (lo >= n - 1) return xs[n - 1];
    return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]);
}

/* Per fan point, the quantiles of the replications' values: out[q * points + k]. */
static double *fan_quantiles(const double *v, int R)
{
    enum { P = TSIM__FC_FAN_POINTS, Q = TSIM__FC_FAN_QUANTILES };
    double *out = tsim__malloc(sizeof *out * P * Q);
    double *xs = tsim__malloc(sizeof *xs * (size_t)(R ? R : 1));
    for (int k = 0; k < P; k++) {
        for (int i = 0; i < R; i++) xs[i] = v[(size_t)i * P + (size_t)k];
        qsort(xs, (size_t)R, sizeof *xs, cmp_double);
        for (int q = 0; q < Q; q++) out[q * P + k] = quantile(xs, R, tsim__fc_fan_q[q]);
    }
    tsim__free(xs);
    return out;
}

/* The outbound trucks of every dock that have not left the base sim: the forecast follows them
 * (the clones hold the same records, none added). */
static void trucks_to_follow(const struct tsim_sim *base, struct tsim__fc_result *out)
{
    const struct tsim_model *m = tsim_sim_model(base);
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        for (int b = 0; b < tsim_model_block_count(m); b++) {
            if (!tsim__dock_is(m, b)) continue;
            for (int k = 0; k < tsim__dock_trucks(base, b); k++) {
                struct tsim__dock_truck x;
                tsim__dock_truck(base, b, k, &x);
                if (!x.outbound || x.where == TSIM__TRUCK_GONE) continue;
                if (pass) out->trucks[n] = (struct tsim__fc_truck){.block = b, .record = k};
                n++;
            }
        }
        if (!pass) out->trucks = tsim__calloc((size_t)(n ? n : 1), sizeof *out->trucks);
    }
    out->ntrucks = n;
}

/* Each truck's shares and means over the replications, from its records at their ends. A truck
 * still at the dock (or yet to come) at the horizon left neither full nor on time. */
static void trucks_summary(struct tsim__fc_result *out, const struct tsim__dock_truck *end)
{
    int R = out->replications, T = out->ntrucks;
    double *dep = tsim__malloc(sizeof *dep * (size_t)(R ? R : 1));
    for (int t = 0; t < T; t++) {
        struct tsim__fc_truck *ft = &out->trucks[t];
        int left = 0, full = 0, on_time = 0, both = 0;
        double loaded = 0;
        for (int i = 0; i < R; i++) {
            const struct tsim__dock_truck *x = &end[(size_t)i * (size_t)T + (size_t)t];
            if (x->where != TSIM__TRUCK_GONE) continue;
            dep[left++] = x->depart;
            loaded += (double)x->loaded;
            full += x->full;
            on_time += !x->late;
            both += x->full && !x->late;
        }
        struct tsim_summary s;
        tsim_summary_of(&s, dep, (size_t)left, 0.95);
        ft->p_left = R ? (double)left / R : 0;
        ft->p_full = R ? (double)full / R : 0;
        ft->p_on_time = R ? (double)on_time / R : 0;
        ft->p_full_on_time = R ? (double)both / R : 0;
        ft->departure_mean = left ? s.mean : -1;
        ft->departure_hw = left ? s.half_width : 0;
        ft->loaded_mean = left ? loaded / left : 0;
    }
    tsim__free(dep);
}

void tsim__fc_run(const struct tsim__fc_input *in, struct tsim__fc_result *out)
{
    double t0 = wall_now();
    const struct tsim_model *m = tsim_sim_model(in->base);
    int nb = tsim_model_block_count(m), R = in->replications, K = in->norders;
    memset(out, 0, sizeof *out);
    out->id = in->id;
    out->now = in->now;
    out->horizon = in->horizon;
    out->replications = R;

    struct job j;
    memset(&j, 0, sizeof j);
    j.in = in;
    atomic_init(&j.next, 0);
    pthread_mutex_init(&j.lock, NULL);
    j.failed_rep = -1;
    j.base_done = sink_entered(in->base);
    j.base_active = tsim__malloc(sizeof *j.base_active * (size_t)(nb ? nb : 1));
    {
        /* Results close statistics, so take the base's from a throwaway clone. */
        struct tsim_sim *b0 = tsim_sim_clone(in->base);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(b0, &r);
        active_time(m, &r, j.base_active);
        tsim_result_release(&r);
        tsim_sim_destroy(b0);
    }
    j.output = out->output = tsim__calloc((size_t)(R ? R : 1), sizeof *out->output);
    j.done = tsim__calloc((size_t)(R ? R : 1) * (size_t)(K ? K : 1), sizeof *j.done);
    j.bottleneck = tsim__calloc((size_t)(R ? R : 1), sizeof *j.bottleneck);
    j.fan_out = tsim__calloc((size_t)(R ? R : 1) * TSIM__FC_FAN_POINTS, sizeof *j.fan_out);
    j.fan_wip = tsim__calloc((size_t)(R ? R : 1) * TSIM__FC_FAN_POINTS, sizeof *j.fan_wip);
    trucks_to_follow(in->base, out);
    j.trucks = out->trucks;
    j.ntrucks = out->ntrucks;
    j.truck_end = tsim__calloc((size_t)(R ? R : 1) * (size_t)(out->ntrucks ? out->ntrucks : 1),
                               sizeof *j.truck_end);
    j.track = tsim__fc_track_create(in);

    int threads = in->threads;
    if (threads <= 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        threads = nc > 0 ? (int)nc : 1;
    }
    if (threads > R) threads = R;
    if (threads <= 1) {
        worker(&j);
    } else {
        pthread_t *tid = tsim__malloc(sizeof *tid * (size_t)threads);
        int started = 0;
        for (int i = 0; i < threads; i++)
            if (pthread_create(&tid[i], NULL, worker, &j) == 0) started++;
            else break;
        worker(&j); /* the calling thread works too; also covers a failed pthread_create */
        for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
        tsim__free(tid);
    }

    tsim_summary_of(&out->out, out->output, (size_t)R, 0.95);
    if (in->plan > 0) {
        int hit = 0;
        for (int i = 0; i < R; i++) hit += out->output[i] >= in->plan;
        out->p_plan = R ? (double)hit / R : 0;
    } else {
        out->p_plan = -1;
    }
    out->norders = K;
    out->orders = tsim__calloc((size_t)(K ? K : 1), sizeof *out->orders);
    out->min_p_on_time = -1;
    double *xs = tsim__malloc(sizeof *xs * (size_t)(R ? R : 1));
    for (int k = 0; k < K; k++) {
        const struct tsim__order *o = &in->orders[k];
        int n = 0, on_time = 0;
        for (int i = 0; i < R; i++) {
            double t = j.done[(size_t)i * (size_t)K + (size_t)k];
            if (t < 0) continue;
            xs[n++] = t;
            on_time += o->due < 0 || t <= o->due;
        }
        struct tsim_summary s;
        tsim_summary_of(&s, xs, (size_t)n, 0.95);
        struct tsim__fc_order *fo = &out->orders[k];
        fo->completion_mean = n ? s.mean : -1;
        fo->completion_hw = n ? s.half_width : 0;
        fo->p_complete = R ? (double)n / R : 0;
        fo->p_on_time = R ? (double)on_time / R : 0;
        if (o->due >= 0 && (out->min_p_on_time < 0 || fo->p_on_time < out->min_p_on_time))
            out->min_p_on_time = fo->p_on_time;
    }
    tsim__free(xs);
    trucks_summary(out, j.truck_end);
    tsim__fc_track_finish(j.track, in, out);
    tsim__free(j.truck_end);
    /* The expected bottleneck: the machine most often the most active, ties to the first. */
    out->bottleneck = -1;
    int *votes = tsim__calloc((size_t)(nb ? nb : 1), sizeof *votes);
    for (int i = 0; i < R; i++)
        if (j.bottleneck[i] >= 0) votes[j.bottleneck[i]]++;
    for (int b = 0; b < nb; b++)
        if (votes[b] > 0 && (out->bottleneck < 0 || votes[b] > votes[out->bottleneck]))
            out->bottleneck = b;
    out->bottleneck_share = out->bottleneck >= 0 && R ? (double)votes[out->bottleneck] / R : 0;
    tsim__free(votes);
    for (int k = 0; k < TSIM__FC_FAN_POINTS; k++)
        out->fan_t[k] = fan_time(tsim_sim_now(in->base), in->horizon, k);
    out->fan_output = fan_quantiles(j.fan_out, R);
    out->fan_wip = fan_quantiles(j.fan_wip, R);
    tsim__free(j.fan_out);
    tsim__free(j.fan_wip);
    tsim__free(j.base_active);
    tsim__free(j.done);
    tsim__free(j.bottleneck);
    snprintf(out->error, sizeof out->error, "%s", j.error);
    pthread_mutex_destroy(&j.lock);
    out->wall_s = wall_now() - t0;
}

void tsim__fc_result_release(struct tsim__fc_result *r)
{
    tsim__free(r->output);
    tsim__free(r->orders);
    tsim__free(r->trucks);
    tsim__fc_fleets_release(r);
    tsim__free(r->fan_output);
    tsim__free(r->fan_wip);
    memset(r, 0, sizeof *r);
}

/* ---- output --------------------------------------------------------------------------------- */

/* Round to 6 significant decimals so that published numbers read well and compare stably. */
static double r6(double x) { return isfinite(x) ? round(x * 1e6) / 1e6 : 0; }

/* "trucks": each outbound truck still to leave, with its chances of leaving full and on time. */
static void write_trucks(struct tsim__json *j, const struct tsim__fc_input *in,
                         const struct tsim__fc_result *r, double origin, double unit_s)
{
    tsim__json_open(j, "trucks", '[', 0);
    for (int t = 0; t < r->ntrucks; t++) {
        const struct tsim__fc_truck *ft = &r->trucks[t];
        struct tsim__dock_truck x;
        tsim__dock_truck(in->base, ft->block, ft->record, &x);
        tsim__json_open(j, NULL, '{', 0);
        tsim__json_string(j, "dock", tsim__map_block_name(in->map, ft->block));
        tsim__json_string(j, "truck", x.id);
        tsim__json_number(j, "pallets", (double)x.pallets);
        if (x.due_out >= 0) {
            tsim__json_number(j, "due", r6(x.due_out));
            tsim__json_number(j, "due_ts", r6(origin + x.due_out * unit_s));
        } else {
            tsim__json_null(j, "due");
        }
        tsim__json_number(j, "p_full_on_time", r6(ft->p_full_on_time));
        tsim__json_number(j, "p_full", r6(ft->p_full));
        tsim__json_number(j, "p_on_time", r6(ft->p_on_time));
        tsim__json_number(j, "p_left", r6(ft->p_left));
        if (ft->departure_mean >= 0) {
            tsim__json_number(j, "departure", r6(ft->departure_mean));
            tsim__json_number(j, "departure_half_width", r6(ft->departure_hw));
            tsim__json_number(j, "departure_ts", r6(origin + ft->departure_mean * unit_s));
            tsim__json_number(j, "loaded", r6(ft->loaded_mean));
        } else {
            tsim__json_null(j, "departure");
        }
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
}

/* "fleets": each fleet with a delivery target, with the requests late by the horizon and, for
 * each request in it now, its chance of being late (docs/twin.md, "Late requests"). */
static void write_fleets(struct tsim__json *j, const struct tsim__fc_result *r, double origin,
                         double unit_s, const struct tsim_model *m)
{
    tsim__json_open(j, "fleets", '[', 0);
    for (int f = 0; f < r->nfleets; f++) {
        const struct tsim__fc_fleet *ff = &r->fleets[f];
        tsim__json_open(j, NULL, '{', 0);
        tsim__json_string(j, "fleet", tsim_model_block_name(m, ff->block));
        tsim__json_number(j, "deliver_within", r6(ff->within));
        tsim__json_number(j, "open", ff->open);
        tsim__json_number(j, "overdue", ff->overdue);
        tsim__json_open(j, "late", '{', 0);
        tsim__json_number(j, "mean", r6(ff->late.mean));
        tsim__json_number(j, "half_width", r6(ff->late.half_width));
        tsim__json_number(j, "min", r6(ff->late.min));
        tsim__json_number(j, "max", r6(ff->late.max));
        tsim__json_close(j, '{');
        tsim__json_open(j, "requests", '[', 0);
        for (int k = 0; k < ff->nreq; k++) {
            const struct tsim__fc_request *q = &ff->req[k];
            tsim__json_open(j, NULL, '{', 0);
            tsim__json_number(j, "entity", (double)q->entity);
            if (q->order[0]) tsim__json_string(j, "order", q->order);
            else tsim__json_null(j, "order");
            tsim__json_string(j, "from", tsim_model_block_name(m, q->from));
            if (q->to >= 0) tsim__json_string(j, "to", tsim_model_block_name(m, q->to));
            else tsim__json_null(j, "to");
            tsim__json_number(j, "since", r6(q->since));
            tsim__json_number(j, "due", r6(q->since + ff->within));
            tsim__json_number(j, "due_ts", r6(origin + (q->since + ff->within) * unit_s));
            tsim__json_number(j, "p_late", r6(q->p_late));
            tsim__json_number(j, "p_delivered", r6(q->p_delivered));
            if (q->delivery_mean >= 0) {
                tsim__json_number(j, "delivery", r6(q->delivery_mean));
                tsim__json_number(j, "delivery_half_width", r6(q->delivery_hw));
                tsim__json_number(j, "delivery_ts", r6(origin + q->delivery_mean * unit_s));
            } else {
                tsim__json_null(j, "delivery");
            }
            tsim__json_close(j, '{');
        }
        tsim__json_close(j, '[');
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
}

/* "chargers": each charger block, whether a vehicle will wait for a point by the horizon. */
static void write_chargers(struct tsim__json *j, const struct tsim__fc_result *r,
                           const struct tsim_model *m)
{
    tsim__json_open(j, "chargers", '[', 0);
    for (int c = 0; c < r->nchargers; c++) {
        const struct tsim__fc_charger *fc = &r->chargers[c];
        tsim__json_open(j, NULL, '{', 0);
        tsim__json_string(j, "charger", tsim_model_block_name(m, fc->block));
        tsim__json_number(j, "points", fc->points);
        tsim__json_number(j, "queue_now", fc->queue_now);
        tsim__json_number(j, "p_queue", r6(fc->p_queue));
        tsim__json_number(j, "queue_mean", r6(fc->queue.mean));
        tsim__json_number(j, "queue_mean_half_width", r6(fc->queue.half_width));
        tsim__json_number(j, "queue_max_mean", r6(fc->queue_max.mean));
        tsim__json_number(j, "queue_max", r6(fc->queue_max.max));
        if (fc->wait.n > 0) {
            tsim__json_number(j, "wait_mean", r6(fc->wait.mean));
            tsim__json_number(j, "wait_half_width", r6(fc->wait.half_width));
        } else {
            tsim__json_null(j, "wait_mean");
        }
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
}

/* The figures of the forecast that are not the header: output, plan, orders, bottleneck, fan. */
static void write_figures(struct tsim__json *j, const struct tsim__fc_input *in,
                          const struct tsim__fc_result *r, double origin, double unit_s)
{
    const struct tsim__map *map = in->map;
    const struct tsim_model *m = tsim_sim_model(in->base);
    tsim__json_open(j, "output", '{', 0);
    tsim__json_number(j, "mean", r6(r->out.mean));
    tsim__json_number(j, "half_width", r6(r->out.half_width));
    tsim__json_number(j, "lo", r6(r->out.mean - r->out.half_width));
    tsim__json_number(j, "hi", r6(r->out.mean + r->out.half_width));
    tsim__json_number(j, "sd", r6(r->out.sd));
    tsim__json_number(j, "min", r6(r->out.min));
    tsim__json_number(j, "max", r6(r->out.max));
    tsim__json_close(j, '{');
    if (in->plan > 0) {
        tsim__json_number(j, "plan", in->plan);
        tsim__json_number(j, "p_meet_plan", r6(r->p_plan));
    }
    tsim__json_open(j, "orders", '[', 0);
    for (int k = 0; k < r->norders; k++) {
        const struct tsim__order *od = &in->orders[k];
        const struct tsim__fc_order *fo = &r->orders[k];
        tsim__json_open(j, NULL, '{', 0);
        tsim__json_string(j, "id", od->id);
        tsim__json_string(j, "product", tsim__map_product_name(map, od->product));
        tsim__json_number(j, "quantity", (double)od->quantity);
        if (od->due >= 0)
            tsim__json_number(j, "due", r6(od->due));
        else
            tsim__json_null(j, "due");
        if (fo->completion_mean >= 0) {
            tsim__json_number(j, "completion", r6(fo->completion_mean));
            tsim__json_number(j, "completion_half_width", r6(fo->completion_hw));
            tsim__json_number(j, "completion_ts", r6(origin + fo->completion_mean * unit_s));
        } else {
            tsim__json_null(j, "completion");
        }
        tsim__json_number(j, "p_complete", r6(fo->p_complete));
        tsim__json_number(j, "p_on_time", r6(fo->p_on_time));
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
    if (r->ntrucks > 0) write_trucks(j, in, r, origin, unit_s);
    if (r->nfleets > 0) write_fleets(j, r, origin, unit_s, m);
    if (r->nchargers > 0) write_chargers(j, r, m);
    if (r->bottleneck >= 0) {
        tsim__json_open(j, "bottleneck", '{', 0);
        tsim__json_string(j, "block", tsim_model_block_name(m, r->bottleneck));
        tsim__json_number(j, "share", r6(r->bottleneck_share));
        tsim__json_close(j, '{');
    } else {
        tsim__json_null(j, "bottleneck");
    }
    if (r->fan_output && r->fan_wip) {
        /* The fan: per quantile, one value per time (docs/twin.md). */
        tsim__json_open(j, "fan", '{', 0);
        double tq[TSIM__FC_FAN_POINTS];
        for (int k = 0; k < TSIM__FC_FAN_POINTS; k++) tq[k] = r6(r->fan_t[k]);
        tsim__json_numbers(j, "t", tq, TSIM__FC_FAN_POINTS);
        tsim__json_numbers(j, "quantiles", tsim__fc_fan_q, TSIM__FC_FAN_QUANTILES);
        const double *const src[2] = {r->fan_output, r->fan_wip};
        static const char *const names[2] = {"output", "wip"};
        for (int s = 0; s < 2; s++) {
            tsim__json_open(j, names[s], '[', 0);
            for (int q = 0; q < TSIM__FC_FAN_QUANTILES; q++) {
                for (int k = 0; k < TSIM__FC_FAN_POINTS; k++)
                    tq[k] = r6(src[s][q * TSIM__FC_FAN_POINTS + k]);
                tsim__json_numbers(j, NULL, tq, TSIM__FC_FAN_POINTS);
            }
            tsim__json_close(j, '[');
        }
        tsim__json_close(j, '{');
    }
}

char *tsim__fc_json(const struct tsim__fc_input *in, const struct tsim__fc_result *r)
{
    const struct tsim_model *m = tsim_sim_model(in->base);
    double unit_s = tsim_unit_factor(tsim_model_time_unit(m), "s");
    if (unit_s <= 0) unit_s = 1;
    double origin = in->plant_time - in->now * unit_s;
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_MSG);
    tsim__json_open(&j, NULL, '{', 0);
    /* Counters go out as doubles, as they always have (a replayed forecast is compared as text). */
    tsim__json_number(&j, "forecast", (double)r->id);
    tsim__json_number(&j, "ts", r6(in->plant_time));
    tsim__json_number(&j, "now", r6(r->now));
    tsim__json_number(&j, "horizon", r6(r->horizon));
    tsim__json_number(&j, "horizon_ts", r6(origin + r->horizon * unit_s));
    tsim__json_string(&j, "time_unit", tsim_model_time_unit(m));
    tsim__json_number(&j, "replications", r->replications);
    tsim__json_number(&j, "seed", (double)in->seed);
    tsim__json_number(&j, "events", (double)in->events_applied);
    tsim__json_number(&j, "completed", (double)in->completed);
    if (r->error[0]) {
        /* No figures from replications that did not run to the horizon. */
        tsim__json_string(&j, "error", r->error);
    } else {
        write_figures(&j, in, r, origin, unit_s);
        tsim__json_number(&j, "wall_ms", round(r->wall_s * 1e3 * 1000) / 1000);
    }
    tsim__json_close(&j, '{');
    return b.p;
}

/* ---- alerts --------------------------------------------------------------------------------- */

static const char *const kpi_names[] = {"output", "p_meet_plan", "p_on_time"};

void tsim__alerts_init(struct tsim__alerts *a, const struct tsim__map *map)
{
    a->n = map->nalerts;
    a->raised = tsim__malloc((size_t)(a->n ? a->n : 1));
    memset(a->raised, -1, (size_t)(a->n ? a->n : 1));
}

void tsim__alerts_release(struct tsim__alerts *a)
{
    tsim__free(a->raised);
    a->raised = NULL;
}

int tsim__alerts_check(struct tsim__alerts *a, const struct tsim__map *map,
                       const struct tsim__fc_result *r, void (*emit)(void *ctx, const char *json),
                       void *ctx)
{
    int emitted = 0;
    if (r->error[0]) return 0; /* a failed forecast has no figures to cross a threshold */
    for (int i = 0; i < a->n && i < map->nalerts; i++) {
        const struct tsim__alert *al = &map->alerts[i];
        double v;
        switch (al->kpi) {
        case TSIM__KPI_OUTPUT: v = r->out.mean; break;
        case TSIM__KPI_P_PLAN: v = r->p_plan; break;
        default: v = r->min_p_on_time; break;
        }
        if (v < 0 && al->kpi != TSIM__KPI_OUTPUT) continue; /* no plan, or no open orders */
        int on = al->below ? v < al->threshold : v > al->threshold;
        /* Raise on the first forecast that crosses; clear only what was raised. */
        if (on == a->raised[i] || (!on && a->raised[i] < 0)) {
            a->raised[i] = (signed char)on;
            continue;
        }
        a->raised[i] = (signed char)on;
        char text[160];
        snprintf(text, sizeof text, "'%s' %s %g", kpi_names[al->kpi],
                 al->below ? "below" : "above", al->threshold);
        struct tsim__sb b = {0};
        struct tsim__json j;
        tsim__json_init_sb(&j, &b, TSIM__JSON_MSG);
        tsim__json_open(&j, NULL, '{', 0);
        tsim__json_string(&j, "alert", text);
        tsim__json_string(&j, "state", on ? "raised" : "cleared");
        tsim__json_string(&j, "kpi", kpi_names[al->kpi]);
        tsim__json_number(&j, "value", r6(v));
        tsim__json_number(&j, "threshold", al->threshold);
        tsim__json_number(&j, "forecast", (double)r->id);
        tsim__json_number(&j, "now", r6(r->now));
        tsim__json_number(&j, "horizon", r6(r->horizon));
        tsim__json_close(&j, '{');
        emit(ctx, b.p);
        tsim__sb_release(&b);
        emitted++;
    }
    return emitted;
}
