/*
 * libFuzzer target for a storage block's stock files (src/model/stockcsv.c, on libcsv): any
 * bytes read as the stock of a rack of 10 x 5 slots in a model of two products must end in a
 * stock list or in one message, never in a crash, a sanitizer report, a hang or a leak. On
 * success every load is in a slot of the rack, of a product of the model, no slot holding more
 * than its room (one load, or three), nor two products where it holds one; on
 * failure the list is empty and the message starts with the file's name and a place in it.
 * Build and run with scripts/fuzz.sh; seeded with tests/fuzz/stock/.
 */
#include "model/stockcsv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tsim_model *model(void)
{
    static struct tsim_model *m;
    if (!m) {
        m = tsim_model_create("fuzz-rack");
        if (!m || tsim_model_add_product(m, "small") < 0 || tsim_model_add_product(m, "large") < 0)
            abort();
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { BAYS = 10, LEVELS = 5 };
    /* the first byte picks the rack: slots of one load, of 3 that products share, or lanes of 3
     * of one product each */
    static const struct tsim__stock_room rooms[3] = {
        {BAYS, LEVELS, 1, 0, 0}, {BAYS, LEVELS, 3, 0, 0}, {BAYS, LEVELS, 3, 1, 1}};
    const struct tsim__stock_room *room = &rooms[size ? data[0] % 3 : 0];
    struct tsim__stock st;
    char err[512];
    err[0] = '\0';
    int rc = tsim__stock_parse((const char *)data, size, model(), room, "stock.csv", &st, err,
                               sizeof err);
    if (rc != 0) {
        if (st.n != 0 || st.slot || strncmp(err, "stock.csv:", 10) != 0) abort();
        return 0;
    }
    unsigned char held[BAYS * LEVELS] = {0};
    int product[BAYS * LEVELS];
    for (int i = 0; i < st.n; i++) {
        int32_t k = st.slot[i];
        if (k < 0 || k >= BAYS * LEVELS || ++held[k] > room->loads) abort();
        if (st.product[i] < 0 || st.product[i] >= 2) abort();
        if (room->one_product && held[k] > 1 && product[k] != st.product[i]) abort();
        product[k] = st.product[i];
    }
    tsim__stock_release(&st);
    return 0;
}
