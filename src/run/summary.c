/*
 * Summaries over replications: per KPI, the mean with its 95% confidence interval, read in
 * replication order, so that it does not depend on which thread ran what. The fingerprint of a
 * whole run is in core/result.c, beside the results it hashes, so that the writers below this
 * layer can take it too.
 */
#include "core/core.h"
#include "run/replicate.h"

#include <string.h>

/* Same KPI list: same blocks and names at the same positions. Names are compared as text
 * because a result built by hand need not share the engine's static strings. */
static int same_kpis(const struct tsim_result *a, const struct tsim_result *b)
{
    if (a->n != b->n) return 0;
    for (size_t k = 0; k < a->n; k++) {
        if (a->kpis[k].block != b->kpis[k].block) return 0;
        if (strcmp(a->kpis[k].name, b->kpis[k].name) != 0) return 0;
    }
    return 1;
}

int tsim_results_summarize(const struct tsim_result *reps, size_t n, struct tsim_summary *out)
{
    if (n == 0 || !reps) return tsim__fail(TSIM_EINVAL, __func__, "no replications");
    for (size_t r = 1; r < n; r++) {
        if (!same_kpis(&reps[0], &reps[r]))
            return tsim__fail(TSIM_EINVAL, __func__,
                              "replication %zu reports other KPIs than replication 0", r);
    }
    double *x = tsim__malloc(n * sizeof *x);
    for (size_t k = 0; k < reps[0].n; k++) {
        for (size_t r = 0; r < n; r++) x[r] = reps[r].kpis[k].value;
        tsim_summary_of(&out[k], x, n, 0.95);
    }
    tsim__free(x);
    return 0;
}
