/*
 * The MPI farm: `mpirun -n R twinsim-mpi experiment|optimize ...` spreads (scenario,
 * replication) jobs over R ranks. Compiled to nothing unless TSIM_HAVE_MPI is defined (the
 * Makefile's `mpi` target builds twinsim-mpi with mpicc and that flag), so MPI stays optional.
 *
 * Rank 0 runs the ordinary experiment or optimize driver with this file's executor in place of
 * the thread pool: it hands out jobs, runs jobs itself between messages, and stores each
 * returned KPI row by its job index. Rows travel as raw bytes, so they arrive bit for bit, and
 * the driver folds them in its fixed order: the JSON equals a one-thread run's.
 * Every rank parses the same command line and experiment file; a worker binds the spec to the
 * model exactly as rank 0 does and learns each scenario's factor values from a message before
 * its first job of that scenario (the optimizer creates scenarios as it goes).
 *
 * Failure: MPI errors return instead of aborting (MPI_ERRORS_RETURN), and rank 0 gives up with
 * a message naming the silent rank when a rank with jobs outstanding sends nothing for
 * TSIM_MPI_TIMEOUT seconds (default 600), then calls MPI_Abort so no rank is left waiting.
 */
#ifdef TSIM_HAVE_MPI

#include "run/experiment.h"

#include "core/core.h"

#include <mpi.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_SCEN = 1, TAG_JOB, TAG_RESULT, TAG_STOP, TAG_FAIL };

/* Jobs a worker holds at once: one running, one waiting, so it never idles on a round trip. */
#define PREFETCH 2

struct job_msg {
    uint32_t scen, rep, idx, pad_;
};

static int g_rank, g_size = 1, g_inited, g_stopped;

int tsim__mpi_start(int *argc, char ***argv, int *rank, int *size)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) MPI_Init(argc, argv);
    g_inited = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    *rank = g_rank;
    *size = g_size;
    return g_rank > 0;
}

static void send_stop_all(void)
{
    if (g_rank != 0 || g_stopped) return;
    g_stopped = 1;
    for (int r = 1; r < g_size; r++) MPI_Send(NULL, 0, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
}

void tsim__mpi_finish(void)
{
    if (!g_inited) return;
    send_stop_all();
    MPI_Finalize();
    g_inited = 0;
}

static const char *mpi_err(int rc)
{
    static char buf[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, buf, &len);
    return buf;
}

/* End the whole job: MPI_Abort takes every rank down, so none is left waiting on a message. */
static _Noreturn void die(int rank, const char *what, const char *detail)
{
    fprintf(stderr, "twinsim: rank %d: %s%s%s\n", rank, what, detail ? ": " : "",
            detail ? detail : "");
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    _exit(1);
}

/* ---- rank 0 ------------------------------------------------------------------------------ */

struct farm {
    unsigned char **sent; /* per worker rank: 1 if scenario s was sent */
    size_t *sent_cap;
    int *outstanding;
    double *last_heard;
    double timeout;
    unsigned char *buf;
    size_t buflen;
};

static struct farm g_farm;

static void send_scenario(struct tsim__xrun *x, int w, uint32_t s)
{
    struct farm *f = &g_farm;
    if (s < f->sent_cap[w] && f->sent[w][s]) return;
    if (s >= f->sent_cap[w]) {
        size_t cap = f->sent_cap[w] ? f->sent_cap[w] : 64;
        while (cap <= s) cap *= 2;
        f->sent[w] = tsim__realloc(f->sent[w], cap);
        memset(f->sent[w] + f->sent_cap[w], 0, cap - f->sent_cap[w]);
        f->sent_cap[w] = cap;
    }
    size_t len = sizeof(uint32_t);
    for (int i = 0; i < x->spec->nfactors; i++) len += strlen(x->scen[s].values[i]) + 1;
    unsigned char *msg = tsim__malloc(len);
    memcpy(msg, &s, sizeof s);
    size_t at = sizeof s;
    for (int i = 0; i < x->spec->nfactors; i++) {
        size_t n = strlen(x->scen[s].values[i]) + 1;
        memcpy(msg + at, x->scen[s].values[i], n);
        at += n;
    }
    int rc = MPI_Send(msg, (int)len, MPI_BYTE, w, TAG_SCEN, MPI_COMM_WORLD);
    tsim__free(msg);
    if (rc != MPI_SUCCESS) die(w, "cannot be reached; it may have died", mpi_err(rc));
    f->sent[w][s] = 1;
}

static void send_job(struct tsim__xrun *x, int w, const struct tsim__job *j, size_t idx)
{
    send_scenario(x, w, j->scen);
    struct job_msg m = {j->scen, j->rep, (uint32_t)idx, 0};
    int rc = MPI_Send(&m, (int)sizeof m, MPI_BYTE, w, TAG_JOB, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) die(w, "cannot be reached; it may have died", mpi_err(rc));
    g_farm.outstanding[w]++;
    if (g_farm.outstanding[w] == 1) g_farm.last_heard[w] = tsim__x_now();
}

/* Take every message waiting; returns the number of results taken. */
static size_t drain(struct tsim__xrun *x, const struct tsim__job *jobs, size_t n, double *rows,
                    size_t *next, size_t *finished)
{
    struct farm *f = &g_farm;
    size_t got = 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        int rc = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (rc != MPI_SUCCESS) die(0, "lost contact with the other ranks", mpi_err(rc));
        if (!flag) return got;
        int w = st.MPI_SOURCE, len = 0;
        MPI_Get_count(&st, MPI_BYTE, &len);
        if ((size_t)len > f->buflen) {
            f->buf = tsim__realloc(f->buf, (size_t)len);
            f->buflen = (size_t)len;
        }
        rc = MPI_Recv(f->buf, len, MPI_BYTE, w, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) die(w, "lost contact", mpi_err(rc));
        if (st.MPI_TAG == TAG_FAIL) {
            f->buf[len > 0 ? len - 1 : 0] = 0;
            fprintf(stderr, "twinsim: rank %d failed: %s\n", w, (char *)f->buf);
            MPI_Abort(MPI_COMM_WORLD, 1);
            _exit(1);
        }
        if (st.MPI_TAG != TAG_RESULT) continue;
        uint32_t idx;
        memcpy(&idx, f->buf, sizeof idx);
        if (idx >= n || (size_t)len != sizeof(uint64_t) + x->row_len * sizeof(double))
            die(w, "sent a malformed result", NULL);
        memcpy(rows + (size_t)idx * x->row_len, f->buf + sizeof(uint64_t),
               x->row_len * sizeof(double));
        f->outstanding[w]--;
        f->last_heard[w] = tsim__x_now();
        (*finished)++;
        got++;
        tsim__xrun_job_done(x, idx);
        if (*next < n && !tsim__x_stop) {
            send_job(x, w, &jobs[*next], *next);
            (*next)++;
        }
    }
}

static int exec_mpi(struct tsim__xrun *x, const struct tsim__job *jobs, size_t n, double *rows)
{
    struct farm *f = &g_farm;
    size_t next = 0, finished = 0;
    for (int k = 0; k < PREFETCH; k++)
        for (int w = 1; w < g_size && next < n; w++) {
            send_job(x, w, &jobs[next], next);
            next++;
        }
    while (finished < n) {
        size_t got = drain(x, jobs, n, rows, &next, &finished);
        int busy = 0;
        for (int w = 1; w < g_size; w++) busy += f->outstanding[w];
        if (tsim__x_stop && busy == 0) return 1;
        if (next < n && !tsim__x_stop) {
            /* Rank 0 computes too, one job between looks at the mailbox. */
            const struct tsim__job *j = &jobs[next];
            const struct tsim__scen *sc = &x->scen[j->scen];
            tsim__xjob_run(&x->workers[0], sc->model, sc->seed, j->rep, x->horizon, x->warmup,
                           rows + next * x->row_len, x->nkpi);
            tsim__xrun_job_done(x, next);
            next++;
            finished++;
            continue;
        }
        if (got) continue;
        double now = tsim__x_now();
        for (int w = 1; w < g_size; w++) {
            if (f->outstanding[w] && now - f->last_heard[w] > f->timeout) {
                fprintf(stderr, "twinsim: rank %d has returned nothing for %.0f s with %d jobs "
                        "outstanding: it died or hangs; giving up\n", w, now - f->last_heard[w],
                        f->outstanding[w]);
                fflush(stderr);
                MPI_Abort(MPI_COMM_WORLD, 1);
                _exit(1);
            }
        }
        struct timespec ts = {0, 200 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

void tsim__mpi_attach(struct tsim__xrun *x)
{
    if (!g_inited || g_size < 2 || g_rank != 0) return;
    struct farm *f = &g_farm;
    f->sent = tsim__calloc((size_t)g_size, sizeof *f->sent);
    f->sent_cap = tsim__calloc((size_t)g_size, sizeof *f->sent_cap);
    f->outstanding = tsim__calloc((size_t)g_size, sizeof *f->outstanding);
    f->last_heard = tsim__calloc((size_t)g_size, sizeof *f->last_heard);
    const char *t = getenv("TSIM_MPI_TIMEOUT");
    f->timeout = t && atof(t) > 0 ? atof(t) : 600;
    x->exec = exec_mpi;
    x->ranks = g_size;
}

/* ---- workers ----------------------------------------------------------------------------- */

static void send_fail(const char *msg)
{
    MPI_Send(msg, (int)strlen(msg) + 1, MPI_BYTE, 0, TAG_FAIL, MPI_COMM_WORLD);
}

int tsim__mpi_serve(const struct tsim__xspec *s, const struct tsim__xopts *o)
{
    struct tsim__xopts wo = *o;
    wo.db = NULL;
    wo.json = NULL;
    wo.out = NULL;
    wo.progress = 0;
    wo.trace = 0;
    wo.resume = 0;
    wo.threads = 1;
    wo.kind = "worker";
    struct tsim__xrun x;
    struct tsim_diags d;
    tsim_diags_init(&d);
    int ok = tsim__xrun_init(&x, s, &wo, &d) == 0;
    tsim_diags_release(&d);
    long *local = NULL; /* rank 0's scenario index -> this rank's */
    size_t nlocal = 0;
    double *row = ok ? tsim__malloc(sizeof(uint64_t) + x.row_len * sizeof(double)) : NULL;
    unsigned char *buf = NULL;
    size_t buflen = 0;
    /* Test hooks: a rank that dies mid-run, as a crashed node would, or one that hangs. */
    const char *die_env = getenv("TSIM_MPI_TEST_DIE_RANK"), *hang_env = getenv("TSIM_MPI_TEST_HANG_RANK");
    int die_rank = die_env ? atoi(die_env) : -1, hang_rank = hang_env ? atoi(hang_env) : -1;
    int code = 0;
    for (;;) {
        MPI_Status st;
        int len = 0;
        if (MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st) != MPI_SUCCESS) {
            code = 1;
            break;
        }
        MPI_Get_count(&st, MPI_BYTE, &len);
        if ((size_t)len + 1 > buflen) {
            buflen = (size_t)len + 1;
            buf = tsim__realloc(buf, buflen);
        }
        MPI_Recv(buf, len, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == TAG_STOP) break;
        if (!ok) {
            /* Rank 0 binds the same spec and fails the same way; answer so it never waits. */
            send_fail("the experiment could not be set up on this rank");
            continue;
        }
        if (st.MPI_TAG == TAG_SCEN) {
            uint32_t gs;
            memcpy(&gs, buf, sizeof gs);
            buf[len] = 0;
            char *vals[TSIM__X_MAX_FACTORS];
            char *p = (char *)buf + sizeof gs;
            for (int i = 0; i < s->nfactors; i++) {
                vals[i] = p;
                p += strlen(p) + 1;
            }
            tsim_diags_init(&d);
            long li = tsim__xrun_add_scenario(&x, vals, &d);
            tsim_diags_release(&d);
            if (li < 0) {
                send_fail(tsim_errmsg());
                continue;
            }
            if (gs >= nlocal) {
                size_t cap = nlocal ? nlocal : 64;
                while (cap <= gs) cap *= 2;
                local = tsim__realloc(local, cap * sizeof *local);
                for (size_t i = nlocal; i < cap; i++) local[i] = -1;
                nlocal = cap;
            }
            local[gs] = li;
        } else if (st.MPI_TAG == TAG_JOB) {
            struct job_msg m;
            memcpy(&m, buf, sizeof m);
            /* Dies as a crash or the out-of-memory killer would end it: by a signal. */
            if (g_rank == die_rank) raise(SIGKILL);
            while (g_rank == hang_rank) sleep(60);
            if (m.scen >= nlocal || local[m.scen] < 0) {
                send_fail("a job arrived for an unknown scenario");
                continue;
            }
            const struct tsim__scen *sc = &x.scen[local[m.scen]];
            uint64_t idx = m.idx;
            unsigned char *out = (unsigned char *)row;
            memcpy(out, &idx, sizeof idx);
            double *r = (double *)(out + sizeof idx);
            /* The seed is rank 0's: scenario seeds derive from its scenario index. */
            uint64_t seed = tsim__xscen_seed(x.seed, s->crn, m.scen);
            tsim__xjob_run(&x.workers[0], sc->model, seed, m.rep, x.horizon, x.warmup, r, x.nkpi);
            if (MPI_Send(out, (int)(sizeof idx + x.row_len * sizeof(double)), MPI_BYTE, 0,
                         TAG_RESULT, MPI_COMM_WORLD) != MPI_SUCCESS) {
                code = 1;
                break;
            }
        }
    }
    tsim__free(buf);
    tsim__free(row);
    tsim__free(local);
    tsim__xrun_release(&x);
    return code;
}

#else
/* Without MPI this file is empty; ISO C wants at least one declaration. */
typedef int tsim__mpi_farm_unused;
#endif
