/*
 * A fleet's vehicle failures. With `failures_between`, each vehicle fails after a time between
 * failures drawn in calendar time, from the start and then from the end of each repair
 * (`failures_repair`, 0 when not given). A failure stops the vehicle at once when it is idle,
 * charging or on a timed step (a leg or, with zones, an arc; loading; unloading): FAILED, where it
 * is, the step paused; after the repair the step goes on with the ticks it had left, and a charging
 * vehicle, which kept its point, charges on. A vehicle that waits (blocked, for a zone, for a
 * charging point) or works a storage's cycle stops when it starts its next timed step or becomes
 * free. A FAILED vehicle keeps its load and, with zones, its holds, is not dispatched, and draws
 * `draw_idle`. A failure the model draws while the vehicle is failed already (by the plant) is
 * skipped, the next drawn from then. The plant's reports (tsim__fleet_observe_failure: VDA 5050
 * errors of level FATAL) stop a vehicle the same way, until a report with none; it resumes when
 * nothing holds it.
 *
 * Invariant: `due` holds the causes (FAIL_MODEL, FAIL_PLANT) of failures that fell on a vehicle
 * that could not stop yet, `down` those that hold a FAILED vehicle; a FAILED vehicle's `resume`
 * is the state it goes back to, with `rest` ticks left of its paused step (`ev_kind`); its
 * going back is fleet.c's (tsim__fleet_repaired), as it may take new work.
 */
#include "blocks/fleet.h"
#include "blocks/sim.h"
#include "blocks/fleet_int.h"

static int64_t fail_draw(struct tsim_sim *sim, uint32_t b, struct fleet *s, int k)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    return d->val[k].set ? tsim__draw(sim, &d->val[k].d, &s->h.rng[TSIM__RNG_FAIL]) : 0;
}

/* Vehicle i's next failure, a background event (a vehicle failing idle keeps no run going), a
 * tick from now at the least. */
void tsim__fleet_next_failure(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    int64_t dt = fail_draw(sim, b, s, K_FAIL_BETWEEN);
    tsim__cal_push_block(&sim->cal, sim->now + (dt > 0 ? dt : 1), b, EV_FAIL | TSIM__BG, i);
}

/* Whether vehicle i can stop now: idle, charging, or on a timed step. */
static int can_stop(const struct vehicle *v)
{
    return v->ev || v->state == IDLE || v->state == CHARGING;
}

/* Vehicle i (it can stop) stops for its failures due: FAILED, its timed step paused; a failure
 * of the model draws its repair, a foreground event unless the vehicle was idle. Returns 1. */
int tsim__fleet_fail_due(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    int kind = -1;
    if (v->ev) {
        tsim__cancel(sim, v->ev);
        v->ev = 0;
        v->rest = v->ev_at - sim->now;
        kind = v->ev_kind;
    }
    v->ev_kind = kind;
    v->resume = v->state;
    set_state(sim, b, s, i, FAILED);
    v->down = v->due;
    v->due = 0;
    v->failures++;
    s->failures++;
    s->failed_seen = 1;
    if (v->down & FAIL_MODEL) {
        int64_t t = sim->now + fail_draw(sim, b, s, K_FAIL_REPAIR);
        if (v->resume == IDLE) tsim__cal_push_block(&sim->cal, t, b, EV_REPAIRED | TSIM__BG, i);
        else tsim__schedule(sim, t, b, EV_REPAIRED, i);
    }
    return 1;
}

/* A failure (`why`: FAIL_MODEL or FAIL_PLANT) falls on vehicle i: it stops now when it can, else
 * when it next can. Returns 0 when it changes nothing (a plant failure known already). */
int tsim__fleet_fail(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int why)
{
    struct vehicle *v = &s->v[i];
    if (v->state == FAILED) {
        if (why == FAIL_MODEL) {
            tsim__fleet_next_failure(sim, b, s, i);
            return 1;
        }
        if (v->down & why) return 0;
        v->down |= why;
        return 1;
    }
    if (v->due & why) return 0;
    v->due |= why;
    if (can_stop(v)) tsim__fleet_fail_due(sim, b, s, i);
    return 1;
}
