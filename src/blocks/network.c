/*
 * Path networks: storage, the least-travel-time search the fleets use, and the time of a drive
 * with acceleration (see network.h).
 */
#include "blocks/network.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tsim__network *tsim__net_create(void)
{
    return tsim__calloc(1, sizeof(struct tsim__network));
}

void tsim__net_paths_free(struct tsim__net_paths *p)
{
    if (!p) return;
    tsim__free(p->place);
    tsim__free(p->empty);
    tsim__free(p->loaded);
    tsim__free(p->hop_empty);
    tsim__free(p->hop_loaded);
    tsim__free(p->len_empty);
    tsim__free(p->len_loaded);
    tsim__free(p->rem_empty);
    tsim__free(p->rem_loaded);
    tsim__free(p);
}

void tsim__net_destroy(struct tsim__network *n)
{
    if (!n) return;
    for (int i = 0; i < n->nnodes; i++) tsim__free(n->node[i]);
    for (int i = 0; i < n->npaths; i++) tsim__net_paths_free(n->paths[i]);
    tsim__free(n->node);
    tsim__free(n->hidx);
    tsim__free(n->arc);
    tsim__free(n->at);
    tsim__free(n->paths);
    tsim__free(n->first);
    tsim__free(n->order);
    tsim__free(n->rfirst);
    tsim__free(n->rorder);
    tsim__free(n->cap);
    tsim__free(n->segcap);
    for (int i = 1; i < n->ncls; i++) tsim__free(n->cls[i]);
    tsim__free(n->cls);
    for (int i = 0; i < n->ncls_speed; i++) tsim__free(n->cls_speed[i]);
    tsim__free(n->cls_speed);
    tsim__free(n->keep);
    for (int i = 0; i < n->nfleet; i++)
        if (n->fleet[i]) {
            tsim__free(n->fleet[i]->prio);
            tsim__free(n->fleet[i]->park_node);
            tsim__free(n->fleet[i]->park_cap);
            tsim__free(n->fleet[i]->park_line);
            tsim__free(n->fleet[i]->park_col);
            tsim__free(n->fleet[i]->carry);
            tsim__free(n->fleet[i]);
        }
    tsim__free(n->fleet);
    tsim__free(n);
}

struct tsim__net_fleet *tsim__net_fleet_of(struct tsim__network *n, int block)
{
    if (block >= n->nfleet) {
        n->fleet = tsim__realloc(n->fleet, (size_t)(block + 1) * sizeof *n->fleet);
        for (int i = n->nfleet; i <= block; i++) n->fleet[i] = NULL;
        n->nfleet = block + 1;
    }
    if (!n->fleet[block]) n->fleet[block] = tsim__calloc(1, sizeof *n->fleet[block]);
    return n->fleet[block];
}

/* FNV-1a of a node name. */
static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int tsim__net_find(const struct tsim__network *n, const char *name)
{
    if (n->hcap == 0) return -1;
    unsigned mask = (unsigned)n->hcap - 1;
    for (unsigned h = name_hash(name) & mask;; h = (h + 1) & mask) {
        int i = n->hidx[h] - 1;
        if (i < 0) return -1;
        if (strcmp(n->node[i], name) == 0) return i;
    }
}

static void hash_insert(struct tsim__network *n, int i)
{
    unsigned mask = (unsigned)n->hcap - 1;
    unsigned h = name_hash(n->node[i]) & mask;
    while (n->hidx[h]) h = (h + 1) & mask;
    n->hidx[h] = i + 1;
}

int tsim__net_add_node(struct tsim__network *n, const char *name)
{
    if (tsim__net_find(n, name) >= 0) return -1;
    if (n->nnodes == n->cap_nodes) {
        n->cap_nodes = n->cap_nodes ? 2 * n->cap_nodes : 16;
        n->node = tsim__realloc(n->node, (size_t)n->cap_nodes * sizeof(char *));
    }
    n->node[n->nnodes] = tsim__strdup(name);
    if (2 * (n->nnodes + 1) > n->hcap) {
        tsim__free(n->hidx);
        n->hcap = n->hcap ? 2 * n->hcap : 32;
        n->hidx = tsim__calloc((size_t)n->hcap, sizeof(int));
        for (int i = 0; i < n->nnodes; i++) hash_insert(n, i);
    }
    hash_insert(n, n->nnodes);
    return n->nnodes++;
}

static void add_arc(struct tsim__network *n, int a, int b, double length, double limit, int cls)
{
    if (n->narcs == n->cap_arcs) {
        n->cap_arcs = n->cap_arcs ? 2 * n->cap_arcs : 16;
        n->arc = tsim__realloc(n->arc, (size_t)n->cap_arcs * sizeof(struct tsim__net_arc));
    }
    n->arc[n->narcs++] = (struct tsim__net_arc){a, b, length, limit, n->nsegs, cls};
}

int tsim__net_add_segment(struct tsim__network *n, int a, int b, double length, double limit,
                          int two_way, int cls)
{
    TSIM__ASSERT(a >= 0 && a < n->nnodes && b >= 0 && b < n->nnodes && length > 0 && limit > 0 &&
                     cls >= 0 && cls < (n->ncls ? n->ncls : 1),
                 "bad segment");
    add_arc(n, a, b, length, limit, cls);
    if (two_way) add_arc(n, b, a, length, limit, cls);
    if (n->segcap) {
        n->segcap = tsim__realloc(n->segcap, ((size_t)n->nsegs + 1) * sizeof(int));
        n->segcap[n->nsegs] = 0;
    }
    n->nsegs++;
    tsim__free(n->first); /* the adjacency is built again on the next search */
    tsim__free(n->order);
    tsim__free(n->rfirst);
    tsim__free(n->rorder);
    n->first = n->order = n->rfirst = n->rorder = NULL;
    return n->nsegs - 1;
}

void tsim__net_set_segment_capacity(struct tsim__network *n, int seg, int cap)
{
    TSIM__ASSERT(seg >= 0 && seg < n->nsegs && cap >= 0, "bad capacity");
    if (!n->segcap) n->segcap = tsim__calloc((size_t)n->nsegs, sizeof(int));
    n->segcap[seg] = cap;
    if (cap > 0) n->zoned = 1;
}

int tsim__net_class(struct tsim__network *n, const char *name, int add)
{
    for (int i = 1; i < n->ncls; i++)
        if (strcmp(n->cls[i], name) == 0) return i;
    if (!add) return -1;
    if (n->ncls == 0) n->ncls = 1;
    n->cls = tsim__realloc(n->cls, (size_t)(n->ncls + 1) * sizeof(char *));
    n->cls[0] = NULL;
    n->cls[n->ncls] = tsim__strdup(name);
    return n->ncls++;
}

void tsim__net_keep_charger(struct tsim__network *n, int charger, int fleet)
{
    n->keep = tsim__realloc(n->keep, (size_t)(n->nkeep + 1) * 2 * sizeof(int));
    n->keep[2 * n->nkeep] = charger;
    n->keep[2 * n->nkeep + 1] = fleet;
    n->nkeep++;
}

int tsim__net_may_charge(const struct tsim__network *n, int charger, int fleet)
{
    int kept = 0;
    for (int k = 0; k < n->nkeep; k++) {
        if (n->keep[2 * k] != charger) continue;
        if (n->keep[2 * k + 1] == fleet) return 1;
        kept = 1;
    }
    return !kept;
}

void tsim__net_set_capacity(struct tsim__network *n, int node, int cap)
{
    TSIM__ASSERT(node >= 0 && node < n->nnodes && cap >= 0, "bad capacity");
    if (!n->cap) n->cap = tsim__calloc((size_t)n->nnodes, sizeof(int));
    n->cap[node] = cap;
    if (cap > 0) n->zoned = 1;
}

int tsim__net_arc_between(const struct tsim__network *n, int a, int b)
{
    if (n->first) { /* arcs by start node, in the order they were added */
        for (int k = n->first[a]; k < n->first[a + 1]; k++)
            if (n->arc[n->order[k]].to == b) return n->order[k];
        return -1;
    }
    for (int i = 0; i < n->narcs; i++)
        if (n->arc[i].from == a && n->arc[i].to == b) return i;
    return -1;
}

/* Arcs ordered by (from, to), then by segment: the arcs of parallel segments meet. */
static int cmp_arc_ends(const void *x, const void *y)
{
    const int *a = x, *b = y;
    for (int k = 0; k < 3; k++)
        if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
}

int tsim__net_parallels(const struct tsim__network *n, int *beside)
{
    int *key = tsim__malloc((size_t)(n->narcs > 0 ? n->narcs : 1) * 3 * sizeof *key), found = 0;
    for (int i = 0; i < n->narcs; i++) {
        key[3 * i] = n->arc[i].from;
        key[3 * i + 1] = n->arc[i].to;
        key[3 * i + 2] = n->arc[i].seg;
    }
    qsort(key, (size_t)n->narcs, 3 * sizeof *key, cmp_arc_ends);
    for (int s = 0; s < n->nsegs; s++) beside[s] = -1;
    for (int i = 1, first = 0; i < n->narcs; i++) {
        if (key[3 * i] != key[3 * first] || key[3 * i + 1] != key[3 * first + 1]) {
            first = i;
            continue;
        }
        int seg = key[3 * i + 2]; /* the group's first arc has its least segment */
        if (beside[seg] < 0) beside[seg] = key[3 * first + 2], found++;
    }
    tsim__free(key);
    return found;
}

void tsim__net_set_at(struct tsim__network *n, int block, int node)
{
    if (block >= n->nat) {
        int cap = block + 1;
        n->at = tsim__realloc(n->at, (size_t)cap * sizeof(int));
        for (int i = n->nat; i < cap; i++) n->at[i] = -1;
        n->nat = cap;
    }
    n->at[block] = node;
}

int tsim__net_node_of(const struct tsim__network *n, int block)
{
    return n && block >= 0 && block < n->nat ? n->at[block] : -1;
}

/* Arcs grouped by their start node (`by_to` 0): those of node v are order[first[v] ..
 * first[v + 1]); or by their end node (`by_to` 1). */
static void build_adjacency(const struct tsim__network *n, int by_to, int **first_out,
                            int **order_out)
{
    int *first = tsim__calloc((size_t)n->nnodes + 1, sizeof(int));
    int *order = tsim__malloc((size_t)(n->narcs ? n->narcs : 1) * sizeof(int));
    for (int i = 0; i < n->narcs; i++) first[(by_to ? n->arc[i].to : n->arc[i].from) + 1]++;
    for (int v = 0; v < n->nnodes; v++) first[v + 1] += first[v];
    int *fill = tsim__malloc((size_t)(n->nnodes ? n->nnodes : 1) * sizeof(int));
    memcpy(fill, first, (size_t)n->nnodes * sizeof(int));
    for (int i = 0; i < n->narcs; i++) order[fill[by_to ? n->arc[i].to : n->arc[i].from]++] = i;
    tsim__free(fill);
    *first_out = first;
    *order_out = order;
}

/* A binary min-heap of (time, node) with lazy deletion: a node may be in it more than once, and
 * an entry older than the node's best time is skipped when popped. At most one entry per arc
 * relaxation plus the source, so narcs + 1 entries. */
struct entry {
    double t;
    int v;
};

static void heap_push(struct entry *h, int *len, struct entry e)
{
    int i = (*len)++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h[p].t <= e.t) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static struct entry heap_pop(struct entry *h, int *len)
{
    struct entry top = h[0], last = h[--*len];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *len) break;
        if (c + 1 < *len && h[c + 1].t < h[c].t) c++;
        if (last.t <= h[c].t) break;
        h[i] = h[c];
        i = c;
    }
    if (*len > 0) h[i] = last;
    return top;
}

/* Dijkstra's search from `src` along the arcs (`reverse` 0) or against them (1: times to `src`);
 * `hop`, when not NULL, gets the arc by which each node was last improved (-1: none). */
static void search(struct tsim__network *n, int src, double speed, const double *cls_speed,
                   int reverse, double *out, int *hop)
{
    TSIM__ASSERT(src >= 0 && src < n->nnodes && speed > 0, "bad search");
    if (!reverse && !n->first) build_adjacency(n, 0, &n->first, &n->order);
    if (reverse && !n->rfirst) build_adjacency(n, 1, &n->rfirst, &n->rorder);
    const int *first = reverse ? n->rfirst : n->first, *order = reverse ? n->rorder : n->order;
    for (int v = 0; v < n->nnodes; v++) out[v] = INFINITY;
    if (hop)
        for (int v = 0; v < n->nnodes; v++) hop[v] = -1;
    struct entry *h = tsim__malloc(((size_t)n->narcs + 1) * sizeof(struct entry));
    int len = 0;
    out[src] = 0;
    heap_push(h, &len, (struct entry){0, src});
    while (len > 0) {
        struct entry e = heap_pop(h, &len);
        if (e.t > out[e.v]) continue;
        for (int k = first[e.v]; k < first[e.v + 1]; k++) {
            const struct tsim__net_arc *a = &n->arc[order[k]];
            int w = reverse ? a->from : a->to;
            double t = e.t + tsim__net_arc_time(a, speed, cls_speed);
            if (t < out[w]) {
                out[w] = t;
                if (hop) hop[w] = order[k];
                heap_push(h, &len, (struct entry){t, w});
            }
        }
    }
    tsim__free(h);
}

void tsim__net_times(struct tsim__network *n, int src, double speed, const double *cls_speed,
                     double *out)
{
    search(n, src, speed, cls_speed, 0, out, NULL);
}

void tsim__net_toward(struct tsim__network *n, int dst, double speed, const double *cls_speed,
                      double *out, int *hop)
{
    search(n, dst, speed, cls_speed, 1, out, hop);
}

void tsim__net_set_class_speed(struct tsim__network *n, int block, int cls, double speed)
{
    TSIM__ASSERT(block >= 0 && cls > 0 && cls < n->ncls && speed > 0, "bad class speed");
    if (block >= n->ncls_speed) {
        n->cls_speed = tsim__realloc(n->cls_speed, ((size_t)block + 1) * sizeof(double *));
        for (int i = n->ncls_speed; i <= block; i++) n->cls_speed[i] = NULL;
        n->ncls_speed = block + 1;
    }
    if (!n->cls_speed[block]) {
        n->cls_speed[block] = tsim__malloc((size_t)n->ncls * sizeof(double));
        for (int i = 0; i < n->ncls; i++) n->cls_speed[block][i] = INFINITY;
    }
    n->cls_speed[block][cls] = speed;
}

/* Driving with acceleration ---------------------------------------------------------------------
 *
 * A vehicle with `acceleration` a and `deceleration` b starts each drive from standstill and
 * stops at its end: at x from where it started, on a drive d long, its speed is
 * min(top(x), sqrt(2 a x), sqrt(2 b (d - x))), top(x) the top speed on the segment under it. A
 * change of top speed between two segments is taken at once, as without acceleration; only the
 * start and the stop take time. On one segment this is the trapezoid, d / v + v / (2a) + v / (2b),
 * or, when d is too short to reach v, the triangle (2 sqrt(d / a) for equal rates). */

/* The time from u0 to u1 (0 <= u0 <= u1) at min(top, sqrt(2 a u)): speeding up from standstill
 * at u = 0 (or, read backward, slowing down to it). */
static double ramp(double u0, double u1, double top, double a)
{
    double uc = top * top / (2 * a), t = 0; /* uc: where `top` is reached */
    u0 = u0 > 0 ? u0 : 0;
    if (u0 < uc) t += sqrt(2 * (u1 < uc ? u1 : uc) / a) - sqrt(2 * u0 / a);
    if (u1 > uc) t += (u1 - (u0 > uc ? u0 : uc)) / top;
    return t;
}

double tsim__net_drive_time(double x0, double x1, double top, double acc, double dec, double d)
{
    if (!(acc > 0)) return (x1 - x0) / top;
    double xm = d * dec / (acc + dec), t = 0; /* xm: where speeding up meets slowing down */
    if (x0 < xm) t += ramp(x0, x1 < xm ? x1 : xm, top, acc);
    if (x1 > xm) t += ramp(d - x1, d - (x0 > xm ? x0 : xm), top, dec);
    return t;
}
