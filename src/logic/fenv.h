/*
 * The decision points of a factory model for the environment (fenv.c; env.c holds the batch):
 * one sim of a model per slot of the batch, each stopped where a buffer with `rule: agent` must
 * choose. Not API: env.c is its only caller.
 */
#ifndef TSIM_LOGIC_FENV_H
#define TSIM_LOGIC_FENV_H

#include "twinsim_logic.h"

#include <stddef.h>
#include <stdint.h>

struct tsim__fenv;
struct tsim__cand;

/* Make cfg->num_envs sims of model `m` (borrowed), episodes of `horizon`, observations of `maxc`
 * candidate slots. The sims are not reset yet. Returns 0, or TSIM_EINVAL (no decision point, NULL
 * m), TSIM_ERANGE (horizon), TSIM_EMODEL (a sim could not be made). */
int tsim__fenv_create(const struct tsim_model *m, double horizon,
                      const struct tsim_env_config *cfg, size_t maxc, struct tsim__fenv **out);
void tsim__fenv_destroy(struct tsim__fenv *f);
/* A new episode of sim i, run to its first decision; with `seed`, episodes count from 0 again
 * with that seed. */
void tsim__fenv_reset(struct tsim__fenv *f, size_t i, const uint64_t *seed);
/* Serve candidate `action` (< tsim__fenv_nc) of sim i's decision and run to the next one. */
void tsim__fenv_apply(struct tsim__fenv *f, size_t i, int32_t action);
/* Candidates of sim i's decision; 0 once its episode is over. */
size_t tsim__fenv_nc(const struct tsim__fenv *f, size_t i);
/* What the rewards count: the clock, the time entities have spent in the system, and the
 * entities completed, since the episode began. */
void tsim__fenv_totals(const struct tsim__fenv *f, size_t i, double *clock, double *in_system,
                       double *done);
/* The candidates as the sequencing rules see them, and the time; NULL at a route's decision. */
const struct tsim__cand *tsim__fenv_cands(const struct tsim__fenv *f, size_t i, double *now);
/* The block whose route sim i's decision is, or NULL at a buffer's (or none). */
const char *tsim__fenv_route_asking(const struct tsim__fenv *f, size_t i);
/* The TSIM_E* code that stopped sim i, with its message in msg; 0 if none. */
int tsim__fenv_failed(const struct tsim__fenv *f, size_t i, char *msg, size_t len);
/* Sim i's row of the outputs. */
void tsim__fenv_write(const struct tsim__fenv *f, size_t i, float *obs, uint8_t *mask,
                      int32_t *agent, int32_t *candidates, double *clock);
uint32_t tsim__fenv_agents(const struct tsim__fenv *f);
const char *tsim__fenv_agent_name(const struct tsim__fenv *f, uint32_t k);
/* 1 if decision point k is a route, 0 a buffer, -1 out of range. */
int tsim__fenv_agent_is_route(const struct tsim__fenv *f, uint32_t k);
size_t tsim__fenv_sim_bytes(const struct tsim__fenv *f);

#endif
