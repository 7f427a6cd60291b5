/*
 * The part of the Lua rule layer (lua.c) that its tests read directly: the copy of a rule's code
 * with checkpoints, which lets a call run without the count hook.
 */
#ifndef TSIM_LOGIC_LUA_H
#define TSIM_LOGIC_LUA_H

/* `code` (a rule's Lua code, which compiles) with a checkpoint after each `do`, `repeat` and
 * function's parameters, or NULL when the rule is to run under the count hook only (its code
 * has a `goto`, a name that begins with `tsim__`, or `...`). lua.c says why that bounds a call.
 * Ownership: the caller frees the copy with tsim__free. */
char *tsim__lua_counted_code(const char *code);

#endif
