/*
 * Runs started from the dashboard ("jobs"): a model file from the models directory, run as
 * `twinsim run` runs it (the file's own run settings, replications and seed as asked) on a
 * thread of its own, recorded in the results database when it ends. Its progress (replications
 * folded) is what the job's event stream sends.
 *
 * Only a plain name inside the models directory is accepted: no '/', no leading '.', a .yaml or
 * .yml ending, opened relative to the directory with O_NOFOLLOW and checked to be a regular
 * file, so neither '..', an absolute path nor a symbolic link can reach outside it.
 */
#include "core/core.h"
#include "results/results.h"
#include "run/replicate.h"
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct job_work {
    struct tsim__job *job;   /* lives in w->jobs; its slot is not reused while the thread runs */
    struct tsim_web *w;
    struct tsim_model *m;
    char *text;
    size_t len;
    struct tsim_run_opts o;
    int warmup_auto;
    struct tsim__collect collect;
};

struct tsim__job *tsim__web_job_find(struct tsim_web *w, int64_t id)
{
    for (int i = 0; i < TSIM__WEB_MAX_JOBS; i++)
        if (w->jobs[i].id == id) return &w->jobs[i];
    return NULL;
}

static const char *state_name(enum tsim__job_state s)
{
    switch (s) {
    case TSIM__JOB_QUEUED: return "queued";
    case TSIM__JOB_RUNNING: return "running";
    case TSIM__JOB_DONE: return "done";
    default: return "failed";
    }
}

void tsim__web_job_json(const struct tsim__job *j, char *buf, size_t len)
{
    struct tsim__sb b = {0};
    struct tsim__json w;
    tsim__json_init_sb(&w, &b, TSIM__JSON_HTML);
    tsim__json_open(&w, NULL, '{', TSIM__JSON_INLINE);
    tsim__json_int(&w, "job", j->id);
    tsim__json_string(&w, "model", j->model);
    tsim__json_string(&w, "state", state_name(j->state));
    tsim__json_int(&w, "done", j->done);
    tsim__json_int(&w, "replications", j->total);
    if (j->run_id > 0)
        tsim__json_int(&w, "run", j->run_id);
    else
        tsim__json_null(&w, "run");
    tsim__json_string(&w, "error", j->state == TSIM__JOB_FAILED ? j->error : NULL);
    tsim__json_close(&w, '{');
    snprintf(buf, len, "%s", b.p);
    tsim__sb_release(&b);
}

void tsim__web_job_show(struct tsim_web *w, int64_t id, struct tsim__web_resp *out)
{
    char buf[1024];
    pthread_mutex_lock(&w->mu);
    struct tsim__job *j = tsim__web_job_find(w, id);
    if (j) tsim__web_job_json(j, buf, sizeof buf);
    pthread_mutex_unlock(&w->mu);
    if (!j) {
        tsim__web_error(out, 404, "no job %lld", (long long)id);
        return;
    }
    struct tsim__sb b = {0};
    tsim__sb_printf(&b, "%s\n", buf);
    tsim__sb_reply(&b, out);
}

static void set_state(struct tsim_web *w, struct tsim__job *j, enum tsim__job_state s,
                      const char *error)
{
    pthread_mutex_lock(&w->mu);
    j->state = s;
    if (error) snprintf(j->error, sizeof j->error, "%s", error);
    j->seq++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int run_rep(void *ctx, struct tsim_sim *sim, uint64_t replication, struct tsim_result *res)
{
    struct job_work *jw = ctx;
    (void)replication;
    int rc = tsim__run_one(sim, &jw->o);
    if (rc == 0) tsim_sim_result(sim, res);
    return rc;
}

static int fold_rep(void *ctx, uint64_t replication, const struct tsim_result *res)
{
    struct job_work *jw = ctx;
    (void)replication;
    int rc = tsim__collect_add(&jw->collect, res);
    pthread_mutex_lock(&jw->w->mu);
    jw->job->done++;
    jw->job->seq++;
    pthread_cond_broadcast(&jw->w->cv);
    pthread_mutex_unlock(&jw->w->mu);
    return rc;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *job_main(void *arg)
{
    struct job_work *jw = arg;
    struct tsim_web *w = jw->w;
    struct tsim__job *j = jw->job;
    struct tsim__report report;
    memset(&report, 0, sizeof report);
    char *json = NULL, *path = NULL, *opts = NULL;
    size_t json_len = 0;
    char err[256] = "";
    set_state(w, j, TSIM__JOB_RUNNING, NULL);

    double t0 = now_seconds();
    int got = 0;
    /* Each replication's row waits on the database's disk until the run is recorded (the
     * replications table lists them), as `twinsim run` does. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", w->db_path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir ? 1 : 0] = '\0';
    if (tsim__collect_init(&jw->collect, (size_t)jw->o.replications, dir) != 0) {
        snprintf(err, sizeof err, "%s", tsim_errmsg());
        goto done;
    }
    if (jw->warmup_auto) got = tsim__warmup_auto(jw->m, &jw->o, &w->interrupt, &jw->o.warmup);
    if (got == 0)
        got = tsim__replicate_fold(jw->m, jw->o.seed, 0, (size_t)jw->o.replications,
                                   w->threads, &w->interrupt, run_rep, fold_rep, jw);
    if (got == TSIM__INTERRUPTED) {
        snprintf(err, sizeof err, "stopped with the server: nothing was recorded");
        goto done;
    }
    if (got < 0) {
        snprintf(err, sizeof err, "%s", tsim_errmsg());
        goto done;
    }
    if (tsim__collect_report(&jw->collect, jw->m, &report) != 0) {
        snprintf(err, sizeof err, "%s", tsim_errmsg());
        goto done;
    }
    report.seed = jw->o.seed;
    report.horizon = jw->o.horizon;
    report.warmup = jw->o.warmup;
    report.warmup_auto = jw->warmup_auto;
    report.wall_seconds = now_seconds() - t0;
    FILE *jf = open_memstream(&json, &json_len);
    if (!jf || tsim__json_write(jf, &report) != 0) {
        if (jf) fclose(jf);
        snprintf(err, sizeof err, "cannot build the run's JSON document");
        goto done;
    }
    fclose(jf);
    struct tsim__sb p = {0}, op = {0};
    tsim__sb_printf(&p, "%s/%s", w->models_path, j->model);
    path = p.p;
    struct tsim__json ow;
    tsim__json_init_sb(&ow, &op, 0);
    tsim__json_open(&ow, NULL, '{', TSIM__JSON_INLINE);
    tsim__json_int(&ow, "replications", jw->o.replications);
    tsim__json_uint(&ow, "seed", jw->o.seed);
    tsim__json_string(&ow, "started_by", "serve");
    tsim__json_close(&ow, '{');
    opts = op.p;
    struct tsim__db_meta meta = {.model_path = path, .model_text = jw->text,
                                 .model_len = jw->len, .options = opts,
                                 .command = "twinsim serve", .json = json,
                                 .threads = tsim__thread_count(w->threads,
                                                               (size_t)jw->o.replications),
                                 .interrupt = &w->interrupt};
    int64_t id = 0;
    if (tsim__db_record(w->db_path, &report, &meta, &id) != 0) {
        snprintf(err, sizeof err, "cannot record the run: %s", tsim_errmsg());
        goto done;
    }
    pthread_mutex_lock(&w->mu);
    j->run_id = id;
    pthread_mutex_unlock(&w->mu);

done:
    tsim__report_release(&report);
    tsim__collect_release(&jw->collect);
    tsim_model_destroy(jw->m);
    tsim__free(jw->text);
    free(json);
    tsim__free(path);
    tsim__free(opts);
    pthread_mutex_lock(&w->mu);
    j->state = err[0] ? TSIM__JOB_FAILED : TSIM__JOB_DONE;
    if (err[0]) snprintf(j->error, sizeof j->error, "%s", err);
    j->finished = 1;
    j->seq++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    tsim__free(jw);
    return NULL;
}

/* Read model file `name` from the models directory; 0, or an error answer in `out`. */
static int read_model(struct tsim_web *w, const char *name, char **text, size_t *len,
                      struct tsim__web_resp *out)
{
    int fd = openat(w->models_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            tsim__web_error(out, 404, "no model '%s' in the models directory", name);
        else if (errno == ELOOP)
            tsim__web_error(out, 403, "model '%s' is a symbolic link: refused", name);
        else
            tsim__web_error(out, 403, "cannot open model '%s': %s", name, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        tsim__web_error(out, 403, "model '%s' is not a regular file", name);
        return -1;
    }
    if (sb.st_size > (off_t)TSIM_MODEL_MAX_BYTES) {
        close(fd);
        tsim__web_error(out, 413, "model '%s' is larger than %u bytes", name,
                        TSIM_MODEL_MAX_BYTES);
        return -1;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *t = tsim__malloc(n + 1);
    while (got < n) {
        ssize_t k = read(fd, t + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd);
    t[got] = '\0';
    *text = t;
    *len = got;
    return 0;
}

/* A slot for a new job: a free one, else the oldest finished one (its thread joined). The
 * caller holds `mu`. NULL when every slot holds a job still running. */
static struct tsim__job *free_slot(struct tsim_web *w)
{
    struct tsim__job *best = NULL;
    for (int i = 0; i < TSIM__WEB_MAX_JOBS; i++) {
        struct tsim__job *j = &w->jobs[i];
        if (j->id == 0) return j;
        if (j->finished && (!best || j->id < best->id)) best = j;
    }
    if (best && best->has_thread) {
        pthread_join(best->thread, NULL);
        best->has_thread = 0;
    }
    return best;
}

void tsim__web_job_start(struct tsim_web *w, const struct tsim__web_req *r,
                         struct tsim__web_resp *out)
{
    if (w->models_fd < 0) {
        tsim__web_error(out, 403, "this server starts no runs (it was given no models directory)");
        return;
    }
    const char *name = tsim__web_arg(r, "model");
    if (!name) {
        tsim__web_error(out, 400, "parameter 'model' is missing");
        return;
    }
    if (!tsim__web_model_name_ok(name)) {
        tsim__web_error(out, 400,
                        "parameter 'model' must be a file name in the models directory "
                        "(letters, digits, '-', '_', '.', ending in .yaml or .yml)");
        return;
    }
    const char *reps = tsim__web_arg(r, "replications"), *seed = tsim__web_arg(r, "seed");
    long long nrep = 0;
    unsigned long long sd = 0;
    if (reps) {
        char *end;
        errno = 0;
        nrep = strtoll(reps, &end, 10);
        if (errno || *end || end == reps || reps[0] == '-' || reps[0] == '+' || nrep < 1 ||
            nrep > 100000) {
            tsim__web_error(out, 400, "parameter 'replications' must be a whole number from 1 "
                                      "to 100000");
            return;
        }
    }
    if (seed) {
        char *end;
        errno = 0;
        sd = strtoull(seed, &end, 10);
        if (errno || *end || end == seed || seed[0] < '0' || seed[0] > '9') {
            tsim__web_error(out, 400, "parameter 'seed' must be a whole number from 0 to 2^64-1");
            return;
        }
    }

    char *text;
    size_t len;
    if (read_model(w, name, &text, &len, out) != 0) return;
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_run_spec spec;
    memset(&spec, 0, sizeof spec);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", w->models_path, name);
    struct tsim_model *m = tsim_model_load(text, len, path, &spec, &d);
    if (!m || tsim_model_validate(m) != 0) {
        char line[400];
        if (d.errors > 0 || !m) {
            const struct tsim_diag *e = d.n > 0 ? &d.items[0] : NULL;
            for (size_t i = 0; i < d.n; i++)
                if (d.items[i].severity == TSIM_ERROR) {
                    e = &d.items[i];
                    break;
                }
            snprintf(line, sizeof line, "%s:%d:%d: error: %s", name, e ? e->line : 0,
                     e ? e->col : 0, e ? e->message : tsim_errmsg());
        } else {
            snprintf(line, sizeof line, "%s: error: %s", name, tsim_errmsg());
        }
        tsim__web_error(out, 422, "%s", line);
        tsim_diags_release(&d);
        tsim_model_destroy(m);
        tsim__free(text);
        return;
    }
    tsim_diags_release(&d);
    struct tsim_run_opts o = {.seed = seed ? sd : spec.seed,
                              .replications = reps ? (int)nrep
                                                   : (spec.replications > 0 ? spec.replications
                                                                            : 10),
                              .horizon = spec.horizon, .warmup = spec.warmup,
                              .threads = w->threads};
    if (tsim__run_check(m, &o) != 0 || (spec.warmup_auto && !(o.horizon > 0))) {
        tsim__web_error(out, 422, "%s: %s", name,
                        spec.warmup_auto && !(o.horizon > 0)
                            ? "an automatic warm-up needs a horizon"
                            : tsim_errmsg());
        tsim_model_destroy(m);
        tsim__free(text);
        return;
    }

    pthread_mutex_lock(&w->mu);
    int running = 0;
    for (int i = 0; i < TSIM__WEB_MAX_JOBS; i++)
        running += w->jobs[i].id && !w->jobs[i].finished;
    struct tsim__job *j = running < TSIM__WEB_MAX_RUNNING && !w->stopping ? free_slot(w) : NULL;
    if (!j) {
        pthread_mutex_unlock(&w->mu);
        tsim__web_error(out, 429, "%d runs are going already; try again when one has ended",
                        running);
        tsim_model_destroy(m);
        tsim__free(text);
        return;
    }
    memset(j, 0, sizeof *j);
    j->id = w->next_job++;
    snprintf(j->model, sizeof j->model, "%s", name);
    j->state = TSIM__JOB_QUEUED;
    j->total = o.replications;
    j->seed = o.seed;
    j->w = w;
    struct job_work *jw = tsim__calloc(1, sizeof *jw);
    jw->job = j;
    jw->w = w;
    jw->m = m;
    jw->text = text;
    jw->len = len;
    jw->o = o;
    jw->warmup_auto = spec.warmup_auto;
    int64_t id = j->id;
    if (pthread_create(&j->thread, NULL, job_main, jw) != 0) {
        j->state = TSIM__JOB_FAILED;
        j->finished = 1;
        snprintf(j->error, sizeof j->error, "cannot start a thread");
        pthread_mutex_unlock(&w->mu);
        tsim_model_destroy(m);
        tsim__free(text);
        tsim__free(jw);
        tsim__web_error(out, 503, "cannot start a thread for the run");
        return;
    }
    j->has_thread = 1;
    char buf[1024];
    tsim__web_job_json(j, buf, sizeof buf);
    pthread_mutex_unlock(&w->mu);
    struct tsim__sb b = {0};
    tsim__sb_printf(&b, "%s\n", buf);
    tsim__sb_reply(&b, out);
    out->status = 202;
    (void)id;
}
