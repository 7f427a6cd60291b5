/*
 * `twinsim serve`: the dashboard. Parses the options, starts the server (src/web, through
 * twinsim_web.h), prints where it listens and its token, and serves until SIGINT or SIGTERM.
 */
#include "cli.h"

#include "twinsim.h"

#ifdef TSIM_HAVE_HTTP
#include "twinsim_web.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char serve_help[] =
    "usage: twinsim serve [--db FILE] [--listen ADDR:PORT] [--models DIR] [--token-file FILE]\n"
    "                     [--timeout SECONDS] [--threads N]\n"
    "\n"
    "Serve the dashboard: the runs and experiments of a results database as web pages (the\n"
    "model's layout, KPIs with their 95% intervals, machine states over a replication) and as\n"
    "a JSON API, and runs started from model files in one directory, with live progress.\n"
    "Prints the address and a token; starting a run and live events need the token\n"
    "(header 'Authorization: Bearer TOKEN' or '?token=TOKEN'). Stops on Ctrl-C.\n"
    "  --db FILE           results database (default: twinsim.db; made if missing)\n"
    "  --listen ADDR:PORT  address and port (default 127.0.0.1:8080; port 0: any free one;\n"
    "                      IPv6 as [::1]:8080). Anything but loopback is warned about: the\n"
    "                      token travels in clear text\n"
    "  --models DIR        directory of model files runs may be started from (default: none,\n"
    "                      no runs are started)\n"
    "  --token-file FILE   take the token from the first line of FILE instead of drawing one\n"
    "  --timeout SECONDS   close a connection silent this long, or a request not complete this\n"
    "                      long after it began (default 10)\n"
    "  --threads N         threads of a started run (default: every core)\n"
    "See docs/dashboard.md.\n";

#ifndef TSIM_HAVE_HTTP
int cmd_serve(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            fputs(serve_help, stdout);
            return CLI_EXIT_OK;
        }
    return cli_error("serve", "this twinsim was built without libmicrohttpd "
                              "(Debian: apt-get install libmicrohttpd-dev, then make)");
}
#else

int cli_parse_listen(const char *cmd, const char *text, char *addr, size_t len, unsigned *port)
{
    const char *colon = strrchr(text, ':');
    const char *a = text, *end = colon;
    if (!colon || colon == text)
        return cli_usage_error(cmd, "option '--listen' takes ADDR:PORT, not '%s'", text);
    if (text[0] == '[') {
        a = text + 1;
        if (colon[-1] != ']')
            return cli_usage_error(cmd, "option '--listen': an IPv6 address goes in "
                                        "brackets: [::1]:8080");
        end = colon - 1;
    }
    if ((size_t)(end - a) >= len)
        return cli_usage_error(cmd, "option '--listen': address too long");
    memcpy(addr, a, (size_t)(end - a));
    addr[end - a] = '\0';
    long p;
    if (cli_parse_long(cmd, "--listen", colon + 1, 0, 65535, &p) != 0) return CLI_EXIT_USAGE;
    *port = (unsigned)p;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    const char *db = "twinsim.db", *listen = "127.0.0.1:8080", *models = NULL, *token_file = NULL;
    const char *timeout_text = NULL, *threads_text = NULL, *v;
    int m;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(serve_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = cli_option(argc, argv, &i, "serve", "--db", &v)) != 0) {
            if (m != 1) return m;
            db = v;
        } else if ((m = cli_option(argc, argv, &i, "serve", "--listen", &v)) != 0) {
            if (m != 1) return m;
            listen = v;
        } else if ((m = cli_option(argc, argv, &i, "serve", "--models", &v)) != 0) {
            if (m != 1) return m;
            models = v;
        } else if ((m = cli_option(argc, argv, &i, "serve", "--token-file", &v)) != 0) {
            if (m != 1) return m;
            token_file = v;
        } else if ((m = cli_option(argc, argv, &i, "serve", "--timeout", &v)) != 0) {
            if (m != 1) return m;
            timeout_text = v;
        } else if ((m = cli_option(argc, argv, &i, "serve", "--threads", &v)) != 0) {
            if (m != 1) return m;
            threads_text = v;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("serve", "unknown option '%s'", argv[i]);
        } else {
            return cli_usage_error("serve", "unexpected argument '%s'", argv[i]);
        }
    }
    struct tsim_web_opts o;
    memset(&o, 0, sizeof o);
    char addr[64];
    if (cli_parse_listen("serve", listen, addr, sizeof addr, &o.port) != 0) return CLI_EXIT_USAGE;
    long t = 10, th = 0;
    if (timeout_text && cli_parse_long("serve", "--timeout", timeout_text, 1, 3600, &t) != 0)
        return CLI_EXIT_USAGE;
    if (threads_text && cli_parse_long("serve", "--threads", threads_text, 0, 4096, &th) != 0)
        return CLI_EXIT_USAGE;
    char *token = NULL;
    if (token_file) {
        size_t len;
        token = cli_read_file(token_file, 4096, &len);
        if (!token) return cli_error("serve", "cannot read the token file: %s", cli_errmsg());
        token[strcspn(token, "\r\n")] = '\0';
    }
    o.db = db;
    o.models = models;
    o.address = addr;
    o.token = token;
    o.timeout = (unsigned)t;
    o.threads = (int)th;

    struct tsim_web *w;
    int rc = tsim_web_start(&o, &w);
    free(token);
    if (rc != 0) return cli_error("serve", "%s", cli_errmsg());
    if (!tsim_web_is_loopback(w))
        fprintf(stderr, "twinsim serve: warning: listening on '%s', not loopback: anyone who "
                        "can reach it sees the results, and the token travels in clear text\n",
                addr);
    int v6 = strchr(addr, ':') != NULL;
    printf("twinsim serve: http://%s%s%s:%u/ (database '%s'", v6 ? "[" : "", addr,
           v6 ? "]" : "", tsim_web_port(w), db);
    if (models) printf(", models in '%s'", models);
    printf(")\n");
    printf("token: %s\n", tsim_web_token(w));
    fflush(stdout);

    static atomic_int stop;
    cli_catch_signals(&stop);
    while (!atomic_load(&stop)) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    tsim_web_stop(w);
    return cli_interrupted("serve", atomic_load(&stop));
}
#endif
