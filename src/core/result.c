/*
 * One replication's KPIs as a flat list of (block, name, value). Flat, so that writers, summaries
 * and experiment objectives all read the same thing in the same order.
 */
#include "core/core.h"

#include <string.h>

void tsim_result_init(struct tsim_result *r) { memset(r, 0, sizeof *r); }

void tsim_result_release(struct tsim_result *r)
{
    tsim__free(r->kpis);
    memset(r, 0, sizeof *r);
}

void tsim_result_add(struct tsim_result *r, int block, const char *name, double value)
{
    tsim__grow((void **)&r->kpis, &r->cap, r->n + 1, sizeof *r->kpis);
    r->kpis[r->n++] = (struct tsim_kpi){block, name, value};
}

const struct tsim_kpi *tsim_result_find(const struct tsim_result *r, int block, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->kpis[i].block == block && strcmp(r->kpis[i].name, name) == 0) return &r->kpis[i];
    return NULL;
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t tsim__fingerprint_start(size_t n) { return mix64(0x7473696d66707231ull ^ (uint64_t)n); }

/* Chained, not xor-ed: swapping two replications' results must change the hash. */
uint64_t tsim__fingerprint_step(uint64_t h, uint64_t fingerprint)
{
    return mix64(h ^ fingerprint) + 0x9e3779b97f4a7c15ull;
}

uint64_t tsim__fingerprint_combine(const struct tsim_result *reps, size_t n)
{
    uint64_t h = tsim__fingerprint_start(n);
    for (size_t r = 0; r < n; r++) h = tsim__fingerprint_step(h, reps[r].fingerprint);
    return h;
}
