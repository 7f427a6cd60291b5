/*
 * libFuzzer target for a dock's appointments files (src/model/truckcsv.c, on libcsv): any bytes
 * read as truck appointments must end in a list of trucks or in one message, never in a crash, a
 * sanitizer report, a hang or a leak. On success the trucks are in arrival order, with times
 * from 0, pallets from 1, no departure before its planned time, a door of the dock's four that
 * serves the truck's direction or none, named orders only on an outbound truck and at most its
 * pallets; on failure the list is empty and
 * the message starts with the file's name and a place in it. Build and run with
 * scripts/fuzz.sh; seeded with tests/fuzz/trucks/.
 */
#include "model/truckcsv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A model whose run starts on 2026-12-06 at 06:00, so that date-times and clock times are read,
 * with products a and b (a truck's `product` column). */
static struct tsim_model *model(void)
{
    static struct tsim_model *m;
    if (!m) {
        m = tsim_model_create("fuzz-trucks");
        if (!m || tsim_model_set_start_clock(m, 6.0) != 0 || tsim_model_add_product(m, "a") < 0 ||
            tsim_model_add_product(m, "b") < 0)
            abort();
        m->has_start_date = 1;
        m->start_day = 20793;
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim__trucks t;
    char err[512];
    err[0] = '\0';
    static const struct tsim__truck_doors doors = {4, 1, 1}; /* 1 in, 2 out, 3 and 4 both */
    int rc = tsim__trucks_read(NULL, (const char *)data, size, "trucks.csv", model(), &doors, &t,
                               err, sizeof err);
    if (rc != 0) {
        if (t.n != 0 || t.arrival || strncmp(err, "trucks.csv:", 11) != 0) abort();
        return 0;
    }
    if (t.n < 1) abort();
    for (int i = 0; i < t.n; i++) {
        if (!(t.arrival[i] >= 0) || (i > 0 && t.arrival[i] < t.arrival[i - 1])) abort();
        if (t.pallets[i] < 1 || t.outbound[i] > 1) abort();
        if (t.door[i] < -1 || t.door[i] > 3 || (t.door[i] == 0 && t.outbound[i]) ||
            (t.door[i] == 1 && !t.outbound[i]))
            abort();
        if (isfinite(t.planned[i]) && t.departure[i] < t.planned[i]) abort();
        if (t.orders && (t.named[i] < 0 || t.named[i] > t.pallets[i] ||
                         (t.named[i] && !t.outbound[i]) || (t.named[i] > 0) != !!t.orders[i]))
            abort();
        if (t.product && (t.product[i] < -1 || t.product[i] > 1 ||
                          (t.product[i] >= 0 && t.outbound[i])))
            abort();
    }
    tsim__trucks_release(&t);
    return 0;
}
