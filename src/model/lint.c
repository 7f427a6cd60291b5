/*
 * What a model will do when it runs, seen from its description alone (lint.h): runs that never
 * end, loops in which no time passes, machines fed faster than they can work. Every finding
 * here is certain for the model as written, not a guess: a loop is reported only when nothing
 * can leave it, a machine only when even its full capacity (no failure, no shift, no setup) is
 * below what arrives, and only when what waits for it has no limit. What can only be known by
 * running (a loop that entities leave by chance after many rounds, a queue that grows for a
 * while) is the run's to catch (sim.c's limits).
 *
 * Routes are read as a graph: block -> each target its route can pick (a branch of probability
 * 0 cannot be picked). What a block of a type does (makes entities for ever, takes no time, lets
 * entities wait, serves them) its type says, through the hooks of its descriptor
 * (registry.h, struct tsim__type_lint); this file knows no block type by name.
 */
#include "model/lint.h"

#include "blocks/desc.h"
#include "core/core.h"

#include <stdio.h>
#include <string.h>

/* The targets of `b`'s route that can be picked, into `to` (at most r->n); returns how many. */
static int targets(const struct tsim__block_desc *b, int *to)
{
    const struct tsim__route *r = &b->route;
    int k = 0;
    for (int i = 0; i < r->n; i++)
        if (r->rule != TSIM_ROUTE_PROBABILITY || r->p[i] > 0) to[k++] = r->to[i];
    return k;
}

static const struct tsim__type_lint *lint_of(const struct tsim__block_desc *b)
{
    return &tsim__block_type(b->type)->lint;
}

/* Whether `b` can take an entity out of the system on its own: its type says so (a sink, an
 * assembly), scrap, a drop when full, a route by product missing a product (dropped there). */
static int can_dispose(const struct tsim_model *m, const struct tsim__block_desc *b)
{
    if ((tsim__block_type(b->type)->flags & TSIM__TYPE_DISPOSES) || b->drop || b->scrap > 0)
        return 1;
    if (b->route.rule == TSIM_ROUTE_PRODUCT) {
        int np = m->nproducts > 0 ? m->nproducts : 1;
        for (int p = 0; p < np; p++) {
            int covered = 0;
            for (int i = 0; i < b->route.n; i++) covered |= b->route.product[i] == p;
            if (!covered) return 1;
        }
    }
    return 0;
}

/* The blocks reachable from `from` (itself included) in `seen`; 1 if one of them can dispose of
 * an entity. */
static int reach_disposal(const struct tsim_model *m, int from, char *seen, int *stack, int *to)
{
    int top = 0, found = 0;
    memset(seen, 0, (size_t)m->nblocks);
    seen[from] = 1;
    stack[top++] = from;
    while (top > 0) {
        const struct tsim__block_desc *b = &m->blocks[stack[--top]];
        if (!(tsim__block_type(b->type)->flags & TSIM__TYPE_NO_INPUT) && can_dispose(m, b))
            found = 1;
        int k = targets(b, to);
        for (int i = 0; i < k; i++)
            if (!seen[to[i]]) seen[to[i]] = 1, stack[top++] = to[i];
    }
    return found;
}

static int max_targets(const struct tsim_model *m)
{
    int n = 1;
    for (int b = 0; b < m->nblocks; b++)
        if (m->blocks[b].route.n > n) n = m->blocks[b].route.n;
    return n;
}

int tsim__model_endless(const struct tsim_model *m, char *why, size_t size, int *block)
{
    for (int b = 0; b < m->nblocks; b++) {
        const struct tsim__block_desc *d = &m->blocks[b];
        double rate;
        if (lint_of(d)->endless && lint_of(d)->endless(d, &rate, why, size)) {
            *block = b;
            return 1;
        }
    }
    char *seen = tsim__malloc((size_t)m->nblocks + 1);
    int *stack = tsim__malloc(((size_t)m->nblocks + 1) * sizeof *stack);
    int *to = tsim__malloc((size_t)max_targets(m) * sizeof *to);
    int endless = 0;
    for (int b = 0; b < m->nblocks && !endless; b++) {
        const struct tsim__block_desc *d = &m->blocks[b];
        if (d->population == 0) continue; /* a closed loop's entities, made at time 0 */
        if (!reach_disposal(m, b, seen, stack, to)) {
            snprintf(why, size, "the entities of source '%s' can reach no sink", d->name);
            *block = b;
            endless = 1;
        }
    }
    tsim__free(seen);
    tsim__free(stack);
    tsim__free(to);
    return endless;
}

/* ---- loops in which no time passes --------------------------------------------------------- */

/* A block through which an entity may pass in no time whatever is drawn (its type's answer: every
 * time it takes has mean 0, so every draw is 0, and nothing there makes it wait). */
static int zero_time(const struct tsim__block_desc *b)
{
    return lint_of(b)->zero_time && lint_of(b)->zero_time(b);
}

/* Strongly connected components of the zero-time blocks (Tarjan's algorithm, without recursion:
 * a model may hold 20,000 blocks in one chain). comp[b] gets the component of each zero-time
 * block, -1 for the others; returns the number of components. */
struct tarjan {
    const struct tsim_model *m;
    const char *zero;
    int *index, *low, *comp, *stack, *onstack, *call_b, *call_i, *to;
    int next, top, ncomp;
};

static void strongconnect(struct tarjan *t, int root)
{
    int depth = 0;
    t->call_b[0] = root;
    t->call_i[0] = 0;
    t->index[root] = t->low[root] = t->next++;
    t->stack[t->top++] = root;
    t->onstack[root] = 1;
    while (depth >= 0) {
        int v = t->call_b[depth];
        const struct tsim__block_desc *b = &t->m->blocks[v];
        int k = targets(b, t->to), i = t->call_i[depth];
        if (i < k) {
            t->call_i[depth] = i + 1;
            int w = t->to[i];
            if (!t->zero[w]) continue;
            if (t->index[w] < 0) {
                t->index[w] = t->low[w] = t->next++;
                t->stack[t->top++] = w;
                t->onstack[w] = 1;
                depth++;
                t->call_b[depth] = w;
                t->call_i[depth] = 0;
            } else if (t->onstack[w] && t->index[w] < t->low[v]) {
                t->low[v] = t->index[w];
            }
            continue;
        }
        if (t->low[v] == t->index[v]) {
            int w;
            do {
                w = t->stack[--t->top];
                t->onstack[w] = 0;
                t->comp[w] = t->ncomp;
            } while (w != v);
            t->ncomp++;
        }
        depth--;
        if (depth >= 0) {
            int u = t->call_b[depth];
            if (t->low[v] < t->low[u]) t->low[u] = t->low[v];
        }
    }
}

/* Report each loop of zero-time blocks that nothing leaves: an entity in it goes round at one
 * instant for ever (the run stops it by the limit of events at one instant). */
static void zero_time_loops(const struct tsim_model *m, struct tsim_diags *d)
{
    int n = m->nblocks;
    struct tarjan t = {.m = m};
    char *zero = tsim__calloc((size_t)n + 1, 1);
    for (int b = 0; b < n; b++) zero[b] = (char)zero_time(&m->blocks[b]);
    t.zero = zero;
    size_t sz = ((size_t)n + 1) * sizeof(int);
    t.index = tsim__malloc(sz);
    t.low = tsim__malloc(sz);
    t.comp = tsim__malloc(sz);
    t.stack = tsim__malloc(sz);
    t.onstack = tsim__calloc((size_t)n + 1, sizeof(int));
    t.call_b = tsim__malloc(sz);
    t.call_i = tsim__malloc(sz);
    t.to = tsim__malloc((size_t)max_targets(m) * sizeof(int));
    for (int b = 0; b < n; b++) t.index[b] = -1, t.comp[b] = -1;
    for (int b = 0; b < n; b++)
        if (zero[b] && t.index[b] < 0) strongconnect(&t, b);

    /* A component is a loop if it has two blocks or one that routes to itself; it traps its
     * entities if no member can pick a target outside it or dispose of an entity. */
    int *size = tsim__calloc((size_t)t.ncomp + 1, sizeof(int));
    char *open = tsim__calloc((size_t)t.ncomp + 1, 1), *self = tsim__calloc((size_t)t.ncomp + 1, 1);
    for (int b = 0; b < n; b++) {
        if (t.comp[b] < 0) continue;
        int c = t.comp[b], k = targets(&m->blocks[b], t.to);
        size[c]++;
        if (can_dispose(m, &m->blocks[b])) open[c] = 1;
        for (int i = 0; i < k; i++) {
            if (t.comp[t.to[i]] != c) open[c] = 1;
            if (t.to[i] == b) self[c] = 1;
        }
    }
    char *reported = tsim__calloc((size_t)t.ncomp + 1, 1);
    for (int b = 0; b < n; b++) {
        int c = t.comp[b];
        if (c < 0 || reported[c] || open[c] || (size[c] < 2 && !self[c])) continue;
        reported[c] = 1;
        char names[300];
        size_t len = 0;
        int shown = 0;
        names[0] = '\0';
        for (int o = b; o < n && shown < 6; o++) {
            if (t.comp[o] != c) continue;
            const char *sep = shown == 0 ? "" : (shown + 1 == size[c] ? " and " : ", ");
            int w = snprintf(names + len, sizeof names - len, "%s'%s'", sep, m->blocks[o].name);
            if (w < 0 || (size_t)w >= sizeof names - len) break;
            len += (size_t)w;
            shown++;
        }
        if (shown < size[c] && len < sizeof names)
            snprintf(names + len, sizeof names - len, " and %d more", size[c] - shown);
        int line = m->block_line ? m->block_line[b] : 0, col = m->block_col ? m->block_col[b] : 0;
        if (size[c] == 1)
            tsim_diags_add(d, TSIM_WARNING, line, col,
                           "block %s sends entities back to itself in no time: one there "
                           "would go round at one instant for ever",
                           names);
        else
            tsim_diags_add(d, TSIM_WARNING, line, col,
                           "blocks %s form a loop in which no time passes and that nothing "
                           "leaves: an entity there would go round at one instant for ever",
                           names);
    }
    tsim__free(reported);
    tsim__free(size);
    tsim__free(open);
    tsim__free(self);
    tsim__free(zero);
    tsim__free(t.index);
    tsim__free(t.low);
    tsim__free(t.comp);
    tsim__free(t.stack);
    tsim__free(t.onstack);
    tsim__free(t.call_b);
    tsim__free(t.call_i);
    tsim__free(t.to);
}

/* ---- machines fed faster than they can work ------------------------------------------------ */

static void outpaced(const struct tsim_model *m, struct tsim_diags *d)
{
    int n = m->nblocks;
    double *busy = tsim__calloc((size_t)n + 1, sizeof *busy); /* server-time per time unit */
    int *first_src = tsim__malloc(((size_t)n + 1) * sizeof *first_src);
    int *nsrc = tsim__calloc((size_t)n + 1, sizeof *nsrc), *queue = tsim__malloc(((size_t)n + 1) * sizeof *queue);
    for (int b = 0; b < n; b++) first_src[b] = queue[b] = -1;
    for (int si = 0; si < n; si++) {
        const struct tsim__block_desc *s = &m->blocks[si];
        /* A maker with a limit stops: what it sends waits, but does not grow without bound. */
        char why[200];
        struct tsim__stream st = {0, 0, 0};
        if (!lint_of(s)->endless || !lint_of(s)->endless(s, &st.rate, why, sizeof why)) continue;
        if (!(st.rate > 0)) continue;
        int cur = s->route.rule == TSIM_ROUTE_SINGLE ? s->route.to[0] : -1, wait = -1;
        /* Along single routes through blocks that pass everything on; a limited buffer would
         * block the source instead of letting work pile up. */
        for (int steps = 0; cur >= 0 && steps < n; steps++) {
            const struct tsim__block_desc *b = &m->blocks[cur];
            enum tsim__flow f = lint_of(b)->flow ? lint_of(b)->flow(b, s, &st) : TSIM__FLOW_STOP;
            if (f == TSIM__FLOW_SERVE && wait >= 0) {
                busy[cur] += st.rate * st.work;
                if (first_src[cur] < 0) first_src[cur] = si, queue[cur] = wait;
                nsrc[cur]++;
            }
            if (f != TSIM__FLOW_PASS) break;
            if (st.waits && wait < 0) wait = cur;
            cur = b->route.rule == TSIM_ROUTE_SINGLE ? b->route.to[0] : -1;
        }
    }
    for (int b = 0; b < n; b++) {
        const struct tsim__block_desc *mc = &m->blocks[b];
        if (nsrc[b] == 0 || !(busy[b] > mc->servers * (1 + 1e-9))) continue;
        const struct tsim__block_desc *q = &m->blocks[queue[b]];
        char who[120];
        if (nsrc[b] > 1)
            snprintf(who, sizeof who, "sources '%s' and %d more send",
                     m->blocks[first_src[b]].name, nsrc[b] - 1);
        else
            snprintf(who, sizeof who, "source '%s' sends", m->blocks[first_src[b]].name);
        int line = m->block_line ? m->block_line[b] : 0, col = m->block_col ? m->block_col[b] : 0;
        tsim_diags_add(d, TSIM_WARNING, line, col,
                       "arrivals outpace %s '%s': what %s would keep its %d server%s busy "
                       "%.4g%% of the time, and it waits in %s '%s' without a limit, so work in "
                       "process grows without bound",
                       tsim_block_type_name(mc->type), mc->name, who, mc->servers, mc->servers == 1 ? "" : "s",
                       100 * busy[b] / mc->servers, tsim_block_type_name(q->type), q->name);
    }
    tsim__free(busy);
    tsim__free(first_src);
    tsim__free(nsrc);
    tsim__free(queue);
}

/* Whether two shifts are on together at some time of day: their periods (hours since midnight,
 * a period that ends before it starts runs past midnight) overlap for a positive time. */
static int shifts_meet(const struct tsim__shift_desc *a, const struct tsim__shift_desc *b)
{
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            for (int da = -1; da <= 1; da++) { /* the periods on three days cover every wrap */
                double a0 = a->periods[2 * i] + 24 * da, a1 = a->periods[2 * i + 1] + 24 * da;
                double b0 = b->periods[2 * j], b1 = b->periods[2 * j + 1];
                if (a1 <= a0) a1 += 24;
                if (b1 <= b0) b1 += 24;
                if ((a1 < b1 ? a1 : b1) > (a0 > b0 ? a0 : b0)) return 1;
            }
    return 0;
}

/* A block on a shift whose setups or processing need operators of a pool on a shift that never
 * meets its own: it asks for them only while on shift, when none is there, so it never works (a
 * run without a horizon stalls: docs/model-format.md, Limits of a run). */
static void crews_never_meet(const struct tsim_model *m, struct tsim_diags *d)
{
    for (int b = 0; b < m->nblocks; b++) {
        const struct tsim__block_desc *k = &m->blocks[b];
        const struct tsim__need *n = &k->need;
        if (k->shift < 0 || n->pool < 0 || !(n->for_mask & (TSIM_NEED_SETUP | TSIM_NEED_PROCESS)))
            continue;
        int ps = m->pools[n->pool].shift;
        if (ps < 0 || shifts_meet(&m->shifts[k->shift], &m->shifts[ps])) continue;
        tsim_diags_add(d, TSIM_WARNING, m->block_line ? m->block_line[b] : 0,
                       m->block_col ? m->block_col[b] : 0,
                       "'%s' works on shift '%s' and needs operators '%s', who work on shift "
                       "'%s' only: the two never meet, so it never works",
                       k->name, m->shifts[k->shift].name, m->pools[n->pool].name,
                       m->shifts[ps].name);
    }
}

void tsim__model_lint(const struct tsim_model *m, double horizon, struct tsim_diags *d)
{
    char why[200];
    int b;
    if (!(horizon > 0) && tsim__model_endless(m, why, sizeof why, &b))
        tsim_diags_add(d, TSIM_WARNING, m->block_line ? m->block_line[b] : 0,
                       m->block_col ? m->block_col[b] : 0,
                       "no horizon: a run ends only when no event is left, and %s, so it would "
                       "never end (set 'horizon' in 'run:')",
                       why);
    zero_time_loops(m, d);
    outpaced(m, d);
    crews_never_meet(m, d);
}
