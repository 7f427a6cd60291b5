/*
 * Value text: units, durations and distributions as model files write them, and the exact
 * message and byte offset of each kind of mistake.
 */
#include "check.h"
#include "twinsim.h"

#include <stdlib.h>
#include <unistd.h>

static void test_unit_factor(void)
{
    CHECK_NEAR(tsim_unit_factor("h", "min"), 60, 0);
    CHECK_NEAR(tsim_unit_factor("min", "h"), 1.0 / 60, 1e-15);
    CHECK_NEAR(tsim_unit_factor("d", "s"), 86400, 0);
    CHECK_NEAR(tsim_unit_factor("s", "s"), 1, 0);
    CHECK(tsim_unit_factor("ms", "s") == 0);
    CHECK(tsim_unit_factor("s", "week") == 0);
    CHECK(tsim_unit_factor(NULL, "s") == 0);
}

static void test_duration(void)
{
    double v = -1;
    CHECK(tsim_duration_parse("30s", "min", &v) == 0);
    CHECK_NEAR(v, 0.5, 1e-15);
    CHECK(tsim_duration_parse(" 2h ", "min", &v) == 0);
    CHECK_NEAR(v, 120, 0);
    CHECK(tsim_duration_parse("1.5d", "h", &v) == 0);
    CHECK_NEAR(v, 36, 0);
    CHECK(tsim_duration_parse("5 min", "s", &v) == 0);
    CHECK_NEAR(v, 300, 0);
    CHECK(tsim_duration_parse("2.5", "h", &v) == 0);
    CHECK_NEAR(v, 2.5, 0);
    CHECK(tsim_duration_parse("1e2", "s", &v) == 0);
    CHECK_NEAR(v, 100, 0);
    CHECK(tsim_duration_parse("5mins", "min", &v) == TSIM_EPARSE);
    CHECK_STR(tsim_errmsg(), "tsim_duration_parse: unknown unit 'mins' (use s, min, h or d)");
    CHECK(tsim_duration_parse("5min", NULL, &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("abc", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("inf", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("nan", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("0x10", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("1e999", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("-1", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("5 min x", "min", &v) == TSIM_EPARSE);
    CHECK(tsim_duration_parse("", "min", &v) == TSIM_EPARSE);
}

/* Parse `text` and check kind and parameters. */
static void check_dist(const char *text, enum tsim_dist_kind kind, int n, double p0, double p1,
                       double p2, double p3)
{
    struct tsim_dist d;
    char err[200] = "";
    int rc = tsim_dist_parse(&d, text, "min", NULL, err, sizeof err, NULL);
    if (rc) fprintf(stderr, "  '%s': %s\n", text, err);
    CHECK(rc == 0);
    if (rc) return;
    CHECK(d.kind == kind);
    double p[4] = {p0, p1, p2, p3};
    for (int i = 0; i < n; i++) CHECK_NEAR(d.p[i], p[i], 1e-12);
    tsim_dist_release(&d);
}

static void test_dist_kinds(void)
{
    check_dist("0.9", TSIM_DIST_CONSTANT, 1, 0.9, 0, 0, 0);
    check_dist("5min", TSIM_DIST_CONSTANT, 1, 5, 0, 0, 0);
    check_dist(" 30s ", TSIM_DIST_CONSTANT, 1, 0.5, 0, 0, 0);
    check_dist("constant(2h)", TSIM_DIST_CONSTANT, 1, 120, 0, 0, 0);
    check_dist("uniform(2, 4)", TSIM_DIST_UNIFORM, 2, 2, 4, 0, 0);
    check_dist("uniform( 1min , 1h )", TSIM_DIST_UNIFORM, 2, 1, 60, 0, 0);
    check_dist("triangular(0.5, 0.6, 0.9)", TSIM_DIST_TRIANGULAR, 3, 0.5, 0.6, 0.9, 0);
    check_dist("exponential(2h)", TSIM_DIST_EXPONENTIAL, 1, 120, 0, 0, 0);
    check_dist("normal(10, 2)", TSIM_DIST_NORMAL, 2, 10, 2, 0, 0);
    check_dist("lognormal(10min, 4min)", TSIM_DIST_LOGNORMAL, 2, 10, 4, 0, 0);
    check_dist("gamma(2, 30s)", TSIM_DIST_GAMMA, 2, 2, 0.5, 0, 0);
    check_dist("erlang(3, 1h)", TSIM_DIST_ERLANG, 2, 3, 60, 0, 0);
    check_dist("weibull(1.5, 8h)", TSIM_DIST_WEIBULL, 2, 1.5, 480, 0, 0);
    check_dist("beta(2, 3, 1, 4)", TSIM_DIST_BETA, 4, 2, 3, 1, 4);
    check_dist("pert(1, 2, 6)", TSIM_DIST_PERT, 3, 1, 2, 6, 0);
    /* Longer than any buffer a number might be copied into. */
    check_dist("0.000000000000000000000000000000000000000000000000000000000000000000002500",
               TSIM_DIST_CONSTANT, 1, 2.5e-69, 0, 0, 0);

    struct tsim_dist d;
    CHECK(tsim_dist_parse(&d, "discrete(1: 0.25, 2min: 0.5, 1h: 0.25)", "min", NULL, NULL, 0,
                          NULL) == 0);
    CHECK(d.kind == TSIM_DIST_DISCRETE && d.n == 3);
    if (d.n == 3) {
        CHECK_NEAR(d.x[2], 60, 0);
        CHECK_NEAR(d.c[0], 0.25, 1e-12);
    }
    tsim_dist_release(&d);
    /* No time unit: plain numbers only. */
    CHECK(tsim_dist_parse(&d, "normal(-1, 2)", NULL, NULL, NULL, 0, NULL) == 0);
    CHECK(tsim_dist_parse(&d, "normal(1min, 2)", NULL, NULL, NULL, 0, NULL) == TSIM_EPARSE);
}

/* The message and offset of a parse error. */
static void check_error(const char *text, const char *msg, size_t at)
{
    struct tsim_dist d;
    char err[200] = "";
    size_t got_at = 9999;
    CHECK(tsim_dist_parse(&d, text, "min", NULL, err, sizeof err, &got_at) == TSIM_EPARSE);
    CHECK_STR(err, msg);
    if (got_at != at) fprintf(stderr, "  '%s': offset %zu, expected %zu\n", text, got_at, at);
    CHECK(got_at == at);
}

static void test_dist_errors(void)
{
    check_error("exponentail(0.8)", "unknown distribution 'exponentail' (did you mean 'exponential'?)", 0);
    check_error("  Uniform(1, 2)", "unknown distribution 'Uniform' (did you mean 'uniform'?)", 2);
    check_error("expo(1)", "unknown distribution 'expo'", 0);
    check_error("uniform(1, 2, 3)", "'uniform' takes 2 arguments (a, b), got 3", 14);
    check_error("triangular(1, 2)", "'triangular' takes 3 arguments (min, mode, max), got 2", 15);
    check_error("exponential()", "'exponential' takes 1 argument (mean), got 0", 12);
    check_error("exponential(5mins)", "unknown unit 'mins' (use s, min, h or d)", 13);
    check_error("gamma(2min, 1)", "unexpected unit 'min' on 'shape' of 'gamma' (it has no unit)", 7);
    check_error("uniform(-1, 2)", "negative time '-1'", 8);
    check_error("-3", "negative time '-3'", 0);
    check_error("uniform(4, 2)", "'uniform' needs a <= b, got 4 > 2", 11);
    check_error("triangular(1, 5, 3)", "mode 5 of 'triangular' is outside [min, max] = [1, 3]", 14);
    check_error("erlang(2.5, 1)", "k of 'erlang' must be a whole number of at least 1, got 2.5", 7);
    check_error("lognormal(0, 1)", "mean of 'lognormal' must be above 0", 10);
    check_error("exponential(1", "missing ')' to close 'exponential'", 11);
    check_error("uniform 1, 2", "expected '(' after 'uniform'", 8);
    check_error("uniform(1, x)", "'b' of 'uniform' must be a number, got 'x'", 11);
    check_error("uniform(1, 2) extra", "unexpected text 'extra'", 14);
    check_error("discrete(1: 0.5, 2: 0.4)", "probabilities of 'discrete' sum to 0.9, not 1", 0);
    check_error("discrete(1: 0.5, 2: 1.5)", "probability 1.5 of 'discrete' is outside [0, 1]", 20);
    check_error("discrete(1 0.5)", "expected ':' and a probability after each value of 'discrete'", 11);
    check_error("discrete()", "'discrete' needs at least one value: p", 9);
    check_error("empirical(data.csv)", "'empirical' takes a quoted file name", 10);
    check_error("empirical(\"\")", "empty file name in 'empirical'", 10);
    check_error("", "missing value", 0);
    check_error("(1)", "expected a number or a distribution, got '(1)'", 0);
}

static void test_empirical(void)
{
    char dir[] = "/tmp/tsim-parse-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[200];
    snprintf(path, sizeof path, "%s/times.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("duration,machine\n# measured in March\n3,a\n\n1.5,b\r\n\"2\",c\n", f);
    fclose(f);
    struct tsim_dist d;
    char err[300] = "";
    CHECK(tsim_dist_parse(&d, "empirical(\"times.csv\")", "min", dir, err, sizeof err, NULL) == 0);
    CHECK_STR(err, "");
    CHECK(d.kind == TSIM_DIST_EMPIRICAL && d.n == 3);
    if (d.n == 3) {
        CHECK_NEAR(d.x[0], 1.5, 0);
        CHECK_NEAR(d.x[2], 3, 0);
    }
    tsim_dist_release(&d);
    CHECK(tsim_dist_parse(&d, "empirical('times.csv')", "min", dir, NULL, 0, NULL) == 0);
    tsim_dist_release(&d);
    CHECK(tsim_dist_parse(&d, "empirical(\"missing.csv\")", "min", dir, err, sizeof err, NULL) ==
          TSIM_EPARSE);
    CHECK(strstr(err, "cannot open") != NULL);
    CHECK(tsim_dist_parse(&d, "empirical(\"/dev/zero\")", "min", NULL, err, sizeof err, NULL) ==
          TSIM_EPARSE);
    CHECK_STR(err, "cannot read '/dev/zero': not a regular file");
    f = fopen(path, "w");
    fputs("x\n", f);
    fclose(f);
    CHECK(tsim_dist_parse(&d, "empirical(\"times.csv\")", "min", dir, err, sizeof err, NULL) ==
          TSIM_EPARSE);
    CHECK_STR(err, "'times.csv' holds no numbers");
    f = fopen(path, "w");
    fputs("1\n-2\n", f);
    fclose(f);
    CHECK(tsim_dist_parse(&d, "empirical(\"times.csv\")", "min", dir, err, sizeof err, NULL) ==
          TSIM_EPARSE);
    CHECK_STR(err, "'times.csv' line 2: negative time '-2'");
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RUN(test_unit_factor);
    RUN(test_duration);
    RUN(test_dist_kinds);
    RUN(test_dist_errors);
    RUN(test_empirical);
    return CHECK_DONE();
}
