/*
 * What a model will do when it runs, seen without running it: whether a run without a horizon
 * ends at all, loops in which no time passes, and sources that send more than the machine after
 * them can ever take. The loader checks what a model file says; this looks at the model as a
 * whole once it validates. Not API: `twinsim check` prints these as warnings, and
 * tsim_run_replications refuses a run without a horizon that would never end.
 */
#ifndef TSIM_MODEL_LINT_H
#define TSIM_MODEL_LINT_H

#include "twinsim.h"

#include <stddef.h>

/*
 * Whether a run of `m` (validated) without a horizon would never end: a source makes entities
 * for ever (an interarrival and no `limit`), or entities of a population can reach no sink and
 * nothing throws them away, so they circulate for ever. Returns 1 with the reason in `why`
 * ("source 'in' has no 'limit'") and the block it is about in `*block`, else 0.
 */
int tsim__model_endless(const struct tsim_model *m, char *why, size_t size, int *block);

/*
 * The warnings of `twinsim check` for `m` (validated) run with `horizon` (0: none), appended to
 * `d` at the blocks' places in the file: no horizon and no end; loops of blocks in which no time
 * passes and which nothing leaves; a machine fed faster than it can work by sources whose
 * entities wait before it in blocks without a limit.
 */
void tsim__model_lint(const struct tsim_model *m, double horizon, struct tsim_diags *d);

#endif
