/* The trace of one replication (src/run/trace.c): what each sample holds, against the sim read
 * directly when stopped at the sample's time; that tracing leaves the run as it was; its limits;
 * and that only the recorded replication is stored. */
#include "check.h"

#include "run/trace.h"
#include "twinsim.h"
#include "twinsim_drivers.h"

#include "core/sqlite_lib.h"

static const char *models[] = {"examples/bottling-line.yaml", "examples/assembly-cell.yaml",
                               "examples/job-shop.yaml"};

static struct tsim_model *load(const char *path, struct tsim_run_spec *run)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load_file(path, run, &d);
    tsim_diags_release(&d);
    if (m && tsim_model_validate(m) != 0) {
        tsim_model_destroy(m);
        m = NULL;
    }
    return m;
}

static uint64_t fingerprint(struct tsim_sim *sim)
{
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    uint64_t fp = r.fingerprint;
    tsim_result_release(&r);
    return fp;
}

/* Every sample equals what a second sim of the same replication shows when run to the sample's
 * time and read through the public API; and the traced sim's fingerprint is the untraced one. */
static void test_samples_match_the_sim(void)
{
    for (size_t f = 0; f < sizeof models / sizeof *models; f++) {
        struct tsim_run_spec run;
        struct tsim_model *m = load(models[f], &run);
        CHECK(m != NULL);
        if (!m) continue;
        double horizon = run.horizon > 0 ? run.horizon : 2000, interval = horizon / 64.0;
        struct tsim_sim *a = tsim_sim_create(m, 7, 3), *b = tsim_sim_create(m, 7, 3),
                        *plain = tsim_sim_create(m, 7, 3);
        struct tsim__trace *tr = tsim__trace_start(a, m, interval);
        tsim_sim_run_until(a, horizon);
        tsim__trace_finish(tr, a);
        tsim_sim_run_until(plain, horizon);
        CHECK(fingerprint(a) == fingerprint(plain));
        CHECK_EQ(tsim__trace_count(tr), 65); /* 0, interval, ..., 64 interval = horizon */
        CHECK(!tsim__trace_truncated(tr));
        int nb = tsim_model_block_count(m), mismatches = 0, busy_seen = 0, wip_seen = 0;
        for (size_t k = 0; k < tsim__trace_count(tr); k++) {
            double t, wip, done;
            tsim__trace_sample(tr, k, &t, &wip, &done);
            CHECK_NEAR(t, interval * (double)k, 0);
            tsim_sim_run_until(b, t);
            double w = 0, d = 0;
            for (int i = 0; i < nb; i++) {
                enum tsim_block_type ty = tsim_model_block_type(m, i);
                double c = (double)tsim_block_content(b, i);
                if (ty == TSIM_SINK) d += (double)tsim_block_entered(b, i);
                else w += c;
                if (ty == TSIM_SINK || ty == TSIM_SOURCE) {
                    mismatches += tsim__trace_content(tr, k, i) != -1;
                    continue;
                }
                mismatches += tsim__trace_content(tr, k, i) != c;
                int servers = tsim_model_block_servers(m, i), busy = 0;
                if (tsim_machine_state(b, i, 0) < 0) {
                    mismatches += tsim__trace_busy(tr, k, i) != -1;
                    continue;
                }
                for (int s = 0; s < (servers > 0 ? servers : 1); s++)
                    busy += tsim_machine_state(b, i, s) == TSIM_STATE_BUSY;
                mismatches += tsim__trace_busy(tr, k, i) != busy;
                busy_seen += busy > 0;
            }
            mismatches += wip != w;
            mismatches += done != d; /* no warm-up here: the sinks count from 0 as the trace */
            wip_seen += wip > 0;
        }
        CHECK_EQ(mismatches, 0);
        CHECK(busy_seen > 10); /* the comparison saw machines at work, not only idle ones */
        CHECK(wip_seen > 10);
        tsim__trace_destroy(tr);
        tsim_sim_destroy(a);
        tsim_sim_destroy(b);
        tsim_sim_destroy(plain);
        tsim_model_destroy(m);
    }
}

/* A trace longer than the limit stops at it and says so. */
static void test_limit(void)
{
    struct tsim_run_spec run;
    struct tsim_model *m = load(models[0], &run);
    CHECK(m != NULL);
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    struct tsim__trace *tr = tsim__trace_start(sim, m, run.horizon / 200000.0);
    tsim_sim_run_until(sim, run.horizon);
    tsim__trace_finish(tr, sim);
    CHECK_EQ(tsim__trace_count(tr), TSIM__TRACE_MAX_SAMPLES);
    CHECK(tsim__trace_truncated(tr));
    tsim__trace_destroy(tr);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The trace is stored only beside the replication it replays: a run id whose recorded
 * fingerprint differs gets an error and no rows. */
static void test_record_refuses_another_run(void)
{
    struct tsim_run_spec run;
    struct tsim_model *m = load(models[0], &run);
    CHECK(m != NULL);
    if (!m) return;
    char path[] = "/tmp/tsim_trace_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    sqlite3 *db;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE runs(id INTEGER PRIMARY KEY);"
                       "CREATE TABLE replications(run_id INTEGER, replication INTEGER, "
                       "fingerprint TEXT);"
                       "INSERT INTO runs VALUES (5);"
                       "INSERT INTO replications VALUES (5, 0, '0123456789abcdef');",
                       NULL, NULL, NULL) == SQLITE_OK);
    struct tsim_run_opts o = {.seed = 1, .replications = 1, .horizon = run.horizon,
                              .warmup = run.warmup};
    CHECK_EQ(tsim_trace_record(path, 5, m, &o, 10, NULL, NULL), TSIM_ESTATE);
    CHECK(strstr(tsim_errmsg(), "recorded '0123456789abcdef'") != NULL);
    CHECK_EQ(tsim_trace_record(path, 5, m, &o, 0, NULL, NULL), TSIM_EINVAL);

    /* With the true fingerprint it is stored: 97 samples of 10 min over 16 h. */
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_set_warmup(sim, run.warmup);
    tsim_sim_run_until(sim, run.horizon);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE replications SET fingerprint = '%016llx'",
             (unsigned long long)fingerprint(sim));
    tsim_sim_destroy(sim);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    size_t n = 0;
    CHECK_EQ(tsim_trace_record(path, 5, m, &o, 10, NULL, &n), 0);
    CHECK_EQ(n, 97);
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db,
                             "SELECT samples, length(t), (SELECT count(*) FROM run_trace_blocks "
                             "WHERE run_id = 5) FROM run_traces WHERE run_id = 5",
                             -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 97);
    CHECK_EQ(sqlite3_column_int(st, 1), 97 * 8);
    CHECK_EQ(sqlite3_column_int(st, 2), 4); /* buffer, filler, rework, capper */
    sqlite3_finalize(st);
    sqlite3_close(db);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_samples_match_the_sim);
    RUN(test_limit);
    RUN(test_record_refuses_another_run);
    return CHECK_DONE();
}
