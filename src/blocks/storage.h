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
 * along the storage's `to`, as every retrieved load does. A request that finds no load of the
 * product that the waiting requests have not claimed is a stock-out, counted in the storage's
 * `stockouts`; then, by the storage's `stockout` rule, it waits for a load (keeping its place:
 * the requests behind it are served meanwhile, and it goes first once a load of its product is
 * stored) or is dropped. Returns 0 (asked), 1 (a stock-out dropped: nothing is asked), or -1
 * when the request queue (`requests`) is full: nothing is asked or counted, and the caller asks
 * again later. O(waiting requests). */
int tsim__storage_request(struct tsim_sim *sim, uint32_t b, int product, uint32_t to,
                          uint32_t kind, uint32_t arg);
/* A picker of a picking block with `pick_from` takes up to `qty` loads of `product` (one a unit)
 * from storage block `b`'s stock now: loads stored and not reserved, less those the waiting
 * requests claim, each chosen by the storage's retrieval rule (a lane's front load only). Each
 * is a retrieval of the storage (with its dwell) and leaves the model; its slot is free at once.
 * A take that finds fewer is not counted here: the picking block knows whether its line is
 * short over all its aisles (tsim__storage_stockout). `*reach` becomes the larger of itself and
 * the farthest bay taken from, as a distance along the aisle from the I/O point (bay centre x
 * `bay_width`). Returns the loads taken. O(slots) a load. */
int64_t tsim__storage_pick(struct tsim_sim *sim, uint32_t b, int product, int64_t qty,
                           double *reach);
/* Loads of `product` a picker may take from storage block `b` now: stored, not reserved, less
 * those the waiting requests claim (in a lane rack some may sit behind another product's load).
 * O(waiting requests). */
int64_t tsim__storage_pickable(struct tsim_sim *sim, uint32_t b, int product);
/* One stock-out of storage block `b`: a picker's line found too few loads (its `stockouts`). */
void tsim__storage_stockout(struct tsim_sim *sim, uint32_t b);
/* Block event (`to`, `kind`, arg: the product) is scheduled at the next instant a load of
 * `product` becomes a picker's in storage block `b`: it is stored (a put-away, or a load the
 * plant reports), or a request withdrawn (tsim__storage_withdraw) gives back its claim on a
 * stored one. The watch is one-shot, and such a load of a product some watcher waits for tells
 * every watcher of the block (one a block and kind, at most one a block of the model), which
 * then look again. A request served tells no one: the load it takes is the one it claimed, so a
 * picker may take no more than before. O(watchers). */
void tsim__storage_watch(struct tsim_sim *sim, uint32_t b, int product, uint32_t to,
                         uint32_t kind);
/* Withdraw the request of storage block `b` whose event is (`to`, `kind`, `arg`), if it still
 * waits in the queue: the crane has not set off for its load, which stays in stock (no load is
 * reserved for a waiting request); when that frees a stored load of its product for a picker,
 * the block's watchers of the product are told (tsim__storage_watch). Returns 0, or -1 when no
 * such request waits (the crane is already on its way, or has dropped the load): then nothing
 * changes. O(waiting requests). */
int tsim__storage_withdraw(struct tsim_sim *sim, uint32_t b, uint32_t to, uint32_t kind,
                           uint32_t arg);
#endif
