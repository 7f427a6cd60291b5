/*
 * The dashboard's JSON API over the results database: runs, their KPIs, the layout of a run's
 * model and a Gantt chart of its machines, experiments and the model files runs may be started
 * from. Reads only (the connection is SQLITE_OPEN_READONLY); the routes are in docs/dashboard.md.
 *
 * The Gantt chart is not stored: it is replayed. A run's replication depends only on (model text,
 * seed, replication index), so running it again with an observer gives its machine states
 * exactly; the replayed replication's fingerprint is compared with the recorded one, and a replay
 * that differs (a run made with --set, which the replay does not apply) is refused, not drawn.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "results/results.h"
#include "run/replicate.h"
#include "web/web.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Most segments a Gantt answer holds; the rest of the replication is cut off (and says so). */
#define GANTT_MAX_SEGMENTS 200000

/* The row `st` stands on as a JSON object, column names as keys, the member `key` of what `j`
 * writes. */
static void write_row(sqlite3_stmt *st, struct tsim__json *j, const char *key)
{
    tsim__json_open(j, key, '{', TSIM__JSON_INLINE);
    int nc = sqlite3_column_count(st);
    for (int c = 0; c < nc; c++) {
        const char *name = sqlite3_column_name(st, c);
        switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER:
            tsim__json_int(j, name, sqlite3_column_int64(st, c));
            break;
        case SQLITE_FLOAT:
            tsim__json_number(j, name, sqlite3_column_double(st, c));
            break;
        case SQLITE_TEXT:
            tsim__json_string(j, name, (const char *)sqlite3_column_text(st, c));
            break;
        default:
            tsim__json_null(j, name);
        }
    }
    tsim__json_close(j, '{');
}

/* Every row of `st` as an array of objects, one a line, the member `key` of what `j` writes. */
static int dump_rows(sqlite3_stmt *st, struct tsim__json *j, const char *key)
{
    int rc;
    tsim__json_open(j, key, '[', TSIM__JSON_INLINE);
    for (int first = 1; (rc = sqlite3_step(st)) == SQLITE_ROW; first = 0) {
        if (!first) tsim__json_break(j);
        write_row(st, j, NULL);
    }
    tsim__json_close(j, '[');
    return rc == SQLITE_DONE ? 0 : -1;
}

/* A writer of a dashboard answer into `b`: HTML-safe strings, shortest numbers. */
static void answer(struct tsim__json *j, struct tsim__sb *b)
{
    tsim__json_init_sb(j, b, TSIM__JSON_HTML);
}

static int prepare(struct tsim_web *w, const char *sql, sqlite3_stmt **st,
                   struct tsim__web_resp *out)
{
    if (sqlite3_prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK) {
        tsim__web_error(out, 500, "cannot read the database: %s", sqlite3_errmsg(w->db));
        return -1;
    }
    return 0;
}

/* Answer with every row of `st` as a JSON array (500 if reading fails), then finalize it. */
static void reply_rows(struct tsim_web *w, sqlite3_stmt *st, struct tsim__web_resp *out)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    answer(&j, &b);
    if (dump_rows(st, &j, NULL) == 0) {
        tsim__sb_add(&b, "\n", 1);
        tsim__sb_reply(&b, out);
    } else {
        tsim__free(b.p);
        tsim__web_error(out, 500, "cannot read the database: %s", sqlite3_errmsg(w->db));
    }
    sqlite3_finalize(st);
}

/* A whole number parameter in [lo, hi], `def` when absent; -1 (with a 400 answer) if bad. */
static long long int_arg(const struct tsim__web_req *r, const char *key, long long def,
                         long long lo, long long hi, struct tsim__web_resp *out)
{
    const char *v = tsim__web_arg(r, key);
    if (!v) return def;
    long long x = 0;
    size_t n = strlen(v);
    int ok = n > 0 && n <= 12;
    for (size_t i = 0; ok && i < n; i++) {
        if (v[i] < '0' || v[i] > '9') ok = 0;
        else x = x * 10 + (v[i] - '0');
    }
    if (!ok || x < lo || x > hi) {
        tsim__web_error(out, 400, "parameter '%s' must be a whole number from %lld to %lld", key,
                        lo, hi);
        return -1;
    }
    return x;
}

void tsim__web_api_runs(struct tsim_web *w, const struct tsim__web_req *r,
                        struct tsim__web_resp *out)
{
    long long limit = int_arg(r, "limit", 100, 1, 10000, out);
    if (limit < 0) return;
    const char *model = tsim__web_arg(r, "model");
    if (model && strlen(model) > 256) {
        tsim__web_error(out, 400, "parameter 'model' is longer than 256 bytes");
        return;
    }
    sqlite3_stmt *st;
    pthread_mutex_lock(&w->dbmu);
    if (prepare(w,
                "SELECT id, created, model, model_path, time_unit, seed, replications, horizon, "
                "warmup, threads, fingerprint, events, wall_seconds FROM runs "
                "WHERE ?1 IS NULL OR model = ?1 ORDER BY id DESC LIMIT ?2",
                &st, out) == 0) {
        if (model) sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, limit);
        reply_rows(w, st, out);
    }
    pthread_mutex_unlock(&w->dbmu);
}

/* One run: its settings, then its KPIs in the table's order. */
void tsim__web_api_run(struct tsim_web *w, int64_t id, struct tsim__web_resp *out)
{
    sqlite3_stmt *st = NULL, *kp = NULL;
    struct tsim__sb b = {0};
    pthread_mutex_lock(&w->dbmu);
    if (prepare(w,
                "SELECT id, created, twinsim_version, model, model_path, time_unit, seed, "
                "replications, horizon, warmup, warmup_auto, threads, options, command, "
                "fingerprint, events, wall_seconds FROM runs WHERE id = ?1",
                &st, out) != 0)
        goto done;
    sqlite3_bind_int64(st, 1, id);
    /* The settings: the row's columns as an object, or a 404 without the row. */
    struct tsim__json j;
    answer(&j, &b);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        tsim__web_error(out, 404, "no run %lld", (long long)id);
        goto done;
    }
    if (rc != SQLITE_ROW) goto fail;
    write_row(st, &j, "run");
    if (prepare(w,
                "SELECT scope, owner, type, kpi, mean, half_width, sd, min, max, n "
                "FROM summary_kpis WHERE run_id = ?1 ORDER BY ord",
                &kp, out) != 0)
        goto done;
    sqlite3_bind_int64(kp, 1, id);
    tsim__json_break(&j);
    if (dump_rows(kp, &j, "kpis") != 0) goto fail;
    /* Whether `twinsim run --trace` recorded a trace (a database without the table has none). */
    sqlite3_stmt *tq;
    int traced = 0;
    if (sqlite3_prepare_v2(w->db, "SELECT 1 FROM run_traces WHERE run_id = ?1", -1, &tq, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(tq, 1, id);
        traced = sqlite3_step(tq) == SQLITE_ROW;
        sqlite3_finalize(tq);
    }
    tsim__json_break(&j);
    tsim__json_bool(&j, "trace", traced);
    tsim__json_close(&j, '{');
    tsim__sb_add(&b, "\n", 1);
    tsim__sb_reply(&b, out);
    goto done;
fail:
    tsim__web_error(out, 500, "cannot read the database: %s", sqlite3_errmsg(w->db));
done:
    sqlite3_finalize(st);
    sqlite3_finalize(kp);
    pthread_mutex_unlock(&w->dbmu);
    tsim__free(b.p);
}

/* The recorded run's model, loaded again from its text. */
struct replay {
    struct tsim_model *m;
    struct tsim_run_opts o;
    int replications;
    char time_unit[16];
};

static int load_run(struct tsim_web *w, int64_t id, struct replay *rp, struct tsim__web_resp *out)
{
    memset(rp, 0, sizeof *rp);
    sqlite3_stmt *st;
    char *text = NULL, *path = NULL;
    size_t len = 0;
    int found = 0;
    pthread_mutex_lock(&w->dbmu);
    if (prepare(w,
                "SELECT model_text, model_path, seed, replications, horizon, warmup FROM runs "
                "WHERE id = ?1",
                &st, out) != 0) {
        pthread_mutex_unlock(&w->dbmu);
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = 1;
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t) {
            len = (size_t)sqlite3_column_bytes(st, 0);
            text = tsim__malloc(len + 1);
            memcpy(text, t, len + 1);
        }
        const char *p = (const char *)sqlite3_column_text(st, 1);
        path = tsim__strdup(p ? p : "model.yaml");
        rp->o.seed = strtoull((const char *)sqlite3_column_text(st, 2), NULL, 10);
        rp->replications = sqlite3_column_int(st, 3);
        rp->o.horizon = sqlite3_column_double(st, 4);
        rp->o.warmup = sqlite3_column_double(st, 5);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&w->dbmu);
    if (!found) {
        tsim__web_error(out, 404, "no run %lld", (long long)id);
        return -1;
    }
    if (!text) {
        tsim__free(path);
        tsim__web_error(out, 404, "run %lld has no model text recorded", (long long)id);
        return -1;
    }
    struct tsim_diags d;
    tsim_diags_init(&d);
    rp->m = tsim_model_load(text, len, path, NULL, &d);
    if (!rp->m || tsim_model_validate(rp->m) != 0) {
        const char *why = d.n > 0 ? d.items[0].message : tsim_errmsg();
        tsim__web_error(out, 422, "the model of run %lld does not load again: %s",
                        (long long)id, why);
        tsim_model_destroy(rp->m);
        rp->m = NULL;
    }
    tsim_diags_release(&d);
    tsim__free(text);
    tsim__free(path);
    if (!rp->m) return -1;
    snprintf(rp->time_unit, sizeof rp->time_unit, "%s", tsim_model_time_unit(rp->m));
    return 0;
}

/* The model's graph: blocks in model order and the routes between them. */
void tsim__web_layout_json(struct tsim__json *j, const struct tsim_model *m)
{
    tsim__json_string(j, "model", tsim_model_name(m));
    tsim__json_open(j, "blocks", '[', TSIM__JSON_INLINE);
    for (int i = 0; i < m->nblocks; i++) {
        const struct tsim__block_desc *d = &m->blocks[i];
        if (i) tsim__json_break(j);
        tsim__json_open(j, NULL, '{', TSIM__JSON_INLINE);
        tsim__json_string(j, "name", d->name);
        tsim__json_string(j, "type", tsim_block_type_name(d->type));
        tsim__json_int(j, "servers", d->servers > 0 ? d->servers : 1);
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
    tsim__json_break(j);
    tsim__json_open(j, "links", '[', TSIM__JSON_INLINE);
    for (int i = 0; i < m->nblocks; i++) {
        const struct tsim__route *rt = &m->blocks[i].route;
        for (int k = 0; k < rt->n; k++) {
            int dup = 0;
            for (int q = 0; q < k; q++) dup |= rt->to[q] == rt->to[k];
            if (dup || rt->to[k] < 0) continue;
            tsim__json_open(j, NULL, '[', TSIM__JSON_INLINE);
            tsim__json_int(j, NULL, i);
            tsim__json_int(j, NULL, rt->to[k]);
            tsim__json_close(j, '[');
        }
    }
    tsim__json_close(j, '[');
}

void tsim__web_api_layout(struct tsim_web *w, int64_t id, struct tsim__web_resp *out)
{
    struct replay rp;
    if (load_run(w, id, &rp, out) != 0) return;
    struct tsim__sb b = {0};
    struct tsim__json j;
    answer(&j, &b);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    tsim__json_int(&j, "run", id);
    tsim__web_layout_json(&j, rp.m);
    tsim__json_close(&j, '{');
    tsim__sb_add(&b, "\n", 1);
    tsim__sb_reply(&b, out);
    tsim_model_destroy(rp.m);
}

/* The Gantt chart's recorder: one open segment per machine server. */
struct gantt {
    struct tsim__json j; /* the array of segments, one a line */
    int *row_of;        /* block -> first row (machine server), -1 if not a machine */
    int *state;         /* per row */
    double *since;      /* per row */
    size_t segments;
    int truncated;
};

static void gantt_emit(struct gantt *g, int row, double t1)
{
    if (t1 <= g->since[row]) return;
    if (g->segments >= GANTT_MAX_SEGMENTS) {
        g->truncated = 1;
        return;
    }
    if (g->segments) tsim__json_break(&g->j);
    tsim__json_open(&g->j, NULL, '[', TSIM__JSON_INLINE);
    tsim__json_int(&g->j, NULL, row);
    tsim__json_int(&g->j, NULL, g->state[row]);
    tsim__json_number(&g->j, NULL, g->since[row]);
    tsim__json_number(&g->j, NULL, t1);
    tsim__json_close(&g->j, '[');
    g->segments++;
}

static void gantt_observe(void *ctx, const struct tsim_obs *o)
{
    struct gantt *g = ctx;
    if (o->kind != TSIM_OBS_STATE || g->row_of[o->block] < 0) return;
    int row = g->row_of[o->block] + o->server;
    if (g->state[row] == o->state) return;
    gantt_emit(g, row, o->t);
    g->state[row] = o->state;
    g->since[row] = o->t;
}

void tsim__web_api_gantt(struct tsim_web *w, int64_t id, const struct tsim__web_req *r,
                         struct tsim__web_resp *out)
{
    long long rep = int_arg(r, "replication", 0, 0, 1LL << 40, out);
    if (rep < 0) return;
    struct replay rp;
    if (load_run(w, id, &rp, out) != 0) return;
    struct tsim_model *m = rp.m;
    if (rep >= rp.replications) {
        tsim__web_error(out, 404, "run %lld has replications 0 to %d", (long long)id,
                        rp.replications - 1);
        tsim_model_destroy(m);
        return;
    }
    char recorded[32] = "";
    sqlite3_stmt *st;
    pthread_mutex_lock(&w->dbmu);
    if (prepare(w, "SELECT fingerprint FROM replications WHERE run_id = ?1 AND replication = ?2",
                &st, out) == 0) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, rep);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(recorded, sizeof recorded, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&w->dbmu);
    if (out->status) {
        tsim_model_destroy(m);
        return;
    }

    struct tsim_sim *sim = tsim_sim_create(m, rp.o.seed, (uint64_t)rep);
    if (!sim) {
        tsim__web_error(out, 422, "run %lld cannot be replayed: %s", (long long)id,
                        tsim_errmsg());
        tsim_model_destroy(m);
        return;
    }
    struct tsim__sb rows = {0}, segs = {0};
    struct tsim__json rj;
    struct gantt g = {0};
    answer(&rj, &rows);
    answer(&g.j, &segs);
    tsim__json_open(&g.j, NULL, '[', TSIM__JSON_INLINE);
    g.row_of = tsim__malloc(sizeof(int) * (size_t)(m->nblocks + 1));
    int nrows = 0;
    tsim__json_open(&rj, NULL, '[', TSIM__JSON_INLINE);
    for (int i = 0; i < m->nblocks; i++) {
        g.row_of[i] = -1;
        if (tsim_machine_state(sim, i, 0) < 0) continue;
        int servers = m->blocks[i].servers > 0 ? m->blocks[i].servers : 1;
        g.row_of[i] = nrows;
        for (int s = 0; s < servers; s++) {
            tsim__json_open(&rj, NULL, '{', TSIM__JSON_INLINE);
            tsim__json_string(&rj, "block", m->blocks[i].name);
            tsim__json_int(&rj, "server", s);
            tsim__json_close(&rj, '{');
            nrows++;
        }
    }
    tsim__json_close(&rj, '[');
    g.state = tsim__calloc((size_t)nrows + 1, sizeof(int));
    g.since = tsim__calloc((size_t)nrows + 1, sizeof(double));
    for (int i = 0; i < m->nblocks; i++) {
        if (g.row_of[i] < 0) continue;
        int servers = m->blocks[i].servers > 0 ? m->blocks[i].servers : 1;
        for (int s = 0; s < servers; s++) {
            int st0 = tsim_machine_state(sim, i, s);
            g.state[g.row_of[i] + s] = st0 < 0 ? 0 : st0;
        }
    }
    tsim_sim_set_observer(sim, gantt_observe, &g);
    int rc = tsim__run_one(sim, &rp.o);
    double end = tsim_sim_now(sim);
    for (int row = 0; row < nrows; row++) gantt_emit(&g, row, end);
    tsim__json_close(&g.j, '[');
    struct tsim_result res;
    tsim_result_init(&res);
    if (rc == 0) tsim_sim_result(sim, &res);
    char fp[32];
    snprintf(fp, sizeof fp, "%016" PRIx64, res.fingerprint);
    if (rc != 0 || strcmp(fp, recorded) != 0) {
        tsim__web_error(out, 409,
                        "replication %lld of run %lld does not replay as recorded (fingerprint "
                        "%s, recorded '%s'): was it run with --set?",
                        rep, (long long)id, rc == 0 ? fp : "none", recorded);
    } else {
        struct tsim__sb b = {0};
        struct tsim__json j;
        answer(&j, &b);
        tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
        tsim__json_int(&j, "run", id);
        tsim__json_int(&j, "replication", rep);
        tsim__json_string(&j, "time_unit", rp.time_unit);
        tsim__json_number(&j, "warmup", rp.o.warmup);
        tsim__json_number(&j, "end", end);
        tsim__json_string(&j, "fingerprint", fp);
        tsim__json_bool(&j, "truncated", g.truncated);
        tsim__json_break(&j);
        tsim__json_open(&j, "states", '[', TSIM__JSON_INLINE);
        for (int s = 0; s < TSIM_STATE_COUNT; s++)
            tsim__json_string(&j, NULL, tsim_state_name((enum tsim_state)s));
        tsim__json_close(&j, '[');
        tsim__json_break(&j);
        tsim__json_raw(&j, "rows", rows.p);
        tsim__json_break(&j);
        tsim__json_raw(&j, "segments", segs.p);
        tsim__json_close(&j, '{');
        tsim__sb_add(&b, "\n", 1);
        tsim__sb_reply(&b, out);
    }
    tsim_result_release(&res);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    tsim__free(rows.p);
    tsim__free(segs.p);
    tsim__free(g.row_of);
    tsim__free(g.state);
    tsim__free(g.since);
}

void tsim__web_api_experiments(struct tsim_web *w, const struct tsim__web_req *r,
                               struct tsim__web_resp *out)
{
    long long limit = int_arg(r, "limit", 100, 1, 10000, out);
    if (limit < 0) return;
    sqlite3_stmt *st;
    pthread_mutex_lock(&w->dbmu);
    if (prepare(w,
                "SELECT id, kind, file, model, seed, status, started, finished FROM exp_runs "
                "ORDER BY id DESC LIMIT ?1",
                &st, out) == 0) {
        sqlite3_bind_int64(st, 1, limit);
        reply_rows(w, st, out);
    }
    pthread_mutex_unlock(&w->dbmu);
}

/* One experiment: its row and its stored result document (scenarios, KPIs with intervals). */
void tsim__web_api_experiment(struct tsim_web *w, int64_t id, struct tsim__web_resp *out)
{
    sqlite3_stmt *st;
    pthread_mutex_lock(&w->dbmu);
    if (prepare(w, "SELECT kind, file, model, status, json FROM exp_runs WHERE id = ?1", &st,
                out) == 0) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            struct tsim__sb b = {0};
            struct tsim__json j;
            answer(&j, &b);
            tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
            tsim__json_int(&j, "id", id);
            tsim__json_string(&j, "kind", (const char *)sqlite3_column_text(st, 0));
            tsim__json_string(&j, "file", (const char *)sqlite3_column_text(st, 1));
            tsim__json_string(&j, "model", (const char *)sqlite3_column_text(st, 2));
            tsim__json_string(&j, "status", (const char *)sqlite3_column_text(st, 3));
            /* The document as the experiment writer stored it: JSON already. */
            const char *doc = (const char *)sqlite3_column_text(st, 4);
            tsim__json_break(&j);
            tsim__json_raw(&j, "result", doc && *doc ? doc : "null");
            /* The scenarios `experiment --trace` sampled; none where the table is missing (a
             * database of schema version 2 or older not yet written by this version). */
            tsim__json_break(&j);
            tsim__json_open(&j, "traces", '[', TSIM__JSON_INLINE);
            sqlite3_stmt *tq;
            if (sqlite3_prepare_v2(w->db, "SELECT scen FROM exp_samples WHERE run = ?1 ORDER BY "
                                   "scen", -1, &tq, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(tq, 1, id);
                while (sqlite3_step(tq) == SQLITE_ROW)
                    tsim__json_int(&j, NULL, sqlite3_column_int64(tq, 0));
                sqlite3_finalize(tq);
            }
            tsim__json_close(&j, '[');
            tsim__json_close(&j, '{');
            tsim__sb_add(&b, "\n", 1);
            tsim__sb_reply(&b, out);
        } else {
            tsim__web_error(out, 404, "no experiment %lld", (long long)id);
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&w->dbmu);
}

static int is_model_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200 || s[0] == '.') return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return 0;
    return (n > 5 && strcmp(s + n - 5, ".yaml") == 0) || (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

/* The model files a run may be started from: regular files (not links) with a plain name. */
void tsim__web_api_models(struct tsim_web *w, struct tsim__web_resp *out)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    answer(&j, &b);
    tsim__json_open(&j, NULL, '[', TSIM__JSON_INLINE);
    if (w->models_fd >= 0) {
        int fd = dup(w->models_fd);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d && fd >= 0) close(fd);
        if (d) {
            rewinddir(d);
            struct dirent *e;
            int n = 0;
            while ((e = readdir(d)) != NULL && n < 1000) {
                struct stat sb;
                if (!is_model_name(e->d_name) ||
                    fstatat(w->models_fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
                    !S_ISREG(sb.st_mode))
                    continue;
                n++;
                tsim__json_string(&j, NULL, e->d_name);
            }
            closedir(d);
        }
    }
    tsim__json_close(&j, '[');
    tsim__sb_add(&b, "\n", 1);
    tsim__sb_reply(&b, out);
}

int tsim__web_model_name_ok(const char *s)
{
    return is_model_name(s);
}

/* The trace `twinsim run --trace` recorded beside run `id` (scen < 0), or `twinsim experiment
 * --trace` beside scenario `scen` of experiment run `id`, read by the reader the static report
 * uses too (src/results/trace_read.c). */
static void answer_trace(struct tsim_web *w, int64_t id, long long scen,
                         struct tsim__web_resp *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        tsim__web_error(out, 500, "out of memory");
        return;
    }
    pthread_mutex_lock(&w->dbmu);
    int rc = tsim__trace_json(w->db, id, scen, f);
    if (rc == TSIM__TRACE_DB)
        tsim__web_error(out, 500, "cannot read the database: %s", sqlite3_errmsg(w->db));
    pthread_mutex_unlock(&w->dbmu);
    int bad = fclose(f) != 0;
    const char *what = scen >= 0 ? "experiment" : "run";
    if (rc == TSIM__TRACE_OK && !bad) {
        struct tsim__sb b = {0};
        tsim__sb_add(&b, text, len);
        tsim__sb_reply(&b, out);
        tsim__free(b.p);
    } else if (rc == TSIM__TRACE_OK) {
        tsim__web_error(out, 500, "out of memory");
    } else if (rc == TSIM__TRACE_NONE && scen >= 0) {
        tsim__web_error(out, 404,
                        "scenario %lld of experiment %lld has no trace (record one with "
                        "'twinsim experiment --trace T')",
                        scen, (long long)id);
    } else if (rc == TSIM__TRACE_NONE) {
        tsim__web_error(out, 404, "run %lld has no trace (record one with 'twinsim run --trace T')",
                        (long long)id);
    } else if (rc == TSIM__TRACE_DAMAGED) {
        tsim__web_error(out, 500, "the trace of %s %lld is damaged (a series of the wrong length)",
                        what, (long long)id);
    }
    free(text);
}

void tsim__web_api_trace(struct tsim_web *w, int64_t id, struct tsim__web_resp *out)
{
    answer_trace(w, id, -1, out);
}

void tsim__web_api_exp_trace(struct tsim_web *w, int64_t id, const struct tsim__web_req *r,
                             struct tsim__web_resp *out)
{
    long long scen = int_arg(r, "scenario", 0, 0, 1LL << 40, out);
    if (scen >= 0) answer_trace(w, id, scen, out);
}
