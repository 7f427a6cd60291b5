/*
 * The one allocator (src/core/alloc.c): out of memory aborts with the size asked for, on stderr
 * as "twinsim: out of memory allocating N bytes". Allocations are made to fail on purpose with
 * tsim__alloc_fail_after, each in a child process, since the documented way is an abort: one
 * allocation directly, the n-th of a sequence, and every allocation, one at a time, of building
 * and running a small model through the public API.
 */
#include "check.h"
#include "core/core.h"
#include "twinsim.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run `fn(arg)` in a child with its stderr in `err` (`size` bytes, NUL-terminated); returns the
 * wait status, or -1 when the child could not be started. */
static int in_child(void (*fn)(long), long arg, char *err, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n < size - 1 && (r = read(fds[0], err + n, size - 1 - n)) > 0) n += (size_t)r;
    err[n] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return status;
}

static int aborted(int status)
{
    return status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* Whether `err` is exactly one out-of-memory line: "twinsim: out of memory allocating N bytes". */
static int oom_line(const char *err)
{
    static const char head[] = "twinsim: out of memory allocating ";
    if (strncmp(err, head, sizeof head - 1) != 0) return 0;
    const char *p = err + sizeof head - 1;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') p++;
    return strcmp(p, " bytes\n") == 0;
}

static void fail_next(long size)
{
    tsim__alloc_fail_after(0);
    tsim__malloc((size_t)size);
}

/* Two allocations succeed (each says so), the third fails. */
static void fail_third(long size)
{
    tsim__alloc_fail_after(2);
    char *a = tsim__malloc(10);
    fprintf(stderr, "malloc %s\n", a ? "ok" : "NULL");
    int *b = tsim__calloc(3, sizeof *b);
    fprintf(stderr, "calloc %s\n", b && b[2] == 0 ? "ok" : "wrong");
    a = tsim__realloc(a, (size_t)size);
    fprintf(stderr, "realloc returned\n");
}

static void test_alloc_fails_with_size(void)
{
    char err[1024];
    int st = in_child(fail_next, 12345, err, sizeof err);
    CHECK(aborted(st));
    CHECK_STR(err, "twinsim: out of memory allocating 12345 bytes\n");
    st = in_child(fail_third, 4096, err, sizeof err);
    CHECK(aborted(st));
    CHECK_STR(err, "malloc ok\ncalloc ok\ntwinsim: out of memory allocating 4096 bytes\n");
    /* Off again: a negative count fails nothing. */
    tsim__alloc_fail_after(-1);
    void *p = tsim__malloc(16);
    CHECK(p != NULL);
    tsim__free(p);
}

static struct tsim_dist dist(enum tsim_dist_kind kind, double mean)
{
    struct tsim_dist d;
    if (tsim_dist_init(&d, kind, &mean, 1) != 0) _exit(3);
    return d;
}

/* Build a line (source, buffer of 5, machine that fails, sink) through the public API, run it
 * for 8 hours and free it all, with allocation `k` failing (k < 0: none); exits 3 when the
 * library reports a failure other than by aborting. */
static void build_and_run(long k)
{
    tsim__alloc_fail_after(k);
    struct tsim_model *m = tsim_model_create("cell");
    if (!m || tsim_model_set_time_unit(m, "min") != 0) _exit(3);
    int src = tsim_model_add_block(m, TSIM_SOURCE, "parts");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "queue");
    int mc = tsim_model_add_block(m, TSIM_MACHINE, "press");
    int out = tsim_model_add_block(m, TSIM_SINK, "done");
    if (src < 0 || q < 0 || mc < 0 || out < 0) _exit(3);
    struct tsim_dist ia = dist(TSIM_DIST_EXPONENTIAL, 1), pt = dist(TSIM_DIST_CONSTANT, 0.8);
    struct tsim_dist up = dist(TSIM_DIST_EXPONENTIAL, 60), fix = dist(TSIM_DIST_CONSTANT, 5);
    if (tsim_source_set_interarrival(m, src, &ia) != 0 || tsim_buffer_set_capacity(m, q, 5) != 0 ||
        tsim_machine_set_process(m, mc, -1, &pt) != 0 ||
        tsim_machine_set_failures(m, mc, &up, &fix) != 0 || tsim_route_to(m, src, q) != 0 ||
        tsim_route_to(m, q, mc) != 0 || tsim_route_to(m, mc, out) != 0)
        _exit(3);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    if (!sim) _exit(3);
    tsim_sim_run_until(sim, 480);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    if (r.n == 0 || tsim_result_find(&r, mc, "utilization") == NULL) _exit(3);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Every allocation of building and running a model, one at a time, made to fail: each aborts
 * with the one line, and none is reported any other way or crashes. Counting up until a child
 * completes also counts the allocations. */
static void test_alloc_every_failure_in_a_run(void)
{
    char err[1024];
    int st = in_child(build_and_run, -1, err, sizeof err);
    CHECK(st == 0 && err[0] == '\0');
    long k = 0, wrong = 0;
    for (; k < 100000; k++) {
        st = in_child(build_and_run, k, err, sizeof err);
        if (st == 0) break;
        if (!aborted(st) || !oom_line(err)) {
            if (wrong++ < 5)
                fprintf(stderr, "  allocation %ld: status %d, stderr \"%s\"\n", k, st, err);
        }
    }
    CHECK(wrong == 0);
    CHECK(st == 0 && err[0] == '\0');
    /* The model, its blocks, the sim and its calendar at least: a count of 0 would mean that
     * nothing was made to fail. */
    CHECK(k >= 10);
    printf("  %ld allocations in building and running the model, each made to fail once\n", k);
}

int main(void)
{
    RUN(test_alloc_fails_with_size);
    RUN(test_alloc_every_failure_in_a_run);
    return CHECK_DONE();
}
