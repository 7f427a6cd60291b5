/*
 * The experiment store (exp_store.c): the SQLite database that keeps every finished
 * replication (what --resume reads back), the JSON document and the comparison table.
 */
#ifndef TSIM_RUN_EXP_STORE_H
#define TSIM_RUN_EXP_STORE_H

#include "run/xrun.h"

/* JSON, SQLite store, comparison table. */
int tsim__xdb_open(struct tsim__xrun *x, const char *path, int resume);
void tsim__xdb_close(struct tsim__xrun *x, const char *status);
/* Look up a stored replication; fills row and returns 1 if found. */
int tsim__xdb_lookup(struct tsim__xrun *x, uint32_t scen, uint32_t rep, double *row);
/* Store a finished replication's row; commit what is stored. 0, or -1 after saying why (a full
 * disk): the driver then stops, as what it computes could no longer be kept. */
int tsim__xdb_put(struct tsim__xrun *x, uint32_t scen, uint32_t rep, const double *row);
int tsim__xdb_flush(struct tsim__xrun *x);
void tsim__xdb_put_scenario(struct tsim__xrun *x, size_t s);
/* Record the finished run: summaries, JSON and status "done", all or nothing. 0, or -1 after
 * saying why. */
int tsim__xdb_finish(struct tsim__xrun *x, const char *json);
/* A buffer's trace: n points. Exact (lo and hi NULL): the content is v[i] from t[i] on, the
 * last point at the run's end. In intervals: t holds n + 1 edges, the last the run's end, and
 * the interval from t[i] to t[i + 1] has time-weighted mean v[i], lowest content lo[i] and
 * highest hi[i]. */
void tsim__xdb_put_trace(struct tsim__xrun *x, size_t s, int block, const double *t,
                         const double *v, const double *lo, const double *hi, size_t n);
/* The samples of replication 0 of scenario s (`--trace T`, run/trace.h), in the open batch. */
struct tsim__trace;
void tsim__xdb_put_samples(struct tsim__xrun *x, size_t s, const struct tsim__trace *tr);
/* Write the JSON document to `path` (NULL: nowhere; "-": standard output; a file is written
 * whole or not at all) and return its text in *out_text (free()). `extra` adds members (the
 * optimizer's path) before the timing line. 0, or TSIM_EIO with the reason in tsim_errmsg(). */
int tsim__xjson_write(struct tsim__xrun *x, const char *path, tsim__xjson_extra_fn *extra,
                      void *extra_ctx, double wall_s, char **out_text);
void tsim__xtable_print(struct tsim__xrun *x, FILE *f);

#endif
