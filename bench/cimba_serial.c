/*
 * Serial line of 10 machines with blocking after service, written for cimba 3.x (REFERENCE model
 * (b)). Each machine is a process; the 9 buffers are object queues of capacity 5, and a machine
 * that finished a part waits in the put (blocked) until the next buffer has room. Machine 1
 * always has material and releases N parts. The run ends when the last part leaves machine 10.
 * Usage: cimba_serial [N] [SEED]
 */
#include <stdbool.h>
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cimba.h>

#include "bench_util.h"

#define MACHINES 10
#define CAPACITY 5

struct part {
    double started;
    struct part *next_free;
};

struct line;

struct station {
    struct line *line;
    int index;
    struct cmb_process *proc;
    double blocked;
};

struct line {
    uint64_t n;
    struct cmb_objectqueue *buf[MACHINES - 1];
    struct station st[MACHINES];
    uint64_t done;
    double flow_sum;
    struct part *free_list;
};

static struct part *part_new(struct line *l)
{
    struct part *p = l->free_list;
    if (p != NULL) {
        l->free_list = p->next_free;
        return p;
    }
    p = malloc(sizeof(*p));
    if (p == NULL) {
        abort();
    }
    return p;
}

static void *machine(struct cmb_process *me, void *ctx)
{
    struct station *s = ctx;
    struct line *l = s->line;
    (void)me;
    for (uint64_t i = 0; i < l->n; i++) {
        struct part *p;
        if (s->index == 0) {
            p = part_new(l);
            p->started = cmb_time();
        } else {
            void *obj = NULL;
            cmb_objectqueue_get(l->buf[s->index - 1], &obj);
            p = obj;
        }
        cmb_process_hold(cmb_random_exponential(1.0));
        if (s->index == MACHINES - 1) {
            l->flow_sum += cmb_time() - p->started;
            l->done++;
            p->next_free = l->free_list;
            l->free_list = p;
        } else {
            double t = cmb_time();
            cmb_objectqueue_put(l->buf[s->index], p);
            s->blocked += cmb_time() - t;
        }
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
    static struct line l;
    l.n = n;
    for (int i = 0; i < MACHINES - 1; i++) {
        char name[32];
        snprintf(name, sizeof(name), "buffer%d", i + 1);
        l.buf[i] = cmb_objectqueue_create();
        cmb_objectqueue_initialize(l.buf[i], name, CAPACITY);
    }
    for (int i = 0; i < MACHINES; i++) {
        char name[32];
        snprintf(name, sizeof(name), "machine%d", i + 1);
        l.st[i].line = &l;
        l.st[i].index = i;
        l.st[i].proc = cmb_process_create();
        cmb_process_initialize(l.st[i].proc, name, machine, &l.st[i], 0);
    }
    for (int i = 0; i < MACHINES; i++) {
        cmb_process_start(l.st[i].proc);
    }
    cmb_event_queue_execute();
    double end = cmb_time();

    for (int i = 0; i < MACHINES; i++) {
        cmb_process_terminate(l.st[i].proc);
        cmb_process_destroy(l.st[i].proc);
    }
    for (int i = 0; i < MACHINES - 1; i++) {
        cmb_objectqueue_terminate(l.buf[i]);
        cmb_objectqueue_destroy(l.buf[i]);
    }
    cmb_event_queue_terminate();
    cmb_random_terminate();
    while (l.free_list != NULL) {
        struct part *p = l.free_list;
        l.free_list = p->next_free;
        free(p);
    }
    double wall = bench_now() - t0, cpu = bench_cpu() - c0;

    double thr = (double)l.done / end;
    double flow = l.flow_sum / (double)l.done;
    printf("cimba %s serial: parts %" PRIu64 "  end time %.1f\n", cimba_version(), l.done, end);
    printf("  throughput %.4f  flow time %.3f  in buffers and blocked %.3f\n", thr, flow,
           flow - MACHINES);
    printf("  blocked fraction M1..M9:");
    for (int i = 0; i < MACHINES - 1; i++) {
        printf(" %.3f", l.st[i].blocked / end);
    }
    printf("\nRESULT engine=cimba model=serial wall=%.4f cpu=%.4f rss_mb=%.1f throughput=%.4f"
           " flow=%.3f\n",
           wall, cpu, bench_peak_rss_mb(), thr, flow);
    return 0;
}
