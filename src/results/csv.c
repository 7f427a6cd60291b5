/*
 * CSV files for spreadsheets and data frames: DIR/summary.csv, one row per KPI, and
 * DIR/replications.csv, one row per replication and KPI (long format, so any tool can pivot it);
 * with an orders table (`twinsim run --orders`), DIR/orders.csv, one row per order.
 * Fields are quoted as RFC 4180 says; lines end in LF, not CRLF, as Unix tools expect.
 * Numbers are the shortest text that reads back exactly; a non-finite value is an empty field.
 * Each file is written whole or not at all (tsim__out_open).
 */
#include "core/core.h"
#include "blocks/picking.h"
#include "results/results.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Pools get a prefix: block and pool names live in separate namespaces, and a dot cannot occur
 * in a block name (it separates block and parameter in --set). */
static void put_owner(FILE *f, const struct tsim__row *r)
{
    if (r->block < TSIM_KPI_SYSTEM) {
        char buf[512];
        snprintf(buf, sizeof buf, "operators.%s", r->owner);
        put_field(f, buf);
    } else {
        put_field(f, r->owner);
    }
}

static void put_number(FILE *f, double x)
{
    char buf[40];
    if (!isfinite(x)) return;
    tsim__fmt_double(buf, sizeof buf, x);
    fputs(buf, f);
}

struct rep_ctx {
    FILE *f;
    const struct tsim__report *r;
};

static int put_replication(void *ctx, int rep, const struct tsim__rep_row *row)
{
    struct rep_ctx *c = ctx;
    for (size_t i = 0; i < c->r->nrows; i++) {
        const struct tsim__row *kr = &c->r->rows[i];
        fprintf(c->f, "%d,", rep);
        put_owner(c->f, kr);
        fputc(',', c->f);
        put_field(c->f, kr->kpi);
        fputc(',', c->f);
        put_number(c->f, row->values[kr->index]);
        fputs("\n", c->f);
    }
    /* A full disk stops the listing at once rather than after every replication. */
    return ferror(c->f) ? TSIM_EIO : 0;
}

/* DIR/orders.csv: the orders table, in the report's order; a time that has not come (or no due
 * time) is an empty field, and so is on_time (1 or 0) before the order has shipped. */
static int write_orders(const char *dir, const struct tsim__report *r)
{
    char path[4096];
    struct tsim__out out;
    snprintf(path, sizeof path, "%s/orders.csv", dir);
    int rc = tsim__out_open(&out, path);
    if (rc < 0) return rc;
    FILE *f = out.f;
    fputs("block,order,index,release,complete,shipped,due,on_time,lines,units\n", f);
    for (size_t i = 0; i < r->norders; i++) {
        const struct tsim__order_row *o = &r->orders[i];
        put_field(f, o->block);
        fputc(',', f);
        if (o->id) put_field(f, o->id);
        fprintf(f, ",%u,", o->index);
        const double t[] = {o->release, o->complete, o->shipped, o->due};
        for (int k = 0; k < 4; k++) {
            put_number(f, t[k]);
            fputc(',', f);
        }
        if (!isnan(o->shipped)) fputc(tsim__order_on_time(o) ? '1' : '0', f);
        fprintf(f, ",%u,%llu\n", o->lines, (unsigned long long)o->units);
    }
    return tsim__out_commit(&out);
}

int tsim__csv_write(const char *dir, const struct tsim__report *r)
{
    char path[4096];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return tsim__fail(TSIM_EIO, "csv", "cannot create directory '%s': %s", dir,
                          strerror(errno));
    int orc = r->norders ? write_orders(dir, r) : 0;
    if (orc < 0) return orc;

    /* Both files are made in full before either replaces what was there: a failure leaves
     * the directory as it was. */
    struct tsim__out sum, reps;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    int rc = tsim__out_open(&sum, path);
    if (rc < 0) return rc;
    FILE *f = sum.f;
    fputs("block,kpi,mean,half_width,sd,n\n", f);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct tsim__row *row = &r->rows[i];
        put_owner(f, row);
        fputc(',', f);
        put_field(f, row->kpi);
        fputc(',', f);
        put_number(f, row->s.mean);
        fputc(',', f);
        put_number(f, row->s.half_width);
        fputc(',', f);
        put_number(f, row->s.sd);
        fprintf(f, ",%llu\n", (unsigned long long)row->s.n);
    }
    snprintf(path, sizeof path, "%s/replications.csv", dir);
    if ((rc = tsim__out_open(&reps, path)) < 0) {
        tsim__out_abandon(&sum);
        return rc;
    }
    fputs("replication,block,kpi,value\n", reps.f);
    struct rep_ctx c = {reps.f, r};
    rc = tsim__report_each(r, put_replication, &c);
    if (rc < 0) {
        /* A write error says why when the file is flushed: commit reports it. */
        if (rc != TSIM_EIO || !ferror(reps.f)) {
            tsim__out_abandon(&reps);
            tsim__out_abandon(&sum);
            return rc;
        }
    }
    if ((rc = tsim__out_close(&reps)) < 0 || (rc = tsim__out_close(&sum)) < 0) {
        tsim__out_abandon(&reps);
        tsim__out_abandon(&sum);
        return rc;
    }
    if ((rc = tsim__out_commit(&reps)) < 0) {
        tsim__out_abandon(&sum);
        return rc;
    }
    return tsim__out_commit(&sum);
}
