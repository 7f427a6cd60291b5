/*
 * CSV files for spreadsheets and data frames: DIR/summary.csv, one row per KPI, and
 * DIR/replications.csv, one row per replication and KPI (long format, so any tool can pivot it).
 * Fields are quoted as RFC 4180 says; lines end in LF, not CRLF, as Unix tools expect.
 * Numbers use %.17g so they read back exactly; a non-finite value is an empty field.
 */
#include "core/core.h"
#include "out/out.h"

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
    if (isfinite(x)) fprintf(f, "%.17g", x);
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    return fopen(path, "w");
}

static int finish(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) return tsim__fail(TSIM_EIO, "csv", "cannot write '%s'", path);
    return 0;
}

int tsim__csv_write(const char *dir, const struct tsim__report *r)
{
    char path[4096];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return tsim__fail(TSIM_EIO, "csv", "cannot create directory '%s': %s", dir,
                          strerror(errno));

    FILE *f = open_in(dir, "summary.csv", path, sizeof path);
    if (!f) return tsim__fail(TSIM_EIO, "csv", "cannot open '%s': %s", path, strerror(errno));
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
    int rc = finish(f, path);
    if (rc < 0) return rc;

    f = open_in(dir, "replications.csv", path, sizeof path);
    if (!f) return tsim__fail(TSIM_EIO, "csv", "cannot open '%s': %s", path, strerror(errno));
    fputs("replication,block,kpi,value\n", f);
    for (int rep = 0; rep < r->replications; rep++) {
        for (size_t i = 0; i < r->nrows; i++) {
            const struct tsim__row *row = &r->rows[i];
            fprintf(f, "%d,", rep);
            put_owner(f, row);
            fputc(',', f);
            put_field(f, row->kpi);
            fputc(',', f);
            put_number(f, r->reps[rep].kpis[row->index].value);
            fputs("\n", f);
        }
    }
    return finish(f, path);
}
