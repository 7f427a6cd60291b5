/*
 * The dashboard's request router: from (method, path, parameters, token) to an answer. It knows
 * nothing of sockets or HTTP's wire format (server.c does), so the fuzz test drives it directly.
 *
 * What it accepts is narrow on purpose: paths are matched exactly against the embedded pages
 * and the API's routes, never mapped onto files; ids are decimal whole numbers and nothing else;
 * every other parameter is checked where it is used. All SQL binds parameters. Anything else is
 * a 4xx with a JSON body saying why.
 */
#include "core/core.h"
#include "results/db.h"
#include "results/results.h"
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* ---- the server's core -------------------------------------------------------------------- */

static int token_ok(const char *t)
{
    size_t n = strlen(t);
    if (n < 16 || n > 128) return 0;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static int draw_token(char **out)
{
    unsigned char raw[16];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return tsim__fail(TSIM_EIO, "web", "no randomness for the token: %s",
                              strerror(errno));
        }
        got += (size_t)n;
    }
    char *t = tsim__malloc(2 * sizeof raw + 1);
    for (size_t i = 0; i < sizeof raw; i++) snprintf(t + 2 * i, 3, "%02x", raw[i]);
    *out = t;
    return 0;
}

int tsim__web_init(struct tsim_web *w, const struct tsim_web_opts *o)
{
    memset(w, 0, sizeof *w);
    w->models_fd = -1;
    pthread_mutex_init(&w->dbmu, NULL);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->next_job = 1;
    w->threads = o->threads;
    w->timeout = o->timeout ? o->timeout : 10;
    w->port = o->port;
    w->address = tsim__strdup(o->address ? o->address : "127.0.0.1");
    if (!o->db) return tsim__fail(TSIM_EINVAL, "web", "no results database given");
    w->db_path = tsim__strdup(o->db);
    if (o->token) {
        if (!token_ok(o->token))
            return tsim__fail(TSIM_EINVAL, "web",
                              "a token needs 16 to 128 characters of A-Z, a-z, 0-9, '-' and '_'");
        w->token = tsim__strdup(o->token);
    } else if (draw_token(&w->token) != 0) {
        return TSIM_EIO;
    }
    if (o->models) {
        w->models_fd = open(o->models, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->models_fd < 0)
            return tsim__fail(TSIM_EIO, "web", "cannot open the models directory '%s': %s",
                              o->models, strerror(errno));
        w->models_path = tsim__strdup(o->models);
    }
    /* A database that does not exist yet is made (as a run would make it), so that runs
     * started here have somewhere to go; one that exists is only ever read by the API. */
    if (access(o->db, F_OK) != 0) {
        sqlite3 *made;
        if (tsim__db_open(o->db, 1, &made) != 0) return TSIM_EIO;
        sqlite3_close(made);
    }
    if (sqlite3_open_v2(o->db, &w->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        int rc = tsim__fail(TSIM_EIO, "web", "cannot open '%s': %s", o->db,
                            w->db ? sqlite3_errmsg(w->db) : "out of memory");
        sqlite3_close(w->db);
        w->db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(w->db, 2000);
    char *err = NULL;
    if (sqlite3_exec(w->db, "SELECT count(*) FROM runs", NULL, NULL, &err) != SQLITE_OK) {
        int rc = tsim__fail(TSIM_EIO, "web", "'%s' is not a twinsim results database: %s", o->db,
                            err ? err : "?");
        sqlite3_free(err);
        return rc;
    }
    return 0;
}

void tsim__web_release(struct tsim_web *w)
{
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    atomic_store(&w->interrupt, SIGTERM);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < TSIM__WEB_MAX_JOBS; i++)
        if (w->jobs[i].has_thread) pthread_join(w->jobs[i].thread, NULL);
    if (w->db) sqlite3_close(w->db);
    if (w->models_fd >= 0) close(w->models_fd);
    tsim__free(w->db_path);
    tsim__free(w->models_path);
    tsim__free(w->token);
    tsim__free(w->address);
    tsim__web_live_release(w);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    pthread_mutex_destroy(&w->dbmu);
}

/* ---- routing ------------------------------------------------------------------------------ */

/* Equal in time independent of where the strings differ. */
static int same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < nb; i++) d |= (unsigned char)(a[i % (na ? na : 1)] ^ b[i]);
    return d == 0;
}

static int authorized(struct tsim_web *w, const struct tsim__web_req *r)
{
    if (r->auth && strncmp(r->auth, "Bearer ", 7) == 0 && same_secret(r->auth + 7, w->token))
        return 1;
    const char *t = tsim__web_arg(r, "token");
    return t && same_secret(t, w->token);
}

/* A run or job id: 1 to 2^53, decimal digits only. 0 if `s` is anything else. */
static int64_t parse_id(const char *s, size_t n)
{
    if (n == 0 || n > 16) return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v > 0 && v <= (int64_t)1 << 53 ? v : 0;
}

/* Match "PREFIX<id>SUFFIX" exactly; the id or 0. */
static int64_t match_id(const char *path, const char *prefix, const char *suffix, int *bad)
{
    size_t np = strlen(prefix), ns = strlen(suffix), n = strlen(path);
    if (n <= np + ns || strncmp(path, prefix, np) != 0 || strcmp(path + n - ns, suffix) != 0)
        return 0;
    const char *id = path + np;
    size_t len = n - np - ns;
    if (memchr(id, '/', len)) return 0;
    int64_t v = parse_id(id, len);
    if (!v) *bad = 1;
    return v;
}

static int method_is(const struct tsim__web_req *r, const char *m)
{
    return strcmp(r->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(r->method, "HEAD") == 0);
}

static void not_allowed(struct tsim__web_resp *out, const char *allow)
{
    tsim__web_error(out, 405, "method not allowed here (allowed: %s)", allow);
    out->allow = allow;
}

static int serve_asset(const char *path, struct tsim__web_resp *out)
{
    if (strcmp(path, "/") == 0) path = "/index.html";
    for (const struct tsim__web_asset *a = tsim__web_assets; a->path; a++) {
        if (strcmp(a->path, path) == 0) {
            out->status = 200;
            out->type = a->type;
            out->body = (char *)a->data;
            out->len = a->len;
            out->owned = 0;
            return 1;
        }
    }
    return 0;
}

void tsim__web_route(struct tsim_web *w, const struct tsim__web_req *r, struct tsim__web_resp *out)
{
    memset(out, 0, sizeof *out);
    const char *p = r->path;
    if (!p || p[0] != '/') {
        tsim__web_error(out, 400, "a path must start with '/'");
        return;
    }
    if (r->nargs > TSIM__WEB_MAX_ARGS) {
        tsim__web_error(out, 400, "more than %d parameters", TSIM__WEB_MAX_ARGS);
        return;
    }
    if (strncmp(p, "/api/", 5) != 0 && strcmp(p, "/api") != 0) {
        if (!method_is(r, "GET")) {
            not_allowed(out, "GET, HEAD");
            return;
        }
        if (!serve_asset(p, out)) tsim__web_error(out, 404, "no page '%s'", p);
        return;
    }

    int bad = 0;
    int64_t id;
    if (strcmp(p, "/api/runs") == 0) {
        if (method_is(r, "GET")) {
            tsim__web_api_runs(w, r, out);
        } else if (strcmp(r->method, "POST") == 0) {
            if (!authorized(w, r))
                tsim__web_error(out, 401, "starting a run needs the server's token");
            else
                tsim__web_job_start(w, r, out);
        } else {
            not_allowed(out, "GET, HEAD, POST");
        }
        return;
    }
    if (!method_is(r, "GET")) {
        not_allowed(out, "GET, HEAD");
        return;
    }
    if (strcmp(p, "/api/experiments") == 0) {
        tsim__web_api_experiments(w, r, out);
    } else if (strcmp(p, "/api/models") == 0) {
        tsim__web_api_models(w, out);
    } else if ((id = match_id(p, "/api/runs/", "", &bad)) > 0) {
        tsim__web_api_run(w, id, out);
    } else if ((id = match_id(p, "/api/runs/", "/layout", &bad)) > 0) {
        tsim__web_api_layout(w, id, out);
    } else if ((id = match_id(p, "/api/runs/", "/gantt", &bad)) > 0) {
        tsim__web_api_gantt(w, id, r, out);
    } else if ((id = match_id(p, "/api/runs/", "/trace", &bad)) > 0) {
        tsim__web_api_trace(w, id, out);
    } else if ((id = match_id(p, "/api/experiments/", "/trace", &bad)) > 0) {
        tsim__web_api_exp_trace(w, id, r, out);
    } else if ((id = match_id(p, "/api/experiments/", "", &bad)) > 0) {
        tsim__web_api_experiment(w, id, out);
    } else if (strcmp(p, "/api/twin") == 0) {
        tsim__web_api_twin(w, out);
    } else if (strcmp(p, "/api/twin/events") == 0) {
        if (!authorized(w, r)) {
            tsim__web_error(out, 401, "live events need the server's token");
            return;
        }
        pthread_mutex_lock(&w->mu);
        int on = w->live_on;
        pthread_mutex_unlock(&w->mu);
        if (!on)
            tsim__web_error(out, 404, "no live twin here (start one with 'twinsim twin --serve')");
        else
            out->stream_twin = 1;
    } else if ((id = match_id(p, "/api/jobs/", "", &bad)) > 0) {
        tsim__web_job_show(w, id, out);
    } else if ((id = match_id(p, "/api/jobs/", "/events", &bad)) > 0) {
        if (!authorized(w, r)) {
            tsim__web_error(out, 401, "live events need the server's token");
            return;
        }
        pthread_mutex_lock(&w->mu);
        int found = tsim__web_job_find(w, id) != NULL;
        pthread_mutex_unlock(&w->mu);
        if (!found)
            tsim__web_error(out, 404, "no job %lld", (long long)id);
        else
            out->stream_job = id;
    } else if (bad) {
        tsim__web_error(out, 400, "an id is a whole number from 1 to 2^53");
    } else {
        tsim__web_error(out, 404, "no route '%s'", p);
    }
}
