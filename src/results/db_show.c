/*
 * Reading the results database back: `twinsim runs` (every run, of `twinsim run`, `experiment`
 * and `optimize`, newest first), `twinsim show` (one run: its settings and KPIs, its JSON, or the
 * model text it ran) and `twinsim compare` (two runs of `twinsim run`, KPI by KPI).
 *
 * Runs and experiment runs share one sequence of ids (sqlite.c), so an id names one run. Files
 * written before that may hold a run and an experiment run with the same id: a number then means
 * the run of `twinsim run`, and `show` says that the other exists.
 *
 * Comparisons: two runs with the same seed used the same random streams replication by
 * replication (common random numbers), so their difference is estimated from the paired
 * differences of their replications, a far narrower interval than from two independent
 * summaries; runs with different seeds are independent, and get Welch's interval.
 */
#include "core/core.h"
#include "results/db.h"
#include "results/results.h"

#include <errno.h>
#include <math.h>
#include "core/sqlite_lib.h"
#include <string.h>

enum kind { KIND_RUN, KIND_EXP };

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

/* A file name without its directories, for the listing. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

int tsim__db_list(const char *path, FILE *out, int limit)
{
    sqlite3 *db;
    int rc = tsim__db_open(path, 0, &db);
    if (rc) return rc;
    int runs = tsim__db_has_table(db, "runs"), exps = tsim__db_has_table(db, "exp_runs");
    /* One list over both kinds; an experiment's figures come from its JSON once it finished
     * (json_valid guards the runs that did not). */
    char sql[1400];
    snprintf(sql, sizeof sql,
             "SELECT id, kind, created, name, reps, seed, horizon, warmup, unit, result, secs"
             " FROM (%s%s%s) ORDER BY id DESC, kind = 'run' DESC LIMIT ?1",
             runs ? "SELECT id, 'run' AS kind, created, model AS name, replications AS reps,"
                    " seed, horizon, warmup, time_unit AS unit, fingerprint AS result,"
                    " wall_seconds AS secs FROM runs"
                  : "",
             runs && exps ? " UNION ALL " : "",
             exps ? "SELECT id, kind, started AS created, file AS name, (SELECT count(*)"
                    " FROM exp_reps r WHERE r.run = e.id) AS reps, seed,"
                    " CASE WHEN json_valid(json) THEN json_extract(json, '$.horizon') END"
                    " AS horizon,"
                    " CASE WHEN json_valid(json) THEN json_extract(json, '$.warmup') END"
                    " AS warmup,"
                    " CASE WHEN json_valid(json) THEN json_extract(json, '$.time_unit') END"
                    " AS unit, status AS result, CASE WHEN json_valid(json) THEN"
                    " json_extract(json, '$.timing.wall_s') END AS secs FROM exp_runs e"
                  : "");
    sqlite3_stmt *st;
    if ((rc = tsim__db_prepare(db, path, sql, &st, "cannot read")) != 0) {
        sqlite3_close(db);
        return rc;
    }
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    fprintf(out, "%6s  %-20s  %-10s  %-24s  %7s  %6s  %10s  %10s  %-16s  %8s\n", "id", "created",
            "kind", "model or experiment", "reps", "seed", "horizon", "warmup",
            "fingerprint", "seconds");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char horizon[40] = "-", warmup[40] = "-", secs[40] = "-", result[40];
        const char *unit = col_text(st, 8);
        if (sqlite3_column_type(st, 6) != SQLITE_NULL && sqlite3_column_double(st, 6) > 0)
            snprintf(horizon, sizeof horizon, "%g %s", sqlite3_column_double(st, 6), unit);
        if (sqlite3_column_type(st, 7) != SQLITE_NULL)
            snprintf(warmup, sizeof warmup, "%g %s", sqlite3_column_double(st, 7), unit);
        if (sqlite3_column_type(st, 10) != SQLITE_NULL)
            snprintf(secs, sizeof secs, "%.3f", sqlite3_column_double(st, 10));
        int is_run = strcmp(col_text(st, 1), "run") == 0;
        /* An experiment has no one fingerprint: its status stands there. */
        snprintf(result, sizeof result, is_run ? "%s" : "(%s)", col_text(st, 9));
        fprintf(out, "%6lld  %-20s  %-10s  %-24s  %7lld  %6s  %10s  %10s  %-16s  %8s\n",
                (long long)sqlite3_column_int64(st, 0), col_text(st, 2), col_text(st, 1),
                is_run ? col_text(st, 3) : base_name(col_text(st, 3)),
                (long long)sqlite3_column_int64(st, 4), col_text(st, 5), horizon, warmup, result,
                secs);
    }
    rc = rc == SQLITE_DONE ? 0 : tsim__db_fail(db, path, "cannot read");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static void free_rows(struct tsim__row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tsim__free((void *)rows[i].owner);
        tsim__free((void *)rows[i].type);
        tsim__free((void *)rows[i].kpi);
    }
    tsim__free(rows);
}

/* Prepare `sql`, whose ?1 is a run's id, for run `id`. Returns 0 or TSIM_EIO. */
static int prepare_for(sqlite3 *db, const char *path, const char *sql, int64_t id,
                       sqlite3_stmt **st)
{
    if (tsim__db_prepare(db, path, sql, st, "cannot read") != 0) return TSIM_EIO;
    sqlite3_bind_int64(*st, 1, id);
    return 0;
}

/* Rebuild run `id`'s report rows from summary_kpis, in the order the run printed them. */
static int load_rows(sqlite3 *db, const char *path, int64_t id, struct tsim__row **out,
                     size_t *nout)
{
    sqlite3_stmt *st;
    *out = NULL;
    *nout = 0;
    if (prepare_for(db, path,
                    "SELECT scope, owner, type, kpi, mean, half_width, sd, min, max, n"
                    " FROM summary_kpis WHERE run_id = ?1 ORDER BY ord",
                    id, &st) != 0)
        return TSIM_EIO;
    struct tsim__row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc, group = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tsim__grow((void **)&rows, &cap, n + 1, sizeof *rows);
        struct tsim__row *r = &rows[n];
        memset(r, 0, sizeof *r);
        r->owner = tsim__strdup(col_text(st, 1));
        r->type = tsim__strdup(col_text(st, 2));
        r->kpi = tsim__strdup(col_text(st, 3));
        /* The table only needs to know where an owner's rows begin. */
        if (n > 0 && (strcmp(rows[n - 1].owner, r->owner) != 0 ||
                      strcmp(rows[n - 1].type, r->type) != 0))
            group++;
        r->block = group;
        r->index = n;
        double *v[] = {&r->s.mean, &r->s.half_width, &r->s.sd, &r->s.min, &r->s.max};
        for (int i = 0; i < 5; i++) {
            int null = sqlite3_column_type(st, 4 + i) == SQLITE_NULL;
            *v[i] = null ? NAN : sqlite3_column_double(st, 4 + i);
        }
        r->s.n = (uint64_t)sqlite3_column_int64(st, 9);
        n++;
    }
    rc = rc == SQLITE_DONE ? 0 : tsim__db_fail(db, path, "cannot read");
    sqlite3_finalize(st);
    if (rc) {
        free_rows(rows, n);
        return rc;
    }
    *out = rows;
    *nout = n;
    return 0;
}

/* Whether `id` is in `table`. */
static int has_id(sqlite3 *db, const char *table, int64_t id)
{
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ?1", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static int64_t max_id(sqlite3 *db, const char *table)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT max(id) FROM %s", table);
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/*
 * Which run `*id` is (0: the newest of either kind, or of runs only with `runs_only`):
 * TSIM_ENOENT when none. `*both` is set when an older file holds a run and an experiment run
 * of that id; the run of `twinsim run` is taken.
 */
static int resolve_run(sqlite3 *db, const char *path, int64_t *id, enum kind *kind, int *both,
                       int runs_only)
{
    int runs = tsim__db_has_table(db, "runs"), exps = tsim__db_has_table(db, "exp_runs");
    *both = 0;
    if (*id == 0) {
        int64_t r = runs ? max_id(db, "runs") : 0, e = exps && !runs_only ? max_id(db, "exp_runs")
                                                                          : 0;
        if (r <= 0 && e <= 0)
            return tsim__fail(TSIM_ENOENT, "sqlite", "no runs in '%s'", path);
        *id = r >= e ? r : e;
        *kind = r >= e ? KIND_RUN : KIND_EXP;
        return 0;
    }
    int in_runs = runs && has_id(db, "runs", *id), in_exps = exps && has_id(db, "exp_runs", *id);
    if (!in_runs && !in_exps)
        return tsim__fail(TSIM_ENOENT, "sqlite", "no run %lld in '%s'", (long long)*id, path);
    *kind = in_runs ? KIND_RUN : KIND_EXP;
    *both = in_runs && in_exps;
    return 0;
}

/* 95% Student-t half-width of the mean of the paired differences b - a of one KPI over the
 * replications both runs have (matched by index); NAN when fewer than 2 pairs. */
static int paired_diff(sqlite3 *db, const char *path, int64_t a, int64_t b,
                       const struct tsim__row *r, double *mean, double *hw, uint64_t *pairs)
{
    static const char sql[] =
        "SELECT y.value - x.value FROM replication_kpis x JOIN replication_kpis y"
        " ON y.run_id = ?2 AND y.replication = x.replication AND y.scope = x.scope"
        " AND y.owner = x.owner AND y.kpi = x.kpi"
        " WHERE x.run_id = ?1 AND x.owner = ?3 AND x.kpi = ?4 AND x.scope = ?5"
        " ORDER BY x.replication";
    sqlite3_stmt *st;
    if (tsim__db_prepare(db, path, sql, &st, "cannot read") != 0) return TSIM_EIO;
    const char *scope = strcmp(r->type, "system") == 0      ? "system"
                        : strcmp(r->type, "operators") == 0 ? "operators"
                                                            : "block";
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_text(st, 3, r->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->kpi, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, scope, -1, SQLITE_STATIC);
    struct tsim_tally t;
    tsim_tally_init(&t);
    int rc, missing = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* A replication without the figure (a NULL: the mean of nothing) makes the mean
         * difference undefined, as it makes each run's mean. */
        if (sqlite3_column_type(st, 0) == SQLITE_NULL) missing = 1;
        else tsim_tally_add(&t, sqlite3_column_double(st, 0));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return tsim__db_fail(db, path, "cannot read");
    *pairs = t.n;
    *mean = t.n && !missing ? t.mean : NAN;
    *hw = t.n >= 2 && !missing
              ? tsim_t_quantile(0.975, (double)(t.n - 1)) * sqrt(tsim_tally_variance(&t) /
                                                                 (double)t.n)
              : NAN;
    return 0;
}

int tsim__db_compare(const char *path, int64_t a, int64_t b, FILE *out)
{
    sqlite3 *db;
    int rc = tsim__db_open(path, 0, &db);
    if (rc) return rc;
    enum kind ka = KIND_RUN, kb = KIND_RUN;
    int both;
    rc = resolve_run(db, path, &a, &ka, &both, 1);
    if (!rc) rc = resolve_run(db, path, &b, &kb, &both, 1);
    if (!rc && (ka == KIND_EXP || kb == KIND_EXP))
        rc = tsim__fail(TSIM_EINVAL, "sqlite", "run %lld is an experiment or optimize run: "
                        "compare takes runs of 'twinsim run' (its scenarios are compared in "
                        "'twinsim show %lld')",
                        (long long)(ka == KIND_EXP ? a : b), (long long)(ka == KIND_EXP ? a : b));
    struct tsim__row *ra = NULL, *rb = NULL;
    size_t na = 0, nb = 0;
    if (!rc) rc = load_rows(db, path, a, &ra, &na);
    if (!rc) rc = load_rows(db, path, b, &rb, &nb);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = tsim__db_prepare(db, path,
                              "SELECT id, model, seed, replications, time_unit, fingerprint"
                              " FROM runs WHERE id IN (?1, ?2) ORDER BY id = ?2",
                              &st, "cannot read");
    struct tsim__diff *diffs = NULL;
    if (!rc) {
        sqlite3_bind_int64(st, 1, a);
        sqlite3_bind_int64(st, 2, b);
        char fp[2][17] = {"", ""}, unit[2][8] = {"", ""}, seed[2][24] = {"", ""};
        int reps[2] = {0, 0};
        for (int i = 0; i < 2 && sqlite3_step(st) == SQLITE_ROW; i++) {
            fprintf(out, "run %lld: %s, seed %s, %d replications\n",
                    (long long)sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
                    sqlite3_column_int(st, 3));
            snprintf(seed[i], sizeof seed[i], "%s", col_text(st, 2));
            reps[i] = sqlite3_column_int(st, 3);
            snprintf(unit[i], sizeof unit[i], "%s", col_text(st, 4));
            snprintf(fp[i], sizeof fp[i], "%s", col_text(st, 5));
        }
        if (a == b) {
            memcpy(fp[1], fp[0], sizeof fp[1]);
            memcpy(unit[1], unit[0], sizeof unit[1]);
            memcpy(seed[1], seed[0], sizeof seed[1]);
            reps[1] = reps[0];
        }
        if (strcmp(fp[0], fp[1]) == 0)
            fprintf(out, "fingerprints equal (%s): the runs behaved identically\n\n", fp[0]);
        else
            fprintf(out, "fingerprints differ (%s, %s)\n\n", fp[0], fp[1]);
        if (strcmp(unit[0], unit[1]) != 0)
            fprintf(out, "note: time units differ ('%s', '%s'); figures are as recorded\n\n",
                    unit[0], unit[1]);
        /* Same seed: common random numbers, replication r of both drew the same streams. */
        int paired = strcmp(seed[0], seed[1]) == 0;
        if (paired) {
            diffs = tsim__calloc(na + 1, sizeof *diffs);
            for (size_t i = 0; i < na && !rc; i++) {
                diffs[i].mean = diffs[i].half_width = NAN;
                rc = paired_diff(db, path, a, b, &ra[i], &diffs[i].mean, &diffs[i].half_width,
                                 &diffs[i].pairs);
            }
            if (!rc && reps[0] != reps[1])
                fprintf(out, "note: differences are paired over the first %d replications, "
                        "which both runs have\n\n", reps[0] < reps[1] ? reps[0] : reps[1]);
        }
        if (!rc) {
            char la[32], lb[32];
            snprintf(la, sizeof la, "run %lld", (long long)a);
            snprintf(lb, sizeof lb, "run %lld", (long long)b);
            tsim__table_compare(out, ra, na, rb, nb, unit[0], la, lb, diffs);
        }
    }
    tsim__free(diffs);
    sqlite3_finalize(st);
    free_rows(ra, na);
    free_rows(rb, nb);
    sqlite3_close(db);
    return rc;
}

/* Write `n` bytes at once, or fail saying why: one large write goes past the stream's buffer,
 * so its failure is told now or never. */
static int put_all(FILE *out, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, out) != n)
        return tsim__fail(TSIM_EIO, "out", "cannot write to standard output: %s",
                          strerror(errno));
    return 0;
}

static int show_run(sqlite3 *db, const char *path, int64_t id, enum tsim__db_show_what what,
                    FILE *out)
{
    sqlite3_stmt *st;
    if (prepare_for(db, path,
                    "SELECT created, twinsim_version, model, model_path, time_unit, seed,"
                    " replications, horizon, warmup, warmup_auto, threads, command,"
                    " fingerprint, events, wall_seconds, result_json, model_text, options"
                    " FROM runs WHERE id = ?1",
                    id, &st) != 0)
        return TSIM_EIO;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE
                 ? tsim__fail(TSIM_ENOENT, "sqlite", "no run %lld in '%s'", (long long)id, path)
                 : tsim__db_fail(db, path, "cannot read");
        sqlite3_finalize(st);
        return rc;
    }
    rc = 0;
    if (what == TSIM__SHOW_JSON || what == TSIM__SHOW_MODEL) {
        int col = what == TSIM__SHOW_JSON ? 15 : 16;
        const unsigned char *text = sqlite3_column_text(st, col);
        rc = put_all(out, text, text ? (size_t)sqlite3_column_bytes(st, col) : 0);
        sqlite3_finalize(st);
        return rc;
    }
    char unit[16];
    snprintf(unit, sizeof unit, "%s", col_text(st, 4));
    fprintf(out, "run %lld, %s, twinsim %s\n", (long long)id, col_text(st, 0), col_text(st, 1));
    fprintf(out, "model    %s (%s)\n", col_text(st, 2), col_text(st, 3));
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
        fprintf(out, "command  %s\n", col_text(st, 11));
    fprintf(out, "options  %s\n", col_text(st, 17));
    fprintf(out, "seed %s, %d replications, horizon ", col_text(st, 5), sqlite3_column_int(st, 6));
    if (sqlite3_column_double(st, 7) > 0)
        fprintf(out, "%g %s", sqlite3_column_double(st, 7), unit);
    else
        fputs("none (until no event is left)", out);
    fprintf(out, ", warm-up %g %s%s, %d threads\n", sqlite3_column_double(st, 8), unit,
            sqlite3_column_int(st, 9) ? " (auto, MSER-5)" : "", sqlite3_column_int(st, 10));
    fprintf(out, "fingerprint %s, %lld events, %.3f s\n\n", col_text(st, 12),
            (long long)sqlite3_column_int64(st, 13), sqlite3_column_double(st, 14));
    sqlite3_finalize(st);
    struct tsim__row *rows;
    size_t n;
    if ((rc = load_rows(db, path, id, &rows, &n)) != 0) return rc;
    tsim__table_write(out, rows, n, unit);
    free_rows(rows, n);
    return 0;
}

/* `x` with its half-width, as the experiment table prints it. */
static void pm(char *buf, size_t len, sqlite3_stmt *st, int mean_col, int hw_col)
{
    if (sqlite3_column_type(st, mean_col) == SQLITE_NULL) {
        snprintf(buf, len, "-");
    } else if (sqlite3_column_type(st, hw_col) == SQLITE_NULL) {
        snprintf(buf, len, "%.5g", sqlite3_column_double(st, mean_col));
    } else {
        snprintf(buf, len, "%.5g ± %.2g", sqlite3_column_double(st, mean_col),
                 sqlite3_column_double(st, hw_col));
    }
}

/*
 * An experiment or optimize run: what it was, how far it got, and one line per scenario (its
 * factors, the replications kept, and once it finished the objective, or the system's
 * throughput, with its interval and the comparison with the best).
 */
static int show_experiment(sqlite3 *db, const char *path, int64_t id,
                           enum tsim__db_show_what what, FILE *out)
{
    sqlite3_stmt *st;
    if (prepare_for(db, path,
                    "SELECT kind, file, model, seed, status, started, finished, json,"
                    " json_valid(json) FROM exp_runs WHERE id = ?1",
                    id, &st) != 0)
        return TSIM_EIO;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return tsim__db_fail(db, path, "cannot read");
    }
    int done = sqlite3_column_int(st, 8) && sqlite3_column_bytes(st, 7) > 0;
    int rc = 0;
    if (what == TSIM__SHOW_MODEL) {
        rc = tsim__fail(TSIM_EINVAL, "sqlite", "%s run %lld keeps the path of its model, not its "
                        "text: '%s'", col_text(st, 0), (long long)id, col_text(st, 2));
    } else if (what == TSIM__SHOW_JSON) {
        if (done)
            rc = put_all(out, sqlite3_column_text(st, 7), (size_t)sqlite3_column_bytes(st, 7));
        else
            rc = tsim__fail(TSIM_ENOENT, "sqlite", "%s run %lld has no results yet (it is '%s'): "
                            "continue it with --resume", col_text(st, 0), (long long)id,
                            col_text(st, 4));
    } else {
        fprintf(out, "%s %lld, started %s%s%s, %s\n", col_text(st, 0), (long long)id,
                col_text(st, 5), sqlite3_column_type(st, 6) != SQLITE_NULL ? ", ended " : "",
                col_text(st, 6), col_text(st, 4));
        fprintf(out, "file     %s\nmodel    %s\nseed     %s\n\n", col_text(st, 1),
                col_text(st, 2), col_text(st, 3));
    }
    sqlite3_finalize(st);
    if (rc || what != TSIM__SHOW_TABLE) return rc;

    /* Scenarios: from the JSON of a finished run, else from what is stored so far. */
    const char *sql =
        done ? "SELECT json_extract(s.value, '$.id'), json_extract(s.value, '$.factors'),"
               " json_extract(s.value, '$.replications'),"
               " coalesce(json_extract(s.value, '$.objective.mean'),"
               " json_extract(s.value, '$.kpis.\"system.throughput\".mean')),"
               " coalesce(json_extract(s.value, '$.objective.half_width'),"
               " json_extract(s.value, '$.kpis.\"system.throughput\".half_width')),"
               " json_extract(s.value, '$.best'),"
               " json_extract(s.value, '$.indistinguishable_from_best'),"
               " json_extract(e.json, '$.objective.maximize'),"
               " json_extract(e.json, '$.objective.minimize')"
               " FROM exp_runs e, json_each(e.json, '$.scenarios') s WHERE e.id = ?1"
             : "SELECT scen, factors, (SELECT count(*) FROM exp_reps r WHERE r.run = ?1"
               " AND r.scen = s.scen), NULL, NULL, NULL, NULL, NULL, NULL"
               " FROM exp_scenarios s WHERE run = ?1 ORDER BY scen";
    if (prepare_for(db, path, sql, id, &st) != 0) return TSIM_EIO;
    int first = 1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (first) {
            const char *obj = col_text(st, 7)[0] ? col_text(st, 7) : col_text(st, 8);
            char head[160];
            snprintf(head, sizeof head, "%s%s", !done ? "" : obj[0] ? obj : "system.throughput",
                     done && obj[0] ? (col_text(st, 7)[0] ? " (maximize)" : " (minimize)") : "");
            fprintf(out, "%-4s  %-40s  %7s  %s\n", "#", "factors", "reps",
                    done ? head : "(no results yet: replications kept so far)");
            first = 0;
        }
        char val[64];
        pm(val, sizeof val, st, 3, 4);
        const char *mark = sqlite3_column_int(st, 5)                                ? "  best"
                           : sqlite3_column_type(st, 6) != SQLITE_NULL &&
                                     sqlite3_column_int(st, 6)                      ? "  = best"
                                                                                    : "";
        fprintf(out, "%-4lld  %-40s  %7lld  %s%s\n", (long long)sqlite3_column_int64(st, 0),
                col_text(st, 1), (long long)sqlite3_column_int64(st, 2), done ? val : "", mark);
    }
    rc = rc == SQLITE_DONE ? 0 : tsim__db_fail(db, path, "cannot read");
    sqlite3_finalize(st);
    if (!rc && done)
        fprintf(out, "\n'twinsim show %lld --json' has every KPI of every scenario; "
                "'twinsim report %lld -o FILE' draws them\n", (long long)id, (long long)id);
    return rc;
}

int tsim__db_show(const char *path, int64_t id, enum tsim__db_show_what what, FILE *out)
{
    sqlite3 *db;
    int rc = tsim__db_open(path, 0, &db);
    if (rc) return rc;
    enum kind kind;
    int both;
    if ((rc = resolve_run(db, path, &id, &kind, &both, 0)) == 0) {
        if (kind == KIND_RUN) {
            rc = show_run(db, path, id, what, out);
            if (!rc && both && what == TSIM__SHOW_TABLE)
                fprintf(out, "\nnote: this file also holds an experiment run %lld (written "
                        "before runs and experiments shared their ids): 'twinsim report %lld' "
                        "shows it\n", (long long)id, (long long)id);
        } else {
            rc = show_experiment(db, path, id, what, out);
        }
    }
    sqlite3_close(db);
    return rc;
}
