/*
 * The trucks of a dock's appointments read from a CSV file (truckcsv.c has the format and every
 * check). Not API.
 */
#ifndef TSIM_MODEL_TRUCKCSV_H
#define TSIM_MODEL_TRUCKCSV_H

#include "blocks/desc.h"

#include <stddef.h>

/* The doors of the dock the trucks come to (its keys `doors`, `inbound_doors`, `outbound_doors`):
 * a truck's door must be one of them that serves its direction. */
struct tsim__truck_doors {
    long long doors, inbound, outbound;
};

/* Read the appointments in file `path` (text NULL) or in `text[0..len)`, named `shown` in
 * messages, for model `m` (its clock: run.start and the time unit) and a dock of `doors`.
 * Returns 0 with `out` filled (release it with tsim__trucks_release), or -1 with
 * "SHOWN:LINE:COL: message" in `err` and `out` empty. */
int tsim__trucks_read(const char *path, const char *text, size_t len, const char *shown,
                      const struct tsim_model *m, const struct tsim__truck_doors *doors,
                      struct tsim__trucks *out, char *err, size_t errlen);

/* Resolve the orders the trucks `t` of dock `dock` of model `m` name (their `orders` column;
 * nothing to do without it) against the orders files of the model's picking blocks whose shipped
 * orders can reach the dock along routes: fills t->truck_of and t->order_block (the dock's trucks
 * name the orders of one picking block). Returns 0, or -1 with "SHOWN:LINE:COL: message" in
 * `err` at the first id that is no order of those blocks (with a "did you mean"), that is an
 * order of a picking block whose orders cannot reach the dock, of a second picking block, or
 * that another truck names too; or at the first named order when no picking block reaches the
 * dock. */
int tsim__trucks_resolve(struct tsim__trucks *t, const struct tsim_model *m, int dock, char *err,
                         size_t errlen);

#endif
