/*
 * A route's learned and agent rules (docs/ai.md, "A learned route"): `to: {rule: policy:PATH,
 * among: [...]}` scores each target with a weights file of policy.c and sends the entity to the
 * smallest score; `to: {rule: agent, among: [...]}` asks the environment (fenv.c). Both are the
 * block's route hook (src/blocks/desc.h); the route itself is kept as a round robin's over the
 * targets, which is what an agent route does outside an environment.
 *
 * A route's candidates are its targets, each described by what the built-in route rules measure
 * of it (flow.c): so shortest_queue is the linear policy over `queue`, first_free over `busy`,
 * earliest_free over `backlog` and least_utilized over `util`, each with weight 1, and they make
 * the same choices (tested). Equal scores go to the target listed first, as for those rules.
 *
 * Invariant: the model owns a policy route's weights (the hook's ctx); every sim reads them and
 * none writes, so replications on any thread share them.
 */
#include "blocks/sim.h"
#include "core/core.h"
#include "core/names.h"
#include "logic/logic.h"
#include "logic/policy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The mean processing time in ticks of `product` at block `t`, or at the machine a buffer `t`
 * feeds through a single route; 0 where neither has one. */
static double proc_at(const struct tsim_sim *sim, uint32_t t, int product)
{
    for (int hop = 0; hop < 2; hop++) {
        const struct tsim__block_desc *d = &sim->blocks[t];
        const struct tsim__pdist *p = &d->process;
        const struct tsim_dist *x = p->by_product ? p->by_product[product] : NULL;
        if (x) return tsim_dist_mean(x);
        if (d->type != TSIM_BUFFER || d->route.rule != TSIM_ROUTE_SINGLE) break;
        t = (uint32_t)d->route.to[0];
    }
    return 0;
}

void tsim__route_feats(const struct tsim_sim *sim, uint32_t b, uint32_t e, size_t k, double *f)
{
    const struct tsim__route *r = &sim->blocks[b].route;
    uint32_t t = (uint32_t)r->to[k];
    double tpu = sim->tpu, window = (double)(sim->now - sim->stats_start);
    memset(f, 0, TSIM__PF_COUNT * sizeof *f);
    f[TSIM__PF_PROC] = proc_at(sim, t, sim->ents[e].product);
    f[TSIM__PF_QUEUE] = (double)tsim__load(sim, t);
    f[TSIM__PF_BUSY] = tsim__takes_now(sim, t) ? 0 : 1;
    f[TSIM__PF_BACKLOG] = tsim__free_after(sim, t) / tpu;
    f[TSIM__PF_UTIL] = window > 0 ? tsim__busy_share(sim, t) / window : 0;
    f[TSIM__PF_INDEX] = (double)k;
}

/* rule: policy:PATH. The sum of a linear policy is taken in the file's feature order, so a
 * one-feature file with weight 1 ranks exactly by that feature. */
static int choose_policy(struct tsim_sim *sim, uint32_t b, uint32_t e, void *ctx)
{
    const struct tsim_policy *p = ctx;
    int n = sim->blocks[b].route.n, best = 0;
    double f[TSIM__PF_COUNT], low = 0;
    for (int k = 0; k < n; k++) {
        tsim__route_feats(sim, b, e, (size_t)k, f);
        double s = tsim__policy_score_row(p, f);
        /* a NaN score never wins; the first target stays the default */
        if (k == 0 || s < low) {
            low = s;
            best = k;
        }
    }
    return best;
}

/* rule: agent: the environment answers (fenv.c); outside one, a round robin over the targets. */
static int choose_agent(struct tsim_sim *sim, uint32_t b, uint32_t e, void *ctx)
{
    (void)ctx;
    int n = sim->blocks[b].route.n;
    if (sim->agent && n >= 2) return tsim__fenv_route_ask(sim, b, e);
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    return (int)(h->rr++ % (uint64_t)n);
}

int tsim__route_is_agent(const struct tsim__block_desc *d)
{
    return d->hook && d->hook->fn[TSIM__HOOK_ROUTE] == choose_agent;
}

static void policy_free(void *ctx) { tsim_policy_destroy(ctx); }

int tsim__route_attach(struct tsim_model *m, int block, const char *text, const char *base_dir,
                       char *err, size_t errlen)
{
    while (isspace((unsigned char)*text)) text++;
    struct tsim__hook *h = tsim__block_hook(m, block);
    if (h->fn[TSIM__HOOK_ROUTE]) {
        snprintf(err, errlen, "block '%s' has a route rule already", m->blocks[block].name);
        return TSIM_EPARSE;
    }
    if (strcasecmp(text, "agent") == 0) {
        h->fn[TSIM__HOOK_ROUTE] = choose_agent;
        h->route_first = 1;
        return 0;
    }
    const char *path = text + 7; /* the caller gives "policy:..." */
    if (*path == '\0') {
        snprintf(err, errlen, "'policy:' expects the path of a weights file, e.g. "
                              "'policy:route-policy.txt'");
        return TSIM_EPARSE;
    }
    char *full = NULL;
    if (path[0] != '/' && base_dir && base_dir[0]) {
        size_t n = strlen(base_dir) + strlen(path) + 2;
        full = tsim__malloc(n);
        snprintf(full, n, "%s/%s", base_dir, path);
        path = full;
    }
    struct tsim_policy *p;
    int rc = tsim_policy_read(path, &p);
    tsim__free(full);
    if (rc != 0) {
        /* the file's own message (FILE:LINE:COL: ...) without the function's name */
        const char *msg = tsim_errmsg(), *colon = strstr(msg, ": ");
        snprintf(err, errlen, "%s", colon ? colon + 2 : msg);
        tsim__drop_error_word(err);
        return rc;
    }
    rc = tsim__policy_require(p, TSIM__PF_ROUTE_ALL, "a route", err, errlen);
    if (rc != 0) {
        tsim_policy_destroy(p);
        tsim__drop_error_word(err);
        return rc;
    }
    h->fn[TSIM__HOOK_ROUTE] = choose_policy;
    h->ctx[TSIM__HOOK_ROUTE] = p;
    h->ctx_free[TSIM__HOOK_ROUTE] = policy_free;
    return 0;
}
