/*
 * The plant emulator: a sim of the model, run in scaled real time, whose observer publishes what
 * happens exactly as the mapping expects a plant to send it, so that the twin can be tried (and
 * tested) without a plant. It is the mapping read backwards: every rule the twin decodes, the
 * emulator composes. It is not a twin: it never listens.
 *
 * Timestamps are plant time (origin + model time), never the wall clock: at --speed 60 an hour of
 * plant time passes in a minute and the messages say so. Message ids are one sequence from 1.
 * With --batch N the events go out N to a message (a JSON array, as a gateway batches them), each
 * message no bigger than the mapping's payload cap, none held back beyond a 20 ms pacing tick.
 */
#include "blocks/dock.h"
#include "blocks/picking.h"
#include "blocks/storage.h"
#include "core/core.h"
#include "twin/twin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The first rule of `kind` that may carry block `block` (-1: any). */
static const struct tsim__rule *rule_for(const struct tsim__map *map, enum tsim__tev_kind kind,
                                         int block)
{
    for (int i = 0; i < map->nrules; i++) {
        const struct tsim__rule *r = &map->rules[i];
        if (r->kind != kind) continue;
        if (block < 0 || r->fixed_block < 0 || r->fixed_block == block) return r;
    }
    return NULL;
}

void tsim__emu_init(struct tsim__emu *e, const struct tsim__map *map, const struct tsim_sim *sim,
                    double origin, void (*emit)(void *ctx, const char *topic, const char *json),
                    void *ctx)
{
    const struct tsim_model *m = map->model;
    memset(e, 0, sizeof *e);
    e->map = map;
    e->origin = origin;
    double f = tsim_unit_factor(tsim_model_time_unit(m), "s");
    e->unit_s = f > 0 ? f : 1;
    e->emit = emit;
    e->ctx = ctx;
    e->sim = sim;
    int nb = tsim_model_block_count(m);
    e->entered = tsim__calloc((size_t)(nb ? nb : 1), sizeof *e->entered);
    e->srv_off = tsim__malloc(sizeof *e->srv_off * (size_t)(nb + 1));
    int total = 0;
    for (int b = 0; b < nb; b++) {
        e->srv_off[b] = total;
        if (tsim_model_block_servers(m, b) > 0)
            while (total - e->srv_off[b] < 4096 &&
                   tsim_machine_state(sim, b, total - e->srv_off[b]) >= 0)
                total++;
    }
    e->srv_off[nb] = total;
    e->last_word = tsim__malloc((size_t)(total ? total : 1));
    memset(e->last_word, -1, (size_t)(total ? total : 1));
}

void tsim__emu_release(struct tsim__emu *e)
{
    tsim__free(e->entered);
    tsim__free(e->srv_off);
    tsim__free(e->last_word);
}

static void add_ts(const struct tsim__emu *e, struct tsim__json *j, const char *key, double t)
{
    double ts = e->origin + t * e->unit_s;
    char buf[64];
    switch (e->map->ts_unit) {
    case TSIM__TS_MS:
        snprintf(buf, sizeof buf, "%.3f", ts * 1000.0);
        tsim__json_raw(j, key, buf);
        break;
    case TSIM__TS_ISO: {
        double whole = floor(ts);
        time_t secs = (time_t)whole;
        struct tm tm;
        gmtime_r(&secs, &tm);
        char frac[16];
        snprintf(frac, sizeof frac, "%.6f", ts - whole);
        snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 frac + 1 /* skip the leading 0 */);
        tsim__json_string(j, key, buf);
        break;
    }
    default:
        snprintf(buf, sizeof buf, "%.6f", ts);
        tsim__json_raw(j, key, buf);
        break;
    }
}

/* A message being written: its text and the writer over it. */
struct msg {
    struct tsim__sb text;
    struct tsim__json j;
    char topic[512];
};

/* Open a message of rule `r` at model time `t` for `block`, with the common fields; the caller
 * adds the rest and sends it with send_msg(). */
static void begin(struct tsim__emu *e, const struct tsim__rule *r, double t, int block,
                  struct msg *m)
{
    const struct tsim__map *map = e->map;
    memset(&m->text, 0, sizeof m->text);
    tsim__json_init_sb(&m->j, &m->text, TSIM__JSON_MSG);
    tsim__json_open(&m->j, NULL, '{', 0);
    add_ts(e, &m->j, map->ts_field, t);
    if (map->id_field) tsim__json_number(&m->j, map->id_field, (double)++e->seq);
    const char *bname = block >= 0 ? tsim__map_block_name(map, block) : "";
    if (r->field[TSIM__R_BLOCK]) tsim__json_string(&m->j, r->field[TSIM__R_BLOCK], bname);
    /* The topic: `{block}` replaced by the block's plant name. */
    const char *p = strstr(r->topic, "{block}");
    if (r->block_level >= 0 && p)
        snprintf(m->topic, sizeof m->topic, "%.*s%s%s", (int)(p - r->topic), r->topic, bname,
                 p + 7);
    else
        snprintf(m->topic, sizeof m->topic, "%s", r->topic);
}

static void send_msg(struct tsim__emu *e, struct msg *m)
{
    tsim__json_close(&m->j, '{');
    e->emit(e->ctx, m->topic, m->text.p);
    e->published++;
    tsim__sb_release(&m->text);
}

static void publish_state(struct tsim__emu *e, double t, int block, int server, int word)
{
    const struct tsim__rule *r = rule_for(e->map, TSIM__TEV_STATE, block);
    if (!r) return;
    struct msg m;
    begin(e, r, t, block, &m);
    if (r->field[TSIM__R_SERVER]) tsim__json_number(&m.j, r->field[TSIM__R_SERVER], server);
    tsim__json_string(&m.j, r->field[TSIM__R_STATE], e->map->state_word[word]);
    send_msg(e, &m);
}

static void publish_level(struct tsim__emu *e, double t, int block, uint64_t level, int product)
{
    const struct tsim__rule *r = rule_for(e->map, TSIM__TEV_LEVEL, block);
    if (!r) return;
    struct msg m;
    begin(e, r, t, block, &m);
    tsim__json_number(&m.j, r->field[TSIM__R_LEVEL], (double)level);
    if (product >= 0 && r->field[TSIM__R_PRODUCT])
        tsim__json_string(&m.j, r->field[TSIM__R_PRODUCT], tsim__map_product_name(e->map, product));
    send_msg(e, &m);
}

/* The warehouse's events (TSIM_OBS_TRUCK, _RELEASE, _PICK) as the warehouse system sends them:
 * a truck of the dock's records by its id, direction, pallets and door; an order of the picking
 * block's file by its id; a line by its order's id and its number. Orders drawn, not read, have
 * no ids and are not published. */
static void publish_wms(struct tsim__emu *e, const struct tsim_obs *ob)
{
    const struct tsim__map *map = e->map;
    static const enum tsim__tev_kind kind_of[] = {TSIM__TEV_TRUCK, TSIM__TEV_RELEASE,
                                                  TSIM__TEV_PICK};
    const struct tsim__rule *r = rule_for(map, kind_of[ob->kind - TSIM_OBS_TRUCK], ob->block);
    if (!r) return;
    struct msg m;
    if (ob->kind == TSIM_OBS_TRUCK) {
        struct tsim__dock_truck t;
        tsim__dock_truck(e->sim, ob->block, (int)ob->entity, &t);
        begin(e, r, ob->t, ob->block, &m);
        tsim__json_string(&m.j, r->field[TSIM__R_TRUCK], t.id);
        tsim__json_string(&m.j, r->field[TSIM__R_DIRECTION], t.outbound ? "outbound" : "inbound");
        tsim__json_number(&m.j, r->field[TSIM__R_PALLETS], (double)t.pallets);
        if (ob->server >= 0 && r->field[TSIM__R_DOOR])
            tsim__json_number(&m.j, r->field[TSIM__R_DOOR], ob->server + 1);
    } else if (ob->kind == TSIM_OBS_RELEASE) {
        const char *id = tsim__picking_order_id(map->model, ob->block, (uint32_t)ob->entity);
        if (!id) return;
        begin(e, r, ob->t, ob->block, &m);
        tsim__json_string(&m.j, r->field[TSIM__R_ORDER], id);
    } else {
        const char *id;
        int line = tsim__picking_line_of(map->model, ob->block, (uint32_t)ob->entity, &id);
        if (line < 0) return;
        begin(e, r, ob->t, ob->block, &m);
        tsim__json_string(&m.j, r->field[TSIM__R_ORDER], id);
        tsim__json_number(&m.j, r->field[TSIM__R_LINE], line);
    }
    send_msg(e, &m);
}

/* Every storage block's stock of every product, as a warehouse system's count: sent with the
 * whole state at the start and with every heartbeat before the end, after everything at that
 * instant has happened (as the twin applies it: after its own sim's events up to that time). */
static void publish_stock(struct tsim__emu *e, double t)
{
    const struct tsim__map *map = e->map;
    const struct tsim_model *m = map->model;
    int np = tsim_model_product_count(m);
    for (int b = 0; b < tsim_model_block_count(m); b++) {
        const struct tsim__rule *r = tsim__storage_is(m, b) ? rule_for(map, TSIM__TEV_STOCK, b)
                                                            : NULL;
        for (int p = 0; r && p < np; p++) {
            struct msg msg;
            begin(e, r, t, b, &msg);
            tsim__json_string(&msg.j, r->field[TSIM__R_PRODUCT], tsim__map_product_name(map, p));
            tsim__json_number(&msg.j, r->field[TSIM__R_LEVEL],
                              (double)tsim__storage_stock(e->sim, b, p));
            send_msg(e, &msg);
        }
    }
}

void tsim__emu_observe(void *ctx, const struct tsim_obs *ob)
{
    struct tsim__emu *e = ctx;
    const struct tsim__map *map = e->map;
    switch (ob->kind) {
    case TSIM_OBS_STATE: {
        /* A fleet's vehicle: its node and whether it drives, as VDA 5050 says them. */
        if (map->vda && ob->block == map->vda->fleet) {
            tsim__vda_emit(e, ob->t, ob->server);
            return;
        }
        int k = e->srv_off[ob->block] + ob->server;
        if (k >= e->srv_off[ob->block + 1]) return;
        int word = (int)tsim__pstate_of(ob->state);
        if (e->last_word[k] == word) return; /* e.g. idle -> blocked: the plant sees no change */
        e->last_word[k] = (signed char)word;
        publish_state(e, ob->t, ob->block, ob->server, word);
        break;
    }
    case TSIM_OBS_ENTER:
    case TSIM_OBS_LEAVE: {
        int enter = ob->kind == TSIM_OBS_ENTER;
        /* A source only reports parts leaving it, and each one enters the next block at the
         * same instant: the plant reports it there. */
        if (tsim_model_block_type(map->model, ob->block) == TSIM_SOURCE) return;
        if (enter) e->entered[ob->block]++;
        const struct tsim__rule *r = rule_for(map, TSIM__TEV_PART, ob->block);
        if (r) {
            struct msg m;
            begin(e, r, ob->t, ob->block, &m);
            tsim__json_string(&m.j, r->field[TSIM__R_ACTION], map->action_word[enter]);
            tsim__json_number(&m.j, r->field[TSIM__R_PART], (double)ob->entity);
            if (r->field[TSIM__R_PRODUCT] && ob->product >= 0)
                tsim__json_string(&m.j, r->field[TSIM__R_PRODUCT],
                                  tsim__map_product_name(map, ob->product));
            send_msg(e, &m);
        }
        if (tsim_model_block_type(map->model, ob->block) == TSIM_BUFFER)
            publish_level(e, ob->t, ob->block, ob->content, ob->product);
        /* A PLC's part counter: the parts that entered the block so far. */
        const struct tsim__rule *rc = enter ? rule_for(map, TSIM__TEV_COUNT, ob->block) : NULL;
        if (rc) {
            struct msg m;
            begin(e, rc, ob->t, ob->block, &m);
            tsim__json_number(&m.j, rc->field[TSIM__R_TOTAL], (double)e->entered[ob->block]);
            send_msg(e, &m);
        }
        break;
    }
    case TSIM_OBS_TRUCK:
    case TSIM_OBS_RELEASE:
    case TSIM_OBS_PICK:
        publish_wms(e, ob);
        break;
    default:
        break;
    }
}

void tsim__emu_snapshot(struct tsim__emu *e, const struct tsim_sim *sim)
{
    const struct tsim_model *m = e->map->model;
    double t = tsim_sim_now(sim);
    for (int b = 0; b < tsim_model_block_count(m); b++) {
        for (int k = e->srv_off[b]; k < e->srv_off[b + 1]; k++) {
            int word = (int)tsim__pstate_of(tsim_machine_state(sim, b, k - e->srv_off[b]));
            e->last_word[k] = (signed char)word;
            publish_state(e, t, b, k - e->srv_off[b], word);
        }
        if (tsim_model_block_type(m, b) == TSIM_BUFFER)
            publish_level(e, t, b, tsim_block_content(sim, b), -1);
    }
    for (int i = 0; e->map->vda && i < e->map->vda->nveh; i++)
        tsim__vda_emit(e, t, e->map->vda->veh[i].vehicle);
    publish_stock(e, t);
}

void tsim__emu_heartbeat(struct tsim__emu *e, double t)
{
    const struct tsim__rule *r = rule_for(e->map, TSIM__TEV_HEARTBEAT, -1);
    if (!r) return;
    struct msg m;
    begin(e, r, t, -1, &m);
    send_msg(e, &m);
}

/* ---- batches -------------------------------------------------------------------------------- */

void tsim__batch_init(struct tsim__batch *b)
{
    memset(b, 0, sizeof *b);
    tsim__batch_clear(b);
}

void tsim__batch_release(struct tsim__batch *b) { tsim__sb_release(&b->text); }

void tsim__batch_clear(struct tsim__batch *b)
{
    b->text.n = 0;
    tsim__sb_add(&b->text, "[", 1);
    b->first_len = 0;
    b->topic[0] = '\0';
    b->n = 0;
}

int tsim__batch_add(struct tsim__batch *b, const char *topic, const char *json, size_t max_bytes)
{
    size_t jl = strlen(json);
    /* The item's own topic goes in as the first member: {"topic":"...", then the rest. */
    struct tsim__sb member = {0};
    if (b->n > 0 && strcmp(topic, b->topic) != 0 && jl >= 2 && json[0] == '{') {
        tsim__sb_json_str(&member, TSIM__BATCH_TOPIC, 0);
        tsim__sb_add(&member, ":", 1);
        tsim__sb_json_str(&member, topic, 0);
        if (jl > 2) tsim__sb_add(&member, ",", 1);
    }
    size_t item = jl + member.n;
    /* "[" + items + "," + this + "]" must stay within the cap, unless it is the first item. */
    if (b->n > 0 && b->text.n + 1 + item + 1 > max_bytes) {
        tsim__sb_release(&member);
        return -1;
    }
    if (b->n > 0) tsim__sb_add(&b->text, ",", 1);
    if (member.n) {
        tsim__sb_add(&b->text, "{", 1);
        tsim__sb_add(&b->text, member.p, member.n);
        tsim__sb_add(&b->text, json + 1, jl - 1);
    } else {
        tsim__sb_add(&b->text, json, jl);
    }
    tsim__sb_release(&member);
    if (b->n == 0) {
        snprintf(b->topic, sizeof b->topic, "%s", topic);
        b->first_len = jl;
    }
    b->n++;
    return 0;
}

const char *tsim__batch_payload(struct tsim__batch *b, size_t *len)
{
    if (b->n == 1) {
        /* The lone item: the text after "[", which ends the buffer. */
        *len = b->first_len;
        return b->text.p + 1;
    }
    /* The closing bracket is not kept: the next item goes where it stands. */
    tsim__sb_add(&b->text, "]", 1);
    *len = b->text.n;
    b->text.n--;
    return b->text.p;
}

/* ---- the command's loop --------------------------------------------------------------------- */

struct pub_ctx {
    struct tsim__mqtt *mqtt;
    int qos;
    int batch;            /* events per message, at most */
    size_t max_bytes;     /* the mapping's payload cap: a twin drops anything bigger */
    struct tsim__batch b;
    uint64_t failed;      /* events whose message could not be published */
    const volatile sig_atomic_t *stop;
    struct tsim_sim *sim; /* stopped at once on a signal: one slice may be a whole run */
    uint64_t messages;
};

static void flush(struct pub_ctx *p)
{
    if (p->b.n == 0) return;
    size_t len;
    const char *s = tsim__batch_payload(&p->b, &len);
    tsim__mqtt_throttle(p->mqtt, 200, p->stop);
    if (tsim__mqtt_publish(p->mqtt, p->b.topic, s, len, p->qos, 0) != 0)
        p->failed += (uint64_t)p->b.n;
    p->messages++;
    tsim__batch_clear(&p->b);
}

/* Events are collected and sent when the batch is full, when the next one would take it over the
 * payload cap, or at the pacing's wall-clock tick (the loop calls flush every 20 ms), so that
 * batching never holds an event back by more than a tick. */
static void emit_mqtt(void *ctx, const char *topic, const char *json)
{
    struct pub_ctx *p = ctx;
    if (p->stop && *p->stop) tsim_sim_stop(p->sim);
    if (tsim__batch_add(&p->b, topic, json, p->max_bytes) != 0) {
        flush(p);
        tsim__batch_add(&p->b, topic, json, p->max_bytes);
    }
    if (p->b.n >= p->batch) flush(p);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    if (s <= 0) return;
    struct timespec d = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&d, NULL);
}

static void checkpoint(const struct tsim__emu *e, const struct tsim_sim *sim, double t, FILE *out)
{
    if (!out) return;
    tsim__sim_write_state(sim, e->map, "observed", t, e->entered, out);
    tsim__sim_write_state(sim, e->map, "sim", t, NULL, out);
    fflush(out);
}

static void say(const struct tsim_emulate_opts *o, enum tsim_log_level level, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void say(const struct tsim_emulate_opts *o, enum tsim_log_level level, const char *key,
                const char *fmt, ...)
{
    if (!o->log) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    o->log(o->log_ctx, level, key, text);
}

static void on_mqtt_event(void *ctx, const struct tsim__mqtt_ev *e)
{
    const struct tsim_emulate_opts *o = ctx;
    if (e->kind == TSIM__MQ_CONNECTED)
        say(o, TSIM_LOG_RECOVERED, "connected", "%s (connection %llu)", e->text,
            (unsigned long long)e->n);
    else
        say(o, e->kind == TSIM__MQ_FAILED && e->repeated ? TSIM_LOG_INFO : TSIM_LOG_PROBLEM,
            e->kind == TSIM__MQ_FAILED ? "connect_failed" : "connection_lost",
            "%s; retrying in %.1f s", e->text, e->retry_s);
}

static int interrupted(const struct tsim_emulate_opts *o) { return o->stop && *o->stop; }

int tsim__emu_main(const struct tsim_model *m, const struct tsim__map *map,
                   const struct tsim_emulate_opts *o)
{
    struct tsim_sim *sim = tsim_sim_create(m, o->seed, 0);
    if (!sim) {
        say(o, TSIM_LOG_PROBLEM, "model", "%s", tsim_errmsg());
        return 1;
    }
    char err[256];
    struct tsim__mqtt_hooks h = {NULL, NULL, on_mqtt_event, (void *)o};
    struct tsim__mqtt *mq = tsim__mqtt_start(&o->mqtt, &h, NULL, 0, err, sizeof err);
    if (!mq) {
        say(o, TSIM_LOG_PROBLEM, "mqtt", "%s", err);
        tsim_sim_destroy(sim);
        return 1;
    }
    /* A plant that cannot reach its broker says so and stops, rather than filling a queue no
     * one will read; a signal ends the wait at once. */
    double limit = o->connect_timeout_s > 0 ? o->connect_timeout_s : 10;
    double t_conn = mono_now();
    while (!tsim__mqtt_connected(mq) && !interrupted(o) && mono_now() - t_conn < limit)
        sleep_s(0.01);
    if (!tsim__mqtt_connected(mq)) {
        struct tsim__mqtt_stats ms;
        tsim__mqtt_stats(mq, &ms);
        if (!interrupted(o))
            say(o, TSIM_LOG_PROBLEM, "never_connected",
                "no connection to %s:%d in %.0f s (last problem: %s); nothing was sent",
                o->mqtt.host, o->mqtt.port, limit,
                ms.last_problem[0] ? ms.last_problem : "none said");
        tsim__mqtt_stop(mq, 0, o->stop);
        tsim_sim_destroy(sim);
        return 1;
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    /* A whole second as origin keeps timestamps exact to the microsecond they are written in. */
    double origin = o->has_origin ? o->origin : (double)wall.tv_sec;
    struct pub_ctx pc;
    memset(&pc, 0, sizeof pc);
    pc.mqtt = mq;
    pc.qos = map->qos;
    pc.batch = o->batch > 1 ? o->batch : 1;
    pc.max_bytes = map->max_payload;
    pc.stop = o->stop;
    pc.sim = sim;
    tsim__batch_init(&pc.b);
    struct tsim__emu e;
    tsim__emu_init(&e, map, sim, origin, emit_mqtt, &pc);
    tsim_sim_set_observer(sim, tsim__emu_observe, &e);

    tsim__emu_snapshot(&e, sim);
    double units_per_s = o->speed > 0 ? o->speed / e.unit_s : 0;
    double hb = map->heartbeat, cp = o->checkpoint;
    double next_hb = hb > 0 ? hb : INFINITY, next_cp = cp > 0 ? cp : INFINITY;
    double start = mono_now(), now = 0, last_flush = start;
    int stopped = 0;
    while (!interrupted(o) && now < o->until) {
        double target = o->until;
        if (units_per_s > 0) {
            /* Advance in slices of at most 20 ms of wall time. */
            double due = (mono_now() - start) * units_per_s;
            if (due <= now) {
                sleep_s(0.02 < (now - due) / units_per_s ? 0.02 : (now - due) / units_per_s);
                due = (mono_now() - start) * units_per_s;
            }
            target = due < o->until ? due : o->until;
        }
        if (target > next_hb) target = next_hb;
        if (target > next_cp) target = next_cp;
        if (target > now) {
            tsim_sim_run_until(sim, target);
            now = interrupted(o) ? tsim_sim_now(sim) : target;
            if (tsim_sim_status(sim) != 0) {
                /* The plant's model cannot go on: what it sent stands, nothing more comes. */
                now = tsim_sim_now(sim);
                stopped = 1;
                say(o, TSIM_LOG_PROBLEM, "model_stopped", "the model stopped at %g: %s", now,
                    tsim_sim_error(sim));
                break;
            }
        }
        if (now >= next_cp) {
            checkpoint(&e, sim, now, o->state_out);
            next_cp += cp;
        }
        if (now >= next_hb) {
            if (now < o->until) {
                publish_stock(&e, now);
                tsim__emu_heartbeat(&e, now);
            }
            next_hb += hb;
        }
        /* The pacing's wall-clock tick: what the last slices produced goes out now. The pacing
         * runs many tiny slices when it keeps up, so the tick is on the wall clock, not per
         * slice; an event waits at most one tick for a batch to fill. */
        if (units_per_s > 0 && mono_now() - last_flush >= 0.02) {
            flush(&pc);
            last_flush = mono_now();
        }
    }
    /* The last heartbeat says "the plant reached `until`" (or where it was stopped), so a twin
     * knows nothing is left. */
    tsim__emu_heartbeat(&e, now);
    flush(&pc);
    /* Wait for the broker's acknowledgements, as long as they keep coming (a broker that went
     * away may come back), at most `drain_s`, and at most a second after a signal. */
    double drain = o->drain_s > 0 ? o->drain_s : 60, t_drain = mono_now();
    while (tsim__mqtt_pending(mq) > 0 && mono_now() - t_drain < drain) {
        if (interrupted(o) && mono_now() - t_drain > 1) break;
        sleep_s(0.01);
    }
    int unacked = tsim__mqtt_pending(mq);
    int bad = pc.failed || unacked > 0 || stopped;
    if (o->verbose || bad || interrupted(o))
        say(o, bad ? TSIM_LOG_PROBLEM : TSIM_LOG_INFO, "sent",
            "%llu events in %llu messages to t=%g (%llu failed, %d messages not acknowledged by "
            "the broker)%s",
            (unsigned long long)e.published, (unsigned long long)pc.messages, now,
            (unsigned long long)pc.failed, unacked, interrupted(o) ? "; interrupted" : "");
    tsim__mqtt_stop(mq, 0, o->stop);
    tsim__batch_release(&pc.b);
    tsim_sim_set_observer(sim, NULL, NULL);
    tsim__emu_release(&e);
    tsim_sim_destroy(sim);
    return bad ? 1 : 0;
}
