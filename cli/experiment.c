/*
 * `twinsim experiment`, `twinsim optimize` and `twinsim report`: argument parsing and signal
 * handling only (SIGINT and SIGTERM set tsim_experiment_stop_flag(), which every sim of the
 * experiment watches). The drivers are in src/run (experiment.c, optimize.c), the report writer in
 * src/results/report.c. Under the MPI build every rank parses the same command line; rank 0 runs the
 * command and the others serve jobs.
 */
#include "cli.h"

#include "twinsim.h"
#include "twinsim_drivers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "twinsim.db"

static const char experiment_help[] =
    "usage: twinsim experiment EXP.yaml [--threads K] [--json FILE] [--db FILE] [--resume]\n"
    "\n"
    "Run every scenario of an experiment file (factors over a model, a full or Latin hypercube\n"
    "design) for as many replications as its confidence interval needs, and compare them: each\n"
    "scenario's objective with its 95% interval, the best scenario under the constraints, and the\n"
    "scenarios that paired comparisons on common random numbers cannot tell from it.\n"
    "\n"
    "  --threads K   threads (default 0: every core); results do not depend on it\n"
    "  --json FILE   write the results as JSON ('-' for standard output)\n"
    "  --db FILE     results database (default: twinsim.db); every finished replication is kept\n"
    "  --no-db       keep nothing on disk (no --resume, no report)\n"
    "  --resume      continue the last run of this experiment in the database\n"
    "  --seed S      seed (default: the experiment's seed, else the model's)\n"
    "  --gpu         run the replications as GPU batches (docs/gpu.md); without GPU support or\n"
    "                a device it says why and exits with status 2\n"
    "  --quiet       no table and no progress bar\n"
    "  --trace T     also sample replication 0 of each scenario every T of model time (WIP,\n"
    "                completions, each block's content and busy servers) into the database,\n"
    "                for the dashboard's experiment page (docs/dashboard.md)\n"
    "\n"
    "Under 'mpirun -n R twinsim-mpi experiment ...' the jobs are spread over R ranks; the results\n"
    "are the same bits as on one thread. See docs/experiments.md.\n";

static const char optimize_help[] =
    "usage: twinsim optimize EXP.yaml [--threads K] [--json FILE] [--db FILE] [--resume]\n"
    "\n"
    "Search the factors of an experiment file for the best objective under its constraints when\n"
    "enumerating every combination is too costly: a Latin hypercube start, then a local search\n"
    "around the incumbent (integer and continuous factors), with replications allocated among the\n"
    "best candidates by OCBA. Prints the best point with confidence intervals and the path taken.\n"
    "The file's 'optimize: {budget: N}' bounds the replications spent (default 1000).\n"
    "\n"
    "  options as for 'twinsim experiment'\n";

static const char report_help[] =
    "usage: twinsim report [--db FILE] [RUN] -o report.html\n"
    "\n"
    "Write one self-contained HTML file (no network needed to open it) for an experiment or\n"
    "optimize run in the database: each scenario's KPIs with confidence bars, machine state\n"
    "shares as stacked bars, buffer content over time.\n"
    "\n"
    "  --db FILE     results database (default: twinsim.db)\n"
    "  RUN           run id (default: the newest experiment or optimize run)\n"
    "  -o FILE       the HTML file to write (required)\n";

static int run_command(int argc, char **argv, int optimize)
{
    const char *cmd = argv[0];
    const char *file = NULL, *v;
    struct tsim_experiment_opts o;
    memset(&o, 0, sizeof o);
    o.db = DEFAULT_DB;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        int m;
        if (cli_is_help(argv[i])) {
            fputs(optimize ? optimize_help : experiment_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = cli_option(argc, argv, &i, cmd, "--threads", &v))) {
            long k;
            if (m != 1 || cli_parse_long(cmd, "--threads", v, 0, 4096, &k) != 0)
                return CLI_EXIT_USAGE;
            o.threads = (int)k;
        } else if ((m = cli_option(argc, argv, &i, cmd, "--json", &v))) {
            if (m != 1) return CLI_EXIT_USAGE;
            o.json = v;
        } else if ((m = cli_option(argc, argv, &i, cmd, "--db", &v))) {
            if (m != 1) return CLI_EXIT_USAGE;
            o.db = v;
        } else if ((m = cli_option(argc, argv, &i, cmd, "--trace", &v))) {
            if (m != 1) return CLI_EXIT_USAGE;
            o.trace_every = v;
        } else if ((m = cli_option(argc, argv, &i, cmd, "--seed", &v))) {
            if (m != 1 || cli_parse_seed(cmd, "--seed", v, &o.seed) != 0) return CLI_EXIT_USAGE;
            o.has_seed = 1;
        } else if (!strcmp(argv[i], "--no-db")) {
            o.db = NULL;
        } else if (!strcmp(argv[i], "--resume")) {
            o.resume = 1;
        } else if (!strcmp(argv[i], "--gpu")) {
            if (tsim_gpu_unavailable()) {
                fprintf(stderr, "twinsim %s: --gpu: %s\n", cmd, tsim_gpu_unavailable());
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (file) {
            return cli_usage_error(cmd, "one experiment file at a time, got '%s' and '%s'", file,
                                   argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (!file) return cli_usage_error(cmd, "missing the experiment file");
    if (o.resume && !o.db) return cli_usage_error(cmd, "'--resume' needs a database");
    if (o.trace_every && !o.db)
        return cli_usage_error(cmd, "option '--trace' records into the database: not with "
                               "'--no-db'");
    int code, rank = 0;
#ifdef TSIM_HAVE_MPI
    int size = 1;
    if (tsim_mpi_start(&argc, &argv, &rank, &size) < 0) return CLI_EXIT_MODEL;
    if (rank > 0) quiet = 1;
#endif
    o.out = quiet ? NULL : stdout;
    o.progress = !quiet && isatty(STDERR_FILENO);
    o.trace = o.db != NULL;
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_experiment *spec = tsim_experiment_load(file, &d);
    if (!spec) {
        if (rank == 0) tsim_diags_print(&d, file, stderr); /* once, not once per rank */
        tsim_diags_release(&d);
#ifdef TSIM_HAVE_MPI
        tsim_mpi_finish();
#endif
        return CLI_EXIT_MODEL;
    }
    tsim_diags_release(&d);
    cli_catch_signals(tsim_experiment_stop_flag());
#ifdef TSIM_HAVE_MPI
    if (rank > 0) {
        code = tsim_mpi_serve(spec, &o);
        tsim_experiment_destroy(spec);
        tsim_mpi_finish();
        return code;
    }
#endif
    code = optimize ? tsim_optimize_run(spec, &o) : tsim_experiment_run(spec, &o);
    if (code == TSIM_EXPERIMENT_STOPPED)
        code = CLI_EXIT_SIGNAL + atomic_load(tsim_experiment_stop_flag());
    if (code == CLI_EXIT_OK && rank == 0) code = cli_flush_stdout(cmd);
    tsim_experiment_destroy(spec);
#ifdef TSIM_HAVE_MPI
    tsim_mpi_finish();
#endif
    return code;
}

int cmd_experiment(int argc, char **argv) { return run_command(argc, argv, 0); }

int cmd_optimize(int argc, char **argv) { return run_command(argc, argv, 1); }

int cmd_report(int argc, char **argv)
{
    const char *cmd = argv[0], *db = DEFAULT_DB, *out = NULL, *v;
    long run = 0;
    for (int i = 1; i < argc; i++) {
        int m;
        if (cli_is_help(argv[i])) {
            fputs(report_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = cli_option(argc, argv, &i, cmd, "--db", &v))) {
            if (m != 1) return CLI_EXIT_USAGE;
            db = v;
        } else if ((m = cli_option(argc, argv, &i, cmd, "-o", &v)) ||
                   (m = cli_option(argc, argv, &i, cmd, "--output", &v))) {
            if (m != 1) return CLI_EXIT_USAGE;
            out = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (run) {
            return cli_usage_error(cmd, "one run at a time");
        } else if (cli_parse_long(cmd, "RUN", argv[i], 1, 1L << 40, &run) != 0) {
            return CLI_EXIT_USAGE;
        }
    }
    if (!out) return cli_usage_error(cmd, "missing '-o FILE'");
    if (tsim_report_html(db, run, out) != 0) return cli_error(cmd, "%s", cli_errmsg());
    return CLI_EXIT_OK;
}
