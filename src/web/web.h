/*
 * What the dashboard server's files share: the server's state, the request router (which knows
 * nothing of HTTP's wire format, so that the fuzz test can drive it without sockets), the JSON
 * API, started runs ("jobs") and the embedded pages. Not API; only src/web includes it.
 *
 * Invariants: `mu` guards `jobs` and `stopping`; `cv` is broadcast whenever a job changes or the
 * server stops, which is what wakes event streams. The database handle is used under `dbmu`.
 */
#ifndef TSIM_WEB_WEB_H
#define TSIM_WEB_WEB_H

#include "twinsim_web.h"
#include "results/results.h"
#include "results/web_assets.h"

#include <pthread.h>
#include "core/sqlite_lib.h"
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Hard caps on what a request may bring: a body (nothing here needs more), parameters. */
#define TSIM__WEB_MAX_BODY 65536
#define TSIM__WEB_MAX_ARGS 32
#define TSIM__WEB_MAX_JOBS 64    /* remembered; the oldest finished one makes room */
#define TSIM__WEB_MAX_RUNNING 2  /* started runs at once; more is 429 */
#define TSIM__WEB_LIVE_ALERTS 32 /* the live twin's last alerts kept for the API and streams */

enum tsim__job_state { TSIM__JOB_QUEUED, TSIM__JOB_RUNNING, TSIM__JOB_DONE, TSIM__JOB_FAILED };

struct tsim__job {
    int64_t id;           /* 0: free slot */
    char model[256];      /* the file name inside the models directory */
    enum tsim__job_state state;
    int done, total;      /* replications folded, asked for */
    int64_t run_id;       /* the recorded run, once done */
    char error[256];
    uint64_t seq;         /* goes up at every change; streams send when it moved */
    uint64_t seed;
    int finished;         /* the worker thread has ended (joinable) */
    pthread_t thread;
    int has_thread;
    struct tsim_web *w;
};

struct tsim_web {
    char *db_path, *models_path, *token, *address;
    int models_fd;        /* -1: none */
    unsigned port, timeout;
    int loopback, threads;
    sqlite3 *db;          /* read-only */
    pthread_mutex_t dbmu;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
    atomic_int interrupt; /* stops started runs */
    struct tsim__job jobs[TSIM__WEB_MAX_JOBS];
    int64_t next_job;
    void *daemon;         /* struct MHD_Daemon */
    /* The live twin in the same process (tsim_web_live), under `mu`: the newest state and
     * forecast (each replaced whole, never queued: the newest wins), the last alerts in a ring,
     * and counters that go up at every change, which is what twin streams watch. */
    int live_on;
    char *live_state, *live_forecast;
    char *live_layout;    /* the twin's model as a layout (tsim_web_live_model); NULL: none */
    uint64_t live_state_seq, live_forecast_seq;
    char *live_alerts[TSIM__WEB_LIVE_ALERTS];
    uint64_t live_nalerts; /* alerts ever given; alert k sits in slot k % TSIM__WEB_LIVE_ALERTS */
};

struct tsim__web_arg {
    const char *key, *value;
};

struct tsim__web_req {
    const char *method;   /* "GET", "HEAD", "POST", ... */
    const char *path;     /* decoded path, without the query */
    const struct tsim__web_arg *args;
    int nargs;
    const char *auth;     /* the Authorization header, or NULL */
};

struct tsim__web_resp {
    int status;
    const char *type;     /* Content-Type */
    char *body;           /* owned when `owned` */
    size_t len;
    int owned;
    int64_t stream_job;   /* > 0: answer with the event stream of this job instead */
    int stream_twin;      /* 1: answer with the live twin's event stream instead */
    const char *allow;    /* for 405: the Allow header */
};

/* The core of a server without sockets (what tsim_web_start builds before it listens, and
 * what the fuzz test drives). Errors: TSIM_EIO, TSIM_EINVAL with tsim_errmsg(). */
int tsim__web_init(struct tsim_web *w, const struct tsim_web_opts *o);
/* Interrupt and join started runs, free everything but `w` itself. */
void tsim__web_release(struct tsim_web *w);

/* Answer `r` into `out` (which the caller frees with tsim__web_resp_release). Never fails: an
 * error is a response with a 4xx or 5xx status and a JSON body {"error": "..."}. */
void tsim__web_route(struct tsim_web *w, const struct tsim__web_req *r,
                     struct tsim__web_resp *out);
void tsim__web_resp_release(struct tsim__web_resp *out);

/* API answers (api.c), each filling `out`. */
void tsim__web_api_runs(struct tsim_web *w, const struct tsim__web_req *r,
                        struct tsim__web_resp *out);
void tsim__web_api_run(struct tsim_web *w, int64_t id, struct tsim__web_resp *out);
void tsim__web_api_layout(struct tsim_web *w, int64_t id, struct tsim__web_resp *out);
void tsim__web_api_gantt(struct tsim_web *w, int64_t id, const struct tsim__web_req *r,
                         struct tsim__web_resp *out);
void tsim__web_api_trace(struct tsim_web *w, int64_t id, struct tsim__web_resp *out);
void tsim__web_api_exp_trace(struct tsim_web *w, int64_t id, const struct tsim__web_req *r,
                             struct tsim__web_resp *out);
void tsim__web_api_experiments(struct tsim_web *w, const struct tsim__web_req *r,
                               struct tsim__web_resp *out);
void tsim__web_api_experiment(struct tsim_web *w, int64_t id, struct tsim__web_resp *out);
void tsim__web_api_models(struct tsim_web *w, struct tsim__web_resp *out);
/* The layout's members ("model", "blocks", "links", without braces) of `m` into `b`: the same
 * for a recorded run and the live twin. */
void tsim__web_layout_json(struct tsim__json *j, const struct tsim_model *m);
/* Free what tsim_web_live kept (live.c). */
void tsim__web_live_release(struct tsim_web *w);
/* GET /api/twin: the live twin's newest state, forecast and last alerts (404 without a twin). */
void tsim__web_api_twin(struct tsim_web *w, struct tsim__web_resp *out);

/* Started runs (job.c). */
void tsim__web_job_start(struct tsim_web *w, const struct tsim__web_req *r,
                         struct tsim__web_resp *out);
void tsim__web_job_show(struct tsim_web *w, int64_t id, struct tsim__web_resp *out);
/* The job's state as one JSON object into `buf`; the caller holds `mu`. */
void tsim__web_job_json(const struct tsim__job *j, char *buf, size_t len);
/* The job with `id` (the caller holds `mu`), or NULL. */
struct tsim__job *tsim__web_job_find(struct tsim_web *w, int64_t id);

/* 1 if `s` is a name a run may be started from: a .yaml or .yml file name, no '/', no leading
 * '.'. */
int tsim__web_model_name_ok(const char *s);
/* 1 if a request whose Content-Length header is `content_length` (NULL: none) brings a body
 * larger than TSIM__WEB_MAX_BODY, or a length that is no number of at most 9 digits. */
int tsim__web_body_too_big(const char *content_length);
/* A parameter's value, or NULL. */
const char *tsim__web_arg(const struct tsim__web_req *r, const char *key);
/* Set `out` to an error response: {"error": MESSAGE}. */
void tsim__web_error(struct tsim__web_resp *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* struct tsim__sb, tsim__sb_add and tsim__sb_printf are in results/results.h. */
/* Hand the buffer to `out` as a 200 JSON answer. */
void tsim__sb_reply(struct tsim__sb *b, struct tsim__web_resp *out);

#endif
