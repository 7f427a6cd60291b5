/*
 * Charger: `points` charging points at a node of the path network, and a queue in front of
 * them. It takes no entities: the vehicles of fleets with a battery come to it on their own
 * (fleet.c chooses the charger by its `charger_choice`, which may look at the points and the
 * queue here, and charges there until its `charge_until`). A vehicle that finds every point
 * taken waits, first come first served; a point given back goes to the first waiting vehicle
 * at once (the fleet's `granted` hook), so the charger never holds a free point while a vehicle
 * waits. What charging does to a battery
 * is the fleet's business; the charger only hands out points and counts.
 *
 * Invariants: busy <= points; qn > 0 only when busy == points; the queue is the ring
 * q[qhead .. qhead + qn) of qcap entries, qcap being the vehicles of every fleet of the model
 * with a battery, so it cannot overflow (a vehicle waits in one queue at most). The ring is
 * reached by index from the state itself, which a clone copies whole.
 *
 * Its parameters are in the block's value table (registry.h), in the order of `keys` below.
 */
#include "blocks/charger.h"
#include "blocks/network.h"
#include "blocks/sim.h"
#include "blocks/vehicles.h"

enum { K_POINTS }; /* in `keys` */

struct waiter {
    uint32_t owner, veh; /* the fleet block, and its vehicle's number */
    int64_t since;
};

struct charger {
    struct tsim__bhdr h;
    uint32_t points, busy;
    uint32_t qhead, qn, qcap;
    struct tsim__area used;  /* points taken over time */
    struct tsim__area queue; /* waiting vehicles over time */
    struct tsim__sum wait;   /* from arrival to a point, of each vehicle that got one */
    uint64_t charges;        /* points taken since the statistics restart */
    struct tsim__charger_window win; /* since tsim__charger_window_start, up to `win_at` */
    int64_t win_at;
    struct waiter q[];
};

static long long points(const struct tsim__block_desc *d)
{
    return d->val[K_POINTS].set ? d->val[K_POINTS].i : 1;
}

/* The vehicles that may come: those of every fleet with a battery. */
static uint32_t vehicles(const struct tsim_model *m)
{
    uint32_t n = 0;
    for (int b = 0; b < m->nblocks; b++)
        if (tsim__fleet_charges(m, b)) n += (uint32_t)tsim__fleet_vehicles(m, b);
    return n;
}

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct charger) + vehicles(m) * sizeof(struct waiter);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct charger *s = tsim__state(sim, b);
    s->points = (uint32_t)points(tsim__desc(sim, b));
    s->qcap = vehicles(sim->m);
    tsim__area_restart(&s->used, sim->now, 0);
    tsim__area_restart(&s->queue, sim->now, 0);
}

int tsim__is_charger(const struct tsim_model *m, int block)
{
    return (int)m->blocks[block].type == tsim_block_type_find("charger");
}

int tsim__charger_serves(const struct tsim_model *m, int c, int fleet)
{
    return tsim__is_charger(m, c) && tsim__net_node_of(m->net, c) >= 0 &&
           tsim__net_may_charge(m->net, c, fleet);
}

double tsim__charger_wait(const struct tsim_sim *sim, uint32_t c, uint32_t coming, double charge)
{
    const struct charger *s = tsim__state(sim, c);
    uint64_t ahead = (uint64_t)s->busy + s->qn + coming;
    if (ahead < s->points) return 0;
    return charge * (double)(ahead - s->points + 1) / s->points;
}

/* The window's queue area brought up to now, before the queue changes. */
static void win_step(const struct tsim_sim *sim, struct charger *s)
{
    s->win.queue_area += (double)s->qn * tsim__time(sim, sim->now - s->win_at);
    s->win_at = sim->now;
}

void tsim__charger_window_start(struct tsim_sim *sim, uint32_t c)
{
    struct charger *s = tsim__state(sim, c);
    s->win = (struct tsim__charger_window){.queue_max = s->qn, .waited = s->qn};
    s->win_at = sim->now;
}

void tsim__charger_window(const struct tsim_sim *sim, uint32_t c, struct tsim__charger_window *out)
{
    const struct charger *s = tsim__state(sim, c);
    *out = s->win;
    out->queue_area += (double)s->qn * tsim__time(sim, sim->now - s->win_at);
}

static void take_point(struct tsim_sim *sim, struct charger *s, int64_t since)
{
    s->win.charges++;
    s->win.wait += tsim__time(sim, sim->now - since);
    s->busy++;
    s->charges++;
    tsim__area_in(&s->used, sim->now, s->busy);
    tsim__sum_add(&s->wait, sim->now - since);
}

int tsim__charger_arrive(struct tsim_sim *sim, uint32_t c, uint32_t owner, uint32_t veh)
{
    struct charger *s = tsim__state(sim, c);
    if (s->busy < s->points) {
        take_point(sim, s, sim->now);
        return 1;
    }
    TSIM__ASSERT(s->qn < s->qcap, "charger '%s' has more waiting than vehicles",
                 tsim__desc(sim, c)->name);
    s->q[(s->qhead + s->qn) % s->qcap] = (struct waiter){owner, veh, sim->now};
    win_step(sim, s);
    s->qn++;
    s->win.waited++;
    if (s->qn > s->win.queue_max) s->win.queue_max = s->qn;
    tsim__area_in(&s->queue, sim->now, s->qn);
    return 0;
}

int tsim__charger_waiting(const struct tsim_sim *sim, uint32_t c, uint32_t k, uint32_t *owner,
                          uint32_t *veh)
{
    const struct charger *s = tsim__state(sim, c);
    if (k >= s->qn) return 0;
    const struct waiter *w = &s->q[(s->qhead + k) % s->qcap];
    *owner = w->owner;
    *veh = w->veh;
    return 1;
}

uint32_t tsim__charger_points(const struct tsim_sim *sim, uint32_t c)
{
    const struct charger *s = tsim__state(sim, c);
    return s->points;
}

void tsim__charger_leave(struct tsim_sim *sim, uint32_t c)
{
    struct charger *s = tsim__state(sim, c);
    s->busy--;
    tsim__area_out(&s->used, sim->now);
    if (s->qn == 0) return;
    struct waiter w = s->q[s->qhead];
    s->qhead = (s->qhead + 1) % s->qcap;
    win_step(sim, s);
    s->qn--;
    tsim__area_out(&s->queue, sim->now);
    take_point(sim, s, w.since);
    sim->vt[w.owner]->granted(sim, w.owner, w.veh, c);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct charger *s = tsim__state(sim, b);
    tsim__area_restart(&s->used, sim->now, s->busy);
    tsim__area_restart(&s->queue, sim->now, s->qn);
    s->wait = (struct tsim__sum){0, 0};
    s->charges = 0;
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct charger *s = tsim__state(sim, b);
    tsim_result_add(r, (int)b, "utilization",
                    tsim__area_mean(&s->used, sim->now, s->busy) / s->points);
    tsim_result_add(r, (int)b, "queue", tsim__area_mean(&s->queue, sim->now, s->qn));
    tsim_result_add(r, (int)b, "queue_end", (double)s->qn);
    tsim_result_add(r, (int)b, "charges", (double)s->charges);
    tsim_result_add(r, (int)b, "wait", tsim__sum_mean(sim, &s->wait));
}

static const struct tsim__block_vt charger_vt = {
    .state_size = state_size,
    .init = init,
    .restart = restart,
    .report = report,
};

/* Whether the charger can serve at all: it stands at a node and some fleet has a battery. The
 * paths between it and each fleet's places are the fleet's check (fleet.c), which finds them. */
static int check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    if (!m->net || tsim__net_node_of(m->net, d->index) < 0)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "charger '%s' stands at no node, so no vehicle can reach it (give it "
                          "one in the network's 'at')", d->name);
    if (vehicles(m) == 0)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "charger '%s' serves no vehicle: no fleet of the model has a 'battery'",
                          d->name);
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

static const struct tsim__key keys[] = {
    [K_POINTS] = {"points", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX, .dflt = "1",
                  .help = "how many vehicles charge at once"},
    {"fleets", TSIM__KEY_FORM, 0, .dflt = "every fleet",
     .help = "the fleets whose vehicles may charge here: [FLEET, ...]"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"utilization", "queue", "queue_end", "charges", "wait", NULL};

const struct tsim__block_type tsim__charger_type = {
    .name = "charger",
    .help = "charging points for the vehicles of fleets with a battery",
    .keys = keys,
    .kpis = kpis,
    .vt = &charger_vt,
    .flags = TSIM__TYPE_NO_ROUTE | TSIM__TYPE_NO_INPUT,
    .check = check,
};
