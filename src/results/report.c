/*
 * `twinsim report`: one self-contained HTML file for an experiment or optimize run, read from
 * the results database. It is the dashboard's own page: web/style.css and web/app.js (embedded
 * in the library, src/results/web_assets.h) are inlined, and the run's JSON document and the buffer
 * traces go in a data block (<script id="data">) that app.js draws from instead of the server's
 * API. So there is one set of charts, the dashboard's; this file only gathers the data. No
 * network, no external script or font: the file opens anywhere, offline, and its
 * Content-Security-Policy forbids any request.
 *
 * Inlined text must not end its element early: the data has every '<' written as \u003c (JSON
 * text holds '<' only inside strings, where the escape means the same), and the embedded files
 * are checked for "</" and "<!--", which cannot be escaped in a script; a file holding one is an
 * error, never a broken page.
 */
#include "core/core.h"
#include "results/db.h"
#include "results/results.h"
#include "results/sqlopen.h"
#include "results/web_assets.h"

#include <math.h>
#include "core/sqlite_lib.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The page around the inlined files; app.js fills <main> (its pageReport). */
static const char page_head[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "script-src 'unsafe-inline'; style-src 'unsafe-inline'\">\n"
    "<title>twinsim report</title>\n<style>\n";
static const char page_body[] =
    "</style>\n</head>\n<body>\n<header>\n  <span class=\"home\">twinsim</span>\n"
    "  <span id=\"where\">report</span>\n</header>\n"
    "<main id=\"main\"><p class=\"note\">drawing&hellip; (the report needs JavaScript)</p></main>\n";

/* tsim_errmsg() without its leading "function: ". */
static const char *errtext(void)
{
    const char *m = tsim_errmsg(), *c = strstr(m, ": ");
    return c && !memchr(m, ' ', (size_t)(c - m)) ? c + 2 : m;
}

/* The first column of the first row of `sql` (with ?1 bound to `arg` when given), or 0. */
static long count(sqlite3 *db, const char *sql, ...)
{
    sqlite3_stmt *st;
    long v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    if (sqlite3_bind_parameter_count(st) > 0) {
        va_list ap;
        va_start(ap, sql);
        sqlite3_bind_int64(st, 1, va_arg(ap, long));
        va_end(ap);
    }
    if (sqlite3_step(st) == SQLITE_ROW) v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int no_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 1;
    int none = sqlite3_step(st) != SQLITE_ROW;
    sqlite3_finalize(st);
    return none;
}

/* JSON text inside <script>: "<" only occurs inside strings, where \u003c means the same and
 * cannot close the element. */
static void put_embedded(struct tsim__sb *b, const char *s)
{
    for (const char *p; (p = strchr(s, '<')) != NULL; s = p + 1) {
        tsim__sb_add(b, s, (size_t)(p - s));
        tsim__sb_add(b, "\\u003c", 6);
    }
    tsim__sb_add(b, s, strlen(s));
}

/* The embedded file web/NAME, or NULL (with the reason in `err`) when it is missing or holds
 * text that would end its <script> or <style> element early. */
static const struct tsim__web_asset *inline_asset(const char *name, char *err, size_t errlen)
{
    for (const struct tsim__web_asset *a = tsim__web_assets; a->path; a++) {
        if (strcmp(a->path + 1, name) != 0) continue;
        const char *t = (const char *)a->data;
        if (strstr(t, "</") || strstr(t, "<!--")) {
            snprintf(err, errlen, "the embedded 'web/%s' holds '</' or '<!--', which cannot be "
                     "inlined into the report", name);
            return NULL;
        }
        return a;
    }
    snprintf(err, errlen, "no 'web/%s' embedded in this build", name);
    return NULL;
}

/* A BLOB of doubles as the member `key`, an array on one line. */
static void put_doubles(struct tsim__json *j, const char *key, const void *blob, int bytes)
{
    const double *v = blob;
    int n = bytes / (int)sizeof(double);
    tsim__json_open(j, key, '[', TSIM__JSON_TIGHT);
    for (int i = 0; i < n; i++) {
        double x;
        memcpy(&x, &v[i], sizeof x);
        tsim__json_number(j, NULL, x);
    }
    tsim__json_close(j, '[');
}

/* The time series `experiment --trace` sampled, one document per scenario as the API answers
 * /api/experiments/ID/trace?scenario=K (the same reader, trace_read.c), as `"samples": [...]`.
 * None where the table is missing (an older database or no --trace). 0, or -1 with the reason
 * in `err`. */
static int put_samples(struct tsim__json *j, sqlite3 *db, long run, char *err, size_t errlen)
{
    tsim__json_open(j, "samples", '[', 0);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (tsim__db_has_table(db, "exp_samples") &&
        sqlite3_prepare_v2(db, "SELECT DISTINCT scen FROM exp_samples WHERE run=?1 ORDER BY scen",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run);
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
            long long scen = sqlite3_column_int64(st, 0);
            char *text = NULL;
            size_t len = 0;
            FILE *m = open_memstream(&text, &len);
            int got = m ? tsim__trace_json(db, run, scen, m) : TSIM__TRACE_DB;
            if (m && fclose(m) != 0 && got == TSIM__TRACE_OK) got = TSIM__TRACE_DB;
            if (got == TSIM__TRACE_OK) {
                /* The reader escapes '<' in its strings (TSIM__JSON_HTML), so the document
                 * goes into the page's <script> as it is. */
                tsim__json_break(j);
                tsim__json_raw(j, NULL, text);
            } else if (got != TSIM__TRACE_NONE) {
                snprintf(err, errlen, "the trace of scenario %lld of run %ld is %s", scen, run,
                         got == TSIM__TRACE_DAMAGED ? "damaged (a series of the wrong length)"
                                                    : "unreadable");
                rc = -1;
            }
            free(text);
        }
    }
    sqlite3_finalize(st);
    tsim__json_close(j, '[');
    return rc;
}

int tsim__report_html(const char *dbpath, long run, const char *out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    FILE *f = NULL;
    struct tsim__out o = {0};
    struct tsim__sb data = {0}, doc = {0};
    int rc = -1;
    if (access(dbpath, F_OK) != 0) {
        snprintf(err, errlen, "no results database '%s' (twinsim experiment records runs there)",
                 dbpath);
        goto done;
    }
    /* A file that is no results database is named for what it is (tsim__db_open says). */
    if (tsim__db_open(dbpath, 0, &db) != 0) {
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    int has_runs = tsim__db_has_table(db, "runs");
    if (run && has_runs && count(db, "SELECT count(*) FROM runs WHERE id = ?1", run) > 0 &&
        (!tsim__db_has_table(db, "exp_runs") ||
         count(db, "SELECT count(*) FROM exp_runs WHERE id = ?1", run) == 0)) {
        snprintf(err, errlen, "run %ld in '%s' is a run of 'twinsim run', not an experiment: "
                 "'twinsim show %ld' shows it", run, dbpath, run);
        goto done;
    }
    if (!tsim__db_has_table(db, "exp_runs") || no_rows(db, "SELECT 1 FROM exp_runs")) {
        long runs = has_runs ? count(db, "SELECT count(*) FROM runs") : 0;
        if (runs > 0)
            snprintf(err, errlen, "'%s' holds no experiment or optimize runs, only %ld run%s of "
                     "'twinsim run' ('twinsim show' shows those)", dbpath, runs,
                     runs == 1 ? "" : "s");
        else
            snprintf(err, errlen, "'%s' holds no runs at all", dbpath);
        goto done;
    }
    const char *q = run ? "SELECT id, json, status FROM exp_runs WHERE id=?1"
                        : "SELECT id, json, status FROM exp_runs WHERE status='done' AND "
                          "json IS NOT NULL ORDER BY id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        tsim__db_fail(db, dbpath, "cannot read");
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    if (run) sqlite3_bind_int64(st, 1, run);
    if (sqlite3_step(st) != SQLITE_ROW) {
        if (run)
            snprintf(err, errlen, "no experiment run %ld in '%s'", run, dbpath);
        else
            snprintf(err, errlen, "'%s' holds no finished experiment or optimize run", dbpath);
        goto done;
    }
    run = (long)sqlite3_column_int64(st, 0);
    const char *json = (const char *)sqlite3_column_text(st, 1);
    if (!json || !*json) {
        snprintf(err, errlen, "run %ld in '%s' did not finish (it is '%s'): continue it with "
                 "--resume first", run, dbpath, (const char *)sqlite3_column_text(st, 2));
        goto done;
    }
    const struct tsim__web_asset *css = inline_asset("style.css", err, errlen);
    const struct tsim__web_asset *js = css ? inline_asset("app.js", err, errlen) : NULL;
    if (!js) goto done;
    if (tsim__out_open(&o, out) != 0) {
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    f = o.f;
    /* The large blocks through tsim__out_write, which keeps the reason of a failure. */
    tsim__out_write(&o, page_head, sizeof page_head - 1);
    tsim__out_write(&o, css->data, css->len);
    tsim__out_write(&o, page_body, sizeof page_body - 1);
    /* The data: the stored document and the traces, HTML-safe, so that no text in them can end
     * the <script> element. */
    struct tsim__json j;
    tsim__json_init_sb(&j, &data, TSIM__JSON_HTML);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    tsim__json_int(&j, "id", run);
    put_embedded(&doc, json);
    tsim__json_raw(&j, "run", doc.p);
    sqlite3_finalize(st);
    st = NULL;
    tsim__json_open(&j, "traces", '[', TSIM__JSON_INLINE);
    /* Traces of an earlier schema have no lo and hi columns: they are read as exact steps. */
    int ranges = tsim__sqlite_has_column(db, "exp_traces", "lo");
    if (sqlite3_prepare_v2(db, ranges ? "SELECT scen, name, t, v, lo, hi FROM exp_traces WHERE "
                                        "run=?1 ORDER BY scen, block"
                                      : "SELECT scen, name, t, v, NULL, NULL FROM exp_traces "
                                        "WHERE run=?1 ORDER BY scen, block",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run);
        while (sqlite3_step(st) == SQLITE_ROW) {
            tsim__json_break(&j); /* every trace on a line of its own, the first too */
            tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
            tsim__json_int(&j, "scen", sqlite3_column_int(st, 0));
            const char *name = (const char *)sqlite3_column_text(st, 1);
            tsim__json_string(&j, "name", name ? name : "");
            put_doubles(&j, "t", sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2));
            put_doubles(&j, "v", sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3));
            if (sqlite3_column_type(st, 4) == SQLITE_BLOB &&
                sqlite3_column_type(st, 5) == SQLITE_BLOB) {
                put_doubles(&j, "lo", sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
                put_doubles(&j, "hi", sqlite3_column_blob(st, 5), sqlite3_column_bytes(st, 5));
            }
            tsim__json_close(&j, '{');
        }
    }
    tsim__json_close(&j, '[');
    if (put_samples(&j, db, run, err, errlen) != 0) goto done;
    tsim__json_close(&j, '{');
    fputs("<script id=\"data\" type=\"application/json\">", f);
    tsim__out_write(&o, data.p, data.n);
    fputs("</script>\n<script>\n", f);
    tsim__out_write(&o, js->data, js->len);
    fputs("</script>\n</body>\n</html>\n", f);
    f = NULL;
    if (tsim__out_commit(&o) != 0) {
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    rc = 0;
done:
    if (o.f) tsim__out_abandon(&o);
    tsim__sb_release(&data);
    tsim__sb_release(&doc);
    /* SQLite is loaded when the database is opened: before that its functions are not there. */
    if (st) sqlite3_finalize(st);
    if (db) sqlite3_close(db);
    return rc;
}
