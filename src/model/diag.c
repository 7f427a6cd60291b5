/*
 * Diagnostics: the list of problems found in a model file, kept in the order they were found and
 * printed as "FILE:LINE:COL: error: MESSAGE". Also the small helpers every message shares: the
 * "did you mean" suggestion and the problem record of params.h. Loading never stops at the first
 * problem; this list is where all of them go.
 */
#include "core/core.h"
#include "core/names.h"
#include "model/params.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tsim_diags_init(struct tsim_diags *d)
{
    d->n = 0;
    d->cap = 0;
    d->errors = 0;
    d->items = NULL;
}

void tsim_diags_release(struct tsim_diags *d)
{
    for (size_t i = 0; i < d->n; i++) tsim__free(d->items[i].message);
    tsim__free(d->items);
    tsim_diags_init(d);
}

void tsim_diags_add(struct tsim_diags *d, enum tsim_severity sev, int line, int col,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *msg = tsim__malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);

    tsim__grow((void **)&d->items, &d->cap, d->n + 1, sizeof *d->items);
    d->items[d->n].severity = sev;
    d->items[d->n].line = line;
    d->items[d->n].col = col;
    d->items[d->n].message = msg;
    d->n++;
    if (sev == TSIM_ERROR) d->errors++;
}

/* A problem not tied to a place (an unreadable file, a file too large) prints without
 * LINE:COL, as compilers do; a line without a column prints the line alone. */
void tsim_diags_print(const struct tsim_diags *d, const char *file, void *out)
{
    FILE *fp = out;
    if (!file) file = "<model>";
    for (size_t i = 0; i < d->n; i++) {
        const struct tsim_diag *g = &d->items[i];
        const char *sev = g->severity == TSIM_ERROR ? "error" : "warning";
        if (g->line > 0 && g->col > 0)
            fprintf(fp, "%s:%d:%d: %s: %s\n", file, g->line, g->col, sev, g->message);
        else if (g->line > 0)
            fprintf(fp, "%s:%d: %s: %s\n", file, g->line, sev, g->message);
        else
            fprintf(fp, "%s: %s: %s\n", file, sev, g->message);
    }
}

int tsim__perr_set(struct tsim__perr *e, int code, size_t at, const char *fmt, ...)
{
    va_list ap;
    e->code = code;
    e->at = at;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void tsim__fmt_num(char *buf, size_t size, double v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.10g", v);
    /* "1e-06" as people write it: "1e-6". */
    char *e = strchr(tmp, 'e');
    if (e) {
        char *d = e + 1;
        if (*d == '+' || *d == '-') d++;
        char *z = d;
        while (*z == '0' && z[1]) z++;
        memmove(d, z, strlen(z) + 1);
        if (e[1] == '+') memmove(e + 1, e + 2, strlen(e + 2) + 1);
    }
    snprintf(buf, size, "%s", tmp);
}

const char *tsim__errmsg_body(void)
{
    const char *msg = tsim_errmsg();
    const char *sep = strstr(msg, ": ");
    return sep ? sep + 2 : msg;
}

/* Names longer than this are not typos worth suggesting for; it also bounds the work. */
#define SUGGEST_MAX TSIM__EDIT_MAX

void tsim__suggest_init(struct tsim__suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_dist = (size_t)-1;
}

/* Close enough: one edit for short words, two from five letters, a third of the length for long
 * ones, so 'capacty' finds 'capacity' but 'expo' does not find 'exponential'. Case is ignored, so
 * 'FIFO' finds 'fifo'. Ties keep the first offered. */
void tsim__suggest_offer(struct tsim__suggest *s, const char *candidate)
{
    size_t lw = strlen(s->word), lc = strlen(candidate);
    if (!candidate[0] || lw > SUGGEST_MAX || lc > SUGGEST_MAX) return;
    size_t limit = lw >= 5 ? (lw / 3 > 2 ? lw / 3 : 2) : 1;
    if (strcmp(s->word, candidate) == 0) return;
    size_t d = tsim__edit_distance(s->word, candidate, limit);
    if (d > limit) return;
    if (d < s->best_dist) {
        s->best = candidate;
        s->best_dist = d;
    }
}

const char *tsim__suggest_text(const struct tsim__suggest *s)
{
    static _Thread_local char buf[SUGGEST_MAX + 32];
    if (!s->best) return "";
    snprintf(buf, sizeof buf, " (did you mean '%s'?)", s->best);
    return buf;
}

const char *tsim__suggest_list(const char *word, const char *const *names)
{
    struct tsim__suggest s;
    tsim__suggest_init(&s, word);
    for (; *names; names++) tsim__suggest_offer(&s, *names);
    return tsim__suggest_text(&s);
}
