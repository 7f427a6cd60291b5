/*
 * The dashboard's HTTP side on libmicrohttpd: a thread per connection (an event stream blocks
 * its thread while it waits for the next change, which costs a small stack and no polling), the
 * caps on what a request may bring, and the event streams themselves. What a request means is
 * router.c's business.
 *
 * Caps: a request head larger than 32 KiB is refused by libmicrohttpd (431 or 414); a body
 * larger than TSIM__WEB_MAX_BODY is refused with 413 before it is read; at most
 * `max_connections` connections at once, and no more than the open-file limit less 64 (more are
 * refused at accept); a connection silent for `timeout` seconds is closed by libmicrohttpd, and
 * one whose request (head and body) is not complete within `timeout` seconds of its start is cut
 * off by the watchdog here, however slowly it trickles (one byte a second keeps libmicrohttpd's
 * own timeout from firing).
 */
#include "core/core.h"
#include "web/mhd_lib.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* One connection, for the watchdog: its socket and the time by which its request must be in. */
struct sock {
    struct sock *next, *prev;
    int fd;
    double deadline; /* 0: none (a request is being answered, or a stream is open) */
};

/* One request: its body so far and its parameters. */
struct req {
    char *body;
    size_t len;
    int too_big;
    struct tsim__web_arg args[TSIM__WEB_MAX_ARGS + 1];
    int nargs;
};

struct server {
    struct tsim_web w; /* first: tsim_web_* take a pointer to it */
    struct MHD_Daemon *d;
    pthread_mutex_t smu; /* guards `socks` */
    struct sock socks;   /* list head */
    pthread_t watchdog;
    int has_watchdog;
    int streams; /* event streams whose response is alive, under w.mu: at stop, each is given
                  * STOP_DRAIN_S to send its last chunk before the daemon closes the sockets */
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- the watchdog ------------------------------------------------------------------------- */

static void set_deadline(struct server *s, struct MHD_Connection *c, double deadline)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (!ci || !ci->socket_context) return;
    pthread_mutex_lock(&s->smu);
    ((struct sock *)ci->socket_context)->deadline = deadline;
    pthread_mutex_unlock(&s->smu);
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    struct server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct sock *k = calloc(1, sizeof *k);
        if (!k) return;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        k->fd = ci ? ci->connect_fd : -1;
        k->deadline = now_mono() + s->w.timeout;
        pthread_mutex_lock(&s->smu);
        k->next = s->socks.next;
        k->prev = &s->socks;
        s->socks.next->prev = k;
        s->socks.next = k;
        pthread_mutex_unlock(&s->smu);
        *socket_context = k;
    } else if (*socket_context) {
        struct sock *k = *socket_context;
        pthread_mutex_lock(&s->smu);
        k->prev->next = k->next;
        k->next->prev = k->prev;
        pthread_mutex_unlock(&s->smu);
        free(k);
        *socket_context = NULL;
    }
}

/* Once a second: shut the socket of each connection past its deadline; its own thread then
 * sees the connection end and cleans up. */
static void *watchdog_main(void *arg)
{
    struct server *s = arg;
    pthread_mutex_lock(&s->w.mu);
    while (!s->w.stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s->w.cv, &s->w.mu, &ts);
        if (s->w.stopping) break;
        pthread_mutex_unlock(&s->w.mu);
        double now = now_mono();
        pthread_mutex_lock(&s->smu);
        for (struct sock *k = s->socks.next; k != &s->socks; k = k->next) {
            if (k->deadline > 0 && now > k->deadline && k->fd >= 0) {
                shutdown(k->fd, SHUT_RDWR);
                k->deadline = 0;
            }
        }
        pthread_mutex_unlock(&s->smu);
        pthread_mutex_lock(&s->w.mu);
    }
    pthread_mutex_unlock(&s->w.mu);
    return NULL;
}

/* ---- answers ------------------------------------------------------------------------------ */

static void common_headers(struct MHD_Response *r, const char *type)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    /* The pages load nothing but themselves and talk to nothing but this server. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct tsim__web_resp *o)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(o->len, o->body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    common_headers(r, o->type ? o->type : "application/json");
    if (o->allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, o->allow);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)o->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *msg)
{
    struct tsim__web_resp o = {0};
    tsim__web_error(&o, status, "%s", msg);
    enum MHD_Result ret = send_resp(c, &o);
    tsim__web_resp_release(&o);
    return ret;
}

/* ---- event streams ------------------------------------------------------------------------ */

struct stream {
    struct server *s;
    int64_t job;
    uint64_t seq;
    int sent, ended;
    double last; /* when the last event went out */
};

/* A job's stream sends at most one event in this many seconds (the newest state when the time
 * has passed): a run folding thousands of replications a second then wakes each stream's
 * thread at most ten times a second, not at every replication. */
#define STREAM_GAP 0.1

/* At stop, the event streams have this many seconds to send their last chunk. */
#define STOP_DRAIN_S 2

/*
 * The next chunk of a job's event stream: an event when the job changed since the last one
 * (changes in between are folded into one: a stream sends the state now, never a backlog, so a
 * slow reader costs no memory), at most one each STREAM_GAP, a comment line as keep-alive after
 * half the timeout without change, and the end after the job's last event.
 */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    struct tsim_web *w = &st->s->w;
    (void)pos;
    if (st->ended) return MHD_CONTENT_READER_END_OF_STREAM;
    double wait = st->sent ? st->last + STREAM_GAP - now_mono() : 0;
    if (wait > 0) {
        struct timespec ts = {0, (long)(wait * 1e9)};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&w->mu);
    struct tsim__job *j = tsim__web_job_find(w, st->job);
    if (j && st->sent && j->seq == st->seq && !w->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned half = w->timeout > 1 ? w->timeout / 2 : 1;
        ts.tv_sec += half;
        while (!w->stopping && (j = tsim__web_job_find(w, st->job)) && j->seq == st->seq)
            if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT) break;
        j = tsim__web_job_find(w, st->job);
    }
    if (w->stopping || !j) {
        pthread_mutex_unlock(&w->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (st->sent && j->seq == st->seq) {
        pthread_mutex_unlock(&w->mu);
        static const char ping[] = ": keep-alive\n\n";
        if (max < sizeof ping - 1) return 0;
        memcpy(buf, ping, sizeof ping - 1);
        return (ssize_t)(sizeof ping - 1);
    }
    char json[1024];
    tsim__web_job_json(j, json, sizeof json);
    st->seq = j->seq;
    st->sent = 1;
    int last = j->finished;
    pthread_mutex_unlock(&w->mu);
    int n = snprintf(buf, max, "event: %s\nid: %llu\ndata: %s\n\n", last ? "end" : "progress",
                     (unsigned long long)st->seq, json);
    if (n < 0 || (size_t)n >= max) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (last) st->ended = 1;
    st->last = now_mono();
    return n;
}

/* Queue an event stream read by `read` from `st` (`block` bytes at a time), which `done` frees
 * when the connection ends (and calls stream_gone); `st` is freed here when the response cannot
 * be made. */
static enum MHD_Result queue_stream(struct server *s, struct MHD_Connection *c, size_t block,
                                    MHD_ContentReaderCallback read, void *st,
                                    MHD_ContentReaderFreeCallback done)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, block, read, st, done);
    if (!r) {
        free(st);
        return MHD_NO;
    }
    pthread_mutex_lock(&s->w.mu);
    s->streams++;
    pthread_mutex_unlock(&s->w.mu);
    common_headers(r, "text/event-stream");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* A stream's response is gone: its last chunk went out, or its connection ended. */
static void stream_gone(struct server *s)
{
    pthread_mutex_lock(&s->w.mu);
    s->streams--;
    pthread_cond_broadcast(&s->w.cv);
    pthread_mutex_unlock(&s->w.mu);
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    stream_gone(st->s);
    free(st);
}

static enum MHD_Result send_stream(struct server *s, struct MHD_Connection *c, int64_t job)
{
    struct stream *st = calloc(1, sizeof *st);
    if (!st) return MHD_NO;
    st->s = s;
    st->job = job;
    return queue_stream(s, c, 4096, stream_read, st, stream_free);
}

/*
 * The live twin's event stream: `state` when the twin's state changed since the last one sent,
 * `forecast` at each new forecast, `alert` for each alert (those more than
 * TSIM__WEB_LIVE_ALERTS behind are skipped), a keep-alive comment after half the timeout without
 * news. Coalescing happens twice: the twin hands over a state at most every 200 ms
 * (tsim_twin_opts.live_every_s), and a stream sends only the newest state when it is ready for
 * more, however many came meanwhile. An event larger than libmicrohttpd's block goes out over
 * several calls from `pend`.
 */
struct twin_stream {
    struct server *s;
    uint64_t state_seq, forecast_seq, alerts;
    char *pend;
    size_t len, off;
};

static ssize_t twin_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct twin_stream *st = cls;
    struct tsim_web *w = &st->s->w;
    (void)pos;
    if (st->off < st->len) {
        size_t n = st->len - st->off < max ? st->len - st->off : max;
        memcpy(buf, st->pend + st->off, n);
        st->off += n;
        return (ssize_t)n;
    }
    pthread_mutex_lock(&w->mu);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += w->timeout > 1 ? w->timeout / 2 : 1;
    while (!w->stopping && w->live_state_seq == st->state_seq &&
           w->live_forecast_seq == st->forecast_seq && w->live_nalerts == st->alerts)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT) break;
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    struct tsim__sb b = {0};
    if (w->live_nalerts != st->alerts) {
        uint64_t n = w->live_nalerts;
        if (n - st->alerts > TSIM__WEB_LIVE_ALERTS) st->alerts = n - TSIM__WEB_LIVE_ALERTS;
        const char *a = w->live_alerts[st->alerts % TSIM__WEB_LIVE_ALERTS];
        st->alerts++;
        tsim__sb_printf(&b, "event: alert\nid: %llu\ndata: %s\n\n",
                        (unsigned long long)st->alerts, a);
    } else if (w->live_forecast_seq != st->forecast_seq) {
        st->forecast_seq = w->live_forecast_seq;
        tsim__sb_printf(&b, "event: forecast\nid: %llu\ndata: %s\n\n",
                        (unsigned long long)st->forecast_seq, w->live_forecast);
    } else if (w->live_state_seq != st->state_seq) {
        st->state_seq = w->live_state_seq;
        tsim__sb_printf(&b, "event: state\nid: %llu\ndata: %s\n\n",
                        (unsigned long long)st->state_seq, w->live_state);
    } else {
        tsim__sb_printf(&b, ": keep-alive\n\n");
    }
    pthread_mutex_unlock(&w->mu);
    tsim__free(st->pend);
    st->pend = b.p;
    st->len = b.n;
    st->off = 0;
    return twin_stream_read(st, pos, buf, max);
}

static void twin_stream_free(void *cls)
{
    struct twin_stream *st = cls;
    stream_gone(st->s);
    tsim__free(st->pend);
    free(st);
}

static enum MHD_Result send_twin_stream(struct server *s, struct MHD_Connection *c)
{
    struct twin_stream *st = calloc(1, sizeof *st);
    if (!st) return MHD_NO;
    st->s = s;
    return queue_stream(s, c, 16384, twin_stream_read, st, twin_stream_free);
}

/* ---- requests ----------------------------------------------------------------------------- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct req *q = cls;
    (void)kind;
    if (q->nargs > TSIM__WEB_MAX_ARGS) return MHD_NO;
    q->args[q->nargs].key = key;
    q->args[q->nargs].value = value;
    q->nargs++;
    return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct server *s = cls;
    struct req *q = *con_cls;
    (void)version;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q) return MHD_NO;
        *con_cls = q;
        set_deadline(s, c, now_mono() + s->w.timeout);
        if (tsim__web_body_too_big(
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH))) {
            q->too_big = 1;
            return send_error(c, 413, "a request body may have at most 65536 bytes");
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big && q->len + *upload_size <= TSIM__WEB_MAX_BODY) {
            char *b = realloc(q->body, q->len + *upload_size + 1);
            if (!b) return MHD_NO;
            memcpy(b + q->len, upload, *upload_size);
            q->body = b;
            q->len += *upload_size;
        } else {
            q->too_big = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->too_big) return send_error(c, 413, "a request body may have at most 65536 bytes");
    set_deadline(s, c, 0);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, q);
    struct tsim__web_req r = {
        .method = method, .path = url, .args = q->args, .nargs = q->nargs,
        .auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION)};
    struct tsim__web_resp o;
    tsim__web_route(&s->w, &r, &o);
    enum MHD_Result ret = o.stream_twin      ? send_twin_stream(s, c)
                          : o.stream_job > 0 ? send_stream(s, c, o.stream_job)
                                             : send_resp(c, &o);
    tsim__web_resp_release(&o);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    struct req *q = *con_cls;
    (void)toe;
    if (q) {
        free(q->body);
        free(q);
        *con_cls = NULL;
    }
    /* The next request on a kept-alive connection must come in time too. */
    set_deadline(s, c, now_mono() + s->w.timeout);
}

/* ---- the public face ---------------------------------------------------------------------- */

int tsim_web_start(const struct tsim_web_opts *o, struct tsim_web **out)
{
    *out = NULL;
    struct server *s = tsim__calloc(1, sizeof *s);
    pthread_mutex_init(&s->smu, NULL);
    s->socks.next = s->socks.prev = &s->socks;
    struct tsim_web *w = &s->w;
    int rc = tsim__web_init(w, o);
    if (rc != 0) goto fail;

    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    const struct sockaddr *addr;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, w->address, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)w->port);
        addr = (const struct sockaddr *)&a4;
        w->loopback = (ntohl(a4.sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, w->address, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)w->port);
        addr = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
        w->loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr);
    } else {
        rc = tsim__fail(TSIM_EINVAL, "web", "'%s' is not a numeric IPv4 or IPv6 address",
                        w->address);
        goto fail;
    }
    if (o->port > 65535) {
        rc = tsim__fail(TSIM_EINVAL, "web", "port %u is not from 0 to 65535", o->port);
        goto fail;
    }
    unsigned limit = o->max_connections ? o->max_connections : 2000;
    /* Each connection holds a socket: never more than the open-file limit allows, with 64 left
     * for the database, the models directory and a started run's files, so that a connection
     * beyond it is refused at the cap rather than failing in accept (`ulimit -n` raises it). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)limit + 64)
        limit = rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
    char why[300];
    if (tsim__mhd_lib_load(why, sizeof why) != 0) {
        rc = tsim__fail(TSIM_EIO, "web", "%s", why);
        goto fail;
    }
    s->d = MHD_start_daemon(
        flags, (uint16_t)w->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT, w->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_THREAD_STACK_SIZE,
        (size_t)1 << 20, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s, MHD_OPTION_END);
    if (!s->d) {
        rc = tsim__fail(TSIM_EIO, "web", "cannot listen on %s port %u: %s", w->address, w->port,
                        errno ? strerror(errno) : "libmicrohttpd refused");
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (di) w->port = di->port;
    if (pthread_create(&s->watchdog, NULL, watchdog_main, s) == 0) s->has_watchdog = 1;
    *out = w;
    return 0;
fail:
    tsim__web_release(w);
    pthread_mutex_destroy(&s->smu);
    tsim__free(s);
    return rc;
}

unsigned tsim_web_port(const struct tsim_web *w)
{
    return w->port;
}

const char *tsim_web_token(const struct tsim_web *w)
{
    return w->token;
}

int tsim_web_is_loopback(const struct tsim_web *w)
{
    return w->loopback;
}

void tsim_web_stop(struct tsim_web *w)
{
    if (!w) return;
    struct server *s = (struct server *)w;
    /* Streams and the watchdog wake on `cv`; each stream then sends its last chunk, so that a
     * reader sees the stream end rather than a cut connection. The daemon closes the sockets
     * and joins every connection thread: it waits for the streams' last chunks, but not past
     * STOP_DRAIN_S (a reader that reads nothing more must not hold the stop up). */
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->cv);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STOP_DRAIN_S;
    while (s->streams > 0)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT) break;
    pthread_mutex_unlock(&w->mu);
    if (s->has_watchdog) pthread_join(s->watchdog, NULL);
    atomic_store(&w->interrupt, 15);
    if (s->d) MHD_stop_daemon(s->d);
    tsim__web_release(w);
    pthread_mutex_destroy(&s->smu);
    tsim__free(s);
}
