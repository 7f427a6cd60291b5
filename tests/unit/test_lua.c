/*
 * Entity attributes and Lua rules: values computed by hand through 'set' expressions and a Lua
 * route, a clone that continues as the original does, the sandbox's refusals, and every error
 * of the model file and of a run, word for word where the text is the project's own. A Lua
 * sequencing rule at a buffer against the built-in rules it restates, run for run.
 */
#include "check.h"
#include "core/core.h"
#include "logic/lua.h"
#include "model_text.h"
#include "twinsim.h"

#include <stdlib.h>
#include <unistd.h>

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "rules.yaml", diag, size);
}

/* Five entities; each passes 'm', which adds 2 to 'n' (from 0) and sets x = n * 3 - 1 = 5; the
 * Lua route sends x == 5 to 'b' only when n is 2, else to 'a'. The reworked path ('again')
 * adds 2 more, so a second pass gives n = 4, x = 11: the route sends those to 'a'. */
static const char by_hand[] =
    "name: byhand\n"
    "attributes:\n"
    "  - {name: n, type: integer, initial: 0}\n"
    "  - {name: x, type: number}\n"
    "blocks:\n"
    "  - source: in\n"
    "    interarrival: 1\n"
    "    limit: 5\n"
    "    to: m\n"
    "  - machine: m\n"
    "    process: 0.5\n"
    "    set: {n: n + 2, x: n * 3 - 1}\n"
    "    to:\n"
    "      rule: lua\n"
    "      among: [a, b]\n"
    "      lua: |\n"
    "        if entity.x == 5 and entity.n == 2 then return candidates[2] end\n"
    "        return 'a'\n"
    "  - delay: b\n"
    "    time: 0.1\n"
    "    to: m2\n"
    "  - machine: m2\n"
    "    process: 0.1\n"
    "    set: {n: n + 2, x: n * 3 - 1}\n"
    "    to:\n"
    "      rule: lua\n"
    "      among: [a, out]\n"
    "      lua: return entity.x == 11 and 2 or 1\n"
    "  - sink: a\n"
    "  - sink: out\n";

static void test_lua_by_hand(void)
{
    char diag[2000] = "";
    struct tsim_model *m = load(by_hand, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_STR(tsim_sim_error(sim) ? tsim_sim_error(sim) : "", "");
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "b"), "entered"), 5, 0);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "out"), "entered"), 5, 0);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "a"), "entered"), 0, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The example's shape: a random failure drawn in Lua, a rework count, a Lua route. */
static const char rework[] =
    "name: rework\n"
    "attributes:\n"
    "  - {name: reworks, type: integer, initial: 0}\n"
    "  - {name: failed, type: integer}\n"
    "  - {name: weight, type: number, initial: 'uniform(1, 2)'}\n"
    "blocks:\n"
    "  - source: in\n"
    "    interarrival: exponential(2)\n"
    "    to: q\n"
    "  - buffer: q\n"
    "    to: test\n"
    "  - machine: test\n"
    "    process: uniform(0.5, 1.5)\n"
    "    set:\n"
    "      lua: |\n"
    "        return {failed = math.random() < 0.3 and 1 or 0}\n"
    "    to:\n"
    "      rule: lua\n"
    "      among: [done, rework, scrap]\n"
    "      lua: |\n"
    "        if entity.failed == 0 then return 'done' end\n"
    "        if entity.reworks >= 2 or entity.weight > 1.9 then return 'scrap' end\n"
    "        return 'rework'\n"
    "  - machine: rework\n"
    "    process: uniform(2, 4)\n"
    "    set: {reworks: reworks + 1}\n"
    "    to: q\n"
    "  - sink: done\n"
    "  - sink: scrap\n";

static void test_lua_clone_continues_identically(void)
{
    char diag[2000] = "";
    struct tsim_model *m = load(rework, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *whole = tsim_sim_create(m, 5, 0);
    tsim_sim_run_until(whole, 2000);
    struct tsim_sim *half = tsim_sim_create(m, 5, 0);
    tsim_sim_run_until(half, 700);
    struct tsim_sim *clone = tsim_sim_clone(half);
    tsim_sim_run_until(clone, 2000);
    tsim_sim_run_until(half, 2000);
    CHECK_STR(tsim_sim_error(whole) ? tsim_sim_error(whole) : "", "");
    CHECK(tsim_sim_fingerprint(whole) == tsim_sim_fingerprint(clone));
    CHECK(tsim_sim_fingerprint(whole) == tsim_sim_fingerprint(half));
    /* The rule did route: some scrapped, some reworked, with another seed another history. */
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(whole, &r);
    CHECK(kpi(&r, tsim_model_find_block(m, "scrap"), "entered") > 0);
    CHECK(kpi(&r, tsim_model_find_block(m, "rework"), "entered") > 0);
    tsim_result_release(&r);
    struct tsim_sim *other = tsim_sim_create(m, 6, 0);
    tsim_sim_run_until(other, 2000);
    CHECK(tsim_sim_fingerprint(whole) != tsim_sim_fingerprint(other));
    tsim_sim_destroy(other);
    tsim_sim_destroy(whole);
    tsim_sim_destroy(half);
    tsim_sim_destroy(clone);
    tsim_model_destroy(m);
}

/* A model with one machine whose 'set' or Lua route is `logic` (indented under the machine). */
static char *with_logic(const char *attrs, const char *logic)
{
    static char buf[4000];
    snprintf(buf, sizeof buf,
             "name: bad\n"
             "attributes:\n%s"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    limit: 3\n"
             "    to: m\n"
             "  - machine: m\n"
             "    process: 1\n"
             "%s"
             "  - sink: a\n"
             "  - sink: b\n",
             attrs, logic);
    return buf;
}

static const char attrs_nr[] = "  - {name: count, type: integer, initial: 0}\n"
                               "  - {name: ratio, type: number}\n"
                               "  - {name: kind, type: id}\n";

static void load_fails(const char *text, const char *expected)
{
    char diag[2000] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK(m == NULL);
    CHECK_STR(diag, expected);
    tsim_model_destroy(m);
}

static void test_lua_load_errors(void)
{
    load_fails(with_logic(attrs_nr, "    set: {cuont: count + 1}\n    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:13:11: error: 'set' of unknown attribute 'cuont' (did you mean "
               "'count'?)\n");
    load_fails(with_logic(attrs_nr, "    set: {count: cuont + 1}\n    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:13:18: error: unknown attribute 'cuont' (did you mean 'count'?)\n");
    load_fails(with_logic(attrs_nr, "    set: {count: count / 2}\n    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:13:18: error: integer attribute 'count' cannot take a number value "
               "(an integer takes no '/' and no fractions)\n");
    load_fails(with_logic(attrs_nr, "    set: {ratio: kind + 1}\n    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:13:23: error: '+' of a id and a integer\n");
    load_fails(with_logic(attrs_nr, "    set: {ratio: count = 1}\n    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:13:24: error: '=' is no comparison (write '==')\n");
    load_fails(with_logic("  - {name: count, type: integer, initial: 2.5}\n", "    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:3:43: error: initial value of integer attribute 'count' must be a "
               "whole number, not '2.5'\n");
    load_fails(with_logic("  - {name: count, type: intger}\n", "    to: {rule: round_robin, among: [a, b]}\n"),
               "rules.yaml:3:25: error: unknown attribute type 'intger' (did you mean "
               "'integer'?)\n");
    load_fails(with_logic(attrs_nr, "    to:\n      rule: lua\n      among: [a, b]\n"
                                    "      lua: |\n        local x = 1\n        return x +\n"),
               "rules.yaml:19: error: unexpected symbol near <eof>\n");
    load_fails(with_logic(attrs_nr, "    to:\n      rule: lua\n      among: [a, b]\n"
                                    "      lua: |\n        local x = 1\n        if x then\n"
                                    "          return 1 end end\n"),
               "rules.yaml:19: error: <eof> expected near 'end'\n");
}

/* Run a model that must fail at run time; its error must contain `expected`. */
static void run_fails(const char *text, const char *expected)
{
    char diag[2000] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    const char *err = tsim_sim_error(sim);
    CHECK(err != NULL);
    if (err && !strstr(err, expected)) {
        fprintf(stderr, "  error '%s'\n  lacks '%s'\n", err, expected);
        CHECK(0);
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static char *lua_route(const char *code)
{
    static char buf[2000];
    int n = snprintf(buf, sizeof buf,
                     "    to:\n      rule: lua\n      among: [a, b]\n      lua: |\n%s", code);
    CHECK(n > 0 && (size_t)n < sizeof buf);
    return with_logic(attrs_nr, buf);
}

static void test_lua_run_errors(void)
{
    run_fails(with_logic(attrs_nr, "    set: {count: count + 1, ratio: ratio * 2}\n    to: {rule: round_robin, among: [a, b]}\n"),
              "rules.yaml:13:36: attribute 'ratio' is read before it was set (entity 1 leaving "
              "'m')");
    run_fails(with_logic(attrs_nr, "    set: {ratio: 1 / (count - count)}\n    to: {rule: round_robin, among: [a, b]}\n"),
              "rules.yaml:13:18: expression gives an infinite value (entity 1 leaving 'm'; a "
              "division by 0?)");
    run_fails(lua_route("        local x = 0\n        while true do x = x + 1 end\n"),
              "rules.yaml:17: rule ran past its budget of 1000000 Lua instructions (a loop that "
              "never ends?) (rule of 'm')");
    run_fails(lua_route("        return string.rep('x', 100000000)\n"),
              "rules.yaml:17: rule used more than its 64 MiB of memory (rule of 'm')");
    run_fails(lua_route("        return 3\n"),
              "rules.yaml:17: routing rule returned 3, not a candidate's number (1 to 2)");
    run_fails(lua_route("        return 'c'\n"),
              "rules.yaml:17: routing rule returned 'c', which is not one of its candidates");
    run_fails(lua_route("        return true\n"),
              "rules.yaml:17: routing rule returned boolean, not a candidate");
    run_fails(lua_route("        local n = 1\n        return entity.ratio\n"),
              "rules.yaml:18: attribute 'ratio' is read before it was set");
    run_fails(lua_route("        return entity.cuont\n"),
              "rules.yaml:17: the entity has no field 'cuont'");
    run_fails(lua_route("        error('custom')\n"), "rules.yaml:17: custom (rule of 'm')");
    run_fails(with_logic(attrs_nr, "    set:\n      lua: return {count = 1.5}\n    to: {rule: round_robin, among: [a, b]}\n"),
              "rules.yaml:14: set rule set whole-number attribute 'count' to a value it cannot "
              "hold");
    run_fails(with_logic(attrs_nr, "    set:\n      lua: return {cuont = 1}\n    to: {rule: round_robin, among: [a, b]}\n"),
              "rules.yaml:14: set rule set 'cuont', which is no attribute");
}

/* What the sandbox removes or refuses, each a run-time error at the rule's line. */
static void test_lua_sandbox(void)
{
    static const char *const refused[][2] = {
        {"        return io.open('/etc/passwd')\n", "attempt to index a nil value (global 'io')"},
        {"        os.exit(1)\n", "attempt to index a nil value (global 'os')"},
        {"        return load('return 1')()\n", "attempt to call a nil value (global 'load')"},
        {"        return require('io')\n", "attempt to call a nil value (global 'require')"},
        {"        return dofile('/etc/passwd')\n", "attempt to call a nil value (global 'dofile')"},
        {"        return debug.getinfo(1)\n", "attempt to index a nil value (global 'debug')"},
        {"        return string.dump(print)\n", "attempt to call a nil value (field 'dump')"},
        {"        return ('x'):dump()\n", "attempt to call a nil value (method 'dump')"},
        {"        math.randomseed(1)\n", "attempt to call a nil value (field 'randomseed')"},
        {"        x = 1\n", "cannot assign 'x': what a rule is shown is read-only"},
        {"        math.pi = 3\n", "cannot assign 'pi': what a rule is shown is read-only"},
        {"        candidates[1] = 2\n", "read-only"},
        {"        entity.count = 5\n", "cannot assign 'count': what a rule is shown is read-only"},
        {"        return getmetatable(entity)\n", "attempt to call a nil value (global 'getmetatable')"},
        {"        return pcall(error)\n", "attempt to call a nil value (global 'pcall')"},
        /* Each kind of store a rule's bytecode may hold, into what it is shown: SETFIELD,
         * SETTABLE, in a nested function, into an upvalue (SETTABUP) */
        {"        candidates[1].content = 0\n", "cannot assign 'content': what a rule is shown is read-only"},
        {"        local k = 'full'\n        candidates[2][k] = true\n", "cannot assign 'full': what a rule is shown is read-only"},
        {"        local function f(c) c.name = 'b' end\n        f(candidates[1])\n", "cannot assign 'name': what a rule is shown is read-only"},
        {"        local c = candidates[1]\n        local function f() c.index = 2 end\n        f()\n", "cannot assign 'index': what a rule is shown is read-only"},
        /* and the table library's writers, from a rule that stores into no table itself */
        {"        table.remove(candidates)\n", "cannot assign '?': what a rule is shown is read-only"},
        {"        table.insert(candidates, 1, candidates[2])\n", "cannot assign '?': what a rule is shown is read-only"},
        {"        table.sort(candidates, function(a, b) return a.index > b.index end)\n", "cannot assign '?': what a rule is shown is read-only"},
        {"        table.move(candidates, 1, 1, 2)\n", "cannot assign '?': what a rule is shown is read-only"},
        {"        table.move({1}, 1, 1, 1, candidates[1])\n", "cannot assign '?': what a rule is shown is read-only"},
        {"        table.move(candidates, 1, 1, 2, nil)\n", "cannot assign '?': what a rule is shown is read-only"},
        {"        table.insert(candidates[1], 'x')\n", "cannot assign '?': what a rule is shown is read-only"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        run_fails(lua_route(refused[i][0]), refused[i][1]);
}

static void check_views(const char *code);

/* What a route rule is shown: its candidates (name, index, content, full), the clock. The same
 * whether the rule stores into tables of its own (it is then shown views of its candidates) or
 * not (it is shown their data tables, read-only all the same). */
static void test_lua_views(void)
{
    static const char shown[] = "        assert(#candidates == 2)\n"
                                "        assert(candidates[1].name == 'a')\n"
                                "        assert(candidates[2].index == 2)\n"
                                "        assert(candidates[1].content == 0)\n"
                                "        assert(candidates[1].full == false)\n"
                                "        assert(candidates[1].nothing == nil and candidates[3] == nil)\n"
                                "        assert(candidates.name == nil and #candidates[1] == 0)\n"
                                "        assert(next(candidates) == nil and next(candidates[1]) == nil)\n"
                                "        for _ in pairs(candidates) do error('an element') end\n"
                                "        for _ in pairs(candidates[2]) do error('a field') end\n"
                                "        local n = 0\n"
                                "        for i, c in ipairs(candidates) do assert(c.index == i) n = i end\n"
                                "        assert(n == 2 and select('#', table.unpack(candidates)) == 2)\n"
                                "        assert(now == entity.id + 1)\n"
                                "        assert(entity.count == 0)\n"
                                "        for _ in pairs(entity) do error('a field') end\n"
                                "        local k = math.random(2)\n"
                                "        assert(k == 1 or k == 2)\n"
                                "        return candidates[k]\n";
    for (int stores = 0; stores < 2; stores++) {
        char code[2000];
        snprintf(code, sizeof code, "%s%s", stores ? "        local t = {}\n        t.x = 1\n" : "", shown);
        check_views(code);
    }
}

static void check_views(const char *code)
{
    char diag[2000] = "";
    struct tsim_model *m = load(lua_route(code), diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_STR(tsim_sim_error(sim) ? tsim_sim_error(sim) : "", "");
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 3, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Two queues of 4 places before machines, fed by a route `to` (lines under machine 'm0'). */
static char *two_queues(const char *to)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "name: twoq\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(1)\n"
             "    limit: 4000\n"
             "    to: m0\n"
             "  - machine: m0\n"
             "    process: 0.1\n"
             "%s"
             "  - {buffer: q1, capacity: 4, to: m1}\n"
             "  - {buffer: q2, capacity: 4, to: m2}\n"
             "  - {machine: m1, process: exponential(1.8), to: out}\n"
             "  - {machine: m2, process: exponential(1.8), to: out}\n"
             "  - sink: out\n",
             to);
    return buf;
}

/* A route rule's candidates show each block's content and fullness of the moment (a call
 * writes only what changed since the last): the fewest content, first of equals, is the
 * built-in shortest_queue, event for event. */
static void test_lua_route_reads_live(void)
{
    uint64_t fp[2] = {0, 0};
    const char *to[2] = {
        "    to: {rule: shortest_queue, among: [q1, q2]}\n",
        "    to:\n"
        "      rule: lua\n"
        "      among: [q1, q2]\n"
        "      lua: |\n"
        "        local best = candidates[1]\n"
        "        for i = 1, #candidates do\n"
        "          local c = candidates[i]\n"
        "          assert(c.full == (c.content >= 4))\n"
        "          if c.content < best.content then best = c end\n"
        "        end\n"
        "        return best\n",
    };
    for (int k = 0; k < 2; k++) {
        char diag[2000] = "";
        struct tsim_model *m = load(two_queues(to[k]), diag, sizeof diag);
        CHECK_STR(diag, "");
        if (!m) return;
        struct tsim_sim *sim = tsim_sim_create(m, 3, 0);
        tsim_sim_run(sim);
        CHECK_STR(tsim_sim_error(sim) ? tsim_sim_error(sim) : "", "");
        fp[k] = tsim_sim_fingerprint(sim);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        /* the queues filled: m0 blocked, so 'full' was true at some calls */
        CHECK(kpi(&r, tsim_model_find_block(m, "q1"), "max_content") == 4);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
    CHECK(fp[0] == fp[1]);
}

#define CP " tsim__k = tsim__k - 1 if tsim__k < 0 then tsim__k() end; "

/* The copy of a rule's code with checkpoints: one after each `do`, `repeat` and function's
 * parameters, none in a string, a comment or a longer name; none at all (the count hook only)
 * for code with a `goto`, a name of the checkpoints' own or `...`. */
static void test_lua_counted_code(void)
{
    static const char *const cases[][2] = {
        {"for i = 1, 3 do x() end", "for i = 1, 3 do" CP " x() end"},
        {"while a do b() end", "while a do" CP " b() end"},
        {"repeat n = n + 1 until n > 3", "repeat" CP " n = n + 1 until n > 3"},
        {"local function f(a, b) return a end", "local function f(a, b)" CP " return a end"},
        {"function t.u:m() end", "function t.u:m()" CP " end"},
        {"table.sort(c, function(a, b) return a < b end)",
         "table.sort(c, function(a, b)" CP " return a < b end)"},
        {"for k in pairs(t) do\n  while true do end\nend",
         "for k in pairs(t) do" CP "\n  while true do" CP " end\nend"},
        {"local s = 'do' .. \"repeat\" .. [[function]] .. [==[ ]] do ]==] -- do\n--[[ do\n]] s()",
         "local s = 'do' .. \"repeat\" .. [[function]] .. [==[ ]] do ]==] -- do\n--[[ do\n]] s()"},
        {"local s = 'it\\'s do' .. \"\\\"do\\\"\"", "local s = 'it\\'s do' .. \"\\\"do\\\"\""},
        {"undo(1) redo() local x = 0x1e+do_it + 1e+5 + .5",
         "undo(1) redo() local x = 0x1e+do_it + 1e+5 + .5"},
        {"return a..b", "return a..b"},
        {"::top:: goto top", NULL},
        {"local tsim__k = 1e18 while true do end", NULL},
        {"return select('#', ...)", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = tsim__lua_counted_code(cases[i][0]);
        if (cases[i][1]) CHECK_STR(got ? got : "(none)", cases[i][1]);
        else CHECK(got == NULL);
        tsim__free(got);
    }
}

/* The fingerprint of replication `rep` of a run of `text` (seed `seed`), 0 after an error
 * (reported). */
static uint64_t run_fingerprint(const char *text, uint64_t seed, int rep)
{
    char diag[2000] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return 0;
    struct tsim_sim *sim = tsim_sim_create(m, seed, (uint64_t)rep);
    tsim_sim_run(sim);
    CHECK_STR(tsim_sim_error(sim) ? tsim_sim_error(sim) : "", "");
    uint64_t fp = tsim_sim_error(sim) ? 0 : tsim_sim_fingerprint(sim);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return fp;
}

/* A rule run as its copy with checkpoints gives the run of the same rule under the count hook
 * only (its code made to mention `...`, which leaves it without a copy), draw for draw: when
 * the copy ends by itself, and when it runs out of checkpoints (a loop of 40,000 rounds) and
 * the call runs again under the count hook, its random stream put back. And what no copy may
 * let run for ever is stopped by the budget, with the count hook's message. */
static void test_lua_counted_same(void)
{
    static const char *const rules[] = {
        "        local best, least = candidates[1], math.huge\n"
        "        for i = 1, #candidates do\n"
        "          local c = candidates[i]\n"
        "          local k = c.content + math.random()\n"
        "          if k < least then best, least = c, k end\n"
        "        end\n"
        "        return best\n",
        "        local s = 0\n"
        "        if entity.id % 200 == 0 then\n"
        "          for i = 1, 40000 do s = s + math.random() end\n"
        "        end\n"
        "        return math.random(2)\n",
    };
    for (int i = 0; i < 2; i++) {
        char code[3000];
        uint64_t fp[2];
        for (int hooked = 0; hooked < 2; hooked++) {
            snprintf(code, sizeof code,
                     "    to:\n      rule: lua\n      among: [q1, q2]\n      lua: |\n%s%s",
                     hooked ? "        local _ = select('#', ...)\n" : "", rules[i]);
            fp[hooked] = run_fingerprint(two_queues(code), 3, 0);
        }
        CHECK(fp[0] != 0 && fp[0] == fp[1]);
    }
    run_fails(lua_route("        local function f(n) return f(n + 1) end\n        return f(1)\n"),
              "rules.yaml:17: rule ran past its budget of 1000000 Lua instructions");
    run_fails(lua_route("        repeat until false\n"),
              "rules.yaml:17: rule ran past its budget of 1000000 Lua instructions");
    run_fails(lua_route("        table.sort({3, 2, 1}, function(a, b) while true do end end)\n"),
              "rules.yaml:17: rule ran past its budget of 1000000 Lua instructions");
}

/* A queue of three products with due dates before one machine; the buffer's rule is `rule`
 * (lines indented under the buffer). Arrivals at load 0.9 keep several entities waiting. */
static char *seq_model(const char *rule)
{
    static char buf[4000];
    snprintf(buf, sizeof buf,
             "name: seq\n"
             "products: [a, b, c]\n"
             "attributes:\n"
             "  - {name: weight, type: number, initial: 'uniform(1, 2)'}\n"
             "  - {name: late, type: integer}\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(1)\n"
             "    product: {a: 0.3, b: 0.3, c: 0.4}\n"
             "    due: uniform(2, 20)\n"
             "    limit: 3000\n"
             "    to: q\n"
             "  - buffer: q\n"
             "%s"
             "    to: m\n"
             "  - machine: m\n"
             "    process: {a: exponential(0.5), b: exponential(0.9), c: exponential(1.1)}\n"
             "    to: out\n"
             "  - sink: out\n",
             rule);
    return buf;
}

/* The fingerprint of replication `rep` of seq_model(rule), 0 after any error (reported). */
static uint64_t seq_fingerprint(const char *rule, int rep)
{
    return run_fingerprint(seq_model(rule), 11, rep);
}

/* A Lua rule that ranks by a feature as a built-in rule does gives the built-in rule's run,
 * event for event: the same features, the same ties (to the first arrived, which candidates[1]
 * is), and RANDOM's draw from the buffer's stream is math.random's. */
static void test_lua_seq_equals_builtin(void)
{
    static const char *const pairs[][2] = {
        {"    rule: SPT\n",
         "    rule: lua\n"
         "    lua: |\n"
         "      local best = candidates[1]\n"
         "      for i = 2, #candidates do\n"
         "        local c = candidates[i]\n"
         "        if c.proc < best.proc then best = c end\n"
         "      end\n"
         "      return best\n"},
        {"    rule: SLACK\n",
         "    rule: lua\n"
         "    lua: |\n"
         "      local k = 1\n"
         "      for i = 2, #candidates do\n"
         "        if candidates[i].due - now - candidates[i].work < candidates[k].slack then k = i end\n"
         "      end\n"
         "      return k\n"},
        {"    rule: 'weighted(proc=1, wait=-0.25, ops=3)'\n",
         "    rule: lua\n"
         "    lua: |\n"
         "      local k, bk = 0, math.huge\n"
         "      for i = 1, #candidates do\n"
         "        local c = candidates[i]\n"
         "        local key = c.proc - 0.25 * c.wait + 3 * c.ops\n"
         "        if key < bk then k, bk = i, key end\n"
         "      end\n"
         "      return k\n"},
        {"    rule: RANDOM\n", "    rule: lua\n    lua: return math.random(#candidates)\n"},
        {"    rule: LIFO\n", "    rule: lua\n    lua: |\n      return #candidates\n"},
    };
    uint64_t fifo = seq_fingerprint("    rule: FIFO\n", 0);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        for (int rep = 0; rep < 2; rep++) {
            uint64_t a = seq_fingerprint(pairs[i][0], rep), b = seq_fingerprint(pairs[i][1], rep);
            if (a != b) fprintf(stderr, "  %s: %016llx against %016llx\n", pairs[i][0],
                                (unsigned long long)a, (unsigned long long)b);
            CHECK(a != 0 && a == b);
            if (rep == 0) CHECK(a != fifo); /* the rule changed the run */
        }
    }
}

/* What a sequencing rule is shown: its queue's candidates with their features and attributes,
 * the buffer, the clock. Each assert stops the run if it fails. */
static void test_lua_seq_views(void)
{
    char diag[2000] = "";
    struct tsim_model *m = load(seq_model("    rule: lua\n"
                                          "    lua: |\n"
                                          "      local n = #candidates\n"
                                          "      assert(n >= 2 and n == block.content)\n"
                                          "      assert(block.name == 'q' and block.full == false)\n"
                                          "      assert(entity == nil and candidates[n + 1] == nil)\n"
                                          "      assert(candidates[0] == nil and candidates.x == nil)\n"
                                          "      for i = 1, n do\n"
                                          "        local c = candidates[i]\n"
                                          "        assert(c.index == i and c.seq == i and c.ops == 1)\n"
                                          "        assert(c.work == c.proc and c.wait == now - c.arrival)\n"
                                          "        assert(c.slack == c.due - now - c.work)\n"
                                          "        assert(c.proc == ({a = 0.5, b = 0.9, c = 1.1})[c.product])\n"
                                          "        assert(c.weight >= 1 and c.weight <= 2)\n"
                                          "        assert(c.arrival >= c.created and c.id >= 1)\n"
                                          "        if i > 1 then assert(c.arrival >= candidates[i - 1].arrival) end\n"
                                          "      end\n"
                                          "      return candidates[n]\n"),
                                diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_STR(tsim_sim_error(sim) ? tsim_sim_error(sim) : "", "");
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 3000, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static char *seq_rule(const char *code)
{
    static char buf[2000];
    snprintf(buf, sizeof buf, "    rule: lua\n    lua: |\n%s", code);
    return seq_model(buf);
}

/* Every way a sequencing rule can fail a run, at its line of the model file (the code's first
 * line is line 16). */
static void test_lua_seq_errors(void)
{
    run_fails(seq_rule("      return nil\n"),
              "rules.yaml:16: sequencing rule returned nil, not a candidate (its number or "
              "itself) (rule of 'q')");
    run_fails(seq_rule("      return 99\n"),
              "rules.yaml:16: sequencing rule returned 99, not a candidate's number (1 to ");
    run_fails(seq_rule("      return 1.5\n"),
              "rules.yaml:16: sequencing rule returned 1.5, not a candidate's number (1 to ");
    run_fails(seq_rule("      return 'a'\n"),
              "sequencing rule returned string, not a candidate (its number or itself)");
    run_fails(seq_rule("      return block\n"),
              "sequencing rule returned userdata, not a candidate (its number or itself)");
    run_fails(seq_rule("      local x = 0\n      while true do x = x + 1 end\n"),
              "rules.yaml:16: rule ran past its budget of 1000000 Lua instructions (a loop "
              "that never ends?) (rule of 'q')");
    run_fails(seq_rule("      return string.rep('x', 100000000)\n"),
              "rules.yaml:16: rule used more than its 64 MiB of memory (rule of 'q')");
    run_fails(seq_rule("      local n = 1\n      return candidates[1].late\n"),
              "rules.yaml:17: attribute 'late' is read before it was set (rule of 'q')");
    run_fails(seq_rule("      return candidates[1].prco\n"),
              "rules.yaml:16: a candidate has no field 'prco' (rule of 'q')");
    run_fails(seq_rule("      return block.size\n"), "the block has no field 'size'");
    run_fails(seq_rule("      candidates[1].proc = 0\n"),
              "cannot assign 'proc': what a rule is shown is read-only (rule of 'q')");
    run_fails(seq_rule("      candidates[3] = 1\n"), "what a rule is shown is read-only");
    run_fails(seq_rule("      return io.read()\n"), "attempt to index a nil value (global 'io')");
}

/* Errors of the model file, and a rule set by --set (tsim_model_set_param). */
static void test_lua_seq_load_errors(void)
{
    load_fails(seq_rule("      local x = 1\n      return x +\n"),
               "rules.yaml:18: error: unexpected symbol near <eof>\n");
    load_fails(seq_model("    rule: lua\n"),
               "rules.yaml:14:11: error: rule 'lua' needs 'lua: CODE' in the buffer\n");
    load_fails(seq_model("    rule: SPT\n    lua: return 1\n"),
               "rules.yaml:15:5: error: 'lua' belongs to 'rule: lua' only\n");
    load_fails(seq_model("    discipline: spt\n    rule: lua\n    lua: return 1\n"),
               "rules.yaml:13:5: error: buffer 'q' has both 'discipline' and 'rule' (give one: a "
               "rule orders the queue in place of the discipline)\n");
    char diag[2000] = "";
    struct tsim_model *m = load(seq_rule("      return #candidates\n"), diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    CHECK(tsim_model_set_param(m, "q.rule", "lua") == TSIM_EPARSE);
    CHECK(strstr(tsim_errmsg(), "rule 'lua' takes its code from the model file") != NULL);
    /* a built-in rule replaces the Lua one: the run is SPT's */
    CHECK(tsim_model_set_param(m, "q.rule", "SPT") == 0);
    struct tsim_sim *sim = tsim_sim_create(m, 11, 0);
    tsim_sim_run(sim);
    CHECK(tsim_sim_fingerprint(sim) == seq_fingerprint("    rule: SPT\n", 0));
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A rule read from a file ('lua: {file: PATH}') runs as the same code written in the model, and
 * its errors name the file and its line. */
static void test_lua_seq_file(void)
{
    char path[] = "/tmp/twinsim-test-lua-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    static const char code[] = "local best = candidates[1]\n"
                               "for i = 2, #candidates do\n"
                               "  local c = candidates[i]\n"
                               "  if c.proc < best.proc then best = c end\n"
                               "end\n"
                               "return best\n";
    CHECK(write(fd, code, sizeof code - 1) == (ssize_t)(sizeof code - 1));
    close(fd);
    char rule[200];
    snprintf(rule, sizeof rule, "    rule: lua\n    lua: {file: %s}\n", path);
    CHECK(seq_fingerprint(rule, 0) == seq_fingerprint("    rule: SPT\n", 0));
    FILE *f = fopen(path, "w");
    fputs("local n = #candidates\nreturn n + 1\n", f);
    fclose(f);
    char expected[200];
    snprintf(expected, sizeof expected, "%s:1: sequencing rule returned ", path);
    run_fails(seq_model(rule), expected);
    f = fopen(path, "w");
    fputs("local n = 1\nreturn n +\n", f);
    fclose(f);
    char diag[2000] = "";
    struct tsim_model *m = load(seq_model(rule), diag, sizeof diag);
    CHECK(m == NULL);
    snprintf(expected, sizeof expected, "rules.yaml:15:17: error: %s:3: unexpected symbol near "
             "<eof>\n", path);
    CHECK_STR(diag, expected);
    tsim_model_destroy(m);
    unlink(path);
}

/* A clone taken mid-run makes its own Lua state and continues as the original does. */
static void test_lua_seq_clone(void)
{
    char diag[2000] = "";
    struct tsim_model *m = load(seq_rule("      return math.random(#candidates)\n"), diag,
                                sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *whole = tsim_sim_create(m, 5, 0);
    tsim_sim_run(whole);
    struct tsim_sim *half = tsim_sim_create(m, 5, 0);
    tsim_sim_run_until(half, 1000);
    struct tsim_sim *clone = tsim_sim_clone(half);
    tsim_sim_run(clone);
    CHECK_STR(tsim_sim_error(clone) ? tsim_sim_error(clone) : "", "");
    CHECK(tsim_sim_fingerprint(whole) == tsim_sim_fingerprint(clone));
    tsim_sim_destroy(whole);
    tsim_sim_destroy(half);
    tsim_sim_destroy(clone);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_lua_by_hand);
    RUN(test_lua_clone_continues_identically);
    RUN(test_lua_load_errors);
    RUN(test_lua_run_errors);
    RUN(test_lua_sandbox);
    RUN(test_lua_views);
    RUN(test_lua_route_reads_live);
    RUN(test_lua_counted_code);
    RUN(test_lua_counted_same);
    RUN(test_lua_seq_equals_builtin);
    RUN(test_lua_seq_views);
    RUN(test_lua_seq_errors);
    RUN(test_lua_seq_load_errors);
    RUN(test_lua_seq_clone);
    RUN(test_lua_seq_file);
    return CHECK_DONE();
}
