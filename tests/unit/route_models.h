/*
 * What the tests of routes decided by a rule share (test_policy_route.c, test_env_model.c): two
 * models of two unequal machines behind a route, and a file written from a format.
 */
#ifndef TSIM_TEST_ROUTE_MODELS_H
#define TSIM_TEST_ROUTE_MODELS_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Orders routed to two unequal machines, each behind its queue (`route_queues`), or from one
 * queue to the machines themselves (`route_machines`: a busy machine blocks the queue); %s is
 * the route, e.g. "{rule: shortest_queue, among: [qa, qb]}". */
static const char route_queues[] =
    "name: route_queues\n"
    "time_unit: min\n"
    "run: {horizon: 1d}\n"
    "blocks:\n"
    "  - source: orders\n"
    "    interarrival: exponential(5)\n"
    "    to: %s\n"
    "  - buffer: qa\n"
    "    to: fast\n"
    "  - machine: fast\n"
    "    process: exponential(6)\n"
    "    to: done\n"
    "  - buffer: qb\n"
    "    to: slow\n"
    "  - machine: slow\n"
    "    process: exponential(12)\n"
    "    to: done\n"
    "  - sink: done\n";

static const char route_machines[] =
    "name: route_machines\n"
    "time_unit: min\n"
    "run: {horizon: 1d}\n"
    "blocks:\n"
    "  - source: orders\n"
    "    interarrival: exponential(5)\n"
    "    to: front\n"
    "  - buffer: front\n"
    "    to: %s\n"
    "  - machine: fast\n"
    "    process: exponential(6)\n"
    "    to: done\n"
    "  - machine: slow\n"
    "    process: exponential(12)\n"
    "    to: done\n"
    "  - sink: done\n";

/* Write `text` (a format with one %s, given `arg`) to a new file; returns its path (free it). */
static inline char *write_model(const char *text, const char *arg)
{
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/twinsim_test_XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        free(path);
        return NULL;
    }
    fprintf(f, text, arg);
    fclose(f);
    return path;
}

#endif
