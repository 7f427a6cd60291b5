/*
 * Argument helpers shared by the subcommands: option matching, number parsing and error wording.
 * Every rejection names the option and the text it got, so a user sees what to fix.
 */
#include "cli.h"

#include "twinsim.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "twinsim CMD: MESSAGE" to stderr, with no line end. */
static void say(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "twinsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'twinsim %s --help' for usage\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_MODEL;
}

int cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

int cli_option(int argc, char **argv, int *i, const char *cmd, const char *name,
               const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0') return 0;
    /* A following option is not taken as the value: "--json --csv out" is a missing value, not
     * a file named "--csv". A lone "-" (standard output) is a value. */
    if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] == '-'))
        return cli_usage_error(cmd, "option '%s' needs a value", name);
    *value = argv[++*i];
    return 1;
}

int cli_take(int argc, char **argv, int *i, const char *cmd, const char *name, const char **var,
             int once)
{
    const char *v = NULL;
    int m = cli_option(argc, argv, i, cmd, name, &v);
    if (m != 1) return m;
    if (once && *var) return cli_usage_error(cmd, "option '%s' given twice", name);
    *var = v;
    return 1;
}

int cli_parse_long(const char *cmd, const char *opt, const char *text, long lo, long hi,
                   long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) && !(text[0] == '-' && isdigit((unsigned char)text[1])))
        end = (char *)text;
    if (end == text || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        return cli_usage_error(cmd, "option '%s' needs a whole number from %ld to %ld, not '%s'",
                               opt, lo, hi, text);
    *out = v;
    return 0;
}

int cli_parse_seed(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    /* strtoull accepts "-1" and wraps it to 2^64-1: a sign is refused before it gets there. */
    int ok = isdigit((unsigned char)text[0]);
    unsigned long long v = ok ? strtoull(text, &end, 0) : 0;
    if (!ok || *end != '\0' || errno == ERANGE)
        return cli_usage_error(cmd,
                               "option '%s' needs a whole number from 0 to 18446744073709551615, "
                               "not '%s'",
                               opt, text);
    *out = v;
    return 0;
}

static atomic_int *caught;

/* Async-signal-safe: a lock-free atomic exchange, signal() and raise(). */
static void on_signal(int sig)
{
    if (atomic_exchange(caught, sig) != 0) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

void cli_catch_signals(atomic_int *flag)
{
    caught = flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* Restart what the signal interrupts (a write, a lock wait in SQLite): the work stops by
     * the flag, at a point that keeps files and the database whole. */
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    /* A shell starts background jobs with SIGINT ignored, so that Ctrl-C meant for the
     * foreground does not reach them: keep it so. */
    struct sigaction old;
    if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(const char *cmd, int sig)
{
    const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
    fprintf(stderr, "twinsim %s: interrupted by %s\n", cmd, name);
    return CLI_EXIT_SIGNAL + (sig > 0 ? sig : SIGINT);
}

int cli_flush_stdout(const char *cmd)
{
    int e = 0;
    if (fflush(stdout) != 0) e = errno;
    if (!e && ferror(stdout)) e = EIO;
    if (e) return cli_error(cmd, "cannot write to standard output: %s", strerror(e));
    return CLI_EXIT_OK;
}

const char *cli_errmsg(void)
{
    const char *m = tsim_errmsg();
    const char *colon = strstr(m, ": ");
    /* Only a leading identifier is a function name; a message quoting "a: b" keeps its text. */
    if (colon) {
        const char *p = m;
        while (p < colon && (isalnum((unsigned char)*p) || *p == '_')) p++;
        if (p == colon && p > m) return colon + 2;
    }
    return m;
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > max) {
                errno = EFBIG;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) break;
            fclose(f);
            if (n > max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            buf[n] = '\0';
            if (len) *len = n;
            return buf;
        }
    }
    int e = errno;
    free(buf);
    fclose(f);
    errno = e ? e : ENOMEM;
    return NULL;
}
