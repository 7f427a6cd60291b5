/*
 * The dashboard's answers as the router and the API handlers (api.c, job.c, live.c) make them: a
 * JSON body handed over, an error as {"error": MESSAGE}, a parameter looked up, a body too big.
 * Below the router, which calls the handlers, so that no handler calls back up into it.
 */
#include "core/core.h"
#include "results/results.h"
#include "web/web.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tsim__sb_reply(struct tsim__sb *b, struct tsim__web_resp *out)
{
    if (!b->p) tsim__sb_add(b, "", 0);
    out->status = 200;
    out->type = "application/json";
    out->body = b->p;
    out->len = b->n;
    out->owned = 1;
    b->p = NULL;
    b->n = b->cap = 0;
}

void tsim__web_error(struct tsim__web_resp *out, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tsim__web_resp_release(out);
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_HTML);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    tsim__json_string(&j, "error", msg);
    tsim__json_close(&j, '{');
    tsim__sb_add(&b, "\n", 1);
    tsim__sb_reply(&b, out);
    out->status = status;
}

void tsim__web_resp_release(struct tsim__web_resp *out)
{
    if (out->owned) tsim__free(out->body);
    memset(out, 0, sizeof *out);
}

int tsim__web_body_too_big(const char *content_length)
{
    const char *c = content_length;
    return c && (strlen(c) > 9 || strtoull(c, NULL, 10) > TSIM__WEB_MAX_BODY);
}

const char *tsim__web_arg(const struct tsim__web_req *r, const char *key)
{
    for (int i = 0; i < r->nargs; i++)
        if (r->args[i].key && strcmp(r->args[i].key, key) == 0) return r->args[i].value;
    return NULL;
}
