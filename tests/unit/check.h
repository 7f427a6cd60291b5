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
