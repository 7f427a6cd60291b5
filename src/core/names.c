/*
 * Names and bytes (see names.h): the FNV-1a hash, the name -> index table, the edit distance.
 */
#include "core/names.h"

#include "core/core.h"

#include <ctype.h>
#include <string.h>

uint64_t tsim__fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * TSIM__FNV_PRIME;
    return h;
}

uint64_t tsim_hash_bytes(const void *p, size_t n)
{
    return n ? tsim__fnv1a(TSIM__FNV_OFFSET, p, n) : TSIM__FNV_OFFSET;
}

uint64_t tsim__fnv1a_str(const char *s)
{
    uint64_t h = TSIM__FNV_OFFSET;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * TSIM__FNV_PRIME;
    return h;
}

static void names_rebuild(struct tsim__names *t, char *const *names, int count, uint32_t cap)
{
    tsim__free(t->slot);
    t->slot = tsim__malloc(cap * sizeof *t->slot);
    t->cap = cap;
    for (uint32_t i = 0; i < cap; i++) t->slot[i] = -1;
    for (int i = 0; i < count; i++) tsim__names_put(t, names, i, i);
}

void tsim__names_put(struct tsim__names *t, char *const *names, int count, int index)
{
    if ((uint32_t)count * 2 > t->cap) {
        names_rebuild(t, names, count, t->cap ? t->cap * 2 : 64);
        return;
    }
    uint32_t mask = t->cap - 1, i = (uint32_t)tsim__fnv1a_str(names[index]) & mask;
    while (t->slot[i] >= 0) i = (i + 1) & mask;
    t->slot[i] = index;
}

int tsim__names_find(const struct tsim__names *t, char *const *names, const char *name)
{
    if (!t->cap) return TSIM_ENOENT;
    uint32_t mask = t->cap - 1, i = (uint32_t)tsim__fnv1a_str(name) & mask;
    for (; t->slot[i] >= 0; i = (i + 1) & mask)
        if (strcmp(names[t->slot[i]], name) == 0) return t->slot[i];
    return TSIM_ENOENT;
}

void tsim__names_release(struct tsim__names *t)
{
    tsim__free(t->slot);
    t->slot = NULL;
    t->cap = 0;
}

/*
 * Only the diagonal band of width 2 * limit + 1 is computed, and a row whose band is all above
 * the limit ends the work: a suggestion over thousands of block names then costs a few
 * operations per name that is nothing like the word.
 */
size_t tsim__edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    const size_t big = limit + 1;
    if (la > TSIM__EDIT_MAX || lb > TSIM__EDIT_MAX) return big;
    if ((la > lb ? la - lb : lb - la) > limit) return big;
    size_t row0[TSIM__EDIT_MAX + 1], row1[TSIM__EDIT_MAX + 1];
    size_t *prev = row0, *cur = row1;
    for (size_t j = 0; j <= lb; j++) prev[j] = j <= limit ? j : big;
    for (size_t i = 1; i <= la; i++) {
        size_t lo = i > limit ? i - limit : 1, hi = i + limit < lb ? i + limit : lb;
        cur[0] = i <= limit ? i : big;
        size_t row_min = cur[0]; /* column 0 is in the row too (all of it when `b` is empty) */
        if (lo > 1) cur[lo - 1] = big;
        for (size_t j = lo; j <= hi; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (same ? 0 : 1);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (best > big) best = big;
            cur[j] = best;
            if (best < row_min) row_min = best;
        }
        if (hi < lb) cur[hi + 1] = big;
        if (row_min > limit) return big;
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] <= limit ? prev[lb] : big;
}
