/*
 * The recording (src/twin/store.c): a forecast replayed from SQLite alone, and what a resumed
 * twin reads back.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "results/sqlopen.h"
#include "twin_fixture.h"

#include <unistd.h>

static void remove_db(const char *path)
{
    unlink(path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

struct replay {
    struct tsim__ingest *in;
    struct tsim__live *lv;
};
static void replay_one(void *ctx, const char *topic, const void *payload, size_t len)
{
    struct replay *r = ctx;
    struct tsim__tev ev;
    char err[256];
    if (tsim__ingest_decode(r->in, topic, payload, len, &ev, err, sizeof err) == TSIM__OK)
        tsim__live_apply(r->lv, &ev, err, sizeof err);
}

/* A recording in a new file `path` (a "/tmp/twinsim-test-XXXXXX" to fill in); NULL failed. */
static struct tsim__store *new_store(char *path, int sync_full)
{
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    char err[256];
    struct tsim__store *st = fd >= 0 ? tsim__store_open(path, sync_full, err, sizeof err) : NULL;
    CHECK(st != NULL);
    return st;
}

static void test_store_replay(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    char path[] = "/tmp/twinsim-test-XXXXXX";
    char err[256];
    struct tsim__store *st = new_store(path, 0);
    if (!st) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 5);
    for (size_t i = 0; i < N_FC_EVENTS; i++) {
        const char *t = fc_events[2 * i], *p = fc_events[2 * i + 1];
        CHECK(tsim__store_event(st, i + 1, t, p, strlen(p)) == 0);
        CHECK(feed(&in, lv, t, p) == TSIM__OK);
    }
    struct tsim__fc_input fi;
    tsim__fc_input_take(&fi, lv, 9);
    fi.events_applied = N_FC_EVENTS;
    struct tsim__fc_result r;
    tsim__fc_run(&fi, &r);
    r.wall_s = 0;
    char *json = tsim__fc_json(&fi, &r);
    CHECK(tsim__store_forecast(st, &fi, json, "{}") == 0);
    tsim__store_close(st);
    /* Replay into a fresh twin and forecast again: the same JSON. */
    uint64_t events = 0, seed = 0;
    char *stored = NULL;
    CHECK(tsim__store_get_forecast(path, 9, &events, &seed, &stored, err, sizeof err) == 0);
    CHECK(events == N_FC_EVENTS && seed == 7);
    struct tsim__ingest in2;
    tsim__ingest_init(&in2, map);
    struct replay rp = {&in2, tsim__live_create(m, map, 5)};
    CHECK(tsim__store_replay(path, events, replay_one, &rp, err, sizeof err) == 0);
    struct tsim__fc_input f2;
    tsim__fc_input_take(&f2, rp.lv, 9);
    f2.events_applied = events;
    struct tsim__fc_result r2;
    tsim__fc_run(&f2, &r2);
    r2.wall_s = 0;
    char *json2 = tsim__fc_json(&f2, &r2);
    CHECK_STR(json2, stored);
    tsim__free(json);
    tsim__free(json2);
    tsim__free(stored);
    tsim__fc_result_release(&r);
    tsim__fc_result_release(&r2);
    tsim__fc_input_release(&fi);
    tsim__fc_input_release(&f2);
    tsim__live_destroy(lv);
    tsim__live_destroy(rp.lv);
    tsim__ingest_release(&in);
    tsim__ingest_release(&in2);
    unlink(path);
    remove_db(path);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

static int count_rows(void *ctx, const char *topic, const void *payload, size_t len)
{
    (void)topic;
    (void)payload;
    (void)len;
    int *n = ctx;
    return ++*n == 2; /* stop after the second */
}

/* What a restarted twin reads back: the last message number and forecast id, the counters of the
 * last commit, the messages in order; and a number recorded once is never written again. */
static void test_store_resume(void)
{
    char path[] = "/tmp/twinsim-test-XXXXXX";
    char err[256];
    struct tsim__store *st = new_store(path, 1);
    if (!st) return;
    CHECK(tsim__store_last_event(st) == 0 && tsim__store_last_forecast(st) == 0);
    CHECK(tsim__store_event(st, 1, "a/b", "{\"x\": 1}", 8) == 0);
    CHECK(tsim__store_event(st, 2, "a/b", "{\"x\": 2}", 8) == 0);
    CHECK(tsim__store_commit(st, "{\"received\":2}") == 0);
    CHECK(tsim__store_event(st, 3, "a/c", "{}", 2) == 0);
    /* Never committed: a crash here loses message 3 and keeps the counters of the commit. */
    tsim__store_close(st); /* closing commits, which a crash would not: check both below */
    st = tsim__store_open(path, 0, err, sizeof err);
    CHECK(st != NULL);
    if (!st) return;
    CHECK(tsim__store_last_event(st) == 3);
    char *c = tsim__store_meta_of(st, "counters");
    CHECK_STR(c, "{\"received\":2}");
    tsim__free(c);
    CHECK(tsim__store_event(st, 2, "a/b", "{}", 2) != 0); /* number 2 is taken */
    CHECK(tsim__store_commit(st, NULL) == 0);
    CHECK(tsim__store_last_event(st) == 3);
    int n = 0;
    CHECK(tsim__store_each(st, 3, count_rows, &n, err, sizeof err) == 0 && n == 2);
    n = 0;
    CHECK(tsim__store_each(st, 1, count_rows, &n, err, sizeof err) == 0 && n == 1);
    CHECK(tsim__store_meta_of(st, "nothing") == NULL);
    tsim__store_close(st);
    remove_db(path);
}


/* A recording is opened as the results database is (src/results/sqlopen.c): in WAL mode, with its
 * schema version, and one written by a newer twinsim is refused rather than misread. */
static void test_store_schema_version(void)
{
    char path[] = "/tmp/twinsim-test-XXXXXX";
    char err[256];
    struct tsim__store *st = new_store(path, 0);
    if (!st) return;
    tsim__store_close(st);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    int v = -1;
    CHECK(tsim__sqlite_version(db, &v) == 0 && v == 1);
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    CHECK(sqlite3_exec(db, "PRAGMA user_version = 99;", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    st = tsim__store_open(path, 0, err, sizeof err);
    CHECK(st == NULL);
    CHECK(strstr(err, "recording has schema version 99, newer than this twinsim (1)") != NULL);
    tsim__store_close(st);
    remove_db(path);
}

int main(void)
{
    RUN(test_store_replay);
    RUN(test_store_resume);
    RUN(test_store_schema_version);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_store_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
