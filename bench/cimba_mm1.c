/*
 * M/M/1 at rho = 0.9 written for cimba 3.x (REFERENCE model (a)): an arrival process puts
 * N customers into an unlimited object queue, a server process takes them FIFO. The run ends
 * when the event queue is empty, after the last customer has left.
 * Usage: cimba_mm1 [N] [SEED]
 */
#include <stdbool.h>
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cimba.h>

#include "bench_util.h"

struct customer {
    double arrived;
    struct customer *next_free;
};

struct mm1 {
    struct cmb_objectqueue *queue;
    uint64_t n;
    uint64_t done;
    double wait_sum;
    struct customer *free_list;
};

static struct customer *customer_new(struct mm1 *m)
{
    struct customer *c = m->free_list;
    if (c != NULL) {
        m->free_list = c->next_free;
        return c;
    }
    c = malloc(sizeof(*c));
    if (c == NULL) {
        abort();
    }
    return c;
}

static void *arrivals(struct cmb_process *me, void *ctx)
{
    struct mm1 *m = ctx;
    (void)me;
    for (uint64_t i = 0; i < m->n; i++) {
        cmb_process_hold(cmb_random_exponential(1.0 / 0.9));
        struct customer *c = customer_new(m);
        c->arrived = cmb_time();
        cmb_objectqueue_put(m->queue, c);
    }
    return NULL;
}

static void *server(struct cmb_process *me, void *ctx)
{
    struct mm1 *m = ctx;
    (void)me;
    for (uint64_t i = 0; i < m->n; i++) {
        void *obj = NULL;
        cmb_objectqueue_get(m->queue, &obj);
        struct customer *c = obj;
        m->wait_sum += cmb_time() - c->arrived;
        cmb_process_hold(cmb_random_exponential(1.0));
        m->done++;
        c->next_free = m->free_list;
        m->free_list = c;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000u;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1u;
    double t0 = bench_now(), c0 = bench_cpu();

    cmb_logger_flags_off(CMB_LOGGER_INFO);
    cmb_random_initialize(seed);
    cmb_event_queue_initialize(0.0);
    struct mm1 m = {.n = n};
    m.queue = cmb_objectqueue_create();
    cmb_objectqueue_initialize(m.queue, "queue", CMB_UNLIMITED);
    struct cmb_process *arr = cmb_process_create();
    cmb_process_initialize(arr, "arrivals", arrivals, &m, 0);
    struct cmb_process *srv = cmb_process_create();
    cmb_process_initialize(srv, "server", server, &m, 0);
    cmb_process_start(arr);
    cmb_process_start(srv);
    cmb_event_queue_execute();
    double end = cmb_time();

    cmb_process_terminate(arr);
    cmb_process_destroy(arr);
    cmb_process_terminate(srv);
    cmb_process_destroy(srv);
    cmb_objectqueue_terminate(m.queue);
    cmb_objectqueue_destroy(m.queue);
    cmb_event_queue_terminate();
    cmb_random_terminate();
    while (m.free_list != NULL) {
        struct customer *c = m.free_list;
        m.free_list = c->next_free;
        free(c);
    }
    double wall = bench_now() - t0, cpu = bench_cpu() - c0;

    double wq = m.wait_sum / (double)m.done;
    double thr = (double)m.done / end;
    printf("cimba %s mm1: customers %" PRIu64 "  end time %.1f\n", cimba_version(), m.done, end);
    printf("  Wq %.4f (theory 9.0)  throughput %.4f (theory 0.9)\n", wq, thr);
    printf("RESULT engine=cimba model=mm1 wall=%.4f cpu=%.4f rss_mb=%.1f wq=%.4f"
           " throughput=%.4f\n",
           wall, cpu, bench_peak_rss_mb(), wq, thr);
    return 0;
}
