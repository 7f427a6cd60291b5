/*
 * The model file's logic: its 'attributes', a block's 'set' and a route's Lua rule, read and
 * compiled (by src/logic) into the model's attribute table and the blocks' hooks. Not API.
 */
#include "core/core.h"
#include "logic/logic.h"
#include "model/loader.h"
#include "model/params.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define ATTRS_MAX 1000

static const char *const attr_keys[] = {"name", "type", "initial", "description", NULL};
static const char *const attr_types[] = {"number", "integer", "product", "id", NULL};

/* - {name: NAME, type: number|integer|product|id, initial: VALUE | DISTRIBUTION} */
void tsim__ld_attribute(struct loader *ld, struct fy_node *n, struct pos at0)
{
    struct pos at = tsim__ld_pos(n, at0);
    if (!tsim__ld_expect(ld, n, FYNT_MAPPING, "an attribute", at)) return;
    struct fy_node *v[4] = {NULL, NULL, NULL, NULL};
    struct pos kpos[4] = {at, at, at, at};
    void *it = NULL;
    struct fy_node *val;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key(ld, n, &it, attr_keys, " in an attribute", at, &val, &kp)) !=
           TSIM__LD_END) {
        if (k < 0) continue;
        v[k] = val;
        kpos[k] = kp;
    }
    if (!v[0]) {
        tsim__ld_err(ld, at, "attribute has no 'name'");
        return;
    }
    const char *name = tsim__ld_name(ld, v[0], "the name of an attribute", kpos[0]);
    if (!name) return;
    int type = TSIM__ATTR_NUMBER;
    if (v[1]) {
        const char *t = tsim__ld_scalar(ld, v[1], "'type'", kpos[1]);
        if (!t) return;
        type = tsim__ld_key_index(t, attr_types);
        if (type < 0) {
            tsim__ld_err(ld, tsim__ld_pos(v[1], kpos[1]), "unknown attribute type '%s'%s", t,
                         tsim__suggest_list(t, attr_types)[0]
                             ? tsim__suggest_list(t, attr_types)
                             : " (use number, integer, product or id)");
            return;
        }
    }
    if (ld->m->nattrs == ATTRS_MAX) {
        tsim__ld_err(ld, at, "more than %d attributes", ATTRS_MAX);
        ld->stop = 1;
        return;
    }
    if (tsim_model_find_product(ld->m, name) >= 0) {
        tsim__ld_err(ld, tsim__ld_pos(v[0], kpos[0]),
                     "attribute '%s' has the name of a product (an expression could not tell "
                     "them apart)", name);
        return;
    }
    int a = tsim__attr_add(ld->m, name, (enum tsim__attr_type)type);
    if (a < 0) {
        tsim__ld_err(ld, tsim__ld_pos(v[0], kpos[0]), "duplicate attribute '%s'", name);
        return;
    }
    if (!v[2]) return;
    struct tsim__attr_desc *d = &ld->m->attrs[a];
    struct pos vp = tsim__ld_pos(v[2], kpos[2]);
    const char *s = tsim__ld_scalar(ld, v[2], "'initial'", kpos[2]);
    if (!s) return;
    if (type == TSIM__ATTR_PRODUCT) {
        int pr = tsim_model_find_product(ld->m, s);
        if (pr < 0) {
            tsim__ld_err(ld, vp, "initial value of product attribute '%s' is no product: '%s'",
                         name, s);
            return;
        }
        d->init = 1;
        d->value = pr;
        return;
    }
    struct tsim__perr e;
    double x;
    if (tsim__parse_real(s, "'initial'", &x, &e) == 0) {
        if (type != TSIM__ATTR_NUMBER && x != floor(x)) {
            tsim__ld_err(ld, vp, "initial value of %s attribute '%s' must be a whole number, not "
                         "'%s'", attr_types[type], name, s);
            return;
        }
        d->init = 1;
        d->value = x;
        return;
    }
    if (type == TSIM__ATTR_ID) {
        tsim__ld_err(ld, vp, "initial value of id attribute '%s' must be a whole number, not '%s'",
                     name, s);
        return;
    }
    /* A distribution: its values are not durations, so no unit applies (the model's own). */
    if (tsim__parse_dist(&d->dist, s, ld->m->time_unit, ld->base_dir, &e) != 0) {
        tsim__ld_value_err(ld, v[2], s, &e, kpos[2]);
        return;
    }
    d->init = 2;
}

/* An expression's problem at its place, with a did-you-mean for an unknown name. */
static void expr_err(struct loader *ld, struct fy_node *v, const char *text,
                     const struct tsim__logic_err *e, struct pos kp)
{
    struct pos p = tsim__ld_pos_at(v, text, e->at, kp);
    if (e->name[0]) {
        struct tsim__suggest sg;
        tsim__suggest_init(&sg, e->name);
        for (int i = 0; i < ld->m->nattrs; i++) tsim__suggest_offer(&sg, ld->m->attrs[i].name);
        for (int i = 0; i < ld->m->nproducts; i++) tsim__suggest_offer(&sg, ld->m->products[i]);
        tsim__ld_err(ld, p, "%s%s", e->msg, tsim__suggest_text(&sg));
        return;
    }
    tsim__ld_err(ld, p, "%s", e->msg);
}

/* The line of a Lua source's first line (libfyaml marks a block scalar ('|') where its text
 * starts, the line after the indicator). */
static int code_line(struct fy_node *v, struct pos kp) { return tsim__ld_pos(v, kp).line; }

/* The most a Lua file may hold: far above any rule, and a bound on what the loader reads. */
#define LUA_FILE_MAX (1u << 20)

static const char *const lua_file_keys[] = {"file", NULL};

/* lua: {file: PATH}: the code read from PATH (relative to the model file's folder); a problem
 * in the file is reported at the key's value, with the file and its line. */
static int attach_lua_file(struct loader *ld, int b, enum tsim__lua_kind kind, struct fy_node *v,
                           struct pos kp)
{
    void *it = NULL;
    struct fy_node *fv = NULL, *x;
    struct pos fp = kp, xp;
    int k;
    while ((k = tsim__ld_next_key(ld, v, &it, lua_file_keys, " in 'lua'", kp, &x, &xp)) !=
           TSIM__LD_END) {
        if (k < 0) return 0;
        fv = x;
        fp = xp;
    }
    if (!fv) {
        tsim__ld_err(ld, kp, "'lua' needs its code or 'file: PATH'");
        return 0;
    }
    const char *name = tsim__ld_scalar(ld, fv, "'file'", fp);
    if (!name) return 0;
    struct pos p = tsim__ld_pos(fv, fp);
    int rel = ld->base_dir && ld->base_dir[0] && name[0] != '/';
    size_t n = (rel ? strlen(ld->base_dir) + 1 : 0) + strlen(name) + 1;
    char *path = tsim__malloc(n), *code = NULL, err[300];
    snprintf(path, n, "%s%s%s", rel ? ld->base_dir : "", rel ? "/" : "", name);
    size_t len = 0;
    int ok = 0;
    if (tsim__read_file(path, LUA_FILE_MAX, &code, &len, err, sizeof err) != 0) {
        tsim__ld_err(ld, p, "%s", err);
    } else if (strlen(code) != len) {
        tsim__ld_err(ld, p, "'%s' is not Lua source (it holds a NUL byte)", name);
    } else {
        struct tsim__logic_err e;
        ok = tsim__lua_attach_from(ld->m, b, kind, code, 1, name, &e) == 0;
        if (!ok) tsim__ld_err(ld, p, "%s:%d: %s", name, e.line, e.msg);
    }
    tsim__free(code);
    tsim__free(path);
    return ok;
}

static int attach_lua(struct loader *ld, int b, enum tsim__lua_kind kind, struct fy_node *v,
                      struct pos kp)
{
    if (fy_node_is_mapping(v)) return attach_lua_file(ld, b, kind, v, kp);
    const char *code = tsim__ld_scalar(ld, v, "Lua code", kp);
    if (!code) return 0;
    struct tsim__logic_err e;
    if (tsim__lua_attach(ld->m, b, kind, code, code_line(v, kp), &e) != 0) {
        tsim__ld_err(ld, (struct pos){e.line, 0}, "%s", e.msg);
        return 0;
    }
    return 1;
}

/* set: {ATTRIBUTE: EXPRESSION, ...} | {lua: CODE} */
void tsim__ld_set(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'set'", kp)) return;
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, kp, &pr)) {
        const char *key = pr.name;
        struct fy_node *x = pr.v;
        struct pos pk = pr.at;
        if (strcmp(key, "lua") == 0) {
            attach_lua(ld, b, TSIM__LUA_SET, x, pk);
            continue;
        }
        int a = tsim__attr_find(ld->m, key);
        if (a < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, key);
            for (int i = 0; i < ld->m->nattrs; i++) tsim__suggest_offer(&sg, ld->m->attrs[i].name);
            tsim__ld_err(ld, pk, "'set' of unknown attribute '%s'%s", key,
                         ld->m->nattrs ? tsim__suggest_text(&sg)
                                       : " (declare it under 'attributes:')");
            continue;
        }
        const char *text = tsim__ld_scalar(ld, x, "an expression", pk);
        if (!text) continue;
        struct tsim__logic_err e;
        struct tsim__aexpr ex;
        int t = tsim__expr_compile(ld->m, text, &ex, &e);
        if (t < 0) {
            expr_err(ld, x, text, &e, pk);
            continue;
        }
        enum tsim__attr_type to = ld->m->attrs[a].type;
        static const char *const tn[] = {"number", "integer", "product", "id"};
        if (!tsim__expr_assignable(to, t)) {
            tsim__ld_err(ld, tsim__ld_pos(x, pk), "%s attribute '%s' cannot take a %s value%s",
                         tn[to], key, tn[t],
                         to == TSIM__ATTR_INTEGER && t == TSIM__ATTR_NUMBER
                             ? " (an integer takes no '/' and no fractions)"
                             : "");
            tsim__free(ex.code);
            continue;
        }
        struct tsim__hook *h = tsim__block_hook(ld->m, b);
        h->set = tsim__realloc(h->set, (size_t)(h->nset + 1) * sizeof *h->set);
        struct pos xp = tsim__ld_pos(x, pk);
        h->set[h->nset++] = (struct tsim__assign){a, ex, xp.line, xp.col};
    }
}

/* Whether a buffer's 'rule' is 'lua'. */
static int is_lua_rule(const char *text) { return text && strcasecmp(text, "lua") == 0; }

/* rule: NAME | weighted(...) | lua (with 'lua: CODE' beside it) of a buffer: its sequencing
 * rule */
void tsim__ld_seq_rule(struct loader *ld, int b, struct fy_node *v, struct pos kp,
                       struct fy_node *blk)
{
    const char *text = tsim__ld_scalar(ld, v, "'rule'", kp);
    if (!text) return;
    if (is_lua_rule(text)) {
        struct fy_node_pair *p = fy_node_mapping_lookup_pair_by_string(blk, "lua", FY_NT);
        if (!p) {
            tsim__ld_err(ld, tsim__ld_pos(v, kp), "rule 'lua' needs 'lua: CODE' in the buffer");
            return;
        }
        struct pos lp = tsim__ld_pos(fy_node_pair_key(p), kp);
        attach_lua(ld, b, TSIM__LUA_SEQ, fy_node_pair_value(p), lp);
        return;
    }
    char err[512]; /* a weights file's path and place, and the features a buffer gives */
    if (tsim__seq_attach(ld->m, b, text, ld->base_dir, err, sizeof err) != 0)
        tsim__ld_err(ld, tsim__ld_pos(v, kp), "%s", err);
}

/* lua: CODE of a buffer: read by its 'rule: lua' (tsim__ld_seq_rule), an error without one. */
void tsim__ld_seq_lua_key(struct loader *ld, struct fy_node *v, struct pos kp, struct fy_node *blk)
{
    (void)v;
    struct fy_node *r = fy_node_mapping_lookup_by_string(blk, "rule", FY_NT);
    const char *text = r && fy_node_is_scalar(r) ? fy_node_get_scalar0(r) : NULL;
    if (!is_lua_rule(text)) tsim__ld_err(ld, kp, "'lua' belongs to 'rule: lua' only");
}

int tsim__ld_lua_route(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    return attach_lua(ld, b, TSIM__LUA_ROUTE, v, kp);
}

/* release: {rule: conwip, wip: N, over: [BLOCK, ...]} of a source (docs/logic.md, "Release").
 * `over` may be left out: the whole system. */
static const char *const release_keys[] = {"rule", "wip", "over", NULL};
static const char *const release_rules[] = {"conwip", NULL};

void tsim__ld_release(struct loader *ld, int b, struct fy_node *v, struct pos kp)
{
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'release'", kp)) return;
    struct fy_node *x[3];
    struct pos xp[3];
    int ok = tsim__ld_gather(ld, v, release_keys, " in 'release'", kp, x, xp, NULL, NULL) == 0;
    if (!x[0] || !x[1]) {
        tsim__ld_err(ld, kp, "'release' needs '%s' (write '{rule: conwip, wip: N, over: [BLOCK, "
                     "...]}')", !x[0] ? "rule" : "wip");
        return;
    }
    const char *rule = tsim__ld_scalar(ld, x[0], "'rule'", xp[0]);
    if (!rule) return;
    if (tsim__ld_key_index(rule, release_rules) < 0) {
        const char *hint = tsim__suggest_list(rule, release_rules);
        tsim__ld_err(ld, tsim__ld_pos(x[0], xp[0]), "unknown release rule '%s'%s", rule,
                     hint[0] ? hint : " (use conwip)");
        ok = 0;
    }
    const char *wtext = tsim__ld_scalar(ld, x[1], "'wip'", xp[1]);
    long long wip = 0;
    struct tsim__perr e;
    if (!wtext) {
        ok = 0;
    } else if (tsim__parse_int(wtext, "'wip'", 1, TSIM__COUNT_MAX, &wip, &e) != 0) {
        tsim__ld_value_err(ld, x[1], wtext, &e, xp[1]);
        ok = 0;
    }
    int n = -1, *over = NULL;
    if (x[2]) {
        if (!tsim__ld_expect(ld, x[2], FYNT_SEQUENCE, "'over'", xp[2])) return;
        n = fy_node_sequence_item_count(x[2]);
        if (n <= 0) {
            tsim__ld_err(ld, xp[2], "'over' of the release of '%s' is empty (list the blocks "
                         "whose WIP it counts, or leave 'over' out to count the whole system)",
                         tsim_model_block_name(ld->m, b));
            return;
        }
        over = tsim__malloc((size_t)n * sizeof *over);
        int k = 0;
        void *jt = NULL;
        struct fy_node *c;
        while ((c = fy_node_sequence_iterate(x[2], &jt))) {
            struct pos cp = tsim__ld_pos(c, xp[2]);
            const char *name = tsim__ld_scalar(ld, c, "a block name", xp[2]);
            if (!name) {
                ok = 0;
                continue;
            }
            int t = tsim_model_find_block(ld->m, name);
            if (t < 0) {
                struct tsim__suggest sg;
                tsim__suggest_init(&sg, name);
                for (int i = 0; i < ld->m->nblocks; i++)
                    tsim__suggest_offer(&sg, ld->m->blocks[i].name);
                tsim__ld_err(ld, cp, "'over' names undefined block '%s'%s", name,
                             tsim__suggest_text(&sg));
                ok = 0;
                continue;
            }
            over[k++] = t;
        }
        n = k;
    }
    if (ok && tsim_source_set_release(ld->m, b, (int)wip, over, n) != 0) {
        tsim__ld_err(ld, kp, "%s", tsim__errmsg_body());
    }
    tsim__free(over);
}
