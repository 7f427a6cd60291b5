/*
 * Forecasts (src/twin/forecast.c): a forecast from a clone against a direct run from the same
 * state, and alerts raised once per crossing.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "model_text.h"
#include "twin_fixture.h"

#include <math.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile p of sorted xs by the definition (type 7: h = (n - 1) p, linear between neighbours). */
static double type7(const double *xs, int n, double p)
{
    double h = (n - 1) * p, f = floor(h);
    int i = (int)f;
    return i + 1 < n ? xs[i] + (h - f) * (xs[i + 1] - xs[i]) : xs[n - 1];
}

static void test_forecast_equals_direct_run(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = live_after_events(m, map, &in);
    struct tsim__fc_input fi;
    tsim__fc_input_take(&fi, lv, 1);
    CHECK(fi.norders == 1 && fi.horizon == 480);
    if (fi.norders != 1 || lv->norders != 1) return;
    struct tsim__fc_result r1, r4;
    tsim__fc_run(&fi, &r1);
    fi.threads = 4;
    tsim__fc_run(&fi, &r4);
    int same_threads = 1;
    for (int i = 0; i < fi.replications; i++) same_threads &= r1.output[i] == r4.output[i];
    CHECK(same_threads);
    CHECK(r1.out.n == 12 && r1.out.mean > 200 && r1.out.half_width > 0);
    CHECK(r1.p_plan >= 0 && r1.p_plan <= 1);
    CHECK(r1.bottleneck >= 0);
    /* Direct: rebuild the same live state from the same messages (no clone), reseed, run. */
    int equal = 1, done_n = 0, on_time = 0;
    double done_sum = 0, outs[64], wips[64];
    CHECK(fi.replications <= 64);
    if (fi.replications > 64) return;
    int done_blk = tsim_model_find_block(m, "done");
    for (int i = 0; i < fi.replications; i++) {
        struct tsim__ingest in2;
        tsim__ingest_init(&in2, map);
        struct tsim__live *lv2 = live_after_events(m, map, &in2);
        tsim__live_settle(lv2);
        uint64_t before = tsim_block_entered(lv2->sim, done_blk);
        void *rp = tsim__fc_prepare(&fi, lv2->sim, i);
        tsim_sim_run_until(lv2->sim, fi.horizon);
        tsim__free(rp);
        double out = (double)(fi.completed + tsim_block_entered(lv2->sim, done_blk) - before);
        outs[i] = out;
        wips[i] = 0;
        for (int b = 0; b < tsim_model_block_count(m); b++)
            if (b != done_blk) wips[i] += (double)tsim_block_content(lv2->sim, b);
        if (out != r1.output[i]) {
            fprintf(stderr, "  replication %d: forecast %g, direct %g\n", i, r1.output[i], out);
            equal = 0;
        }
        double last = 0;
        for (int k = 0; k < lv2->orders[0].nentity; k++) {
            double t = tsim_sim_completion_time(lv2->sim, lv2->orders[0].entity[k]);
            last = t < 0 || last < 0 ? -1 : (t > last ? t : last);
        }
        if (last >= 0) {
            done_sum += last;
            done_n++;
            on_time += last <= lv2->orders[0].due;
        }
        tsim__live_destroy(lv2);
        tsim__ingest_release(&in2);
    }
    CHECK(equal);
    /* The fan's last point: the quantiles of what the direct runs finished and held at the
     * horizon; its first: the state now (every replication the same); output never goes back. */
    CHECK(r1.fan_t[0] == fi.now && r1.fan_t[TSIM__FC_FAN_POINTS - 1] == fi.horizon);
    qsort(outs, (size_t)fi.replications, sizeof *outs, cmp_double);
    qsort(wips, (size_t)fi.replications, sizeof *wips, cmp_double);
    enum { P = TSIM__FC_FAN_POINTS };
    for (int q = 0; q < TSIM__FC_FAN_QUANTILES; q++) {
        CHECK_NEAR(r1.fan_output[q * P + P - 1], type7(outs, fi.replications, tsim__fc_fan_q[q]), 1e-9);
        CHECK_NEAR(r1.fan_wip[q * P + P - 1], type7(wips, fi.replications, tsim__fc_fan_q[q]), 1e-9);
        CHECK_NEAR(r1.fan_output[q * P], (double)fi.completed, 1e-9);
        CHECK_NEAR(r1.fan_wip[q * P], r1.fan_wip[P * (TSIM__FC_FAN_QUANTILES - 1)], 1e-9);
        for (int k = 1; k < P; k++) CHECK(r1.fan_output[q * P + k] >= r1.fan_output[q * P + k - 1]);
        if (q > 0)
            for (int k = 0; k < P; k++) CHECK(r1.fan_wip[q * P + k] >= r1.fan_wip[(q - 1) * P + k]);
    }
    for (int k = 0; k < P * TSIM__FC_FAN_QUANTILES; k++) CHECK(r1.fan_output[k] == r4.fan_output[k]);
    /* The order's completion and its chance to be on time, from the direct runs. */
    CHECK(done_n > 0);
    CHECK_NEAR(r1.orders[0].completion_mean, done_n ? done_sum / done_n : -1, 1e-9);
    CHECK_NEAR(r1.orders[0].p_complete, (double)done_n / fi.replications, 1e-12);
    CHECK_NEAR(r1.orders[0].p_on_time, (double)on_time / fi.replications, 1e-12);
    char *json = tsim__fc_json(&fi, &r1);
    CHECK(strstr(json, "\"forecast\":1,") != NULL);
    CHECK(strstr(json, "\"orders\":[{\"id\":\"O7\",\"product\":\"small\",\"quantity\":15,") != NULL);
    CHECK(strstr(json, "\"p_meet_plan\":") != NULL);
    CHECK(strstr(json, "\"fan\":{\"t\":[") != NULL);
    CHECK(strstr(json, "\"quantiles\":[0.05,0.25,0.5,0.75,0.95],\"output\":[[") != NULL);
    tsim__free(json);
    tsim__fc_result_release(&r1);
    tsim__fc_result_release(&r4);
    tsim__fc_input_release(&fi);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* A forecast replication stopped by an error (here a horizon past the last time the model's
 * resolution can count) gives the forecast no figures: its JSON says why, the same at any thread
 * count, and no alert is raised from it. */
static void test_forecast_with_a_stopped_replication(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = live_after_events(m, map, &in);
    struct tsim__fc_input fi;
    tsim__fc_input_take(&fi, lv, 1);
    fi.horizon = 2 * tsim_model_max_time(m);
    struct tsim__fc_result r1, r4;
    tsim__fc_run(&fi, &r1);
    fi.threads = 4;
    tsim__fc_run(&fi, &r4);
    CHECK(strncmp(r1.error, "replication 0: ", 15) == 0 && strstr(r1.error, "latest") != NULL);
    CHECK(strcmp(r1.error, r4.error) == 0);
    char *json = tsim__fc_json(&fi, &r1);
    CHECK(strstr(json, "\"error\":\"replication 0: ") != NULL);
    CHECK(strstr(json, "\"output\"") == NULL);
    tsim__free(json);
    struct tsim__alerts a;
    tsim__alerts_init(&a, map);
    int raised = tsim__alerts_check(&a, map, &r1, NULL, NULL);
    CHECK_EQ(raised, 0);
    tsim__alerts_release(&a);
    tsim__fc_result_release(&r1);
    tsim__fc_result_release(&r4);
    tsim__fc_input_release(&fi);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

static int alerts_seen;
static char last_alert[512];
static void on_alert(void *ctx, const char *json)
{
    (void)ctx;
    alerts_seen++;
    snprintf(last_alert, sizeof last_alert, "%s", json);
}

static void test_alerts(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__alerts a;
    tsim__alerts_init(&a, map);
    struct tsim__fc_result r;
    memset(&r, 0, sizeof r);
    r.min_p_on_time = -1;
    r.p_plan = 0.9;
    CHECK(tsim__alerts_check(&a, map, &r, on_alert, NULL) == 0);
    r.p_plan = 0.5;
    r.id = 2;
    CHECK(tsim__alerts_check(&a, map, &r, on_alert, NULL) == 1);
    CHECK(strstr(last_alert, "\"alert\":\"'p_meet_plan' below 0.8\",\"state\":\"raised\"") != NULL);
    r.p_plan = 0.4;
    CHECK(tsim__alerts_check(&a, map, &r, on_alert, NULL) == 0);
    r.p_plan = 0.85;
    CHECK(tsim__alerts_check(&a, map, &r, on_alert, NULL) == 1);
    CHECK(strstr(last_alert, "\"state\":\"cleared\"") != NULL);
    CHECK(alerts_seen == 2);
    tsim__alerts_release(&a);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* A forecast input made by hand from `sim` run to `now` (no plant, no mapping): what the fleet
 * and charger forecasts read. */
static void input_at(struct tsim__fc_input *fi, struct tsim_sim *sim, double now, double horizon)
{
    tsim_sim_run_until(sim, now);
    memset(fi, 0, sizeof *fi);
    fi->base = tsim_sim_clone(sim);
    fi->id = 1;
    fi->now = now;
    fi->horizon = horizon;
    fi->plant_time = 1000000 + now * 60;
    fi->replications = 3;
    fi->seed = 1;
    fi->threads = 1;
}

/* One vehicle, home at the pickup P, 2 min from the drop D (speed 1, no handling time); four
 * requests at 1, 2, 3 and 4 min, `deliver_within: 6`. Trips: r1 delivered at 3; the vehicle
 * drives back (at P at 5) for r2, delivered at 7; r3 at 11; r4 at 15: delivery times 2, 5, 8 and
 * 11, so r3 and r4 are late. */
static const char backlog_yaml[] = "name: backlog\n"
                                   "time_unit: min\n"
                                   "blocks:\n"
                                   "  - source: in\n"
                                   "    interarrival: 1\n"
                                   "    limit: 4\n"
                                   "    to: amr\n"
                                   "  - fleet: amr\n"
                                   "    count: 1\n"
                                   "    speed: 1\n"
                                   "    deliver_within: 6\n"
                                   "    to: out\n"
                                   "  - sink: out\n"
                                   "network:\n"
                                   "  nodes: [P, D]\n"
                                   "  segments:\n"
                                   "    - {from: P, to: D, length: 2}\n"
                                   "  at: {in: P, amr: P, out: D}\n";

/* Forecast from `now` to `horizon`: the late requests by the horizon (the same in every
 * replication: no draw), those late already now, and each open request's chance of being late
 * and its delivery, in the fleet's order (waiting oldest first, then the vehicle's). */
static void backlog_case(double now, double horizon, double late, int overdue, int nreq,
                         const double *since, const double *p_late, const double *delivery,
                         const char *json_has)
{
    struct tsim_model *m = model_must_load(backlog_yaml, "backlog.yaml");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    struct tsim__fc_input fi;
    input_at(&fi, sim, now, horizon);
    struct tsim__fc_result r, r4;
    tsim__fc_run(&fi, &r);
    fi.threads = 4;
    tsim__fc_run(&fi, &r4);
    CHECK_STR(r.error, "");
    CHECK_EQ(r.nfleets, 1);
    CHECK_EQ(r.nchargers, 0);
    if (r.nfleets == 1) {
        const struct tsim__fc_fleet *f = &r.fleets[0];
        CHECK_EQ(f->block, tsim_model_find_block(m, "amr"));
        CHECK_NEAR(f->within, 6, 0);
        CHECK_NEAR(f->late.mean, late, 0);
        CHECK_NEAR(f->late.half_width, 0, 0);
        CHECK_EQ(f->overdue, overdue);
        CHECK_EQ(f->open, nreq);
        CHECK_EQ(f->nreq, nreq);
        for (int k = 0; k < f->nreq && k < nreq; k++) {
            const struct tsim__fc_request *q = &f->req[k];
            CHECK_NEAR(q->since, since[k], 1e-12);
            CHECK_NEAR(q->p_late, p_late[k], 0);
            CHECK_NEAR(q->delivery_mean, delivery[k], 1e-12);
            CHECK_NEAR(q->p_delivered, delivery[k] < 0 ? 0 : 1, 0);
            CHECK_EQ(q->from, tsim_model_find_block(m, "in"));
            CHECK_EQ(q->to, delivery[k] < 0 ? -1 : tsim_model_find_block(m, "out"));
            CHECK_STR(q->order, "");
            CHECK(r4.nfleets == 1 && r4.fleets[0].req[k].p_late == q->p_late &&
                  r4.fleets[0].req[k].delivery_mean == q->delivery_mean);
        }
    }
    char *json = tsim__fc_json(&fi, &r);
    if (!strstr(json, json_has)) {
        fprintf(stderr, "  no %s in %s\n", json_has, json);
        check_failed_ = 1;
    }
    CHECK(strstr(json, "\"chargers\"") == NULL);
    tsim__free(json);
    tsim__fc_result_release(&r);
    tsim__fc_result_release(&r4);
    tsim__fc_input_release(&fi);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_forecast_late_requests_by_hand(void)
{
    /* At 4.5 the vehicle drives back for r2 (since 2); r3 and r4 wait. By 20 all are delivered,
     * r3 and r4 late. */
    backlog_case(4.5, 20, 2, 0, 3, (const double[]){3, 4, 2}, (const double[]){1, 1, 0},
                 (const double[]){11, 15, 7},
                 "\"fleets\":[{\"fleet\":\"amr\",\"deliver_within\":6,\"open\":3,\"overdue\":0,"
                 "\"late\":{\"mean\":2,\"half_width\":0,\"min\":2,\"max\":2},\"requests\":[{"
                 "\"entity\":");
    /* By 12: r3 handed over late at 11, r4 still on its way and past its time (12 - 4 > 6). */
    backlog_case(4.5, 12, 2, 0, 3, (const double[]){3, 4, 2}, (const double[]){1, 1, 0},
                 (const double[]){11, -1, 7}, "\"p_late\":1,\"p_delivered\":0,\"delivery\":null}");
    /* By 9.5: r3 is not handed over and past its time (9.5 - 3 > 6), r4 not yet (5.5). */
    backlog_case(4.5, 9.5, 1, 0, 3, (const double[]){3, 4, 2}, (const double[]){1, 0, 0},
                 (const double[]){-1, -1, 7}, "\"late\":{\"mean\":1,");
    /* At 10 r3 is on board and late already (10 - 3 > 6); r4 waits. */
    backlog_case(10, 20, 2, 1, 2, (const double[]){4, 3}, (const double[]){1, 1},
                 (const double[]){15, 11}, "\"open\":2,\"overdue\":1,");
}

/* Two vehicles with a battery (10 kWh, idle draw 1 kW, none driving) wait at home H and both go
 * to charge below half (`charge_idle_below: 0.5`) at 5 h, to the one-point charger C an hour
 * away. The first charges 5 -> 9 kWh at 4 kW from 6 to 7; the second waits that hour (its
 * charge falls to 4 kWh) and charges from 7 to 8.25. Idle at C, they go again at 11 and 12.25,
 * when the point is free. A forecast from 3 to 10: a vehicle waits in every replication, the
 * queue holds 1 for 1 h of 7 (mean 1/7), at most 1, and the two points taken waited 0 and 1 h. */
static const char charge_yaml[] = "name: two-charge\n"
                                  "time_unit: h\n"
                                  "blocks:\n"
                                  "  - fleet: amr\n"
                                  "    count: 2\n"
                                  "    speed: 1\n"
                                  "    battery: 10\n"
                                  "    draw_idle: 1\n"
                                  "    charge_rate: 4\n"
                                  "    charge_idle_below: 0.5\n"
                                  "    to: out\n"
                                  "  - sink: out\n"
                                  "  - charger: chg\n"
                                  "    points: 1\n"
                                  "network:\n"
                                  "  nodes: [H, C, D]\n"
                                  "  segments:\n"
                                  "    - {from: H, to: C, length: 1}\n"
                                  "    - {from: H, to: D, length: 1}\n"
                                  "  at: {amr: H, chg: C, out: D}\n";

static void test_forecast_charger_queues(void)
{
    struct tsim_model *m = model_must_load(charge_yaml, "charge.yaml");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    struct tsim__fc_input fi;
    input_at(&fi, sim, 3, 10);
    struct tsim__fc_result r;
    tsim__fc_run(&fi, &r);
    CHECK_STR(r.error, "");
    CHECK_EQ(r.nfleets, 0); /* no delivery target */
    CHECK_EQ(r.nchargers, 1);
    if (r.nchargers == 1) {
        const struct tsim__fc_charger *c = &r.chargers[0];
        CHECK_EQ(c->block, tsim_model_find_block(m, "chg"));
        CHECK_EQ(c->points, 1);
        CHECK_EQ(c->queue_now, 0);
        CHECK_NEAR(c->p_queue, 1, 0);
        CHECK_NEAR(c->queue.mean, 1.0 / 7, 1e-12);
        CHECK_NEAR(c->queue_max.mean, 1, 0);
        CHECK_NEAR(c->queue_max.max, 1, 0);
        CHECK_NEAR(c->wait.mean, 0.5, 1e-12);
        CHECK_EQ((int)c->wait.n, 3);
    }
    char *json = tsim__fc_json(&fi, &r);
    CHECK(strstr(json, "\"chargers\":[{\"charger\":\"chg\",\"points\":1,\"queue_now\":0,"
                       "\"p_queue\":1,\"queue_mean\":0.142857,\"queue_mean_half_width\":0,"
                       "\"queue_max_mean\":1,\"queue_max\":1,\"wait_mean\":0.5,"
                       "\"wait_half_width\":0}]") != NULL);
    CHECK(strstr(json, "\"fleets\"") == NULL);
    tsim__free(json);
    tsim__fc_result_release(&r);
    tsim__fc_input_release(&fi);
    /* From 6.5 (the second vehicle waiting) to 7.5: it is in the queue now; the window holds
     * half an hour of it, and its point at 7 after its 1 h wait. Before 6 and after 7.5 nobody
     * waits: from 8 to 10 the charger does not queue. */
    input_at(&fi, sim, 6.5, 7.5);
    tsim__fc_run(&fi, &r);
    CHECK(r.nchargers == 1 && r.chargers[0].queue_now == 1 && r.chargers[0].p_queue == 1);
    CHECK(r.nchargers == 1 && fabs(r.chargers[0].queue.mean - 0.5) < 1e-12);
    CHECK(r.nchargers == 1 && fabs(r.chargers[0].wait.mean - 1) < 1e-12);
    tsim__fc_result_release(&r);
    tsim__fc_input_release(&fi);
    input_at(&fi, sim, 8, 10);
    tsim__fc_run(&fi, &r);
    CHECK(r.nchargers == 1 && r.chargers[0].p_queue == 0 && r.chargers[0].queue_max.max == 0);
    CHECK(r.nchargers == 1 && r.chargers[0].wait.n == 0);
    json = tsim__fc_json(&fi, &r);
    CHECK(strstr(json, "\"wait_mean\":null") != NULL);
    tsim__free(json);
    tsim__fc_result_release(&r);
    tsim__fc_input_release(&fi);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_forecast_equals_direct_run);
    RUN(test_forecast_with_a_stopped_replication);
    RUN(test_alerts);
    RUN(test_forecast_late_requests_by_hand);
    RUN(test_forecast_charger_queues);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_forecast_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
