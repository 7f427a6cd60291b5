/*
 * src/logic: the built-in sequencing rules (each rule's choice and tie-break on candidates
 * built so that every rule disagrees with some other), the job-shop reader's errors, the
 * non-delay schedule and the replay on a hand-computed instance, and every rule on all 123
 * instances of tests/jsplib: a feasible schedule, a makespan no lower than the instance's lower
 * bound in tests/jsplib/bks.json, and a replay of its machine order giving the same makespan.
 */
#include "check.h"

#include "core/core.h"
#include "logic/rules.h"
#include "twinsim_logic.h"

#include <dirent.h>

static size_t pick(const char *rule, const struct tsim__cand *c, size_t n, double now)
{
    struct tsim__rule r;
    char err[256];
    if (tsim__rule_parse(&r, rule, err, sizeof err) != 0) {
        fprintf(stderr, "  rule '%s': %s\n", rule, err);
        return 99;
    }
    return tsim__rule_choose(&r, c, n, now, NULL);
}

/* Four candidates at now = 10; the comment on each rule says why it picks its index. */
static const struct tsim__cand four[] = {
    {.seq = 2, .arrival = 4, .proc = 5, .due = 40, .work_left = 20, .ops_left = 2},
    {.seq = 0, .arrival = 1, .proc = 3, .due = 30, .work_left = 12, .ops_left = 5},
    {.seq = 3, .arrival = 6, .proc = 9, .due = 25, .work_left = 14, .ops_left = 3},
    {.seq = 1, .arrival = 2, .proc = 2, .due = 50, .work_left = 6, .ops_left = 1},
};

static void test_rules_choose(void)
{
    CHECK_EQ(pick("FIFO", four, 4, 10), 1);  /* seq 0 */
    CHECK_EQ(pick("LIFO", four, 4, 10), 2);  /* seq 3 */
    CHECK_EQ(pick("SPT", four, 4, 10), 3);   /* proc 2 */
    CHECK_EQ(pick("LPT", four, 4, 10), 2);   /* proc 9 */
    CHECK_EQ(pick("EDD", four, 4, 10), 2);   /* due 25 */
    /* slack = due - 10 - work: 10, 8, 1, 34 */
    CHECK_EQ(pick("SLACK", four, 4, 10), 2);
    /* CR = (due - 10) / work: 1.5, 1.67, 1.07, 6.67 */
    CHECK_EQ(pick("CR", four, 4, 10), 2);
    CHECK_EQ(pick("MWKR", four, 4, 10), 0);  /* work 20 */
    CHECK_EQ(pick("LWKR", four, 4, 10), 3);  /* work 6 */
    CHECK_EQ(pick("MOPNR", four, 4, 10), 1); /* ops 5 */
    /* proc - 2 * ops: -1, -7, 3, 0 */
    CHECK_EQ(pick("weighted(proc=1, ops=-2)", four, 4, 10), 1);
    /* wait = 10 - arrival: 6, 9, 4, 8; -wait picks the longest wait, as FIFO does here */
    CHECK_EQ(pick("weighted(wait=-1)", four, 4, 10), 1);
    /* slack + 0.1 * due: 14, 11, 3.5, 39 */
    CHECK_EQ(pick("Weighted( slack = 1 , due=0.1 )", four, 4, 10), 2);
    CHECK_EQ(pick("mwkr", four, 4, 10), 0); /* names in any case */
    CHECK_EQ(pick("SPT", four, 1, 10), 0);
}

/* Equal keys go to the smaller seq wherever it sits in the array. */
static void test_rules_tie_break(void)
{
    struct tsim__cand c[3] = {
        {.seq = 7, .proc = 4, .due = 9, .work_left = 8, .ops_left = 2},
        {.seq = 5, .proc = 4, .due = 9, .work_left = 8, .ops_left = 2},
        {.seq = 6, .proc = 4, .due = 9, .work_left = 8, .ops_left = 2},
    };
    const char *rules[] = {"SPT", "LPT", "EDD", "SLACK", "CR", "MWKR", "LWKR", "MOPNR",
                           "weighted(proc=1, work=-3)"};
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) CHECK_EQ(pick(rules[i], c, 3, 0), 1);
    /* Critical ratio without work left: after every finite ratio while on time, before every
     * one when late. */
    struct tsim__cand d[2] = {{.seq = 0, .due = 100, .work_left = 10},
                             {.seq = 1, .due = 100, .work_left = 0}};
    CHECK_EQ(pick("CR", d, 2, 0), 0);
    CHECK_EQ(pick("CR", d, 2, 200), 1);
}

/* RANDOM: the same stream gives the same choices; every index comes up, none outside. */
static void test_rules_random(void)
{
    struct tsim__rule r;
    char err[64];
    CHECK_EQ(tsim__rule_parse(&r, "RANDOM", err, sizeof err), 0);
    struct tsim_rng a, b;
    tsim_rng_seed(&a, 42);
    tsim_rng_seed(&b, 42);
    int seen[4] = {0};
    for (int i = 0; i < 400; i++) {
        size_t x = tsim__rule_choose(&r, four, 4, 0, &a), y = tsim__rule_choose(&r, four, 4, 0, &b);
        CHECK_EQ(x, y);
        CHECK(x < 4);
        if (x < 4) seen[x]++;
    }
    /* Each index has probability 1/4 in 400 draws: P(a count of 0) = 0.75^400 < 1e-49. */
    for (int i = 0; i < 4; i++) CHECK(seen[i] > 0);
}

static void test_rules_parse_errors(void)
{
    struct tsim__rule r;
    char err[256];
    CHECK_EQ(tsim__rule_parse(&r, "MWRK", err, sizeof err), TSIM_EPARSE);
    CHECK_STR(err, "unknown rule 'MWRK' (did you mean 'MWKR'?)");
    CHECK_EQ(tsim__rule_parse(&r, "shortest", err, sizeof err), TSIM_EPARSE);
    CHECK(strstr(err, "unknown rule 'shortest' (rules: FIFO") == err);
    CHECK_EQ(tsim__rule_parse(&r, "weighted(prco=1)", err, sizeof err), TSIM_EPARSE);
    CHECK_STR(err, "unknown feature 'prco' in 'weighted' (did you mean 'proc'?)");
    CHECK_EQ(tsim__rule_parse(&r, "weighted(proc=x)", err, sizeof err), TSIM_EPARSE);
    CHECK_STR(err, "the weight of 'proc' in 'weighted' must be a finite number");
    CHECK_EQ(tsim__rule_parse(&r, "weighted(proc=1e999)", err, sizeof err), TSIM_EPARSE);
    CHECK_EQ(tsim__rule_parse(&r, "weighted(proc=1", err, sizeof err), TSIM_EPARSE);
    CHECK_EQ(tsim__rule_parse(&r, "weighted()", err, sizeof err), TSIM_EPARSE);
    CHECK_EQ(tsim__rule_parse(&r, "weighted(proc=1) x", err, sizeof err), TSIM_EPARSE);
    CHECK_EQ(tsim__rule_parse(&r, "weighted", err, sizeof err), TSIM_EPARSE);
}

/*
 * Two jobs, two machines, worked out by hand:
 *   job 0: machine 0 for 4, then machine 1 for 1;  job 1: machine 0 for 1, then machine 1 for 4.
 * At 0 both wait for machine 0. SPT starts job 1 (0-1); at 1 job 0 takes machine 0 (1-5) and
 * job 1 machine 1 (1-5); job 0 ends on machine 1 at 6, the optimum (machine 0's load 5 plus the
 * shortest last operation, 1). LPT, and FIFO by its tie-break on the job number, start job 0
 * (0-4); job 1 then runs 4-5 and 5-9: makespan 9.
 */
static const char tiny[] = "2 2\n0 4 1 1\n0 1 1 4\n";

static void test_jobshop_hand_computed(void)
{
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("tiny", tiny, strlen(tiny), &js), 0);
    if (!js) return;
    int64_t start[4], ms = 0, check = 0;
    CHECK_EQ(tsim_jobshop_dispatch(js, "SPT", 1, start, &ms), 0);
    CHECK_EQ(ms, 6);
    CHECK_EQ(start[0], 1);
    CHECK_EQ(start[1], 5);
    CHECK_EQ(start[2], 0);
    CHECK_EQ(start[3], 1);
    CHECK_EQ(tsim_jobshop_verify(js, start, &check), 0);
    CHECK_EQ(check, 6);
    CHECK_EQ(tsim_jobshop_dispatch(js, "LPT", 1, start, &ms), 0);
    CHECK_EQ(ms, 9);
    CHECK_EQ(tsim_jobshop_dispatch(js, "FIFO", 1, start, &ms), 0);
    CHECK_EQ(ms, 9);
    CHECK_EQ(start[2], 4);
    CHECK_EQ(start[3], 5);
    /* The optimal order replayed, and the other one. */
    const char opt[] = "1 0\n1 0\n", bad[] = "0 1\n0 1\n";
    CHECK_EQ(tsim_jobshop_replay(js, "s", opt, strlen(opt), start, &ms), 0);
    CHECK_EQ(ms, 6);
    CHECK_EQ(tsim_jobshop_replay(js, "s", bad, strlen(bad), start, &ms), 0);
    CHECK_EQ(ms, 9);
    /* A machine running two operations at once, a job's operations out of order. */
    int64_t clash[4] = {0, 4, 3, 5}, order[4] = {1, 0, 0, 5};
    CHECK_EQ(tsim_jobshop_verify(js, clash, &check), TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "machine 0 runs job 1 and job 0 at once at time 3") != NULL);
    CHECK_EQ(tsim_jobshop_verify(js, order, &check), TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "operation 1 of job 0 starts at 0, before 5") != NULL);
    CHECK_EQ(tsim_jobshop_dispatch(js, "MWRK", 1, start, &ms), TSIM_EPARSE);
    tsim_jobshop_destroy(js);
}

/* Each bad file and the start of its message: the place, then what is wrong. */
static void test_jobshop_bad_instances(void)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "f:1:1: error: empty instance"},
        {"\n\n  \n", "f:4:1: error: empty instance"},
        {"2\n", "f:1:1: error: the first line must hold 2 numbers"},
        {"2 2 2\n", "f:1:5: error: the first line must hold 2 numbers"},
        {"0 2\n", "f:1:1: error: an instance needs at least 1 job"},
        {"2 x\n", "f:1:3: error: unexpected 'x', expected the number of jobs or machines"},
        {"2 2\n0 4 1 1\n", "f:3:1: error: the file ends after 1 jobs; the first line announces 2"},
        {"2 2\n0 4 1 1\n0 1 1\n", "f:3:5: error: job 1 has 3 numbers"},
        {"2 2\n0 4 1 1\n0 1 1 4 0\n", "f:3:9: error: job 1 has 5 numbers"},
        {"2 2\n0 4 1 -1\n0 1 1 4\n", "f:2:7: error: a machine or a processing time must not be "
                                     "negative"},
        {"2 2\n0 4 2 1\n0 1 1 4\n", "f:2:5: error: machine 2 is out of range: machines are "
                                    "numbered 0 to 1"},
        {"2 2\n0 4 1 1\n0 1 1 4\n1 1\n", "f:4:1: error: more lines than the 2 jobs"},
        {"2 2\n0 4 1 1.5\n0 1 1 4\n", "f:2:8: error: unexpected '.' after a number"},
        {"2 2\n0 4 1 9999999999999999999999\n0 1 1 4\n", "f:2:7: error: a machine or a "
                                                          "processing time is larger than"},
        {"99999999 2\n", "f:1:1: error: the number of jobs or machines is larger than 1000000"},
        {"100000 1000\n", "f:1:1: error: 100000 jobs of 1000 operations exceed"},
        {"1 1\n0 \x01\n", "f:2:3: error: unexpected byte 0x01"},
        {"2 1\n0 1000000000\n0 1000000000\n", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsim_jobshop *js = NULL;
        int r = tsim_jobshop_parse("f", cases[i].text, strlen(cases[i].text), &js);
        if (!cases[i].msg) {
            CHECK_EQ(r, 0);
        } else {
            CHECK_EQ(r, TSIM_EPARSE);
            CHECK(js == NULL);
            const char *m = strstr(tsim_errmsg(), ": ") + 2;
            if (strncmp(m, cases[i].msg, strlen(cases[i].msg)) != 0)
                fprintf(stderr, "  case %zu: got '%s', expected '%s...'\n", i, m, cases[i].msg);
            CHECK(strncmp(m, cases[i].msg, strlen(cases[i].msg)) == 0);
        }
        tsim_jobshop_destroy(js);
    }
}

static void test_jobshop_bad_schedules(void)
{
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("tiny", tiny, strlen(tiny), &js), 0);
    if (!js) return;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"1 0\n", "s:2:1: error: the schedule ends after 1 machines; the instance has 2"},
        {"1 0\n1 2\n", "s:2:3: error: job 2 is out of range"},
        {"1 1\n1 0\n", "s:1:3: error: job 1 is named more often on machine 0"},
        {"1\n1 0\n", "s:1:1: error: machine 0 has 2 operations; its line names 1"},
        {"1 0\n1 0\n0\n", "s:3:1: error: more lines than the 2 machines"},
    };
    int64_t start[4], ms;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CHECK_EQ(tsim_jobshop_replay(js, "s", cases[i].text, strlen(cases[i].text), start, &ms),
                 TSIM_EPARSE);
        const char *m = strstr(tsim_errmsg(), ": ") + 2;
        if (strncmp(m, cases[i].msg, strlen(cases[i].msg)) != 0)
            fprintf(stderr, "  case %zu: got '%s', expected '%s...'\n", i, m, cases[i].msg);
        CHECK(strncmp(m, cases[i].msg, strlen(cases[i].msg)) == 0);
    }
    tsim_jobshop_destroy(js);
    /* Opposite routes: machine 0 given job 1 first and machine 1 job 0 first wait for each
     * other for ever. */
    const char cross[] = "2 2\n0 4 1 1\n1 1 0 4\n", dead[] = "1 0\n0 1\n";
    CHECK_EQ(tsim_jobshop_parse("cross", cross, strlen(cross), &js), 0);
    if (!js) return;
    CHECK_EQ(tsim_jobshop_replay(js, "s", dead, strlen(dead), start, &ms), TSIM_EPARSE);
    CHECK(strstr(tsim_errmsg(), "s:1:1: error: the order deadlocks: machine 0 waits for job 1, "
                                "whose next operation is on machine 1") != NULL);
    tsim_jobshop_destroy(js);
}

/* The lower bound of `name` in bks.json's text, or -1. */
static long long lower_bound(const char *bks, const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "\"instance\" : \"%s\"", name);
    const char *p = strstr(bks, key);
    if (!p) return -1;
    p = strstr(p, "\"lower_bound\" :");
    return p ? strtoll(p + 15, NULL, 10) : -1;
}

/* The machine order of a schedule as tsim_jobshop_replay reads it. */
static char *machine_order(const struct tsim_jobshop *js, const int64_t *start)
{
    int n = tsim_jobshop_jobs(js), m = tsim_jobshop_machines(js);
    size_t cap = (size_t)n * m * 8 + 16, len = 0;
    char *s = malloc(cap);
    int *jobs = malloc((size_t)n * m * sizeof *jobs);
    int64_t *st = malloc((size_t)n * m * sizeof *st);
    for (int mc = 0; mc < m; mc++) {
        int c = 0;
        for (int j = 0; j < n; j++)
            for (int k = 0; k < m; k++) {
                int mm;
                int64_t p;
                tsim_jobshop_op(js, j, k, &mm, &p);
                if (mm != mc) continue;
                /* insert by start */
                int q = c++;
                for (; q > 0 && st[q - 1] > start[(size_t)j * m + k]; q--) {
                    st[q] = st[q - 1];
                    jobs[q] = jobs[q - 1];
                }
                st[q] = start[(size_t)j * m + k];
                jobs[q] = j;
            }
        for (int i = 0; i < c; i++) len += (size_t)sprintf(s + len, "%s%d", i ? " " : "", jobs[i]);
        s[len++] = '\n';
    }
    s[len] = '\0';
    free(jobs);
    free(st);
    return s;
}

static const char *const rules[] = {"FIFO", "LIFO",  "SPT",    "LPT",
                                    "EDD",  "SLACK", "CR",     "MWKR",
                                    "LWKR", "MOPNR", "RANDOM", "weighted(proc=1, work=-0.5)"};

static void test_jobshop_all_instances(void)
{
    char *bks = read_all("tests/jsplib/bks.json");
    CHECK(bks != NULL);
    if (!bks) return;
    const char *dirs[] = {"tests/jsplib/instances/Taillard1993",
                          "tests/jsplib/instances/FisherThompson1963",
                          "tests/jsplib/instances/Lawrence1984"};
    int count = 0;
    for (size_t d = 0; d < 3; d++) {
        DIR *dir = opendir(dirs[d]);
        CHECK(dir != NULL);
        if (!dir) continue;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            size_t nl = strlen(de->d_name);
            if (nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0) continue;
            char path[512], name[128];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            snprintf(name, sizeof name, "%.*s", (int)(nl - 4), de->d_name);
            long long lb = lower_bound(bks, name);
            CHECK(lb > 0);
            struct tsim_jobshop *js;
            CHECK_EQ(tsim_jobshop_read(path, &js), 0);
            if (!js) continue;
            count++;
            int64_t *start = malloc(tsim_jobshop_size(js) * sizeof *start);
            int64_t *again = malloc(tsim_jobshop_size(js) * sizeof *again);
            for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
                int64_t ms = -1, check = -1, replay = -1;
                CHECK_EQ(tsim_jobshop_dispatch(js, rules[r], 7, start, &ms), 0);
                CHECK_EQ(tsim_jobshop_verify(js, start, &check), 0);
                CHECK_EQ(check, ms);
                if (ms < lb) fprintf(stderr, "  %s %s: %lld < %lld\n", name, rules[r],
                                     (long long)ms, lb);
                CHECK(ms >= lb);
                char *order = machine_order(js, start);
                CHECK_EQ(tsim_jobshop_replay(js, name, order, strlen(order), again, &replay), 0);
                CHECK_EQ(replay, ms);
                free(order);
            }
            free(start);
            free(again);
            tsim_jobshop_destroy(js);
        }
        closedir(dir);
    }
    CHECK_EQ(count, 123);
    free(bks);
}

int main(void)
{
    RUN(test_rules_choose);
    RUN(test_rules_tie_break);
    RUN(test_rules_random);
    RUN(test_rules_parse_errors);
    RUN(test_jobshop_hand_computed);
    RUN(test_jobshop_bad_instances);
    RUN(test_jobshop_bad_schedules);
    RUN(test_jobshop_all_instances);
    return CHECK_DONE();
}
