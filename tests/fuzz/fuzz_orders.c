/*
 * libFuzzer target for a picking block's order-lines files (src/model/ordercsv.c, on libcsv):
 * any bytes read as order lines in a model of two products must end in a list of orders or in
 * one message, never in a crash, a sanitizer report, a hang or a leak. On success the orders are
 * in release order, each with at least one line, every line of a product of the model with a
 * quantity from 1, and no due time before its release; on failure the list is empty and the
 * message starts with the file's name and a place in it. Build and run with scripts/fuzz.sh;
 * seeded with tests/fuzz/orders/.
 */
#include "model/ordercsv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tsim_model *model(void)
{
    static struct tsim_model *m;
    if (!m) {
        m = tsim_model_create("fuzz-orders");
        if (!m || tsim_model_add_product(m, "small") < 0 || tsim_model_add_product(m, "large") < 0)
            abort();
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim__orderlines o;
    char err[512];
    err[0] = '\0';
    int rc = tsim__orders_read(NULL, (const char *)data, size, model(), "orders.csv", &o, err,
                               sizeof err);
    if (rc != 0) {
        if (o.norders != 0 || o.first || strncmp(err, "orders.csv:", 11) != 0) abort();
        return 0;
    }
    if (o.norders < 1 || o.first[0] != 0 || o.first[o.norders] != o.nlines) abort();
    for (int i = 0; i < o.norders; i++) {
        if (o.first[i + 1] <= o.first[i]) abort();
        if (i > 0 && o.release[i] < o.release[i - 1]) abort();
        if (!(o.due[i] >= o.release[i]) || o.release[i] < 0) abort();
    }
    for (int l = 0; l < o.nlines; l++)
        if (o.product[l] < 0 || o.product[l] >= 2 || o.qty[l] < 1) abort();
    tsim__orderlines_release(&o);
    return 0;
}
