/*
 * twinsim_web.h: the dashboard server (`twinsim serve`), for programs that embed it.
 *
 * One HTTP server (libmicrohttpd, a thread per connection) that serves the dashboard's pages
 * (embedded in the library at build time), a read-only JSON API over a results database, runs
 * started from model files in one directory, and their progress as Server-Sent Events. The
 * reference of the routes is docs/dashboard.md.
 *
 * Security: anything that changes state (starting a run) or streams live data (events) needs
 * the server's token, as `Authorization: Bearer TOKEN` or `?token=TOKEN`; reads of recorded
 * results do not. The token is 32 hex digits drawn from getrandom(2) unless the caller gives one.
 * Bind to loopback unless the network is trusted: the token travels in clear text.
 *
 * The server never prints and never exits; it reports errors through its return codes and
 * tsim_errmsg(). Built only where libmicrohttpd is present (TSIM_HAVE_HTTP).
 */
#ifndef TWINSIM_WEB_H
#define TWINSIM_WEB_H

#include "twinsim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tsim_web_opts {
    const char *db;        /* results database; read-only for the API, runs are recorded in it */
    const char *models;    /* directory runs may be started from; NULL: starting runs is refused */
    const char *address;   /* numeric IPv4 or IPv6 address; NULL: "127.0.0.1" */
    unsigned port;         /* 0: a free port the system picks (see tsim_web_port) */
    const char *token;     /* NULL: draw one; else at least 16 characters [A-Za-z0-9_-] */
    unsigned timeout;      /* seconds a connection may stay silent before it is closed; 0: 10 */
    unsigned max_connections; /* 0: 2000 */
    int threads;           /* threads of a started run; 0: every core */
};

struct tsim_web;

/**
 * Start serving. Returns once the socket listens; requests are served on the server's own
 * threads until tsim_web_stop.
 * Ownership: `o`'s strings are copied. `*out` belongs to the caller; end it with tsim_web_stop.
 * Errors: TSIM_EIO (the database cannot be opened, the address cannot be bound, the models
 * directory cannot be opened, no randomness for the token), TSIM_EINVAL (a bad address or
 * token), with the message in tsim_errmsg().
 */
TSIM_API int tsim_web_start(const struct tsim_web_opts *o, struct tsim_web **out);

/** The port the server listens on. */
TSIM_API unsigned tsim_web_port(const struct tsim_web *w);

/** The token requests that change state or stream must carry. Owned by the server. */
TSIM_API const char *tsim_web_token(const struct tsim_web *w);

/** 1 if the server listens on a loopback address only. */
TSIM_API int tsim_web_is_loopback(const struct tsim_web *w);

/**
 * Hand the server the live twin's news (`twinsim twin --serve`): `kind` "state" (the twin's
 * state as a JSON object; replaces the one before), "forecast" (the newest forecast; replaces
 * the one before) or "alert" (kept with the last 31 before it). `json` is copied. From the
 * first call on, GET /api/twin answers and twin event streams send what changed. Safe from any
 * thread; costs a copy and a broadcast, never waits for a client.
 */
TSIM_API void tsim_web_live(struct tsim_web *w, const char *kind, const char *json);

/**
 * Give the server the live twin's model, whose layout (blocks and links, as GET
 * /api/runs/ID/layout) GET /api/twin then carries as "layout" for the live page. `m` is read
 * now and not kept. Safe from any thread.
 */
TSIM_API void tsim_web_live_model(struct tsim_web *w, const struct tsim_model *m);

/**
 * Stop serving: refuse new connections, end every event stream, interrupt started runs (nothing
 * of an unfinished run is recorded), wait for them and free everything. NULL is a no-op.
 */
TSIM_API void tsim_web_stop(struct tsim_web *w);

#ifdef __cplusplus
}
#endif
#endif /* TWINSIM_WEB_H */
