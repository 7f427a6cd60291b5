/*
 * The report every writer reads: the replications summarised KPI by KPI, in one order for all
 * writers (system, blocks in model order, operator pools), so that the table, JSON, CSV and the
 * database list the same figures the same way; and the replications one by one, for the writers
 * that list them.
 *
 * The summaries come from one tally per KPI fed in replication order, which is exactly what
 * tsim_results_summarize does over an array: a run that streams its replications through
 * tsim__collect prints the same bits as one that kept them all.
 *
 * Spill record (native doubles, one per replication): fingerprint and events as raw 64-bit
 * patterns, start and end of the statistics window, then the KPI values in the results' order.
 */
#include "core/core.h"
#include "results/results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPILL_HEAD 4

/* Rank of a KPI's owner in the report: system first, then blocks, then pools. */
static long owner_rank(int block, int nblocks)
{
    if (block == TSIM_KPI_SYSTEM) return 0;
    if (block >= 0) return 1 + (long)block;
    return 1 + (long)nblocks + (long)(TSIM_KPI_POOL(0) - block);
}

static int owner_known(const struct tsim_model *m, int block)
{
    if (block == TSIM_KPI_SYSTEM) return 1;
    if (block >= 0) return block < tsim_model_block_count(m);
    return TSIM_KPI_POOL(0) - block < tsim_model_pool_count(m);
}

/* The summary tsim_summary_of gives for the same values, from their tally. */
static void summary_of_tally(struct tsim_summary *s, const struct tsim_tally *t)
{
    s->n = t->n;
    if (t->n == 0) {
        s->mean = s->sd = s->half_width = s->min = s->max = NAN;
        return;
    }
    s->mean = t->mean;
    s->sd = sqrt(tsim_tally_variance(t));
    s->min = t->min;
    s->max = t->max;
    if (t->n < 2) {
        s->half_width = NAN;
        return;
    }
    double q = tsim_t_quantile(0.5 + 0.5 * 0.95, (double)(t->n - 1));
    s->half_width = q * s->sd / sqrt((double)t->n);
}

int tsim__collect_init(struct tsim__collect *c, size_t n, const char *spill_dir)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->fp = tsim__fingerprint_start(n);
    if (!spill_dir) return 0;
    size_t len = strlen(spill_dir) + 32;
    char *tmpl = tsim__malloc(len);
    snprintf(tmpl, len, "%s/.twinsim-spill.XXXXXX", spill_dir);
    int fd = mkstemp(tmpl);
    int err = errno;
    if (fd >= 0) unlink(tmpl); /* nothing is left behind, however the process ends */
    tsim__free(tmpl);
    if (fd < 0 || !(c->spill = fdopen(fd, "w+b"))) {
        if (fd >= 0) {
            err = errno;
            close(fd);
        }
        return tsim__fail(TSIM_EIO, "collect", "cannot make a temporary file in '%s': %s",
                          spill_dir, strerror(err));
    }
    return 0;
}

static int same_kpi(const struct tsim_kpi *a, const struct tsim_kpi *b)
{
    return a->block == b->block && (a->name == b->name || strcmp(a->name, b->name) == 0);
}

int tsim__collect_add(struct tsim__collect *c, const struct tsim_result *res)
{
    if (c->done == 0) {
        c->nkpi = res->n;
        c->kpis = tsim__calloc(res->n + 1, sizeof *c->kpis);
        c->names = tsim__calloc(res->n + 1, sizeof *c->names);
        c->t = tsim__calloc(res->n + 1, sizeof *c->t);
        c->buf = tsim__calloc(SPILL_HEAD + res->n, sizeof *c->buf);
        for (size_t k = 0; k < res->n; k++) {
            c->names[k] = tsim__strdup(res->kpis[k].name);
            c->kpis[k] = (struct tsim_kpi){res->kpis[k].block, c->names[k], 0};
            tsim_tally_init(&c->t[k]);
        }
    } else {
        int same = res->n == c->nkpi;
        for (size_t k = 0; same && k < res->n; k++) same = same_kpi(&res->kpis[k], &c->kpis[k]);
        if (!same)
            return tsim__fail(TSIM_EINVAL, "tsim_results_summarize",
                              "replication %zu reports other KPIs than replication 0", c->done);
    }
    for (size_t k = 0; k < c->nkpi; k++) tsim_tally_add(&c->t[k], res->kpis[k].value);
    c->fp = tsim__fingerprint_step(c->fp, res->fingerprint);
    c->events += res->events;
    c->done++;
    if (!c->spill) return 0;
    memcpy(&c->buf[0], &res->fingerprint, sizeof(double));
    memcpy(&c->buf[1], &res->events, sizeof(double));
    c->buf[2] = res->start_time;
    c->buf[3] = res->end_time;
    for (size_t k = 0; k < c->nkpi; k++) c->buf[SPILL_HEAD + k] = res->kpis[k].value;
    if (fwrite(c->buf, sizeof *c->buf, SPILL_HEAD + c->nkpi, c->spill) != SPILL_HEAD + c->nkpi)
        return tsim__fail(TSIM_EIO, "collect", "cannot keep replication %zu on disk: %s",
                          c->done - 1, strerror(errno));
    return 0;
}

/* The rows of `r` from per-KPI summaries `sum` of the KPI list `kpis` (n of them). */
static int build_rows(struct tsim__report *r, const struct tsim_model *m,
                      const struct tsim_kpi *kpis, const struct tsim_summary *sum, size_t nk)
{
    for (size_t k = 0; k < nk; k++) {
        if (!owner_known(m, kpis[k].block))
            return tsim__fail(TSIM_EINVAL, "tsim__report_init",
                              "KPI '%s' belongs to no block or pool (%d)", kpis[k].name,
                              kpis[k].block);
    }
    r->model_name = tsim_model_name(m);
    r->time_unit = tsim_model_time_unit(m);
    r->rows = tsim__calloc(nk ? nk : 1, sizeof *r->rows);
    int nb = tsim_model_block_count(m);

    /* A stable insertion sort by owner: KPI lists are short (tens to a few thousand) and the
     * engine's order within an owner is kept. */
    for (size_t k = 0; k < nk; k++) {
        const struct tsim_kpi *kp = &kpis[k];
        struct tsim__row row = {.block = kp->block, .kpi = kp->name, .index = k, .s = sum[k]};
        if (kp->block == TSIM_KPI_SYSTEM) {
            row.owner = "system";
            row.type = "system";
        } else if (kp->block >= 0) {
            row.owner = tsim_model_block_name(m, kp->block);
            row.type = tsim_block_type_name(tsim_model_block_type(m, kp->block));
        } else {
            row.owner = tsim_model_pool_name(m, TSIM_KPI_POOL(0) - kp->block);
            row.type = "operators";
        }
        long rank = owner_rank(kp->block, nb);
        size_t at = k;
        while (at > 0 && owner_rank(r->rows[at - 1].block, nb) > rank) {
            r->rows[at] = r->rows[at - 1];
            at--;
        }
        r->rows[at] = row;
    }
    r->nrows = nk;
    return 0;
}

int tsim__collect_report(struct tsim__collect *c, const struct tsim_model *m,
                         struct tsim__report *r)
{
    memset(r, 0, sizeof *r);
    if (c->done == 0) return tsim__fail(TSIM_EINVAL, "tsim__report_init", "no replications");
    if (c->spill && fflush(c->spill) != 0)
        return tsim__fail(TSIM_EIO, "collect", "cannot keep the replications on disk: %s",
                          strerror(errno));
    struct tsim_summary *sum = tsim__calloc(c->nkpi + 1, sizeof *sum);
    for (size_t k = 0; k < c->nkpi; k++) summary_of_tally(&sum[k], &c->t[k]);
    int rc = build_rows(r, m, c->kpis, sum, c->nkpi);
    tsim__free(sum);
    if (rc < 0) {
        tsim__report_release(r);
        return rc;
    }
    r->replications = (int)c->done;
    r->fingerprint = c->fp;
    r->events = c->events;
    r->spill = c->spill;
    return 0;
}

void tsim__collect_release(struct tsim__collect *c)
{
    if (c->spill) fclose(c->spill);
    for (size_t k = 0; k < c->nkpi; k++) tsim__free(c->names[k]);
    tsim__free(c->names);
    tsim__free(c->kpis);
    tsim__free(c->t);
    tsim__free(c->buf);
    memset(c, 0, sizeof *c);
}

int tsim__report_init(struct tsim__report *r, const struct tsim_model *m,
                      const struct tsim_result *reps, size_t n)
{
    memset(r, 0, sizeof *r);
    if (n == 0) return tsim__fail(TSIM_EINVAL, "tsim__report_init", "no replications");
    struct tsim__collect c;
    tsim__collect_init(&c, n, NULL);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) rc = tsim__collect_add(&c, &reps[i]);
    if (rc == 0) rc = tsim__collect_report(&c, m, r);
    if (rc == 0) {
        /* The rows' names then point at the caller's results, which outlive the report. */
        for (size_t i = 0; i < r->nrows; i++) r->rows[i].kpi = reps[0].kpis[r->rows[i].index].name;
        r->reps = reps;
    }
    tsim__collect_release(&c);
    return rc;
}

void tsim__report_release(struct tsim__report *r)
{
    if (!r) return;
    tsim__free(r->rows);
    r->rows = NULL;
    r->nrows = 0;
    tsim__free(r->orders);
    r->orders = NULL;
    r->norders = 0;
}

int tsim__report_each(const struct tsim__report *r, tsim__rep_each_fn *fn, void *ctx)
{
    size_t nk = r->nrows; /* every KPI has one row */
    if (r->reps) {
        double *v = tsim__calloc(nk + 1, sizeof *v);
        int rc = 0;
        for (int rep = 0; rep < r->replications && rc == 0; rep++) {
            const struct tsim_result *res = &r->reps[rep];
            for (size_t k = 0; k < nk; k++) v[k] = res->kpis[k].value;
            struct tsim__rep_row row = {res->fingerprint, res->events, res->start_time,
                                        res->end_time, v};
            rc = fn(ctx, rep, &row);
        }
        tsim__free(v);
        return rc;
    }
    if (!r->spill) return 0;
    if (fseek(r->spill, 0, SEEK_SET) != 0)
        return tsim__fail(TSIM_EIO, "collect", "cannot read the replications back: %s",
                          strerror(errno));
    double *buf = tsim__calloc(SPILL_HEAD + nk, sizeof *buf);
    int rc = 0;
    for (int rep = 0; rep < r->replications && rc == 0; rep++) {
        if (fread(buf, sizeof *buf, SPILL_HEAD + nk, r->spill) != SPILL_HEAD + nk) {
            rc = tsim__fail(TSIM_EIO, "collect", "cannot read replication %d back: %s", rep,
                            ferror(r->spill) ? strerror(errno) : "the file is short");
            break;
        }
        struct tsim__rep_row row;
        memcpy(&row.fingerprint, &buf[0], sizeof row.fingerprint);
        memcpy(&row.events, &buf[1], sizeof row.events);
        row.start_time = buf[2];
        row.end_time = buf[3];
        row.values = buf + SPILL_HEAD;
        rc = fn(ctx, rep, &row);
    }
    tsim__free(buf);
    return rc;
}
