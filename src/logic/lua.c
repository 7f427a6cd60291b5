/*
 * Rules written in Lua 5.4: a block's routing rule (which of its candidates an entity goes to),
 * its Lua `set` (attributes computed by Lua) and a buffer's sequencing rule (which entity of its
 * queue it sends next). The loader compiles a rule once to report its
 * errors; each sim then runs the rules in a Lua state of its own, made at the first call.
 *
 * The sandbox, and why each part:
 * - Globals: the base functions that cannot reach outside (assert, error, ipairs, next, pairs,
 *   select, tonumber, tostring, type) and the math, string, table and utf8 libraries; no io, os,
 *   require, load, loadstring, dofile, debug, collectgarbage, pcall, getmetatable, raw*, and
 *   string.dump is removed from the string library itself (strings' methods reach it).
 * - Every table a rule sees (its globals, the libraries, the entity, the candidates) is a
 *   read-only view: writing to one is an error. A rule therefore keeps nothing from one call to
 *   the next but its locals, so its result depends only on what it is shown and on the sim's
 *   random stream: a clone, which makes a Lua state of its own, continues as the original does.
 * - math.random draws from the block's own route stream (seed, replication, "BLOCK/route"), or
 *   for a sequencing rule from the buffer's "BUFFER/aux" (as RANDOM does), so runs stay
 *   reproducible; math.randomseed is gone.
 * - An instruction budget per call (a count hook) and a memory cap on the state (its allocator).
 * Errors name the model file and the line of the Lua source inside it.
 *
 * What a call costs, and why it is cheap: a rule whose bytecode stores into no table is shown
 * its route candidates' data tables without views (read_chunk), and a call runs first as a copy
 * of the rule's code with checkpoints in its loops instead of the count hook, which would stop
 * Lua before every instruction (tsim__lua_counted_code). Both change nothing a rule can see:
 * its results and its errors are those of its views and of the count hook, to the byte.
 */
#include "blocks/sim.h"
#include "logic/logic.h"
#include "logic/lua.h"
#include "logic/rules.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A rule as the model holds it: immutable once loaded. */
struct rule {
    enum tsim__lua_kind kind;
    int block;
    int line; /* the file line of the code's first line */
    char *file; /* the file the code was read from; NULL: the model file */
    char *code;
    long budget;
};

/* What a route rule's candidate data tables hold, so that a call writes only the fields that
 * changed since the last (the data tables are written by nothing else: a rule sees them only
 * through their views), and where their views are, to know a returned view by its address. */
struct written {
    uint64_t *content;
    unsigned char *full;
    const void **view;
    const void **data;
};

/* A sim's Lua state. */
struct lstate {
    lua_State *L;
    size_t mem, cap;
    int exhausted; /* the count hook fired in this call */
    struct tsim_sim *sim;
    uint32_t block; /* the block whose rule runs */
    struct tsim_rng *rng; /* what math.random draws from in this call */
    uint32_t ent;   /* the entity `entity` shows in this call */
    int *fn;        /* per block and kind (3b + kind): its rule's function, LUA_NOREF until used */
    int *fast;      /* per block and kind: its copy with checkpoints, or LUA_NOREF (none) */
    long *quota;    /* per block and kind: the checkpoints a call of the copy may pass */
    int hooked;     /* the count hook is set */
    int drew;       /* math.random drew in this call, from a stream that was rng_was */
    struct tsim_rng rng_was;
    unsigned char *plain; /* per block and kind: the rule is shown its candidates' data tables */
    int *bview;     /* per block: its view (a userdata, read live), LUA_NOREF until used */
    int *cdata;     /* per block: its candidates' data tables (an array), LUA_NOREF until used */
    int *cview;     /* per block: the read-only view of the candidates, LUA_NOREF until used */
    int *cplain;    /* per block: the array of its candidates' data tables, LUA_NOREF until used */
    const void *shown; /* the metatable of the data tables and of their array */
    struct written *cw; /* per block: what its candidates' data tables hold now */
    int eview;      /* registry reference of `entity`, a view of s->ent (l_entity_index) */
    int sim_nblocks; /* the model's blocks: the length of the arrays per block */
    /* A sequencing rule's candidates, the queue of the buffer it runs for: their features and
     * entities, [0, nq) valid in this call. One set serves every buffer (a call runs to its end
     * before another starts). Lua sees them through userdata views read live (l_cand_index):
     * qpool holds view i + 1 of slot i, made once and reused; qview is `candidates`. */
    struct tsim__cand *qc;
    uint32_t *qe;
    int nq, capq, npool;
    int qpool, qview;
};

static void *lalloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct lstate *s = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        s->mem -= old;
        return NULL;
    }
    if (nsize > old && s->mem - old + nsize > s->cap) return NULL; /* Lua raises "not enough memory" */
    void *p = realloc(ptr, nsize);
    if (p) s->mem = s->mem - old + nsize;
    return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    s->exhausted = 1;
    luaL_error(L, "instruction budget exhausted");
}

/* math.random as Lua's, from the block's route stream. */
static int l_random(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    if (!s->drew) { /* the stream as the call found it, for a call run again (call_rule) */
        s->rng_was = *s->rng;
        s->drew = 1;
    }
    double u = tsim__draw_u(s->sim, s->rng);
    int n = lua_gettop(L);
    if (n == 0) {
        lua_pushnumber(L, u);
        return 1;
    }
    lua_Integer lo = 1, hi;
    if (n == 1) {
        hi = luaL_checkinteger(L, 1);
    } else {
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
    }
    luaL_argcheck(L, lo <= hi, n, "interval is empty");
    double span = (double)hi - (double)lo + 1.0;
    lua_Integer k = lo + (lua_Integer)floor(u * span);
    lua_pushinteger(L, k > hi ? hi : k);
    return 1;
}

static int l_readonly_set(lua_State *L)
{
    return luaL_error(L, "cannot assign '%s': what a rule is shown is read-only",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

/* Replace the table on top by a read-only view of it. */
static void readonly(lua_State *L)
{
    lua_newtable(L);              /* view */
    lua_newtable(L);              /* its metatable */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_readonly_set);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

/* A library's table, copied without the names in `drop`, as a read-only view. */
static void safe_lib(lua_State *L, const char *lib, const char *const *drop)
{
    lua_getglobal(L, lib);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, -3)) {
        int skip = 0;
        for (int i = 0; drop && drop[i]; i++) skip |= strcmp(lua_tostring(L, -2), drop[i]) == 0;
        if (skip) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -4);
    }
    lua_remove(L, -2);
}

/* A key of a view's __index: the string, or NULL for any other type (never converted). */
static const char *view_key(lua_State *L)
{
    return lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
}

/* `block`: the block whose rule runs, read live: name, content (entities in it), full. */
static int l_block_index(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    uint32_t b = *(const uint32_t *)lua_touserdata(L, 1);
    const struct tsim__bhdr *h = tsim__hdr(s->sim, b);
    const char *k = view_key(L);
    if (k && strcmp(k, "name") == 0) lua_pushstring(L, s->sim->m->blocks[b].name);
    else if (k && strcmp(k, "content") == 0) lua_pushinteger(L, (lua_Integer)h->content);
    else if (k && strcmp(k, "full") == 0) lua_pushboolean(L, h->content >= h->full_at);
    else return luaL_error(L, "the block has no field '%s'", k ? k : "?");
    return 1;
}

/* The index of the attribute named by the key (argument 2) of an __index whose first upvalue is
 * the table of attribute names (name -> index + 1), or -1. */
static int attr_of(lua_State *L)
{
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    int a = (int)lua_tointeger(L, -1) - 1;
    lua_pop(L, 1);
    return a;
}

/* An entity's attribute `k` (index a) as Lua reads it; raises for one not set yet. */
static void push_attr(lua_State *L, const struct tsim_sim *sim, uint32_t e, int a, const char *k)
{
    double v = tsim__attrs(sim, e)[a];
    if (isnan(v)) luaL_error(L, "attribute '%s' is read before it was set", k);
    const struct tsim_model *m = sim->m;
    if (m->attrs[a].type == TSIM__ATTR_PRODUCT) lua_pushstring(L, m->products[(int)v]);
    else if (m->attrs[a].type == TSIM__ATTR_NUMBER) lua_pushnumber(L, v);
    else lua_pushinteger(L, (lua_Integer)v);
}

/* A candidate of a sequencing rule: slot i of the queue, its features (struct tsim__cand, as
 * the built-in rules read them) computed when the call began, its entity's fields read live.
 * A due date that is none is math.huge, and so is the slack then. */
static int l_cand_index(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    int i = *(const int *)lua_touserdata(L, 1);
    const char *k = view_key(L);
    if (i >= s->nq) return luaL_error(L, "a candidate of another call is read");
    const struct tsim__cand *c = &s->qc[i];
    const struct tsim_sim *sim = s->sim;
    const struct tsim__entity *en = &sim->ents[s->qe[i]];
    double now = tsim__time(sim, sim->now), due = c->due == DBL_MAX ? HUGE_VAL : c->due;
    if (!k) return luaL_error(L, "a candidate has no field '?'");
    switch (k[0]) {
    case 'a':
        if (strcmp(k, "arrival") == 0) return lua_pushnumber(L, c->arrival), 1;
        break;
    case 'c':
        if (strcmp(k, "created") == 0) return lua_pushnumber(L, tsim__time(sim, en->t_created)), 1;
        break;
    case 'd':
        if (strcmp(k, "due") == 0) return lua_pushnumber(L, due), 1;
        break;
    case 'i':
        if (strcmp(k, "index") == 0) return lua_pushinteger(L, i + 1), 1;
        if (strcmp(k, "id") == 0) return lua_pushinteger(L, (lua_Integer)en->id), 1;
        break;
    case 'o':
        if (strcmp(k, "ops") == 0) return lua_pushnumber(L, c->ops_left), 1;
        break;
    case 'p':
        if (strcmp(k, "proc") == 0) return lua_pushnumber(L, c->proc), 1;
        if (strcmp(k, "product") == 0) {
            if (sim->m->nproducts > 0) lua_pushstring(L, sim->m->products[en->product]);
            else lua_pushnil(L);
            return 1;
        }
        break;
    case 's':
        if (strcmp(k, "seq") == 0) return lua_pushinteger(L, (lua_Integer)c->seq + 1), 1;
        if (strcmp(k, "slack") == 0) return lua_pushnumber(L, due - now - c->work_left), 1;
        break;
    case 'w':
        if (strcmp(k, "work") == 0) return lua_pushnumber(L, c->work_left), 1;
        if (strcmp(k, "wait") == 0) return lua_pushnumber(L, now - c->arrival), 1;
        break;
    }
    int a = attr_of(L);
    if (a < 0) return luaL_error(L, "a candidate has no field '%s'", k);
    push_attr(L, sim, s->qe[i], a, k);
    return 1;
}

/* `entity`: the entity of the call (s->ent), read live: id, product, created, its attributes. */
static int l_entity_index(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    const struct tsim_sim *sim = s->sim;
    const struct tsim__entity *en = &sim->ents[s->ent];
    const char *k = view_key(L);
    if (!k) return luaL_error(L, "the entity has no field '?'");
    if (strcmp(k, "id") == 0) {
        lua_pushinteger(L, (lua_Integer)en->id);
    } else if (strcmp(k, "product") == 0) {
        if (sim->m->nproducts > 0) lua_pushstring(L, sim->m->products[en->product]);
        else lua_pushnil(L);
    } else if (strcmp(k, "created") == 0) {
        lua_pushnumber(L, tsim__time(sim, en->t_created));
    } else {
        int a = attr_of(L);
        if (a < 0) return luaL_error(L, "the entity has no field '%s'", k);
        push_attr(L, sim, s->ent, a, k);
    }
    return 1;
}

/* pairs() of a view read live: an iteration over nothing (its fields are read by name). */
static int l_next_none(lua_State *L)
{
    (void)L;
    return 0;
}

static int l_pairs_none(lua_State *L)
{
    lua_pushcfunction(L, l_next_none);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* `candidates` of a sequencing rule: candidates[i] for i in 1..#candidates, nil elsewhere. */
static int l_queue_index(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    int isint = 0;
    lua_Integer i = lua_tointegerx(L, 2, &isint);
    if (!isint || i < 1 || i > s->nq) {
        lua_pushnil(L);
        return 1;
    }
    lua_rawgeti(L, lua_upvalueindex(1), i);
    return 1;
}

static int l_queue_len(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    lua_pushinteger(L, s->nq);
    return 1;
}

/* A read-only metatable `name` whose __index is `index` (with the value on top as its upvalue
 * when `up`; none when NULL), and __len when given. */
static void view_meta(lua_State *L, const char *name, lua_CFunction index, int up,
                      lua_CFunction len)
{
    luaL_newmetatable(L, name);
    if (up) {
        lua_pushvalue(L, -2);
        lua_pushcclosure(L, index, 1);
        lua_setfield(L, -2, "__index");
    } else if (index) {
        lua_pushcfunction(L, index);
        lua_setfield(L, -2, "__index");
    }
    lua_pushcfunction(L, l_readonly_set);
    lua_setfield(L, -2, "__newindex");
    if (len) {
        lua_pushcfunction(L, len);
        lua_setfield(L, -2, "__len");
    }
    lua_pushcfunction(L, l_pairs_none);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

/* The metatables of the views read live, `entity`, the pool of candidate views and
 * `candidates`. */
static void make_views(struct lstate *s, const struct tsim_model *m)
{
    lua_State *L = s->L;
    lua_createtable(L, 0, m->nattrs); /* attribute names -> index + 1 */
    for (int i = 0; i < m->nattrs; i++) {
        lua_pushinteger(L, i + 1);
        lua_setfield(L, -2, m->attrs[i].name);
    }
    view_meta(L, "tsim.entity", l_entity_index, 1, NULL);
    view_meta(L, "tsim.cand", l_cand_index, 1, NULL);
    lua_pop(L, 1);
    lua_newuserdatauv(L, 0, 0);
    luaL_setmetatable(L, "tsim.entity");
    s->eview = luaL_ref(L, LUA_REGISTRYINDEX);
    view_meta(L, "tsim.block", l_block_index, 0, NULL);
    view_meta(L, "tsim.shown", NULL, 0, NULL); /* data tables shown as they are: no __index */
    luaL_getmetatable(L, "tsim.shown");
    s->shown = lua_topointer(L, -1);
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    s->qpool = luaL_ref(L, LUA_REGISTRYINDEX);
    view_meta(L, "tsim.queue", l_queue_index, 1, l_queue_len);
    lua_pop(L, 1);
    lua_newuserdatauv(L, 0, 0);
    luaL_setmetatable(L, "tsim.queue");
    s->qview = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Grow the pool of candidate views to s->nq (called protected: it allocates). */
static int l_grow_pool(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->qpool);
    while (s->npool < s->nq) {
        int *slot = lua_newuserdatauv(L, sizeof *slot, 0);
        *slot = s->npool;
        luaL_setmetatable(L, "tsim.cand");
        lua_rawseti(L, -2, ++s->npool);
    }
    return 0;
}

/* Push block b's view, made at its first use (called protected: it allocates). */
static int l_make_block_view(lua_State *L)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    uint32_t *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = s->block;
    luaL_setmetatable(L, "tsim.block");
    s->bview[s->block] = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* Whether argument i is a table a rule is shown without a view (a data table of candidates, or
 * their array), known by its metatable. */
static int shown_plain(lua_State *L, int i)
{
    struct lstate *s;
    lua_getallocf(L, (void **)&s);
    if (!lua_getmetatable(L, i)) return 0;
    int yes = lua_topointer(L, -1) == s->shown;
    lua_pop(L, 1);
    return yes;
}

/* table.insert, remove, move and sort (the upvalue), refusing to write into what a rule is
 * shown without a view, as that view's __newindex would: the first argument, or move's fifth. */
static int l_table_write(lua_State *L)
{
    int n = lua_gettop(L);
    int dest = lua_tointeger(L, lua_upvalueindex(2)) == 5 && !lua_isnoneornil(L, 5) ? 5 : 1;
    if (n >= dest && shown_plain(L, dest))
        return luaL_error(L, "cannot assign '?': what a rule is shown is read-only");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* next, which finds nothing in what a rule is shown without a view, as in the empty view. */
static int l_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (shown_plain(L, 1)) {
        if (!lua_isnil(L, 2)) return luaL_error(L, "invalid key to 'next'");
        lua_pushnil(L);
        return 1;
    }
    if (lua_next(L, 1)) return 2;
    lua_pushnil(L);
    return 1;
}

/* The sandbox: the global table rules see, as the chunk's _ENV. */
static void sandbox(lua_State *L, const struct tsim_model *m)
{
    static const char *const base[] = {"assert", "error",    "ipairs", "next", "pairs",
                                       "select", "tonumber", "tostring", "type", NULL};
    static const char *const no_math[] = {"random", "randomseed", NULL};
    static const char *const no_string[] = {"dump", NULL};
    /* strings' methods are the string library: dump goes from it, not only from the copy */
    lua_getglobal(L, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    lua_newtable(L);
    for (int i = 0; base[i]; i++) {
        lua_getglobal(L, base[i]);
        lua_setfield(L, -2, base[i]);
    }
    lua_pushcfunction(L, l_next);
    lua_setfield(L, -2, "next");
    safe_lib(L, "math", no_math);
    lua_pushcfunction(L, l_random);
    lua_setfield(L, -2, "random");
    readonly(L);
    lua_setfield(L, -2, "math");
    safe_lib(L, "string", no_string);
    readonly(L);
    lua_setfield(L, -2, "string");
    safe_lib(L, "table", NULL);
    static const char *const writers[] = {"insert", "remove", "move", "sort"};
    for (int i = 0; i < 4; i++) {
        lua_getfield(L, -1, writers[i]);
        lua_pushinteger(L, i == 2 ? 5 : 1);
        lua_pushcclosure(L, l_table_write, 2);
        lua_setfield(L, -2, writers[i]);
    }
    readonly(L);
    lua_setfield(L, -2, "table");
    safe_lib(L, "utf8", NULL);
    readonly(L);
    lua_setfield(L, -2, "utf8");
    readonly(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "tsim.env");
    (void)m;
}

static struct lstate *state_new(const struct tsim_model *m)
{
    struct lstate *s = tsim__calloc(1, sizeof *s);
    s->cap = TSIM__LUA_MEMORY_DEFAULT;
    s->sim_nblocks = m->nblocks;
    s->L = lua_newstate(lalloc, s);
    TSIM__ASSERT(s->L != NULL, "cannot make a Lua state");
    lua_State *L = s->L;
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);
    sandbox(L, m);
    s->fn = tsim__malloc((size_t)(m->nblocks ? 3 * m->nblocks : 1) * sizeof *s->fn);
    for (int b = 0; b < 3 * m->nblocks; b++) s->fn[b] = LUA_NOREF;
    s->plain = tsim__calloc((size_t)(m->nblocks ? 3 * m->nblocks : 1), sizeof *s->plain);
    s->fast = tsim__malloc((size_t)(m->nblocks ? 3 * m->nblocks : 1) * sizeof *s->fast);
    s->quota = tsim__calloc((size_t)(m->nblocks ? 3 * m->nblocks : 1), sizeof *s->quota);
    for (int b = 0; b < 3 * m->nblocks; b++) s->fast[b] = LUA_NOREF;
    s->cdata = tsim__malloc((size_t)(m->nblocks ? m->nblocks : 1) * sizeof *s->cdata);
    s->cview = tsim__malloc((size_t)(m->nblocks ? m->nblocks : 1) * sizeof *s->cview);
    s->cplain = tsim__malloc((size_t)(m->nblocks ? m->nblocks : 1) * sizeof *s->cplain);
    s->cw = tsim__calloc((size_t)(m->nblocks ? m->nblocks : 1), sizeof *s->cw);
    s->bview = tsim__malloc((size_t)(m->nblocks ? m->nblocks : 1) * sizeof *s->bview);
    for (int b = 0; b < m->nblocks; b++)
        s->cdata[b] = s->cview[b] = s->cplain[b] = s->bview[b] = LUA_NOREF;
    make_views(s, m);
    return s;
}

static void state_free(void *p)
{
    struct lstate *s = p;
    if (!s) return;
    lua_close(s->L);
    tsim__free(s->fn);
    tsim__free(s->plain);
    tsim__free(s->fast);
    tsim__free(s->quota);
    tsim__free(s->cdata);
    tsim__free(s->cview);
    tsim__free(s->cplain);
    for (int b = 0; s->cw && b < s->sim_nblocks; b++) {
        tsim__free(s->cw[b].content);
        tsim__free(s->cw[b].full);
        tsim__free(s->cw[b].view);
        tsim__free(s->cw[b].data);
    }
    tsim__free(s->cw);
    tsim__free(s->bview);
    tsim__free(s->qc);
    tsim__free(s->qe);
    tsim__free(s);
}

/* Load rule `r`'s `code` (its own, or its copy with checkpoints) as a function (entity,
 * candidates, now, block; the copy also its quota) with the sandbox as its _ENV;
 * on the stack. Returns 0, or -1 with the message on the stack. The code sits on the
 * function's first line, so the chunk's lines are the code's. */
static int load_rule(lua_State *L, const struct rule *r, const char *code)
{
    static const char head[] = "local entity, candidates, now, block = ...; ";
    static const char counted[] = "local entity, candidates, now, block, tsim__k = ...; ";
    const char *h = code == r->code ? head : counted;
    size_t nh = strlen(h), n = strlen(code);
    char *buf = tsim__malloc(nh + n + 1);
    memcpy(buf, h, nh);
    memcpy(buf + nh, code, n + 1);
    int rc = luaL_loadbufferx(L, buf, nh + n, "=rule", "t");
    tsim__free(buf);
    if (rc != LUA_OK) return -1;
    lua_getfield(L, LUA_REGISTRYINDEX, "tsim.env");
    lua_setupvalue(L, -2, 1);
    return 0;
}

/* A binary chunk of lua_dump, read by read_chunk. */
struct chunk {
    unsigned char *p;
    size_t n, size, at;
    int bad;       /* read past its end, or something this reader does not know */
    int writes;    /* an instruction stores into a table */
    size_t ninstr; /* instructions of all its functions */
};

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    struct chunk *c = ud;
    if (c->n + n > c->size) {
        c->size = 2 * (c->n + n);
        c->p = tsim__realloc(c->p, c->size);
    }
    memcpy(c->p + c->n, p, n);
    c->n += n;
    return 0;
}

static unsigned chunk_byte(struct chunk *c)
{
    if (c->at >= c->n) {
        c->bad = 1;
        return 0;
    }
    return c->p[c->at++];
}

static void chunk_skip(struct chunk *c, size_t n)
{
    if (n > c->n - c->at) c->bad = 1;
    else c->at += n;
}

/* A size or count: 7 bits a byte, most significant first, the last byte's high bit set. */
static size_t chunk_size(struct chunk *c)
{
    size_t x = 0;
    for (int i = 0; i < 8 && !c->bad; i++) {
        unsigned b = chunk_byte(c);
        x = (x << 7) | (b & 0x7f);
        if (b & 0x80) return x;
    }
    c->bad = 1;
    return 0;
}

static void chunk_string(struct chunk *c)
{
    size_t n = chunk_size(c);
    if (n > 0) chunk_skip(c, n - 1);
}

/* One function of the chunk and those nested in it, in the order of Lua 5.4's ldump.c. An
 * instruction stores into a table when it is SETTABUP, SETTABLE, SETI or SETFIELD (opcodes 15
 * to 18, the low 7 bits of an instruction); SETLIST only fills the table a constructor has just
 * made. */
static void read_function(struct chunk *c, int depth)
{
    if (depth > 200) c->bad = 1; /* Lua's own limit on nesting is lower */
    chunk_string(c);              /* source */
    chunk_size(c);                /* first and last line */
    chunk_size(c);
    chunk_skip(c, 3);             /* parameters, vararg, stack size */
    size_t n = chunk_size(c);
    if (c->bad || n > (c->n - c->at) / 4) {
        c->bad = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t ins;
        memcpy(&ins, c->p + c->at + 4 * i, 4);
        unsigned op = ins & 0x7f;
        c->writes |= op >= 15 && op <= 18;
    }
    c->at += 4 * n;
    c->ninstr += n;
    n = chunk_size(c); /* constants */
    for (size_t i = 0; i < n && !c->bad; i++) {
        unsigned t = chunk_byte(c);
        if (t == 0x03 || t == 0x13) chunk_skip(c, 8);       /* integer, float */
        else if (t == 0x04 || t == 0x14) chunk_string(c);   /* short, long string */
        else if (t != 0x00 && t != 0x01 && t != 0x11) c->bad = 1; /* nil, false, true */
    }
    n = chunk_size(c); /* upvalues */
    if (n > c->n) c->bad = 1;
    else chunk_skip(c, 3 * n);
    n = chunk_size(c); /* nested functions */
    for (size_t i = 0; i < n && !c->bad; i++) read_function(c, depth + 1);
    n = chunk_size(c); /* line info (none: stripped) */
    chunk_skip(c, n);
    n = chunk_size(c);
    for (size_t i = 0; i < n && !c->bad; i++) chunk_size(c), chunk_size(c);
    n = chunk_size(c);
    for (size_t i = 0; i < n && !c->bad; i++) chunk_string(c), chunk_size(c), chunk_size(c);
    n = chunk_size(c);
    for (size_t i = 0; i < n && !c->bad; i++) chunk_string(c);
}

/* The compiled rule on top of the stack, read from its bytecode as lua_dump writes it: whether
 * an instruction may store into a table (*writes) and how many instructions its functions hold
 * (*ninstr). Returns 0, or -1 for a chunk this reader does not know in every byte (another
 * format than Lua 5.4's).
 * A rule that stores into no table can be shown its candidates' data tables themselves, whose
 * reads cost no metamethod: nothing it can run writes into them (the table library's writers
 * refuse them, l_table_write). */
static int read_chunk(lua_State *L, int *writes, size_t *ninstr)
{
    static const unsigned char head[] = {0x1b, 'L', 'u', 'a', 0x54, 0};
    struct chunk c = {tsim__malloc(4096), 0, 4096, 0, 0, 0, 0};
    int rc = -1;
    if (lua_dump(L, dump_writer, &c, 1) == 0 && c.n > 31 && memcmp(c.p, head, sizeof head) == 0 &&
        c.p[12] == 4 && c.p[13] == sizeof(lua_Integer) && c.p[14] == sizeof(lua_Number)) {
        c.at = 32; /* the header, then the count of the main function's upvalues */
        read_function(&c, 0);
        if (!c.bad && c.at == c.n) rc = 0;
    }
    tsim__free(c.p);
    *writes = c.writes;
    *ninstr = c.ninstr;
    return rc;
}

/* A rule's code counted by checkpoints instead of the count hook.
 *
 * The count hook makes Lua stop before every instruction of a rule (lvm.c's `trap`), which
 * costs more than most instructions themselves. A rule is therefore run first in a copy of its
 * code with a checkpoint, CHECKPOINT below, at the start of every loop's body (after each `do`
 * and `repeat`) and of every function's body (after its parameters), each on the line where it
 * is put, so that lines stay as they were. The checkpoint counts down a local from a quota
 * that the call passes in, and stops the call when it runs out (by calling it: a number).
 *
 * Why that bounds the instructions: without `goto` (refused below), Lua jumps back only to the
 * start of a loop's body, or to a `while` loop's test just before it, so between two checkpoints
 * a function runs each of its instructions at most once; and a function's body is entered
 * only through a checkpoint. A call that passed H checkpoints ran at most (2H + 1) times the
 * instructions of all the rule's functions (the copy's, counted in its bytecode). The quota is
 * chosen so that this is less than the budget: a call that ends within it (ended by itself,
 * with its result) would have ended within the budget under the count hook too, with the same
 * result, since the checkpoints change nothing else. Every other end (the quota run out, any
 * error, the memory cap) makes the call run again from its start, as the rule's own code under
 * the count hook, its random stream put back as it was: so a rule's results and its errors are
 * the count hook's, to the byte.
 *
 * The copy is refused (NULL: the rule always runs under the count hook) when its code has a
 * `goto`, a name that begins with `tsim__` (it could hide the checkpoint's), or `...` (it would
 * see the quota passed in). A copy that does not compile is also left unused. */
#define CHECKPOINT " tsim__k = tsim__k - 1 if tsim__k < 0 then tsim__k() end; "

static int is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

/* The end of a long bracket's text whose opening "[=*[" of `level` '=' ends before p, or NULL. */
static const char *long_end(const char *p, size_t level)
{
    for (; *p; p++) {
        if (*p != ']') continue;
        size_t k = 0;
        while (p[1 + k] == '=') k++;
        if (k == level && p[1 + k] == ']') return p + 2 + k;
    }
    return NULL;
}

/* The level + 1 of a long bracket "[=*[" at p, or 0. */
static size_t long_open(const char *p)
{
    size_t n = 1;
    while (p[n] == '=') n++;
    return p[n] == '[' ? n : 0;
}

static void put(char **out, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1);
        *out = tsim__realloc(*out, *cap);
    }
    memcpy(*out + *len, p, n);
    *len += n;
    (*out)[*len] = '\0';
}

char *tsim__lua_counted_code(const char *code)
{
    size_t cap = strlen(code) + 256, len = 0;
    char *out = tsim__malloc(cap);
    out[0] = '\0';
    int params = 0; /* after `function`, before its parameters' ')' */
    const char *p = code;
    while (*p) {
        const char *q = p + 1;
        size_t lv;
        if (p[0] == '-' && p[1] == '-') { /* a comment */
            q = p + 2;
            if (*q == '[' && (lv = long_open(q)) > 0) q = long_end(q + lv + 1, lv - 1);
            else q += strcspn(q, "\r\n");
        } else if (p[0] == '[' && (lv = long_open(p)) > 0) { /* a long string */
            q = long_end(p + lv + 1, lv - 1);
        } else if (p[0] == '\'' || p[0] == '"') {
            for (q = p + 1; *q && *q != p[0]; q++)
                if (*q == '\\' && q[1]) q++;
            q = *q ? q + 1 : NULL;
        } else if (is_alpha(p[0])) {
            while (is_alpha(*q) || is_digit(*q)) q++;
            size_t n = (size_t)(q - p);
            if ((n == 4 && memcmp(p, "goto", 4) == 0) || (n >= 6 && memcmp(p, "tsim__", 6) == 0))
                q = NULL;
            else if ((n == 2 && memcmp(p, "do", 2) == 0) ||
                     (n == 6 && memcmp(p, "repeat", 6) == 0)) {
                put(&out, &len, &cap, p, n);
                put(&out, &len, &cap, CHECKPOINT, sizeof CHECKPOINT - 1);
                p = q;
                continue;
            } else if (n == 8 && memcmp(p, "function", 8) == 0) {
                params = 1;
            }
        } else if (is_digit(p[0]) || (p[0] == '.' && is_digit(p[1]))) { /* as lex.c's numeral */
            const char *expo = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? "Pp" : "Ee";
            if (expo[0] == 'P') q = p + 2;
            for (;;) {
                if (*q == expo[0] || *q == expo[1]) {
                    q++;
                    if (*q == '+' || *q == '-') q++;
                } else if (is_digit(*q) || is_alpha(*q) || *q == '.') {
                    q++;
                } else {
                    break;
                }
            }
        } else if (p[0] == '.' && p[1] == '.' && p[2] == '.') {
            q = NULL;
        } else if (p[0] == ')' && params) {
            params = 0;
            put(&out, &len, &cap, ")" CHECKPOINT, sizeof CHECKPOINT);
            p = q;
            continue;
        }
        if (!q) {
            tsim__free(out);
            return NULL;
        }
        put(&out, &len, &cap, p, (size_t)(q - p));
        p = q;
    }
    return out;
}

/* `msg` into `out` with Lua's "at line N" (a compile error's reference to an earlier line of
 * the code, "to close 'for' at line 2") as the file's line: N + first - 1. */
static void file_lines(const char *msg, int first, char *out, size_t size)
{
    static const char at[] = "at line ";
    size_t k = 0;
    while (*msg && k + 1 < size) {
        int n = 0, used = 0;
        if (strncmp(msg, at, sizeof at - 1) == 0 &&
            sscanf(msg + sizeof at - 1, "%d%n", &n, &used) == 1) {
            int w = snprintf(out + k, size - k, "%s%d", at, n + first - 1);
            if (w < 0 || k + (size_t)w >= size) return; /* truncated, and terminated */
            k += (size_t)w;
            msg += sizeof at - 1 + (size_t)used;
            continue;
        }
        out[k++] = *msg++;
    }
    out[k] = '\0';
}

/* A Lua message "rule:N: text" as "FILE:LINE: text" with the file's line. */
static void place(const struct rule *r, const char *file, const char *msg, char *out, size_t size)
{
    int n = 0, used = 0;
    if (sscanf(msg, "rule:%d:%n", &n, &used) == 1 && used > 0) {
        while (msg[used] == ' ') used++;
        snprintf(out, size, "%s:%d: %s", file, r->line + n - 1, msg + used);
    } else {
        snprintf(out, size, "%s:%d: %s", file, r->line, msg);
    }
}

static void rule_fail(struct tsim_sim *sim, const struct rule *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rule_fail(struct tsim_sim *sim, const struct rule *r, const char *fmt, ...)
{
    char msg[300], placed[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    place(r, r->file ? r->file : sim->m->file ? sim->m->file : "model", msg, placed, sizeof placed);
    tsim__sim_fail(sim, TSIM_EMODEL, "%s (rule of '%s')", placed, sim->m->blocks[r->block].name);
}

static int l_len(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
}

/* Make block b's candidate views: per candidate a data table behind a read-only view, and a
 * read-only array of the views whose length is the candidates' count. */
static void make_candidates(struct lstate *s, struct tsim_sim *sim, uint32_t b)
{
    lua_State *L = s->L;
    const struct tsim__route *r = &sim->blocks[b].route;
    struct written *w = &s->cw[b];
    size_t n = (size_t)(r->n ? r->n : 1);
    w->content = tsim__malloc(n * sizeof *w->content);
    w->full = tsim__malloc(n * sizeof *w->full);
    w->view = tsim__malloc(n * sizeof *w->view);
    w->data = tsim__malloc(n * sizeof *w->data);
    lua_createtable(L, r->n, 0); /* data tables */
    lua_createtable(L, r->n, 0); /* their views */
    for (int i = 0; i < r->n; i++) {
        const struct tsim__bhdr *h = tsim__hdr(sim, (uint32_t)r->to[i]);
        /* The fields a rule reads most first: a key put into a table while its place is free
         * stays there, so `content` is found at once whatever Lua's string hash (seeded anew
         * for every state) makes the others collide with. */
        lua_createtable(L, 0, 4);
        w->content[i] = h->content;
        lua_pushinteger(L, (lua_Integer)h->content);
        lua_setfield(L, -2, "content");
        w->full[i] = h->content >= h->full_at;
        lua_pushboolean(L, w->full[i]);
        lua_setfield(L, -2, "full");
        lua_pushstring(L, sim->m->blocks[r->to[i]].name);
        lua_setfield(L, -2, "name");
        lua_pushinteger(L, i + 1);
        lua_setfield(L, -2, "index");
        luaL_setmetatable(L, "tsim.shown");
        w->data[i] = lua_topointer(L, -1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -4, i + 1);
        readonly(L);
        w->view[i] = lua_topointer(L, -1);
        lua_rawseti(L, -2, i + 1);
    }
    lua_newtable(L); /* the array's view */
    lua_newtable(L);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_readonly_set);
    lua_setfield(L, -2, "__newindex");
    lua_pushinteger(L, r->n);
    lua_pushcclosure(L, l_len, 1);
    lua_setfield(L, -2, "__len");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    s->cview[b] = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    lua_createtable(L, r->n, 0); /* the data tables' array, shown as it is */
    for (int i = 0; i < r->n; i++) {
        lua_rawgeti(L, -2, i + 1);
        lua_rawseti(L, -2, i + 1);
    }
    luaL_setmetatable(L, "tsim.shown");
    s->cplain[b] = luaL_ref(L, LUA_REGISTRYINDEX);
    s->cdata[b] = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Refresh block b's candidates (content, full: those that changed since they were written)
 * and push their view, or with `plain` the array of their data tables. */
static void push_candidates(struct lstate *s, struct tsim_sim *sim, uint32_t b, int plain)
{
    lua_State *L = s->L;
    if (s->cview[b] == LUA_NOREF) make_candidates(s, sim, b);
    const struct tsim__route *r = &sim->blocks[b].route;
    struct written *w = &s->cw[b];
    int data = 0; /* the data tables' array, pushed when a field is to be written */
    for (int i = 0; i < r->n; i++) {
        const struct tsim__bhdr *h = tsim__hdr(sim, (uint32_t)r->to[i]);
        unsigned char full = h->content >= h->full_at;
        if (h->content == w->content[i] && full == w->full[i]) continue;
        if (!data) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, s->cdata[b]);
            data = lua_gettop(L);
        }
        lua_rawgeti(L, data, i + 1);
        if (h->content != w->content[i]) {
            w->content[i] = h->content;
            lua_pushinteger(L, (lua_Integer)h->content);
            lua_setfield(L, -2, "content");
        }
        if (full != w->full[i]) {
            w->full[i] = full;
            lua_pushboolean(L, full);
            lua_setfield(L, -2, "full");
        }
        lua_pop(L, 1);
    }
    if (data) lua_remove(L, data);
    lua_rawgeti(L, LUA_REGISTRYINDEX, plain ? s->cplain[b] : s->cview[b]);
}

/* The candidate a route rule returned (an index, a candidate, a block's name) as an index into
 * route.to, or -1 with the reason in `why`. */
static int chosen(lua_State *L, const struct lstate *s, const struct tsim_sim *sim, uint32_t b,
                  char *why, size_t size)
{
    const struct tsim__route *r = &sim->blocks[b].route;
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE) {
        /* a candidate's view, known by its address; any other table by its name */
        const void *p = lua_topointer(L, -1);
        for (int i = 0; i < r->n; i++)
            if (s->cw[b].view[i] == p || s->cw[b].data[i] == p) return i;
    }
    if (t == LUA_TNUMBER) {
        int isint = 0;
        lua_Integer k = lua_tointegerx(L, -1, &isint);
        if (isint && k >= 1 && k <= r->n) return (int)(k - 1);
        snprintf(why, size, "returned %s, not a candidate's number (1 to %d)",
                 lua_tostring(L, -1), r->n);
        return -1;
    }
    const char *name = NULL;
    if (t == LUA_TTABLE) {
        lua_getfield(L, -1, "name");
        name = lua_tostring(L, -1);
        lua_pop(L, 1);
    } else if (t == LUA_TSTRING) {
        name = lua_tostring(L, -1);
    }
    if (name) {
        for (int i = 0; i < r->n; i++)
            if (strcmp(sim->m->blocks[r->to[i]].name, name) == 0) return i;
        snprintf(why, size, "returned '%.60s', which is not one of its candidates", name);
        return -1;
    }
    snprintf(why, size, "returned %s, not a candidate (its number, itself or its name)",
             lua_typename(L, t));
    return -1;
}

/* The values a set rule returned (a table of attribute = value) stored into `e`. */
static int store_set(lua_State *L, struct tsim_sim *sim, uint32_t e, char *why, size_t size)
{
    const struct tsim_model *m = sim->m;
    if (!lua_istable(L, -1)) {
        snprintf(why, size, "returned %s, not a table of attribute values",
                 lua_typename(L, lua_type(L, -1)));
        return -1;
    }
    double *v = tsim__attrs(sim, e);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        int a = k ? tsim__attr_find(m, k) : -1;
        if (a < 0) {
            snprintf(why, size, "set '%.60s', which is no attribute", k ? k : "?");
            return -1;
        }
        enum tsim__attr_type ty = m->attrs[a].type;
        if (ty == TSIM__ATTR_PRODUCT) {
            int p = lua_type(L, -1) == LUA_TSTRING ? tsim_model_find_product(m, lua_tostring(L, -1)) : -1;
            if (p < 0) {
                snprintf(why, size, "set product attribute '%s' to no product's name", k);
                return -1;
            }
            v[a] = p;
        } else {
            int isnum = 0;
            double x = lua_tonumberx(L, -1, &isnum);
            if (!isnum || !isfinite(x) || (ty != TSIM__ATTR_NUMBER && x != floor(x))) {
                snprintf(why, size, "set %s attribute '%s' to %s", ty == TSIM__ATTR_NUMBER ? "number" : "whole-number", k,
                         isnum ? "a value it cannot hold" : lua_typename(L, lua_type(L, -1)));
                return -1;
            }
            v[a] = x;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* The sim's Lua state, made at its first rule call. */
static struct lstate *state_of(struct tsim_sim *sim)
{
    struct lstate *s = sim->logic;
    if (!s) {
        sim->logic = s = state_new(sim->m);
        sim->logic_free = state_free;
    }
    s->sim = sim;
    return s;
}

/* Compile rule r in this state at its first call (its code, and the copy with checkpoints when
 * there is one), and make block b's view at its first use. Returns 0, or -1 after failing the
 * sim. */
static int prepare_rule(struct lstate *s, struct tsim_sim *sim, uint32_t b, const struct rule *r)
{
    lua_State *L = s->L;
    s->block = b;
    int k = 3 * b + r->kind;
    if (s->fn[k] == LUA_NOREF) {
        if (load_rule(L, r, r->code) != 0) {
            rule_fail(sim, r, "%s", lua_tostring(L, -1));
            lua_settop(L, 0);
            return -1;
        }
        int writes = 1;
        size_t ninstr = 0;
        read_chunk(L, &writes, &ninstr);
        s->plain[k] = !writes;
        s->fn[k] = luaL_ref(L, LUA_REGISTRYINDEX);
        char *counted = tsim__lua_counted_code(r->code);
        if (counted && load_rule(L, r, counted) == 0) {
            /* (2H + 1) ninstr < budget for H up to the quota */
            if (read_chunk(L, &writes, &ninstr) == 0 && ninstr > 0 &&
                (long)((size_t)r->budget / (2 * ninstr)) > 1) {
                s->quota[k] = (long)((size_t)r->budget / (2 * ninstr)) - 1;
                s->fast[k] = luaL_ref(L, LUA_REGISTRYINDEX);
            }
        }
        lua_settop(L, 0);
        tsim__free(counted);
    }
    if (s->bview[b] == LUA_NOREF) {
        lua_pushcfunction(L, l_make_block_view);
        if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
            rule_fail(sim, r, "rule used more than its %zu MiB of memory", s->cap >> 20);
            lua_settop(L, 0);
            return -1;
        }
    }
    return 0;
}

/* Push the arguments of rule r's call at block b: entity (the view of s->ent), candidates (for
 * a route, refreshed), now, block. */
static void push_args(struct lstate *s, struct tsim_sim *sim, uint32_t b, const struct rule *r)
{
    lua_State *L = s->L;
    if (r->kind == TSIM__LUA_SEQ) lua_pushnil(L);
    else lua_rawgeti(L, LUA_REGISTRYINDEX, s->eview);
    if (r->kind == TSIM__LUA_ROUTE) push_candidates(s, sim, b, s->plain[3 * b + r->kind]);
    else if (r->kind == TSIM__LUA_SEQ) lua_rawgeti(L, LUA_REGISTRYINDEX, s->qview);
    else lua_pushnil(L);
    lua_pushnumber(L, tsim__time(sim, sim->now));
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->bview[b]);
}

/* Call rule r (made ready by prepare_rule): first its copy with checkpoints, without the count
 * hook, then (if there is no copy, or the copy did not end by itself within its quota) its code
 * within its budget, the same arguments pushed again (nothing the copy ran can have changed
 * them). Returns 0 with its result on top, or -1 after failing the sim with the stack
 * cleared. */
static int call_rule(struct lstate *s, struct tsim_sim *sim, uint32_t b, const struct rule *r)
{
    lua_State *L = s->L;
    int k = 3 * b + r->kind;
    int base = lua_gettop(L);
    if (s->fast[k] != LUA_NOREF) {
        if (s->hooked) {
            lua_sethook(L, NULL, 0, 0);
            s->hooked = 0;
        }
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->fast[k]);
        push_args(s, sim, b, r);
        lua_pushinteger(L, s->quota[k]);
        s->drew = 0;
        if (lua_pcall(L, 5, 1, 0) == LUA_OK) return 0;
        lua_settop(L, base);
        if (s->drew) *s->rng = s->rng_was;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->fn[k]);
    push_args(s, sim, b, r);
    s->exhausted = 0;
    /* Set per call, which restarts its count; left set after it, since Lua code runs in this
     * state only within a rule's call, until a call without it. */
    lua_sethook(L, count_hook, LUA_MASKCOUNT, (int)r->budget);
    s->hooked = 1;
    int rc = lua_pcall(L, 4, 1, 0);
    if (rc == LUA_OK) return 0;
    if (s->exhausted)
        rule_fail(sim, r, "rule ran past its budget of %ld Lua instructions (a loop that never ends?)", r->budget);
    else if (rc == LUA_ERRMEM)
        rule_fail(sim, r, "rule used more than its %zu MiB of memory", s->cap >> 20);
    else
        rule_fail(sim, r, "%s", lua_tostring(L, -1));
    lua_settop(L, 0);
    return -1;
}

/* The hook function of a block with a Lua route or set. */
static int run_rule(struct tsim_sim *sim, uint32_t b, uint32_t e, void *ctx)
{
    const struct rule *r = ctx;
    struct lstate *s = state_of(sim);
    lua_State *L = s->L;
    s->rng = &tsim__hdr(sim, b)->rng[TSIM__RNG_ROUTE];
    if (prepare_rule(s, sim, b, r) != 0) return -1;
    s->ent = e;
    if (call_rule(s, sim, b, r) != 0) return -1;
    int k = 0;
    char why[200];
    if (r->kind == TSIM__LUA_ROUTE) {
        k = chosen(L, s, sim, b, why, sizeof why);
        if (k < 0) rule_fail(sim, r, "routing rule %s", why);
    } else {
        k = store_set(L, sim, e, why, sizeof why);
        if (k < 0) rule_fail(sim, r, "set rule %s", why);
    }
    lua_settop(L, 0);
    return k;
}

/* The slot of the candidate a sequencing rule returned (its number or its view), or -1 with
 * the reason in `why`. */
static int chosen_slot(lua_State *L, const struct lstate *s, char *why, size_t size)
{
    int t = lua_type(L, -1);
    if (t == LUA_TNUMBER) {
        int isint = 0;
        lua_Integer k = lua_tointegerx(L, -1, &isint);
        if (isint && k >= 1 && k <= s->nq) return (int)(k - 1);
        snprintf(why, size, "returned %s, not a candidate's number (1 to %d)",
                 lua_tostring(L, -1), s->nq);
        return -1;
    }
    const int *slot = luaL_testudata(L, -1, "tsim.cand");
    if (slot && *slot < s->nq) return *slot;
    snprintf(why, size, "returned %s, not a candidate (its number or itself)",
             slot ? "a candidate of another call" : lua_typename(L, t));
    return -1;
}

/* The most entities a sequencing rule is shown at once: a queue longer than this stops the run
 * (its views would hold several MiB of the state's memory). */
#define SEQ_MAX 100000

/* A buffer's decision point (desc->seq) with a Lua rule: the entity of its queue to send next.
 * The rule is asked when two or more wait, as a built-in rule decides (RANDOM draws) only then. */
static uint32_t seq_choose(struct tsim_sim *sim, uint32_t b, uint32_t head, const void *ctx)
{
    const struct rule *r = ctx;
    if (sim->ents[head].next == TSIM__NIL) return head;
    struct lstate *s = state_of(sim);
    lua_State *L = s->L;
    int n = 0;
    for (uint32_t e = head; e != TSIM__NIL; e = sim->ents[e].next) {
        if (n == SEQ_MAX) {
            rule_fail(sim, r, "sequencing rule cannot be shown a queue of more than %d entities",
                      SEQ_MAX);
            return TSIM__NIL;
        }
        if (n == s->capq) {
            s->capq = s->capq ? 2 * s->capq : 64;
            s->qc = tsim__realloc(s->qc, (size_t)s->capq * sizeof *s->qc);
            s->qe = tsim__realloc(s->qe, (size_t)s->capq * sizeof *s->qe);
        }
        tsim__seq_cand(sim, b, e, (uint64_t)n, &s->qc[n]);
        s->qe[n++] = e;
    }
    s->nq = n;
    s->rng = &tsim__hdr(sim, b)->rng[TSIM__RNG_AUX];
    if (n > s->npool) {
        lua_pushcfunction(L, l_grow_pool);
        if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
            rule_fail(sim, r, "rule used more than its %zu MiB of memory", s->cap >> 20);
            lua_settop(L, 0);
            return TSIM__NIL;
        }
    }
    if (prepare_rule(s, sim, b, r) != 0) return TSIM__NIL;
    if (call_rule(s, sim, b, r) != 0) return TSIM__NIL;
    char why[200];
    int k = chosen_slot(L, s, why, sizeof why);
    lua_settop(L, 0);
    s->nq = 0;
    if (k < 0) {
        rule_fail(sim, r, "sequencing rule %s", why);
        return TSIM__NIL;
    }
    return s->qe[k];
}

static void rule_free(void *ctx)
{
    struct rule *r = ctx;
    if (!r) return;
    tsim__free(r->code);
    tsim__free(r->file);
    tsim__free(r);
}

int tsim__lua_attach(struct tsim_model *m, int block, enum tsim__lua_kind kind, const char *code,
                     int line, struct tsim__logic_err *err)
{
    return tsim__lua_attach_from(m, block, kind, code, line, NULL, err);
}

int tsim__lua_attach_from(struct tsim_model *m, int block, enum tsim__lua_kind kind,
                          const char *code, int line, const char *file,
                          struct tsim__logic_err *err)
{
    memset(err, 0, sizeof *err);
    struct rule tmp = {kind, block, line, NULL, (char *)code, TSIM__LUA_BUDGET_DEFAULT};
    /* Compiled once here, in a state of its own, so that its errors are the loader's. */
    struct lstate *s = state_new(m);
    int rc = load_rule(s->L, &tmp, tmp.code);
    if (rc != 0) {
        const char *msg = lua_tostring(s->L, -1);
        int n = 0, used = 0;
        err->line = line;
        if (msg && sscanf(msg, "rule:%d:%n", &n, &used) == 1 && used > 0) {
            err->line = line + n - 1;
            while (msg[used] == ' ') used++;
            msg += used;
        }
        if (msg) file_lines(msg, line, err->msg, sizeof err->msg);
        else snprintf(err->msg, sizeof err->msg, "cannot compile");
    }
    state_free(s);
    if (rc != 0) return -1;
    if (kind == TSIM__LUA_SEQ) {
        /* The buffer's decision point, in place of any rule or discipline given before. */
        struct tsim__block_desc *d = &m->blocks[block];
        if (d->seq.release) d->seq.release(d->seq.ctx);
        struct rule *r = tsim__malloc(sizeof *r);
        *r = tmp;
        r->code = tsim__strdup(code);
        r->file = file ? tsim__strdup(file) : NULL;
        d->seq = (struct tsim__seq){seq_choose, r, rule_free};
        d->discipline = TSIM_FIFO;
        return 0;
    }
    struct tsim__hook *h = tsim__block_hook(m, block);
    int slot = kind == TSIM__LUA_ROUTE ? TSIM__HOOK_ROUTE : TSIM__HOOK_SET;
    if (h->fn[slot]) {
        err->line = line;
        snprintf(err->msg, sizeof err->msg, "block '%s' has a Lua %s already",
                 m->blocks[block].name, kind == TSIM__LUA_ROUTE ? "route" : "set");
        return -1;
    }
    struct rule *r = tsim__malloc(sizeof *r);
    *r = tmp;
    r->code = tsim__strdup(code);
    r->file = file ? tsim__strdup(file) : NULL;
    h->fn[slot] = run_rule;
    h->ctx[slot] = r;
    h->ctx_free[slot] = rule_free;
    return 0;
}
