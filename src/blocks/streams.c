/*
 * A model's choice of generator and the Philox streams of its sims: each block's four purposes
 * (main, aux, fail, route) as Philox streams keyed by (seed, replication, block id, purpose),
 * docs/gpu.md. The xoshiro streams, the default, are derived in sim.c.
 *
 * Invariant: within one sim the block ids are distinct, so no two streams of a sim share a
 * counter. A block's id is a hash of its name, so adding or removing a block leaves the others'
 * draws as they were; two names with equal hashes are told apart by taking the next free id for
 * the later block in the model's order (a change of draws only for such a pair, 1 in 2^32 per
 * pair of names).
 */
#include "blocks/sim.h"

#include <string.h>

static const char *const kind_names[TSIM_RNG_KIND_COUNT] = {"xoshiro", "philox"};

const char *tsim_rng_kind_name(enum tsim_rng_kind kind)
{
    return (unsigned)kind < TSIM_RNG_KIND_COUNT ? kind_names[kind] : "unknown";
}

int tsim_model_set_rng(struct tsim_model *m, enum tsim_rng_kind kind)
{
    TSIM__ASSERT(m != NULL, "NULL model");
    if ((unsigned)kind >= TSIM_RNG_KIND_COUNT)
        return tsim__fail(TSIM_EINVAL, __func__, "unknown generator %d", (int)kind);
    m->rng = kind;
    return 0;
}

enum tsim_rng_kind tsim_model_rng(const struct tsim_model *m)
{
    TSIM__ASSERT(m != NULL, "NULL model");
    return m->rng;
}

/* The ids of the blocks in model order, distinct: an open-addressing set of the ids taken. */
static void block_ids(const struct tsim_sim *sim, uint32_t *ids)
{
    uint32_t cap = 16;
    while (cap < 2 * sim->nblocks) cap *= 2;
    uint32_t *set = tsim__malloc(cap * sizeof *set);
    unsigned char *used = tsim__calloc(cap, 1);
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        uint32_t id = tsim__philox_name_id(sim->m->blocks[b].name);
        for (;;) {
            uint32_t i = (id * 0x9e3779b1u) & (cap - 1);
            while (used[i] && set[i] != id) i = (i + 1) & (cap - 1);
            if (!used[i]) {
                used[i] = 1;
                set[i] = id;
                break;
            }
            id++; /* taken by an earlier block */
        }
        ids[b] = id;
    }
    tsim__free(set);
    tsim__free(used);
}

void tsim__philox_streams(struct tsim_sim *sim)
{
    TSIM__ASSERT(sim->rep <= UINT32_MAX,
                 "replication %llu is past the last a Philox stream can count (2^32 - 1)",
                 (unsigned long long)sim->rep);
    uint32_t *ids = tsim__malloc((sim->nblocks ? sim->nblocks : 1) * sizeof *ids);
    block_ids(sim, ids);
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        struct tsim__bhdr *h = tsim__hdr(sim, b);
        for (int k = 0; k < TSIM__RNG_COUNT; k++)
            tsim__px_init(h->rng[k].s, sim->seed, (uint32_t)sim->rep, ids[b], (uint32_t)k);
    }
    tsim__free(ids);
}

double tsim__draw_u_philox(struct tsim_rng *r) { return tsim__philox_uniform(r); }

int64_t tsim__draw_philox(const struct tsim_sim *sim, const struct tsim_dist *d,
                          struct tsim_rng *r)
{
    return tsim__draw_ticks(sim, tsim__philox_sample(d, r));
}

uint32_t tsim__philox_block_id(const struct tsim_sim *sim, uint32_t b)
{
    TSIM__ASSERT(b < sim->nblocks, "block %u out of range", b);
    uint32_t *ids = tsim__malloc(sim->nblocks * sizeof *ids);
    block_ids(sim, ids);
    uint32_t id = ids[b];
    tsim__free(ids);
    return id;
}
