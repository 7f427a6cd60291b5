/*
 * The environment's decision points in a factory model (docs/ai.md): every buffer with
 * `rule: agent` asks the environment which entity of its queue it sends next. env.c holds the
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
 * Invariants: a sim is live (`asking` is a buffer whose queue holds `nc` >= 2 candidates, the
 * first `nc` of them in `who`/`cand`) or done (`asking` is TSIM__NIL: the horizon is reached or
 * the sim stopped with an error). `pending` holds the buffers that asked in the same event, each
 * once, in the order they asked: they are shown one after the other before the sim runs on.
 */
#include "logic/fenv.h"

#include "blocks/sim.h"
#include "blocks/station.h"
#include "core/core.h"
#include "logic/logic.h"
#include "logic/rules.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct fsim {
    struct tsim__fenv *f;
    struct tsim_sim *sim;
    uint64_t seed, episode; /* episode k of sim i is replication i + k * N of `seed` */
    uint32_t asking;        /* the buffer shown, or TSIM__NIL once done */
    uint32_t answer_b, answer_e; /* the answer the next pull of answer_b sends */
    uint32_t *pending;      /* [nagents] */
    uint32_t npending;
    uint32_t *who;          /* [max_candidates]: the candidates' entities */
    struct tsim__cand *cand;
    uint32_t *product;
    size_t nc, queue;       /* candidates shown; entities in the asking queue */
};

struct tsim__fenv {
    const struct tsim_model *m; /* borrowed: the caller keeps it alive */
    double horizon;
    size_t n, maxc;
    int *agent_of; /* [block]: its decision point's number, -1 if none */
    uint32_t nagents;
    uint32_t *agent_block; /* [nagents] */
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

uint32_t tsim__fenv_ask(struct tsim_sim *sim, uint32_t b, uint32_t head)
{
    struct fsim *s = sim->agent;
    if (s->answer_b == b && s->answer_e != TSIM__NIL) {
        uint32_t e = s->answer_e;
        s->answer_e = TSIM__NIL;
        return e;
    }
    /* A buffer tries again to send as soon as one entity has gone; where the next block is now
     * full, the head is refused there as any rule's choice would be, and no one is asked: the
     * decision comes when the next block has room. */
    if (!next_takes(sim, b)) return head;
    for (uint32_t k = 0; k < s->npending; k++)
        if (s->pending[k] == b) return TSIM__NIL;
    s->pending[s->npending++] = b;
    tsim_sim_stop(sim);
    return TSIM__NIL;
}

/* Show buffer b's decision, if its queue still holds two or more: its first maxc entities. */
static int show(struct fsim *s, uint32_t b)
{
    struct tsim_sim *sim = s->sim;
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
    s->asking = b;
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
            uint32_t b = s->pending[0];
            memmove(s->pending, s->pending + 1, (s->npending - 1) * sizeof *s->pending);
            s->npending--;
            if (show(s, b)) return;
            /* Fewer than two wait now: the buffer serves what it holds without asking. */
            sim->vt[b]->pull(sim, b);
        }
        if (sim->err || tsim_sim_now(sim) >= s->f->horizon) break;
        tsim_sim_run_until(sim, s->f->horizon);
        if (s->npending == 0) break; /* the horizon, or an error */
    }
    s->asking = TSIM__NIL;
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
    s->answer_b = s->answer_e = TSIM__NIL;
    tsim_sim_reset(s->sim, s->seed, i + s->episode * f->n);
    advance(s);
}

void tsim__fenv_apply(struct tsim__fenv *f, size_t i, int32_t action)
{
    struct fsim *s = &f->sims[i];
    uint32_t b = s->asking;
    s->answer_b = b;
    s->answer_e = s->who[action];
    s->sim->vt[b]->pull(s->sim, b);
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
    *now = tsim_sim_now(f->sims[i].sim);
    return f->sims[i].cand;
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
    for (size_t k = 0; k < s->nc; k++) {
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
    int32_t a = s->asking == TSIM__NIL ? -1 : f->agent_of[s->asking];
    g[3] = (float)a;
    *agent = a;
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
    f->agent_of = tsim__malloc((size_t)m->nblocks * sizeof *f->agent_of);
    f->agent_block = tsim__malloc((size_t)m->nblocks * sizeof *f->agent_block);
    for (int b = 0; b < m->nblocks; b++) {
        f->agent_of[b] = -1;
        if (tsim__seq_is_agent(&m->blocks[b])) {
            f->agent_of[b] = (int)f->nagents;
            f->agent_block[f->nagents++] = (uint32_t)b;
        }
    }
    if (f->nagents == 0) {
        tsim__fenv_destroy(f);
        return tsim__fail(TSIM_EINVAL, fn, "model '%s' has no decision point: give a buffer "
                          "'rule: agent' (docs/ai.md)", m->name ? m->name : "");
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
        tsim__free(s->who);
        tsim__free(s->cand);
        tsim__free(s->product);
    }
    tsim__free(f->sims);
    tsim__free(f->agent_of);
    tsim__free(f->agent_block);
    tsim__free(f);
}

uint32_t tsim__fenv_agents(const struct tsim__fenv *f) { return f->nagents; }

const char *tsim__fenv_agent_name(const struct tsim__fenv *f, uint32_t k)
{
    return k < f->nagents ? f->m->blocks[f->agent_block[k]].name : NULL;
}

size_t tsim__fenv_sim_bytes(const struct tsim__fenv *f)
{
    return sizeof(struct fsim) + f->nagents * sizeof(uint32_t) +
           f->maxc * (2 * sizeof(uint32_t) + sizeof(struct tsim__cand));
}
