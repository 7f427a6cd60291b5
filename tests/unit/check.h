/*
 * A small test harness: each test is a function; CHECK records a failure with its place and goes
 * on; RUN prints "PASS name" or "FAIL name" for tests/run.sh to count. No test is skipped silently.
 */
#ifndef TSIM_TEST_CHECK_H
#define TSIM_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

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

#define RUN(fn)                                                    \
    do {                                                           \
        check_failed_ = 0;                                         \
        fn();                                                      \
        printf("%s %s\n", check_failed_ ? "FAIL" : "PASS", #fn);   \
        fflush(stdout);                                            \
        check_total_failed_ |= check_failed_;                      \
    } while (0)

#define CHECK_DONE() (check_total_failed_ ? 1 : 0)

#endif
