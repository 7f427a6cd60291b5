/*
 * The initial stock of a storage block read from a CSV file (stockcsv.c has the format and
 * every check). Not API.
 */
#ifndef TSIM_MODEL_STOCKCSV_H
#define TSIM_MODEL_STOCKCSV_H

#include "blocks/desc.h"

#include <stddef.h>

/* What a stock file may put in the rack it fills: `bays` x `levels` slots (or lanes), each
 * holding at most `loads` loads (a selective rack's `slot_loads`, a lane's `depth`), of one
 * product when `one_product` (a lane, or dedicated put-away; else products may share a slot).
 * `lanes`: the slots are lanes (for messages). */
struct tsim__stock_room {
    long long bays, levels, loads;
    int one_product, lanes;
};

/* Read the stock of a rack of `room` from file `path` or from `text`, named `shown` in messages.
 * Returns 0 with `out` filled (release it), or -1 with "SHOWN:LINE:COL: message" in `err` and
 * `out` empty. */
int tsim__stock_read(const char *path, const struct tsim_model *m,
                     const struct tsim__stock_room *room, const char *shown,
                     struct tsim__stock *out, char *err, size_t errlen);
int tsim__stock_parse(const char *text, size_t len, const struct tsim_model *m,
                      const struct tsim__stock_room *room, const char *shown,
                      struct tsim__stock *out, char *err, size_t errlen);
void tsim__stock_release(struct tsim__stock *s);

#endif
