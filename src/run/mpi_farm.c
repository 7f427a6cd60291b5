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
 * Keeping the workers busy: rank 0 looks at its mailbox only between jobs of its own, and on a
 * shared node it may also lose its core for a scheduler time slice; a worker that runs out of
 * jobs meanwhile idles (with two jobs per worker, a 2-rank run lost 12-17% this way). So each
 * worker holds a queue worth about QUEUE_S seconds of jobs, by rank 0's measure of its own jobs,
 * and never fewer than DEPTH_MIN (one running, two waiting: enough to ride out one of rank 0's
 * jobs that runs long). Towards the end of a batch no worker is topped up beyond half a fair
 * share of the jobs not yet handed out, so none is left with a backlog while the others idle.
 * Jobs travel in batches (a queue is refilled once it is half empty) and results likewise
 * (every RESULT_S of work, or when the queue runs dry), so that few messages are in flight:
 * a message-per-job stream filled the MPI library's shared-memory queues, blocking rank 0 in
 * MPI_Send, and an MPI library only takes in new messages when a probe finds nothing waiting.
 * A worker with nothing to do polls and sleeps instead of spinning in a blocking receive, as
 * MPI implementations do, so it leaves the core to rank 0 when ranks share cores.
 * Looking costs too: rank 0 and a worker with jobs queued look at the mailbox at most every
 * LOOK_S, not after every job (with jobs of 0.15 ms, the MPI calls of a look after each one cost
 * rank 0 3-7% of its time), and rank 0 reads its CPU clock for every CPU_EVERY-th job only.
 * TSIM_MPI_STATS=1 makes every rank print its jobs, seconds computing and seconds idle.
 *
 * Failure: MPI errors return instead of aborting (MPI_ERRORS_RETURN), and rank 0 gives up with
 * a message naming the silent rank when a rank with jobs outstanding sends nothing for
 * TSIM_MPI_TIMEOUT seconds (default 600), then calls MPI_Abort so no rank is left waiting.
 * Rank 0 never waits on a worker without a deadline: it sends with MPI_Isend only (a blocking
 * send to a rank that stopped receiving returns only while the MPI library has room to buffer
 * it), keeps each message's bytes until its request completes, receives a probed message with
 * MPI_Irecv, and looks at the clock on every turn of its loop, whether or not that turn ran a
 * job of its own or took a message. Giving up writes the reason first and waits until the
 * launcher has read it (MPICH's launcher dropped rank 0's unread stderr on MPI_Abort in 5 of 90
 * runs), and an alarm ends rank 0 should MPI_Abort itself not return.
 * A twinsim-mpi started by the launcher of another MPI (each process then sees a world of one)
 * says so and exits with 1 before doing anything.
 */
#ifdef TSIM_HAVE_MPI

#include "run/experiment.h"

#include "core/core.h"

#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { TAG_SCEN = 1, TAG_JOB, TAG_RESULT, TAG_STOP, TAG_FAIL };

/* A worker's queue, in seconds of its jobs, and the bounds on its length in jobs. Until rank 0
 * has timed a job of its own a queue is DEPTH_START jobs: rank 0's first job, with cold caches,
 * outlasts a few of a worker's. Were the jobs long, the extra ones are only a head start: the
 * fair-share cap (queue_depth) still evens out the end of the batch. */
#define QUEUE_S 0.02
#define DEPTH_MIN 3
#define DEPTH_START 16
#define DEPTH_MAX 64
/* A worker sends its results after this much work, or when its queue is empty, in messages of
 * at most RESULT_BYTES (one row at least): under the smallest eager limit of the common MPI
 * libraries (Open MPI's shared memory: 4 KiB, its header included), so that MPI_Send returns
 * without waiting for rank 0 to look at its mailbox. */
#define RESULT_S (QUEUE_S / 4)
/* While rank 0 has jobs of its own it looks at its mailbox (probe, finished sends, the clock,
 * top-ups) at most every LOOK_S seconds, not after every job: a look costs a few microseconds of
 * MPI calls, and with jobs of 0.15 ms that was 3-7% of rank 0's time. A worker's queue of
 * QUEUE_S, refilled when half empty, leaves far more slack than LOOK_S. */
#define LOOK_S 0.0005
#define CPU_EVERY 8
#define RESULT_BYTES 4000
/* A worker with nothing to do polls this often (microseconds), after SPIN_POLLS polls back to
 * back: a probe that finds nothing makes the MPI library take in what has arrived, which the
 * next probe sees. Rank 0 likewise, with no job of its own left, waits for the last results. */
#define IDLE_POLL_US 100
#define SPIN_POLLS 3
/* Giving up: how long rank 0 waits for the launcher to read its last words, and how long
 * MPI_Abort may take before an alarm ends rank 0 (the launcher then ends the others). */
#define SAY_WAIT_S 2.0
#define ABORT_ALARM_S 10

struct job_msg {
    uint32_t scen, rep, idx, pad_;
};

static int g_rank, g_size = 1, g_inited, g_stopped;
static double g_timeout = 600; /* TSIM_MPI_TIMEOUT */

/* What TSIM_MPI_STATS reports: jobs this rank ran, and wall seconds computing and idle. A
 * worker's idle time is its waits for jobs between its first job and the end (waiting to be
 * told to stop is not idling); rank 0's is its waits for the last results of each batch. */
static struct {
    long jobs;
    double busy_s, idle_s;
} g_stats;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Sleep one poll interval; returns the seconds it took. */
static double idle_sleep(void)
{
    double t = tsim__x_now();
    struct timespec ts = {0, IDLE_POLL_US * 1000};
    nanosleep(&ts, NULL);
    return tsim__x_now() - t;
}

static void print_stats(void)
{
    const char *e = getenv("TSIM_MPI_STATS");
    if (!e || !*e || *e == '0') return;
    tsim__say("twinsim: rank %d: %ld jobs, %.3f s computing, %.3f s idle\n", g_rank,
              g_stats.jobs, g_stats.busy_s, g_stats.idle_s);
}

/* The number of processes the launcher says it started (Open MPI's, or a PMI one such as MPICH's
 * Hydra), or 0 if it does not say. */
static long launcher_size(long *lrank)
{
    const char *names[][2] = {{"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
                              {"PMI_SIZE", "PMI_RANK"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *n = getenv(names[i][0]), *r = getenv(names[i][1]);
        if (n && atol(n) > 0) {
            *lrank = r ? atol(r) : 0;
            return atol(n);
        }
    }
    return 0;
}

int tsim__mpi_start(int *argc, char ***argv, int *rank, int *size)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) MPI_Init(argc, argv);
    g_inited = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    const char *t = getenv("TSIM_MPI_TIMEOUT");
    if (t && atof(t) > 0) g_timeout = atof(t);
    /* A binary started by another MPI's launcher sees itself alone and would run the whole
     * experiment once per process, every copy writing the same files: refuse instead. */
    long lrank = 0, lsize = launcher_size(&lrank);
    if (g_size == 1 && lsize > 1) {
        if (lrank == 0)
            tsim__say("twinsim: mpirun started %ld processes but each sees only itself: "
                      "this twinsim-mpi was built with another MPI than this mpirun's (MPICH and "
                      "Open MPI do not mix; Debian: mpirun.mpich, mpirun.openmpi)\n", lsize);
        MPI_Finalize();
        g_inited = 0;
        return -1;
    }
    *rank = g_rank;
    *size = g_size;
    return g_rank > 0;
}

/* ---- rank 0 ------------------------------------------------------------------------------ */

static const char *mpi_err(int rc)
{
    static char buf[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, buf, &len);
    return buf;
}

/* Wait, at most SAY_WAIT_S, until the reader of stderr has taken in what is written to it. A
 * launcher forwards a rank's output from a pipe or a socket, and one tearing the job down after
 * MPI_Abort may drop what it has not read yet. FIONREAD counts a pipe's unread bytes from either
 * end; SIOCOUTQ (TIOCOUTQ) a socket's unsent ones. A file or terminal needs no wait. */
static void wait_stderr_read(void)
{
    struct stat sb;
    if (fstat(STDERR_FILENO, &sb) != 0) return;
    unsigned long req = S_ISFIFO(sb.st_mode) ? FIONREAD : S_ISSOCK(sb.st_mode) ? TIOCOUTQ : 0;
    if (!req) return;
    for (double t0 = tsim__x_now(); tsim__x_now() - t0 < SAY_WAIT_S;) {
        int unread = 0;
        if (ioctl(STDERR_FILENO, req, &unread) != 0 || unread <= 0) return;
        idle_sleep();
    }
}

/* End the whole job from rank 0, saying why: the reason goes out first, then MPI_Abort takes
 * every rank down, so none is left waiting on a message. MPI_Finalize would wait for them all. */
static _Noreturn void give_up(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void give_up(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tsim__say("twinsim: %s\n", msg);
    wait_stderr_read();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGALRM, SIG_DFL);
    alarm(ABORT_ALARM_S);
    MPI_Abort(MPI_COMM_WORLD, 1);
    _exit(1);
}

static _Noreturn void die(int rank, const char *what, const char *detail)
{
    give_up("rank %d: %s%s%s", rank, what, detail ? ": " : "", detail ? detail : "");
}

/* A message from rank 0 on its way to rank w: its request and the bytes it sends, which must
 * stay put until the request completes. */
struct outmsg {
    MPI_Request req;
    void *buf;
    int w;
};

struct farm {
    unsigned char **sent; /* per worker rank: 1 if scenario s was sent */
    size_t *sent_cap;
    int *outstanding;
    double *last_heard;
    long own_jobs;  /* rank 0's own jobs timed, and their CPU seconds: the job length estimate */
    double own_cpu;
    long own_all;   /* rank 0's own jobs; every CPU_EVERY-th is timed (a CPU clock is a system call) */
    unsigned char *buf;
    size_t buflen;
    struct outmsg *out; /* sends not known to be complete, in no order */
    size_t nout, out_cap;
};

static struct farm g_farm;

/* Send `len` bytes at `buf` (rank 0's from now on: freed once sent) to rank w, without waiting.
 * Messages to one rank arrive in the order they were posted, as with MPI_Send. */
static void post(int w, int tag, void *buf, size_t len)
{
    struct farm *f = &g_farm;
    tsim__grow((void **)&f->out, &f->out_cap, f->nout + 1, sizeof *f->out);
    struct outmsg *m = &f->out[f->nout];
    int rc = MPI_Isend(buf, (int)len, MPI_BYTE, w, tag, MPI_COMM_WORLD, &m->req);
    if (rc != MPI_SUCCESS) die(w, "cannot be reached; it may have died", mpi_err(rc));
    m->buf = buf;
    m->w = w;
    f->nout++;
}

/* Free the sends that have completed. Cheap: eager sends complete at once, so few are left. */
static void reap(void)
{
    struct farm *f = &g_farm;
    for (size_t i = 0; i < f->nout;) {
        int done = 0;
        int rc = MPI_Test(&f->out[i].req, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) die(f->out[i].w, "cannot be reached; it may have died", mpi_err(rc));
        if (!done) {
            i++;
            continue;
        }
        tsim__free(f->out[i].buf);
        f->out[i] = f->out[--f->nout];
    }
}

/* Tell every worker to stop, and see every send from rank 0 complete: MPI_Finalize wants no
 * request pending, and a rank that takes none of them for the timeout hangs. */
static void send_stop_all(void)
{
    if (g_rank != 0 || g_stopped) return;
    g_stopped = 1;
    for (int r = 1; r < g_size; r++) post(r, TAG_STOP, NULL, 0);
    double t0 = tsim__x_now();
    for (reap(); g_farm.nout > 0; reap()) {
        if (tsim__x_now() - t0 > g_timeout)
            give_up("rank %d has not taken rank 0's messages for %.0f s: it died or hangs; "
                    "giving up", g_farm.out[0].w, tsim__x_now() - t0);
        idle_sleep();
    }
    tsim__free(g_farm.out);
    g_farm.out = NULL;
    g_farm.out_cap = 0;
}

void tsim__mpi_finish(void)
{
    if (!g_inited) return;
    send_stop_all();
    print_stats();
    MPI_Finalize();
    g_inited = 0;
}

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
    post(w, TAG_SCEN, msg, len);
    f->sent[w][s] = 1;
}

/* Hand worker `w` the k jobs from jobs[*next] on, in one message, after the factor values of
 * any scenario among them that it does not know yet. */
static void send_jobs(struct tsim__xrun *x, int w, const struct tsim__job *jobs, size_t *next,
                      int k)
{
    struct farm *f = &g_farm;
    struct job_msg *batch = tsim__malloc((size_t)k * sizeof *batch);
    for (int i = 0; i < k; i++) {
        const struct tsim__job *j = &jobs[*next];
        send_scenario(x, w, j->scen);
        batch[i] = (struct job_msg){j->scen, j->rep, (uint32_t)*next, 0};
        (*next)++;
    }
    post(w, TAG_JOB, batch, (size_t)k * sizeof *batch);
    if (f->outstanding[w] == 0) f->last_heard[w] = tsim__x_now();
    f->outstanding[w] += k;
}

/* Receive the message a probe found from rank w. Not MPI_Recv: a long message comes in a
 * second step, which a rank that hangs mid-send would never take. */
static void take(int w, int tag, void *buf, int len)
{
    MPI_Request req;
    int rc = MPI_Irecv(buf, len, MPI_BYTE, w, tag, MPI_COMM_WORLD, &req);
    double t0 = tsim__x_now();
    for (int done = 0; rc == MPI_SUCCESS && !done;) {
        rc = MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (rc == MPI_SUCCESS && !done && tsim__x_now() - t0 > g_timeout)
            give_up("rank %d has not finished sending a message for %.0f s: it died or hangs; "
                    "giving up", w, tsim__x_now() - t0);
    }
    if (rc != MPI_SUCCESS) die(w, "lost contact", mpi_err(rc));
}

/* Take every message waiting; returns the number of results taken. */
static size_t drain(struct tsim__xrun *x, size_t n, double *rows, size_t *finished)
{
    struct farm *f = &g_farm;
    size_t got = 0, rowbytes = sizeof(uint64_t) + x->row_len * sizeof(double);
    for (int misses = 0; misses < 2;) {
        int flag = 0;
        MPI_Status st;
        int rc = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (rc != MPI_SUCCESS) die(0, "lost contact with the other ranks", mpi_err(rc));
        if (!flag) {
            misses++; /* the first miss took in what had arrived; look once more */
            continue;
        }
        misses = 0;
        int w = st.MPI_SOURCE, len = 0;
        MPI_Get_count(&st, MPI_BYTE, &len);
        if ((size_t)len > f->buflen) {
            f->buf = tsim__realloc(f->buf, (size_t)len);
            f->buflen = (size_t)len;
        }
        take(w, st.MPI_TAG, f->buf, len);
        if (st.MPI_TAG == TAG_FAIL) {
            if (len > 0) f->buf[len - 1] = 0;
            give_up("rank %d failed: %s", w, len > 0 ? (char *)f->buf : "");
        }
        if (st.MPI_TAG != TAG_RESULT) continue;
        size_t k = (size_t)len / rowbytes;
        if (k == 0 || (size_t)len != k * rowbytes || k > (size_t)f->outstanding[w])
            die(w, "sent a malformed result", NULL);
        for (size_t i = 0; i < k; i++) {
            const unsigned char *r = f->buf + i * rowbytes;
            uint64_t idx;
            memcpy(&idx, r, sizeof idx);
            if (idx >= n) die(w, "sent a malformed result", NULL);
            memcpy(rows + (size_t)idx * x->row_len, r + sizeof idx, x->row_len * sizeof(double));
            tsim__xrun_job_done(x, (size_t)idx);
        }
        f->outstanding[w] -= (int)k;
        f->last_heard[w] = tsim__x_now();
        *finished += k;
        got += k;
    }
    return got;
}

/* How many jobs each worker should hold with `undealt` jobs not yet handed out: about QUEUE_S
 * seconds of work by rank 0's measure of a job, but no more than half a fair share of what is
 * left, so that a worker up to twice as slow as the others still ends with them. */
static int queue_depth(size_t undealt)
{
    const struct farm *f = &g_farm;
    double d = DEPTH_START;
    if (f->own_jobs > 0) {
        double job_s = f->own_cpu / (double)f->own_jobs;
        d = job_s > QUEUE_S / DEPTH_MAX ? ceil(QUEUE_S / job_s) : DEPTH_MAX;
        if (d < DEPTH_MIN) d = DEPTH_MIN;
    }
    double share = ceil((double)undealt / (2.0 * g_size));
    if (share < d) d = share < 1 ? 1 : share;
    return (int)d;
}

/* Refill every worker's queue that is half empty or worse, in one message each. */
static void top_up(struct tsim__xrun *x, const struct tsim__job *jobs, size_t n, size_t *next)
{
    struct farm *f = &g_farm;
    for (int w = 1; w < g_size && *next < n; w++) {
        int depth = queue_depth(n - *next);
        int room = depth - f->outstanding[w];
        if (room <= 0 || room < depth / 2) continue;
        if ((size_t)room > n - *next) room = (int)(n - *next);
        send_jobs(x, w, jobs, next, room);
    }
}

/* Give up on a worker that holds jobs and has returned nothing for the timeout. */
static void check_silent(void)
{
    const struct farm *f = &g_farm;
    double now = tsim__x_now();
    for (int w = 1; w < g_size; w++)
        if (f->outstanding[w] && now - f->last_heard[w] > g_timeout)
            give_up("rank %d has returned nothing for %.0f s with %d jobs outstanding: it died "
                    "or hangs; giving up", w, now - f->last_heard[w], f->outstanding[w]);
}

/* A look drains the mailbox, frees finished sends, checks the clock and tops up, before
 * anything else on its turn: on every turn once rank 0 has no job of its own left, otherwise on
 * the first turn LOOK_S after the last look, so no way through the loop skips the check for
 * longer than one of rank 0's jobs. */
static int exec_mpi(struct tsim__xrun *x, const struct tsim__job *jobs, size_t n, double *rows)
{
    struct farm *f = &g_farm;
    size_t next = 0, finished = 0;
    double next_look = 0;
    while (finished < n) {
        size_t got = 0;
        double now = tsim__x_now();
        if (next >= n || tsim__x_stop || now >= next_look) {
            got = drain(x, n, rows, &finished);
            check_silent();
            if (!tsim__x_stop) top_up(x, jobs, n, &next);
            reap(); /* after the top-ups: testing a send also moves it on its way */
            next_look = now + LOOK_S;
        }
        int busy = 0;
        for (int w = 1; w < g_size; w++) busy += f->outstanding[w];
        if (tsim__x_stop && busy == 0) return 1;
        if (next < n && !tsim__x_stop) {
            /* Rank 0 computes too, between looks at the mailbox. */
            const struct tsim__job *j = &jobs[next];
            const struct tsim__scen *sc = &x->scen[j->scen];
            int timed = f->own_all++ % CPU_EVERY == 0;
            double t = tsim__x_now(), c = timed ? cpu_now() : 0;
            tsim__xjob_run(&x->workers[0], sc->model, sc->seed, j->rep, x->horizon, x->warmup,
                           rows + next * x->row_len, x->nkpi);
            if (timed) {
                f->own_cpu += cpu_now() - c;
                f->own_jobs++;
            }
            g_stats.busy_s += tsim__x_now() - t;
            g_stats.jobs++;
            tsim__xrun_job_done(x, next);
            next++;
            finished++;
            continue;
        }
        if (got) continue;
        g_stats.idle_s += idle_sleep();
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
    x->exec = exec_mpi;
    x->ranks = g_size;
}

/* ---- workers ----------------------------------------------------------------------------- */

/* Wait for rank 0's next message without spinning a core: poll, and sleep between polls. */
static int wait_msg(MPI_Status *st)
{
    double slept = 0;
    for (int i = 0;; i++) {
        int flag = 0;
        if (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st) != MPI_SUCCESS) return -1;
        if (flag) {
            if (g_stats.jobs > 0 && st->MPI_TAG != TAG_STOP) g_stats.idle_s += slept;
            return 0;
        }
        if (i >= SPIN_POLLS) slept += idle_sleep();
    }
}

static void send_fail(const char *msg)
{
    MPI_Send(msg, (int)strlen(msg) + 1, MPI_BYTE, 0, TAG_FAIL, MPI_COMM_WORLD);
}

/* A worker's state: its queue of jobs and the results not yet sent. */
struct serve {
    struct job_msg q[DEPTH_MAX];
    int qhead, qlen;
    unsigned char *res; /* nres rows of (job index, row), rowbytes each */
    size_t rowbytes, nres, maxres;
    double res_s;       /* seconds of work behind the results not yet sent */
};

static int flush_results(struct serve *v)
{
    if (v->nres == 0) return 0;
    int rc = MPI_Send(v->res, (int)(v->nres * v->rowbytes), MPI_BYTE, 0, TAG_RESULT,
                      MPI_COMM_WORLD);
    v->nres = 0;
    v->res_s = 0;
    return rc == MPI_SUCCESS ? 0 : -1;
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
    struct serve v = {0};
    if (ok) {
        v.rowbytes = sizeof(uint64_t) + x.row_len * sizeof(double);
        v.maxres = RESULT_BYTES / v.rowbytes ? RESULT_BYTES / v.rowbytes : 1;
        v.res = tsim__malloc(v.maxres * v.rowbytes);
    }
    unsigned char *buf = NULL;
    size_t buflen = 0;
    /* Test hooks: a rank that dies mid-run, as a crashed node would, or one that hangs. */
    const char *die_env = getenv("TSIM_MPI_TEST_DIE_RANK"), *hang_env = getenv("TSIM_MPI_TEST_HANG_RANK");
    int die_rank = die_env ? atoi(die_env) : -1, hang_rank = hang_env ? atoi(hang_env) : -1;
    int code = 0;
    double next_look = 0;
    for (;;) {
        /* Take in every message there is, and wait for one only with no job to run; rank 0
         * refills the queue only once it has the results, so they go out before any wait. With
         * jobs queued, look at most every LOOK_S (as rank 0 does). */
        MPI_Status st;
        int have = 0;
        double now = v.qlen ? tsim__x_now() : 0;
        if (v.qlen && now < next_look) {
            have = 0;
        } else if (v.qlen == 0) {
            if (flush_results(&v) != 0 || wait_msg(&st) != 0) {
                code = 1;
                break;
            }
            have = 1;
        } else if (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &have, &st) != MPI_SUCCESS) {
            code = 1;
            break;
        } else if (!have) {
            next_look = now + LOOK_S;
        }
        if (have) {
            int len = 0;
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
                int k = len / (int)sizeof(struct job_msg);
                if (len % (int)sizeof(struct job_msg) != 0 || k > DEPTH_MAX - v.qlen) {
                    send_fail("a malformed batch of jobs arrived");
                    continue;
                }
                for (int i = 0; i < k; i++)
                    memcpy(&v.q[(v.qhead + v.qlen + i) % DEPTH_MAX],
                           buf + (size_t)i * sizeof(struct job_msg), sizeof(struct job_msg));
                v.qlen += k;
            }
            continue;
        }
        struct job_msg m = v.q[v.qhead];
        v.qhead = (v.qhead + 1) % DEPTH_MAX;
        v.qlen--;
        /* Dies as a crash or the out-of-memory killer would end it: by a signal. */
        if (g_rank == die_rank) raise(SIGKILL);
        while (g_rank == hang_rank) sleep(60);
        if (m.scen >= nlocal || local[m.scen] < 0) {
            send_fail("a job arrived for an unknown scenario");
            continue;
        }
        const struct tsim__scen *sc = &x.scen[local[m.scen]];
        unsigned char *out = v.res + v.nres * v.rowbytes;
        uint64_t idx = m.idx;
        memcpy(out, &idx, sizeof idx);
        /* Rows are built in place: rowbytes is a multiple of 8, so every row is aligned. */
        double *r = (double *)(out + sizeof idx);
        /* The seed is rank 0's: scenario seeds derive from its scenario index. */
        uint64_t seed = tsim__xscen_seed(x.seed, s->crn, m.scen);
        double t = tsim__x_now();
        tsim__xjob_run(&x.workers[0], sc->model, seed, m.rep, x.horizon, x.warmup, r, x.nkpi);
        t = tsim__x_now() - t;
        g_stats.busy_s += t;
        g_stats.jobs++;
        v.nres++;
        v.res_s += t;
        if ((v.nres == v.maxres || v.res_s >= RESULT_S) && flush_results(&v) != 0) {
            code = 1;
            break;
        }
    }
    tsim__free(buf);
    tsim__free(v.res);
    tsim__free(local);
    tsim__xrun_release(&x);
    return code;
}

#else
/* Without MPI this file is empty; ISO C wants at least one declaration. */
typedef int tsim__mpi_farm_unused;
#endif
