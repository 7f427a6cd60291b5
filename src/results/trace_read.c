/*
 * The one reader of a stored trace: the samples `twinsim run --trace` keeps beside a run
 * (run_traces, run_trace_blocks) or `twinsim experiment --trace` beside each scenario of an
 * experiment (exp_samples, exp_sample_blocks), written as the trace's JSON document. The API
 * (/api/runs/ID/trace, /api/experiments/ID/trace) answers with it and the static report inlines
 * it, so the served page and the report draw the same numbers. The layout of the rows is
 * src/run/trace.c's; the document is docs/dashboard.md's.
 */
#include "core/core.h"
#include "results/results.h"

#include "core/sqlite_lib.h"
#include <string.h>

/* A series stored as a BLOB of `n` doubles, as a JSON array under `key`; 0, or -1 when the
 * BLOB does not hold n of them. NULL is written null. */
static int blob_series(struct tsim__json *j, const char *key, sqlite3_stmt *st, int col, size_t n)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        tsim__json_string(j, key, NULL);
        return 0;
    }
    const unsigned char *p = sqlite3_column_blob(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    if (len != n * sizeof(double)) return -1;
    tsim__json_open(j, key, '[', 1);
    for (size_t k = 0; k < n; k++) {
        double v;
        memcpy(&v, p + k * sizeof v, sizeof v);
        tsim__json_number(j, NULL, v);
    }
    tsim__json_close(j, '[');
    return 0;
}

int tsim__trace_json(sqlite3 *db, int64_t id, long long scen, FILE *f)
{
    static const char *const head[2] = {
        "SELECT r.time_unit, r.warmup, t.replication, t.interval, t.samples, t.truncated, t.t, "
        "t.wip, t.done FROM run_traces t JOIN runs r ON r.id = t.run_id WHERE t.run_id = ?1",
        "SELECT json_extract(r.json, '$.time_unit'), json_extract(r.json, '$.warmup'), "
        "t.replication, t.interval, t.samples, t.truncated, t.t, t.wip, t.done FROM exp_samples "
        "t JOIN exp_runs r ON r.id = t.run WHERE t.run = ?1 AND t.scen = ?2",
    };
    static const char *const blocks[2] = {
        "SELECT block, name, type, content, busy FROM run_trace_blocks WHERE run_id = ?1 "
        "ORDER BY block",
        "SELECT block, name, type, content, busy FROM exp_sample_blocks WHERE run = ?1 AND "
        "scen = ?2 ORDER BY block",
    };
    int exp = scen >= 0, rc = TSIM__TRACE_NONE;
    sqlite3_stmt *st = NULL, *bl = NULL;
    /* No table (a database no trace was ever recorded into, or one of schema version 2 and
     * older) or no row: the same answer. */
    if (sqlite3_prepare_v2(db, head[exp], -1, &st, NULL) != SQLITE_OK) goto done;
    sqlite3_bind_int64(st, 1, id);
    if (exp) sqlite3_bind_int64(st, 2, scen);
    if (sqlite3_step(st) != SQLITE_ROW) goto done;
    rc = TSIM__TRACE_DAMAGED;
    long long n = sqlite3_column_int64(st, 4);
    if (n < 0 || n > 100000000) goto done;
    struct tsim__json j;
    tsim__json_init(&j, f);
    j.flags |= TSIM__JSON_HTML; /* '<' escaped: the static report inlines it in a <script> */
    tsim__json_open(&j, NULL, '{', 0);
    tsim__json_int(&j, exp ? "experiment" : "run", id);
    if (exp) tsim__json_int(&j, "scenario", scen);
    tsim__json_string(&j, "time_unit", (const char *)sqlite3_column_text(st, 0));
    tsim__json_number(&j, "warmup", sqlite3_column_double(st, 1));
    tsim__json_int(&j, "replication", sqlite3_column_int64(st, 2));
    tsim__json_number(&j, "interval", sqlite3_column_double(st, 3));
    tsim__json_int(&j, "samples", n);
    tsim__json_bool(&j, "truncated", sqlite3_column_int(st, 5));
    if (blob_series(&j, "t", st, 6, (size_t)n) != 0 || blob_series(&j, "wip", st, 7, (size_t)n) != 0 ||
        blob_series(&j, "done", st, 8, (size_t)n) != 0)
        goto done;
    tsim__json_open(&j, "blocks", '[', 0);
    rc = TSIM__TRACE_DB;
    if (sqlite3_prepare_v2(db, blocks[exp], -1, &bl, NULL) != SQLITE_OK) goto done;
    sqlite3_bind_int64(bl, 1, id);
    if (exp) sqlite3_bind_int64(bl, 2, scen);
    int step;
    while ((step = sqlite3_step(bl)) == SQLITE_ROW) {
        tsim__json_open(&j, NULL, '{', 1);
        tsim__json_int(&j, "block", sqlite3_column_int(bl, 0));
        tsim__json_string(&j, "name", (const char *)sqlite3_column_text(bl, 1));
        tsim__json_string(&j, "type", (const char *)sqlite3_column_text(bl, 2));
        if (blob_series(&j, "content", bl, 3, (size_t)n) != 0 ||
            blob_series(&j, "busy", bl, 4, (size_t)n) != 0) {
            rc = TSIM__TRACE_DAMAGED;
            goto done;
        }
        tsim__json_close(&j, '{');
    }
    if (step != SQLITE_DONE) goto done;
    tsim__json_close(&j, '[');
    tsim__json_close(&j, '{');
    rc = TSIM__TRACE_OK;
done:
    sqlite3_finalize(st);
    sqlite3_finalize(bl);
    return rc;
}
