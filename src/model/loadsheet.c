/*
 * The model file's routing sheets and setup matrix (docs/model-format.md, "Routing sheets"):
 *
 *   sheets:
 *     PRODUCT: [{group: BLOCK, process: DISTRIBUTION, family: NAME}, ...]
 *   setup_matrix:
 *     - {from: FAMILY, to: FAMILY, time: DISTRIBUTION}
 *
 * read after the blocks (a group names one) and before the routes (a sheet route's targets are
 * the groups). Not API.
 */
#include "core/core.h"
#include "logic/logic.h"
#include "model/loader.h"
#include "model/params.h"

#include <math.h>
#include <string.h>

#define OPS_MAX 10000 /* operations of one sheet; an entity counts its step in 15 bits */
_Static_assert(OPS_MAX < (1 << 15), "an entity's step holds the operations of a sheet");

static const char *const op_keys[] = {"group", "process", "family", "description", NULL};

/* A distribution of time `s` written at `v` into `d`: 0, or -1 reported. */
static int time_dist(struct loader *ld, struct fy_node *v, const char *s, const char *what,
                     struct tsim_dist *d, struct pos kp)
{
    struct tsim__perr e;
    if (tsim__parse_dist(d, s, ld->m->time_unit, ld->base_dir, &e) != 0) {
        tsim__ld_value_err(ld, v, s, &e, kp);
        return -1;
    }
    if (!(tsim_dist_mean(d) >= 0)) {
        tsim__ld_err(ld, tsim__ld_pos(v, kp), "%s '%s' has a negative mean", what, s);
        tsim_dist_release(d);
        return -1;
    }
    return 0;
}

/* The block named by `v` as a group, or -1 reported (with a did-you-mean). */
static int group_of(struct loader *ld, struct fy_node *v, struct pos kp)
{
    const char *s = tsim__ld_scalar(ld, v, "'group'", kp);
    if (!s) return -1;
    struct pos p = tsim__ld_pos(v, kp);
    int b = tsim_model_find_block(ld->m, s);
    if (b < 0) {
        struct tsim__suggest sg;
        tsim__suggest_init(&sg, s);
        for (int i = 0; i < ld->m->nblocks; i++) tsim__suggest_offer(&sg, ld->m->blocks[i].name);
        tsim__ld_err(ld, p, "routing sheet names undefined group '%s'%s", s,
                     tsim__suggest_text(&sg));
        return -1;
    }
    enum tsim_block_type t = tsim_model_block_type(ld->m, b);
    if (t != TSIM_MACHINE && t != TSIM_BUFFER) {
        tsim__ld_err(ld, p, "group '%s' of a routing sheet is a %s (a group is a machine or the "
                     "buffer in front of machines)", s, tsim__block_type((int)t)->name);
        return -1;
    }
    return b;
}

/* One operation {group, process, family} into `op`: 0, or -1 reported. */
static int load_op(struct loader *ld, struct fy_node *n, struct tsim__sheet_op *op, struct pos at)
{
    if (!tsim__ld_expect(ld, n, FYNT_MAPPING, "an operation", at)) return -1;
    struct fy_node *v[4] = {NULL, NULL, NULL, NULL};
    struct pos kpos[4] = {at, at, at, at};
    void *it = NULL;
    int ok = 1, k;
    struct fy_node *kv;
    struct pos kp;
    while ((k = tsim__ld_next_key(ld, n, &it, op_keys, " in an operation", at, &kv, &kp)) !=
           TSIM__LD_END) {
        if (k < 0) {
            ok = 0;
            continue;
        }
        v[k] = kv;
        kpos[k] = kp;
    }
    if (!v[0] || !v[1]) {
        tsim__ld_err(ld, at, "operation has no '%s'", !v[0] ? "group" : "process");
        return -1;
    }
    if (!ok) return -1;
    op->group = group_of(ld, v[0], kpos[0]);
    if (op->group < 0) return -1;
    const char *s = tsim__ld_scalar(ld, v[1], "'process'", kpos[1]);
    if (!s || time_dist(ld, v[1], s, "'process'", &op->time, kpos[1]) != 0) return -1;
    op->family = -1;
    if (v[2]) {
        const char *f = tsim__ld_name(ld, v[2], "a setup family", kpos[2]);
        if (!f) return -1;
        op->family = tsim__family_intern(ld->m, f);
        if (op->family < 0) {
            tsim__ld_err(ld, tsim__ld_pos(v[2], kpos[2]), "too many setup families");
            return -1;
        }
    }
    return 0;
}

void tsim__ld_sheets(struct loader *ld, struct fy_node *v, struct pos at)
{
    struct tsim_model *m = ld->m;
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'sheets'", at)) return;
    int np = m->nproducts > 0 ? m->nproducts : 1;
    if (!m->sheets) m->sheets = tsim__calloc((size_t)np, sizeof *m->sheets);
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, v, at, &pr)) {
        const char *key = pr.name;
        struct pos kp = pr.at;
        int prod = tsim_model_find_product(m, key);
        if (prod < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, key);
            for (int i = 0; i < m->nproducts; i++) tsim__suggest_offer(&sg, m->products[i]);
            tsim__ld_err(ld, kp, "routing sheet of undefined product '%s'%s", key,
                         m->nproducts ? tsim__suggest_text(&sg)
                                      : " (declare the products under 'products:')");
            continue;
        }
        struct fy_node *list = pr.v;
        if (!tsim__ld_expect(ld, list, FYNT_SEQUENCE, "a routing sheet", kp)) continue;
        int n = fy_node_sequence_item_count(list);
        if (n <= 0) {
            tsim__ld_err(ld, kp, "routing sheet of '%s' is empty (give its operations, or "
                         "leave the product out)", key);
            continue;
        }
        if (n > OPS_MAX) {
            tsim__ld_err(ld, kp, "routing sheet of '%s' has more than %d operations", key,
                         OPS_MAX);
            continue;
        }
        struct tsim__sheet *sh = &m->sheets[prod];
        if (sh->n) {
            tsim__ld_err(ld, kp, "duplicate routing sheet of '%s'", key);
            continue;
        }
        struct tsim__sheet_op *op = tsim__calloc((size_t)n, sizeof *op);
        int k = 0, ok = 1;
        void *it2 = NULL;
        struct fy_node *c;
        while ((c = fy_node_sequence_iterate(list, &it2))) {
            if (load_op(ld, c, &op[k], tsim__ld_pos(c, kp)) == 0) k++;
            else ok = 0;
        }
        if (!ok) {
            for (int i = 0; i < k; i++) tsim_dist_release(&op[i].time);
            tsim__free(op);
            continue;
        }
        sh->n = n;
        sh->op = op;
        sh->rest = tsim__malloc((size_t)(n + 1) * sizeof *sh->rest);
        sh->rest[n] = 0;
        for (int i = n - 1; i >= 0; i--) sh->rest[i] = sh->rest[i + 1] + tsim_dist_mean(&op[i].time);
    }
}

static const char *const cell_keys[] = {"from", "to", "time", NULL};

/* - {from: FAMILY, to: FAMILY, time: DISTRIBUTION} */
void tsim__ld_setup_cell(struct loader *ld, struct fy_node *n, struct pos at0)
{
    struct pos at = tsim__ld_pos(n, at0);
    if (!tsim__ld_expect(ld, n, FYNT_MAPPING, "a setup matrix entry", at)) return;
    struct fy_node *v[3] = {NULL, NULL, NULL};
    struct pos kpos[3] = {at, at, at};
    void *it = NULL;
    int k;
    struct fy_node *kv;
    struct pos kp;
    while ((k = tsim__ld_next_key(ld, n, &it, cell_keys, " in a setup matrix entry", at, &kv,
                                  &kp)) != TSIM__LD_END) {
        if (k < 0) return;
        v[k] = kv;
        kpos[k] = kp;
    }
    for (k = 0; k < 3; k++)
        if (!v[k]) {
            tsim__ld_err(ld, at, "setup matrix entry has no '%s'", cell_keys[k]);
            return;
        }
    struct tsim_model *m = ld->m;
    int f[2];
    for (k = 0; k < 2; k++) {
        const char *s = tsim__ld_name(ld, v[k], "a setup family", kpos[k]);
        if (!s) return;
        int known = 0;
        for (int i = 0; i < m->setups.nfam; i++) known |= strcmp(m->setups.family[i], s) == 0;
        if (!known) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, s);
            for (int i = 0; i < m->setups.nfam; i++) tsim__suggest_offer(&sg, m->setups.family[i]);
            tsim__ld_err(ld, tsim__ld_pos(v[k], kpos[k]),
                         "setup family '%s' is in no routing sheet%s", s,
                         m->setups.nfam ? tsim__suggest_text(&sg)
                                        : " (an operation's 'family' names one)");
            return;
        }
        f[k] = tsim__family_intern(m, s);
    }
    if (f[0] == f[1]) {
        tsim__ld_err(ld, at, "setup matrix entry from '%s' to itself (a family needs no setup "
                     "to follow itself)", m->setups.family[f[0]]);
        return;
    }
    size_t cell = (size_t)f[0] * (size_t)m->setups.nfam + (size_t)f[1];
    if (m->setups.has[cell]) {
        tsim__ld_err(ld, at, "duplicate setup matrix entry from '%s' to '%s'",
                     m->setups.family[f[0]], m->setups.family[f[1]]);
        return;
    }
    const char *s = tsim__ld_scalar(ld, v[2], "'time'", kpos[2]);
    if (!s || time_dist(ld, v[2], s, "'time'", &m->setups.time[cell], kpos[2]) != 0) return;
    m->setups.has[cell] = 1;
}
