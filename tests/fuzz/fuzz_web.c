/*
 * libFuzzer target for the dashboard's request router (src/web/router.c and what it calls: the
 * API's queries, the Gantt replay, the checks before a run starts): any request must end in an
 * answer with a status from 200 to 599 and, for an error, a JSON body; never a crash, a
 * sanitizer report, a hang or a leak. Build and run with scripts/fuzz.sh.
 *
 * An input is lines: the method, the path, the Authorization header ("-" for none), then one
 * "key=value" parameter per line; a line "Content-Length: VALUE" is that header instead, checked
 * as the server checks it before a body is read (tsim__web_body_too_big). The server reads the database named by TSIM_FUZZ_DB (fuzz.sh
 * records a run there, so that ids lead to real rows) and starts runs from an empty directory,
 * so every check before a run is reached and no run ever starts.
 */
#include "web/web.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct tsim_web server;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/twinsim-fuzz-web.XXXXXX";
    if (!mkdtemp(dir)) abort();
    char db[128];
    const char *given = getenv("TSIM_FUZZ_DB");
    snprintf(db, sizeof db, "%s/r.db", dir);
    struct tsim_web_opts o = {.db = given ? given : db, .models = dir,
                              .token = "fuzz-token-0123456789"};
    if (tsim__web_init(&server, &o) != 0) {
        fprintf(stderr, "fuzz_web: %s\n", tsim_errmsg());
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *lines[3 + TSIM__WEB_MAX_ARGS + 4] = {0};
    int n = 0;
    for (char *p = text; p && n < (int)(sizeof lines / sizeof *lines);) {
        lines[n++] = p;
        p = strchr(p, '\n');
        if (p) *p++ = '\0';
    }
    struct tsim__web_arg args[TSIM__WEB_MAX_ARGS + 4];
    int nargs = 0;
    for (int i = 3; i < n; i++) {
        if (strncmp(lines[i], "Content-Length:", 15) == 0) {
            /* Refused exactly when it is no plain number of at most 65536 (or a longer text). */
            const char *v = lines[i] + 15;
            size_t len = strlen(v);
            int digits = len > 0 && len <= 9 && strspn(v, "0123456789") == len;
            int big = tsim__web_body_too_big(v);
            if (big != 0 && big != 1) abort();
            if (digits && big != (strtoull(v, NULL, 10) > TSIM__WEB_MAX_BODY)) abort();
            if (len > 9 && !big) abort();
            continue;
        }
        char *eq = strchr(lines[i], '=');
        if (eq) *eq = '\0';
        args[nargs].key = lines[i];
        args[nargs].value = eq ? eq + 1 : NULL;
        nargs++;
    }
    struct tsim__web_req r = {.method = lines[0] ? lines[0] : "GET",
                              .path = n > 1 ? lines[1] : "/",
                              .auth = n > 2 && strcmp(lines[2], "-") != 0 ? lines[2] : NULL,
                              .args = args,
                              .nargs = nargs};
    struct tsim__web_resp out;
    tsim__web_route(&server, &r, &out);
    if (out.stream_job == 0 && (out.status < 200 || out.status > 599 || !out.type)) abort();
    if (out.status >= 400 && (out.len < 10 || memcmp(out.body, "{\"error\": ", 10) != 0)) abort();
    tsim__web_resp_release(&out);
    free(text);
    return 0;
}
