/*
 * The model file's `network:`: its nodes, its segments and where blocks stand, read into the
 * model's path network (src/blocks/network.h). Read after the blocks, since `at` names them.
 *
 *   network:
 *     nodes: [dock, pack, home]
 *     segments:
 *       - {from: dock, to: pack, length: 250, one_way: true, speed_limit: 100}
 *       - {from: pack, to: home, length: 40, capacity: 1, class: narrow}
 *     at: {in: dock, pack: pack, amr: home}
 *     zones: {pack: 1}       # zone control: at most 1 vehicle of a fleet on node 'pack'
 *     node_capacity: 2       # and at most 2 on each node `zones` does not name
 *
 * A large layout gives its segments as a CSV file instead (`segments_file: layout.csv`, read by
 * csvtab.c on libcsv: columns from, to, length, and optionally one_way, speed_limit, capacity
 * and class, with the meaning of the list's keys; an empty field is the key left out); its
 * nodes may then be left out, and are the nodes the file names, in the order it first names
 * them. A problem in the file is reported at the key's value with the file's line and column.
 * A class is made by naming it, so in the file, where one row of thousands may misspell it, a
 * class that no fleet's `speed_by_class` names but that is one typo from a class that one names
 * and another row has, is taken for a typo and reported at its first row. (A class of
 * `speed_by_class` that no segment has is the fleet's error, at its key.)
 *
 * Two segments that join the same two nodes in the same direction (two one-way ones, a one-way
 * one beside a two-way one, ...) are refused at the second, naming the first: a path takes one
 * arc between two nodes, and a vehicle's zone is its segment, so a second one would be a lane
 * no vehicle ever drove and a capacity no vehicle ever met. Lanes are two segments through a
 * node of their own.
 */
#include "blocks/desc.h"
#include "blocks/fleet.h"
#include "blocks/network.h"
#include "core/core.h"
#include "model/csvtab.h"
#include "model/loader.h"
#include "model/params.h"

#include <math.h>
#include <string.h>

/* Bounds far beyond any plant, low enough that a search's tables stay small. */
#define NODES_MAX 1000000
#define SEGMENTS_MAX 4000000
#define CLASSES_MAX 1000 /* classes are looked up one by one */

static const char *const net_keys[] = {"nodes", "segments", "at", "description", "zones",
                                       "node_capacity", "segments_file", NULL};
static const char *const seg_keys[] = {"from", "to", "length", "one_way", "speed_limit",
                                       "description", "capacity", "class", NULL};

static int capacity(struct loader *ld, struct fy_node *v, const char *what, struct pos at);

/* Where each segment was written, in the order added: a line and column of the model file, or
 * of the segments file (`csv` set). */
struct seg_at {
    int n, csv;
    size_t cap;
    long long *lc; /* 2 per segment */
};

static void seg_at_add(struct seg_at *w, long long line, long long col)
{
    tsim__grow((void **)&w->lc, &w->cap, 2 * ((size_t)w->n + 1), sizeof *w->lc);
    w->lc[2 * w->n] = line;
    w->lc[2 * w->n + 1] = col;
    w->n++;
}

/* Refuse each segment that runs beside an earlier one (see the top of the file): at its place
 * in the model file, or at `file_at` (the 'segments_file' key) with its place in the file. */
static void refuse_parallels(struct loader *ld, const struct tsim__network *net,
                             const struct seg_at *w, const char *file, struct pos file_at)
{
    if (w->n != net->nsegs || net->nsegs < 2) return;
    int *beside = tsim__malloc((size_t)net->nsegs * sizeof *beside);
    if (tsim__net_parallels(net, beside) > 0) {
        int *from = tsim__malloc((size_t)net->nsegs * 2 * sizeof *from);
        for (int a = net->narcs - 1; a >= 0; a--) { /* each segment's first arc */
            from[2 * net->arc[a].seg] = net->arc[a].from;
            from[2 * net->arc[a].seg + 1] = net->arc[a].to;
        }
        for (int s = 0; s < net->nsegs && !ld->stop; s++) {
            int t = beside[s];
            if (t < 0) continue;
            char what[300];
            snprintf(what, sizeof what, "a second segment between nodes '%s' and '%s' in the same "
                     "direction (the first is at line %lld, column %lld): give one segment from a "
                     "node to another, or make a lane a path through a node of its own",
                     net->node[from[2 * s]], net->node[from[2 * s + 1]], w->lc[2 * t],
                     w->lc[2 * t + 1]);
            if (w->csv)
                tsim__ld_err(ld, file_at, "%s:%lld:%lld: %s", file, w->lc[2 * s],
                             w->lc[2 * s + 1], what);
            else
                tsim__ld_err(ld, (struct pos){(int)w->lc[2 * s], (int)w->lc[2 * s + 1]}, "%s",
                             what);
        }
        tsim__free(from);
    }
    tsim__free(beside);
}

/* Reports at `at` that `name` is not one of the `n` names of `names` ("WHAT 'NAME'"), with a
 * "did you mean" among them. */
static void unknown_name(struct loader *ld, struct pos at, const char *what, const char *name,
                         char *const *names, int n)
{
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, name);
    for (int k = 0; k < n; k++) tsim__suggest_offer(&sg, names[k]);
    tsim__ld_err(ld, at, "%s '%s'%s", what, name, tsim__suggest_text(&sg));
}

/* The class of `net` that segment class `name` is one typo from, when no fleet's `speed_by_class`
 * names `name` but one names that class; else NULL. */
static const char *class_typo(const struct loader *ld, const struct tsim__network *net,
                              const char *name)
{
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, name);
    for (size_t k = 0; k < ld->nblk; k++) {
        struct fy_node *map = ld->blk[k].class_speeds;
        if (!map || !fy_node_is_mapping(map)) continue;
        void *it = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(map, &it))) {
            const char *key = fy_node_get_scalar0(fy_node_pair_key(p));
            if (!key) continue;
            if (strcmp(key, name) == 0) return NULL;
            for (int c = 1; c < net->ncls; c++)
                if (strcmp(net->cls[c], key) == 0) tsim__suggest_offer(&sg, key);
        }
    }
    return *tsim__suggest_text(&sg) ? sg.best : NULL;
}

/* The node named by scalar `v`, or -1 reported with a "did you mean". */
static int node_ref(struct loader *ld, struct tsim__network *net, struct fy_node *v,
                    const char *what, struct pos at)
{
    const char *s = tsim__ld_scalar(ld, v, what, at);
    if (!s) return -1;
    int i = tsim__net_find(net, s);
    if (i < 0) unknown_name(ld, tsim__ld_pos(v, at), "undefined node", s, net->node, net->nnodes);
    return i;
}

double tsim__ld_measure(struct loader *ld, struct fy_node *v, const char *what, struct pos at,
                        int zero)
{
    struct tsim__perr e;
    double x;
    const char *s = tsim__ld_scalar(ld, v, what, at);
    if (!s) return NAN;
    if (tsim__parse_real(s, what, &x, &e) != 0) {
        tsim__ld_value_err(ld, v, s, &e, at);
        return NAN;
    }
    if (zero && !(x >= 0 && x < 1e12)) {
        tsim__ld_err(ld, tsim__ld_pos(v, at), "%s must be at least 0 and below 1e12, not %s",
                     what, s);
        return NAN;
    }
    if (!zero && (!(x > 0) || isinf(x))) {
        tsim__ld_err(ld, tsim__ld_pos(v, at), "%s must be more than 0, not %s", what, s);
        return NAN;
    }
    return x;
}

/* A number > 0 (a length or a speed), or NAN reported. */
static double positive(struct loader *ld, struct fy_node *v, const char *what, struct pos at)
{
    return tsim__ld_measure(ld, v, what, at, 0);
}

static void load_segment(struct loader *ld, struct tsim__network *net, struct fy_node *sg,
                         struct pos at0, struct seg_at *w)
{
    struct pos at = tsim__ld_pos(sg, at0);
    if (!tsim__ld_expect(ld, sg, FYNT_MAPPING, "a segment", at)) return;
    int from = -1, to = -1, ok = 1, two_way = 1, has_from = 0, has_to = 0, cap = 0, cls = 0;
    double length = NAN, limit = INFINITY;
    void *it = NULL;
    struct fy_node *v;
    struct pos kp;
    int k;
    while ((k = tsim__ld_next_key(ld, sg, &it, seg_keys, " in a segment", at, &v, &kp)) !=
           TSIM__LD_END) {
        switch (k) {
        case 0:
            has_from = 1;
            if ((from = node_ref(ld, net, v, "'from'", kp)) < 0) ok = 0;
            break;
        case 1:
            has_to = 1;
            if ((to = node_ref(ld, net, v, "'to'", kp)) < 0) ok = 0;
            break;
        case 2:
            if (isnan(length = positive(ld, v, "'length'", kp))) ok = 0;
            break;
        case 3: {
            const char *s = tsim__ld_scalar(ld, v, "'one_way'", kp);
            if (s && strcmp(s, "true") == 0) two_way = 0;
            else if (s && strcmp(s, "false") == 0) two_way = 1;
            else {
                if (s) tsim__ld_err(ld, tsim__ld_pos(v, kp), "'one_way' must be true or false, not '%s'", s);
                ok = 0;
            }
            break;
        }
        case 4:
            if (isnan(limit = positive(ld, v, "'speed_limit'", kp))) ok = 0;
            break;
        case 5:
            tsim__ld_scalar(ld, v, "'description'", kp);
            break;
        case 6:
            if ((cap = capacity(ld, v, "a segment's capacity", kp)) < 0) ok = 0;
            break;
        case 7: {
            const char *c = tsim__ld_name(ld, v, "a segment class", kp);
            if (c) cls = tsim__net_class(net, c, 1);
            else ok = 0;
            break;
        }
        default: ok = 0; /* an unknown key, reported */
        }
    }
    if (ok && !has_from) tsim__ld_err(ld, at, "segment has no 'from'"), ok = 0;
    if (ok && !has_to) tsim__ld_err(ld, at, "segment has no 'to'"), ok = 0;
    if (ok && isnan(length)) tsim__ld_err(ld, at, "segment has no 'length'"), ok = 0;
    if (ok && from == to)
        tsim__ld_err(ld, at, "segment from node '%s' to itself", net->node[from]), ok = 0;
    if (!ok) return;
    if (net->narcs >= SEGMENTS_MAX) {
        tsim__ld_err(ld, at, "more than %d segments", SEGMENTS_MAX);
        ld->stop = 1;
        return;
    }
    int seg = tsim__net_add_segment(net, from, to, length, limit, two_way, cls);
    if (cap > 0) tsim__net_set_segment_capacity(net, seg, cap);
    seg_at_add(w, at.line, at.col);
}

/* ---------------------------------------------------------------------------------------------
 * Segments from a CSV file
 * ------------------------------------------------------------------------------------------- */

enum { SC_FROM, SC_TO, SC_LENGTH, SC_ONE_WAY, SC_LIMIT, SC_CAPACITY, SC_CLASS, SC_NCOLS };
static const struct tsim__csv_col seg_cols[SC_NCOLS] = {
    {"from", 0},        {"to", 0},       {"length", 0}, {"one_way", 1},
    {"speed_limit", 1}, {"capacity", 1}, {"class", 1}};

struct seg_reader {
    struct tsim__network *net;
    long long *cls_at; /* per class (from 1): the line and column of its first row */
    int add_nodes; /* no `nodes` list: a node is made where the file first names it */
    struct seg_at *w;
};

/* The node in column `col`, or -1 after reporting it. */
static int csv_node(struct tsim__csv *c, const struct tsim__csv_row *row, int col,
                    struct seg_reader *r)
{
    const char *s = row->val[col];
    int i = tsim__net_find(r->net, s);
    if (i >= 0) return i;
    if (r->add_nodes) {
        if (!tsim__ld_valid_name(s))
            tsim__csv_fail(c, row->line, row->col[col],
                           "invalid node name '%s' (use up to 64 letters, digits, '_' and '-')", s);
        else if (r->net->nnodes >= NODES_MAX)
            tsim__csv_fail(c, row->line, row->col[col], "more than %d nodes", NODES_MAX);
        else
            return tsim__net_add_node(r->net, s);
        return -1;
    }
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, s);
    for (int k = 0; k < r->net->nnodes; k++) tsim__suggest_offer(&sg, r->net->node[k]);
    tsim__csv_fail(c, row->line, row->col[col], "undefined node '%s'%s", s, tsim__suggest_text(&sg));
    return -1;
}

/* A number > 0 in column `col`, or NAN after reporting it (read as the model file's numbers). */
static double csv_positive(struct tsim__csv *c, const struct tsim__csv_row *row, int col)
{
    const char *s = row->val[col];
    struct tsim__perr e;
    double x;
    if (tsim__parse_real(s, seg_cols[col].name, &x, &e) != 0) {
        tsim__csv_fail(c, row->line, row->col[col], "%s", e.msg);
        return NAN;
    }
    if (!(x > 0)) {
        tsim__csv_fail(c, row->line, row->col[col], "%s must be more than 0, not %s",
                       seg_cols[col].name, s);
        return NAN;
    }
    return x;
}

static void csv_segment(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx)
{
    struct seg_reader *r = ctx;
    int from = csv_node(c, row, SC_FROM, r);
    if (from < 0) return;
    int to = csv_node(c, row, SC_TO, r);
    if (to < 0) return;
    if (from == to) {
        tsim__csv_fail(c, row->line, row->col[SC_TO], "segment from node '%s' to itself",
                       r->net->node[from]);
        return;
    }
    double length = csv_positive(c, row, SC_LENGTH);
    if (isnan(length)) return;
    int two_way = 1;
    const char *ow = row->val[SC_ONE_WAY];
    if (ow && *ow) {
        if (strcmp(ow, "true") == 0) two_way = 0;
        else if (strcmp(ow, "false") != 0) {
            tsim__csv_fail(c, row->line, row->col[SC_ONE_WAY],
                           "one_way must be true or false, not '%s'", ow);
            return;
        }
    }
    double limit = INFINITY; /* an empty speed_limit: none */
    if (row->val[SC_LIMIT] && *row->val[SC_LIMIT] &&
        isnan(limit = csv_positive(c, row, SC_LIMIT)))
        return;
    long long cap = 0; /* an empty capacity: none */
    const char *cs = row->val[SC_CAPACITY];
    if (cs && *cs) {
        struct tsim__perr e;
        if (tsim__parse_int(cs, "capacity", 1, 100000, &cap, &e) != 0) {
            tsim__csv_fail(c, row->line, row->col[SC_CAPACITY], "%s", e.msg);
            return;
        }
    }
    int cls = 0; /* an empty class: none */
    const char *cn = row->val[SC_CLASS];
    if (cn && *cn) {
        if (!tsim__ld_valid_name(cn)) {
            tsim__csv_fail(c, row->line, row->col[SC_CLASS],
                           "invalid class name '%s' (use up to 64 letters, digits, '_' and '-')",
                           cn);
            return;
        }
        cls = tsim__net_class(r->net, cn, 0);
        if (cls < 0 && r->net->ncls > CLASSES_MAX) {
            tsim__csv_fail(c, row->line, row->col[SC_CLASS], "more than %d segment classes",
                           CLASSES_MAX);
            return;
        }
        if (cls < 0) {
            cls = tsim__net_class(r->net, cn, 1);
            r->cls_at = tsim__realloc(r->cls_at, (size_t)(cls + 1) * 2 * sizeof(long long));
            r->cls_at[2 * cls] = row->line;
            r->cls_at[2 * cls + 1] = row->col[SC_CLASS];
        }
    }
    if (r->net->narcs >= SEGMENTS_MAX) {
        tsim__csv_fail(c, row->line, 1, "more than %d segments", SEGMENTS_MAX);
        return;
    }
    int seg = tsim__net_add_segment(r->net, from, to, length, limit, two_way, cls);
    if (cap > 0) tsim__net_set_segment_capacity(r->net, seg, (int)cap);
    seg_at_add(r->w, row->line, row->col[SC_FROM]);
}

static void load_segments_file(struct loader *ld, struct tsim__network *net, struct fy_node *v,
                               struct pos kp, int add_nodes)
{
    const char *s = tsim__ld_scalar(ld, v, "'segments_file'", kp);
    if (!s) return;
    char *path = tsim__ld_data_path(ld, s);
    char err[512];
    struct seg_at w = {.csv = 1};
    struct seg_reader r = {net, NULL, add_nodes, &w};
    if (tsim__csv_read(path, NULL, 0, s, seg_cols, SC_NCOLS, "from, to, length", csv_segment, &r,
                       err, sizeof err) != 0)
        tsim__ld_err(ld, tsim__ld_pos(v, kp), "%s", err);
    else if (net->narcs == 0)
        tsim__ld_err(ld, tsim__ld_pos(v, kp), "'%s' holds no segments", s);
    else
        for (int c = 1; c < net->ncls && r.cls_at; c++) {
            const char *meant = class_typo(ld, net, net->cls[c]);
            if (meant) {
                tsim__ld_err(ld, tsim__ld_pos(v, kp),
                             "%s:%lld:%lld: segment class '%s' has no speed in any fleet's "
                             "'speed_by_class' (did you mean '%s'?)",
                             s, r.cls_at[2 * c], r.cls_at[2 * c + 1], net->cls[c], meant);
                break;
            }
        }
    if (net->narcs > 0) refuse_parallels(ld, net, &w, s, tsim__ld_pos(v, kp));
    tsim__free(w.lc);
    tsim__free(r.cls_at);
    tsim__free(path);
}

static void load_at(struct loader *ld, struct tsim__network *net, struct fy_node *map,
                    struct pos at)
{
    if (!tsim__ld_expect(ld, map, FYNT_MAPPING, "'at' (a mapping of blocks to nodes)", at))
        return;
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, map, at, &pr)) {
        const char *key = pr.name;
        struct pos kp = pr.at;
        int b = tsim_model_find_block(ld->m, key);
        if (b < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, key);
            for (int k = 0; k < ld->m->nblocks; k++) tsim__suggest_offer(&sg, ld->m->blocks[k].name);
            tsim__ld_err(ld, kp, "undefined block '%s'%s", key, tsim__suggest_text(&sg));
            continue;
        }
        if (tsim__net_node_of(net, b) >= 0) {
            tsim__ld_err(ld, kp, "block '%s' is placed twice", key);
            continue;
        }
        int node = node_ref(ld, net, pr.v, "a node", kp);
        if (node < 0) continue;
        tsim__net_set_at(net, b, node);
        tsim__model_note_net(ld->m, TSIM__AT_NODE, b, kp.line, kp.col);
    }
}

/* A node's capacity: a whole number from 1 to 100,000, or -1 reported. */
static int capacity(struct loader *ld, struct fy_node *v, const char *what, struct pos at)
{
    struct tsim__perr e;
    long long x;
    const char *s = tsim__ld_scalar(ld, v, what, at);
    if (!s) return -1;
    if (tsim__parse_int(s, what, 1, 100000, &x, &e) != 0) {
        tsim__ld_value_err(ld, v, s, &e, at);
        return -1;
    }
    return (int)x;
}

static void load_zones(struct loader *ld, struct tsim__network *net, struct fy_node *map,
                       struct pos at)
{
    if (!tsim__ld_expect(ld, map, FYNT_MAPPING, "'zones'", at))
        return;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        struct pos kp = tsim__ld_pos(fy_node_pair_key(p), at);
        int node = node_ref(ld, net, fy_node_pair_key(p), "a node", at);
        if (node < 0) continue;
        int c = capacity(ld, fy_node_pair_value(p), "a zone's capacity", kp);
        if (c <= 0) continue;
        tsim__net_set_capacity(net, node, c);
        tsim__model_note_net(ld->m, TSIM__AT_ZONE, node, kp.line, kp.col);
    }
}

/* A fleet's `speed_by_class: {CLASS: speed, ...}`, each class one that a segment has. */
static void load_class_speeds(struct loader *ld, struct tsim__network *net, int block,
                              struct fy_node *map, struct pos at)
{
    if (!tsim__ld_expect(ld, map, FYNT_MAPPING, "'speed_by_class' (a mapping of classes to speeds)",
                         at))
        return;
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, map, at, &pr)) {
        int c = tsim__net_class(net, pr.name, 0);
        if (c < 0) {
            unknown_name(ld, pr.at, "unknown segment class", pr.name,
                         net->ncls ? net->cls + 1 : NULL, net->ncls ? net->ncls - 1 : 0);
            continue;
        }
        double sp = positive(ld, pr.v, "a class's speed", pr.at);
        if (!isnan(sp)) tsim__net_set_class_speed(net, block, c, sp);
    }
}

/* A charger's `fleets: [FLEET, ...]`: the fleets, each with a battery, whose vehicles may charge
 * there (the others do not come). */
static void load_charger_fleets(struct loader *ld, struct tsim__network *net, int charger,
                                struct fy_node *list, struct pos at)
{
    if (!tsim__ld_expect(ld, list, FYNT_SEQUENCE, "'fleets' (a list of fleets)", at)) return;
    void *it = NULL;
    struct fy_node *n;
    int given = 0;
    while ((n = fy_node_sequence_iterate(list, &it))) {
        struct pos np = tsim__ld_pos(n, at);
        const char *name = tsim__ld_scalar(ld, n, "a fleet", np);
        if (!name) continue;
        given++;
        int f = tsim_model_find_block(ld->m, name);
        if (f < 0 || tsim__fleet_vehicles(ld->m, f) < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, name);
            for (int k = 0; k < ld->m->nblocks; k++)
                if (tsim__fleet_vehicles(ld->m, k) >= 0) tsim__suggest_offer(&sg, ld->m->blocks[k].name);
            tsim__ld_err(ld, np, "%s '%s'%s", f < 0 ? "undefined fleet" : "not a fleet:", name,
                         tsim__suggest_text(&sg));
        } else if (!tsim__fleet_charges(ld->m, f)) {
            tsim__ld_err(ld, np, "fleet '%s' has no 'battery', so it never charges", name);
        } else {
            int twice = 0;
            for (int k = 0; k < net->nkeep; k++)
                twice |= net->keep[2 * k] == charger && net->keep[2 * k + 1] == f;
            if (twice) tsim__ld_err(ld, np, "fleet '%s' is named twice", name);
            else tsim__net_keep_charger(net, charger, f);
        }
    }
    if (!given) tsim__ld_err(ld, at, "'fleets' of charger '%s' names no fleet (leave it out for "
                             "every fleet)", ld->m->blocks[charger].name);
}

void tsim__ld_network(struct loader *ld, struct fy_node *v, struct pos at)
{
    if (!tsim__ld_expect(ld, v, FYNT_MAPPING, "'network'", at)) return;
    struct tsim__network *net = tsim__net_create();
    ld->m->nnet_at = 0; /* the places of this network's entries, noted as they are read */
    struct fy_node *nodes = NULL, *segs = NULL, *where = NULL, *zones = NULL, *ncap = NULL;
    struct fy_node *segfile = NULL;
    struct pos nodes_at = at, segs_at = at, where_at = at, zones_at = at, ncap_at = at;
    struct pos segfile_at = at;
    void *it = NULL;
    struct fy_node *val;
    struct pos kp;
    int nk;
    while ((nk = tsim__ld_next_key(ld, v, &it, net_keys, " in 'network'", at, &val, &kp)) !=
           TSIM__LD_END) {
        switch (nk) {
        case 0: nodes = val, nodes_at = kp; break;
        case 1: segs = val, segs_at = kp; break;
        case 2: where = val, where_at = kp; break;
        case 3: tsim__ld_scalar(ld, val, "'description'", kp); break;
        case 4: zones = val, zones_at = kp; break;
        case 5: ncap = val, ncap_at = kp; break;
        case 6: segfile = val, segfile_at = kp; break;
        default: break; /* an unknown key, reported */
        }
    }
    if (!nodes) {
        if (!segfile) tsim__ld_err(ld, at, "'network' has no 'nodes'");
    } else if (tsim__ld_expect(ld, nodes, FYNT_SEQUENCE, "'nodes' (a list of names)", nodes_at)) {
        void *jt = NULL;
        struct fy_node *n;
        while (!ld->stop && (n = fy_node_sequence_iterate(nodes, &jt))) {
            struct pos np = tsim__ld_pos(n, nodes_at);
            const char *name = tsim__ld_name(ld, n, "a node", np);
            if (!name) continue;
            if (net->nnodes >= NODES_MAX) {
                tsim__ld_err(ld, np, "more than %d nodes", NODES_MAX);
                ld->stop = 1;
            } else if (tsim__net_add_node(net, name) < 0) {
                tsim__ld_err(ld, np, "duplicate node '%s'", name);
            }
        }
    }
    if (segs && segfile)
        tsim__ld_err(ld, tsim__ld_pos(segfile, segfile_at),
                     "'network' has both 'segments' and 'segments_file': give one");
    else if (segfile && !ld->stop)
        load_segments_file(ld, net, segfile, segfile_at, nodes == NULL);
    else if (!segs) tsim__ld_err(ld, at, "'network' has no 'segments' (or 'segments_file')");
    else if (tsim__ld_expect(ld, segs, FYNT_SEQUENCE, "'segments' (a list)", segs_at)) {
        void *jt = NULL;
        struct fy_node *n;
        struct seg_at w = {0};
        while (!ld->stop && (n = fy_node_sequence_iterate(segs, &jt)))
            load_segment(ld, net, n, segs_at, &w);
        refuse_parallels(ld, net, &w, NULL, segs_at);
        tsim__free(w.lc);
    }
    if (where) load_at(ld, net, where, where_at);
    if (ncap) {
        int c = capacity(ld, ncap, "'node_capacity'", ncap_at);
        for (int k = 0; c > 0 && k < net->nnodes; k++) tsim__net_set_capacity(net, k, c);
        if (c > 0) tsim__model_note_net(ld->m, TSIM__AT_ZONE, -1, ncap_at.line, ncap_at.col);
    }
    if (zones) load_zones(ld, net, zones, zones_at);
    for (size_t k = 0; k < ld->nblk; k++)
        if (ld->blk[k].class_speeds)
            load_class_speeds(ld, net, ld->blk[k].index, ld->blk[k].class_speeds,
                              ld->blk[k].class_speeds_pos);
    for (size_t k = 0; k < ld->nblk; k++)
        if (ld->blk[k].fleets)
            load_charger_fleets(ld, net, ld->blk[k].index, ld->blk[k].fleets,
                                ld->blk[k].fleets_pos);
    tsim__ld_fleet_forms(ld, net);
    tsim__net_destroy(ld->m->net);
    ld->m->net = net;
}
