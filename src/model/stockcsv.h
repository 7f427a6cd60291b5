/*
 * The initial stock of a storage block read from a CSV file (stockcsv.c has the format and
 * every check). Not API.
 */
#ifndef TSIM_MODEL_STOCKCSV_H
#define TSIM_MODEL_STOCKCSV_H

#include "blocks/desc.h"

#include <stddef.h>

/* Read the stock of a rack of `bays` x `levels` from file `path` or from `text`, named `shown`
 * in messages. Returns 0 with `out` filled (release it), or -1 with "SHOWN:LINE:COL: message"
 * in `err` and `out` empty. */
int tsim__stock_read(const char *path, const struct tsim_model *m, long long bays,
                     long long levels, const char *shown, struct tsim__stock *out, char *err,
                     size_t errlen);
int tsim__stock_parse(const char *text, size_t len, const struct tsim_model *m, long long bays,
                      long long levels, const char *shown, struct tsim__stock *out, char *err,
                      size_t errlen);
void tsim__stock_release(struct tsim__stock *s);

#endif
