/*
 * Error codes, their texts, and the per-thread message of the last failure. The message names the
 * function and the problem, so that a caller can print it as it is.
 */
#include "core/core.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local char errbuf[512];

const char *tsim_strerror(int err)
{
    switch (err) {
    case TSIM_OK: return "success";
#define TSIM__ERR_CASE(name, code, text) \
    case code: return text;
        TSIM_ERRNO_MAP(TSIM__ERR_CASE)
#undef TSIM__ERR_CASE
    }
    return "unknown error";
}

const char *tsim_errmsg(void) { return errbuf; }

void tsim__clear_error(void) { errbuf[0] = '\0'; }

int tsim__fail(int err, const char *func, const char *fmt, ...)
{
    int n = snprintf(errbuf, sizeof errbuf, "%s: ", func);
    if (n < 0 || (size_t)n >= sizeof errbuf) return err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf + n, sizeof errbuf - (size_t)n, fmt, ap);
    va_end(ap);
    return err;
}

/* The receiver of messages; one lock keeps the lines of two threads apart. */
static tsim_message_fn *say_fn;
static void *say_ctx;
static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;

void tsim_set_message_fn(tsim_message_fn *fn, void *ctx)
{
    say_fn = fn;
    say_ctx = ctx;
}

void tsim__say(const char *fmt, ...)
{
    if (!say_fn) return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tsim__say_text(buf);
}

void tsim__say_text(const char *text)
{
    if (!say_fn) return;
    pthread_mutex_lock(&say_lock);
    say_fn(say_ctx, text);
    pthread_mutex_unlock(&say_lock);
}

void tsim__assert_fail(const char *func, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "twinsim: %s: ", func);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
