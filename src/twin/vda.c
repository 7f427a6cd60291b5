/*
 * VDA 5050 (v2) in the live twin: the mapping's `vda5050:` section, the decoding of a vehicle's
 * `state` and `connection` messages on `<interface>/<version>/<manufacturer>/<serial>/...`, and
 * what the twin does with them. It is not a VDA 5050 master control: the twin only listens (no
 * orders, no instant actions), and it reads of a message what it follows (the vehicle's identity,
 * headerId, timestamp, lastNodeId, driving, batteryState.batteryCharge, errors, connectionState);
 * every one of those is checked as the published JSON schema says, the rest is not looked at.
 *
 * Invariants: a vehicle's messages are applied in headerId order per topic (an equal headerId is
 * a redelivery, a lower one out of order; an ONLINE `connection` starts the vehicle's `state`
 * headerIds anew, as a restarted vehicle does); the sim is told where an idle vehicle stands,
 * every vehicle's charge, and which vehicles have a FATAL error (blocks/fleet.h); what the plant said of each vehicle is kept in struct
 * tsim__vda_seen.
 */
#include "blocks/desc.h"
#include "blocks/fleet.h"
#include "blocks/network.h"
#include "core/core.h"
#include "model/params.h"
#include "model/yaml.h"
#include "twin/twin.h"

#include <cjson/cJSON.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the mapping's section ------------------------------------------------------------------ */

static const char *str_of(struct tsim__yaml *y, struct fy_node *n) { return tsim__yaml_str(y, n); }

static void unknown_key(struct tsim__yaml *y, struct fy_node *k, const char *where,
                        const char *const *keys, int n)
{
    const char *s = str_of(y, k) ? str_of(y, k) : "?";
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, s);
    for (int i = 0; i < n; i++) tsim__suggest_offer(&sg, keys[i]);
    tsim__yaml_err(y, k, "unknown key '%s' in %s%s", s, where, tsim__suggest_text(&sg));
}

/* A network node by name, with a suggestion when there is none. */
static int node_named(struct tsim__yaml *y, const struct tsim_model *m, struct fy_node *at,
                      const char *name)
{
    const struct tsim__network *net = m->net;
    int k = net ? tsim__net_find(net, name) : -1;
    if (k >= 0) return k;
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, name);
    for (int i = 0; net && i < net->nnodes; i++) tsim__suggest_offer(&sg, net->node[i]);
    tsim__yaml_err(y, at, "unknown network node '%s'%s", name, tsim__suggest_text(&sg));
    return -1;
}

static void read_vehicle(struct tsim__vda *vda, struct tsim__yaml *y, struct fy_node *item,
                         int count, int pos)
{
    static const char *const keys[] = {"manufacturer", "serial", "vehicle"};
    if (!fy_node_is_mapping(item)) {
        tsim__yaml_err(y, item, "each entry of 'vehicles' must be a mapping");
        return;
    }
    const char *man = NULL, *ser = NULL;
    long number = pos + 1;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(item, &it))) {
        struct fy_node *pk = fy_node_pair_key(p), *pv = fy_node_pair_value(p);
        const char *key = str_of(y, pk), *s = str_of(y, pv);
        if (!key) continue;
        if (strcmp(key, "manufacturer") != 0 && strcmp(key, "serial") != 0 &&
            strcmp(key, "vehicle") != 0) {
            unknown_key(y, pk, "a vehicle", keys, 3);
            continue;
        }
        if (!s || !*s) {
            tsim__yaml_err(y, pv, "'%s' must be a single non-empty value", key);
            return;
        }
        if (strchr(s, '/') || strchr(s, '+') || strchr(s, '#')) {
            tsim__yaml_err(y, pv, "'%s' may not hold '/', '+' or '#' (it is a topic level)", key);
            return;
        }
        if (strcmp(key, "manufacturer") == 0) man = s;
        else if (strcmp(key, "serial") == 0) ser = s;
        else {
            struct tsim__perr e;
            long long x;
            if (tsim__parse_int(s, "a number", 1, count, &x, &e) != 0) {
                tsim__yaml_err(y, pv, "bad vehicle '%s' (1 to %d, the fleet's count)", s, count);
                return;
            }
            number = (long)x;
        }
    }
    if (!man || !ser) {
        tsim__yaml_err(y, item, "a vehicle needs 'manufacturer' and 'serial'");
        return;
    }
    if (number > count) {
        tsim__yaml_err(y, item, "vehicle %ld: the fleet has %d vehicles", number, count);
        return;
    }
    for (int i = 0; i < vda->nveh; i++) {
        if (strcmp(vda->veh[i].manufacturer, man) == 0 && strcmp(vda->veh[i].serial, ser) == 0) {
            tsim__yaml_err(y, item, "vehicle '%s/%s' is mapped twice", man, ser);
            return;
        }
        if (vda->veh[i].vehicle == number - 1) {
            tsim__yaml_err(y, item, "vehicle %ld is mapped twice", number);
            return;
        }
    }
    vda->veh = tsim__realloc(vda->veh, sizeof *vda->veh * (size_t)(vda->nveh + 1));
    vda->veh[vda->nveh++] = (struct tsim__vda_vehicle){tsim__strdup(man), tsim__strdup(ser),
                                                       (int)number - 1};
}

static void add_rule(struct tsim__map *map, const char *prefix, const char *topic,
                     enum tsim__tev_kind kind, int fleet, int line, int col)
{
    struct tsim__rule r;
    memset(&r, 0, sizeof r);
    size_t n = strlen(prefix) + strlen(topic) + 8;
    r.topic = tsim__malloc(n);
    snprintf(r.topic, n, "%s/+/+/%s", prefix, topic);
    r.filter = tsim__strdup(r.topic);
    r.kind = kind;
    r.block_level = -1;
    r.fixed_block = fleet;
    r.line = line;
    r.col = col;
    map->rules = tsim__realloc(map->rules, sizeof r * (size_t)(map->nrules + 1));
    map->rules[map->nrules++] = r;
}

void tsim__vda_read(struct tsim__map *map, const struct tsim_model *m, struct tsim_diags *diags,
                    struct tsim__yaml *y, struct fy_node *k, struct fy_node *v)
{
    static const char *const keys[] = {"fleet", "topic", "vehicles", "nodes"};
    size_t errors0 = diags->errors;
    if (map->vda) {
        tsim__yaml_err(y, k, "'vda5050' is given twice");
        return;
    }
    if (!v || !fy_node_is_mapping(v)) {
        tsim__yaml_err(y, k, "'vda5050' must be a mapping");
        return;
    }
    struct tsim__vda *vda = tsim__calloc(1, sizeof *vda);
    vda->fleet = -1;
    vda->prefix = tsim__strdup("uagv/v2");
    struct fy_node *vehicles = NULL, *nodes = NULL, *fleet_at = NULL;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it))) {
        struct fy_node *pk = fy_node_pair_key(p), *pv = fy_node_pair_value(p);
        const char *key = str_of(y, pk), *s = str_of(y, pv);
        if (!key) continue;
        if (strcmp(key, "fleet") == 0) {
            fleet_at = pk;
            if (!s || (vda->fleet = tsim_model_find_block(m, s)) < 0) {
                tsim__yaml_err(y, pv, "unknown block '%s'", s ? s : "?");
            } else if (tsim__fleet_vehicles(m, vda->fleet) < 0) {
                tsim__yaml_err(y, pv, "block '%s' is not a fleet", s);
                vda->fleet = -1;
            }
        } else if (strcmp(key, "topic") == 0) {
            if (!s || !*s || s[0] == '/' || s[strlen(s) - 1] == '/' || strchr(s, '+') ||
                strchr(s, '#') || strstr(s, "//")) {
                tsim__yaml_err(y, pv, "bad topic '%s' (the levels before the manufacturer, "
                                      "e.g. 'uagv/v2')", s ? s : "?");
            } else {
                tsim__free(vda->prefix);
                vda->prefix = tsim__strdup(s);
            }
        } else if (strcmp(key, "vehicles") == 0) {
            if (fy_node_is_sequence(pv)) vehicles = pv;
            else tsim__yaml_err(y, pk, "'vehicles' must be a list");
        } else if (strcmp(key, "nodes") == 0) {
            if (fy_node_is_mapping(pv)) nodes = pv;
            else tsim__yaml_err(y, pk, "'nodes' must be a mapping");
        } else {
            unknown_key(y, pk, "'vda5050'", keys, 4);
        }
    }
    if (!fleet_at) tsim__yaml_err(y, k, "'vda5050' has no 'fleet'");
    if (!vehicles && fleet_at) tsim__yaml_err(y, k, "'vda5050' has no 'vehicles'");
    if (vda->fleet >= 0 && vehicles) {
        int count = tsim__fleet_vehicles(m, vda->fleet), pos = 0;
        struct fy_node *item;
        it = NULL;
        while ((item = fy_node_sequence_iterate(vehicles, &it))) read_vehicle(vda, y, item, count, pos++);
    }
    if (nodes) {
        it = NULL;
        while ((p = fy_node_mapping_iterate(nodes, &it))) {
            struct fy_node *pk = fy_node_pair_key(p), *pv = fy_node_pair_value(p);
            const char *key = str_of(y, pk), *s = str_of(y, pv);
            if (!key || !*key || !s) {
                tsim__yaml_err(y, pk, "each entry of 'nodes' is 'VDA node id: network node'");
                continue;
            }
            int node = node_named(y, m, pv, s);
            if (node < 0) continue;
            vda->nodes = tsim__realloc(vda->nodes, sizeof *vda->nodes * (size_t)(vda->nnodes + 1));
            vda->nodes[vda->nnodes++] = (struct tsim__alias){tsim__strdup(key), node};
        }
    }
    if (diags->errors != errors0) {
        tsim__vda_destroy(vda);
        return;
    }
    map->vda = vda;
    int line = 0, col = 0;
    tsim__yaml_pos(k, &line, &col);
    add_rule(map, vda->prefix, "state", TSIM__TEV_VDA_STATE, vda->fleet, line, col);
    add_rule(map, vda->prefix, "connection", TSIM__TEV_VDA_CONN, vda->fleet, line, col);
}

void tsim__vda_destroy(struct tsim__vda *vda)
{
    if (!vda) return;
    for (int i = 0; i < vda->nveh; i++) {
        tsim__free(vda->veh[i].manufacturer);
        tsim__free(vda->veh[i].serial);
    }
    tsim__free(vda->veh);
    for (int i = 0; i < vda->nnodes; i++) tsim__free(vda->nodes[i].plant);
    tsim__free(vda->nodes);
    tsim__free(vda->prefix);
    tsim__free(vda);
}

/* ---- decoding --------------------------------------------------------------------------------- */

static enum tsim__drop fail(struct tsim__ingest *in, enum tsim__drop why, char *err,
                            size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static enum tsim__drop fail(struct tsim__ingest *in, enum tsim__drop why, char *err,
                            size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    in->dropped[why]++;
    return why;
}

/* The `level`-th level of `topic` (counted from 0) as a pointer and length; -1 if absent. */
static int level_of(const char *topic, int level, const char **at, size_t *len)
{
    const char *s = topic;
    for (int i = 0; i < level; i++) {
        if (!(s = strchr(s, '/'))) return -1;
        s++;
    }
    const char *e = strchr(s, '/');
    *at = s;
    *len = e ? (size_t)(e - s) : strlen(s);
    return 0;
}

static int levels_of(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '/';
    return n;
}

/* The string member `name` of `o`: NULL when absent or not a string. */
static const char *string_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int node_of(const struct tsim__map *map, const char *id)
{
    const struct tsim__vda *vda = map->vda;
    for (int i = 0; i < vda->nnodes; i++)
        if (strcmp(vda->nodes[i].plant, id) == 0) return vda->nodes[i].index;
    return map->model->net ? tsim__net_find(map->model->net, id) : -1;
}

static enum tsim__drop decode_state(struct tsim__ingest *in, const cJSON *o, struct tsim__tev *ev,
                                    char *err, size_t errlen)
{
    const char *last = string_of(o, "lastNodeId");
    const cJSON *driving = cJSON_GetObjectItemCaseSensitive(o, "driving");
    const cJSON *battery = cJSON_GetObjectItemCaseSensitive(o, "batteryState");
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(o, "errors");
    const cJSON *charge = cJSON_GetObjectItemCaseSensitive(battery, "batteryCharge");
    if (!last) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'lastNodeId'");
    if (!cJSON_IsBool(driving)) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'driving'");
    if (!cJSON_IsObject(battery) || !cJSON_IsNumber(charge))
        return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'batteryState.batteryCharge'");
    if (!cJSON_IsArray(errors)) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'errors'");
    ev->vda.node = -1;
    if (*last && (ev->vda.node = node_of(in->map, last)) < 0)
        return fail(in, TSIM__D_VALUE, err, errlen, "unknown node '%.64s' in 'lastNodeId'", last);
    ev->vda.driving = cJSON_IsTrue(driving);
    double c = charge->valuedouble;
    if (!isfinite(c) || c < 0 || c > 100)
        return fail(in, TSIM__D_VALUE, err, errlen, "battery charge %g is not a percentage", c);
    ev->vda.battery = c;
    for (const cJSON *e = errors->child; e; e = e->next) {
        const char *level = cJSON_IsObject(e) ? string_of(e, "errorLevel") : NULL;
        if (!level || !string_of(e, "errorType"))
            return fail(in, TSIM__D_FIELD, err, errlen,
                        "an entry of 'errors' lacks 'errorType' or 'errorLevel'");
        if (strcmp(level, "FATAL") == 0) ev->vda.fatal++;
        else if (strcmp(level, "WARNING") != 0)
            return fail(in, TSIM__D_VALUE, err, errlen,
                        "bad errorLevel '%.32s' (WARNING or FATAL)", level);
        ev->vda.errors++;
    }
    return TSIM__OK;
}

enum tsim__drop tsim__vda_decode(struct tsim__ingest *in, const char *topic,
                                 const struct tsim__rule *r, const void *obj, struct tsim__tev *ev,
                                 char *err, size_t errlen)
{
    const struct tsim__map *map = in->map;
    const struct tsim__vda *vda = map->vda;
    const cJSON *o = obj;
    ev->kind = r->kind;
    ev->rule = r;
    ev->block = vda->fleet;

    /* The header every VDA 5050 message has. */
    const cJSON *hid = cJSON_GetObjectItemCaseSensitive(o, "headerId");
    const char *ts = string_of(o, "timestamp");
    const char *man = string_of(o, "manufacturer"), *ser = string_of(o, "serialNumber");
    if (!hid) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'headerId'");
    if (!ts) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'timestamp'");
    if (!man) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'manufacturer'");
    if (!ser) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'serialNumber'");
    double h = cJSON_IsNumber(hid) ? hid->valuedouble : -1;
    if (!(h >= 0 && h <= 4294967295.0 && h == floor(h)))
        return fail(in, TSIM__D_VALUE, err, errlen, "bad headerId (an integer 0 to 2^32 - 1)");
    if (tsim__iso_time(ts, &ev->ts) != 0)
        return fail(in, TSIM__D_VALUE, err, errlen, "bad timestamp '%.64s' (ISO 8601)", ts);
    ev->has_ts = 1;

    /* The vehicle: the topic's manufacturer and serial levels, which the payload must repeat. */
    const char *tm, *tsr;
    size_t lm, ls;
    int base = levels_of(vda->prefix) + 1;
    if (level_of(topic, base, &tm, &lm) != 0 || level_of(topic, base + 1, &tsr, &ls) != 0 ||
        strlen(man) != lm || strncmp(man, tm, lm) != 0 || strlen(ser) != ls ||
        strncmp(ser, tsr, ls) != 0)
        return fail(in, TSIM__D_VALUE, err, errlen,
                    "manufacturer '%.64s' and serialNumber '%.64s' are not the topic's", man, ser);
    int k = -1;
    for (int i = 0; i < vda->nveh && k < 0; i++)
        if (strcmp(vda->veh[i].manufacturer, man) == 0 && strcmp(vda->veh[i].serial, ser) == 0)
            k = i;
    if (k < 0)
        return fail(in, TSIM__D_VALUE, err, errlen, "unknown vehicle '%.64s/%.64s'", man, ser);
    ev->server = vda->veh[k].vehicle;

    enum tsim__drop rc;
    if (r->kind == TSIM__TEV_VDA_STATE) {
        if ((rc = decode_state(in, o, ev, err, errlen)) != TSIM__OK) return rc;
    } else {
        const char *cs = string_of(o, "connectionState");
        if (!cs) return fail(in, TSIM__D_FIELD, err, errlen, "missing field 'connectionState'");
        if (strcmp(cs, "ONLINE") == 0) ev->vda.online = 1;
        else if (strcmp(cs, "OFFLINE") == 0) ev->vda.online = 0;
        else if (strcmp(cs, "CONNECTIONBROKEN") == 0) ev->vda.online = -1;
        else
            return fail(in, TSIM__D_VALUE, err, errlen,
                        "bad connectionState '%.32s' (ONLINE, OFFLINE or CONNECTIONBROKEN)", cs);
    }

    /* Order last, so that a malformed message never moves a vehicle's headerId. */
    int64_t *last = &in->vda_header[2 * k + (r->kind == TSIM__TEV_VDA_CONN)];
    if ((int64_t)h == *last)
        return fail(in, TSIM__D_DUP, err, errlen, "duplicate headerId %.0f of '%.64s/%.64s'", h,
                    man, ser);
    if ((int64_t)h < *last)
        return fail(in, TSIM__D_ORDER, err, errlen, "headerId %.0f of '%.64s/%.64s' after %lld",
                    h, man, ser, (long long)*last);
    *last = (int64_t)h;
    /* A vehicle that comes online again (restarted) counts its state messages from 0 anew. */
    if (r->kind == TSIM__TEV_VDA_CONN && ev->vda.online == 1) in->vda_header[2 * k] = -1;
    return TSIM__OK;
}

/* ---- applying ----------------------------------------------------------------------------- */

enum tsim__drop tsim__vda_apply(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                size_t errlen)
{
    (void)err;
    (void)errlen;
    struct tsim__vda_seen *s = &lv->vda[ev->server];
    if (ev->kind == TSIM__TEV_VDA_CONN) {
        s->online = ev->vda.online;
        return TSIM__OK;
    }
    s->reported = 1;
    s->ev = ev->vda;
    /* A vehicle the plant says stands still at a node and the sim cannot put there is a
     * disagreement the twin cannot correct. */
    if (ev->vda.node >= 0) {
        int moved = tsim__fleet_observe(lv->sim, ev->block, ev->server, ev->vda.node);
        if (moved > 0) lv->vda_moved++;
        else if (moved < 0 && !ev->vda.driving) lv->recon.unresolved++;
    }
    /* The charge after the place, so that a vehicle that must charge drives from where the plant
     * has it. A fleet without a battery has no charge to set: the report is kept and counted. */
    int charged = tsim__fleet_observe_battery(lv->sim, ev->block, ev->server, ev->vda.battery);
    if (charged > 0) lv->vda_charged++;
    else if (charged < 0) lv->vda_charge_ignored++;
    /* Errors last: a FATAL one fails the vehicle where the sim has it (with the charge above),
     * until a report with none resumes it; WARNINGs are only counted. */
    lv->vda_warnings += (uint64_t)(ev->vda.errors - ev->vda.fatal);
    if (tsim__fleet_observe_failure(lv->sim, ev->block, ev->server, ev->vda.fatal > 0) > 0) {
        if (ev->vda.fatal > 0) lv->vda_failed++;
        else lv->vda_resumed++;
    }
    return TSIM__OK;
}

/* ---- views -------------------------------------------------------------------------------- */

void tsim__vda_write_view(const struct tsim__map *map, const struct tsim__vda_seen *seen,
                          const struct tsim_sim *sim, struct tsim__json *j)
{
    const struct tsim__vda *vda = map->vda;
    if (!vda) return;
    const struct tsim_model *m = map->model;
    int n = tsim__fleet_vehicles(m, vda->fleet);
    tsim__json_open(j, "vehicles", '{', 0);
    tsim__json_open(j, tsim_model_block_name(m, vda->fleet), '[', 0);
    for (int i = 0; i < n; i++) {
        int node = sim ? tsim__fleet_vehicle_node(sim, vda->fleet, i)
                       : seen && seen[i].reported ? seen[i].ev.node : -1;
        tsim__json_string(j, NULL, node >= 0 ? m->net->node[node] : NULL);
    }
    tsim__json_close(j, '[');
    tsim__json_close(j, '{');
    /* With a battery, the charges in percent: the sim's now, or the last the plant reported. */
    if (!tsim__fleet_charges(m, vda->fleet)) return;
    tsim__json_open(j, "charges", '{', 0);
    tsim__json_open(j, tsim_model_block_name(m, vda->fleet), '[', 0);
    for (int i = 0; i < n; i++) {
        double c = sim ? tsim__fleet_vehicle_charge(sim, vda->fleet, i)
                   : seen && seen[i].reported ? seen[i].ev.battery : NAN;
        tsim__json_number(j, NULL, c); /* NAN: null */
    }
    tsim__json_close(j, '[');
    tsim__json_close(j, '{');
}

void tsim__vda_write_json(const struct tsim__live *lv, struct tsim__json *j)
{
    const struct tsim__vda *vda = lv->map->vda;
    if (!vda) return;
    static const char *const conn[] = {"CONNECTIONBROKEN", "OFFLINE", "ONLINE"};
    const struct tsim_model *m = lv->model;
    tsim__json_open(j, "vda5050", '{', 0);
    tsim__json_number(j, "moved", (double)lv->vda_moved);
    tsim__json_number(j, "charged", (double)lv->vda_charged);
    tsim__json_number(j, "charge_ignored", (double)lv->vda_charge_ignored);
    tsim__json_number(j, "failed", (double)lv->vda_failed);
    tsim__json_number(j, "resumed", (double)lv->vda_resumed);
    tsim__json_number(j, "warnings", (double)lv->vda_warnings);
    tsim__json_open(j, "vehicles", '[', 0);
    for (int i = 0; i < vda->nveh; i++) {
        const struct tsim__vda_vehicle *v = &vda->veh[i];
        const struct tsim__vda_seen *s = &lv->vda[v->vehicle];
        tsim__json_open(j, NULL, '{', 0);
        tsim__json_string(j, "manufacturer", v->manufacturer);
        tsim__json_string(j, "serial", v->serial);
        tsim__json_number(j, "vehicle", v->vehicle + 1);
        if (s->reported) {
            tsim__json_string(j, "node", s->ev.node >= 0 ? m->net->node[s->ev.node] : NULL);
            tsim__json_bool(j, "driving", s->ev.driving);
            tsim__json_number(j, "battery", s->ev.battery);
            tsim__json_number(j, "errors", s->ev.errors);
            tsim__json_number(j, "fatal", s->ev.fatal);
        }
        if (s->online > -2) tsim__json_string(j, "connection", conn[s->online + 1]);
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
    tsim__json_close(j, '{');
}

/* ---- the emulator's side ------------------------------------------------------------------ */

void tsim__vda_emit(struct tsim__emu *e, double t, int vehicle)
{
    const struct tsim__map *map = e->map;
    const struct tsim__vda *vda = map->vda;
    int k = -1;
    for (int i = 0; i < vda->nveh && k < 0; i++)
        if (vda->veh[i].vehicle == vehicle) k = i;
    if (k < 0) return;
    const struct tsim__vda_vehicle *v = &vda->veh[k];
    int node = tsim__fleet_vehicle_node(e->sim, vda->fleet, vehicle);
    /* The node's VDA id: its `nodes:` alias, else its network name. */
    const char *id = map->model->net->node[node];
    for (int i = 0; i < vda->nnodes; i++)
        if (vda->nodes[i].index == node) {
            id = vda->nodes[i].plant;
            break;
        }
    double ts = e->origin + t * e->unit_s, whole = floor(ts);
    time_t secs = (time_t)whole;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char frac[16], stamp[64], topic[512];
    snprintf(frac, sizeof frac, "%.6f", ts - whole);
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             frac[0] == '1' ? ".999999" : frac + 1 /* skip the leading 0 */);
    /* Every field the v2 schema requires of a state, so that any VDA 5050 consumer takes it;
     * headerIds rise with every message of the emulator (gaps are allowed to a listener). */
    struct tsim__sb text = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &text, TSIM__JSON_MSG);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__json_number(&j, "headerId", (double)++e->seq);
    tsim__json_string(&j, "timestamp", stamp);
    tsim__json_string(&j, "version", "2.0.0");
    tsim__json_string(&j, "manufacturer", v->manufacturer);
    tsim__json_string(&j, "serialNumber", v->serial);
    tsim__json_string(&j, "orderId", "");
    tsim__json_int(&j, "orderUpdateId", 0);
    tsim__json_string(&j, "lastNodeId", id);
    tsim__json_int(&j, "lastNodeSequenceId", 0);
    tsim__json_open(&j, "nodeStates", '[', 0);
    tsim__json_close(&j, '[');
    tsim__json_open(&j, "edgeStates", '[', 0);
    tsim__json_close(&j, '[');
    tsim__json_bool(&j, "driving", tsim__fleet_vehicle_driving(e->sim, vda->fleet, vehicle));
    tsim__json_open(&j, "actionStates", '[', 0);
    tsim__json_close(&j, '[');
    /* The sim's charge now, in percent (100 for a fleet without a battery). */
    double charge = tsim__fleet_vehicle_charge(e->sim, vda->fleet, vehicle);
    tsim__json_open(&j, "batteryState", '{', 0);
    tsim__json_number(&j, "batteryCharge", charge < 0 ? 100 : charge);
    tsim__json_bool(&j, "charging", tsim__fleet_vehicle_charging(e->sim, vda->fleet, vehicle));
    tsim__json_close(&j, '{');
    tsim__json_string(&j, "operatingMode", "AUTOMATIC");
    /* A failed vehicle reports one FATAL error, which a twin applies as a failure. */
    tsim__json_open(&j, "errors", '[', 0);
    if (tsim__fleet_vehicle_failed(e->sim, vda->fleet, vehicle)) {
        tsim__json_open(&j, NULL, '{', 0);
        tsim__json_string(&j, "errorType", "vehicleFailed");
        tsim__json_string(&j, "errorLevel", "FATAL");
        tsim__json_close(&j, '{');
    }
    tsim__json_close(&j, '[');
    tsim__json_open(&j, "safetyState", '{', 0);
    tsim__json_string(&j, "eStop", "NONE");
    tsim__json_bool(&j, "fieldViolation", 0);
    tsim__json_close(&j, '{');
    tsim__json_close(&j, '{');
    snprintf(topic, sizeof topic, "%s/%s/%s/state", vda->prefix, v->manufacturer, v->serial);
    e->emit(e->ctx, topic, text.p);
    e->published++;
    tsim__sb_release(&text);
}
