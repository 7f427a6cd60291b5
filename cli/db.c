/*
 * `twinsim runs` and `twinsim show`: read back the runs that `twinsim run` recorded in the
 * results database, to find a past run and compare it again (its settings, its KPIs, its exact
 * JSON output, or the model text it ran, ready to run once more).
 */
#include "cli.h"

#include "out/out.h"
#include "twinsim.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "twinsim.db"

static const char runs_help[] =
    "usage: twinsim runs [--db FILE] [--limit N]\n"
    "\n"
    "List the runs recorded in the results database (default: twinsim.db), newest first.\n"
    "  --db FILE    results database\n"
    "  --limit N    show only the newest N runs (default 20, 0: all)\n";

static const char show_help[] =
    "usage: twinsim show RUN|last [--db FILE] [--json | --model]\n"
    "\n"
    "Show a recorded run: its settings and KPI table, its JSON output (--json), or the model\n"
    "text it ran (--model; save it to run it again).\n"
    "  --db FILE    results database (default: twinsim.db)\n";

static int need_db(const char *cmd, const char *path)
{
    if (access(path, F_OK) != 0)
        return cli_error(cmd, "no results database '%s' (twinsim run records runs there)", path);
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
    if (tsim__db_list(db, stdout, (int)limit) != 0) return cli_error("runs", "%s", cli_errmsg());
    return CLI_EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *run = NULL, *v;
    enum tsim__db_show_what what = TSIM__SHOW_TABLE;
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
            what = TSIM__SHOW_JSON;
            modes++;
        } else if (strcmp(argv[i], "--model") == 0) {
            what = TSIM__SHOW_MODEL;
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
    long id = 0; /* 0: the newest run */
    if (strcmp(run, "last") != 0 &&
        (m = cli_parse_long("show", "RUN", run, 1, 9223372036854775807L, &id)) != 0)
        return m;
    if ((m = need_db("show", db)) != 0) return m;
    if (tsim__db_show(db, id, what, stdout) != 0) return cli_error("show", "%s", cli_errmsg());
    return CLI_EXIT_OK;
}
