/*
 * What the live twin (src/twin/wms.c) may see and correct of a storage block's stock in a sim:
 * the functions at the end of storage.c; and what another block (a picking block's `picked_by`)
 * may ask of its crane. Not API.
 */
#ifndef TSIM_BLOCKS_STORAGE_H
#define TSIM_BLOCKS_STORAGE_H
#include <stdint.h>
struct tsim_model;
struct tsim_sim;
struct tsim__block_desc;

/* What a stock file may put in one slot of storage block `d` (as its keys are now), for the
 * loader's reader (model/stockcsv.h): at most `*loads` loads (`slot_loads`, or a lane's
 * `depth`), of one product when `*one_product` (a lane, or dedicated put-away); `*lanes`: the
 * rack's slots are lanes. */
void tsim__storage_stock_room(const struct tsim__block_desc *d, long long *loads, int *one_product,
                              int *lanes);
/* Is block `block` of `m` a storage block? */
int tsim__storage_is(const struct tsim_model *m, int block);
/* Loads of `product` stored in storage `block` and not reserved by a retrieval. */
int64_t tsim__storage_stock(const struct tsim_sim *sim, int block, int product);
/* The plant reports `level` loads of `product` in storage `block`: loads are added or removed
 * until the sim holds as many. Returns the loads added or removed, or -1 when the sim cannot
 * hold that level (no free slot the policy allows, a lane rack; what could be done is done). */
int64_t tsim__storage_observe(struct tsim_sim *sim, int block, int product, int64_t level);
/* Ask storage block `b`'s crane for a load of product `product`, queued with the block's own
 * requests and served as they are (the retrieval rule picks the slot; single- or dual-command
 * by `cycle`, FIFO or nearest by `queue`). Once the crane has dropped the load at the I/O
 * point, block event (`to`, `kind`, `arg`) is scheduled at that instant; the load then leaves
 * along the storage's `to`, as every retrieved load does. The request waits while no load of
 * the product is available. Returns 0, or -1 when the request queue (`requests`) is full:
 * nothing is asked, and the caller asks again later. */
int tsim__storage_request(struct tsim_sim *sim, uint32_t b, int product, uint32_t to,
                          uint32_t kind, uint32_t arg);
#endif
