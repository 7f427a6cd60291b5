/*
 * The one-vehicle trip that the fleet's hand-timed tests share: home H; one request at 1 (or one
 * a minute from 1: fleet_trip_n), picked up at P and carried to D; then the vehicle drives home
 * (`idle: home`). Segments: H-P 4
 * (two-way), P to D (one-way: 6 long unless the test gives its own), D->H 2 (one-way). Empty
 * speed 2, loaded 1 (length units per minute); load 1, unload 0.5.
 */
#ifndef TSIM_TEST_FLEET_TRIP_H
#define TSIM_TEST_FLEET_TRIP_H

#include "check.h"
#include "model_text.h"

#include <stdio.h>
#include <string.h>

/* The trip's model text into `out`, with `requests` requests (at 1, 2, ...): the fleet's keys
 * `keys` (from line 15, before its route), the network's nodes `nodes` (NULL: "H, P, D"), its
 * segments from P to D `pd` (NULL: one 6 long) and its keys `net` after the segments. */
static inline void fleet_trip_n(char *out, size_t size, int requests, const char *keys,
                                const char *nodes, const char *pd, const char *net)
{
    snprintf(out, size,
             "name: trip\n"
             "time_unit: min\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    limit: %d\n"
             "    to: amr\n"
             "  - fleet: amr\n"
             "    count: 1\n"
             "    speed: 2\n"
             "    speed_loaded: 1\n"
             "    load: 1\n"
             "    unload: 0.5\n"
             "    idle: home\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n"
             "network:\n"
             "  nodes: [%s]\n"
             "  segments:\n"
             "    - {from: H, to: P, length: 4}\n"
             "%s"
             "    - {from: D, to: H, length: 2, one_way: true}\n"
             "%s"
             "  at: {in: P, amr: H, out: D}\n",
             requests, keys, nodes ? nodes : "H, P, D",
             pd ? pd : "    - {from: P, to: D, length: 6, one_way: true}\n", net ? net : "");
}

/* The trip with its one request. */
static inline void fleet_trip(char *out, size_t size, const char *keys, const char *nodes,
                              const char *pd, const char *net)
{
    fleet_trip_n(out, size, 1, keys, nodes, pd, net);
}

/* The model `text` (read as fleet.yaml) must fail to load, its first error containing `want`. */
static inline void fleet_trip_error(const char *text, const char *want)
{
    char diag[1024] = "";
    model_first_error(text, "fleet.yaml", diag, sizeof diag);
    CHECK(strstr(diag, want) != NULL);
    if (!strstr(diag, want)) fprintf(stderr, "  got '%s'\n  want '%s'\n", diag, want);
}
#endif
