/*
 * The writers (src/results) and the summary over replications (src/run/summary.c), on results built
 * by hand so that every expected figure is known: JSON text and nesting, number round trips,
 * CSV files, the table, and the results database read back through SQLite.
 */
#include "check.h"
#include "blocks/registry.h"
#include "core/core.h"
#include "results/db.h"
#include "results/results.h"
#include "run/replicate.h"
#include "twinsim.h"

#include <math.h>
#include "core/sqlite_lib.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A small model for names: source, buffer, machine, sink, one pool. */
static struct tsim_model *names_model(void)
{
    struct tsim_model *m = tsim_model_create("line \"A\"");
    tsim_model_add_block(m, TSIM_SOURCE, "src");
    tsim_model_add_block(m, TSIM_BUFFER, "buf");
    tsim_model_add_block(m, TSIM_MACHINE, "filler");
    tsim_model_add_block(m, TSIM_SINK, "out");
    tsim_model_add_operators(m, "crew", 2, -1);
    return m;
}

/* Two replications whose KPIs are listed out of report order on purpose (pool, block, system). */
static void fake_results(struct tsim_result reps[2])
{
    for (int r = 0; r < 2; r++) {
        tsim_result_init(&reps[r]);
        double k = r + 1;
        tsim_result_add(&reps[r], TSIM_KPI_POOL(0), "utilization", 0.25 * k);
        tsim_result_add(&reps[r], 2, "throughput", 1.5 * k);
        tsim_result_add(&reps[r], 2, "states.busy", 0.5);
        tsim_result_add(&reps[r], 2, "oee", 0.1 * k);
        tsim_result_add(&reps[r], 2, "states.idle", 0.5);
        tsim_result_add(&reps[r], 1, "wait", r == 0 ? NAN : 2.0);
        tsim_result_add(&reps[r], TSIM_KPI_SYSTEM, "throughput", 1.0 * k);
        tsim_result_add(&reps[r], TSIM_KPI_SYSTEM, "wip", 3.0);
        reps[r].events = 100 + (uint64_t)r;
        reps[r].fingerprint = 0x1234u + (uint64_t)r;
        reps[r].start_time = 0;
        reps[r].end_time = 480;
    }
}

/* The caller's pointer receives the text (free it), so no local outlives the stream. */
static void render_json(const struct tsim__report *r, char **text, size_t *len)
{
    FILE *f = open_memstream(text, len);
    CHECK(tsim__json_write(f, r) == 0);
    fclose(f);
}

static void test_json_escape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tsim__json_escape(f, "a\"b\\c\nd\te\x01" "f\xc3\xa9");
    fclose(f);
    CHECK_STR(buf, "\"a\\\"b\\\\c\\nd\\te\\u0001f\xc3\xa9\"");
    free(buf);
}

static void test_json_numbers(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct tsim__json j;
    tsim__json_init(&j, f);
    tsim__json_open(&j, NULL, '{', 1);
    tsim__json_number(&j, "a", 0.1);
    tsim__json_number(&j, "b", NAN);
    tsim__json_number(&j, "c", INFINITY);
    tsim__json_number(&j, "d", 480);
    tsim__json_uint(&j, "e", UINT64_MAX);
    tsim__json_open(&j, "f", '[', 0);
    tsim__json_close(&j, '[');
    tsim__json_close(&j, '{');
    fclose(f);
    CHECK_STR(buf, "{\"a\": 0.1, \"b\": null, \"c\": null, \"d\": 480, "
                   "\"e\": 18446744073709551615, \"f\": []}\n");
    free(buf);
}

/* The shortest text that reads back as the same double: 0.134 as written, not
 * 0.13400000000000001 (%.17g), and 17 digits only where 16 do not read back. */
static void test_shortest_numbers(void)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.134, "0.134"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {289.15, "289.15"},
        {236.29999999999998, "236.29999999999998"},
        {2.0 / 3.0, "0.6666666666666666"},
        {1e300, "1e+300"},
        {-0.0, "-0"},
        {480, "480"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {5e-324, "4.94065645841247e-324"},
        {NAN, "nan"},
        {-INFINITY, "-inf"},
    };
    char buf[40];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tsim__fmt_double(buf, sizeof buf, cases[i].v);
        CHECK_STR(buf, cases[i].text);
        if (isfinite(cases[i].v)) CHECK(strtod(buf, NULL) == cases[i].v);
    }
    /* Every double reads back: a sweep over many magnitudes and last bits. */
    int bad = 0;
    uint64_t bits = 0x3fb999999999999aull; /* 0.1 */
    for (int i = 0; i < 100000; i++) {
        double v;
        bits = bits * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t b = bits & 0x7fefffffffffffffull; /* finite */
        memcpy(&v, &b, sizeof v);
        tsim__fmt_double(buf, sizeof buf, v);
        bad += strtod(buf, NULL) != v;
    }
    CHECK(bad == 0);
}

static void test_report_order_and_json(void)
{
    struct tsim_model *m = names_model();
    struct tsim_result reps[2];
    fake_results(reps);
    struct tsim__report r;
    CHECK(tsim__report_init(&r, m, reps, 2) == 0);
    r.seed = 7;
    r.horizon = 480;
    r.warmup = 60;
    r.wall_seconds = 0.5;
    CHECK(r.nrows == 8);
    CHECK(r.events == 201);
    CHECK(r.fingerprint == tsim__fingerprint_combine(reps, 2));
    /* system first, then blocks by index (buf before filler), then pools; engine order within */
    CHECK_STR(r.rows[0].owner, "system");
    CHECK_STR(r.rows[0].kpi, "throughput");
    CHECK_STR(r.rows[1].kpi, "wip");
    CHECK_STR(r.rows[2].owner, "buf");
    CHECK_STR(r.rows[3].owner, "filler");
    CHECK_STR(r.rows[3].kpi, "throughput");
    CHECK_STR(r.rows[3].type, "machine");
    CHECK_STR(r.rows[6].kpi, "states.idle");
    CHECK_STR(r.rows[7].owner, "crew");
    CHECK_STR(r.rows[7].type, "operators");
    CHECK_NEAR(r.rows[0].s.mean, 1.5, 1e-12);
    CHECK(r.rows[0].s.n == 2);
    CHECK(isnan(r.rows[2].s.mean)); /* a NaN replication makes the mean NaN, written null */

    char *json = NULL;
    size_t json_len = 0;
    render_json(&r, &json, &json_len);
    CHECK(strstr(json, "\"model\": \"line \\\"A\\\"\"") != NULL);
    CHECK(strstr(json, "\"time_unit\": \"min\"") != NULL);
    CHECK(strstr(json, "\"seed\": 7,") != NULL);
    CHECK(strstr(json, "\"replications\": 2,") != NULL);
    CHECK(strstr(json, "\"horizon\": 480,") != NULL);
    CHECK(strstr(json, "\"warmup\": 60,") != NULL);
    CHECK(strstr(json, "\"throughput\": {\"mean\": 1.5, \"half_width\": ") != NULL);
    CHECK(strstr(json, "\"wait\": {\"mean\": null, \"half_width\": null, \"sd\": null, "
                       "\"n\": 2, \"unit\": \"min\"}"));
    /* Each KPI says its unit; shares stay fractions. */
    CHECK(strstr(json, "\"throughput\": {\"mean\": 1.5, ") != NULL);
    CHECK(strstr(json, "\"n\": 2, \"unit\": \"/min\"}") != NULL);
    CHECK(strstr(json, "\"busy\": {\"mean\": 0.5, \"half_width\": 0, \"sd\": 0, \"n\": 2, "
                       "\"unit\": \"fraction\"}") != NULL);
    CHECK(strstr(json, "\"wip\": {\"mean\": 3, \"half_width\": 0, \"sd\": 0, \"n\": 2, "
                       "\"unit\": \"count\"}") != NULL);
    /* dotted names nest, and the nested object holds both states although oee came between */
    const char *states = strstr(json, "\"states\": {");
    CHECK(states != NULL);
    if (states) {
        const char *busy = strstr(states, "\"busy\": {\"mean\": 0.5,");
        const char *idle = strstr(states, "\"idle\": {\"mean\": 0.5,");
        const char *oee = strstr(json, "\"oee\": {");
        CHECK(busy && idle && oee && oee > idle);
    }
    CHECK(strstr(json, "\"filler\": {\n      \"type\": \"machine\",") != NULL);
    CHECK(strstr(json, "\"operators\": {\n    \"crew\": {\n"
                       "      \"utilization\": {\"mean\": 0.375,"));
    char fp[64];
    snprintf(fp, sizeof fp, "\"fingerprint\": \"%016llx\"", (unsigned long long)r.fingerprint);
    CHECK(strstr(json, fp) != NULL);
    CHECK(strstr(json, "\"events\": 201,") != NULL);
    CHECK(strstr(json, "\"wall_seconds\": 0.5\n}\n") != NULL);
    free(json);

    tsim__report_release(&r);
    for (int i = 0; i < 2; i++) tsim_result_release(&reps[i]);
    tsim_model_destroy(m);
}

/* Dotted names nest however they interleave: the first KPI under a prefix places the whole
 * object, rows keep their order within it, at every level, and a prefix that starts another
 * ("a." and "ab.") or a plain name equal to a prefix ("a") stays apart. */
static void test_json_interleaved_dots(void)
{
    static const char *const names[] = {"a.x.p", "b", "a.y", "ab.q", "a.x.q",
                                        "c.z",   "a", "a.x.r", "ab.r"};
    const size_t nn = sizeof names / sizeof *names;
    struct tsim_model *m = names_model();
    struct tsim_result reps[2];
    for (int r = 0; r < 2; r++) {
        tsim_result_init(&reps[r]);
        for (size_t i = 0; i < nn; i++) tsim_result_add(&reps[r], 2, names[i], (double)i);
        reps[r].end_time = 480;
    }
    struct tsim__report r;
    CHECK(tsim__report_init(&r, m, reps, 2) == 0);
    char *json = NULL;
    size_t json_len = 0;
    render_json(&r, &json, &json_len);
#define S(v) "{\"mean\": " #v ", \"half_width\": 0, \"sd\": 0, \"n\": 2, \"unit\": \"count\"}"
    static const char want[] =
        "    \"filler\": {\n"
        "      \"type\": \"machine\",\n"
        "      \"a\": {\n"
        "        \"x\": {\n"
        "          \"p\": " S(0) ",\n"
        "          \"q\": " S(4) ",\n"
        "          \"r\": " S(7) "\n"
        "        },\n"
        "        \"y\": " S(2) "\n"
        "      },\n"
        "      \"b\": " S(1) ",\n"
        "      \"ab\": {\n"
        "        \"q\": " S(3) ",\n"
        "        \"r\": " S(8) "\n"
        "      },\n"
        "      \"c\": {\n"
        "        \"z\": " S(5) "\n"
        "      },\n"
        "      \"a\": " S(6) "\n"
        "    }\n";
#undef S
    const char *at = strstr(json, "    \"filler\": {\n");
    CHECK(at != NULL);
    if (at && strncmp(at, want, sizeof want - 1) != 0) {
        fprintf(stderr, "  got:\n%.*s\n", (int)(sizeof want - 1), at);
        check_failed_ = 1;
    }
    free(json);
    tsim__report_release(&r);
    for (int i = 0; i < 2; i++) tsim_result_release(&reps[i]);
    tsim_model_destroy(m);
}

static void test_summarize(void)
{
    struct tsim_result reps[3];
    double v[3] = {1, 2, 6};
    for (int r = 0; r < 3; r++) {
        tsim_result_init(&reps[r]);
        tsim_result_add(&reps[r], 0, "throughput", v[r]);
        tsim_result_add(&reps[r], TSIM_KPI_SYSTEM, "wip", 2);
    }
    struct tsim_summary s[2];
    CHECK(tsim_results_summarize(reps, 3, s) == 0);
    CHECK_NEAR(s[0].mean, 3, 1e-12);
    CHECK_NEAR(s[0].sd, sqrt(7), 1e-12);
    CHECK_NEAR(s[0].half_width, 4.302652729911275 * sqrt(7) / sqrt(3), 1e-8);
    CHECK(s[0].n == 3);
    CHECK_NEAR(s[1].half_width, 0, 1e-12);
    CHECK(tsim_results_summarize(reps, 0, s) == TSIM_EINVAL);
    tsim_result_add(&reps[2], 0, "extra", 1);
    CHECK(tsim_results_summarize(reps, 3, s) == TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "replication 2") != NULL);
    tsim_result_release(&reps[2]);
    tsim_result_init(&reps[2]);
    tsim_result_add(&reps[2], 0, "throughput", 6);
    tsim_result_add(&reps[2], TSIM_KPI_SYSTEM, "lead_time", 2);
    CHECK(tsim_results_summarize(reps, 3, s) == TSIM_EINVAL);
    for (int r = 0; r < 3; r++) tsim_result_release(&reps[r]);
}

static void test_fingerprint_combine(void)
{
    struct tsim_result a[2], b[2];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    a[0].fingerprint = b[1].fingerprint = 11;
    a[1].fingerprint = b[0].fingerprint = 22;
    CHECK(tsim__fingerprint_combine(a, 2) == tsim__fingerprint_combine(a, 2));
    CHECK(tsim__fingerprint_combine(a, 2) != tsim__fingerprint_combine(b, 2));
    CHECK(tsim__fingerprint_combine(a, 1) != tsim__fingerprint_combine(a, 2));
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_csv(void)
{
    struct tsim_model *m = names_model();
    tsim_model_add_block(m, TSIM_DELAY, "a,b");
    struct tsim_result reps[2];
    fake_results(reps);
    for (int r = 0; r < 2; r++) tsim_result_add(&reps[r], 4, "content", 0.5);
    struct tsim__report r;
    CHECK(tsim__report_init(&r, m, reps, 2) == 0);
    char dir[] = "/tmp/tsim_csv_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[256], path[300];
    snprintf(sub, sizeof sub, "%s/new", dir);
    CHECK(tsim__csv_write(sub, &r) == 0);
    snprintf(path, sizeof path, "%s/summary.csv", sub);
    char *s = slurp(path);
    CHECK(s != NULL);
    if (s) {
        CHECK(strncmp(s, "block,kpi,mean,half_width,sd,n\nsystem,throughput,1.5,", 53) == 0);
        CHECK(strstr(s, "\nbuf,wait,,,,2\n") != NULL);
        CHECK(strstr(s, "\nfiller,states.busy,0.5,0,0,2\n") != NULL);
        CHECK(strstr(s, "\n\"a,b\",content,0.5,0,0,2\n") != NULL);
        CHECK(strstr(s, "\noperators.crew,utilization,0.375,") != NULL);
    }
    free(s);
    snprintf(path, sizeof path, "%s/replications.csv", sub);
    s = slurp(path);
    CHECK(s != NULL);
    if (s) {
        const char *head = "replication,block,kpi,value\n0,system,throughput,1\n0,system,wip,3\n";
        CHECK(strncmp(s, head, strlen(head)) == 0);
        CHECK(strstr(s, "\n0,buf,wait,\n") != NULL);
        CHECK(strstr(s, "\n1,buf,wait,2\n") != NULL);
        CHECK(strstr(s, "\n1,operators.crew,utilization,0.5\n") != NULL);
        int lines = 0;
        for (const char *p = s; *p; p++) lines += *p == '\n';
        CHECK(lines == 1 + 2 * 9);
    }
    free(s);
    /* a file where the directory should be */
    snprintf(path, sizeof path, "%s/new/summary.csv", dir);
    CHECK(tsim__csv_write(path, &r) == TSIM_EIO);
    CHECK(strstr(tsim_errmsg(), "summary.csv") != NULL);

    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK(system(path) == 0);
    tsim__report_release(&r);
    for (int i = 0; i < 2; i++) tsim_result_release(&reps[i]);
    tsim_model_destroy(m);
}

static void test_table(void)
{
    struct tsim_model *m = names_model();
    struct tsim_result reps[2];
    fake_results(reps);
    struct tsim__report r;
    CHECK(tsim__report_init(&r, m, reps, 2) == 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tsim__table_write(f, r.rows, r.nrows, "min");
    fclose(f);
    CHECK(strstr(buf, "block ") == buf);
    CHECK(strstr(buf, "95% hw") != NULL);
    CHECK(strstr(buf, "\nsystem  system     throughput") != NULL);
    CHECK(strstr(buf, "/min\n") != NULL);
    CHECK(strstr(buf, "50.000 ± 0") != NULL);      /* states.busy as a percentage */
    CHECK(strstr(buf, " %\n") != NULL);
    CHECK(strstr(buf, " - ± -       min\n") != NULL); /* NaN shows as a dash */
    /* every line fits 100 columns */
    int col = 0, widest = 0;
    for (const char *p = buf; *p; p++) {
        if (*p == '\n') {
            widest = col > widest ? col : widest;
            col = 0;
        } else if (((unsigned char)*p & 0xc0) != 0x80) {
            col++;
        }
    }
    CHECK(widest <= 100);
    CHECK(tsim__kpi_unit("states.off_shift") == TSIM__UNIT_SHARE);
    CHECK(tsim__kpi_unit("lead_time") == TSIM__UNIT_TIME);
    CHECK(tsim__kpi_unit("throughput") == TSIM__UNIT_RATE);
    CHECK(tsim__kpi_unit("max_content") == TSIM__UNIT_COUNT);
    free(buf);
    tsim__report_release(&r);
    for (int i = 0; i < 2; i++) tsim_result_release(&reps[i]);
    tsim_model_destroy(m);
}

static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -2;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A database of schema version 2 (before experiment traces) is read and brought to version 3 by
 * the first writer: the trace tables are added, what it held stays. */
static void test_sqlite_version2(void)
{
    char dir[] = "/tmp/tsim_db2_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300];
    snprintf(path, sizeof path, "%s/v2.db", dir);
    sqlite3 *db;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
          SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE exp_runs(id INTEGER PRIMARY KEY, kind TEXT, file TEXT, "
                       "model TEXT, hash TEXT, seed TEXT, status TEXT, started TEXT, finished "
                       "TEXT, json TEXT);"
                       "CREATE TABLE exp_traces(run INTEGER, scen INTEGER, block INTEGER, name "
                       "TEXT, t BLOB, v BLOB, lo BLOB, hi BLOB, PRIMARY KEY(run, scen, block));"
                       "INSERT INTO exp_runs(id, kind, status) VALUES (7, 'experiment', 'done');"
                       "INSERT INTO exp_traces(run, scen, block, name) VALUES (7, 0, 1, 'queue');"
                       "PRAGMA user_version = 2;",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);

    /* A reader leaves it as it is. */
    CHECK(tsim__db_open(path, 0, &db) == 0);
    CHECK(query_int(db, "SELECT user_version FROM pragma_user_version") == 2);
    CHECK(!tsim__db_has_table(db, "exp_samples"));
    sqlite3_close(db);
    /* A writer brings it to version 3. */
    CHECK(tsim__db_open(path, 1, &db) == 0);
    CHECK(query_int(db, "SELECT user_version FROM pragma_user_version") == 3);
    CHECK(query_int(db, "SELECT count(*) FROM exp_samples") == 0);
    CHECK(query_int(db, "SELECT count(*) FROM exp_sample_blocks") == 0);
    CHECK(query_int(db, "SELECT count(*) FROM exp_runs WHERE id = 7 AND status = 'done'") == 1);
    CHECK(query_int(db, "SELECT count(*) FROM exp_traces WHERE run = 7 AND name = 'queue'") == 1);
    sqlite3_close(db);
    /* Opened again, nothing more to do. */
    CHECK(tsim__db_open(path, 1, &db) == 0);
    CHECK(query_int(db, "SELECT user_version FROM pragma_user_version") == 3);
    sqlite3_close(db);
    unlink(path);
    char side[320];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    rmdir(dir);
}

static void test_sqlite(void)
{
    struct tsim_model *m = names_model();
    struct tsim_result reps[2];
    fake_results(reps);
    struct tsim__report r;
    CHECK(tsim__report_init(&r, m, reps, 2) == 0);
    r.seed = UINT64_MAX;
    r.horizon = 480;
    char dir[] = "/tmp/tsim_db_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300];
    snprintf(path, sizeof path, "%s/runs.db", dir);
    struct tsim__db_meta meta = {.model_path = "line.yaml", .model_text = "name: line\n",
                                 .model_len = 11, .options = "{\"replications\": 2}",
                                 .command = "twinsim run line.yaml", .json = "{}\n", .threads = 3};
    int64_t id1 = 0, id2 = 0;
    CHECK(tsim__db_record(path, &r, &meta, &id1) == 0);
    CHECK(tsim__db_record(path, &r, &meta, &id2) == 0);
    CHECK(id1 == 1 && id2 == 2);

    sqlite3 *db;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    CHECK(query_int(db, "SELECT count(*) FROM runs") == 2);
    CHECK(query_int(db, "SELECT count(*) FROM replications WHERE run_id = 2") == 2);
    CHECK(query_int(db, "SELECT count(*) FROM replication_kpis WHERE run_id = 1") == 16);
    CHECK(query_int(db, "SELECT count(*) FROM summary_kpis WHERE run_id = 1") == 8);
    CHECK(query_int(db, "SELECT count(*) FROM replication_kpis WHERE value IS NULL") == 2);
    CHECK(query_int(db, "SELECT count(*) FROM runs WHERE seed = '18446744073709551615'") == 2);
    CHECK(query_int(db, "SELECT ord FROM summary_kpis WHERE run_id = 1 AND scope = 'operators'"
                        " AND owner = 'crew'") == 7);
    CHECK(query_int(db, "SELECT threads FROM runs WHERE id = 1") == 3);
    CHECK(query_int(db, "SELECT user_version FROM pragma_user_version") == 3);
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(tsim__db_list(path, f, 0) == 0);
    CHECK(tsim__db_show(path, 1, TSIM__SHOW_TABLE, f) == 0);
    CHECK(tsim__db_show(path, 0, TSIM__SHOW_MODEL, f) == 0);
    CHECK(tsim__db_compare(path, 1, 0, f) == 0);
    fclose(f);
    CHECK(strstr(buf, "fingerprints equal") != NULL);
    CHECK(strstr(buf, "0 KPIs differ at 95%") != NULL);
    CHECK(strstr(buf, "line \"A\"") != NULL);
    CHECK(strstr(buf, "run 1, ") != NULL);
    CHECK(strstr(buf, "seed 18446744073709551615, 2 replications, horizon 480 min") != NULL);
    CHECK(strstr(buf, "operators  utilization") != NULL);
    CHECK(strstr(buf, "name: line\n") != NULL);
    free(buf);
    CHECK(tsim__db_show(path, 99, TSIM__SHOW_TABLE, stdout) == TSIM_ENOENT);
    CHECK(tsim__db_compare(path, 1, 99, stdout) == TSIM_ENOENT);

    /* not a database: refused with the path, nothing written */
    snprintf(path, sizeof path, "%s/text.db", dir);
    f = fopen(path, "w");
    fputs("this is not sqlite\n", f);
    fclose(f);
    CHECK(tsim__db_record(path, &r, &meta, &id1) == TSIM_EIO);
    CHECK(strstr(tsim_errmsg(), "text.db") != NULL);

    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK(system(path) == 0);
    tsim__report_release(&r);
    for (int i = 0; i < 2; i++) tsim_result_release(&reps[i]);
    tsim_model_destroy(m);
}

/* A report folded through tsim__collect with a spill file equals the one built from the
 * results in memory, replication rows included; the spill leaves nothing in its directory. */
struct rows_seen {
    int n;
    struct tsim__rep_row rows[4];
    double values[4][16];
};

static int see_row(void *ctx, int rep, const struct tsim__rep_row *row)
{
    struct rows_seen *rs = ctx;
    if (rep != rs->n || rep >= 4) return TSIM_EINVAL;
    rs->rows[rep] = *row;
    memcpy(rs->values[rep], row->values, 8 * sizeof *row->values);
    rs->n++;
    return 0;
}

static void test_collect_spill(void)
{
    struct tsim_model *m = names_model();
    struct tsim_result reps[2];
    fake_results(reps);
    struct tsim__report a, b;
    CHECK(tsim__report_init(&a, m, reps, 2) == 0);
    char dir[] = "/tmp/tsim_spill_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    struct tsim__collect c;
    CHECK(tsim__collect_init(&c, 2, dir) == 0);
    for (int i = 0; i < 2; i++) CHECK(tsim__collect_add(&c, &reps[i]) == 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", dir);
    CHECK(system(cmd) == 0); /* the spill is unlinked from the start */
    CHECK(tsim__collect_report(&c, m, &b) == 0);
    CHECK(a.nrows == b.nrows && a.fingerprint == b.fingerprint && a.events == b.events);
    CHECK(b.replications == 2);
    for (size_t i = 0; i < a.nrows && i < b.nrows; i++) {
        CHECK_STR(a.rows[i].owner, b.rows[i].owner);
        CHECK_STR(a.rows[i].kpi, b.rows[i].kpi);
        CHECK(a.rows[i].index == b.rows[i].index);
        CHECK(memcmp(&a.rows[i].s, &b.rows[i].s, sizeof a.rows[i].s) == 0);
    }
    struct rows_seen ra = {0}, rb = {0};
    CHECK(tsim__report_each(&a, see_row, &ra) == 0);
    CHECK(tsim__report_each(&b, see_row, &rb) == 0);
    CHECK(ra.n == 2 && rb.n == 2);
    for (int r = 0; r < 2; r++) {
        CHECK(ra.rows[r].fingerprint == reps[r].fingerprint);
        CHECK(rb.rows[r].fingerprint == reps[r].fingerprint);
        CHECK(rb.rows[r].events == reps[r].events && rb.rows[r].end_time == 480);
        CHECK(memcmp(ra.values[r], rb.values[r], 8 * sizeof(double)) == 0);
    }
    /* A replication that lists other KPIs is refused. */
    struct tsim_result odd;
    tsim_result_init(&odd);
    tsim_result_add(&odd, TSIM_KPI_SYSTEM, "throughput", 1);
    struct tsim__collect c2;
    CHECK(tsim__collect_init(&c2, 3, NULL) == 0);
    CHECK(tsim__collect_add(&c2, &reps[0]) == 0);
    CHECK(tsim__collect_add(&c2, &odd) == TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "replication 1") != NULL);
    tsim__collect_release(&c2);
    tsim_result_release(&odd);
    /* A spill directory that does not exist is an error that names it. */
    CHECK(tsim__collect_init(&c2, 3, "/nonexistent/dir") == TSIM_EIO);
    CHECK(strstr(tsim_errmsg(), "/nonexistent/dir") != NULL);
    tsim__report_release(&b);
    tsim__collect_release(&c);
    tsim__report_release(&a);
    rmdir(dir);
    for (int i = 0; i < 2; i++) tsim_result_release(&reps[i]);
    tsim_model_destroy(m);
}

/* Files are replaced whole or not at all, and nothing temporary is left either way. */
static void test_out_files(void)
{
    char dir[] = "/tmp/tsim_outf_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300], cmd[400];
    snprintf(path, sizeof path, "%s/out.json", dir);
    struct tsim__out o;
    CHECK(tsim__out_open(&o, path) == 0);
    fputs("first\n", o.f);
    CHECK(access(path, F_OK) != 0); /* nothing at the target until the commit */
    CHECK(tsim__out_commit(&o) == 0);
    char *t = slurp(path);
    CHECK_STR(t, "first\n");
    free(t);
    chmod(path, 0640);
    CHECK(tsim__out_open(&o, path) == 0);
    fputs("second\n", o.f);
    tsim__out_abandon(&o); /* given up: the old file stays */
    t = slurp(path);
    CHECK_STR(t, "first\n");
    free(t);
    CHECK(tsim__out_open(&o, path) == 0);
    tsim__out_write(&o, "third\n", 6);
    CHECK(tsim__out_commit(&o) == 0);
    t = slurp(path);
    CHECK_STR(t, "third\n");
    free(t);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640); /* a replaced file keeps its mode */
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = out.json", dir);
    CHECK(system(cmd) == 0);
    /* A directory, a missing directory: errors that name the path. */
    CHECK(tsim__out_open(&o, dir) == TSIM_EIO);
    CHECK(strstr(tsim_errmsg(), "is a directory") != NULL);
    snprintf(path, sizeof path, "%s/no/such.json", dir);
    CHECK(tsim__out_open(&o, path) == TSIM_EIO);
    CHECK(strstr(tsim_errmsg(), "no/such.json") != NULL);
    /* A device is written in place: /dev/full takes nothing, and the commit says so. */
    CHECK(tsim__out_open(&o, "/dev/full") == 0);
    for (int i = 0; i < 10000; i++) fputs("0123456789", o.f);
    CHECK(tsim__out_commit(&o) == TSIM_EIO);
    CHECK(strstr(tsim_errmsg(), "No space left on device") != NULL);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* Each KPI's unit: shares, times and rates of the logistics blocks are not counts, by product
 * and by vehicle the last part decides, and no type reports a KPI whose name says share, time,
 * wait or rate under another unit (`zone_wait`, a fleet's share of time in that state, and the
 * shares `blocked_time` and `on_time` are the names that say otherwise). */
static void test_kpi_units(void)
{
    static const char *const shares[] = {"on_time", "occupancy", "door_utilization",
                                         "crane_utilization", "picker_utilization",
                                         "travel_share", "zone_wait", "idle", "vehicle_2.idle",
                                         "vehicle_12.empty_travel_share"};
    static const char *const times[] = {"yard_wait", "turnaround", "cycle_time", "dwell",
                                        "travel_single", "transit_time",
                                        "products.a.lead_time"};
    for (size_t i = 0; i < sizeof shares / sizeof *shares; i++)
        CHECK(tsim__kpi_unit(shares[i]) == TSIM__UNIT_SHARE);
    for (size_t i = 0; i < sizeof times / sizeof *times; i++)
        CHECK(tsim__kpi_unit(times[i]) == TSIM__UNIT_TIME);
    CHECK(tsim__kpi_unit("put_away_rate") == TSIM__UNIT_RATE);
    CHECK(tsim__kpi_unit("products.a.throughput") == TSIM__UNIT_RATE);
    CHECK(tsim__kpi_unit("lines_per_hour") == TSIM__UNIT_PER_HOUR);
    CHECK(tsim__kpi_unit("vehicle_2.deliveries") == TSIM__UNIT_COUNT);
    CHECK(tsim__kpi_unit("orders_missed") == TSIM__UNIT_COUNT);
    char buf[32];
    CHECK(strcmp(tsim__unit_json(buf, sizeof buf, "units_per_hour", "min"), "/h") == 0);
    CHECK(strcmp(tsim__unit_json(buf, sizeof buf, "on_time", "min"), "fraction") == 0);
    CHECK(strcmp(tsim__unit_json(buf, sizeof buf, "yard_wait", "min"), "min") == 0);
    CHECK(strcmp(tsim__unit_json(buf, sizeof buf, "retrieval_rate", "h"), "/h") == 0);
    for (int t = 0; t < tsim__block_type_n; t++) {
        const struct tsim__block_type *bt = tsim__block_types[t];
        for (int k = 0; bt->kpis && bt->kpis[k]; k++) {
            const char *n = bt->kpis[k];
            enum tsim__unit_kind u = tsim__kpi_unit(n), want = u;
            if (ends_with(n, "_share") || ends_with(n, "utilization") ||
                strcmp(n, "blocked_time") == 0 || strcmp(n, "zone_wait") == 0 ||
                strcmp(n, "on_time") == 0)
                want = TSIM__UNIT_SHARE;
            else if (ends_with(n, "_time") || ends_with(n, "_wait"))
                want = TSIM__UNIT_TIME;
            else if (ends_with(n, "_rate") || strcmp(n, "throughput") == 0)
                want = TSIM__UNIT_RATE;
            else if (ends_with(n, "_per_hour"))
                want = TSIM__UNIT_PER_HOUR;
            if (u != want) {
                fprintf(stderr, "  %s KPI '%s' has unit %d, its name says %d\n", bt->name, n,
                        (int)u, (int)want);
                check_failed_ = 1;
            }
        }
    }
}

/* Every KPI a fleet (with its battery and per-vehicle KPIs), a charger, a conveyor, a storage, a
 * picking and a dock block reports, with the unit it has: a state's share of vehicle time and a
 * charge level (a share of the battery's capacity: fleet.c divides by it) are fractions, a wait
 * is a time, a count of things or of waits is a count. The names are those of the blocks'
 * report functions, the battery's included, which the types' KPI lists leave out. */
static void test_kpi_units_logistics(void)
{
    static const struct {
        const char *kpi;
        enum tsim__unit_kind unit;
    } want[] = {
        /* fleet */
        {"idle", TSIM__UNIT_SHARE}, {"to_pickup", TSIM__UNIT_SHARE},
        {"loading", TSIM__UNIT_SHARE}, {"loaded", TSIM__UNIT_SHARE},
        {"unloading", TSIM__UNIT_SHARE}, {"blocked", TSIM__UNIT_SHARE},
        {"to_home", TSIM__UNIT_SHARE}, {"zone_wait", TSIM__UNIT_SHARE},
        {"to_charger", TSIM__UNIT_SHARE}, {"charging", TSIM__UNIT_SHARE},
        {"waiting_charger", TSIM__UNIT_SHARE}, {"battery_end", TSIM__UNIT_SHARE},
        {"battery_end_min", TSIM__UNIT_SHARE}, {"battery_mean", TSIM__UNIT_SHARE},
        {"battery_min", TSIM__UNIT_SHARE}, {"charger_wait", TSIM__UNIT_TIME},
        {"failed", TSIM__UNIT_SHARE}, {"failures", TSIM__UNIT_COUNT},
        {"repair_time", TSIM__UNIT_TIME}, {"vehicle_7.failed", TSIM__UNIT_SHARE},
        {"utilization", TSIM__UNIT_SHARE}, {"empty_travel_share", TSIM__UNIT_SHARE},
        {"deliveries", TSIM__UNIT_COUNT}, {"deliveries_per_hour", TSIM__UNIT_PER_HOUR},
        {"request_wait", TSIM__UNIT_TIME}, {"delivery_time", TSIM__UNIT_TIME},
        {"requests_waiting", TSIM__UNIT_COUNT}, {"requests_waiting_end", TSIM__UNIT_COUNT},
        {"zone_waits", TSIM__UNIT_COUNT}, {"deadlocks", TSIM__UNIT_COUNT},
        {"entered", TSIM__UNIT_COUNT}, {"left", TSIM__UNIT_COUNT},
        {"throughput", TSIM__UNIT_RATE}, {"content", TSIM__UNIT_COUNT},
        {"vehicle_7.idle", TSIM__UNIT_SHARE}, {"vehicle_7.zone_wait", TSIM__UNIT_SHARE},
        {"vehicle_7.utilization", TSIM__UNIT_SHARE}, {"vehicle_7.deliveries", TSIM__UNIT_COUNT},
        {"vehicle_7.empty_travel_share", TSIM__UNIT_SHARE},
        /* charger */
        {"queue", TSIM__UNIT_COUNT}, {"queue_end", TSIM__UNIT_COUNT},
        {"charges", TSIM__UNIT_COUNT}, {"wait", TSIM__UNIT_TIME},
        /* conveyor */
        {"occupied_share", TSIM__UNIT_SHARE}, {"blocked_share", TSIM__UNIT_SHARE},
        {"stopped_share", TSIM__UNIT_SHARE}, {"transit_time", TSIM__UNIT_TIME},
        /* storage */
        {"stock", TSIM__UNIT_COUNT}, {"occupancy", TSIM__UNIT_SHARE},
        {"put_aways", TSIM__UNIT_COUNT}, {"retrievals", TSIM__UNIT_COUNT},
        {"put_away_rate", TSIM__UNIT_RATE}, {"retrieval_rate", TSIM__UNIT_RATE},
        {"dwell", TSIM__UNIT_TIME}, {"stockouts", TSIM__UNIT_COUNT},
        {"requests_lost", TSIM__UNIT_COUNT}, {"put_away_wait", TSIM__UNIT_TIME},
        {"retrieval_wait", TSIM__UNIT_TIME}, {"crane_utilization", TSIM__UNIT_SHARE},
        {"cycles_single", TSIM__UNIT_COUNT}, {"cycles_dual", TSIM__UNIT_COUNT},
        {"travel_single", TSIM__UNIT_TIME}, {"travel_dual", TSIM__UNIT_TIME},
        /* picking */
        {"orders_shipped", TSIM__UNIT_COUNT}, {"lines_picked", TSIM__UNIT_COUNT},
        {"units_picked", TSIM__UNIT_COUNT}, {"lines_per_hour", TSIM__UNIT_PER_HOUR},
        {"units_per_hour", TSIM__UNIT_PER_HOUR}, {"cycle_time", TSIM__UNIT_TIME},
        {"lead_time", TSIM__UNIT_TIME}, {"on_time", TSIM__UNIT_SHARE},
        {"picker_utilization", TSIM__UNIT_SHARE}, {"travel_share", TSIM__UNIT_SHARE},
        {"consolidation_wait", TSIM__UNIT_TIME}, {"pack_wait", TSIM__UNIT_TIME},
        {"units_short", TSIM__UNIT_COUNT}, {"orders_unreleased", TSIM__UNIT_COUNT},
        /* dock */
        {"trucks", TSIM__UNIT_COUNT}, {"turnaround", TSIM__UNIT_TIME},
        {"yard_wait", TSIM__UNIT_TIME}, {"trucks_waiting", TSIM__UNIT_COUNT},
        {"door_utilization", TSIM__UNIT_SHARE}, {"late_departures", TSIM__UNIT_COUNT},
        {"pallets_unloaded", TSIM__UNIT_COUNT}, {"pallets_loaded", TSIM__UNIT_COUNT},
        {"turned_away", TSIM__UNIT_COUNT}, {"orders_loaded", TSIM__UNIT_COUNT},
        {"orders_missed", TSIM__UNIT_COUNT},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        enum tsim__unit_kind u = tsim__kpi_unit(want[i].kpi);
        if (u != want[i].unit) {
            fprintf(stderr, "  KPI '%s' has unit %d, not %d\n", want[i].kpi, (int)u,
                    (int)want[i].unit);
            check_failed_ = 1;
        }
    }
    char buf[32];
    CHECK(strcmp(tsim__unit_json(buf, sizeof buf, "battery_min", "min"), "fraction") == 0);
    CHECK(strcmp(tsim__unit_json(buf, sizeof buf, "charger_wait", "s"), "s") == 0);
}

int main(void)
{
    RUN(test_json_escape);
    RUN(test_kpi_units);
    RUN(test_kpi_units_logistics);
    RUN(test_json_numbers);
    RUN(test_shortest_numbers);
    RUN(test_report_order_and_json);
    RUN(test_json_interleaved_dots);
    RUN(test_summarize);
    RUN(test_fingerprint_combine);
    RUN(test_csv);
    RUN(test_table);
    RUN(test_sqlite);
    RUN(test_sqlite_version2);
    RUN(test_collect_spill);
    RUN(test_out_files);
    return CHECK_DONE();
}
