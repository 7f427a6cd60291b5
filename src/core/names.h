/*
 * Names and bytes, the small helpers every layer shares: the FNV-1a hash, a name -> index table,
 * and the edit distance behind every "did you mean". One of each, here at the bottom, so that no
 * layer keeps its own copy. Not API.
 */
#ifndef TSIM_CORE_NAMES_H
#define TSIM_CORE_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: fast, stable across machines and versions, not cryptographic. Fingerprints,
 * random stream names, experiment identities and recordings depend on its exact values. */
#define TSIM__FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define TSIM__FNV_PRIME UINT64_C(0x100000001b3)

/* Fold `n` bytes at `p` into `h` (start with TSIM__FNV_OFFSET). */
uint64_t tsim__fnv1a(uint64_t h, const void *p, size_t n);
/* The hash of NUL-terminated `s`, from TSIM__FNV_OFFSET. */
uint64_t tsim__fnv1a_str(const char *s);
/* Fold one 64-bit word at once (the fingerprint's step: every event folds a few words). */
static inline uint64_t tsim__fnv_fold(uint64_t h, uint64_t x) { return (h ^ x) * TSIM__FNV_PRIME; }

/*
 * Name -> index over an array of names the caller owns (`names[i]` is the name of index i; the
 * array may move as it grows, the table keeps indices only). Open addressing with linear
 * probing; -1 marks an empty slot; the capacity is a power of two, at least twice the count, so
 * that a model of tens of thousands of blocks built one at a time never scans.
 */
struct tsim__names {
    int32_t *slot;
    uint32_t cap;
};

/* Index `index` (its name `names[index]`; `count` names exist after this one is added). */
void tsim__names_put(struct tsim__names *t, char *const *names, int count, int index);
/* The index of `name`, or TSIM_ENOENT. */
int tsim__names_find(const struct tsim__names *t, char *const *names, const char *name);
void tsim__names_release(struct tsim__names *t);

/* Levenshtein distance over lowercased bytes, or `limit + 1` as soon as it must exceed `limit`.
 * Words longer than TSIM__EDIT_MAX bytes are `limit + 1` from everything. */
#define TSIM__EDIT_MAX 64
size_t tsim__edit_distance(const char *a, const char *b, size_t limit);

#endif
