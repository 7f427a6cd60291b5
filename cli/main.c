/*
 * twinsim: the command. Finds the subcommand in the table below and hands it the arguments;
 * a new subcommand is one line here and its `cmd_NAME` declared in cli.h.
 */
#include "cli.h"

#include "twinsim.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run replications of a model and print its KPIs"},
    {"check", cmd_check, "validate model files and print every diagnostic"},
    {"runs", cmd_runs, "list past runs recorded in the results database"},
    {"show", cmd_show, "show a past run: settings and KPIs, its JSON or its model"},
    {"compare", cmd_compare, "compare two past runs KPI by KPI, with 95% intervals"},
    {"experiment", cmd_experiment, "compare scenarios of a model over factors, with CIs"},
    {"optimize", cmd_optimize, "search factors for the best objective under constraints"},
    {"report", cmd_report, "write a self-contained HTML report of an experiment run"},
    {"twin", cmd_twin, "follow a plant over MQTT: live state, forecasts and alerts"},
    {"emulate", cmd_emulate, "play a model as a plant, publishing its events over MQTT"},
    {"serve", cmd_serve, "serve the dashboard: results, layouts and live runs in a browser"},
};

#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: twinsim COMMAND [ARGS]\n"
            "       twinsim --help | --version\n"
            "\n"
            "twinsim is a discrete-event simulation engine for factories and logistics.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n"
            "'twinsim COMMAND --help' tells more about one command.\n"
            "exit codes: 0 ok, 1 model, run or output errors, 2 usage errors,\n"
            "128+N stopped by signal N (Ctrl-C: 130, SIGTERM: 143)\n");
}

/* The library's messages (progress, notes, a driver's diagnostics) go to stderr as they come:
 * the library never writes there itself. */
static void say(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stderr);
    fflush(stderr);
}

int main(int argc, char **argv)
{
    tsim_set_message_fn(say, NULL);
    if (argc < 2) {
        fprintf(stderr, "twinsim: no command given\n"
                        "try 'twinsim --help' for the list of commands\n");
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name) || strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("twinsim %s (GPU support: %s)\n", TSIM_VERSION,
               tsim_gpu_built() ? "built in" : "not built in");
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    }
    if (name[0] == '-')
        fprintf(stderr, "twinsim: unknown option '%s'\n", name);
    else
        fprintf(stderr, "twinsim: unknown command '%s'\n", name);
    fprintf(stderr, "try 'twinsim --help' for the list of commands\n");
    return CLI_EXIT_USAGE;
}
