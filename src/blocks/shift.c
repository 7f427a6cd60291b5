/*
 * Shifts: daily working periods. Sim time 0 is midnight of day one. At every period boundary a
 * sim-level event recomputes whether the shift is on and tells the machines that follow it; the
 * sim then tells the operator pools (operators.c, which reads a shift's state when it starts). Boundaries are whole ticks, so a day is exactly 24 hours of ticks.
 */
#include "blocks/sim.h"

#include <string.h>

struct shift_state {
    int on;
};

static double units_per_hour(const char *unit)
{
    if (strcmp(unit, "s") == 0) return 3600;
    if (strcmp(unit, "min") == 0) return 60;
    if (strcmp(unit, "d") == 0) return 1.0 / 24;
    return 1;
}

static int64_t ticks_per_hour(const struct tsim_sim *sim)
{
    return (int64_t)(sim->tpu * units_per_hour(sim->m->time_unit) + 0.5);
}

int64_t tsim__ticks_per_day(const struct tsim_sim *sim) { return 24 * ticks_per_hour(sim); }

size_t tsim__shifts_size(const struct tsim_model *m)
{
    return (size_t)m->nshifts * sizeof(struct shift_state);
}

static struct shift_state *shift_st(const struct tsim_sim *sim, int s)
{
    return (struct shift_state *)(sim->arena + sim->shift_off[0]) + s;
}

/* Ticks from midnight of day one to sim time 0. */
static int64_t clock_offset(const struct tsim_sim *sim)
{
    return (int64_t)(sim->m->start_clock * (double)ticks_per_hour(sim) + 0.5);
}

static int on_at(const struct tsim_sim *sim, int s, int64_t t)
{
    const struct tsim__shift_desc *d = &sim->m->shifts[s];
    int64_t tph = ticks_per_hour(sim);
    int64_t tod = (t + clock_offset(sim)) % (24 * tph);
    for (int i = 0; i < d->n; i++) {
        int64_t a = (int64_t)(d->periods[2 * i] * (double)tph + 0.5);
        int64_t b = (int64_t)(d->periods[2 * i + 1] * (double)tph + 0.5);
        if (tod >= a && tod < b) return 1;
    }
    return 0;
}

static int64_t next_boundary(const struct tsim_sim *sim, int s, int64_t t)
{
    const struct tsim__shift_desc *d = &sim->m->shifts[s];
    int64_t tph = ticks_per_hour(sim), tpd = 24 * tph, off = clock_offset(sim);
    int64_t clock = t + off; /* on the wall clock from midnight of day one */
    int64_t day = clock / tpd;
    int64_t best = TSIM__NEVER;
    for (int64_t k = day; k <= day + 1; k++) {
        for (int i = 0; i < 2 * d->n; i++) {
            int64_t c = k * tpd + (int64_t)(d->periods[i] * (double)tph + 0.5);
            if (c > clock && c < best) best = c;
        }
    }
    return best == TSIM__NEVER ? best : best - off;
}

static void schedule_next(struct tsim_sim *sim, int s)
{
    int64_t t = next_boundary(sim, s, sim->now);
    if (t == TSIM__NEVER) return;
    /* Highest priority: work at a boundary instant already sees the new shift state. */
    tsim__cal_push(&sim->cal, t, 32767, NULL, NULL, TSIM__SIM_EVENT,
                   TSIM__EV_SHIFT | TSIM__BG, (uint32_t)s);
}

void tsim__shifts_init(struct tsim_sim *sim)
{
    for (int s = 0; s < sim->m->nshifts; s++) {
        shift_st(sim, s)->on = on_at(sim, s, 0);
        schedule_next(sim, s);
    }
}

int tsim__shift_on(const struct tsim_sim *sim, int shift) { return shift_st(sim, shift)->on; }

int tsim__shift_event(struct tsim_sim *sim, uint32_t shift)
{
    int s = (int)shift;
    int on = on_at(sim, s, sim->now);
    schedule_next(sim, s);
    struct shift_state *st = shift_st(sim, s);
    if (on == st->on) return -1;
    st->on = on;
    for (uint32_t b = 0; b < sim->nblocks; b++)
        if (sim->m->blocks[b].shift == s && sim->vt[b]->shift) sim->vt[b]->shift(sim, b, on);
    return on;
}
