/*
 * The block-type registry: one descriptor per block type, defined in that type's own file, and
 * one table of them (registry.c). Everything that needs to know what block types exist reads the
 * table: the sim (vtables), the model builder (defaults, setters, checks, release), the loader
 * and `--set` (keys, their kinds, what is required), the docs' key tables (a test holds the two
 * together), the twin (which types have servers) and the lint (what a block does to the entities
 * that reach it: makes them for ever, lets them pass in no time, wait, or be served). Not API.
 *
 * A type's index in the table is its `enum tsim_block_type` value: the public enum names the
 * first types, in table order; a type added after them has an index but no enum name, and is
 * reached by its name (tsim_block_type_find) and set through tsim_block_set_number and
 * tsim_block_set_dist, never through a setter of its own.
 *
 * Keys: a key whose descriptor has a `set` function is applied by it (the types that keep their
 * parameters in struct tsim__block_desc's own fields, behind the public setters); a key without
 * one is kept in the block's value table (`val`, one entry per key, in key order), which the
 * block's file reads. Keys of kind TSIM__KEY_FORM are written as a mapping or list (routes,
 * failures, needs, parts) and read by the loader's own readers; they cannot be set by a path.
 */
#ifndef TSIM_BLOCKS_REGISTRY_H
#define TSIM_BLOCKS_REGISTRY_H

#include "twinsim.h"

#include <stddef.h>

struct tsim_model;
struct tsim__block_desc;
struct tsim__block_vt;

enum tsim__key_kind {
    TSIM__KEY_DIST,     /* a distribution of durations, in the model's time unit */
    TSIM__KEY_INT,      /* a whole number in [lo, hi] */
    TSIM__KEY_CAPACITY, /* a whole number in [lo, hi], or `unlimited` (0) */
    TSIM__KEY_REAL,     /* a real number in [rlo, rhi) */
    TSIM__KEY_CHOICE,   /* one of `choices`; the value is its index */
    TSIM__KEY_PRODUCT,  /* a product name; the value is its index */
    TSIM__KEY_SHIFT,    /* a shift name; the value is its index */
    TSIM__KEY_FORM,     /* a mapping or list with a reader of its own in the loader */
    TSIM__KEY_TEXT      /* any single value, not used by the engine (description) */
};

/* Key flags. */
#define TSIM__KEY_REQUIRED 1u /* a block of the type must give it */
#define TSIM__KEY_ONE_OF 2u   /* a block must give at least one of the keys so flagged */
#define TSIM__KEY_BY_PRODUCT 4u /* may also be written {PRODUCT: value, ...} (process, mix) */

/* One value, as a setter receives it: `i` for whole numbers, choices, products and shifts, `r`
 * for reals, `d` for distributions (borrowed: the setter copies it). */
struct tsim__value {
    long long i;
    double r;
    const struct tsim_dist *d;
};

/* A key's stored value in a block's value table (keys without a `set`). */
struct tsim__val {
    int set; /* given; otherwise the key's default holds */
    long long i;
    double r;
    struct tsim_dist d; /* TSIM__KEY_DIST, owned */
};

struct tsim__key {
    const char *name;
    enum tsim__key_kind kind;
    unsigned flags;
    long long lo, hi;            /* TSIM__KEY_INT, TSIM__KEY_CAPACITY */
    double rlo, rhi;             /* TSIM__KEY_REAL */
    const char *const *choices;  /* TSIM__KEY_CHOICE, NULL-terminated, in the enum's order */
    const char *noun;            /* TSIM__KEY_CHOICE: "unknown NOUN 'x'" */
    const char *dflt;            /* the default as the docs write it */
    const char *help;            /* one line for the docs */
    /* Apply a value (NULL: keep it in the block's value table). Returns 0 or a TSIM_E* code with
     * tsim_errmsg() set. */
    int (*set)(struct tsim_model *m, int block, const struct tsim__value *v);
};

/* Type flags. */
#define TSIM__TYPE_NO_ROUTE 1u /* entities leave the model here: no `to` (a sink) */
#define TSIM__TYPE_SERVERS 2u  /* has servers with states (tsim_machine_state, force_down) */
#define TSIM__TYPE_NO_INPUT 4u /* takes no entities: nothing routes to it (a source) */
#define TSIM__TYPE_DISPOSES 8u /* entities may leave the model here whatever its keys say (a
                                * sink; an assembly, whose parts become one) */
#define TSIM__TYPE_ORIGIN 16u  /* makes entities of its own, as a source, and may take some */

/* What a stream of entities arriving along a single route meets at a block (lint's "arrivals
 * outpace"): it stops following the stream there, follows it on, or has found the servers whose
 * work it measures. */
enum tsim__flow { TSIM__FLOW_STOP, TSIM__FLOW_PASS, TSIM__FLOW_SERVE };

/* The stream a flow hook is shown and changes: entities per time unit, whether this block lets
 * them wait without a limit (set by the hook; the lint names the first such block), and at a
 * serving block the mean server time of one of them. */
struct tsim__stream {
    double rate;
    int waits;
    double work;
};

/* What the lint (src/model/lint.c) asks of a type to judge a model without running it. A NULL
 * hook: the type does none of it. Every answer must be certain for the block as written (lint.h
 * says why): a hook that cannot tell answers as the NULL hook does. */
struct tsim__type_lint {
    /* Makes entities for ever on its own: returns 1 with the reason ("source 'in' has no
     * 'limit'") in `why` and in `*rate` the entities it makes per time unit on average (0 when
     * that is not a positive finite number). */
    int (*endless)(const struct tsim__block_desc *d, double *rate, char *why, size_t size);
    /* An entity may pass through it in no time whatever is drawn. */
    int (*zero_time)(const struct tsim__block_desc *d);
    /* What the stream `s` of entities that block `src` (an endless maker) sends meets here. */
    enum tsim__flow (*flow)(const struct tsim__block_desc *d, const struct tsim__block_desc *src,
                            struct tsim__stream *s);
};

struct tsim__block_type {
    const char *name;            /* as written in model files */
    const char *help;
    const struct tsim__key *keys; /* `to` and `description` too; ends with a NULL name */
    const char *const *kpis;     /* KPI names it reports, NULL-terminated */
    const struct tsim__block_vt *vt;
    unsigned flags;
    /* Whole-model checks of one block (the description is finalized); NULL: none. Returns 0 or
     * TSIM_EMODEL with tsim_errmsg() set. */
    int (*check)(const struct tsim_model *m, const struct tsim__block_desc *d);
    struct tsim__type_lint lint;
};

/* A lint `zero_time` hook for a type that never takes time (a buffer, a split). */
int tsim__zero_time_always(const struct tsim__block_desc *d);

/* The table (registry.c) and its length. */
extern const struct tsim__block_type *const tsim__block_types[];
extern const int tsim__block_type_n;

/* The descriptor of type `type` (asserts it exists). */
const struct tsim__block_type *tsim__block_type(int type);

/* The index of key `name` in `t`'s keys, or -1. */
int tsim__key_index(const struct tsim__block_type *t, const char *name);

/* The names of type `type`'s keys, or of every type, into `out` (room for `cap` names, the
 * NULL that ends them included): for "did you mean" and lists. Returns how many. */
#define TSIM__NAMES_MAX 64
int tsim__type_key_names(int type, const char **out, int cap);
int tsim__type_names(const char **out, int cap);

/* Bounds of counts: far beyond any factory, low enough that no later product of two of them
 * overflows. A machine's servers each take state and calendar room in every sim, hence their own
 * bound. */
#define TSIM__COUNT_MAX 1000000LL
#define TSIM__CAPACITY_MAX 1000000000000LL
#define TSIM__SERVERS_MAX 100000LL

/* Apply `v` to key `k` of block `block` (its `set`, or the value table), after the checks every
 * key of its kind has (range, a product or shift that exists). Returns 0 or a TSIM_E* code with
 * tsim_errmsg() set. */
int tsim__key_apply(struct tsim_model *m, int block, const struct tsim__key *k,
                    const struct tsim__value *v);

/* The stored value of key `name` of block `d` (a key without a `set`); asserts the key exists. */
const struct tsim__val *tsim__block_val(const struct tsim__block_desc *d, const char *name);

#endif
