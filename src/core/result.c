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
