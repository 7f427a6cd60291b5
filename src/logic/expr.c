/*
 * The expressions of a block's `set`: numbers, attribute names, product names, + - * /,
 * comparisons, and/or/not and parentheses, compiled by recursive descent into the postfix code
 * src/blocks/attr.c runs. Typed at compile time, so that a whole-number attribute never
 * receives a fraction and a product is never added to.
 *
 * Invariants: the code never needs more than TSIM__EXPR_DEPTH stack places (counted while
 * compiling); nesting is capped, so hostile text cannot exhaust the C stack.
 */
#include "core/core.h"
#include "logic/logic.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEST_MAX 64
#define T_ERR (-1)

struct cx {
    const struct tsim_model *m;
    const char *s;
    size_t i;
    struct tsim__aexpr *out;
    int cap, depth, max_depth, nest;
    struct tsim__logic_err *err;
    int failed;
};

static const char *type_name(int t)
{
    static const char *const n[] = {"number", "integer", "product", "id"};
    return t >= 0 && t < 4 ? n[t] : "?";
}

__attribute__((format(printf, 3, 4))) static int fail(struct cx *c, size_t at, const char *fmt, ...)
{
    if (c->failed) return T_ERR;
    c->failed = 1;
    c->err->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
    va_end(ap);
    return T_ERR;
}

static void skip(struct cx *c)
{
    while (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r')
        c->i++;
}

static int emit(struct cx *c, enum tsim__op op, int attr, double value)
{
    if (c->out->n == TSIM__EXPR_MAX_CODE)
        return fail(c, c->i, "expression is too long (more than %d terms)", TSIM__EXPR_MAX_CODE);
    if (c->out->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->out->code = tsim__realloc(c->out->code, (size_t)c->cap * sizeof *c->out->code);
    }
    c->out->code[c->out->n++] = (struct tsim__insn){op, attr, value};
    /* Pushes grow the stack, binary operators shrink it by one. */
    if (op == TSIM__OP_CONST || op == TSIM__OP_ATTR) {
        if (++c->depth > c->max_depth) c->max_depth = c->depth;
        if (c->depth > TSIM__EXPR_DEPTH)
            return fail(c, c->i, "expression is too deeply nested");
    } else if (op != TSIM__OP_NEG && op != TSIM__OP_NOT) {
        c->depth--;
    }
    return 0;
}

/* A word at the cursor equal to `w` (not a prefix of a longer name). */
static int word(struct cx *c, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(c->s + c->i, w, n) != 0) return 0;
    char next = c->s[c->i + n];
    if (isalnum((unsigned char)next) || next == '_') return 0;
    c->i += n;
    return 1;
}

static int parse_or(struct cx *c);

static int numeric(int t) { return t == TSIM__ATTR_NUMBER || t == TSIM__ATTR_INTEGER; }

static int primary(struct cx *c)
{
    skip(c);
    size_t at = c->i;
    char ch = c->s[at];
    if (ch == '(') {
        if (++c->nest > NEST_MAX) return fail(c, at, "expression is too deeply nested");
        c->i++;
        int t = parse_or(c);
        if (t == T_ERR) return T_ERR;
        skip(c);
        if (c->s[c->i] != ')') return fail(c, c->i, "expected ')'");
        c->i++;
        c->nest--;
        return t;
    }
    if (isdigit((unsigned char)ch) || (ch == '.' && isdigit((unsigned char)c->s[at + 1]))) {
        char *end;
        errno = 0;
        double v = strtod(c->s + at, &end);
        if (errno == ERANGE || !isfinite(v)) return fail(c, at, "number out of range");
        c->i = (size_t)(end - c->s);
        if (emit(c, TSIM__OP_CONST, 0, v)) return T_ERR;
        return v == floor(v) && fabs(v) < 9007199254740992.0 ? TSIM__ATTR_INTEGER
                                                             : TSIM__ATTR_NUMBER;
    }
    if (isalpha((unsigned char)ch) || ch == '_') {
        size_t n = 0;
        while (isalnum((unsigned char)c->s[at + n]) || c->s[at + n] == '_' || c->s[at + n] == '-')
            n++;
        /* A '-' belongs to a name only when no space is around it: "a-b" may be a product
         * name, but then it is looked up whole first and split only if no such name exists. */
        char name[64];
        if (n >= sizeof name) return fail(c, at, "name too long");
        memcpy(name, c->s + at, n);
        name[n] = '\0';
        int k = tsim__attr_find(c->m, name);
        int p = k < 0 ? tsim_model_find_product(c->m, name) : -1;
        if (k < 0 && p < 0 && strchr(name, '-')) {
            n = strcspn(name, "-");
            name[n] = '\0';
            k = tsim__attr_find(c->m, name);
            p = k < 0 ? tsim_model_find_product(c->m, name) : -1;
        }
        c->i = at + n;
        if (k >= 0) {
            if (emit(c, TSIM__OP_ATTR, k, 0)) return T_ERR;
            return (int)c->m->attrs[k].type;
        }
        if (p >= 0) {
            if (emit(c, TSIM__OP_CONST, 0, p)) return T_ERR;
            return TSIM__ATTR_PRODUCT;
        }
        snprintf(c->err->name, sizeof c->err->name, "%s", name);
        return fail(c, at, "unknown attribute '%s'", name);
    }
    if (ch == '\0') return fail(c, at, "expression ends where a value was expected");
    return fail(c, at, "unexpected '%c' where a value was expected", ch);
}

static int unary(struct cx *c)
{
    skip(c);
    size_t at = c->i;
    int neg = c->s[at] == '-';
    int not = !neg && word(c, "not");
    if (!neg && !not) return primary(c);
    if (neg) c->i++;
    if (++c->nest > NEST_MAX) return fail(c, at, "expression is too deeply nested");
    int t = unary(c);
    c->nest--;
    if (t == T_ERR) return T_ERR;
    if (!numeric(t)) return fail(c, at, "'%s' of a %s", neg ? "-" : "not", type_name(t));
    if (emit(c, neg ? TSIM__OP_NEG : TSIM__OP_NOT, 0, 0)) return T_ERR;
    return neg ? t : TSIM__ATTR_INTEGER;
}

static int product_terms(struct cx *c)
{
    int t = unary(c);
    for (;;) {
        if (t == T_ERR) return T_ERR;
        skip(c);
        size_t at = c->i;
        char op = c->s[at];
        if (op != '*' && op != '/') return t;
        c->i++;
        int u = unary(c);
        if (u == T_ERR) return T_ERR;
        if (!numeric(t) || !numeric(u))
            return fail(c, at, "'%c' of a %s and a %s", op, type_name(t), type_name(u));
        if (emit(c, op == '*' ? TSIM__OP_MUL : TSIM__OP_DIV, 0, 0)) return T_ERR;
        t = op == '/' || t == TSIM__ATTR_NUMBER || u == TSIM__ATTR_NUMBER ? TSIM__ATTR_NUMBER
                                                                          : TSIM__ATTR_INTEGER;
    }
}

static int sum_terms(struct cx *c)
{
    int t = product_terms(c);
    for (;;) {
        if (t == T_ERR) return T_ERR;
        skip(c);
        size_t at = c->i;
        char op = c->s[at];
        if (op != '+' && op != '-') return t;
        c->i++;
        int u = product_terms(c);
        if (u == T_ERR) return T_ERR;
        if (!numeric(t) || !numeric(u))
            return fail(c, at, "'%c' of a %s and a %s", op, type_name(t), type_name(u));
        if (emit(c, op == '+' ? TSIM__OP_ADD : TSIM__OP_SUB, 0, 0)) return T_ERR;
        t = t == TSIM__ATTR_NUMBER || u == TSIM__ATTR_NUMBER ? TSIM__ATTR_NUMBER
                                                             : TSIM__ATTR_INTEGER;
    }
}

static int comparison(struct cx *c)
{
    int t = sum_terms(c);
    if (t == T_ERR) return T_ERR;
    skip(c);
    size_t at = c->i;
    static const struct {
        const char *s;
        enum tsim__op op;
        int order;
    } ops[] = {{"<=", TSIM__OP_LE, 1}, {">=", TSIM__OP_GE, 1}, {"==", TSIM__OP_EQ, 0},
               {"!=", TSIM__OP_NE, 0}, {"<", TSIM__OP_LT, 1},  {">", TSIM__OP_GT, 1}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t n = strlen(ops[k].s);
        if (strncmp(c->s + at, ops[k].s, n) != 0) continue;
        c->i += n;
        int u = sum_terms(c);
        if (u == T_ERR) return T_ERR;
        int ok = numeric(t) && numeric(u);
        if (!ok && !ops[k].order) ok = t == u || (t == TSIM__ATTR_ID && u == TSIM__ATTR_INTEGER) ||
                                       (u == TSIM__ATTR_ID && t == TSIM__ATTR_INTEGER);
        if (!ok)
            return fail(c, at, "'%s' of a %s and a %s", ops[k].s, type_name(t), type_name(u));
        if (emit(c, ops[k].op, 0, 0)) return T_ERR;
        return TSIM__ATTR_INTEGER;
    }
    if (c->s[at] == '=') return fail(c, at, "'=' is no comparison (write '==')");
    return t;
}

static int logical(struct cx *c, int is_or)
{
    int t = is_or ? logical(c, 0) : comparison(c);
    for (;;) {
        if (t == T_ERR) return T_ERR;
        skip(c);
        size_t at = c->i;
        if (!word(c, is_or ? "or" : "and")) return t;
        int u = is_or ? logical(c, 0) : comparison(c);
        if (u == T_ERR) return T_ERR;
        if (!numeric(t) || !numeric(u))
            return fail(c, at, "'%s' of a %s and a %s", is_or ? "or" : "and", type_name(t),
                        type_name(u));
        if (emit(c, is_or ? TSIM__OP_OR : TSIM__OP_AND, 0, 0)) return T_ERR;
        t = TSIM__ATTR_INTEGER;
    }
}

static int parse_or(struct cx *c) { return logical(c, 1); }

int tsim__expr_compile(const struct tsim_model *m, const char *text, struct tsim__aexpr *out,
                       struct tsim__logic_err *err)
{
    struct cx c = {m, text, 0, out, 0, 0, 0, 0, err, 0};
    memset(err, 0, sizeof *err);
    out->n = 0;
    out->code = NULL;
    int t = parse_or(&c);
    if (t != T_ERR) {
        skip(&c);
        if (text[c.i] != '\0') t = fail(&c, c.i, "unexpected '%c' after the expression", text[c.i]);
    }
    if (t == T_ERR) {
        tsim__free(out->code);
        out->code = NULL;
        out->n = 0;
    }
    return t;
}

int tsim__expr_assignable(enum tsim__attr_type to, int from)
{
    switch (to) {
    case TSIM__ATTR_NUMBER: return numeric(from);
    case TSIM__ATTR_INTEGER: return from == TSIM__ATTR_INTEGER;
    case TSIM__ATTR_PRODUCT: return from == TSIM__ATTR_PRODUCT;
    case TSIM__ATTR_ID: return from == TSIM__ATTR_ID || from == TSIM__ATTR_INTEGER;
    }
    return 0;
}
