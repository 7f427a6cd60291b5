/*
 * Decision logic a model file carries: the expressions of a block's `set` (expr.c) and rules
 * written in Lua (lua.c). The loader (src/model) compiles them into a block's hook
 * (src/blocks/desc.h), which the sim runs; the sim knows nothing of Lua. Not API.
 */
#ifndef TSIM_LOGIC_LOGIC_H
#define TSIM_LOGIC_LOGIC_H

#include "blocks/desc.h"

#include <stddef.h>

/* Where and what went wrong in a compile: `at` is a byte offset into the text (expressions) or
 * `line` a line of the Lua source (1-based), `name` an unknown name for a did-you-mean. */
struct tsim__logic_err {
    size_t at;
    int line;
    char name[64];
    char msg[300];
};

/* The type of an expression: that of an attribute (enum tsim__attr_type). */
#define TSIM__EXPR_MAX_CODE 1000 /* instructions in one expression */

/* Compile `text`, an expression over model m's attributes and product names, into `out` (free
 * out->code with tsim__free). Returns its type, or -1 with `err` set. */
int tsim__expr_compile(const struct tsim_model *m, const char *text, struct tsim__aexpr *out,
                       struct tsim__logic_err *err);

/* Whether a value of type `from` may be stored in an attribute of type `to`. */
int tsim__expr_assignable(enum tsim__attr_type to, int from);

/* Lua rules (lua.c). */
enum tsim__lua_kind { TSIM__LUA_ROUTE, TSIM__LUA_SET, TSIM__LUA_SEQ };

/* Limits of one rule: instructions per call, and memory of a sim's Lua state. */
#define TSIM__LUA_BUDGET_DEFAULT 1000000
#define TSIM__LUA_MEMORY_DEFAULT (64u << 20)

/*
 * Compile Lua `code` (the body of a function; `line` is the file line of its first line) as a
 * rule of `kind` for block `block`, and make it the block's hook function. A route rule chooses
 * among route.to (set by the caller before); a set rule returns a table of attribute values;
 * a sequencing rule (a buffer's `rule: lua`) chooses among the entities of the buffer's queue
 * and becomes its decision point (desc->seq), in place of any rule or discipline.
 * Returns 0, or -1 with `err` (line: the file's line).
 */
int tsim__lua_attach(struct tsim_model *m, int block, enum tsim__lua_kind kind, const char *code,
                     int line, struct tsim__logic_err *err);
/* The same with the code read from `file` (its name as the messages of a run give it). */
int tsim__lua_attach_from(struct tsim_model *m, int block, enum tsim__lua_kind kind,
                          const char *code, int line, const char *file,
                          struct tsim__logic_err *err);

/* Make rule `text` (tsim__rule_parse's syntax: "SPT", "weighted(proc=1, due=0.1)",
 * "policy:PATH" with a relative PATH under `base_dir` when that is given) the sequencing rule of
 * buffer `block` (src/logic/seq.c); FIFO removes any, leaving the buffer's own queue. Returns 0,
 * or TSIM_EPARSE (TSIM_EIO: a weights file not read) with the reason in `err`. */
int tsim__seq_attach(struct tsim_model *m, int block, const char *text, const char *base_dir,
                     char *err, size_t errlen);

/* Whether buffer `d`'s rule is `agent`: a decision point of the environment (docs/ai.md). */
int tsim__seq_is_agent(const struct tsim__block_desc *d);
/* The environment's answer for buffer `b` of a sim it steps (sim->agent set), whose queue starts
 * at `head` and holds two or more: the entity chosen, or TSIM__NIL after asking the env, which
 * stops the sim and pulls `b` again once it has the answer (src/logic/fenv.c). */
struct tsim_sim;
uint32_t tsim__fenv_ask(struct tsim_sim *sim, uint32_t b, uint32_t head);

/* "FILE:LINE:COL: error: WHAT" as "FILE:LINE:COL: WHAT", for a caller that puts its own
 * position and "error:" in front (seq.c). */
void tsim__drop_error_word(char *msg);

/* A route's rule `text`, "agent" or "policy:PATH" (a relative PATH under `base_dir` when that is
 * given), made the route hook of block `block`, whose route (set by the caller) lists the
 * targets (route.c). Returns 0, or TSIM_EPARSE (TSIM_EIO: a weights file not read) with the
 * reason in `err`. */
int tsim__route_attach(struct tsim_model *m, int block, const char *text, const char *base_dir,
                       char *err, size_t errlen);
/* Whether block `d`'s route is `rule: agent`: a decision point of the environment. */
int tsim__route_is_agent(const struct tsim__block_desc *d);
/* The features of target k of block `b`'s route for entity `e`, into f[TSIM__PF_COUNT] (the
 * route's: proc, queue, busy, backlog, util, index; the others 0). */
void tsim__route_feats(const struct tsim_sim *sim, uint32_t b, uint32_t e, size_t k, double *f);
/* The environment's answer for the route of block `b` sending entity `e` in a sim it steps: the
 * index of the target chosen, or -1 after asking the env, which stops the sim and pulls `b`
 * again once it has the answer (fenv.c). */
int tsim__fenv_route_ask(struct tsim_sim *sim, uint32_t b, uint32_t e);

/* The features of entity `e` waiting in buffer `b`, the `seq`-th of its queue (from 0), as every
 * sequencing rule of buffer `b` sees them (seq.c; docs/logic.md, "Sequencing at a buffer"). */
struct tsim__cand;
void tsim__seq_cand(const struct tsim_sim *sim, uint32_t b, uint32_t e, uint64_t seq,
                    struct tsim__cand *c);

/* Routing sheets (sheet.c). The groups of every sheet, each once, into `out` (room for
 * nblocks); returns how many. */
int tsim__sheet_groups(const struct tsim_model *m, int *out);
/* Make block `block`'s route (set by the caller: the groups, then `done`) follow the sheets.
 * Returns 0, or -1 with `err`. */
int tsim__sheet_route_attach(struct tsim_model *m, int block, char *err, size_t errlen);
/* Mark the machines of every group (a group machine, a machine a group buffer sends to), once
 * the routes are made. */
void tsim__sheet_mark_machines(struct tsim_model *m);

/* The time one call of a route rule takes with `n` candidates, in ns (make bench). */
double tsim__lua_bench(int n, long calls);

#endif
