/*
 * The JSON writer, the one every JSON twinsim writes goes through, and the run document
 * (format v1) built on it. It streams into a FILE or a growable buffer (struct tsim__sb: MQTT
 * payloads, HTTP answers, database fields), pretty, inline or compact. Hand-written because the
 * documents are simple and their number format matters: doubles are printed in the shortest form
 * that reads back as the same bits (tsim__fmt_double), or in the twin's message form
 * (TSIM__JSON_MSG_NUMBERS), and non-finite values become null so that the output stays valid JSON.
 *
 * Document v1 (docs/outputs.md): {"twinsim", "model", "time_unit", "seed", "replications",
 * "horizon", "warmup", "warmup_auto", "system": {KPI: S}, "blocks": {NAME: {"type", KPI: S}},
 * "operators": {NAME: {KPI: S}}, "fingerprint", "events", "wall_seconds"} where S is {"mean",
 * "half_width", "sd", "n", "unit"} and dotted KPI names nest ("states.busy" -> "states":
 * {"busy": S}). Shares are fractions (0.5, not 50) with unit "fraction"; the table prints them
 * in percent.
 */
#include "core/core.h"
#include "blocks/picking.h"
#include "results/results.h"

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- sinks ---------------------------------------------------------------------------------- */

void tsim__sb_add(struct tsim__sb *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        b->p = tsim__realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void tsim__sb_printf(struct tsim__sb *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        tsim__sb_add(b, small, (size_t)n);
        return;
    }
    char *big = tsim__malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tsim__sb_add(b, big, (size_t)n);
    tsim__free(big);
}

void tsim__sb_release(struct tsim__sb *b)
{
    tsim__free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* Where every byte of the writer goes: the stream, or the buffer when there is no stream. */
static void put(struct tsim__json *j, const char *s, size_t n)
{
    if (j->f)
        fwrite(s, 1, n, j->f);
    else
        tsim__sb_add(j->sb, s, n);
}

static void puts_(struct tsim__json *j, const char *s) { put(j, s, strlen(s)); }

static void putc_(struct tsim__json *j, char c) { put(j, &c, 1); }

void tsim__json_init(struct tsim__json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

void tsim__json_init_sb(struct tsim__json *j, struct tsim__sb *b, unsigned flags)
{
    memset(j, 0, sizeof *j);
    j->sb = b;
    j->flags = flags;
}

/* ---- values ------------------------------------------------------------------------------ */

/*
 * A string literal. Runs of bytes that need no escape go out in one piece. Bytes of 0x80 and
 * above pass as they are: UTF-8 text stays UTF-8, which JSON allows unescaped.
 */
static void escape_n(struct tsim__json *j, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int html = (j->flags & TSIM__JSON_HTML) != 0;
    size_t run = 0;
    putc_(j, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = NULL;
        char u[7];
        if (c == '"') {
            e = "\\\"";
        } else if (c == '\\') {
            e = "\\\\";
        } else if (html ? (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
                        : c < 0x20) {
            switch (html ? 0 : c) {
            case '\n': e = "\\n"; break;
            case '\r': e = "\\r"; break;
            case '\t': e = "\\t"; break;
            case '\b': e = "\\b"; break;
            case '\f': e = "\\f"; break;
            default:
                memcpy(u, "\\u00", 4);
                u[4] = hex[c >> 4];
                u[5] = hex[c & 15];
                u[6] = '\0';
                e = u;
            }
        }
        if (!e) continue;
        put(j, s + run, i - run);
        puts_(j, e);
        run = i + 1;
    }
    put(j, s + run, n - run);
    putc_(j, '"');
}

void tsim__json_escape(FILE *f, const char *s)
{
    struct tsim__json j;
    tsim__json_init(&j, f);
    escape_n(&j, s, strlen(s));
}

/*
 * The twin's messages' number form (TSIM__JSON_MSG_NUMBERS): a whole number that fits an int as
 * an integer; otherwise 15 significant digits when they read back within one rounding step of
 * the value (relative DBL_EPSILON), else 17. It is what the twin has always sent, and a
 * recorded forecast is compared byte for byte when it is replayed, so the form stays.
 */
static void fmt_msg_number(char *buf, size_t len, double v)
{
    if (v >= INT_MIN && v <= INT_MAX && v == (double)(int)v) {
        snprintf(buf, len, "%d", (int)v);
        return;
    }
    snprintf(buf, len, "%1.15g", v);
    double back = strtod(buf, NULL);
    double big = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
    if (!(fabs(back - v) <= big * DBL_EPSILON)) snprintf(buf, len, "%1.17g", v);
}

static void number_text(struct tsim__json *j, double v)
{
    char buf[40];
    if (!isfinite(v))
        snprintf(buf, sizeof buf, "null");
    else if (j->flags & TSIM__JSON_MSG_NUMBERS)
        fmt_msg_number(buf, sizeof buf, v);
    else
        tsim__fmt_double(buf, sizeof buf, v);
    put(j, buf, strlen(buf));
}

/* ---- structure --------------------------------------------------------------------------- */

/* Separator, newline and indent before a member, then its key (`keylen` bytes of `key`). */
static void begin_member(struct tsim__json *j, const char *key, size_t keylen)
{
    int tight = (j->flags & TSIM__JSON_COMPACT) || j->inl[j->depth] == TSIM__JSON_TIGHT;
    if (j->depth > 0) {
        int d = j->depth;
        if (j->items[d] > 0) putc_(j, ',');
        if (j->brk) {
            putc_(j, '\n');
        } else if (!j->inl[d] && !tight) {
            putc_(j, '\n');
            for (int i = 0; i < d; i++) put(j, "  ", 2);
        } else if (j->items[d] > 0 && !tight) {
            putc_(j, ' ');
        }
        j->items[d]++;
    }
    j->brk = 0;
    if (key) {
        escape_n(j, key, keylen);
        if (tight)
            putc_(j, ':');
        else
            put(j, ": ", 2);
    }
}

void tsim__json_break(struct tsim__json *j) { j->brk = 1; }

static void open_n(struct tsim__json *j, const char *key, size_t keylen, int kind, int inline_)
{
    TSIM__ASSERT(j->depth < TSIM__JSON_DEPTH - 1, "nesting deeper than %d", TSIM__JSON_DEPTH - 1);
    begin_member(j, key, keylen);
    putc_(j, kind == '[' ? '[' : '{');
    int d = ++j->depth;
    j->items[d] = 0;
    j->inl[d] = inline_ > j->inl[d - 1] ? inline_ : j->inl[d - 1];
}

void tsim__json_open(struct tsim__json *j, const char *key, int kind, int inline_)
{
    open_n(j, key, key ? strlen(key) : 0, kind, inline_);
}

void tsim__json_close(struct tsim__json *j, int kind)
{
    TSIM__ASSERT(j->depth > 0, "close without open");
    int d = j->depth--;
    if (!(j->flags & TSIM__JSON_COMPACT) && !j->inl[d] && j->items[d] > 0) {
        putc_(j, '\n');
        for (int i = 0; i < j->depth; i++) put(j, "  ", 2);
    }
    putc_(j, kind == '[' ? ']' : '}');
    /* A document in a file ends its line; a buffer holds the value and nothing else. */
    if (j->depth == 0 && j->f) putc_(j, '\n');
}

void tsim__json_string(struct tsim__json *j, const char *key, const char *value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    if (value)
        escape_n(j, value, strlen(value));
    else
        puts_(j, "null");
}

void tsim__json_string_n(struct tsim__json *j, const char *key, const char *value, size_t n)
{
    begin_member(j, key, key ? strlen(key) : 0);
    escape_n(j, value, n);
}

void tsim__json_number(struct tsim__json *j, const char *key, double value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    number_text(j, value);
}

void tsim__json_numbers(struct tsim__json *j, const char *key, const double *v, size_t n)
{
    tsim__json_open(j, key, '[', 1);
    for (size_t i = 0; i < n; i++) tsim__json_number(j, NULL, v[i]);
    tsim__json_close(j, '[');
}

void tsim__json_uint(struct tsim__json *j, const char *key, uint64_t value)
{
    char buf[24];
    begin_member(j, key, key ? strlen(key) : 0);
    snprintf(buf, sizeof buf, "%" PRIu64, value);
    puts_(j, buf);
}

void tsim__json_int(struct tsim__json *j, const char *key, int64_t value)
{
    char buf[24];
    begin_member(j, key, key ? strlen(key) : 0);
    snprintf(buf, sizeof buf, "%" PRId64, value);
    puts_(j, buf);
}

void tsim__json_bool(struct tsim__json *j, const char *key, int value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    puts_(j, value ? "true" : "false");
}

void tsim__json_null(struct tsim__json *j, const char *key)
{
    begin_member(j, key, key ? strlen(key) : 0);
    puts_(j, "null");
}

void tsim__json_raw(struct tsim__json *j, const char *key, const char *json)
{
    begin_member(j, key, key ? strlen(key) : 0);
    puts_(j, json);
}

void tsim__sb_json_str(struct tsim__sb *b, const char *s, unsigned flags)
{
    struct tsim__json j;
    tsim__json_init_sb(&j, b, flags);
    tsim__json_string(&j, NULL, s);
}

void tsim__sb_json_num(struct tsim__sb *b, double v, unsigned flags)
{
    struct tsim__json j;
    tsim__json_init_sb(&j, b, flags);
    number_text(&j, v);
}

/* ---- the run document -------------------------------------------------------------------- */

static void write_summary(struct tsim__json *j, const char *key, size_t keylen,
                          const struct tsim__row *row, const char *time_unit)
{
    char unit[32];
    open_n(j, key, keylen, '{', 1);
    tsim__json_number(j, "mean", row->s.mean);
    tsim__json_number(j, "half_width", row->s.half_width);
    tsim__json_number(j, "sd", row->s.sd);
    tsim__json_uint(j, "n", row->s.n);
    tsim__json_string(j, "unit", tsim__unit_json(unit, sizeof unit, row->kpi, time_unit));
    tsim__json_close(j, '}');
}

/* A dotted name's first segment at one level of write_members, and where the row stands. */
struct seg_key {
    const char *name;
    size_t len, at;
};

/* By segment text, then by the row's place: equal segments stay in their rows' order. */
static int seg_key_cmp(const void *pa, const void *pb)
{
    const struct seg_key *a = pa, *b = pb;
    int c = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);
    if (c != 0) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/*
 * Write rows[0..n) (one owner's KPIs) as members, nesting on dots. `skip` bytes of every name
 * are the prefix already opened. The first KPI under a prefix places the whole nested object,
 * so that "states.busy", "oee", "states.idle" still give one "states" object. The dotted names
 * are sorted by their first segment once (keeping row order within a segment), so a level costs
 * n log n, not a scan of the earlier rows per name: a fleet's per-vehicle KPIs are many
 * thousands of "vehicle_N.kpi" rows.
 */
static void write_members(struct tsim__json *j, const struct tsim__row *const *rows, size_t n,
                          size_t skip, const char *time_unit)
{
    struct seg_key *keys = tsim__malloc((n ? n : 1) * sizeof *keys);
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = rows[i]->kpi + skip;
        const char *dot = strchr(name, '.');
        if (dot) keys[nk++] = (struct seg_key){name, (size_t)(dot - name), i};
    }
    qsort(keys, nk, sizeof *keys, seg_key_cmp);
    /* first[i]: for a row that leads its segment, 1 + where its run starts in keys; else 0. */
    size_t *first = tsim__calloc(n ? n : 1, sizeof *first);
    size_t *runlen = tsim__malloc((nk ? nk : 1) * sizeof *runlen);
    for (size_t a = 0; a < nk;) {
        size_t b = a + 1;
        while (b < nk && keys[b].len == keys[a].len &&
               memcmp(keys[b].name, keys[a].name, keys[a].len) == 0)
            b++;
        first[keys[a].at] = a + 1;
        runlen[a] = b - a;
        a = b;
    }
    const struct tsim__row **sub = tsim__malloc((nk ? nk : 1) * sizeof *sub);
    for (size_t i = 0; i < n; i++) {
        const char *name = rows[i]->kpi + skip;
        const char *dot = strchr(name, '.');
        if (!dot) {
            write_summary(j, name, strlen(name), rows[i], time_unit);
            continue;
        }
        if (!first[i]) continue;
        size_t a = first[i] - 1, m = runlen[a];
        for (size_t q = 0; q < m; q++) sub[q] = rows[keys[a + q].at];
        size_t seg = (size_t)(dot - name);
        open_n(j, name, seg, '{', 0);
        write_members(j, sub, m, skip + seg + 1, time_unit);
        tsim__json_close(j, '}');
    }
    tsim__free(sub);
    tsim__free(runlen);
    tsim__free(first);
    tsim__free(keys);
}

/* Write the group of rows starting at `*at` that share its owner, and advance `*at`. */
static void write_group(struct tsim__json *j, const struct tsim__report *r, size_t *at)
{
    size_t a = *at, b = a;
    while (b < r->nrows && r->rows[b].block == r->rows[a].block) b++;
    const struct tsim__row **grp = tsim__malloc((b - a) * sizeof *grp);
    for (size_t i = a; i < b; i++) grp[i - a] = &r->rows[i];
    write_members(j, grp, b - a, 0, r->time_unit);
    tsim__free(grp);
    *at = b;
}

/* "orders_replication": the replication the table is of; "orders": one object a line, in the
 * report's order (each picking block's orders in release order); a time that has not come, or
 * no due time, is null, and so is `on_time` before the order has shipped (an order without a
 * due time is on time). */
static void write_orders(struct tsim__json *j, const struct tsim__report *r)
{
    tsim__json_uint(j, "orders_replication", r->orders_rep);
    tsim__json_open(j, "orders", '[', 0);
    for (size_t i = 0; i < r->norders; i++) {
        const struct tsim__order_row *o = &r->orders[i];
        tsim__json_open(j, NULL, '{', 1);
        tsim__json_string(j, "block", o->block);
        if (o->id) tsim__json_string(j, "order", o->id);
        else tsim__json_null(j, "order");
        tsim__json_uint(j, "index", o->index);
        tsim__json_number(j, "release", o->release);
        tsim__json_number(j, "complete", o->complete);
        tsim__json_number(j, "shipped", o->shipped);
        tsim__json_number(j, "due", o->due);
        if (isnan(o->shipped)) tsim__json_null(j, "on_time");
        else tsim__json_bool(j, "on_time", tsim__order_on_time(o));
        tsim__json_uint(j, "lines", o->lines);
        tsim__json_uint(j, "units", o->units);
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
}

int tsim__json_write(FILE *f, const struct tsim__report *r)
{
    struct tsim__json j;
    tsim__json_init(&j, f);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__json_string(&j, "twinsim", TSIM_VERSION);
    tsim__json_string(&j, "model", r->model_name);
    tsim__json_string(&j, "time_unit", r->time_unit);
    tsim__json_uint(&j, "seed", r->seed);
    tsim__json_int(&j, "replications", r->replications);
    tsim__json_number(&j, "horizon", r->horizon);
    tsim__json_number(&j, "warmup", r->warmup);
    tsim__json_bool(&j, "warmup_auto", r->warmup_auto);

    size_t at = 0;
    tsim__json_open(&j, "system", '{', 0);
    if (at < r->nrows && r->rows[at].block == TSIM_KPI_SYSTEM) write_group(&j, r, &at);
    tsim__json_close(&j, '}');

    tsim__json_open(&j, "blocks", '{', 0);
    while (at < r->nrows && r->rows[at].block >= 0) {
        tsim__json_open(&j, r->rows[at].owner, '{', 0);
        tsim__json_string(&j, "type", r->rows[at].type);
        write_group(&j, r, &at);
        tsim__json_close(&j, '}');
    }
    tsim__json_close(&j, '}');

    tsim__json_open(&j, "operators", '{', 0);
    while (at < r->nrows) {
        tsim__json_open(&j, r->rows[at].owner, '{', 0);
        write_group(&j, r, &at);
        tsim__json_close(&j, '}');
    }
    tsim__json_close(&j, '}');
    if (r->norders) write_orders(&j, r);

    char fp[17];
    snprintf(fp, sizeof fp, "%016" PRIx64, r->fingerprint);
    tsim__json_string(&j, "fingerprint", fp);
    tsim__json_uint(&j, "events", r->events);
    tsim__json_number(&j, "wall_seconds", r->wall_seconds);
    tsim__json_close(&j, '}');
    fflush(f);
    if (ferror(f)) return tsim__fail(TSIM_EIO, "json", "write failed");
    return 0;
}
