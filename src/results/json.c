/*
 * The JSON writer: a small streaming writer and the run document (format v1) built on it.
 * Hand-written because the document is simple and its number format matters: doubles are printed
 * in the shortest form that reads back as the same bits (tsim__fmt_double), and non-finite values
 * become null so that the output stays valid JSON.
 *
 * Document v1 (docs/outputs.md): {"twinsim", "model", "time_unit", "seed", "replications",
 * "horizon", "warmup", "warmup_auto", "system": {KPI: S}, "blocks": {NAME: {"type", KPI: S}},
 * "operators": {NAME: {KPI: S}}, "fingerprint", "events", "wall_seconds"} where S is {"mean",
 * "half_width", "sd", "n", "unit"} and dotted KPI names nest ("states.busy" -> "states":
 * {"busy": S}). Shares are fractions (0.5, not 50) with unit "fraction"; the table prints them
 * in percent.
 */
#include "core/core.h"
#include "results/results.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void tsim__json_init(struct tsim__json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

static void escape_n(FILE *f, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20) {
                fputs("\\u00", f);
                fputc(hex[c >> 4], f);
                fputc(hex[c & 15], f);
            } else {
                fputc(c, f);
            }
        }
    }
    fputc('"', f);
}

void tsim__json_escape(FILE *f, const char *s) { escape_n(f, s, strlen(s)); }

/* Separator, newline and indent before a member, then its key (`keylen` bytes of `key`). */
static void begin_member(struct tsim__json *j, const char *key, size_t keylen)
{
    if (j->depth > 0) {
        int d = j->depth;
        if (j->items[d] > 0) fputc(',', j->f);
        if (j->inl[d]) {
            if (j->items[d] > 0) fputc(' ', j->f);
        } else {
            fputc('\n', j->f);
            for (int i = 0; i < d; i++) fputs("  ", j->f);
        }
        j->items[d]++;
    }
    if (key) {
        escape_n(j->f, key, keylen);
        fputs(": ", j->f);
    }
}

static void open_n(struct tsim__json *j, const char *key, size_t keylen, int kind, int inline_)
{
    TSIM__ASSERT(j->depth < TSIM__JSON_DEPTH - 1, "nesting deeper than %d", TSIM__JSON_DEPTH - 1);
    begin_member(j, key, keylen);
    fputc(kind == '[' ? '[' : '{', j->f);
    int d = ++j->depth;
    j->items[d] = 0;
    j->inl[d] = inline_ || j->inl[d - 1];
}

void tsim__json_open(struct tsim__json *j, const char *key, int kind, int inline_)
{
    open_n(j, key, key ? strlen(key) : 0, kind, inline_);
}

void tsim__json_close(struct tsim__json *j, int kind)
{
    TSIM__ASSERT(j->depth > 0, "close without open");
    int d = j->depth--;
    if (!j->inl[d] && j->items[d] > 0) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
    }
    fputc(kind == '[' ? ']' : '}', j->f);
    if (j->depth == 0) fputc('\n', j->f);
}

void tsim__json_string(struct tsim__json *j, const char *key, const char *value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    if (value)
        tsim__json_escape(j->f, value);
    else
        fputs("null", j->f);
}

void tsim__json_number(struct tsim__json *j, const char *key, double value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    if (isfinite(value)) {
        char buf[40];
        tsim__fmt_double(buf, sizeof buf, value);
        fputs(buf, j->f);
    } else {
        fputs("null", j->f);
    }
}

void tsim__json_uint(struct tsim__json *j, const char *key, uint64_t value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    fprintf(j->f, "%" PRIu64, value);
}

void tsim__json_int(struct tsim__json *j, const char *key, int64_t value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    fprintf(j->f, "%" PRId64, value);
}

void tsim__json_bool(struct tsim__json *j, const char *key, int value)
{
    begin_member(j, key, key ? strlen(key) : 0);
    fputs(value ? "true" : "false", j->f);
}

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

/*
 * Write rows[0..n) (one owner's KPIs) as members, nesting on dots. `skip` bytes of every name
 * are the prefix already opened. The first KPI under a prefix places the whole nested object,
 * so that "states.busy", "oee", "states.idle" still give one "states" object.
 */
static void write_members(struct tsim__json *j, const struct tsim__row *const *rows, size_t n,
                          size_t skip, const char *time_unit)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = rows[i]->kpi + skip;
        const char *dot = strchr(name, '.');
        if (!dot) {
            write_summary(j, name, strlen(name), rows[i], time_unit);
            continue;
        }
        size_t seg = (size_t)(dot - name);
        int seen = 0;
        for (size_t p = 0; p < i && !seen; p++) {
            const char *other = rows[p]->kpi + skip;
            seen = strncmp(other, name, seg + 1) == 0;
        }
        if (seen) continue;
        const struct tsim__row **sub = tsim__malloc((n - i) * sizeof *sub);
        size_t m = 0;
        for (size_t q = i; q < n; q++) {
            if (strncmp(rows[q]->kpi + skip, name, seg + 1) == 0) sub[m++] = rows[q];
        }
        open_n(j, name, seg, '{', 0);
        write_members(j, sub, m, skip + seg + 1, time_unit);
        tsim__json_close(j, '}');
        tsim__free(sub);
    }
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
