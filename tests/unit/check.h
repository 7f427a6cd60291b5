/*
 * A small test harness: each test is a function; CHECK records a failure with its place and goes
 * on; RUN runs one test in a process of its own, with a time limit, and prints "PASS name" or
 * "FAIL name" for tests/run.sh to count. No test is skipped silently.
 *
 * Isolation: a test that crashes, aborts or hangs fails alone, named, and the file goes on with
 * the next; a test cannot lean on what an earlier one left in memory. Environment:
 *   TSIM_TEST_ONLY=name      run only the test of that name (tests/run.sh NAME sets it)
 *   TSIM_TEST_TIMEOUT=s      the time limit of one test in seconds (default 300)
 *   TSIM_TEST_NOFORK=1       run tests in this process (for a debugger)
 */
#ifndef TSIM_TEST_CHECK_H
#define TSIM_TEST_CHECK_H

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twinsim.h"

/* The whole of file `path`, NUL-terminated, in memory of its own (free()); NULL if it cannot be
 * opened, and "" if it cannot be read whole. */
static inline char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

/* Bit-identical results: fingerprint, event count and every KPI (name, block and value, NaN
 * included); with `window`, the measured window's start and end too. */
static inline int same_results_(const struct tsim_result *a, const struct tsim_result *b, int window)
{
    if (a->n != b->n || a->fingerprint != b->fingerprint || a->events != b->events) return 0;
    if (window && (a->start_time != b->start_time || a->end_time != b->end_time)) return 0;
    for (size_t k = 0; k < a->n; k++) {
        if (a->kpis[k].block != b->kpis[k].block) return 0;
        if (strcmp(a->kpis[k].name, b->kpis[k].name) != 0) return 0;
        if (memcmp(&a->kpis[k].value, &b->kpis[k].value, sizeof(double)) != 0) return 0;
    }
    return 1;
}
#define same_results(a, b) same_results_((a), (b), 0)
#define same_results_window(a, b) same_results_((a), (b), 1)

static int check_failed_;
static int check_total_failed_;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failed_ = 1;                                                        \
        }                                                                             \
    } while (0)

/* |a - b| <= tol, printing both values on failure. */
#define CHECK_NEAR(a, b, tol)                                                                \
    do {                                                                                     \
        double a_ = (a), b_ = (b), t_ = (tol);                                               \
        if (!(fabs(a_ - b_) <= t_)) {                                                        \
            fprintf(stderr, "  %s:%d: %s = %.10g, expected %s = %.10g within %.3g\n", __FILE__, \
                    __LINE__, #a, a_, #b, b_, t_);                                           \
            check_failed_ = 1;                                                               \
        }                                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *a_ = (a), *b_ = (b);                                                    \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                            \
            fprintf(stderr, "  %s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                \
            check_failed_ = 1;                                                              \
        }                                                                                   \
    } while (0)

/* a == b for integers, printing both values on failure. */
#define CHECK_EQ(a, b)                                                                          \
    do {                                                                                        \
        long long a_ = (long long)(a), b_ = (long long)(b);                                     \
        if (a_ != b_) {                                                                         \
            fprintf(stderr, "  %s:%d: %s = %lld, expected %s = %lld\n", __FILE__, __LINE__, #a, \
                    a_, #b, b_);                                                                \
            check_failed_ = 1;                                                                  \
        }                                                                                       \
    } while (0)

static void check_run_(const char *name, void (*fn)(void))
{
    const char *only = getenv("TSIM_TEST_ONLY");
    if (only && *only && strcmp(only, name) != 0) return;
    const char *nf = getenv("TSIM_TEST_NOFORK");
    int failed;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = nf && *nf && strcmp(nf, "0") != 0 ? 0 : fork();
    if (pid < 0) {
        fprintf(stderr, "  %s: fork failed\n", name);
        failed = 1;
    } else if (pid == 0 && !(nf && *nf && strcmp(nf, "0") != 0)) {
        const char *t = getenv("TSIM_TEST_TIMEOUT");
        alarm(t && *t ? (unsigned)strtoul(t, NULL, 10) : 300u);
        check_failed_ = 0;
        fn();
        fflush(stdout);
        exit(check_failed_ ? 1 : 0); /* exit, not _exit: leak checks run at exit */
    } else if (pid == 0) {
        check_failed_ = 0;
        fn();
        failed = check_failed_;
    } else {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {}
        failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (WIFSIGNALED(status))
            fprintf(stderr, "  %s: %s (signal %d)\n", name,
                    WTERMSIG(status) == SIGALRM ? "timed out" : "crashed", WTERMSIG(status));
        else if (WIFEXITED(status) && WEXITSTATUS(status) > 1)
            fprintf(stderr, "  %s: exited with %d\n", name, WEXITSTATUS(status));
    }
    printf("%s %s\n", failed ? "FAIL" : "PASS", name);
    fflush(stdout);
    check_total_failed_ |= failed;
}

#define RUN(fn) check_run_(#fn, fn)

#define CHECK_DONE() (check_total_failed_ ? 1 : 0)

#endif
