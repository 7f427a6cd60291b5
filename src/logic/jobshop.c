/*
 * The job shop (twinsim_logic.h, docs/logic.md): an instance in the standard text format, the
 * non-delay schedule a sequencing rule builds, the replay of a given machine order, and the check
 * of any schedule.
 *
 * Invariants once read: 1 <= n, m; n * m <= TSIM__JS_MAX_OPS; every machine in [0, m); every time
 * in [0, TSIM__JS_MAX_TIME]; the sum of all times <= 2^40, so that every start and end fits an
 * int64 and converts to a double exactly, and a start shifted left by 20 bits (the arrival order
 * a rule ties on) stays below 2^63.
 */
#include "twinsim_logic.h"

#include "core/core.h"
#include "logic/rules.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSIM__JS_MAX_JOBS 1000000
#define TSIM__JS_MAX_OPS 10000000
#define TSIM__JS_MAX_TIME 1000000000LL
#define TSIM__JS_MAX_WORK (INT64_C(1) << 40)
#define TSIM__JS_MAX_FILE (256u << 20)

struct tsim_jobshop {
    int n, m;         /* jobs, machines (= operations per job) */
    int *mach;        /* [j * m + k]: the machine of job j's k-th operation */
    int64_t *time;    /* [j * m + k]: its processing time */
    int64_t *rest;    /* [j * m + k]: the time of operations k..m-1 of job j */
    int64_t *total;   /* [j]: job j's total time (its due date for the rules, docs/logic.md) */
};

/* A reader of whitespace-separated integers that knows its line and column. */
struct lex {
    const char *name, *p, *end;
    int line, col;
};

static int lex_fail(const struct lex *x, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int lex_fail(const struct lex *x, int line, int col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tsim__fail(TSIM_EPARSE, "tsim_jobshop", "%s:%d:%d: error: %s", x->name, line, col, msg);
}

/* One line's numbers and where each starts. */
struct toks {
    long long *v;
    int *col;
    size_t n, cap_v, cap_c;
    int line; /* the line they are on */
};

/* Read the next line that holds anything into `t`, each number in [0, limit] (`what` names a
 * number in messages). Returns 1 with a line, 0 at the end of the text, or an error. */
static int lex_line(struct lex *x, struct toks *t, long long limit, const char *what)
{
    t->n = 0;
    for (;;) {
        if (x->p >= x->end) return t->n > 0;
        char ch = *x->p;
        if (ch == '\n') {
            x->p++;
            x->line++;
            x->col = 1;
            if (t->n > 0) return 1;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
            x->p++;
            x->col++;
            continue;
        }
        int col = x->col, neg = 0;
        if (ch == '-' || ch == '+') {
            neg = ch == '-';
            x->p++;
            x->col++;
        }
        if (x->p >= x->end || !isdigit((unsigned char)*x->p)) {
            if (x->p < x->end && !isprint((unsigned char)*x->p))
                return lex_fail(x, x->line, x->col, "unexpected byte 0x%02x, expected %s",
                                (unsigned char)*x->p, what);
            if (x->p < x->end && *x->p != '\n')
                return lex_fail(x, x->line, x->col, "unexpected '%c', expected %s", *x->p, what);
            return lex_fail(x, x->line, col, "expected %s", what);
        }
        long long r = 0;
        int big = 0;
        while (x->p < x->end && isdigit((unsigned char)*x->p)) {
            if (!big) r = r * 10 + (*x->p - '0');
            if (r > limit) big = 1;
            x->p++;
            x->col++;
        }
        if (x->p < x->end && !isspace((unsigned char)*x->p))
            return lex_fail(x, x->line, x->col, "unexpected '%c' after a number",
                            isprint((unsigned char)*x->p) ? *x->p : '?');
        if (neg && (r != 0 || big))
            return lex_fail(x, x->line, col, "%s must not be negative", what);
        if (big) return lex_fail(x, x->line, col, "%s is larger than %lld", what, limit);
        tsim__grow((void **)&t->v, &t->cap_v, t->n + 1, sizeof *t->v);
        tsim__grow((void **)&t->col, &t->cap_c, t->n + 1, sizeof *t->col);
        t->v[t->n] = r;
        t->col[t->n] = col;
        t->n++;
        t->line = x->line;
    }
}

static void toks_release(struct toks *t)
{
    tsim__free(t->v);
    tsim__free(t->col);
}

void tsim_jobshop_destroy(struct tsim_jobshop *js)
{
    if (!js) return;
    tsim__free(js->mach);
    tsim__free(js->time);
    tsim__free(js->rest);
    tsim__free(js->total);
    tsim__free(js);
}

static int parse(struct lex *x, struct toks *t, struct tsim_jobshop **out)
{
    int r = lex_line(x, t, TSIM__JS_MAX_JOBS, "the number of jobs or machines");
    if (r < 0) return r;
    if (r == 0) return lex_fail(x, x->line, x->col, "empty instance: expected 'JOBS MACHINES'");
    if (t->n != 2)
        return lex_fail(x, t->line, t->col[t->n > 2 ? 2 : 0],
                        "the first line must hold 2 numbers, JOBS MACHINES, not %zu", t->n);
    if (t->v[0] < 1 || t->v[1] < 1)
        return lex_fail(x, t->line, t->col[t->v[0] < 1 ? 0 : 1],
                        "an instance needs at least 1 job and 1 machine");
    int n = (int)t->v[0], m = (int)t->v[1];
    if ((long long)n * m > TSIM__JS_MAX_OPS)
        return lex_fail(x, t->line, t->col[0], "%d jobs of %d operations exceed the %d operations "
                        "an instance may have", n, m, TSIM__JS_MAX_OPS);
    struct tsim_jobshop *js = tsim__calloc(1, sizeof *js);
    js->n = n;
    js->m = m;
    size_t ops = (size_t)n * (size_t)m;
    js->mach = tsim__malloc(ops * sizeof *js->mach);
    js->time = tsim__malloc(ops * sizeof *js->time);
    js->rest = tsim__malloc(ops * sizeof *js->rest);
    js->total = tsim__malloc((size_t)n * sizeof *js->total);
    int64_t work = 0;
    for (int j = 0; j < n; j++) {
        r = lex_line(x, t, TSIM__JS_MAX_TIME, "a machine or a processing time");
        if (r < 0) goto fail;
        if (r == 0) {
            r = lex_fail(x, x->line, x->col, "the file ends after %d jobs; the first line "
                         "announces %d", j, n);
            goto fail;
        }
        if (t->n != (size_t)2 * (size_t)m) {
            size_t at = t->n > (size_t)2 * (size_t)m ? (size_t)2 * (size_t)m : t->n - 1;
            r = lex_fail(x, t->line, t->col[at], "job %d has %zu numbers; %d machines need %d "
                         "'machine time' pairs, %d numbers", j, t->n, m, m, 2 * m);
            goto fail;
        }
        for (int k = 0; k < m; k++) {
            long long mc = t->v[2 * k], p = t->v[2 * k + 1];
            if (mc >= m) {
                r = lex_fail(x, t->line, t->col[2 * k], "machine %lld is out of range: "
                             "machines are numbered 0 to %d", mc, m - 1);
                goto fail;
            }
            js->mach[(size_t)j * m + k] = (int)mc;
            js->time[(size_t)j * m + k] = p;
            work += p;
            if (work > TSIM__JS_MAX_WORK) {
                r = lex_fail(x, t->line, t->col[2 * k + 1], "the instance's total processing "
                             "time exceeds 2^40");
                goto fail;
            }
        }
        int64_t s = 0;
        for (int k = m - 1; k >= 0; k--) {
            s += js->time[(size_t)j * m + k];
            js->rest[(size_t)j * m + k] = s;
        }
        js->total[j] = s;
    }
    r = lex_line(x, t, TSIM__JS_MAX_TIME, "nothing more");
    if (r < 0) goto fail;
    if (r == 1) {
        r = lex_fail(x, t->line, t->col[0], "more lines than the %d jobs the first line announces",
                     n);
        goto fail;
    }
    *out = js;
    return 0;
fail:
    tsim_jobshop_destroy(js);
    return r;
}

int tsim_jobshop_parse(const char *name, const char *text, size_t len, struct tsim_jobshop **out)
{
    *out = NULL;
    struct lex x = {.name = name ? name : "<instance>", .p = text, .end = text + len, .line = 1,
                    .col = 1};
    struct toks t = {0};
    int r = parse(&x, &t, out);
    toks_release(&t);
    return r;
}

int tsim_jobshop_read(const char *path, struct tsim_jobshop **out)
{
    *out = NULL;
    char *text, err[256];
    size_t len;
    int r = tsim__read_file(path, TSIM__JS_MAX_FILE, &text, &len, err, sizeof err);
    if (r != 0) return tsim__fail(r, "tsim_jobshop_read", "%s", err);
    r = tsim_jobshop_parse(path, text, len, out);
    tsim__free(text);
    return r;
}

int tsim_jobshop_jobs(const struct tsim_jobshop *js) { return js->n; }
int tsim_jobshop_machines(const struct tsim_jobshop *js) { return js->m; }
int tsim_jobshop_ops(const struct tsim_jobshop *js, int j) { return js->m; }
size_t tsim_jobshop_size(const struct tsim_jobshop *js) { return (size_t)js->n * (size_t)js->m; }

void tsim_jobshop_op(const struct tsim_jobshop *js, int j, int k, int *machine, int64_t *time)
{
    *machine = js->mach[(size_t)j * js->m + k];
    *time = js->time[(size_t)j * js->m + k];
}

/*
 * The non-delay scheme: at each step, t = the earliest time any waiting operation can start;
 * the machine is the lowest-numbered one on which an operation can start at t; the candidates
 * are every operation waiting for that machine whose job is ready by t; the rule picks one and
 * it starts at t. This is what the engine's event loop does with a buffer in front of every
 * machine: an idle machine serves a waiting job at once, machines freed at one instant in their
 * order. A candidate's arrival order is its job's ready time, then its job number.
 */
static void dispatch(const struct tsim_jobshop *js, const struct tsim__rule *rl, uint64_t seed,
                     int64_t *start, int64_t *makespan)
{
    int n = js->n, m = js->m;
    struct tsim_rng rng;
    tsim_rng_seed(&rng, seed);
    int *next = tsim__calloc((size_t)n, sizeof *next);
    int64_t *jready = tsim__calloc((size_t)n, sizeof *jready);
    int64_t *mready = tsim__calloc((size_t)m, sizeof *mready);
    int64_t *mwork = tsim__calloc((size_t)m, sizeof *mwork); /* unscheduled work per machine */
    int64_t *qwork = tsim__malloc((size_t)m * sizeof *qwork); /* work waiting per machine at t */
    int *cj = tsim__malloc((size_t)n * sizeof *cj);
    struct tsim__cand *c = tsim__malloc((size_t)n * sizeof *c);
    size_t ops = (size_t)n * (size_t)m;
    for (size_t o = 0; o < ops; o++) mwork[js->mach[o]] += js->time[o];
    int64_t end = 0;
    size_t left = ops;
    while (left > 0) {
        int64_t t = INT64_MAX;
        int best_m = m;
        for (int j = 0; j < n; j++) {
            if (next[j] == m) continue;
            int mc = js->mach[(size_t)j * m + next[j]];
            int64_t e = jready[j] > mready[mc] ? jready[j] : mready[mc];
            if (e < t || (e == t && mc < best_m)) {
                t = e;
                best_m = mc;
            }
        }
        memset(qwork, 0, (size_t)m * sizeof *qwork);
        for (int j = 0; j < n; j++) {
            if (next[j] == m || jready[j] > t) continue;
            size_t o = (size_t)j * m + next[j];
            qwork[js->mach[o]] += js->time[o];
        }
        size_t nc = 0;
        for (int j = 0; j < n; j++) {
            if (next[j] == m || jready[j] > t) continue;
            size_t o = (size_t)j * m + next[j];
            if (js->mach[o] != best_m) continue;
            cj[nc] = j;
            /* The job's next operation: its time, its machine's work, how long that machine is
             * still busy with what has started and the work waiting for it now (the features
             * of a learned rule). */
            double np = 0, nw = 0, nf = 0, nq = 0;
            if (next[j] + 1 < m) {
                int nm = js->mach[o + 1];
                np = (double)js->time[o + 1];
                nw = (double)mwork[nm];
                nf = mready[nm] > t ? (double)(mready[nm] - t) : 0;
                nq = (double)qwork[nm];
            }
            c[nc] = (struct tsim__cand){.seq = ((uint64_t)jready[j] << 20) | (uint64_t)j,
                                       .arrival = (double)jready[j],
                                       .proc = (double)js->time[o],
                                       .due = (double)js->total[j],
                                       .work_left = (double)js->rest[o],
                                       .ops_left = (double)(m - next[j]),
                                       .job_work = (double)js->total[j],
                                       .next_proc = np,
                                       .mach_work = (double)mwork[best_m],
                                       .next_work = nw,
                                       .next_free = nf,
                                       .next_queue = nq};
            nc++;
        }
        int j = cj[tsim__rule_choose(rl, c, nc, (double)t, &rng)];
        size_t o = (size_t)j * m + next[j];
        if (start) start[o] = t;
        int64_t fin = t + js->time[o];
        jready[j] = fin;
        mready[best_m] = fin;
        mwork[best_m] -= js->time[o];
        if (fin > end) end = fin;
        next[j]++;
        left--;
    }
    *makespan = end;
    tsim__free(next);
    tsim__free(jready);
    tsim__free(mready);
    tsim__free(mwork);
    tsim__free(qwork);
    tsim__free(cj);
    tsim__free(c);
}

int tsim_jobshop_dispatch(const struct tsim_jobshop *js, const char *rule, uint64_t seed,
                          int64_t *start, int64_t *makespan)
{
    struct tsim__rule rl;
    char err[512];
    int rc = tsim__rule_parse(&rl, rule, err, sizeof err);
    if (rc != 0) return tsim__fail(rc, "tsim_jobshop_dispatch", "%s", err);
    dispatch(js, &rl, seed, start, makespan);
    tsim__rule_release(&rl);
    return 0;
}

int tsim_jobshop_dispatch_policy(const struct tsim_jobshop *js, const struct tsim_policy *p,
                                 int64_t *start, int64_t *makespan)
{
    /* The rule borrows `p`: it is not released here. */
    struct tsim__rule rl = {.kind = TSIM__RULE_POLICY, .policy = (struct tsim_policy *)p};
    dispatch(js, &rl, 0, start, makespan);
    return 0;
}

/* One entry of a machine order: the job and where the file names it. */
struct entry {
    int job, line, col;
};

int tsim_jobshop_replay(const struct tsim_jobshop *js, const char *name, const char *text,
                        size_t len, int64_t *start, int64_t *makespan)
{
    int n = js->n, m = js->m;
    size_t ops = (size_t)n * (size_t)m;
    struct lex x = {.name = name ? name : "<schedule>", .p = text, .end = text + len, .line = 1,
                    .col = 1};
    struct toks t = {0};
    /* need[mc * n + j]: how many operations of job j machine mc has not been given yet. */
    int *need = tsim__calloc(ops, sizeof *need);
    int *count = tsim__calloc((size_t)m, sizeof *count);
    struct entry *e = tsim__malloc(ops * sizeof *e);
    size_t *first = tsim__malloc(((size_t)m + 1) * sizeof *first);
    int *pos = tsim__calloc((size_t)m, sizeof *pos);
    int *next = tsim__calloc((size_t)n, sizeof *next);
    int64_t *jready = tsim__calloc((size_t)n, sizeof *jready);
    int64_t *mready = tsim__calloc((size_t)m, sizeof *mready);
    int r = 0;
    for (size_t o = 0; o < ops; o++) {
        need[(size_t)js->mach[o] * n + o / (size_t)m]++;
        count[js->mach[o]]++;
    }
    size_t k = 0;
    for (int mc = 0; mc < m; mc++) {
        first[mc] = k;
        r = lex_line(&x, &t, TSIM__JS_MAX_JOBS, "a job number");
        if (r < 0) goto done;
        if (r == 0) {
            r = lex_fail(&x, x.line, x.col, "the schedule ends after %d machines; the instance "
                         "has %d", mc, m);
            goto done;
        }
        for (size_t i = 0; i < t.n; i++) {
            if (t.v[i] >= n) {
                r = lex_fail(&x, t.line, t.col[i], "job %lld is out of range: jobs are numbered "
                             "0 to %d", t.v[i], n - 1);
                goto done;
            }
            int j = (int)t.v[i];
            if (--need[(size_t)mc * n + j] < 0) {
                r = lex_fail(&x, t.line, t.col[i], "job %d is named more often on machine %d "
                             "than it has operations there", j, mc);
                goto done;
            }
            e[k++] = (struct entry){.job = j, .line = t.line, .col = t.col[i]};
        }
        if (t.n != (size_t)count[mc]) {
            r = lex_fail(&x, t.line, t.col[t.n - 1], "machine %d has %d operations; its line "
                         "names %zu", mc, count[mc], t.n);
            goto done;
        }
    }
    first[m] = k;
    r = lex_line(&x, &t, TSIM__JS_MAX_JOBS, "nothing more");
    if (r < 0) goto done;
    if (r == 1) {
        r = lex_fail(&x, t.line, t.col[0], "more lines than the %d machines of the instance", m);
        goto done;
    }
    /* Schedule every operation whose turn it is on both its job and its machine, until none is
     * left or none can go: then the order holds a cycle. */
    size_t done_ops = 0;
    int64_t end = 0;
    for (int progress = 1; progress;) {
        progress = 0;
        for (int mc = 0; mc < m; mc++) {
            while (first[mc] + (size_t)pos[mc] < first[mc + 1]) {
                int j = e[first[mc] + pos[mc]].job;
                size_t o = (size_t)j * m + next[j];
                if (js->mach[o] != mc) break;
                int64_t s = jready[j] > mready[mc] ? jready[j] : mready[mc];
                if (start) start[o] = s;
                jready[j] = mready[mc] = s + js->time[o];
                if (s + js->time[o] > end) end = s + js->time[o];
                next[j]++;
                pos[mc]++;
                done_ops++;
                progress = 1;
            }
        }
    }
    if (done_ops < ops) {
        for (int mc = 0; mc < m; mc++) {
            if (first[mc] + (size_t)pos[mc] == first[mc + 1]) continue;
            const struct entry *w = &e[first[mc] + pos[mc]];
            int other = js->mach[(size_t)w->job * m + next[w->job]];
            r = lex_fail(&x, w->line, w->col, "the order deadlocks: machine %d waits for job %d, "
                         "whose next operation is on machine %d", mc, w->job, other);
            goto done;
        }
    }
    *makespan = end;
    r = 0;
done:
    toks_release(&t);
    tsim__free(need);
    tsim__free(count);
    tsim__free(e);
    tsim__free(first);
    tsim__free(pos);
    tsim__free(next);
    tsim__free(jready);
    tsim__free(mready);
    return r;
}

static const struct tsim_jobshop *sort_js;
static const int64_t *sort_start;

static int by_start(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int64_t sx = sort_start[x], sy = sort_start[y];
    if (sx != sy) return sx < sy ? -1 : 1;
    int64_t ex = sx + sort_js->time[x], ey = sy + sort_js->time[y];
    if (ex != ey) return ex < ey ? -1 : 1;
    return x < y ? -1 : x > y;
}

int tsim_jobshop_verify(const struct tsim_jobshop *js, const int64_t *start, int64_t *makespan)
{
    int n = js->n, m = js->m;
    size_t ops = (size_t)n * (size_t)m;
    int64_t end = 0;
    for (int j = 0; j < n; j++) {
        int64_t ready = 0;
        for (int k = 0; k < m; k++) {
            size_t o = (size_t)j * m + k;
            if (start[o] < ready)
                return tsim__fail(TSIM_EINVAL, "tsim_jobshop_verify", "operation %d of job %d "
                                  "starts at %lld, before %lld", k, j, (long long)start[o],
                                  (long long)ready);
            ready = start[o] + js->time[o];
        }
        if (ready > end) end = ready;
    }
    /* Per machine, by start: each must begin once the one before has ended. */
    sort_js = js;
    sort_start = start;
    int r = 0;
    size_t *bym = tsim__malloc(ops * sizeof *bym);
    size_t *cnt = tsim__calloc((size_t)m + 1, sizeof *cnt);
    for (size_t o = 0; o < ops; o++) cnt[js->mach[o] + 1]++;
    for (int mc = 0; mc < m; mc++) cnt[mc + 1] += cnt[mc];
    size_t *fill = tsim__malloc((size_t)m * sizeof *fill);
    memcpy(fill, cnt, (size_t)m * sizeof *fill);
    for (size_t o = 0; o < ops; o++) bym[fill[js->mach[o]]++] = o;
    for (int mc = 0; mc < m && r == 0; mc++) {
        size_t a = cnt[mc], b = cnt[mc + 1];
        qsort(bym + a, b - a, sizeof *bym, by_start);
        for (size_t i = a + 1; i < b; i++) {
            size_t p = bym[i - 1], q = bym[i];
            if (start[q] < start[p] + js->time[p]) {
                r = tsim__fail(TSIM_EINVAL, "tsim_jobshop_verify", "machine %d runs job %zu and "
                               "job %zu at once at time %lld", mc, q / (size_t)m, p / (size_t)m,
                               (long long)start[q]);
                break;
            }
        }
    }
    tsim__free(bym);
    tsim__free(cnt);
    tsim__free(fill);
    if (r == 0) *makespan = end;
    return r;
}
