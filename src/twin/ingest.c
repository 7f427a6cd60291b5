/*
 * Ingest: turn one MQTT message into decoded plant events, each one or a counted reason to drop
 * it. Everything here treats the payload as hostile: a size cap first (before any parsing), then
 * UTF-8, then JSON, then the fields the mapping requires, then names resolved against the model,
 * and last the duplicate check. Nothing here touches the live sim: time order is live.c's job.
 *
 * A payload is one event object, or a batch: a JSON array of event objects, each decoded and
 * counted exactly as if it had arrived alone (see tsim__ingest_each).
 *
 * Invariant: decoding never fails on any input and every event is counted exactly once, in
 * `received` and in at most one `dropped` reason; a payload that fails as a whole (too big, not
 * UTF-8, not JSON, an empty batch) counts as one event.
 */
#include "blocks/desc.h"
#include "blocks/dock.h"
#include "blocks/picking.h"
#include "blocks/storage.h"
#include "core/core.h"
#include "core/names.h"
#include "twin/twin.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const drop_names[TSIM__D_COUNT] = {
    "ok", "too_big", "not_utf8", "bad_json", "unknown_topic", "missing_field",
    "bad_value", "duplicate", "late", "future", "out_of_order"};

const char *tsim__drop_name(enum tsim__drop d)
{
    return (unsigned)d < TSIM__D_COUNT ? drop_names[d] : "unknown";
}

/* ---- duplicates ----------------------------------------------------------------------------- */

#define TABLE_SIZE (2u * TSIM__DEDUP_WINDOW)

void tsim__dedup_init(struct tsim__dedup *d)
{
    d->ring = tsim__calloc(TSIM__DEDUP_WINDOW, sizeof *d->ring);
    d->table = tsim__calloc(TABLE_SIZE, sizeof *d->table);
    d->head = 0;
    d->n = 0;
}

void tsim__dedup_release(struct tsim__dedup *d)
{
    tsim__free(d->ring);
    tsim__free(d->table);
    d->ring = d->table = NULL;
}

static uint32_t slot_of(uint64_t key) { return (uint32_t)(key ^ (key >> 32)) & (TABLE_SIZE - 1); }

/* Remove `key` with backward-shift deletion, so that linear probing stays correct without
 * tombstones (Knuth, TAOCP 6.4, algorithm R). */
static void table_delete(uint64_t *t, uint64_t key)
{
    uint32_t i = slot_of(key);
    while (t[i] && t[i] != key) i = (i + 1) & (TABLE_SIZE - 1);
    if (!t[i]) return;
    for (;;) {
        t[i] = 0;
        uint32_t j = i;
        for (;;) {
            j = (j + 1) & (TABLE_SIZE - 1);
            if (!t[j]) return;
            uint32_t home = slot_of(t[j]);
            /* Move t[j] into the hole at i unless its home lies cyclically in (i, j]. */
            int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) break;
        }
        t[i] = t[j];
        i = j;
    }
}

int tsim__dedup_seen(struct tsim__dedup *d, uint64_t key)
{
    if (!key) key = 1;
    uint32_t i = slot_of(key);
    while (d->table[i]) {
        if (d->table[i] == key) return 1;
        i = (i + 1) & (TABLE_SIZE - 1);
    }
    if (d->n == TSIM__DEDUP_WINDOW) {
        table_delete(d->table, d->ring[d->head]);
        d->n--;
        /* The deletion may have shifted the probe chain `i` was found on. */
        i = slot_of(key);
        while (d->table[i]) i = (i + 1) & (TABLE_SIZE - 1);
    }
    d->table[i] = key;
    d->ring[d->head] = key;
    d->head = (d->head + 1) % TSIM__DEDUP_WINDOW;
    d->n++;
    return 0;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- decoding ------------------------------------------------------------------------------- */

void tsim__ingest_init(struct tsim__ingest *in, const struct tsim__map *map)
{
    memset(in, 0, sizeof *in);
    in->map = map;
    tsim__dedup_init(&in->dedup);
    if (map->vda) {
        size_t n = 2 * (size_t)map->vda->nveh + 1;
        in->vda_header = tsim__malloc(n * sizeof *in->vda_header);
        for (size_t i = 0; i < n; i++) in->vda_header[i] = -1;
    }
}

void tsim__ingest_release(struct tsim__ingest *in)
{
    tsim__dedup_release(&in->dedup);
    tsim__free(in->vda_header);
    in->vda_header = NULL;
}

struct dec {
    struct tsim__ingest *in;
    char *err;
    size_t errlen;
};

static enum tsim__drop fail(struct dec *d, enum tsim__drop why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum tsim__drop fail(struct dec *d, enum tsim__drop why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (d->errlen) vsnprintf(d->err, d->errlen, fmt, ap);
    va_end(ap);
    d->in->dropped[why]++;
    return why;
}

/* The text of a string or integer field, as ids are written either way. */
static int id_text(const cJSON *v, char *out, size_t len)
{
    if (cJSON_IsString(v)) {
        if (!v->valuestring[0] || strlen(v->valuestring) >= len) return -1;
        snprintf(out, len, "%s", v->valuestring);
        return 0;
    }
    if (cJSON_IsNumber(v)) {
        double x = v->valuedouble;
        if (!isfinite(x) || x != floor(x) || fabs(x) > 9007199254740992.0) return -1;
        snprintf(out, len, "%.0f", x);
        return 0;
    }
    return -1;
}

/* A timestamp in plant seconds, written as the mapping says. */
static int time_of(const struct tsim__map *map, const cJSON *v, double *out)
{
    if (map->ts_unit == TSIM__TS_ISO) {
        if (!cJSON_IsString(v)) return -1;
        return tsim__iso_time(v->valuestring, out);
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0) return -1;
    *out = map->ts_unit == TSIM__TS_MS ? v->valuedouble / 1000.0 : v->valuedouble;
    return 0;
}

static int find_alias(const struct tsim__alias *a, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(a[i].plant, name) == 0) return a[i].index;
    return -1;
}

static int block_named(const struct tsim__map *map, const char *name)
{
    int b = find_alias(map->blocks, map->nblocks, name);
    if (b >= 0) return b;
    /* A name that is an alias's model name is accepted too: plants and the emulator may use
     * either. */
    return tsim_model_find_block(map->model, name) >= 0 ? tsim_model_find_block(map->model, name)
                                                         : -1;
}

static int product_named(const struct tsim__map *map, const char *name)
{
    int p = find_alias(map->products, map->nproducts, name);
    if (p >= 0) return p;
    p = tsim_model_find_product(map->model, name);
    return p >= 0 ? p : -1;
}

/* The `level`-th level of `topic`, copied into `out`. */
static int topic_level(const char *topic, int level, char *out, size_t len)
{
    const char *s = topic;
    for (int i = 0; i < level; i++) {
        s = strchr(s, '/');
        if (!s) return -1;
        s++;
    }
    const char *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (n == 0 || n >= len) return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static const cJSON *field(const cJSON *o, const struct tsim__rule *r, enum tsim__role role)
{
    return r->field[role] ? cJSON_GetObjectItemCaseSensitive(o, r->field[role]) : NULL;
}

/* Is `v` a whole number from `lo` to `hi`? */
static int whole_in(const cJSON *v, double lo, double hi)
{
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
           v->valuedouble >= lo && v->valuedouble <= hi;
}

/* The order id of an order, order release or pick event. */
static enum tsim__drop order_id(struct dec *d, const cJSON *o, const struct tsim__rule *r,
                                struct tsim__tev *ev)
{
    const cJSON *v = field(o, r, TSIM__R_ORDER);
    if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_ORDER]);
    if (id_text(v, ev->order, sizeof ev->order) != 0)
        return fail(d, TSIM__D_VALUE, "bad order id in field '%s'", r->field[TSIM__R_ORDER]);
    return TSIM__OK;
}

static enum tsim__drop decode_fields(struct dec *d, const char *topic, const cJSON *o,
                                     const struct tsim__rule *r, struct tsim__tev *ev)
{
    enum tsim__drop rc;
    const struct tsim__map *map = d->in->map;
    const struct tsim_model *m = map->model;
    const cJSON *v;
    char name[TSIM__TEV_STR];

    /* The block: from the topic, the rule, or a field. */
    if (r->block_level >= 0) {
        if (topic_level(topic, r->block_level, name, sizeof name) != 0)
            return fail(d, TSIM__D_VALUE, "bad block level in topic '%s'", topic);
        if ((ev->block = block_named(map, name)) < 0)
            return fail(d, TSIM__D_VALUE, "unknown block '%s' in topic '%s'", name, topic);
    } else if (r->fixed_block >= 0) {
        ev->block = r->fixed_block;
    } else if (r->field[TSIM__R_BLOCK]) {
        v = field(o, r, TSIM__R_BLOCK);
        if (!cJSON_IsString(v))
            return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_BLOCK]);
        if ((ev->block = block_named(map, v->valuestring)) < 0)
            return fail(d, TSIM__D_VALUE, "unknown block '%.64s'", v->valuestring);
    }

    /* The product, where a kind may carry one. */
    if (r->field[TSIM__R_PRODUCT]) {
        v = field(o, r, TSIM__R_PRODUCT);
        if (v && !cJSON_IsNull(v)) {
            if (!cJSON_IsString(v))
                return fail(d, TSIM__D_FIELD, "field '%s' must be a string",
                            r->field[TSIM__R_PRODUCT]);
            if ((ev->product = product_named(map, v->valuestring)) < 0)
                return fail(d, TSIM__D_VALUE, "unknown product '%.64s'", v->valuestring);
        } else if (r->kind == TSIM__TEV_ORDER || r->kind == TSIM__TEV_STOCK) {
            return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_PRODUCT]);
        }
    }

    switch (r->kind) {
    case TSIM__TEV_STATE: {
        if (tsim_model_block_servers(m, ev->block) == 0)
            return fail(d, TSIM__D_VALUE, "block '%s' is not a machine",
                        tsim_model_block_name(m, ev->block));
        v = field(o, r, TSIM__R_SERVER);
        if (v) {
            if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
                v->valuedouble < 0 || v->valuedouble > 4095)
                return fail(d, TSIM__D_VALUE, "bad server number in field '%s'",
                            r->field[TSIM__R_SERVER]);
            ev->server = (int)v->valuedouble;
        }
        v = field(o, r, TSIM__R_STATE);
        if (!cJSON_IsString(v))
            return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_STATE]);
        int s = -1;
        for (int i = 0; i < TSIM__PS_COUNT; i++)
            if (strcmp(v->valuestring, map->state_word[i]) == 0) s = i;
        if (s < 0) return fail(d, TSIM__D_VALUE, "unknown state '%.64s'", v->valuestring);
        ev->state = (enum tsim__pstate)s;
        break;
    }
    case TSIM__TEV_PART:
        v = field(o, r, TSIM__R_ACTION);
        if (!cJSON_IsString(v))
            return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_ACTION]);
        if (strcmp(v->valuestring, map->action_word[1]) == 0) ev->enter = 1;
        else if (strcmp(v->valuestring, map->action_word[0]) == 0) ev->enter = 0;
        else return fail(d, TSIM__D_VALUE, "unknown action '%.64s'", v->valuestring);
        v = field(o, r, TSIM__R_PART);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_PART]);
        if (id_text(v, ev->part, sizeof ev->part) != 0)
            return fail(d, TSIM__D_VALUE, "bad part id in field '%s'", r->field[TSIM__R_PART]);
        break;
    case TSIM__TEV_LEVEL: {
        /* Plausible against the model: only a buffer has a level, and it lies within 0 and the
         * buffer's capacity (read now: a parameter change may have moved it). */
        enum tsim_block_type bt = tsim_model_block_type(m, ev->block);
        if (bt != TSIM_BUFFER)
            return fail(d, TSIM__D_VALUE, "block '%s' (a '%s' block) has no level: only buffers do",
                        tsim_model_block_name(m, ev->block), tsim_block_type_name(bt));
        v = field(o, r, TSIM__R_LEVEL);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_LEVEL]);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
            v->valuedouble != floor(v->valuedouble))
            return fail(d, TSIM__D_VALUE, "bad level in field '%s'", r->field[TSIM__R_LEVEL]);
        if (v->valuedouble < 0)
            return fail(d, TSIM__D_VALUE, "level %.0f of '%s' is below 0", v->valuedouble,
                        tsim_model_block_name(m, ev->block));
        uint64_t cap = m->blocks[ev->block].capacity;
        if ((cap && v->valuedouble > (double)cap) || v->valuedouble > 1e12)
            return fail(d, TSIM__D_VALUE, "level %.0f of '%s' is above its capacity of %llu",
                        v->valuedouble, tsim_model_block_name(m, ev->block),
                        (unsigned long long)(cap ? cap : 1000000000000ull));
        ev->level = (int64_t)v->valuedouble;
        break;
    }
    case TSIM__TEV_STOCK:
        /* Plausible against the model: a storage block, and no more loads than it has slots. */
        if (!tsim__storage_is(m, ev->block))
            return fail(d, TSIM__D_VALUE, "block '%s' (a '%s' block) has no stock: only storage "
                        "blocks do", tsim_model_block_name(m, ev->block),
                        tsim_block_type_name(tsim_model_block_type(m, ev->block)));
        v = field(o, r, TSIM__R_LEVEL);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_LEVEL]);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
            v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble > 1e9)
            return fail(d, TSIM__D_VALUE, "bad stock level in field '%s' (a whole number, 0 or "
                        "more)", r->field[TSIM__R_LEVEL]);
        ev->level = (int64_t)v->valuedouble;
        break;
    case TSIM__TEV_TRUCK: {
        v = field(o, r, TSIM__R_TRUCK);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_TRUCK]);
        if (id_text(v, ev->truck, sizeof ev->truck) != 0)
            return fail(d, TSIM__D_VALUE, "bad truck id in field '%s'", r->field[TSIM__R_TRUCK]);
        v = field(o, r, TSIM__R_DIRECTION);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_DIRECTION]);
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "inbound") != 0 &&
                                   strcmp(v->valuestring, "outbound") != 0))
            return fail(d, TSIM__D_VALUE, "bad direction in field '%s' ('inbound' or "
                        "'outbound')", r->field[TSIM__R_DIRECTION]);
        ev->outbound = strcmp(v->valuestring, "outbound") == 0;
        v = field(o, r, TSIM__R_PALLETS);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_PALLETS]);
        if (!whole_in(v, 1, 1e6))
            return fail(d, TSIM__D_VALUE, "bad pallets in field '%s' (a whole number from 1 to "
                        "1000000)", r->field[TSIM__R_PALLETS]);
        ev->quantity = (int64_t)v->valuedouble;
        ev->door = -1;
        v = field(o, r, TSIM__R_DOOR);
        if (v && !cJSON_IsNull(v)) {
            if (!whole_in(v, 1, 100000))
                return fail(d, TSIM__D_VALUE, "bad door in field '%s' (a door number from 1)",
                            r->field[TSIM__R_DOOR]);
            ev->door = (int)v->valuedouble - 1;
        }
        ev->depart = -1;
        v = field(o, r, TSIM__R_DEPART);
        if (v && !cJSON_IsNull(v) && time_of(map, v, &ev->depart) != 0)
            return fail(d, TSIM__D_VALUE, "bad departure time in field '%s'",
                        r->field[TSIM__R_DEPART]);
        /* Plausible against the model: a dock with a door for it, and a truck of its
         * appointments coming in the direction they say. */
        char why[200];
        if (tsim__dock_check_arrival(m, ev->block, ev->truck, ev->outbound, ev->door, why,
                                     sizeof why) != 0)
            return fail(d, TSIM__D_VALUE, "%s", why);
        break;
    }
    case TSIM__TEV_RELEASE:
    case TSIM__TEV_PICK: {
        if ((rc = order_id(d, o, r, ev)) != TSIM__OK) return rc;
        if (r->kind == TSIM__TEV_PICK) {
            v = field(o, r, TSIM__R_LINE);
            if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_LINE]);
            if (!whole_in(v, 1, 2147483647.0))
                return fail(d, TSIM__D_VALUE, "bad line in field '%s' (a line number from 1)",
                            r->field[TSIM__R_LINE]);
            ev->line = (int)v->valuedouble;
        }
        /* Plausible against the model: a picking block with that order (and line) in its file */
        char why[200];
        if (tsim__picking_check(m, ev->block, ev->order, ev->line, why, sizeof why) != 0)
            return fail(d, TSIM__D_VALUE, "%s", why);
        break;
    }
    case TSIM__TEV_COUNT:
        v = field(o, r, TSIM__R_TOTAL);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_TOTAL]);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
            v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble > 9007199254740992.0)
            return fail(d, TSIM__D_VALUE, "bad count in field '%s' (a whole number, 0 or more)",
                        r->field[TSIM__R_TOTAL]);
        ev->level = (int64_t)v->valuedouble;
        break;
    case TSIM__TEV_ORDER:
        if ((rc = order_id(d, o, r, ev)) != TSIM__OK) return rc;
        v = field(o, r, TSIM__R_QUANTITY);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_QUANTITY]);
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
            v->valuedouble < 1 || v->valuedouble > 1e6)
            return fail(d, TSIM__D_VALUE, "bad quantity in field '%s' (1 to 1000000)",
                        r->field[TSIM__R_QUANTITY]);
        ev->quantity = (int64_t)v->valuedouble;
        ev->due = -1;
        v = field(o, r, TSIM__R_DUE);
        if (v && !cJSON_IsNull(v) && time_of(map, v, &ev->due) != 0)
            return fail(d, TSIM__D_VALUE, "bad due date in field '%s'", r->field[TSIM__R_DUE]);
        break;
    case TSIM__TEV_SPEED:
        if ((int)tsim_model_block_type(m, ev->block) != tsim_block_type_find("conveyor"))
            return fail(d, TSIM__D_VALUE, "block '%s' is not a conveyor",
                        tsim_model_block_name(m, ev->block));
        v = field(o, r, TSIM__R_SPEED);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_SPEED]);
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 1e12))
            return fail(d, TSIM__D_VALUE, "bad speed in field '%s' (a number from 0, below "
                        "1e12)", r->field[TSIM__R_SPEED]);
        ev->speed = v->valuedouble;
        break;
    case TSIM__TEV_PARAM:
        v = field(o, r, TSIM__R_NAME);
        if (!cJSON_IsString(v))
            return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_NAME]);
        if (!v->valuestring[0] || strlen(v->valuestring) >= sizeof ev->name)
            return fail(d, TSIM__D_VALUE, "bad parameter name");
        snprintf(ev->name, sizeof ev->name, "%s", v->valuestring);
        v = field(o, r, TSIM__R_VALUE);
        if (!v) return fail(d, TSIM__D_FIELD, "missing field '%s'", r->field[TSIM__R_VALUE]);
        if (cJSON_IsString(v) && v->valuestring[0] &&
            strlen(v->valuestring) < sizeof ev->value)
            snprintf(ev->value, sizeof ev->value, "%s", v->valuestring);
        else if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
            snprintf(ev->value, sizeof ev->value, "%.17g", v->valuedouble);
        else
            return fail(d, TSIM__D_VALUE, "bad parameter value in field '%s'",
                        r->field[TSIM__R_VALUE]);
        break;
    default:
        break;
    }
    return TSIM__OK;
}

/* The checks on a payload as a whole, before it is parsed: size, UTF-8, the topic's text.
 * Counted by the caller. */
static enum tsim__drop check_whole(struct dec *d, const char *topic, const void *payload,
                                   size_t len)
{
    const struct tsim__map *map = d->in->map;
    if (len > map->max_payload)
        return fail(d, TSIM__D_TOOBIG, "payload of %zu bytes is over the cap of %zu", len,
                    map->max_payload);
    if (!tsim__utf8_valid(payload, len) || memchr(payload, '\0', len))
        return fail(d, TSIM__D_UTF8, "payload is not valid UTF-8 text");
    if (!topic || !*topic || !tsim__utf8_valid((const unsigned char *)topic, strlen(topic)))
        return fail(d, TSIM__D_TOPIC, "bad topic");
    return TSIM__OK;
}

static const struct tsim__rule *rule_of(const struct tsim__map *map, const char *topic)
{
    for (int i = 0; i < map->nrules; i++)
        if (tsim__topic_match(map->rules[i].filter, topic)) return &map->rules[i];
    return NULL;
}

static void ev_reset(struct tsim__tev *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->block = -1;
    ev->product = -1;
    ev->due = -1;
    ev->door = -1;
}

/* One event object `o` of rule `rule`, as if it had arrived alone on `topic`: timestamp, the
 * rule's fields, the id, and last the duplicate check (so a malformed event never occupies the
 * window). */
static enum tsim__drop decode_event(struct dec *d, const char *topic, const struct tsim__rule *rule,
                                    const cJSON *o, struct tsim__tev *ev)
{
    const struct tsim__map *map = d->in->map;
    enum tsim__drop rc;
    /* VDA 5050 messages have a schema of their own, and headerId instead of the mapping's id. */
    if (rule->kind == TSIM__TEV_VDA_STATE || rule->kind == TSIM__TEV_VDA_CONN)
        return tsim__vda_decode(d->in, topic, rule, o, ev, d->err, d->errlen);
    ev->kind = rule->kind;
    ev->rule = rule;
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, map->ts_field);
    if (!ts) return fail(d, TSIM__D_FIELD, "missing field '%s'", map->ts_field);
    if (time_of(map, ts, &ev->ts) != 0)
        return fail(d, TSIM__D_VALUE, "bad timestamp in field '%s'", map->ts_field);
    ev->has_ts = 1;
    if ((rc = decode_fields(d, topic, o, rule, ev)) != TSIM__OK) return rc;
    if (!map->id_field) return TSIM__OK;
    char idbuf[TSIM__TEV_STR];
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, map->id_field);
    if (!id) return fail(d, TSIM__D_FIELD, "missing field '%s'", map->id_field);
    if (id_text(id, idbuf, sizeof idbuf) != 0)
        return fail(d, TSIM__D_VALUE, "bad message id in field '%s'", map->id_field);
    uint64_t h = tsim__fnv1a(TSIM__FNV_OFFSET, topic, strlen(topic) + 1);
    h = mix64(tsim__fnv1a(h, idbuf, strlen(idbuf)));
    if (tsim__dedup_seen(&d->in->dedup, h))
        return fail(d, TSIM__D_DUP, "duplicate message '%s' on '%.128s'", idbuf, topic);
    return TSIM__OK;
}

enum tsim__drop tsim__ingest_decode(struct tsim__ingest *in, const char *topic,
                                    const void *payload, size_t len, struct tsim__tev *ev,
                                    char *err, size_t errlen)
{
    const struct tsim__map *map = in->map;
    struct dec d = {in, err, errlen};
    if (errlen) err[0] = '\0';
    in->received++;
    ev_reset(ev);

    enum tsim__drop rc = check_whole(&d, topic, payload, len);
    if (rc != TSIM__OK) return rc;
    const struct tsim__rule *rule = NULL;
    int command = map->topic_command && strcmp(topic, map->topic_command) == 0;
    if (!command && !(rule = rule_of(map, topic)))
        return fail(&d, TSIM__D_TOPIC, "no rule for topic '%.128s'", topic);

    cJSON *o = cJSON_ParseWithLength(payload, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return fail(&d, TSIM__D_JSON, "payload is not a JSON object");
    }
    if (command) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "cmd");
        ev->kind = TSIM__TEV_COMMAND;
        if (!cJSON_IsString(c)) rc = fail(&d, TSIM__D_FIELD, "missing field 'cmd'");
        else if (strcmp(c->valuestring, "forecast") != 0 && strcmp(c->valuestring, "state") != 0)
            rc = fail(&d, TSIM__D_VALUE, "unknown command '%.64s'", c->valuestring);
        else snprintf(ev->command, sizeof ev->command, "%s", c->valuestring);
    } else {
        rc = decode_event(&d, topic, rule, o, ev);
    }
    cJSON_Delete(o);
    return rc;
}

/* ---- batches -------------------------------------------------------------------------------- */

/* Does the payload's text start (after JSON whitespace) with '['? Only then is it a batch; any
 * other payload is decoded exactly as before batches existed. */
static int looks_like_batch(const char *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
    return i < len && p[i] == '[';
}

/* The item's topic: its own `topic` member, or the message's. NULL with the drop counted. */
static const char *item_topic(struct dec *d, const cJSON *item, const char *topic)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(item, TSIM__BATCH_TOPIC);
    if (!t) return topic;
    /* cJSON has already checked the text is UTF-8; an escaped NUL would shorten the string, so
     * an empty result is refused along with non-strings. */
    if (!cJSON_IsString(t) || !t->valuestring[0]) {
        fail(d, TSIM__D_VALUE, "bad '%s' member", TSIM__BATCH_TOPIC);
        return NULL;
    }
    return t->valuestring;
}

size_t tsim__ingest_each(struct tsim__ingest *in, const char *topic, const void *payload,
                         size_t len, tsim__ingest_fn *fn, void *ctx)
{
    const struct tsim__map *map = in->map;
    char err[256], msg[300];
    struct tsim__tev ev;
    if (!looks_like_batch(payload, len)) {
        enum tsim__drop rc = tsim__ingest_decode(in, topic, payload, len, &ev, err, sizeof err);
        fn(ctx, rc, &ev, err);
        return 1;
    }
    struct dec d = {in, err, sizeof err};
    err[0] = '\0';
    ev_reset(&ev);
    /* Faults of the payload as a whole are counted once: there are no items to count. */
    enum tsim__drop rc = check_whole(&d, topic, payload, len);
    cJSON *root = NULL;
    if (rc == TSIM__OK) {
        root = cJSON_ParseWithLength(payload, len);
        if (!cJSON_IsArray(root))
            rc = fail(&d, TSIM__D_JSON, "payload is not a JSON array of events");
        else if (!root->child)
            rc = fail(&d, TSIM__D_JSON, "empty batch");
        else if (map->topic_command && strcmp(topic, map->topic_command) == 0)
            rc = fail(&d, TSIM__D_JSON, "commands are not batched");
    }
    if (rc != TSIM__OK) {
        in->received++;
        cJSON_Delete(root);
        fn(ctx, rc, &ev, err);
        return 1;
    }
    size_t k = 0;
    for (const cJSON *item = root->child; item; item = item->next, k++) {
        in->received++;
        ev_reset(&ev);
        err[0] = '\0';
        const char *t = NULL;
        const struct tsim__rule *rule = NULL;
        if (!cJSON_IsObject(item))
            rc = fail(&d, TSIM__D_JSON, "not a JSON object");
        else if (!(t = item_topic(&d, item, topic)))
            rc = TSIM__D_VALUE;
        else if ((map->topic_command && strcmp(t, map->topic_command) == 0) ||
                 !(rule = rule_of(map, t)))
            rc = fail(&d, TSIM__D_TOPIC, "no rule for topic '%.128s'", t);
        else
            rc = decode_event(&d, t, rule, item, &ev);
        if (rc != TSIM__OK) {
            snprintf(msg, sizeof msg, "batch item %zu: %s", k + 1, err);
            fn(ctx, rc, &ev, msg);
        } else {
            fn(ctx, rc, &ev, "");
        }
    }
    cJSON_Delete(root);
    return k;
}
