/*
 * The environment's decision points in a factory model (docs/ai.md): every buffer with
 * `rule: agent` asks the environment which entity of its queue it sends next, and every route
 * with `rule: agent` to which of its targets it sends an entity. env.c holds the
 * batch, its threads, rewards and autoreset; this file holds what one sim of a model does
 * between two decisions, and what a decision looks like.
 *
 * A sim runs as any replication does, until a buffer with an agent rule must choose among two or
 * more waiting entities. Its rule (seq.c, choose_agent) calls tsim__fenv_ask, which notes the
 * buffer as asking, stops the sim after the current event and serves nothing. The env then shows
 * the decision; the action names the entity, and the buffer is pulled again at the same instant,
 * so its rule gets the answer and sends it as any rule's choice would be sent (tested: an episode
 * stepped with a built-in rule's choices gives that rule's run). No event runs between the
 * question and the answer.
 *
 * A decision is asked for only where its answer can be sent: a buffer whose one next block is
 * full (a busy machine) sends nothing, whatever it would choose, and is not asked.
 *
 * A route asks in the same way (route.c, choose_agent calls tsim__fenv_route_ask): its send is
 * not made, the entity stays with its sender (a machine holds it as blocked, a source as held,
 * a buffer at its head), and once the answer is known the sender is pulled, sends again, and the
 * route hook takes the answer. Its candidates are the route's targets, in the route's order.
 *
 * Decision points are numbered over the blocks in the model's order, a buffer's sequencing before
 * its route; a block may not be both (its one answer would be asked for twice).
 *
 * Invariants: a sim is live (`asking` is the decision point shown, with `nc` >= 2 candidates:
 * a buffer's first `nc` entities in `who`/`cand`, or a route's targets in `rfeat`) or done
 * (`asking` is -1: the horizon is reached or the sim stopped with an error). `pending` holds the
 * decision points that asked in the same event, each once, in the order they asked: they are
 * shown one after the other before the sim runs on.
 */
#include "logic/fenv.h"

#include "blocks/sim.h"
#include "blocks/station.h"
#include "core/core.h"
#include "logic/logic.h"
#include "logic/policy.h"
#include "logic/rules.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct fsim {
    struct tsim__fenv *f;
    struct tsim_sim *sim;
    uint64_t seed, episode; /* episode k of sim i is replication i + k * N of `seed` */
    int32_t asking;         /* the decision point shown, or -1 once done */
    int32_t answer_k;       /* the answer the next pull of answer_k's block takes: */
    uint32_t answer_e;      /* a buffer's entity; the entity a route sends */
    int32_t answer_slot;    /* a route's target */
    uint32_t *pending;      /* [nagents] */
    uint32_t npending;
    uint32_t *ask_e;        /* [nagents]: the entity a pending route asked for */
    uint32_t *who;          /* [max_candidates]: the candidates' entities */
    struct tsim__cand *cand;
    uint32_t *product;
    double *rfeat;          /* [max_candidates][TSIM__PF_COUNT]: a route's targets */
    size_t nc, queue;       /* candidates shown; entities in the asking queue (a route: nc) */
};

struct tsim__fenv {
    const struct tsim_model *m; /* borrowed: the caller keeps it alive */
    double horizon;
    size_t n, maxc;
    int *seq_agent;   /* [block]: its sequencing decision point's number, -1 if none */
    int *route_agent; /* [block]: its route's, -1 if none */
    uint32_t nagents;
    uint32_t *agent_block; /* [nagents] */
    uint8_t *is_route;     /* [nagents] */
    struct fsim *sims;
};

/* ---------------------------------------------------------------------------------------------
 * The question and the answer
 * ------------------------------------------------------------------------------------------- */

/* Whether the one block `b` sends to would take an entity now (flow.c's test for first_free): a
 * machine with an idle server that is up, another block below its limit. */
static int next_takes(const struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__route *r = &sim->blocks[b].route;
    if (r->rule != TSIM_ROUTE_SINGLE) return 1; /* a route may find a taker: ask */
    uint32_t to = (uint32_t)r->to[0];
    if (sim->vt[to] == &tsim__machine_vt) return tsim__station_free_server(sim, to) >= 0;
    const struct tsim__bhdr *h = tsim__hdr(sim, to);
    return h->content < h->full_at;
}

/* Note decision point k as asking (once) and stop the sim after the current event. */
static void ask(struct fsim *s, uint32_t k)
{
    for (uint32_t i = 0; i < s->npending; i++)
        if (s->pending[i] == k) return;
    s->pending[s->npending++] = k;
    tsim_sim_stop(s->sim);
}

uint32_t tsim__fenv_ask(struct tsim_sim *sim, uint32_t b, uint32_t head)
{
    struct fsim *s = sim->agent;
    int32_t k = s->f->seq_agent[b];
    if (s->answer_k == k && s->answer_e != TSIM__NIL) {
        uint32_t e = s->answer_e;
        s->answer_e = TSIM__NIL;
        return e;
    }
    /* A buffer tries again to send as soon as one entity has gone; where the next block is now
     * full, the head is refused there as any rule's choice would be, and no one is asked: the
     * decision comes when the next block has room. */
    if (!next_takes(sim, b)) return head;
    ask(s, (uint32_t)k);
    return TSIM__NIL;
}

int tsim__fenv_route_ask(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct fsim *s = sim->agent;
    int32_t k = s->f->route_agent[b];
    if (s->answer_k == k && s->answer_e == e) {
        s->answer_e = TSIM__NIL;
        return s->answer_slot;
    }
    /* Another entity of the same sender asking in the same event waits for its own decision:
     * the sender sends it, and asks, once the first has gone. */
    for (uint32_t i = 0; i < s->npending; i++)
        if (s->pending[i] == (uint32_t)k) return -1;
    s->ask_e[k] = e;
    ask(s, (uint32_t)k);
    return -1;
}

/* Show route k's decision: its targets for the entity that asked. */
static int show_route(struct fsim *s, uint32_t k)
{
    struct tsim_sim *sim = s->sim;
    uint32_t b = s->f->agent_block[k], e = s->ask_e[k];
    size_t n = (size_t)sim->blocks[b].route.n;
    for (size_t t = 0; t < n; t++) {
        tsim__route_feats(sim, b, e, t, s->rfeat + t * TSIM__PF_COUNT);
        s->product[t] = (uint32_t)sim->ents[e].product;
    }
    s->asking = (int32_t)k;
    s->nc = s->queue = n;
    return 1;
}

/* Show decision point k, if it still has two or more candidates: a buffer's first maxc
 * entities, a route's targets. */
static int show(struct fsim *s, uint32_t dp)
{
    if (s->f->is_route[dp]) return show_route(s, dp);
    struct tsim_sim *sim = s->sim;
    uint32_t b = s->f->agent_block[dp];
    uint32_t e = tsim__buffer_head(sim, b);
    size_t k = 0, q = 0;
    for (; e != TSIM__NIL; e = sim->ents[e].next, q++) {
        if (k == s->f->maxc) continue;
        tsim__seq_cand(sim, b, e, k, &s->cand[k]);
        s->who[k] = e;
        s->product[k] = (uint32_t)sim->ents[e].product;
        k++;
    }
    if (q < 2) return 0;
    s->asking = (int32_t)dp;
    s->nc = k;
    s->queue = q;
    return 1;
}

/* Run on to the next decision, or to the end of the episode. */
static void advance(struct fsim *s)
{
    struct tsim_sim *sim = s->sim;
    for (;;) {
        while (s->npending > 0) {
            uint32_t k = s->pending[0];
            memmove(s->pending, s->pending + 1, (s->npending - 1) * sizeof *s->pending);
            s->npending--;
            if (show(s, k)) return;
            /* Fewer than two wait now: the buffer serves what it holds without asking. */
            uint32_t b = s->f->agent_block[k];
            sim->vt[b]->pull(sim, b);
        }
        if (sim->err || tsim_sim_now(sim) >= s->f->horizon) break;
        tsim_sim_run_until(sim, s->f->horizon);
        if (s->npending == 0) break; /* the horizon, or an error */
    }
    s->asking = -1;
    s->nc = s->queue = 0;
}

void tsim__fenv_reset(struct tsim__fenv *f, size_t i, const uint64_t *seed)
{
    struct fsim *s = &f->sims[i];
    if (seed) {
        s->seed = *seed;
        s->episode = 0;
    } else if (s->sim) {
        s->episode++;
    }
    s->npending = 0;
    s->answer_k = -1;
    s->answer_e = TSIM__NIL;
    tsim_sim_reset(s->sim, s->seed, i + s->episode * f->n);
    advance(s);
}

void tsim__fenv_apply(struct tsim__fenv *f, size_t i, int32_t action)
{
    struct fsim *s = &f->sims[i];
    uint32_t k = (uint32_t)s->asking, b = f->agent_block[k];
    s->answer_k = (int32_t)k;
    s->answer_e = f->is_route[k] ? s->ask_e[k] : s->who[action];
    s->answer_slot = action;
    s->sim->vt[b]->pull(s->sim, b);
    s->answer_k = -1;
    s->answer_e = TSIM__NIL;
    advance(s);
}

size_t tsim__fenv_nc(const struct tsim__fenv *f, size_t i) { return f->sims[i].nc; }

void tsim__fenv_totals(const struct tsim__fenv *f, size_t i, double *clock, double *in_system,
                       double *done)
{
    const struct tsim_sim *sim = f->sims[i].sim;
    const struct tsim__area *a = &sim->wip;
    tsim__wide area = a->out - a->in + (tsim__wide)sim->now * (tsim__wide)sim->live_ents;
    *clock = tsim_sim_now(sim);
    *in_system = (double)area / sim->tpu;
    *done = (double)sim->completed;
}

const struct tsim__cand *tsim__fenv_cands(const struct tsim__fenv *f, size_t i, double *now)
{
    const struct fsim *s = &f->sims[i];
    *now = tsim_sim_now(s->sim);
    return s->asking >= 0 && f->is_route[s->asking] ? NULL : s->cand;
}

const char *tsim__fenv_route_asking(const struct tsim__fenv *f, size_t i)
{
    const struct fsim *s = &f->sims[i];
    if (s->asking < 0 || !f->is_route[s->asking]) return NULL;
    return f->m->blocks[f->agent_block[s->asking]].name;
}

int tsim__fenv_failed(const struct tsim__fenv *f, size_t i, char *msg, size_t len)
{
    const struct tsim_sim *sim = f->sims[i].sim;
    if (!sim->err) return 0;
    snprintf(msg, len, "%s", sim->errmsg);
    return sim->err;
}

/*
 * The observation of sim i (docs/ai.md has the table): per candidate proc, due, slack, work,
 * ops and wait as a policy at a buffer reads them (model time units; 0 for the due date and slack
 * of an entity without one, with has_due 0), then job_work, next_proc, the product's number,
 * has_due and the place in the queue; then the decision point's now, completed, queue and agent.
 */
void tsim__fenv_write(const struct tsim__fenv *f, size_t i, float *obs, uint8_t *mask,
                      int32_t *agent, int32_t *candidates, double *clock)
{
    const struct fsim *s = &f->sims[i];
    double now = tsim_sim_now(s->sim);
    memset(obs, 0, (f->maxc * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES) * sizeof *obs);
    memset(mask, 0, f->maxc);
    int route = s->asking >= 0 && f->is_route[s->asking];
    for (size_t k = 0; route && k < s->nc; k++) {
        const double *x = s->rfeat + k * TSIM__PF_COUNT;
        float *o = obs + k * TSIM_ENV_CAND_FEATURES;
        o[0] = (float)x[TSIM__PF_PROC];
        o[1] = (float)x[TSIM__PF_QUEUE];
        o[2] = (float)x[TSIM__PF_BUSY];
        o[3] = (float)x[TSIM__PF_BACKLOG];
        o[4] = (float)x[TSIM__PF_UTIL];
        o[5] = (float)x[TSIM__PF_INDEX];
        o[8] = (float)s->product[k];
        mask[k] = 1;
    }
    for (size_t k = 0; !route && k < s->nc; k++) {
        const struct tsim__cand *c = &s->cand[k];
        float *o = obs + k * TSIM_ENV_CAND_FEATURES;
        int has_due = c->due != DBL_MAX;
        o[0] = (float)c->proc;
        o[1] = has_due ? (float)c->due : 0;
        o[2] = has_due ? (float)(c->due - now - c->work_left) : 0;
        o[3] = (float)c->work_left;
        o[4] = (float)c->ops_left;
        o[5] = (float)(now - c->arrival);
        o[6] = (float)c->job_work;
        o[7] = (float)c->next_proc;
        o[8] = (float)s->product[k];
        o[9] = (float)has_due;
        o[10] = (float)k;
        mask[k] = 1;
    }
    float *g = obs + f->maxc * TSIM_ENV_CAND_FEATURES;
    g[0] = (float)now;
    g[1] = (float)s->sim->completed;
    g[2] = (float)s->queue;
    g[3] = (float)s->asking;
    *agent = s->asking;
    *candidates = (int32_t)s->nc;
    *clock = now;
}

/* ---------------------------------------------------------------------------------------------
 * Making and freeing
 * ------------------------------------------------------------------------------------------- */

int tsim__fenv_create(const struct tsim_model *m, double horizon,
                      const struct tsim_env_config *cfg, size_t maxc, struct tsim__fenv **out)
{
    const char *fn = "tsim_env_create_model";
    *out = NULL;
    if (!m) return tsim__fail(TSIM_EINVAL, fn, "'m' is NULL");
    if (!(horizon > 0) || !isfinite(horizon))
        return tsim__fail(TSIM_ERANGE, fn, "the horizon is %g: an episode runs to a finite time "
                          "after 0 (a model file's is its 'run: {horizon: ...}')", horizon);
    struct tsim__fenv *f = tsim__calloc(1, sizeof *f);
    f->m = m;
    f->horizon = horizon;
    f->n = (size_t)cfg->num_envs;
    f->maxc = maxc;
    size_t nb = (size_t)m->nblocks;
    f->seq_agent = tsim__malloc(nb * sizeof *f->seq_agent);
    f->route_agent = tsim__malloc(nb * sizeof *f->route_agent);
    f->agent_block = tsim__malloc(2 * nb * sizeof *f->agent_block);
    f->is_route = tsim__malloc(2 * nb);
    for (int b = 0; b < m->nblocks; b++) {
        const struct tsim__block_desc *d = &m->blocks[b];
        f->seq_agent[b] = f->route_agent[b] = -1;
        int seq = tsim__seq_is_agent(d), route = tsim__route_is_agent(d);
        if (seq && route) {
            tsim__fenv_destroy(f);
            return tsim__fail(TSIM_EINVAL, fn, "buffer '%s' has 'rule: agent' and a route with "
                              "'rule: agent': give the agent one of the two", d->name);
        }
        if (route && (size_t)d->route.n > maxc) {
            tsim__fenv_destroy(f);
            return tsim__fail(TSIM_ERANGE, fn, "the route of '%s' has %d targets, more than "
                              "'max_candidates' (%zu)", d->name, d->route.n, maxc);
        }
        if (seq || route) {
            (seq ? f->seq_agent : f->route_agent)[b] = (int)f->nagents;
            f->is_route[f->nagents] = (uint8_t)route;
            f->agent_block[f->nagents++] = (uint32_t)b;
        }
    }
    if (f->nagents == 0) {
        tsim__fenv_destroy(f);
        return tsim__fail(TSIM_EINVAL, fn, "model '%s' has no decision point: give a buffer "
                          "'rule: agent' or a route '{rule: agent, among: [...]}' (docs/ai.md)",
                          m->name ? m->name : "");
    }
    f->sims = tsim__calloc(f->n, sizeof *f->sims);
    for (size_t i = 0; i < f->n; i++) {
        struct fsim *s = &f->sims[i];
        s->f = f;
        s->seed = cfg->seed;
        s->sim = tsim_sim_create(m, cfg->seed, i);
        if (!s->sim) {
            tsim__fenv_destroy(f);
            return tsim__fail(TSIM_EMODEL, fn, "%s", tsim_errmsg());
        }
        s->sim->agent = s;
        s->pending = tsim__malloc(f->nagents * sizeof *s->pending);
        s->ask_e = tsim__malloc(f->nagents * sizeof *s->ask_e);
        s->rfeat = tsim__malloc(maxc * TSIM__PF_COUNT * sizeof *s->rfeat);
        s->who = tsim__malloc(maxc * sizeof *s->who);
        s->cand = tsim__malloc(maxc * sizeof *s->cand);
        s->product = tsim__malloc(maxc * sizeof *s->product);
    }
    *out = f;
    return 0;
}

void tsim__fenv_destroy(struct tsim__fenv *f)
{
    if (!f) return;
    for (size_t i = 0; f->sims && i < f->n; i++) {
        struct fsim *s = &f->sims[i];
        tsim_sim_destroy(s->sim);
        tsim__free(s->pending);
        tsim__free(s->ask_e);
        tsim__free(s->rfeat);
        tsim__free(s->who);
        tsim__free(s->cand);
        tsim__free(s->product);
    }
    tsim__free(f->sims);
    tsim__free(f->seq_agent);
    tsim__free(f->route_agent);
    tsim__free(f->agent_block);
    tsim__free(f->is_route);
    tsim__free(f);
}

uint32_t tsim__fenv_agents(const struct tsim__fenv *f) { return f->nagents; }

const char *tsim__fenv_agent_name(const struct tsim__fenv *f, uint32_t k)
{
    return k < f->nagents ? f->m->blocks[f->agent_block[k]].name : NULL;
}

int tsim__fenv_agent_is_route(const struct tsim__fenv *f, uint32_t k)
{
    return k < f->nagents ? f->is_route[k] : -1;
}

size_t tsim__fenv_sim_bytes(const struct tsim__fenv *f)
{
    return sizeof(struct fsim) + f->nagents * 2 * sizeof(uint32_t) +
           f->maxc * (2 * sizeof(uint32_t) + sizeof(struct tsim__cand) +
                      TSIM__PF_COUNT * sizeof(double));
}
