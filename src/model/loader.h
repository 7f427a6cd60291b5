/*
 * What the two halves of the model file loader share: loader.c reads the document (encoding,
 * YAML, settings, products, shifts, operators) and owns the helpers below; loadblocks.c reads the
 * blocks, their routes, and checks the model as a whole. Not API.
 *
 * Every helper that reports does so through tsim__ld_err / tsim__ld_warn, which number the
 * diagnostics and stop adding them past a cap; one that returns NULL or 0 for a bad node has
 * reported it already (or the node is an alias, reported once by the alias check).
 */
#ifndef TSIM_MODEL_LOADER_H
#define TSIM_MODEL_LOADER_H

#include "model/yaml.h"
#include "twinsim.h"

#include <libfyaml.h>
#include <stddef.h>
#include <stdint.h>

struct tsim__perr;
struct tsim__network;

struct pos {
    int line, col; /* 1-based; 0 when unknown */
};

struct blockinfo {
    struct fy_node *to; /* the value of 'to', NULL when none */
    struct pos pos;     /* of the type key */
    struct pos to_pos;  /* of the 'to' key */
    int index;          /* in the model */
    enum tsim_block_type type;
    int nout;
    int *out; /* route targets, for the reachability check */
    int sheet_done; /* a `rule: sheet` route: its 'done' block + 1; 0: none (rings, loadconv.c) */
    struct fy_node *release; /* a source's 'release', read once every block exists */
    struct pos release_pos;
    struct fy_node *class_speeds; /* a fleet's 'speed_by_class', read with the network */
    struct pos class_speeds_pos;
    struct fy_node *picked_by; /* a picking block's 'picked_by', read once every block exists */
    struct pos picked_by_pos;
    struct fy_node *pick_from; /* a picking block's 'pick_from', read once every block exists */
    struct pos pick_from_pos;
    struct fy_node *lines_to; /* a picking block's 'lines_to', read before the routes */
    struct pos lines_to_pos;
    struct fy_node *served_by; /* a storage block's 'served_by', read once every block exists */
    struct pos served_by_pos;
    struct fy_node *fleets; /* a charger's 'fleets', read with the network */
    struct pos fleets_pos;
    struct fy_node *priority; /* a fleet's 'priority', read with the network (fleetload.c) */
    struct pos priority_pos;
    struct fy_node *parking; /* a fleet's 'parking', read with the network (fleetload.c) */
    struct pos parking_pos;
    struct fy_node *carry; /* a fleet's 'products', read with the network (fleetload.c) */
    struct pos carry_pos;
    struct pos appointments_pos; /* a dock's 'appointments_file' value: its trucks' orders are
                                    resolved once every block exists */
};

struct loader {
    const char *file;
    char *base_dir;
    struct tsim_diags *d;
    struct tsim_model *m;
    struct tsim_run_spec run;
    size_t nstr, capstr;
    char **strs; /* scalar texts, freed at the end */
    size_t nblk, capblk;
    struct blockinfo *blk;
    int *product_line;
    int route_errors;
    int ndiags, stop; /* diagnostics added; set once DIAGS_MAX is reached */
    int block_item;   /* 1-based index of the item of 'blocks' being loaded */
    char **broken; /* names of blocks that could not be defined: routes to them are not
                    * reported again */
    size_t nbroken, capbroken;
    struct tsim__yaml y; /* the reader of `yaml`; released after the document */
    char *yaml;          /* the text given to libfyaml (see protect_calls) */
    size_t nsub;
    size_t *sub_at; /* sorted positions protect_calls changed, and what was there */
    char *sub_was;
};

/*
 * Caps on what one file may declare, so that a small file cannot make the loader or the model
 * builder work or allocate without bound: the builder keeps a table per block and product, and
 * looks names up one by one. They are far above any factory model.
 */
#define BLOCKS_MAX 20000
#define PRODUCTS_MAX 10000
#define CELLS_MAX 4000000 /* blocks times products */
#define SHIFTS_MAX 1000
#define POOLS_MAX 1000

/* loadnode.c, below every other part of the loader: the readers of nodes and keys. */

/* Diagnostics at `p` (printf-style). */
void tsim__ld_err(struct loader *ld, struct pos p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tsim__ld_warn(struct loader *ld, struct pos p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Where node `n` starts, `fallback` when libfyaml keeps no mark for it. */
struct pos tsim__ld_pos(struct fy_node *n, struct pos fallback);
/* The place of byte `at` of scalar n's text `text` (exact on one line, else n's start). */
struct pos tsim__ld_pos_at(struct fy_node *n, const char *text, size_t at, struct pos fallback);
/* A missing value, "~" or "null". */
int tsim__ld_is_null(struct fy_node *n);
/* A scalar's text in a new buffer (free with tsim__free). */
char *tsim__ld_text(struct loader *ld, struct fy_node *n, size_t *lenp);
/* "a mapping", "a list", "'text'" or "empty", for messages; `buf` holds the text. */
const char *tsim__ld_describe(struct loader *ld, struct fy_node *n, char *buf, size_t size);
/* The text of scalar `n` (owned by the loader), or NULL reported as "`what` must be ...". */
const char *tsim__ld_scalar(struct loader *ld, struct fy_node *n, const char *what,
                            struct pos at);
/* The key of a pair as text, or NULL reported. */
const char *tsim__ld_key(struct loader *ld, struct fy_node_pair *p, struct pos at);
/* Whether `n` is of `type`; if not, reported with `what`. */
int tsim__ld_expect(struct loader *ld, struct fy_node *n, enum fy_node_type type,
                    const char *what, struct pos at);
/* The product named by `text` (node `n`), or -1 reported with a "did you mean" (loadnode.c). */
int tsim__ld_product(struct loader *ld, struct fy_node *n, const char *text, struct pos at);
/* netload.c: a length or a speed written at `v`: above 0 and finite, or with `zero` from 0 to
 * below 1e12; NAN once reported. */
double tsim__ld_measure(struct loader *ld, struct fy_node *v, const char *what, struct pos at,
                        int zero);
/* loadconv.c: a conveyor's `item_length` written per product (mapping `v` at `kp`) and its
 * `speed_schedule`, into block `b`'s description. */
void tsim__ld_item_lengths(struct loader *ld, int b, struct fy_node *v, struct pos kp);
void tsim__ld_speed_schedule(struct loader *ld, int b, struct fy_node *v, struct pos kp);
/* loadconv.c: warn of each ring of conveyors, buffers and machines that can fill and gridlock
 * (once the routes are read). */
void tsim__ld_rings(struct loader *ld);
/* Whether `s` is a valid name of a block, product, shift, pool or node: 1 to 64 letters, digits,
 * '_' and '-' (no dots, so that a parameter path such as "filler.process.small" splits one way). */
int tsim__ld_valid_name(const char *s);
/* The path of data file `s` named in the model: relative to the model file's folder. Free it with
 * tsim__free. */
char *tsim__ld_data_path(struct loader *ld, const char *s);
/* A name of a block, product, shift or pool, or NULL reported. */
const char *tsim__ld_name(struct loader *ld, struct fy_node *n, const char *what, struct pos at);
/* Report problem `e` at its place in the text of scalar `n`. */
void tsim__ld_value_err(struct loader *ld, struct fy_node *n, const char *text,
                        const struct tsim__perr *e, struct pos at);
/* The index of `key` in the NULL-terminated `keys`, or -1. */
int tsim__ld_key_index(const char *key, const char *const *keys);

/*
 * The one loop over a mapping of known keys (run, shift, operators pool, failures, a rule's
 * 'to', attribute, network, segment): the next key of mapping `n` in the order written, as its
 * index in `keys` (NULL-terminated), with its value in `*v` and its place in `*kp` (`base`: where
 * the mapping is, for a node without a mark). A key that is not text is reported and passed
 * over; a key not in `keys` is reported, "unknown key 'x'WHERE (did you mean ...?)" at its
 * place, and answered TSIM__LD_UNKNOWN, so that a caller can count it. TSIM__LD_END when no key
 * is left. `*it` starts NULL. Values are read in the order written, so diagnostics come out in
 * the file's order.
 */
#define TSIM__LD_END (-1)
#define TSIM__LD_UNKNOWN (-2)
int tsim__ld_next_key(struct loader *ld, struct fy_node *n, void **it, const char *const *keys,
                      const char *where, struct pos base, struct fy_node **v, struct pos *kp);

/* The keys of mapping `n` gathered by that loop: node[i] and at[i] for keys[i] (NULL and `base`
 * when it is not written), and with `what` (names for messages, as `keys`) text[i], its scalar
 * read as it comes (NULL: reported, or not written). Diagnostics come in the file's order. The
 * number of keys that were unknown or not text. */
int tsim__ld_gather(struct loader *ld, struct fy_node *n, const char *const *keys,
                    const char *where, struct pos base, struct fy_node **node, struct pos *at,
                    const char *const *what, const char **text);

/*
 * The same loop for a mapping with keys that its caller handles apart (a block's type keys,
 * 'set', 'to'; the top level's 'run' keys written one floor too high): a key of `more`
 * (NULL-terminated, or NULL) that is not in `keys` is answered as nkeys + its index in `more`,
 * nkeys being the length of `keys`, and is not offered as a suggestion. `noun` names what an
 * unknown key is ("key", "top-level key").
 */
struct tsim__ld_keyset {
    const char *const *keys;
    const char *const *more;
    const char *noun;
    const char *where;
};
int tsim__ld_next_key_of(struct loader *ld, struct fy_node *n, void **it,
                         const struct tsim__ld_keyset *ks, struct pos base, struct fy_node **v,
                         struct pos *kp);

/*
 * The loop over a mapping of names to values (products to times or probabilities, blocks to
 * nodes or targets, attributes to expressions, classes to speeds): the next pair of mapping
 * `n` in the order written, 1 with the key's text in pr->name, the key and value nodes in
 * pr->key and pr->v and the key's place in pr->at (`base`: where the mapping is, for a node
 * without a mark); 0 when no pair is left. A key that is not text is reported, passed over and
 * counted in pr->bad. Start with `struct tsim__ld_pair pr = {.it = NULL}`.
 */
struct tsim__ld_pair {
    void *it;
    const char *name;
    struct fy_node *key, *v;
    struct pos at;
    int bad;
};
int tsim__ld_next_pair(struct loader *ld, struct fy_node *n, struct pos base,
                       struct tsim__ld_pair *pr);

/* Put the masked characters (see loadyaml.c) back into `copy`, the text of scalar `n`. */
void tsim__ld_unmask(struct loader *ld, struct fy_node *n, char *copy);

/* loadyaml.c: check `text` and parse it into ld->y.root, calls masked first (-1 when it cannot
 * be loaded). */
int tsim__ld_parse_yaml(struct loader *ld, const char *text, size_t len);

/* fleetload.c: the fleets' mapping keys that dispatching reads ('priority', 'parking',
 * 'products'), into
 * `net`. */
void tsim__ld_fleet_forms(struct loader *ld, struct tsim__network *net);

/* loadblocks.c: one item of 'blocks'; then, once all are read, routes and whole-model checks
 * (`written`: how many items 'blocks' has). */
void tsim__ld_block(struct loader *ld, struct fy_node *blk, struct pos at0);
void tsim__ld_connect(struct loader *ld, struct pos blocks_at, int written);

/* netload.c: 'network' (after the blocks, which its 'at' names). */
void tsim__ld_network(struct loader *ld, struct fy_node *v, struct pos at);

/* loadlogic.c: one item of 'attributes'; a block's 'set'; a route's Lua rule (`v`: the value of
 * 'lua', `kp`: where its key is). */
void tsim__ld_attribute(struct loader *ld, struct fy_node *n, struct pos at0);
void tsim__ld_set(struct loader *ld, int b, struct fy_node *v, struct pos kp);
int tsim__ld_lua_route(struct loader *ld, int b, struct fy_node *v, struct pos kp);
/* A buffer's 'rule' (v) and its 'lua' key, both read from the block's mapping `blk`. */
void tsim__ld_seq_rule(struct loader *ld, int b, struct fy_node *v, struct pos kp,
                       struct fy_node *blk);
void tsim__ld_seq_lua_key(struct loader *ld, struct fy_node *v, struct pos kp, struct fy_node *blk);
/* A source's 'release: {rule: conwip, wip: N, over: [BLOCK, ...]}' (after every block exists). */
void tsim__ld_release(struct loader *ld, int b, struct fy_node *v, struct pos kp);

/* loadsheet.c: 'sheets' (after the blocks, before the routes) and one item of 'setup_matrix'. */
void tsim__ld_sheets(struct loader *ld, struct fy_node *v, struct pos at);
void tsim__ld_setup_cell(struct loader *ld, struct fy_node *n, struct pos at0);

#endif
