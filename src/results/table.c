/*
 * The terminal table: one line per KPI, "mean ± 95% half-width" with units, aligned for a reader.
 * Numbers carry five significant digits (half-widths two) in fixed notation where that stays
 * short: a table is for reading, JSON and CSV keep every digit.
 */
#include "core/core.h"
#include "results/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int listed(const char *kpi, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kpi, names[i]) == 0) return 1;
    return 0;
}

/* By name: a KPI that is none of these is a count (or a mean count over time). A name is looked
 * up whole, as the blocks report it: `zone_wait` is a fleet's share of time in that state, while
 * the other waits are mean times. */
enum tsim__unit_kind tsim__kpi_unit(const char *kpi)
{
    static const char *const shares[] = {
        "utilization", "availability", "performance", "quality", "oee", "blocked_time",
        /* conveyor, storage, picking, dock */
        "occupied_share", "blocked_share", "stopped_share", "occupancy", "crane_utilization",
        "on_time", "picker_utilization", "travel_share", "door_utilization",
        /* fleet: shares of vehicle time by state, and of moving time running empty */
        "idle", "to_pickup", "loading", "loaded", "unloading", "blocked", "to_home", "zone_wait",
        "empty_travel_share",
        /* a fleet with a battery: the charging states, and charge levels as shares of the
         * capacity */
        "to_charger", "charging", "waiting_charger", "battery_end", "battery_end_min",
        "battery_mean", "battery_min",
        /* a fleet with failures */
        "failed"};
    static const char *const times[] = {
        "lead_time", "wait", "release_delay", "transit_time", "dwell", "put_away_wait",
        "retrieval_wait", "travel_single", "travel_dual", "cycle_time", "consolidation_wait",
        "pack_wait", "turnaround", "yard_wait", "request_wait", "delivery_time",
        "charger_wait", "repair_time", "stock_wait"};
    static const char *const rates[] = {"throughput", "put_away_rate", "retrieval_rate"};
    static const char *const hourly[] = {"lines_per_hour", "units_per_hour",
                                         "deliveries_per_hour"};
    if (strncmp(kpi, "states.", 7) == 0) return TSIM__UNIT_SHARE;
    /* by product (products.PRODUCT.lead_time, products.PRODUCT.throughput) and by vehicle
     * (vehicle_N.KPI): the unit of the last part */
    const char *dot = strrchr(kpi, '.');
    if (dot) kpi = dot + 1;
    if (listed(kpi, shares, sizeof shares / sizeof *shares)) return TSIM__UNIT_SHARE;
    if (listed(kpi, times, sizeof times / sizeof *times)) return TSIM__UNIT_TIME;
    if (listed(kpi, rates, sizeof rates / sizeof *rates)) return TSIM__UNIT_RATE;
    if (listed(kpi, hourly, sizeof hourly / sizeof *hourly)) return TSIM__UNIT_PER_HOUR;
    return TSIM__UNIT_COUNT;
}

const char *tsim__unit_json(char *buf, size_t len, const char *kpi, const char *time_unit)
{
    switch (tsim__kpi_unit(kpi)) {
    case TSIM__UNIT_TIME: snprintf(buf, len, "%s", time_unit); break;
    case TSIM__UNIT_RATE: snprintf(buf, len, "/%s", time_unit); break;
    case TSIM__UNIT_PER_HOUR: snprintf(buf, len, "/h"); break;
    case TSIM__UNIT_SHARE: snprintf(buf, len, "fraction"); break;
    case TSIM__UNIT_COUNT: snprintf(buf, len, "count"); break;
    }
    return buf;
}

/* `x` with `sig` significant digits, fixed notation unless it is huge or tiny. */
static void format_value(char *buf, size_t len, double x, int sig)
{
    if (!isfinite(x)) {
        snprintf(buf, len, "-");
        return;
    }
    double ax = fabs(x);
    if (ax == 0) {
        snprintf(buf, len, "0");
        return;
    }
    if (ax >= 1e9 || ax < 1e-4) {
        snprintf(buf, len, "%.*e", sig - 1, x);
        return;
    }
    /* The magnitude of the value as rounded: 99.9999 shows as 100.00, not 100.000. */
    char e[64];
    snprintf(e, sizeof e, "%.*e", sig - 1, ax);
    int mag = (int)floor(log10(strtod(e, NULL)));
    int decimals = sig - 1 - mag;
    if (decimals < 0) decimals = 0;
    snprintf(buf, len, "%.*f", decimals, x);
}

/* A half-width that is rounding noise on the mean (identical replications) shows as 0. */
static void format_hw(char *buf, size_t len, const struct tsim_summary *s, double k)
{
    double hw = s->half_width;
    if (isfinite(hw) && isfinite(s->mean) && fabs(hw) <= 1e-9 * fabs(s->mean)) hw = 0;
    format_value(buf, len, hw * k, 2);
}

static int max_int(int a, int b) { return a > b ? a : b; }

void tsim__table_write(FILE *f, const struct tsim__row *rows, size_t n, const char *time_unit)
{
    int w_owner = 5, w_type = 4, w_kpi = 3, w_mean = 4, w_hw = 6;
    char mean[64], hw[64];
    for (size_t i = 0; i < n; i++) {
        w_owner = max_int(w_owner, (int)strlen(rows[i].owner));
        w_type = max_int(w_type, (int)strlen(rows[i].type));
        w_kpi = max_int(w_kpi, (int)strlen(rows[i].kpi));
        double k = tsim__kpi_unit(rows[i].kpi) == TSIM__UNIT_SHARE ? 100 : 1;
        format_value(mean, sizeof mean, rows[i].s.mean * k, 5);
        format_hw(hw, sizeof hw, &rows[i].s, k);
        w_mean = max_int(w_mean, (int)strlen(mean));
        w_hw = max_int(w_hw, (int)strlen(hw));
    }

    fprintf(f, "%-*s  %-*s  %-*s  %*s   %-*s  %s\n", w_owner, "block", w_type, "type", w_kpi,
            "KPI", w_mean, "mean", w_hw, "95% hw", "unit");
    int total = w_owner + w_type + w_kpi + w_mean + w_hw + 17;
    for (int i = 0; i < total; i++) fputc('-', f);
    fputc('\n', f);

    for (size_t i = 0; i < n; i++) {
        const struct tsim__row *r = &rows[i];
        int first = i == 0 || rows[i - 1].block != r->block;
        enum tsim__unit_kind u = tsim__kpi_unit(r->kpi);
        double k = u == TSIM__UNIT_SHARE ? 100 : 1;
        char unit[32] = "";
        if (u == TSIM__UNIT_TIME) snprintf(unit, sizeof unit, "%s", time_unit);
        if (u == TSIM__UNIT_RATE) snprintf(unit, sizeof unit, "/%s", time_unit);
        if (u == TSIM__UNIT_PER_HOUR) snprintf(unit, sizeof unit, "/h");
        if (u == TSIM__UNIT_SHARE) snprintf(unit, sizeof unit, "%%");
        format_value(mean, sizeof mean, r->s.mean * k, 5);
        format_hw(hw, sizeof hw, &r->s, k);
        /* Columns widen to the longest name rather than cut it: a cut name can mislead. */
        fprintf(f, "%-*s  %-*s  %-*s  %*s ± ", w_owner, first ? r->owner : "", w_type,
                first ? r->type : "", w_kpi, r->kpi, w_mean, mean);
        if (unit[0])
            fprintf(f, "%-*s  %s\n", w_hw, hw, unit);
        else
            fprintf(f, "%s\n", hw);
    }
}

/* 95% Welch interval half-width for the difference of two means given their summaries: for runs
 * that share no random numbers. */
static double welch_half_width(const struct tsim_summary *a, const struct tsim_summary *b)
{
    if (a->n < 2 || b->n < 2 || !isfinite(a->sd) || !isfinite(b->sd)) return NAN;
    double va = a->sd * a->sd / (double)a->n, vb = b->sd * b->sd / (double)b->n;
    double v = va + vb;
    if (v == 0) return 0;
    double df = v * v / (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
    return tsim_t_quantile(0.975, df) * sqrt(v);
}

static const struct tsim__row *find_row(const struct tsim__row *rows, size_t n,
                                        const struct tsim__row *like)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].owner, like->owner) == 0 && strcmp(rows[i].type, like->type) == 0 &&
            strcmp(rows[i].kpi, like->kpi) == 0)
            return &rows[i];
    }
    return NULL;
}

static void unit_text(char *buf, size_t len, const char *kpi, const char *time_unit)
{
    buf[0] = '\0';
    switch (tsim__kpi_unit(kpi)) {
    case TSIM__UNIT_TIME: snprintf(buf, len, "%s", time_unit); break;
    case TSIM__UNIT_RATE: snprintf(buf, len, "/%s", time_unit); break;
    case TSIM__UNIT_PER_HOUR: snprintf(buf, len, "/h"); break;
    case TSIM__UNIT_SHARE: snprintf(buf, len, "%%"); break;
    case TSIM__UNIT_COUNT: break;
    }
}

void tsim__table_compare(FILE *f, const struct tsim__row *a, size_t na, const struct tsim__row *b,
                         size_t nb, const char *time_unit, const char *label_a,
                         const char *label_b, const struct tsim__diff *paired)
{
    int w_owner = 5, w_kpi = 3, w_num = 8;
    w_num = max_int(w_num, (int)strlen(label_a));
    w_num = max_int(w_num, (int)strlen(label_b));
    for (size_t i = 0; i < na; i++) {
        w_owner = max_int(w_owner, (int)strlen(a[i].owner));
        w_kpi = max_int(w_kpi, (int)strlen(a[i].kpi));
    }
    for (size_t i = 0; i < nb; i++) {
        w_owner = max_int(w_owner, (int)strlen(b[i].owner));
        w_kpi = max_int(w_kpi, (int)strlen(b[i].kpi));
    }
    fprintf(f, "%-*s  %-*s  %*s  %*s  %*s   %-8s  %s\n", w_owner, "block", w_kpi, "KPI", w_num,
            label_a, w_num, label_b, w_num, "diff", "95% hw", "unit");
    int total = w_owner + w_kpi + 3 * w_num + 24;
    for (int i = 0; i < total; i++) fputc('-', f);
    fputc('\n', f);

    char ma[64], mb[64], md[64], hw[64], unit[32];
    int differ = 0;
    for (size_t i = 0; i < na; i++) {
        const struct tsim__row *ra = &a[i], *rb = find_row(b, nb, ra);
        int first = i == 0 || a[i - 1].block != ra->block;
        double k = tsim__kpi_unit(ra->kpi) == TSIM__UNIT_SHARE ? 100 : 1;
        unit_text(unit, sizeof unit, ra->kpi, time_unit);
        format_value(ma, sizeof ma, ra->s.mean * k, 5);
        if (!rb) {
            fprintf(f, "%-*s  %-*s  %*s  %*s  (only in %s)\n", w_owner, first ? ra->owner : "",
                    w_kpi, ra->kpi, w_num, ma, w_num, "", label_a);
            continue;
        }
        double d = rb->s.mean - ra->s.mean, h = welch_half_width(&ra->s, &rb->s);
        if (paired) {
            d = paired[i].mean;
            h = paired[i].half_width;
        }
        int sig = isfinite(d) && (isfinite(h) ? fabs(d) > h : d != 0);
        differ += sig;
        format_value(mb, sizeof mb, rb->s.mean * k, 5);
        format_value(md, sizeof md, d * k, 5);
        format_value(hw, sizeof hw, h * k, 2);
        char line[512];
        snprintf(line, sizeof line, "%-*s  %-*s  %*s  %*s  %*s ± %-8s  %-4s %s",
                 w_owner, first ? ra->owner : "", w_kpi, ra->kpi, w_num, ma, w_num, mb, w_num, md,
                 hw, unit, sig ? "*" : "");
        /* Columns are padded for alignment; the line itself ends at its last character. */
        size_t end = strlen(line);
        while (end > 0 && line[end - 1] == ' ') end--;
        fprintf(f, "%.*s\n", (int)end, line);
    }
    for (size_t i = 0; i < nb; i++) {
        if (find_row(a, na, &b[i])) continue;
        double k = tsim__kpi_unit(b[i].kpi) == TSIM__UNIT_SHARE ? 100 : 1;
        format_value(mb, sizeof mb, b[i].s.mean * k, 5);
        fprintf(f, "%-*s  %-*s  %*s  %*s  (only in %s)\n", w_owner, b[i].owner, w_kpi, b[i].kpi,
                w_num, "", w_num, mb, label_b);
    }
    fprintf(f, "\n%d KPI%s differ%s at 95%% (marked *; %s)\n", differ, differ == 1 ? "" : "s",
            differ == 1 ? "s" : "",
            paired ? "paired t intervals: the same seed, so common random numbers"
                   : "Welch intervals: different seeds, so independent runs");
}
