/*
 * src/logic/policy.c: the learned sequencing rule. A weights file that is a built-in rule in
 * disguise (linear -1 on work, an mlp of one tanh unit over work, +1 on proc, -1 on ops) makes
 * exactly the built-in rule's schedule on all 123 instances of tests/jsplib; the features a
 * policy reads; its choice and tie-break; the weights-file errors word for word; replacing the
 * weights in place; and the checked-in examples/ai/jobshop-policy.txt: its makespans on the
 * held-out Taillard instances ta01-ta10 and ta21-ta30 as docs/ai.md gives them, and a mean gap
 * on ta01-ta10 at least 3 points below the best built-in rule's.
 */
#include "check.h"

#include "core/core.h"
#include "logic/policy.h"
#include "twinsim_logic.h"

#include <dirent.h>

static struct tsim_policy *policy(const char *text)
{
    struct tsim_policy *p = NULL;
    if (tsim_policy_parse("p.txt", text, strlen(text), &p) != 0)
        fprintf(stderr, "  %s\n", tsim_errmsg());
    return p;
}

#define MWKR_LINEAR "twinsim-policy 1\nmodel linear\nfeatures work\nmean 0\nscale 1\nweights -1\n"
#define MWKR_MLP                                                                          \
    "twinsim-policy 1\n# one unit: tanh is increasing, so this ranks as -work does\n"     \
    "model mlp\nfeatures work\nmean 375\nscale 220\nhidden 1\nunit 0 -1\noutput 1\n"
#define SPT_LINEAR "twinsim-policy 1\nmodel linear\nfeatures proc\nmean 0\nscale 1\nweights 1\n"
#define MOPNR_LINEAR                                                                      \
    "twinsim-policy 1\nmodel linear\nfeatures ops\nmean 0\nscale 1\nweights -1\n"

/* Every instance of tests/jsplib, scheduled by each disguised rule and by the rule it copies. */
static void test_policy_reproduces_rules(void)
{
    struct {
        const char *text, *rule;
    } pairs[] = {{MWKR_LINEAR, "MWKR"}, {MWKR_MLP, "MWKR"}, {SPT_LINEAR, "SPT"},
                 {MOPNR_LINEAR, "MOPNR"}};
    const char *dirs[] = {"tests/jsplib/instances/Taillard1993",
                          "tests/jsplib/instances/FisherThompson1963",
                          "tests/jsplib/instances/Lawrence1984"};
    struct tsim_policy *p[4];
    for (int k = 0; k < 4; k++) CHECK((p[k] = policy(pairs[k].text)) != NULL);
    int count = 0;
    for (size_t d = 0; d < 3; d++) {
        DIR *dir = opendir(dirs[d]);
        CHECK(dir != NULL);
        if (!dir) continue;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            size_t nl = strlen(de->d_name);
            if (nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0) continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            struct tsim_jobshop *js;
            CHECK_EQ(tsim_jobshop_read(path, &js), 0);
            if (!js) continue;
            count++;
            size_t ops = tsim_jobshop_size(js);
            int64_t *a = malloc(ops * sizeof *a), *b = malloc(ops * sizeof *b);
            for (int k = 0; k < 4; k++) {
                if (!p[k]) continue;
                int64_t ma = -1, mb = -2;
                CHECK_EQ(tsim_jobshop_dispatch(js, pairs[k].rule, 1, a, &ma), 0);
                CHECK_EQ(tsim_jobshop_dispatch_policy(js, p[k], b, &mb), 0);
                CHECK_EQ(mb, ma);
                CHECK(memcmp(a, b, ops * sizeof *a) == 0); /* the same schedule, start by start */
            }
            free(a);
            free(b);
            tsim_jobshop_destroy(js);
        }
        closedir(dir);
    }
    CHECK_EQ(count, 123);
    for (int k = 0; k < 4; k++) tsim_policy_destroy(p[k]);
}

/* The features, from one candidate at now = 10. */
static void test_policy_features(void)
{
    struct tsim__cand x = {.seq = 1, .arrival = 4, .proc = 5, .due = 40, .work_left = 20,
                           .ops_left = 2, .job_work = 80, .next_proc = 7, .mach_work = 30,
                           .next_work = 50, .next_free = 3, .next_queue = 12};
    double f[TSIM__PF_COUNT];
    tsim__pfeat_all(&x, 10, f);
    CHECK_NEAR(f[TSIM__PF_PROC], 5, 0);
    CHECK_NEAR(f[TSIM__PF_DUE], 40, 0);
    CHECK_NEAR(f[TSIM__PF_SLACK], 10, 0); /* 40 - 10 - 20 */
    CHECK_NEAR(f[TSIM__PF_WORK], 20, 0);
    CHECK_NEAR(f[TSIM__PF_OPS], 2, 0);
    CHECK_NEAR(f[TSIM__PF_WAIT], 6, 0);
    CHECK_NEAR(f[TSIM__PF_JOB_WORK], 80, 0);
    CHECK_NEAR(f[TSIM__PF_SHARE], 0.25, 0);
    CHECK_NEAR(f[TSIM__PF_NEXT_PROC], 7, 0);
    CHECK_NEAR(f[TSIM__PF_MACH_WORK], 30, 0);
    CHECK_NEAR(f[TSIM__PF_NEXT_WORK], 50, 0);
    CHECK_NEAR(f[TSIM__PF_NEXT_FREE], 3, 0);
    CHECK_NEAR(f[TSIM__PF_NEXT_QUEUE], 12, 0);
    x.job_work = 0;
    tsim__pfeat_all(&x, 10, f);
    CHECK_NEAR(f[TSIM__PF_SHARE], 0, 0);
    CHECK_STR(tsim__pfeat_name(TSIM__PF_NEXT_FREE), "next_free");
}

/* The smallest score wins; equal scores go to the smaller seq wherever it sits. */
static void test_policy_choose(void)
{
    const struct tsim__cand c[] = {
        {.seq = 2, .proc = 5, .next_proc = 1, .work_left = 9},
        {.seq = 0, .proc = 3, .next_proc = 9, .work_left = 9},
        {.seq = 1, .proc = 4, .next_proc = 9, .work_left = 9},
    };
    struct tsim_policy *p = policy("twinsim-policy 1\nmodel linear\nfeatures next_proc proc\n"
                                   "mean 0 0\nscale 1 2\nweights -1 0.5\n");
    CHECK(p != NULL);
    if (!p) return;
    /* -next_proc + 0.5 * proc / 2: 0.25, -8.25, -8 */
    CHECK_EQ(tsim__policy_choose(p, c, 3, 0), 1);
    double w[2] = {-1, 0};
    CHECK_EQ(tsim_policy_set_params(p, w, 2), 0);
    /* -1, -9, -9: the tie goes to seq 0 at index 1, also when it comes last */
    CHECK_EQ(tsim__policy_choose(p, c, 3, 0), 1);
    const struct tsim__cand r[] = {c[2], c[0], c[1]};
    CHECK_EQ(tsim__policy_choose(p, r, 3, 0), 2);
    CHECK_EQ(tsim__policy_choose(p, c, 1, 0), 0);
    /* wrong counts and values leave it as it was */
    double bad[2] = {1, NAN};
    CHECK_EQ(tsim_policy_set_params(p, bad, 2), TSIM_EINVAL);
    CHECK_EQ(tsim_policy_set_params(p, bad, 1), TSIM_EINVAL);
    CHECK_EQ(tsim_policy_params(p), 2);
    CHECK_EQ(tsim__policy_choose(p, r, 3, 0), 2);
    tsim_policy_destroy(p);
    tsim_policy_destroy(NULL);

    p = policy(MWKR_MLP);
    CHECK(p != NULL);
    if (p) CHECK_EQ(tsim_policy_params(p), 3); /* bias, weight, output */
    tsim_policy_destroy(p);
}

/* A hand-made instance where the next operation's time decides: at 0, machine 0 has jobs 0 and
 * 1 (next operations of 1 and 9 on machine 1). */
static void test_policy_next_proc_in_dispatch(void)
{
    const char *inst = "3 2\n0 5 1 1\n0 5 1 9\n1 3 0 2\n";
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("h", inst, strlen(inst), &js), 0);
    if (!js) return;
    struct tsim_policy *p = policy("twinsim-policy 1\nmodel linear\nfeatures next_proc\n"
                                   "mean 0\nscale 1\nweights -1\n");
    int64_t st[6], ms;
    CHECK_EQ(tsim_jobshop_dispatch_policy(js, p, st, &ms), 0);
    CHECK_EQ(st[2], 0); /* job 1 first: its next operation is the longer */
    CHECK_EQ(st[0], 5);
    /* job 2 runs 0-3 on machine 1; at 5 job 0 (next 1) before job 2 (no next): job 0 5-10,
     * job 1 5-14 on machine 1, job 2 10-12, job 0 14-15 */
    CHECK_EQ(ms, 15);
    double w = 1;
    CHECK_EQ(tsim_policy_set_params(p, &w, 1), 0);
    CHECK_EQ(tsim_jobshop_dispatch_policy(js, p, st, &ms), 0);
    CHECK_EQ(st[0], 0);
    CHECK_EQ(st[2], 7); /* at 5 job 2 (no next operation) goes before job 1 */
    CHECK_EQ(ms, 21); /* job 1: 7-12, then 12-21 on machine 1 */
    tsim_policy_destroy(p);
    tsim_jobshop_destroy(js);
}

/* At 0 machine 0 chooses between job 0, next on machine 1 (work 9, job 2's 6 waiting for it),
 * and job 1, next on machine 2 (work 6, nothing waiting): next_work and next_queue see it. */
static void test_policy_next_machine_in_dispatch(void)
{
    const char *inst = "3 3\n0 4 1 2 2 1\n0 4 2 2 1 1\n1 6 0 1 2 3\n";
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("h", inst, strlen(inst), &js), 0);
    if (!js) return;
    const char *feats[] = {"next_work", "next_queue"};
    for (int f = 0; f < 2; f++) {
        char text[200];
        snprintf(text, sizeof text, "twinsim-policy 1\nmodel linear\nfeatures %s\nmean 0\n"
                 "scale 1\nweights 1\n", feats[f]);
        struct tsim_policy *p = policy(text);
        CHECK(p != NULL);
        if (!p) continue;
        int64_t st[9], ms;
        CHECK_EQ(tsim_jobshop_dispatch_policy(js, p, st, &ms), 0);
        CHECK_EQ(st[3], 0); /* job 1: the smaller value */
        CHECK_EQ(st[0], 4);
        double w = -1;
        CHECK_EQ(tsim_policy_set_params(p, &w, 1), 0);
        CHECK_EQ(tsim_jobshop_dispatch_policy(js, p, st, &ms), 0);
        CHECK_EQ(st[0], 0);
        CHECK_EQ(st[3], 4);
        tsim_policy_destroy(p);
    }
    tsim_jobshop_destroy(js);
}

static void test_policy_bad_files(void)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "p.txt:1:1: error: a weights file starts with 'twinsim-policy 1'"},
        {"# only a comment\n", "p.txt:1:1: error: a weights file starts with 'twinsim-policy 1'"},
        {"model linear\n", "p.txt:1:1: error: a weights file starts with 'twinsim-policy 1'"},
        {"twinsim-policy 2\n", "p.txt:1:16: error: unsupported weights file version (this "
                               "twinsim reads 'twinsim-policy 1')"},
        {"twinsim-policy\n", "p.txt:1:1: error: unsupported weights file version (this twinsim "
                             "reads 'twinsim-policy 1')"},
        {"twinsim-policy 1\n", "p.txt:1:1: error: the file ends before 'model'"},
        {"twinsim-policy 1\nmodel tree\n", "p.txt:2:7: error: unknown model 'tree' (models: "
                                           "linear, mlp)"},
        {"twinsim-policy 1\nmodle linear\n", "p.txt:2:1: error: expected 'model linear' or "
                                             "'model mlp'"},
        {"twinsim-policy 1\nmodel linear\nfeatures\n", "p.txt:3:1: error: 'features' names at "
                                                       "least one feature"},
        {"twinsim-policy 1\nmodel linear\nfeatures work nxt_proc\n",
         "p.txt:3:15: error: unknown feature 'nxt_proc' (did you mean 'next_proc'?)"},
        {"twinsim-policy 1\nmodel linear\nfeatures colour\n",
         "p.txt:3:10: error: unknown feature 'colour' (features: proc, due, slack, work, ops, "
         "wait, job_work, share, next_proc, mach_work, next_work, next_free, next_queue; at a "
         "route: queue, busy, backlog, util, index)"},
        {"twinsim-policy 1\nmodel linear\nfeatures work work\n",
         "p.txt:3:15: error: feature 'work' is named twice"},
        {"twinsim-policy 1\nmodel linear\nfeatures work ops\nmean 0\n",
         "p.txt:4:1: error: 'mean' needs 2 numbers (one per feature), not 1"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean 0 1 2\n",
         "p.txt:4:8: error: 'mean' needs 1 numbers (one per feature), not 3"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nscale 1\n",
         "p.txt:4:1: error: expected 'mean', not 'scale'"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean x\n",
         "p.txt:4:6: error: 'x' is not a finite number"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean 1e999\n",
         "p.txt:4:6: error: '1e999' is not a finite number"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean nan\n",
         "p.txt:4:6: error: 'nan' is not a finite number"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean 0\nscale 0\n",
         "p.txt:5:7: error: a scale must be greater than 0"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean 0\nscale 1\n",
         "p.txt:5:1: error: the file ends before 'weights'"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\nmean 0\nscale 1\nweights 1\nmore\n",
         "p.txt:7:1: error: unexpected 'more' after the last weights"},
        {"twinsim-policy 1\nmodel mlp\nfeatures work\nmean 0\nscale 1\nhidden 0\n",
         "p.txt:6:8: error: 'hidden' must be a whole number from 1 to 64"},
        {"twinsim-policy 1\nmodel mlp\nfeatures work\nmean 0\nscale 1\nhidden 1.5\n",
         "p.txt:6:8: error: 'hidden' must be a whole number from 1 to 64"},
        {"twinsim-policy 1\nmodel mlp\nfeatures work\nmean 0\nscale 1\nhidden 2\nunit 0 1\n",
         "p.txt:7:1: error: the file ends before 'unit'"},
        {"twinsim-policy 1\nmodel mlp\nfeatures work\nmean 0\nscale 1\nhidden 1\nunit 1\n",
         "p.txt:7:1: error: 'unit' needs 2 numbers (a bias and a weight per feature), not 1"},
        {"twinsim-policy 1\nmodel mlp\nfeatures work\nmean 0\nscale 1\nhidden 1\nunit 0 1\n"
         "output 1 2\n",
         "p.txt:8:10: error: 'output' needs 1 numbers (one per hidden unit), not 2"},
        {"twinsim-policy 1\nmodel linear\nfeatures work\x01\n",
         "p.txt:3:14: error: unexpected byte 0x01"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct tsim_policy *p = (struct tsim_policy *)1;
        int rc = tsim_policy_parse("p.txt", bad[i].text, strlen(bad[i].text), &p);
        CHECK_EQ(rc, TSIM_EPARSE);
        CHECK(p == NULL);
        const char *m = tsim_errmsg();
        const char *colon = strstr(m, ": ");
        CHECK_STR(colon ? colon + 2 : m, bad[i].msg);
    }
    /* A rule that names a weights file reports the file's place; one with no path says so. */
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("h", "1 1\n0 1\n", 8, &js), 0);
    int64_t ms;
    CHECK_EQ(tsim_jobshop_dispatch(js, "policy:", 1, NULL, &ms), TSIM_EPARSE);
    CHECK_STR(tsim_errmsg(), "tsim_jobshop_dispatch: 'policy:' expects the path of a weights "
                             "file, e.g. 'policy:examples/ai/jobshop-policy.txt'");
    CHECK_EQ(tsim_jobshop_dispatch(js, "policy:tests/unit/check.h", 1, NULL, &ms), TSIM_EPARSE);
    CHECK_STR(tsim_errmsg(), "tsim_jobshop_dispatch: tests/unit/check.h:1:1: error: a weights "
                             "file starts with 'twinsim-policy 1'");
    CHECK_EQ(tsim_jobshop_dispatch(js, "policy:no/such/file", 1, NULL, &ms), TSIM_EIO);
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

/*
 * The checked-in weights on the held-out instances: the makespans of docs/ai.md's table, and
 * on ta01-ta10 a mean gap to the lower bound at least 3 points below the best built-in rule's.
 */
static const int heldout[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                              21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
static const long long heldout_makespan[] = {
    1404, 1411, 1387, 1338, 1343, 1414, 1377, 1375, 1582, 1459,
    1934, 1829, 1831, 1928, 1880, 1906, 1996, 1893, 1928, 1827,
};

static void test_policy_checked_in_weights(void)
{
    static const char *const rules[] = {"FIFO", "LIFO", "SPT",  "LPT",   "EDD",   "SLACK",
                                        "CR",   "MWKR", "LWKR", "MOPNR", "RANDOM"};
    enum { NR = sizeof rules / sizeof *rules };
    struct tsim_policy *p;
    CHECK_EQ(tsim_policy_read("examples/ai/jobshop-policy.txt", &p), 0);
    if (!p) return;
    FILE *f = fopen("tests/jsplib/bks.json", "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char bks[1 << 20];
    size_t len = fread(bks, 1, sizeof bks - 1, f);
    bks[len] = '\0';
    fclose(f);
    double gap_policy = 0, gap_rule[NR] = {0};
    for (size_t i = 0; i < sizeof heldout / sizeof *heldout; i++) {
        char name[32], path[128];
        snprintf(name, sizeof name, "ta%02djs", heldout[i]);
        snprintf(path, sizeof path, "tests/jsplib/instances/Taillard1993/%s.txt", name);
        struct tsim_jobshop *js;
        CHECK_EQ(tsim_jobshop_read(path, &js), 0);
        if (!js) continue;
        long long lb = lower_bound(bks, name);
        CHECK(lb > 0);
        int64_t *start = malloc(tsim_jobshop_size(js) * sizeof *start);
        int64_t ms = -1, check = -2;
        CHECK_EQ(tsim_jobshop_dispatch_policy(js, p, start, &ms), 0);
        CHECK_EQ(tsim_jobshop_verify(js, start, &check), 0);
        CHECK_EQ(check, ms);
        if (ms != heldout_makespan[i]) fprintf(stderr, "  %s: makespan %lld\n", name, (long long)ms);
        CHECK_EQ(ms, heldout_makespan[i]);
        if (heldout[i] <= 10) {
            gap_policy += (double)(ms - lb) / (double)lb / 10;
            for (int r = 0; r < NR; r++) {
                int64_t mr;
                CHECK_EQ(tsim_jobshop_dispatch(js, rules[r], 1, NULL, &mr), 0);
                gap_rule[r] += (double)(mr - lb) / (double)lb / 10;
            }
        }
        free(start);
        tsim_jobshop_destroy(js);
    }
    double best = gap_rule[0];
    for (int r = 1; r < NR; r++)
        if (gap_rule[r] < best) best = gap_rule[r];
    fprintf(stderr, "  ta01-ta10: policy %.2f%%, best rule %.2f%%\n", 100 * gap_policy,
            100 * best);
    CHECK(gap_policy <= best - 0.03);
    tsim_policy_destroy(p);
}

int main(void)
{
    RUN(test_policy_reproduces_rules);
    RUN(test_policy_features);
    RUN(test_policy_choose);
    RUN(test_policy_next_proc_in_dispatch);
    RUN(test_policy_next_machine_in_dispatch);
    RUN(test_policy_bad_files);
    RUN(test_policy_checked_in_weights);
    return CHECK_DONE();
}
