/*
 * The order lines of a picking block read from a CSV file (ordercsv.c has the format and every
 * check). Not API.
 */
#ifndef TSIM_MODEL_ORDERCSV_H
#define TSIM_MODEL_ORDERCSV_H

#include "blocks/desc.h"

#include <stddef.h>

/* Read the order lines in file `path` (text NULL) or in `text[0..len)`, named `shown` in
 * messages, for the products of `m`. Returns 0 with `out` filled (release it with
 * tsim__orderlines_release), or -1 with "SHOWN:LINE:COL: message" in `err` and `out` empty. */
int tsim__orders_read(const char *path, const char *text, size_t len, const struct tsim_model *m,
                      const char *shown, struct tsim__orderlines *out, char *err, size_t errlen);

#endif
