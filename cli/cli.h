/*
 * The `twinsim` command: one entry point per subcommand, dispatched from the table in main.c, and
 * the few argument helpers every subcommand shares so that all of them word errors alike.
 * The command parses arguments and calls the library; it holds no logic a library user needs.
 *
 * Exit codes, for every command: 0 success, 1 the model (or a run, or a file it writes) has
 * errors, 2 the command line is wrong, 128 + N when signal N (SIGINT, SIGTERM) stopped it, as a
 * shell reports a process killed by N. Usage errors print one line saying what is wrong and one
 * line pointing to --help, and never crash. Output that could not be written (a full disk, a
 * closed pipe) is an error with its reason, never a silent success.
 *
 * Signals are the command's business, not the library's: a command that runs long catches
 * SIGINT and SIGTERM with cli_catch_signals, hands the flag to the library (which stops every
 * sim watching it within a few thousand events) and says what was kept.
 */
#ifndef TSIM_CLI_H
#define TSIM_CLI_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_MODEL 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_SIGNAL 128 /* plus the signal number */

/* Subcommands: `argv[0]` is the subcommand's name; return the process exit code. */
int cmd_run(int argc, char **argv);
/* `twinsim run --jobshop FILE` (cli/jobshop.c); cmd_run hands over when it sees --jobshop. */
int cmd_run_jobshop(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_experiment(int argc, char **argv);
int cmd_optimize(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_twin(int argc, char **argv);
int cmd_emulate(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Print "twinsim CMD: MESSAGE" and the --help hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "twinsim CMD: MESSAGE" to stderr; returns CLI_EXIT_MODEL. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 if `arg` is "-h" or "--help". */
int cli_is_help(const char *arg);

/*
 * Match option `name` ("--reps") at argv[*i], written "--reps V" or "--reps=V". Returns 1 and
 * sets *value (advancing *i past a separate value) on a match; 0 if argv[*i] is another
 * argument; CLI_EXIT_USAGE (after printing why) if the value is missing.
 */
int cli_option(int argc, char **argv, int *i, const char *cmd, const char *name,
               const char **value);

/* cli_option for an option whose value the command keeps in `*var`: 1 and *var set on a match
 * (with `once`, a second match is a usage error), 0 if argv[*i] is another argument, or
 * CLI_EXIT_USAGE after printing why. */
int cli_take(int argc, char **argv, int *i, const char *cmd, const char *name, const char **var,
             int once);

/* In a loop over argv[i] with argc and argv in scope: when argv[i] is option `name` of `cmd`,
 * keep its value in `var` (cli_take) and go on with the next argument, or return the exit code
 * of its usage error. */
#define CLI_OPT(cmd, name, var, once)                                               \
    {                                                                               \
        int cli_opt_ = cli_take(argc, argv, &i, cmd, name, &(var), once);           \
        if (cli_opt_ == 1) continue;                                                \
        if (cli_opt_ != 0) return cli_opt_;                                         \
    }

/* Parse a whole number in [lo, hi] for option `opt`; 0, or CLI_EXIT_USAGE after printing why. */
int cli_parse_long(const char *cmd, const char *opt, const char *text, long lo, long hi,
                   long *out);

/* Parse a seed: a whole number 0..2^64-1 (decimal, or hex with 0x). 0 or CLI_EXIT_USAGE. */
int cli_parse_seed(const char *cmd, const char *opt, const char *text, uint64_t *out);

/*
 * From now on SIGINT and SIGTERM store the signal's number in *flag (and nothing else, so the
 * work in progress ends where it can); a second signal while *flag is set ends the process at
 * once, as if it were not caught. A SIGINT the process was started ignoring (a background job
 * of a shell script) stays ignored.
 */
void cli_catch_signals(atomic_int *flag);

/* Print "twinsim CMD: interrupted by SIGNAME" and return the exit code for that signal. */
int cli_interrupted(const char *cmd, int sig);

/* Flush standard output and check that everything written to it arrived: CLI_EXIT_OK, or
 * CLI_EXIT_MODEL after printing why (a full disk, a closed pipe). */
int cli_flush_stdout(const char *cmd);

/* tsim_errmsg() without its leading "function: ", for messages meant for people. */
const char *cli_errmsg(void);

/* Read a whole file of at most `max` bytes, NUL-terminated; NULL (errno set) on failure.
 * Ownership: the caller frees the result with free(). */
char *cli_read_file(const char *path, size_t max, size_t *len);
/* `--listen`'s "ADDR:PORT" or "[V6]:PORT" into its parts (cli/serve.c, built with
 * libmicrohttpd); 0 or CLI_EXIT_USAGE after saying why. */
int cli_parse_listen(const char *cmd, const char *text, char *addr, size_t len, unsigned *port);

#endif
