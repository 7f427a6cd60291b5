/*
 * `twinsim run --jobshop FILE`: schedule a standard job-shop instance with a sequencing rule (or
 * replay a given machine order) and print the makespan (docs/logic.md). Every schedule printed
 * has been checked: precedence within each job, one operation at a time on each machine.
 */
#include "cli.h"

#include "twinsim.h"
#include "twinsim_logic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (256u << 20)

static const char help[] =
    "usage: twinsim run --jobshop FILE [--rule RULE | --schedule FILE] [options]\n"
    "\n"
    "Read a job-shop instance (first line: JOBS MACHINES; then one line per job of\n"
    "'machine time' pairs, machines numbered from 0), schedule it and print the makespan.\n"
    "\n"
    "options:\n"
    "  --rule RULE        the sequencing rule of every machine (default FIFO): FIFO, LIFO, SPT,\n"
    "                     LPT, EDD, SLACK, CR, MWKR, LWKR, MOPNR, RANDOM,\n"
    "                     weighted(FEATURE=W, ...), policy:PATH (a learned rule's weights\n"
    "                     file, docs/ai.md), or 'all' for a line per built-in rule\n"
    "  --schedule FILE    replay this machine order instead (a line per machine: its jobs in\n"
    "                     order, numbered from 0) and print its exact makespan\n"
    "  --seed S           the seed of RANDOM (default 1)\n"
    "  --print-schedule   also print the machine order (replayable) and every start time\n"
    "  -h, --help         this help\n"
    "\n"
    "exit codes: 0 ok, 1 a bad instance or schedule, 2 usage errors\n";

static const char *const all_rules[] = {"FIFO", "LIFO", "SPT",  "LPT",   "EDD",   "SLACK",
                                        "CR",   "MWKR", "LWKR", "MOPNR", "RANDOM"};

static int cmp_start_(const int64_t *start, size_t a, size_t b)
{
    return start[a] < start[b] ? -1 : start[a] > start[b] ? 1 : (a < b ? -1 : a > b);
}

/* The machine order of a schedule (a line per machine, jobs by start) and then each job's
 * starts, in operation order. */
static void print_schedule(const struct tsim_jobshop *js, const int64_t *start)
{
    int n = tsim_jobshop_jobs(js), m = tsim_jobshop_machines(js);
    size_t *ops = malloc((size_t)n * m * sizeof *ops);
    if (!ops) return;
    printf("machine order:\n");
    for (int mc = 0; mc < m; mc++) {
        size_t c = 0;
        for (int j = 0; j < n; j++)
            for (int k = 0; k < m; k++) {
                int mm;
                int64_t p;
                tsim_jobshop_op(js, j, k, &mm, &p);
                if (mm == mc) ops[c++] = (size_t)j * m + k;
            }
        /* insertion sort by start: a machine has few operations */
        for (size_t i = 1; i < c; i++)
            for (size_t q = i; q > 0 && cmp_start_(start, ops[q - 1], ops[q]) > 0; q--) {
                size_t t = ops[q];
                ops[q] = ops[q - 1];
                ops[q - 1] = t;
            }
        for (size_t i = 0; i < c; i++) printf("%s%zu", i ? " " : "", ops[i] / (size_t)m);
        printf("\n");
    }
    printf("starts (a line per job, operations in order):\n");
    for (int j = 0; j < n; j++) {
        for (int k = 0; k < m; k++)
            printf("%s%lld", k ? " " : "", (long long)start[(size_t)j * m + k]);
        printf("\n");
    }
    free(ops);
}

int cmd_run_jobshop(int argc, char **argv)
{
    const char *file = NULL, *rule = NULL, *sched = NULL, *seed_text = NULL;
    int print = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_EXIT_OK;
        }
#define OPT(name, var) CLI_OPT("run", name, var, 1)
        OPT("--jobshop", file)
        OPT("--rule", rule)
        OPT("--schedule", sched)
        OPT("--seed", seed_text)
#undef OPT
        if (strcmp(argv[i], "--print-schedule") == 0) {
            print = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("run", "unknown option '%s' with '--jobshop'", argv[i]);
        return cli_usage_error("run", "'--jobshop' takes no model file, got '%s'", argv[i]);
    }
    if (rule && sched)
        return cli_usage_error("run", "options '--rule' and '--schedule' exclude each other");
    uint64_t seed = 1;
    if (seed_text && cli_parse_seed("run", "--seed", seed_text, &seed) != 0) return CLI_EXIT_USAGE;
    if (!rule) rule = "FIFO";

    struct tsim_jobshop *js;
    if (tsim_jobshop_read(file, &js) != 0) {
        fprintf(stderr, "%s\n", cli_errmsg());
        return CLI_EXIT_MODEL;
    }
    int rc = CLI_EXIT_OK;
    int64_t *start = malloc(tsim_jobshop_size(js) * sizeof *start);
    char *text = NULL;
    if (!start) {
        rc = cli_error("run", "out of memory");
        goto done;
    }
    int64_t ms = 0, check = 0;
    if (sched) {
        size_t len;
        text = cli_read_file(sched, MAX_FILE, &len);
        if (!text) {
            rc = cli_error("run", "cannot read '%s'", sched);
            goto done;
        }
        if (tsim_jobshop_replay(js, sched, text, len, start, &ms) != 0) {
            fprintf(stderr, "%s\n", cli_errmsg());
            rc = CLI_EXIT_MODEL;
            goto done;
        }
        if (tsim_jobshop_verify(js, start, &check) != 0 || check != ms) {
            rc = cli_error("run", "the replayed schedule fails its check: %s", cli_errmsg());
            goto done;
        }
        printf("makespan %lld\n", (long long)ms);
    } else {
        int all = strcmp(rule, "all") == 0;
        size_t nr = all ? sizeof all_rules / sizeof *all_rules : 1;
        for (size_t r = 0; r < nr; r++) {
            const char *name = all ? all_rules[r] : rule;
            if (tsim_jobshop_dispatch(js, name, seed, start, &ms) != 0) {
                rc = cli_usage_error("run", "option '--rule': %s", cli_errmsg());
                goto done;
            }
            if (tsim_jobshop_verify(js, start, &check) != 0 || check != ms) {
                rc = cli_error("run", "the schedule of '%s' fails its check: %s", name,
                               cli_errmsg());
                goto done;
            }
            if (all)
                printf("%-8s makespan %lld\n", name, (long long)ms);
            else
                printf("makespan %lld\n", (long long)ms);
        }
    }
    if (print) print_schedule(js, start);
    rc = cli_flush_stdout("run");
done:
    free(text);
    free(start);
    tsim_jobshop_destroy(js);
    return rc;
}
