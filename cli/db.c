/*
 * `twinsim runs`, `twinsim show` and `twinsim compare`: read back the runs that `twinsim run`,
 * `experiment` and `optimize` recorded in the results database, to find a past run and compare
 * it again (its settings, its KPIs or scenarios, its exact JSON output, the model text it ran,
 * ready to run once more, or its KPIs beside another run's).
 */
#include "cli.h"

#include "twinsim.h"
#include "twinsim_drivers.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "twinsim.db"

static const char runs_help[] =
    "usage: twinsim runs [--db FILE] [--limit N]\n"
    "\n"
    "List the runs recorded in the results database (default: twinsim.db), newest first: runs\n"
    "of 'twinsim run', 'experiment' and 'optimize', which share one sequence of ids.\n"
    "  --db FILE    results database\n"
    "  --limit N    show only the newest N runs (default 20, 0: all)\n";

static const char show_help[] =
    "usage: twinsim show RUN|last [--db FILE] [--json | --model]\n"
    "\n"
    "Show a recorded run: its settings and KPI table, its JSON output (--json), or the model\n"
    "text it ran (--model; save it to run it again). For an experiment or optimize run: its\n"
    "scenarios with the objective and the best, or its JSON output.\n"
    "  --db FILE    results database (default: twinsim.db)\n";

static const char compare_help[] =
    "usage: twinsim compare RUN_A RUN_B [--db FILE]\n"
    "\n"
    "Compare two recorded runs of 'twinsim run' KPI by KPI: both means and the difference B - A\n"
    "with its 95% interval, '*' where it excludes 0. Runs with the same seed drew the same\n"
    "random numbers (common random numbers): their difference gets a paired t interval over\n"
    "the replications both have; runs with different seeds get Welch's interval. Also says\n"
    "whether the runs' fingerprints are equal (identical behaviour). A run is a number or 'last'.\n"
    "  --db FILE    results database (default: twinsim.db)\n";

static int need_db(const char *cmd, const char *path)
{
    if (access(path, F_OK) != 0)
        return cli_error(cmd, "no results database '%s' (twinsim run and twinsim experiment "
                         "record runs there)", path);
    return 0;
}

int cmd_runs(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *limit_text = NULL, *v;
    long limit = 20;
    int m;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(runs_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = cli_option(argc, argv, &i, "runs", "--db", &v)) != 0) {
            if (m != 1) return m;
            db = v;
        } else if ((m = cli_option(argc, argv, &i, "runs", "--limit", &v)) != 0) {
            if (m != 1) return m;
            limit_text = v;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("runs", "unknown option '%s'", argv[i]);
        } else {
            return cli_usage_error("runs", "unexpected argument '%s'", argv[i]);
        }
    }
    if (limit_text && (m = cli_parse_long("runs", "--limit", limit_text, 0, 1000000000L, &limit)))
        return m;
    if ((m = need_db("runs", db)) != 0) return m;
    if (tsim_db_list(db, stdout, (int)limit) != 0) return cli_error("runs", "%s", cli_errmsg());
    return cli_flush_stdout("runs");
}

/* A run argument: a number from 1 up, or "last" (0). */
static int parse_run(const char *cmd, const char *text, long *id)
{
    *id = 0;
    if (strcmp(text, "last") == 0) return 0;
    return cli_parse_long(cmd, "RUN", text, 1, 9223372036854775807L, id);
}

int cmd_compare(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *runs[2] = {NULL, NULL}, *v;
    int m, nruns = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(compare_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = cli_option(argc, argv, &i, "compare", "--db", &v)) != 0) {
            if (m != 1) return m;
            db = v;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("compare", "unknown option '%s'", argv[i]);
        } else if (nruns == 2) {
            return cli_usage_error("compare", "two runs expected, got '%s' too", argv[i]);
        } else {
            runs[nruns++] = argv[i];
        }
    }
    if (nruns < 2) return cli_usage_error("compare", "two runs expected (numbers, or 'last')");
    long a, b;
    if ((m = parse_run("compare", runs[0], &a)) != 0 || (m = parse_run("compare", runs[1], &b)))
        return m;
    if ((m = need_db("compare", db)) != 0) return m;
    if (tsim_db_compare(db, a, b, stdout) != 0) return cli_error("compare", "%s", cli_errmsg());
    return cli_flush_stdout("compare");
}

int cmd_show(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *run = NULL, *v;
    enum tsim_db_show_what what = TSIM_SHOW_TABLE;
    int m, modes = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(show_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = cli_option(argc, argv, &i, "show", "--db", &v)) != 0) {
            if (m != 1) return m;
            db = v;
        } else if (strcmp(argv[i], "--json") == 0) {
            what = TSIM_SHOW_JSON;
            modes++;
        } else if (strcmp(argv[i], "--model") == 0) {
            what = TSIM_SHOW_MODEL;
            modes++;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("show", "unknown option '%s'", argv[i]);
        } else if (run) {
            return cli_usage_error("show", "one run expected, got '%s' too", argv[i]);
        } else {
            run = argv[i];
        }
    }
    if (!run) return cli_usage_error("show", "no run given (a run number, or 'last')");
    if (modes > 1)
        return cli_usage_error("show", "options '--json' and '--model' exclude each other");
    long id;
    if ((m = parse_run("show", run, &id)) != 0) return m;
    if ((m = need_db("show", db)) != 0) return m;
    if (tsim_db_show(db, id, what, stdout) != 0) return cli_error("show", "%s", cli_errmsg());
    return cli_flush_stdout("show");
}
