/*
 * The report every writer reads: the replications summarised KPI by KPI, in one order for all
 * writers (system, blocks in model order, operator pools), so that the table, JSON, CSV and the
 * database list the same figures the same way.
 */
#include "core/core.h"
#include "out/out.h"
#include "run/replicate.h"

#include <string.h>

/* Rank of a KPI's owner in the report: system first, then blocks, then pools. */
static long owner_rank(int block, int nblocks)
{
    if (block == TSIM_KPI_SYSTEM) return 0;
    if (block >= 0) return 1 + (long)block;
    return 1 + (long)nblocks + (long)(TSIM_KPI_POOL(0) - block);
}

static int owner_known(const struct tsim_model *m, int block)
{
    if (block == TSIM_KPI_SYSTEM) return 1;
    if (block >= 0) return block < tsim_model_block_count(m);
    return TSIM_KPI_POOL(0) - block < tsim_model_pool_count(m);
}

int tsim__report_init(struct tsim__report *r, const struct tsim_model *m,
                      const struct tsim_result *reps, size_t n)
{
    memset(r, 0, sizeof *r);
    if (n == 0) return tsim__fail(TSIM_EINVAL, __func__, "no replications");
    size_t nk = reps[0].n;
    struct tsim_summary *sum = tsim__calloc(nk ? nk : 1, sizeof *sum);
    int rc = tsim_results_summarize(reps, n, sum);
    if (rc < 0) {
        tsim__free(sum);
        return rc;
    }
    for (size_t k = 0; k < nk; k++) {
        if (!owner_known(m, reps[0].kpis[k].block)) {
            tsim__free(sum);
            return tsim__fail(TSIM_EINVAL, __func__, "KPI '%s' belongs to no block or pool (%d)",
                              reps[0].kpis[k].name, reps[0].kpis[k].block);
        }
    }

    r->model_name = tsim_model_name(m);
    r->time_unit = tsim_model_time_unit(m);
    r->replications = (int)n;
    r->reps = reps;
    r->rows = tsim__calloc(nk ? nk : 1, sizeof *r->rows);
    int nb = tsim_model_block_count(m);

    /* A stable insertion sort by owner: KPI lists are short (tens to a few thousand) and the
     * engine's order within an owner is kept. */
    for (size_t k = 0; k < nk; k++) {
        const struct tsim_kpi *kp = &reps[0].kpis[k];
        struct tsim__row row = {.block = kp->block, .kpi = kp->name, .index = k, .s = sum[k]};
        if (kp->block == TSIM_KPI_SYSTEM) {
            row.owner = "system";
            row.type = "system";
        } else if (kp->block >= 0) {
            row.owner = tsim_model_block_name(m, kp->block);
            row.type = tsim_block_type_name(tsim_model_block_type(m, kp->block));
        } else {
            row.owner = tsim_model_pool_name(m, TSIM_KPI_POOL(0) - kp->block);
            row.type = "operators";
        }
        long rank = owner_rank(kp->block, nb);
        size_t at = k;
        while (at > 0 && owner_rank(r->rows[at - 1].block, nb) > rank) {
            r->rows[at] = r->rows[at - 1];
            at--;
        }
        r->rows[at] = row;
    }
    r->nrows = nk;
    tsim__free(sum);

    r->fingerprint = tsim__fingerprint_combine(reps, n);
    for (size_t i = 0; i < n; i++) r->events += reps[i].events;
    return 0;
}

void tsim__report_release(struct tsim__report *r)
{
    if (!r) return;
    tsim__free(r->rows);
    r->rows = NULL;
    r->nrows = 0;
}
