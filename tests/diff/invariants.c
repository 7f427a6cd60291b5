/*
 * invariants: runs model files through the public C API with an observer and checks, on every
 * replication, what must hold whatever the model (tests/diff/run.sh feeds it the random models;
 * the Makefile builds it, so it runs under ASan+UBSan too):
 *
 * - at every observation: per block, conservation (the content the engine reports equals the
 *   entities that entered minus those that left, scrapped ones included, plus those born in the
 *   block: an assembly's product and a split's copies, which enter nowhere), no negative content,
 *   tsim_block_content agreeing, time never going back, an entity never entering a block it is
 *   in, leaving one it did not enter (unless born there) or coming back once it has left the
 *   system, and a state observation that changes the state;
 * - at the end of each replication: the engine's KPIs recomputed from the observations alone
 *   (entered, left, time-average content, buffer waits, sink and system lead times, completed,
 *   created, scrap and drops, WIP = the sum of the contents, every machine state share), each
 *   within 1e-9 relative; state shares summing to 1; the clock at the horizon; a run without a
 *   horizon ending with no entity left; no stall (entities present and none moving, or entering
 *   and none leaving, through the last third of the run);
 * - over the replications: Little's law L = lambda W for every buffer and for the system, within
 *   its Student-t interval at a Bonferroni-corrected level plus the edge terms the window cuts;
 * - no hang: a replication that runs longer than --timeout seconds of wall clock is stopped and
 *   reported; a whole run longer than the sum is ended by an alarm.
 *
 *   invariants [--reps N] [--timeout S] MODEL.yaml...
 *
 * Prints "PASS invariants MODEL" or "FAIL invariants MODEL: ..." per model (tests/run.sh counts
 * them); exits 1 if one failed. The warm-up is found on its tick by a run up to it, and an
 * observation at that instant belongs before it, as in the engine.
 */
#include "twinsim.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SERVERS 64
#define MAX_PROBLEMS 8
#define LEVEL 0.9999 /* per model family of Little checks, before Bonferroni */

struct server {
    int state;
    double since;
    double acc[TSIM_STATE_COUNT];
};

struct block {
    enum tsim_block_type type;
    const char *name;
    uint64_t count;      /* entities in it by the observations, born ones included */
    double t_last, area; /* area: integral of count over the window */
    double birth_t;      /* a split: its last entry; an assembly: its last set's start */
    uint64_t orig;       /* a split: its last entity, whose copies it makes */
    size_t set_begin;    /* an assembly: where its next set's parts begin in ctx.parts */
    uint64_t at_start;   /* entities put in before the observer was (a population), unnamed */
    uint64_t entered, left, scrapped, dropped; /* in the window */
    double wait_sum, edge_start;
    uint64_t wait_n;
    int nservers;
    struct server srv[MAX_SERVERS];
};

/* Where an entity is: (block, time it entered). An entity handed on is in both blocks until the
 * sender's leave, which the engine reports once the offer has returned; a part handed through
 * several blocks at one instant is in all of them for that instant. */
struct node {
    int block;
    uint32_t next;
    double tin;
};

/* An entity, by id. Its creation time (for lead times) is known only once its origin shows: a
 * source's leave comes after the entity entered the next block, a split's copy or an assembly's
 * product is seen first where it goes; so it is worked out at the end of the replication. */
enum { FROM_SOURCE, FROM_SPLIT, FROM_ASSEMBLY };
struct ent {
    uint32_t at;    /* the blocks it is in: a list of ctx.nodes, 0 ending it */
    double first;   /* first observed */
    double t_sys;   /* when it began to count in the system's WIP */
    int seen, gone, from, resolved, last_left, born_in;
    int origin_seen; /* its source's leave, or its birth in a split or an assembly, was seen */
    uint64_t orig;  /* FROM_SPLIT: the entity it is a copy of */
    size_t p0, p1;  /* FROM_ASSEMBLY: its parts are those of ctx.parts[p0..p1) consumed where
                     * it was born */
    double created; /* once resolved */
};

struct event {
    uint64_t id;
    double t;
    int block;
};

struct vec {
    void *a;
    size_t n, cap, size;
};

static void *push(struct vec *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 256;
        v->a = realloc(v->a, v->cap * v->size);
        if (!v->a) abort();
    }
    return (char *)v->a + v->size * v->n++;
}

struct ctx {
    struct tsim_sim *sim;
    const struct tsim_model *m;
    double warmup, horizon;
    int nblocks;
    struct block *b;
    struct ent *e;
    size_t ecap;
    double last_t;
    uint64_t nobs;
    int stopped;
    double wall_limit;
    struct timespec wall0;
    struct node *nodes;  /* nodes[0] unused; free ones linked from free_node */
    uint32_t nnodes, cap_nodes, free_node;
    struct vec parts;    /* struct event: parts consumed by the assemblies */
    struct vec arrivals; /* struct event: arrivals at sinks in the window */
    struct vec departs;  /* struct event: departures from the system in the window */
    /* movement in each third of the horizon: entries, departures from the system */
    uint64_t moves[3], leaves[3];
    int problems;
    char msg[MAX_PROBLEMS][200];
};

static const char *model_path;

static void problem(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct ctx *c, const char *fmt, ...)
{
    if (c->problems < MAX_PROBLEMS) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->msg[c->problems], sizeof c->msg[0], fmt, ap);
        va_end(ap);
    }
    c->problems++;
}

static int in_window(const struct ctx *c, double t) { return c->warmup <= 0 || t > c->warmup; }

/* The part of [a, b] inside the window. */
static double clip(const struct ctx *c, double a, double b)
{
    if (a < c->warmup) a = c->warmup;
    return b > a ? b - a : 0;
}

static struct ent *ent_of(struct ctx *c, uint64_t id, double t)
{
    if (id >= c->ecap) {
        size_t cap = c->ecap ? c->ecap : 1024;
        while (cap <= id) cap *= 2;
        c->e = realloc(c->e, cap * sizeof *c->e);
        if (!c->e) abort();
        memset(c->e + c->ecap, 0, (cap - c->ecap) * sizeof *c->e);
        c->ecap = cap;
    }
    struct ent *e = &c->e[id];
    if (!e->seen) {
        e->seen = 1;
        e->first = e->t_sys = t;
        e->from = FROM_SOURCE; /* until it leaves a split or an assembly it never entered */
        e->last_left = -1;
    }
    return e;
}

static void put(struct ctx *c, struct ent *e, int block, double t)
{
    uint32_t n = c->free_node;
    if (n) {
        c->free_node = c->nodes[n].next;
    } else {
        if (c->nnodes >= c->cap_nodes) {
            c->cap_nodes = c->cap_nodes ? 2 * c->cap_nodes : 1024;
            c->nodes = realloc(c->nodes, c->cap_nodes * sizeof *c->nodes);
            if (!c->nodes) abort();
        }
        n = c->nnodes++;
    }
    c->nodes[n] = (struct node){block, e->at, t};
    e->at = n;
}

/* Take `block` off the entity's places: 1 and its entry time in *tin, or 0 if it is not there. */
static int take(struct ctx *c, struct ent *e, int block, double *tin)
{
    for (uint32_t *p = &e->at; *p; p = &c->nodes[*p].next) {
        uint32_t n = *p;
        if (c->nodes[n].block != block) continue;
        *tin = c->nodes[n].tin;
        *p = c->nodes[n].next;
        c->nodes[n].next = c->free_node;
        c->free_node = n;
        return 1;
    }
    return 0;
}

static int is_in(const struct ctx *c, const struct ent *e, int block)
{
    for (uint32_t n = e->at; n; n = c->nodes[n].next)
        if (c->nodes[n].block == block) return 1;
    return 0;
}

static void integrate(struct ctx *c, struct block *b, double t)
{
    b->area += (double)b->count * clip(c, b->t_last, t);
    b->t_last = t;
}

static int third(const struct ctx *c, double t)
{
    if (c->horizon <= 0) return 0;
    int k = (int)(3 * t / c->horizon);
    return k < 0 ? 0 : k > 2 ? 2 : k;
}

static void note(struct ctx *c, struct vec *v, uint64_t id, double t, int block)
{
    struct event *x = push(v);
    x->id = id;
    x->t = t;
    x->block = block;
}

/* The entity leaves the system (a sink, scrap, a drop, consumed by an assembly). */
static void depart(struct ctx *c, struct ent *e, uint64_t id, double t)
{
    e->gone = 1;
    c->leaves[third(c, t)]++;
    if (in_window(c, t)) note(c, &c->departs, id, t, -1);
}

static void watchdog(struct ctx *c)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)(now.tv_sec - c->wall0.tv_sec) +
               1e-9 * (double)(now.tv_nsec - c->wall0.tv_nsec);
    if (s > c->wall_limit && !c->stopped) {
        c->stopped = 1;
        problem(c, "hang: still running after %.0f s of wall clock, at t = %g", s, c->last_t);
        tsim_sim_stop(c->sim);
    }
}

static void on_state(struct ctx *c, struct block *b, const struct tsim_obs *o)
{
    if (o->server < 0 || o->server >= b->nservers || o->state < 0 ||
        o->state >= TSIM_STATE_COUNT) {
        problem(c, "'%s': state %d of server %d is out of range", b->name, o->state, o->server);
        return;
    }
    struct server *v = &b->srv[o->server];
    if (v->state == o->state)
        problem(c, "'%s' server %d: a state observation that changes nothing (%s) at t = %g",
                b->name, o->server, tsim_state_name((enum tsim_state)o->state), o->t);
    v->acc[v->state] += clip(c, v->since, o->t);
    v->since = o->t;
    v->state = o->state;
}

static void on_enter(struct ctx *c, struct block *b, struct ent *e, const struct tsim_obs *o)
{
    double t = o->t;
    if (e->gone)
        problem(c, "entity %llu entered '%s' after leaving the system",
                (unsigned long long)o->entity, b->name);
    if (is_in(c, e, o->block)) {
        problem(c, "entity %llu entered '%s' while in it", (unsigned long long)o->entity, b->name);
        return;
    }
    put(c, e, o->block, t);
    b->count++;
    c->moves[third(c, t)]++;
    if (in_window(c, t)) b->entered++;
    if (b->type == TSIM_SPLIT) {
        b->birth_t = t;
        b->orig = o->entity;
    }
    if (b->type == TSIM_SINK && in_window(c, t)) note(c, &c->arrivals, o->entity, t, o->block);
}

static void on_leave(struct ctx *c, struct block *b, struct ent *e, const struct tsim_obs *o)
{
    double t = o->t;
    double tin;
    if (take(c, e, o->block, &tin)) {
        b->count--;
        if (b->type == TSIM_BUFFER && in_window(c, t)) {
            b->wait_sum += t - tin;
            b->wait_n++;
            if (tin < c->warmup) b->edge_start += c->warmup - tin;
        }
        if (b->type == TSIM_ASSEMBLY) { /* a part of a set, consumed */
            note(c, &c->parts, o->entity, t, o->block);
            b->birth_t = t;
            depart(c, e, o->entity, t);
        }
    } else if (b->at_start > 0) {
        /* One of a population, sent in at time 0 before the observer was set. */
        b->at_start--;
        b->count--;
        e->first = e->t_sys = 0;
        e->origin_seen = 1;
        if (b->type == TSIM_BUFFER && in_window(c, t)) {
            b->wait_sum += t;
            b->wait_n++;
            if (c->warmup > 0) b->edge_start += c->warmup;
        }
    } else if (b->type == TSIM_SOURCE) {
        if (t != e->first || e->origin_seen)
            problem(c, "entity %llu left source '%s' at %g, seen first at %g%s",
                    (unsigned long long)o->entity, b->name, t, e->first,
                    e->origin_seen ? ", and its origin was seen before" : "");
        e->origin_seen = 1;
    } else if (b->type == TSIM_SPLIT || b->type == TSIM_ASSEMBLY) {
        /* Born in the block: counted there by the surplus (observe), not by an entry. */
        if (b->count == 0)
            problem(c, "'%s': entity %llu left, and none was there", b->name,
                    (unsigned long long)o->entity);
        else
            b->count--;
        e->t_sys = b->birth_t;
        if (e->origin_seen)
            problem(c, "entity %llu left '%s', where it was born, after its origin was seen",
                    (unsigned long long)o->entity, b->name);
        e->origin_seen = 1;
        if (b->type == TSIM_SPLIT) {
            e->from = FROM_SPLIT;
            e->orig = b->orig;
        } else {
            e->from = FROM_ASSEMBLY;
            e->born_in = o->block;
            e->p0 = b->set_begin;
            e->p1 = b->set_begin = c->parts.n;
        }
    } else {
        problem(c, "entity %llu left '%s', which it never entered", (unsigned long long)o->entity,
                b->name);
    }
    e->last_left = o->block;
    if (in_window(c, t)) b->left++;
    if (b->type == TSIM_SINK) depart(c, e, o->entity, t);
}

static void on_drop(struct ctx *c, struct block *b, struct ent *e, const struct tsim_obs *o)
{
    int here = is_in(c, e, o->block);
    if (in_window(c, o->t)) {
        /* Scrap: after its leave from the machine. An arrival's drop: before it is counted in.
         * An unroutable entity: dropped where it is, counted in no KPI. */
        if (!here && !e->at && e->last_left == o->block) b->scrapped++;
        else if (!here) b->dropped++;
    }
    if (!e->gone) depart(c, e, o->entity, o->t);
}

static void observe(void *vc, const struct tsim_obs *o)
{
    struct ctx *c = vc;
    if ((++c->nobs & 4095) == 0) watchdog(c);
    if (o->t < c->last_t) problem(c, "time went back from %g to %g", c->last_t, o->t);
    c->last_t = o->t;
    if (o->block < 0 || o->block >= c->nblocks) {
        problem(c, "observation of block %d, which does not exist", o->block);
        return;
    }
    struct block *b = &c->b[o->block];
    integrate(c, b, o->t);
    if (o->kind == TSIM_OBS_STATE) {
        on_state(c, b, o);
    } else {
        struct ent *e = ent_of(c, o->entity, o->t);
        if (o->kind == TSIM_OBS_ENTER) on_enter(c, b, e, o);
        else if (o->kind == TSIM_OBS_LEAVE) on_leave(c, b, e, o);
        else on_drop(c, b, e, o);
    }
    /* Conservation: the engine's content is what entered and did not leave (scrap leaves), plus
     * what was born here since the last observation (a split's copies, an assembly's product),
     * which counts from its birth. */
    uint64_t got = o->content;
    if (got > (uint64_t)INT64_MAX) problem(c, "'%s' has negative content", b->name);
    if (got != tsim_block_content(c->sim, o->block))
        problem(c, "'%s': observed content %llu, tsim_block_content %llu", b->name,
                (unsigned long long)got, (unsigned long long)tsim_block_content(c->sim, o->block));
    if (b->type == TSIM_SOURCE || b->type == TSIM_SINK) {
        if (b->type == TSIM_SINK && got > 1) problem(c, "sink '%s' holds %llu", b->name,
                                                     (unsigned long long)got);
        b->count = 0;
        return;
    }
    if (got > b->count &&
        (b->type == TSIM_SPLIT || b->type == TSIM_ASSEMBLY)) {
        uint64_t born = got - b->count;
        b->area += (double)born * clip(c, b->birth_t, o->t);
        b->count = got;
    }
    if (got != b->count)
        problem(c, "'%s' at t = %g: content %llu, but %llu entered and did not leave", b->name,
                o->t, (unsigned long long)got, (unsigned long long)b->count);
}

/* The creation time of entity `id` (lead times count from it): a source's entity was created
 * when it left the source, a copy when its original was, an assembly's product with its oldest
 * part. */
static double created(struct ctx *c, uint64_t id, int depth)
{
    struct ent *e = &c->e[id];
    if (e->resolved) return e->created;
    double t = e->first;
    if (depth > 64) {
        problem(c, "entity %llu: its origin does not resolve", (unsigned long long)id);
    } else if (e->from == FROM_SPLIT) {
        t = created(c, e->orig, depth + 1);
    } else if (e->from == FROM_ASSEMBLY) {
        t = INFINITY;
        const struct event *parts = c->parts.a;
        for (size_t i = e->p0; i < e->p1; i++)
            if (parts[i].block == e->born_in) t = fmin(t, created(c, parts[i].id, depth + 1));
    }
    e->resolved = 1;
    e->created = t;
    return t;
}

/* ----------------------------------------------------------------------------------------- */

static double kpi(const struct tsim_result *r, int block, const char *name)
{
    const struct tsim_kpi *k = tsim_result_find(r, block, name);
    return k ? k->value : NAN;
}

static void expect(struct ctx *c, const char *who, const char *what, double engine, double ours)
{
    if (!(fabs(engine - ours) <= 1e-9 * fmax(1.0, fabs(ours))))
        problem(c, "'%s' %s: engine %.12g, observed %.12g", who, what, engine, ours);
}

struct little {
    double d, edge; /* L - lambda W, and its edge allowance, per replication */
};

static void finish_rep(struct ctx *c, const struct tsim_result *r, struct little *lb,
                       struct little *ls)
{
    double end = r->end_time, window = end - r->start_time;
    if (c->horizon > 0 && fabs(end - c->horizon) > 1e-3 * c->horizon && !c->stopped)
        problem(c, "the run ended at %g, not at the horizon %g", end, c->horizon);
    /* Lead times, from the sinks' arrivals once every origin is known. */
    double *lead = calloc((size_t)c->nblocks, sizeof *lead), lead_all = 0;
    uint64_t *lead_n = calloc((size_t)c->nblocks, sizeof *lead_n), completed = 0;
    if (!lead || !lead_n) abort();
    const struct event *ev = c->arrivals.a;
    for (size_t i = 0; i < c->arrivals.n; i++) {
        double l = ev[i].t - created(c, ev[i].id, 0);
        lead[ev[i].block] += l;
        lead_n[ev[i].block]++;
        lead_all += l;
        completed++;
    }
    double wip = 0;
    uint64_t created_n = 0, live = 0;
    for (int i = 0; i < c->nblocks; i++) {
        struct block *b = &c->b[i];
        integrate(c, b, end);
        /* Born since the block's last observation (a split's copies still held) count too. */
        uint64_t now_in = tsim_block_content(c->sim, i);
        if (now_in > b->count && (b->type == TSIM_SPLIT || b->type == TSIM_ASSEMBLY)) {
            b->area += (double)(now_in - b->count) * clip(c, b->birth_t, end);
            b->count = now_in;
        }
        if (b->type != TSIM_SOURCE && now_in != b->count)
            problem(c, "'%s' holds %llu at the end, %llu by the observations", b->name,
                    (unsigned long long)now_in, (unsigned long long)b->count);
        if (b->type == TSIM_SOURCE) {
            created_n += b->left;
            expect(c, b->name, "left", kpi(r, i, "left"), (double)b->left);
            continue;
        }
        live += b->count;
        wip += b->area;
        expect(c, b->name, "entered", kpi(r, i, "entered"), (double)b->entered);
        expect(c, b->name, "left", kpi(r, i, "left"), (double)b->left);
        double mean = window > 0 ? b->area / window : (double)b->count;
        if (b->type != TSIM_SINK && b->type != TSIM_SPLIT)
            expect(c, b->name, "content", kpi(r, i, "content"), mean);
        if (b->type == TSIM_SINK)
            expect(c, b->name, "lead_time", kpi(r, i, "lead_time"),
                   lead_n[i] ? lead[i] / (double)lead_n[i] : 0);
        if (b->type == TSIM_BUFFER) {
            expect(c, b->name, "wait", kpi(r, i, "wait"),
                   b->wait_n ? b->wait_sum / (double)b->wait_n : 0);
            expect(c, b->name, "dropped", kpi(r, i, "dropped"), (double)b->dropped);
            /* Little: the time of those still inside cut by the end, of those that left cut
             * by the start. */
            double inside = 0;
            for (size_t id = 0; id < c->ecap; id++)
                for (uint32_t n = c->e[id].seen ? c->e[id].at : 0; n; n = c->nodes[n].next)
                    if (c->nodes[n].block == i) inside += clip(c, c->nodes[n].tin, end);
            lb[i].d = kpi(r, i, "content") - kpi(r, i, "throughput") * kpi(r, i, "wait");
            lb[i].edge = window > 0 ? fabs(inside - b->edge_start) / window : 0;
        }
        if (b->type == TSIM_MACHINE || b->type == TSIM_ASSEMBLY) {
            expect(c, b->name, "dropped", kpi(r, i, "dropped"), (double)b->dropped);
            if (b->type == TSIM_MACHINE)
                expect(c, b->name, "scrapped", kpi(r, i, "scrapped"), (double)b->scrapped);
            static const char *const names[TSIM_STATE_COUNT] = {
                "states.idle",  "states.busy",      "states.blocked", "states.down",
                "states.setup", "states.off_shift", "states.waiting"};
            double sum = 0;
            for (int s = 0; s < TSIM_STATE_COUNT; s++) {
                double acc = 0;
                for (int k = 0; k < b->nservers; k++) {
                    const struct server *v = &b->srv[k];
                    acc += v->acc[s] + (v->state == s ? clip(c, v->since, end) : 0);
                }
                double share = window > 0 ? acc / (window * b->nservers) : 0;
                double e = kpi(r, i, names[s]);
                expect(c, b->name, names[s], e, share);
                sum += e;
            }
            if (window > 0 && fabs(sum - 1) > 1e-9)
                problem(c, "'%s': state shares sum to %.12g", b->name, sum);
            expect(c, b->name, "utilization", kpi(r, i, "utilization"), kpi(r, i, "states.busy"));
        }
    }
    expect(c, "system", "wip", kpi(r, TSIM_KPI_SYSTEM, "wip"), window > 0 ? wip / window : 0);
    expect(c, "system", "completed", kpi(r, TSIM_KPI_SYSTEM, "completed"), (double)completed);
    expect(c, "system", "created", kpi(r, TSIM_KPI_SYSTEM, "created"), (double)created_n);
    expect(c, "system", "lead_time", kpi(r, TSIM_KPI_SYSTEM, "lead_time"),
           completed ? lead_all / (double)completed : 0);
    free(lead);
    free(lead_n);
    /* System Little: WIP against every departure (sinks, scrap, drops, parts consumed), each
     * from the time it began to count in WIP. */
    double stay = 0, cut = 0, inside = 0;
    ev = c->departs.a;
    for (size_t i = 0; i < c->departs.n; i++) {
        double t0 = c->e[ev[i].id].t_sys;
        stay += ev[i].t - t0;
        if (t0 < c->warmup) cut += c->warmup - t0;
    }
    uint64_t *named = calloc((size_t)c->nblocks, sizeof *named);
    if (!named) abort();
    for (size_t id = 0; id < c->ecap; id++) {
        const struct ent *e = &c->e[id];
        if (!e->seen || e->gone || !e->at) continue;
        inside += clip(c, e->t_sys, end);
        named[c->nodes[e->at].block]++;
    }
    /* Entities never named by an observation: a population's still where it was sent at time
     * 0, and a split's copies or an assembly's unit not yet handed on. */
    for (int i = 0; i < c->nblocks; i++) {
        const struct block *b = &c->b[i];
        if (b->type == TSIM_SOURCE || b->count < named[i]) continue;
        uint64_t unnamed = b->count - named[i];
        uint64_t old = unnamed < b->at_start ? unnamed : b->at_start;
        inside += (double)old * clip(c, 0, end) + (double)(unnamed - old) * clip(c, b->birth_t, end);
    }
    free(named);
    double n = (double)c->departs.n;
    ls->d = kpi(r, TSIM_KPI_SYSTEM, "wip") - (window > 0 ? n / window : 0) * (n ? stay / n : 0);
    ls->edge = window > 0 ? fabs(inside - cut) / window : 0;
    for (size_t id = 0; id < c->ecap; id++) {
        if (c->e[id].seen && !c->e[id].origin_seen) {
            problem(c, "entity %llu: neither its source's leave nor its birth was observed",
                    (unsigned long long)id);
            break;
        }
    }
    if (c->horizon <= 0 && live > 0 && !c->stopped)
        problem(c, "the run ended with %llu entities still in the model (it ended early)",
                (unsigned long long)live);
    if (c->horizon > 0 && !c->stopped) {
        if (c->moves[0] >= 30 && c->moves[2] == 0 && live > 0)
            problem(c, "stall: %llu entities in the model and none moved in the last third",
                    (unsigned long long)live);
        else if (c->leaves[0] + c->leaves[1] >= 30 && c->moves[2] > 0 && c->leaves[2] == 0)
            problem(c, "stall: entities kept coming and none left in the last third");
    }
}

/* |mean d| <= t * sd / sqrt(n) + mean edge, over n replications. */
static void check_little(struct ctx *c, const char *who, const struct little *x, int stride,
                         int n, double q)
{
    double md = 0, me = 0, ss = 0;
    for (int i = 0; i < n; i++) md += x[i * stride].d / n, me += x[i * stride].edge / n;
    for (int i = 0; i < n; i++) ss += (x[i * stride].d - md) * (x[i * stride].d - md);
    double hw = n > 1 ? q * sqrt(ss / (n - 1) / n) : 0;
    if (!(fabs(md) <= hw + me + 1e-9))
        problem(c, "Little's law fails for '%s': mean L - lambda W = %g, allowed %g (interval %g, "
                   "edges %g)", who, md, hw + me, hw, me);
}

static void on_alarm(int sig)
{
    static const char a[] = "FAIL invariants ";
    static const char b[] = ": hang: the whole run did not end in time\n";
    (void)sig;
    if (write(1, a, sizeof a - 1) < 0 || write(1, model_path, strlen(model_path)) < 0 ||
        write(1, b, sizeof b - 1) < 0) {
    }
    _exit(1);
}

static int check_model(const char *path, int reps, double timeout)
{
    struct tsim_diags diags;
    struct tsim_run_spec spec;
    tsim_diags_init(&diags);
    model_path = path;
    struct tsim_model *m = tsim_model_load_file(path, &spec, &diags);
    if (!m) {
        tsim_diags_print(&diags, path, stderr);
        tsim_diags_release(&diags);
        printf("FAIL invariants %s: the model does not load\n", path);
        return 1;
    }
    tsim_diags_release(&diags);
    struct ctx c = {0};
    c.parts.size = c.arrivals.size = c.departs.size = sizeof(struct event);
    c.m = m;
    c.nblocks = tsim_model_block_count(m);
    c.horizon = spec.horizon;
    c.warmup = spec.warmup_auto ? 0 : spec.warmup;
    c.wall_limit = timeout;
    int nb = c.nblocks;
    struct little *lb = calloc((size_t)reps * (size_t)nb + 1, sizeof *lb);
    struct little *ls = calloc((size_t)reps + 1, sizeof *ls);
    c.b = calloc((size_t)nb, sizeof *c.b);
    if (!lb || !ls || !c.b) abort();
    int problems = 0;
    if (c.warmup > 0) {
        /* The statistics restart on the tick nearest the warm-up: a run to it says which. */
        struct tsim_sim *sim = tsim_sim_create(m, spec.seed, 0);
        if (sim && tsim_sim_set_warmup(sim, c.warmup) == 0) {
            struct tsim_result r;
            tsim_result_init(&r);
            tsim_sim_run_until(sim, c.warmup);
            tsim_sim_result(sim, &r);
            c.warmup = r.start_time;
            tsim_result_release(&r);
        }
        tsim_sim_destroy(sim);
    }
    for (int rep = 0; rep < reps && !problems; rep++) {
        struct tsim_sim *sim = tsim_sim_create(m, spec.seed, (uint64_t)rep);
        if (!sim) {
            printf("FAIL invariants %s: %s\n", path, tsim_errmsg());
            problems = 1;
            break;
        }
        c.sim = sim;
        memset(c.b, 0, (size_t)nb * sizeof *c.b);
        if (c.e) memset(c.e, 0, c.ecap * sizeof *c.e);
        c.last_t = 0;
        c.nobs = 0;
        c.stopped = 0;
        c.parts.n = c.arrivals.n = c.departs.n = 0;
        c.nnodes = 1;
        c.free_node = 0;
        memset(c.moves, 0, sizeof c.moves);
        memset(c.leaves, 0, sizeof c.leaves);
        for (int i = 0; i < nb; i++) {
            struct block *b = &c.b[i];
            b->type = tsim_model_block_type(m, i);
            b->name = tsim_model_block_name(m, i);
            /* What a population did at time 0, before the observer was set: counted in the
             * window when there is no warm-up. */
            b->count = b->at_start = b->type == TSIM_SOURCE ? 0 : tsim_block_content(sim, i);
            if (c.warmup <= 0) {
                b->entered = tsim_block_entered(sim, i);
                b->left = b->type == TSIM_SOURCE ? b->entered : b->entered - b->count;
                if (b->type == TSIM_BUFFER) b->wait_n = b->left;
            }
            for (int s = 0; s < MAX_SERVERS; s++) {
                int st = tsim_machine_state(sim, i, s);
                if (st < 0) break;
                b->srv[s].state = st;
                b->nservers = s + 1;
            }
        }
        if (c.warmup > 0 && tsim_sim_set_warmup(sim, c.warmup) != 0) problem(&c, "%s", tsim_errmsg());
        tsim_sim_set_observer(sim, observe, &c);
        clock_gettime(CLOCK_MONOTONIC, &c.wall0);
        if (c.horizon > 0) tsim_sim_run_until(sim, c.horizon);
        else tsim_sim_run(sim);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        finish_rep(&c, &r, lb + (size_t)rep * (size_t)nb, ls + rep);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        if (c.problems) {
            printf("FAIL invariants %s: replication %d:\n", path, rep);
            for (int i = 0; i < c.problems && i < MAX_PROBLEMS; i++) printf("    %s\n", c.msg[i]);
            if (c.problems > MAX_PROBLEMS) printf("    ... %d more\n", c.problems - MAX_PROBLEMS);
            problems = 1;
        }
    }
    if (!problems && reps > 1) {
        int n = 1;
        for (int i = 0; i < nb; i++) n += c.b[i].type == TSIM_BUFFER;
        double q = tsim_t_quantile(1 - (1 - LEVEL) / (2.0 * n), reps - 1);
        for (int i = 0; i < nb; i++)
            if (c.b[i].type == TSIM_BUFFER) check_little(&c, c.b[i].name, lb + i, nb, reps, q);
        check_little(&c, "system", ls, 1, reps, q);
        if (c.problems) {
            printf("FAIL invariants %s:\n", path);
            for (int i = 0; i < c.problems && i < MAX_PROBLEMS; i++) printf("    %s\n", c.msg[i]);
            problems = 1;
        }
    }
    if (!problems) printf("PASS invariants %s (%d replications)\n", path, reps);
    fflush(stdout);
    free(lb);
    free(ls);
    free(c.b);
    free(c.e);
    free(c.nodes);
    free(c.parts.a);
    free(c.arrivals.a);
    free(c.departs.a);
    tsim_model_destroy(m);
    return problems;
}

int main(int argc, char **argv)
{
    int reps = 10, failed = 0, nmodels = 0;
    double timeout = 60;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) timeout = atof(argv[++i]);
        else nmodels++;
    }
    if (reps < 1 || nmodels == 0) {
        fprintf(stderr, "usage: invariants [--reps N] [--timeout SECONDS] MODEL.yaml...\n");
        return 2;
    }
    signal(SIGALRM, on_alarm);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 || strcmp(argv[i], "--timeout") == 0) {
            i++;
            continue;
        }
        alarm((unsigned)(timeout * reps + 10));
        failed |= check_model(argv[i], reps, timeout);
        alarm(0);
    }
    return failed;
}
