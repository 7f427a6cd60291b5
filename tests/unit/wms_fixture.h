/*
 * What the unit tests of the warehouse messages share (test_dock_twin.c, test_picking_twin.c): a
 * model that reads a CSV file written to the test's own folder, and a message at a given minute
 * decoded and, with a live twin, applied. Included after check.h and twin_fixture.h.
 */
#ifndef TSIM_TEST_WMS_FIXTURE_H
#define TSIM_TEST_WMS_FIXTURE_H

#include <unistd.h>

static char wms_dir[64];
static char wms_csv[128];

/* Make the test's folder; 0, or -1. */
static int wms_begin(void)
{
    snprintf(wms_dir, sizeof wms_dir, "/tmp/tsim-wms-XXXXXX");
    if (!mkdtemp(wms_dir)) return -1;
    snprintf(wms_csv, sizeof wms_csv, "%s/input.csv", wms_dir);
    return 0;
}

static void wms_end(void)
{
    unlink(wms_csv);
    rmdir(wms_dir);
}

/* Write `csv` to the folder's CSV file and load `yaml_fmt` with its path in place of `%s`. */
static struct tsim_model *wms_model(const char *csv, const char *yaml_fmt)
{
    char yaml[2048];
    FILE *f = fopen(wms_csv, "wb");
    CHECK(f != NULL);
    if (!f) return NULL;
    fputs(csv, f);
    fclose(f);
    snprintf(yaml, sizeof yaml, yaml_fmt, wms_csv);
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(yaml, strlen(yaml), "wms.yaml", NULL, &d);
    if (!m) tsim_diags_print(&d, "wms.yaml", stderr);
    tsim_diags_release(&d);
    CHECK(m != NULL);
    return m;
}

/* A test's model (reading `csv`), its mapping and a decoder. */
struct wms_case {
    struct tsim_model *m;
    struct tsim__map *map;
    struct tsim__ingest in;
};

/* Open case `c`: 0, or -1 (a check failed, nothing to close). */
static int wms_open(struct wms_case *c, const char *csv, const char *yaml_fmt,
                    const char *mapping)
{
    c->m = wms_model(csv, yaml_fmt);
    c->map = c->m ? load_map(c->m, mapping) : NULL;
    CHECK(c->map != NULL);
    if (!c->map) {
        tsim_model_destroy(c->m);
        return -1;
    }
    tsim__ingest_init(&c->in, c->map);
    return 0;
}

static void wms_close(struct wms_case *c)
{
    tsim__ingest_release(&c->in);
    tsim__map_destroy(c->map);
    tsim_model_destroy(c->m);
}

/* A message on `topic` at minute `min` (the mappings' time is in seconds from 0), `rest` its
 * fields after the time and sequence: decoded, then applied to `lv` unless it is NULL. */
static enum tsim__drop wms_msg(struct tsim__ingest *in, struct tsim__live *lv, const char *topic,
                               double min, const char *rest, char *err, size_t errlen)
{
    static int seq;
    char json[256];
    snprintf(json, sizeof json, "{\"ts\": %g, \"seq\": %d, %s}", min * 60, ++seq, rest);
    struct tsim__tev ev;
    enum tsim__drop rc = tsim__ingest_decode(in, topic, json, strlen(json), &ev, err, errlen);
    if (rc == TSIM__OK && lv) rc = tsim__live_apply(lv, &ev, err, errlen);
    return rc;
}

/* A message that must be dropped: on `topic`, fields `rest`, for `why`, saying `text`. */
struct wms_fault {
    const char *topic, *rest;
    enum tsim__drop why;
    const char *text;
};

/* Each of the `n` faults, decoded at minute 1, is dropped for its reason with its text. */
static void wms_faults(struct tsim__ingest *in, const struct wms_fault *f, size_t n)
{
    char err[256];
    for (size_t i = 0; i < n; i++) {
        enum tsim__drop rc = wms_msg(in, NULL, f[i].topic, 1, f[i].rest, err, sizeof err);
        if (rc != f[i].why) fprintf(stderr, "  fault %zu: %s\n", i, f[i].rest);
        CHECK(rc == f[i].why);
        CHECK_STR(err, f[i].text);
    }
}

#endif
