/*
 * The sequencing decision point of a buffer (`rule:`, docs/logic.md): a built-in rule of
 * rules.h asked, each time the buffer sends, which entity of its queue goes next.
 *
 * The candidates' features come from the entity and the block it waits for: `proc` is the mean
 * processing time of its product at the buffer's next block (a machine or an assembly behind a
 * single route; 0 otherwise), `due` its due date (DBL_MAX without one, so that a weight of 0
 * times it is 0, never a NaN), `work_left` = `proc` and `ops_left` = 1 (an entity carries no
 * later operations), `arrival` when it entered the buffer and `seq` its place in the queue,
 * which the buffer keeps in arrival order. An entity waiting here for an operation of its
 * routing sheet (this buffer is the operation's group) has the sheet's features instead: the
 * operation's mean time, the mean time and count of it and every later one, the whole job's
 * and the next operation's mean times.
 *
 * A learned rule (`policy:PATH`, docs/ai.md) reads its weights file once, when the rule is set;
 * the model owns the weights (seq.release frees them with the model) and every sim of it, on any
 * thread, reads them without writing. It is given the features above: proc, due, slack, work,
 * ops and wait; a weights file that reads another (the job shop's job_work, next_queue, ...)
 * is refused where the rule is set, at the feature's FILE:LINE:COL.
 *
 * The queue may be long, the candidates array is not: the rule is asked over chunks of CHUNK
 * candidates, the winner of each chunk carried into the next as its first. Every rule but
 * RANDOM is an argmin of a key that depends on the candidate and the clock alone, ties to the
 * smaller seq, a total order, so the winner of the chunks is the winner of the whole queue.
 * RANDOM draws one index over the whole queue, from the buffer's second stream (BUFFER/aux,
 * which a buffer draws from for nothing else), as rules.c does: floor(u * n).
 *
 * That pass is O(n) per decision. A rule whose key stays as it is while an entity waits also
 * gives the buffer its key (static_key, desc.h's tsim__seq_key); the buffer then keeps an index
 * of its queue by (key, arrival) and sends its first entity without asking `choose`, in
 * O(log n). SLACK, CR, a weighted rule with slack or wait, RANDOM and a policy keep the pass.
 */
#include "blocks/sim.h"
#include "core/core.h"
#include "core/names.h"
#include "logic/logic.h"
#include "logic/policy.h"
#include "logic/rules.h"

#include <ctype.h>
#include <float.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CHUNK 64

/* The mean processing time of each product at block `b`'s next block, or 0. */
static double proc_of(const struct tsim_sim *sim, uint32_t b, int product)
{
    const struct tsim__route *r = &sim->blocks[b].route;
    if (r->rule != TSIM_ROUTE_SINGLE) return 0;
    const struct tsim__pdist *p = &sim->blocks[r->to[0]].process;
    const struct tsim_dist *d = p->by_product ? p->by_product[product] : NULL;
    return d ? tsim_dist_mean(d) : 0;
}

/* The features of entity `e` waiting in buffer `b`, the `seq`-th of its queue (logic.h). */
void tsim__seq_cand(const struct tsim_sim *sim, uint32_t b, uint32_t e, uint64_t seq,
                    struct tsim__cand *c)
{
    double tpu = sim->tpu;
    const struct tsim__entity *en = &sim->ents[e];
    const struct tsim__sheet *sh = sim->m->sheets ? &sim->m->sheets[en->product] : NULL;
    *c = (struct tsim__cand){
        .seq = seq,
        .arrival = (double)en->t_in / tpu,
        .due = en->due == TSIM__NEVER ? DBL_MAX : (double)en->due / tpu,
    };
    if (sh && en->step > 0 && (uint32_t)en->step <= (uint32_t)sh->n &&
        sh->op[en->step - 1].group == (int)b) {
        /* It waits here for operation step - 1 of its routing sheet. */
        size_t i = (size_t)en->step - 1;
        c->proc = sh->rest[i] - sh->rest[i + 1];
        c->work_left = sh->rest[i];
        c->ops_left = (double)(sh->n - (int)i);
        c->job_work = sh->rest[0];
        c->next_proc = sh->rest[i + 1] - (i + 2 <= (size_t)sh->n ? sh->rest[i + 2] : 0);
    } else {
        c->proc = c->work_left = proc_of(sim, b, en->product);
        c->ops_left = 1;
    }
}

static uint32_t choose(struct tsim_sim *sim, uint32_t b, uint32_t head, const void *ctx)
{
    const struct tsim__rule *r = ctx;
    if (r->kind == TSIM__RULE_RANDOM) {
        uint64_t n = 0;
        for (uint32_t e = head; e != TSIM__NIL; e = sim->ents[e].next) n++;
        if (n < 2) return head;
        double u = tsim__draw_u(sim, &tsim__hdr(sim, b)->rng[TSIM__RNG_AUX]);
        uint64_t i = (uint64_t)(u * (double)n);
        if (i >= n) i = n - 1;
        uint32_t e = head;
        while (i-- > 0) e = sim->ents[e].next;
        return e;
    }
    double tpu = sim->tpu, now = (double)sim->now / tpu;
    struct tsim__cand c[CHUNK];
    uint32_t who[CHUNK];
    size_t k = 0;
    uint64_t seq = 0;
    for (uint32_t e = head; e != TSIM__NIL; e = sim->ents[e].next) {
        tsim__seq_cand(sim, b, e, seq++, &c[k]);
        who[k++] = e;
        if (k == CHUNK) {
            size_t i = tsim__rule_choose(r, c, k, now, NULL);
            c[0] = c[i];
            who[0] = who[i];
            k = 1;
        }
    }
    return who[tsim__rule_choose(r, c, k, now, NULL)];
}

/* The key of entity `e`, the `seq`-th to arrive at buffer `b`, under a rule whose key does not
 * change while it waits (static_rule): the same number as rules.c's ARGMIN computes for it, so
 * that the index the buffer keeps by it (desc.h, tsim__seq_key) sends what `choose` would. The
 * candidate's features are the entity's and its product's and routing sheet's, which stay as
 * they are while it waits (a buffer whose own route moves an entity along its sheet, which a
 * refusal would leave moved, keeps the scan: buffer.c). LIFO's seq is the queue's arrival
 * count, not the place in it that `choose` sees; the order of the two is the same. A weighted
 * rule has no weight on slack or wait here, so those terms are 0 x a finite number at any
 * time, and the sum is computed as rules.c does at time 0. */
static double static_key(const struct tsim_sim *sim, uint32_t b, uint32_t e, uint64_t seq,
                         const void *ctx)
{
    const struct tsim__rule *r = ctx;
    struct tsim__cand c;
    tsim__seq_cand(sim, b, e, seq, &c);
    const double *w = r->w, now = 0;
    switch (r->kind) {
    case TSIM__RULE_LIFO: return -(double)seq;
    case TSIM__RULE_SPT: return c.proc;
    case TSIM__RULE_LPT: return -c.proc;
    case TSIM__RULE_EDD: return c.due;
    case TSIM__RULE_MWKR: return -c.work_left;
    case TSIM__RULE_LWKR: return c.work_left;
    case TSIM__RULE_MOPNR: return -c.ops_left;
    case TSIM__RULE_WEIGHTED:
        return w[TSIM__FEAT_PROC] * c.proc + w[TSIM__FEAT_DUE] * c.due +
               w[TSIM__FEAT_SLACK] * (c.due - now - c.work_left) +
               w[TSIM__FEAT_WORK] * c.work_left + w[TSIM__FEAT_OPS] * c.ops_left +
               w[TSIM__FEAT_WAIT] * (now - c.arrival);
    default: return 0; /* not reached: static_rule */
    }
}

/* Whether rule `r`'s key stays as it is while an entity waits (static_key). Those of SLACK, CR
 * and a weighted rule with slack or wait move with the clock, each candidate's differently;
 * RANDOM and a policy are no argmin of a key. */
static int static_rule(const struct tsim__rule *r)
{
    switch (r->kind) {
    case TSIM__RULE_LIFO:
    case TSIM__RULE_SPT:
    case TSIM__RULE_LPT:
    case TSIM__RULE_EDD:
    case TSIM__RULE_MWKR:
    case TSIM__RULE_LWKR:
    case TSIM__RULE_MOPNR: return 1;
    case TSIM__RULE_WEIGHTED: return r->w[TSIM__FEAT_SLACK] == 0 && r->w[TSIM__FEAT_WAIT] == 0;
    default: return 0;
    }
}

/* rule: agent (docs/ai.md): the environment that steps the sim chooses (fenv.c); a queue of one
 * needs no choice, and a sim that no environment steps serves its queue first in, first out. */
static uint32_t choose_agent(struct tsim_sim *sim, uint32_t b, uint32_t head, const void *ctx)
{
    (void)ctx;
    if (!sim->agent || sim->ents[head].next == TSIM__NIL) return head;
    return tsim__fenv_ask(sim, b, head);
}

int tsim__seq_is_agent(const struct tsim__block_desc *d) { return d->seq.choose == choose_agent; }

/* A rule's copy as a buffer's ctx, freed with what it owns (a policy's weights). */
static void rule_free(void *ctx)
{
    tsim__rule_release(ctx);
    tsim__free(ctx);
}

/* The features a buffer gives a policy (docs/ai.md): those computed from the entity and the
 * clock; the job's routing and the next machines' loads are not known here. */
#define BUFFER_PFEATS                                                                         \
    ((1u << TSIM__PF_PROC) | (1u << TSIM__PF_DUE) | (1u << TSIM__PF_SLACK) |                  \
     (1u << TSIM__PF_WORK) | (1u << TSIM__PF_OPS) | (1u << TSIM__PF_WAIT))

/* "FILE:LINE:COL: error: WHAT" as "FILE:LINE:COL: WHAT", for a caller that puts its own
 * position and "error:" in front. */
void tsim__drop_error_word(char *msg)
{
    char *e = strstr(msg, ": error: ");
    if (e) memmove(e + 2, e + 9, strlen(e + 9) + 1);
}

int tsim__seq_attach(struct tsim_model *m, int block, const char *text, const char *base_dir,
                     char *err, size_t errlen)
{
    struct tsim__rule r;
    /* policy:PATH with a relative PATH is found next to the model file, as data files are. */
    char *path = NULL;
    const char *t = text;
    while (isspace((unsigned char)*t)) t++;
    if (strncasecmp(t, "policy:", 7) == 0 && t[7] != '/' && t[7] != '\0' && base_dir &&
        base_dir[0]) {
        size_t n = strlen(base_dir) + strlen(t) + 2;
        path = tsim__malloc(n);
        snprintf(path, n, "policy:%s/%s", base_dir, t + 7);
        t = path;
    }
    if (strcasecmp(t, "lua") == 0) {
        /* its code is the buffer's 'lua' key, which only the model file has */
        snprintf(err, errlen, "rule 'lua' takes its code from the model file (write 'rule: lua' "
                              "and 'lua: CODE' in the buffer)");
        return TSIM_EPARSE;
    }
    if (strcasecmp(t, "agent") == 0) {
        struct tsim__block_desc *d = &m->blocks[block];
        if (d->seq.release) d->seq.release(d->seq.ctx);
        d->seq = (struct tsim__seq){choose_agent, NULL, NULL};
        d->seq_key = (struct tsim__seq_key){NULL, NULL};
        d->discipline = TSIM_FIFO;
        return 0;
    }
    int rc = tsim__rule_parse(&r, t, err, errlen);
    /* The buffer's own rule is not among the rules' names that the message lists. */
    if (rc == TSIM_EPARSE && strstr(err, " (rules: ") && tsim__edit_distance(t, "agent", 3) <= 2)
        snprintf(err, errlen, "unknown rule '%s' (did you mean 'agent'?)", t);
    tsim__free(path);
    if (rc == 0 && r.kind == TSIM__RULE_POLICY)
        rc = tsim__policy_require(r.policy, BUFFER_PFEATS, "a buffer", err, errlen);
    if (rc != 0) {
        if (r.kind == TSIM__RULE_POLICY) tsim__rule_release(&r);
        tsim__drop_error_word(err);
        return rc;
    }
    struct tsim__block_desc *d = &m->blocks[block];
    if (d->seq.release) d->seq.release(d->seq.ctx);
    d->seq = (struct tsim__seq){NULL, NULL, NULL};
    d->seq_key = (struct tsim__seq_key){NULL, NULL};
    d->discipline = TSIM_FIFO; /* a rule orders the queue in place of any discipline */
    if (r.kind == TSIM__RULE_FIFO) return 0; /* the buffer's own queue, at no cost */
    struct tsim__rule *x = tsim__malloc(sizeof *x);
    *x = r;
    d->seq = (struct tsim__seq){choose, x, rule_free};
    if (static_rule(x)) d->seq_key = (struct tsim__seq_key){choose, static_key};
    return 0;
}
