/*
 * The loader's readers of nodes, below every part of the loader (loader.c, loadblocks.c,
 * loadlogic.c, loadsheet.c, netload.c, loadyaml.c): diagnostics placed at a line and column and
 * capped at DIAGS_MAX, positions, scalars, names and keys, and the walk over a mapping's keys that
 * says "unknown key ... did you mean". The parts call these and never one another's readers.
 */
#include "blocks/desc.h"
#include "core/core.h"
#include "model/loader.h"
#include "model/params.h"
#include "model/yaml.h"

#include <ctype.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After this many diagnostics the loader stops, as compilers do: the rest would be noise. */
#define DIAGS_MAX 100

/* ---------------------------------------------------------------------------------------------
 * Diagnostics and node helpers
 * ------------------------------------------------------------------------------------------- */

static void add_diag(struct loader *ld, enum tsim_severity sev, struct pos p, const char *fmt,
                     va_list ap)
{
    if (ld->stop) return;
    if (ld->ndiags++ == DIAGS_MAX) {
        tsim_diags_add(ld->d, TSIM_ERROR, p.line, p.col, "too many problems; stopping here");
        ld->stop = 1;
        return;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    tsim_diags_add(ld->d, sev, p.line, p.col, "%s", msg);
}

void tsim__ld_err(struct loader *ld, struct pos p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(ld, TSIM_ERROR, p, fmt, ap);
    va_end(ap);
}

void tsim__ld_warn(struct loader *ld, struct pos p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(ld, TSIM_WARNING, p, fmt, ap);
    va_end(ap);
}

/* Put the masked characters back into `copy`, the text of scalar `n`. Masks are only placed in
 * plain text, where folding changes blanks alone, so the non-blank characters of the source
 * span and of the scalar correspond one to one. */
void tsim__ld_unmask(struct loader *ld, struct fy_node *n, char *copy)
{
    if (ld->nsub == 0 || !n || fy_node_get_type(n) != FYNT_SCALAR) return;
    enum fy_node_style st = fy_node_get_style(n);
    if (st == FYNS_SINGLE_QUOTED || st == FYNS_DOUBLE_QUOTED || st == FYNS_ALIAS) return;
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *ms = t ? fy_token_start_mark(t) : NULL;
    const struct fy_mark *me = t ? fy_token_end_mark(t) : NULL;
    if (!ms || !me) return;
    size_t a = ms->input_pos, b = me->input_pos;
    size_t lo = 0, hi = ld->nsub;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ld->sub_at[mid] < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == ld->nsub || ld->sub_at[lo] >= b) return;
    const char *src = ld->yaml;
    char *c = copy;
    for (size_t p = a; p < b && *c; p++) {
        if (src[p] == ' ' || src[p] == '\t' || src[p] == '\n' || src[p] == '\r') continue;
        while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r') c++;
        if (!*c) break;
        if (lo < ld->nsub && ld->sub_at[lo] == p) {
            if (*c == ';') *c = ld->sub_was[lo];
            lo++;
        }
        c++;
    }
}

/* Where a node starts (see tsim__yaml_pos); `fallback` for an empty collection or a null
 * value. */
struct pos tsim__ld_pos(struct fy_node *n, struct pos fallback)
{
    struct pos p = fallback;
    tsim__yaml_pos(n, &p.line, &p.col);
    return p;
}

/* The place of byte `at` of a scalar's text: exact for a scalar on one line (columns count
 * characters, as libfyaml's do); the scalar's start otherwise. */
static struct pos pos_at(struct fy_node *n, const char *text, size_t at, struct pos fallback)
{
    struct pos p = tsim__ld_pos(n, fallback);
    if (!n || p.line == 0 || fy_node_get_type(n) != FYNT_SCALAR) return p;
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *s = t ? fy_token_start_mark(t) : NULL;
    const struct fy_mark *e = t ? fy_token_end_mark(t) : NULL;
    enum fy_node_style st = fy_node_get_style(n);
    if (!s || !e || s->line != e->line) return p;
    if (st != FYNS_PLAIN && st != FYNS_SINGLE_QUOTED && st != FYNS_DOUBLE_QUOTED) return p;
    if (st != FYNS_PLAIN) p.col++;
    for (size_t i = 0; i < at && text[i]; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80) p.col++;
    }
    return p;
}

struct pos tsim__ld_pos_at(struct fy_node *n, const char *text, size_t at, struct pos fallback)
{
    return pos_at(n, text, at, fallback);
}

int tsim__ld_is_null(struct fy_node *n) { return tsim__yaml_is_null(n); }

/* The text of scalar `n` in a new NUL-terminated buffer (length in *lenp), masks undone. */
char *tsim__ld_text(struct loader *ld, struct fy_node *n, size_t *lenp)
{
    char *copy = tsim__yaml_text(&ld->y, n, lenp);
    tsim__ld_unmask(ld, n, copy);
    return copy;
}

/* How a node looks, for "must be X, not Y" messages. */
const char *tsim__ld_describe(struct loader *ld, struct fy_node *n, char *buf, size_t size)
{
    if (!n || tsim__ld_is_null(n)) return "empty";
    if (fy_node_get_type(n) == FYNT_MAPPING) return "a mapping";
    if (fy_node_get_type(n) == FYNT_SEQUENCE) return "a list";
    size_t len;
    char *s = tsim__ld_text(ld, n, &len);
    size_t show = len > 40 ? 40 : len;
    while (show > 0 && show < len && ((unsigned char)s[show] & 0xC0) == 0x80) show--;
    s[show] = '\0';
    snprintf(buf, size, "'%s%s'", s, show < len ? "..." : "");
    tsim__free(s);
    for (char *c = buf; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t' || *c == '\0') *c = ' ';
    }
    return buf;
}

/* The text of scalar `n`, NUL-terminated and owned by the loader; NULL (with a diagnostic unless
 * the node is an alias, already reported) when `n` is not a scalar. `what` names it. */
const char *tsim__ld_scalar(struct loader *ld, struct fy_node *n, const char *what, struct pos at)
{
    char buf[64];
    if (n && fy_node_is_alias(n)) return NULL;
    if (tsim__ld_is_null(n)) {
        tsim__ld_err(ld, tsim__ld_pos(n, at), "missing value for %s", what);
        return NULL;
    }
    if (fy_node_get_type(n) != FYNT_SCALAR) {
        tsim__ld_err(ld, tsim__ld_pos(n, at), "%s must be a single value, not %s", what,
                     tsim__ld_describe(ld, n, buf, sizeof buf));
        return NULL;
    }
    size_t len;
    char *copy = tsim__ld_text(ld, n, &len);
    if (memchr(copy, '\0', len)) {
        tsim__ld_err(ld, tsim__ld_pos(n, at), "%s holds a NUL character", what);
        tsim__free(copy);
        return NULL;
    }
    tsim__grow((void **)&ld->strs, &ld->capstr, ld->nstr + 1, sizeof *ld->strs);
    ld->strs[ld->nstr++] = copy;
    return copy;
}

/* The key of a pair as text; mapping keys in model files are plain names. */
const char *tsim__ld_key(struct loader *ld, struct fy_node_pair *p, struct pos at)
{
    struct fy_node *k = fy_node_pair_key(p);
    if (k && fy_node_is_alias(k)) return NULL;
    if (tsim__ld_is_null(k)) {
        tsim__ld_err(ld, tsim__ld_pos(k, at), "empty key");
        return NULL;
    }
    if (fy_node_get_type(k) != FYNT_SCALAR) {
        tsim__ld_err(ld, tsim__ld_pos(k, at), "a key must be a name, not %s",
                     k && fy_node_get_type(k) == FYNT_MAPPING ? "a mapping" : "a list");
        return NULL;
    }
    return tsim__ld_scalar(ld, k, "a key", at);
}

int tsim__ld_expect(struct loader *ld, struct fy_node *n, enum fy_node_type type, const char *what,
                    struct pos at)
{
    char buf[64];
    if (n && fy_node_is_alias(n)) return 0;
    if (n && fy_node_get_type(n) == type) return 1;
    if (tsim__ld_is_null(n)) {
        tsim__ld_err(ld, tsim__ld_pos(n, at), "missing value for %s", what);
        return 0;
    }
    tsim__ld_err(ld, tsim__ld_pos(n, at), "%s must be %s, not %s", what,
                 type == FYNT_MAPPING ? "a mapping" : "a list",
                 tsim__ld_describe(ld, n, buf, sizeof buf));
    return 0;
}

/* Names of products, blocks, shifts and pools: letters, digits, '_' and '-', and no dots, so
 * that a parameter path such as "filler.process.small" splits one way only. */
int tsim__ld_valid_name(const char *s)
{
    if (!s[0] || strlen(s) > 64) return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
            c != '_' && c != '-' && c < 0x80)
            return 0;
    }
    return 1;
}

char *tsim__ld_data_path(struct loader *ld, const char *s)
{
    size_t blen = ld->base_dir && ld->base_dir[0] && s[0] != '/' ? strlen(ld->base_dir) + 1 : 0;
    char *path = tsim__malloc(blen + strlen(s) + 1);
    if (blen) {
        memcpy(path, ld->base_dir, blen - 1);
        path[blen - 1] = '/';
    }
    strcpy(path + blen, s);
    return path;
}

const char *tsim__ld_name(struct loader *ld, struct fy_node *n, const char *what, struct pos at)
{
    const char *s = tsim__ld_scalar(ld, n, what, at);
    if (!s) return NULL;
    if (!tsim__ld_valid_name(s)) {
        char buf[64];
        tsim__ld_err(ld, tsim__ld_pos(n, at),
                     "invalid name %s (use up to 64 letters, digits, '_' and '-')",
                     tsim__ld_describe(ld, n, buf, sizeof buf));
        return NULL;
    }
    return s;
}

int tsim__ld_product(struct loader *ld, struct fy_node *n, const char *text, struct pos at)
{
    int p = tsim_model_find_product(ld->m, text);
    if (p >= 0) return p;
    struct tsim__suggest s;
    tsim__suggest_init(&s, text);
    for (int i = 0; i < ld->m->nproducts; i++) tsim__suggest_offer(&s, ld->m->products[i]);
    tsim__ld_err(ld, tsim__ld_pos(n, at), "undefined product '%s'%s", text, tsim__suggest_text(&s));
    return -1;
}

/* Report a problem `e` found in the text of scalar `n`. */
void tsim__ld_value_err(struct loader *ld, struct fy_node *n, const char *text,
                        const struct tsim__perr *e, struct pos at)
{
    struct pos p = pos_at(n, text, e->at, at);
    tsim__ld_err(ld, p, "%s", e->msg);
}

int tsim__ld_next_key_of(struct loader *ld, struct fy_node *n, void **it,
                         const struct tsim__ld_keyset *ks, struct pos base, struct fy_node **v,
                         struct pos *kp)
{
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(n, it))) {
        *kp = tsim__ld_pos(fy_node_pair_key(p), base);
        const char *key = tsim__ld_key(ld, p, *kp);
        if (!key) continue;
        *v = fy_node_pair_value(p);
        int k = tsim__ld_key_index(key, ks->keys);
        if (k >= 0) return k;
        k = ks->more ? tsim__ld_key_index(key, ks->more) : -1;
        if (k >= 0) {
            int nkeys = 0;
            while (ks->keys[nkeys]) nkeys++;
            return nkeys + k;
        }
        tsim__ld_err(ld, *kp, "unknown %s '%s'%s%s", ks->noun, key, ks->where,
                     tsim__suggest_list(key, ks->keys));
        return TSIM__LD_UNKNOWN;
    }
    return TSIM__LD_END;
}

int tsim__ld_next_pair(struct loader *ld, struct fy_node *n, struct pos base,
                       struct tsim__ld_pair *pr)
{
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(n, &pr->it))) {
        pr->key = fy_node_pair_key(p);
        pr->at = tsim__ld_pos(pr->key, base);
        pr->name = tsim__ld_key(ld, p, pr->at);
        if (pr->name) {
            pr->v = fy_node_pair_value(p);
            return 1;
        }
        pr->bad++;
    }
    return 0;
}

int tsim__ld_next_key(struct loader *ld, struct fy_node *n, void **it, const char *const *keys,
                      const char *where, struct pos base, struct fy_node **v, struct pos *kp)
{
    const struct tsim__ld_keyset ks = {keys, NULL, "key", where};
    return tsim__ld_next_key_of(ld, n, it, &ks, base, v, kp);
}

int tsim__ld_gather(struct loader *ld, struct fy_node *n, const char *const *keys,
                    const char *where, struct pos base, struct fy_node **node, struct pos *at,
                    const char *const *what, const char **text)
{
    for (int i = 0; keys[i]; i++) {
        node[i] = NULL;
        at[i] = base;
        if (text) text[i] = NULL;
    }
    int unknown = 0;
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key(ld, n, &it, keys, where, base, &v, &kp)) != TSIM__LD_END) {
        if (k < 0) {
            unknown++;
            continue;
        }
        node[k] = v;
        at[k] = kp;
        if (text) text[k] = tsim__ld_scalar(ld, v, what[k], kp);
    }
    return unknown;
}

int tsim__ld_key_index(const char *key, const char *const *keys)
{
    for (int i = 0; keys[i]; i++) {
        if (strcmp(keys[i], key) == 0) return i;
    }
    return -1;
}
