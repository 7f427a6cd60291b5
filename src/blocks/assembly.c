/*
 * Assembly: collects `count` parts of each listed product, then makes one new entity of the
 * result product (default: that of the first part listed) in a processing time, on one server
 * with everything a machine server has (failures, operators, shifts). It holds at most one set
 * of parts: a part whose product is already complete is refused, so upstream buffers hold the
 * rest. A part of a product not in the list is dropped and counted (the loader rejects such
 * routes where it can see them). The new entity's lead time starts with its oldest part.
 */
#include "blocks/station.h"
#include "core/core.h"

enum { EV_WAKE = 3 }; /* station.c's event kind that calls tsim__assembly_server_free */

struct parts {
    uint32_t head, tail, have;
};

static int nproducts(const struct tsim_model *m) { return m->nproducts > 0 ? m->nproducts : 1; }

static size_t station_bytes(void) { return tsim__station_size(1) + sizeof(uint32_t); }

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return station_bytes() + 16 + (size_t)nproducts(m) * sizeof(struct parts);
}

static struct parts *parts_of(const struct tsim_sim *sim, uint32_t b)
{
    return (struct parts *)(sim->st[b] + ((station_bytes() + 15) & ~(size_t)15));
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    tsim__station_init(sim, b, 1, tsim__station_size(1));
    struct parts *p = parts_of(sim, b);
    for (int i = 0; i < nproducts(sim->m); i++) p[i].head = p[i].tail = TSIM__NIL;
}

static int complete(const struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    const struct parts *p = parts_of(sim, b);
    for (int i = 0; i < d->parts_n; i++)
        if (p[d->parts_product[i]].have < (uint32_t)d->parts_k[i]) return 0;
    return 1;
}

/* Consume one set and start the result on the server. Returns 1 if a set was started. */
static int assemble(struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (tsim__station_free_server(sim, b) != 0 || !complete(sim, b)) return 0;
    struct parts *p = parts_of(sim, b);
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    int64_t born = TSIM__NEVER, due = TSIM__NEVER;
    int first_product = d->parts_product[0];
    for (int i = 0; i < d->parts_n; i++) {
        struct parts *q = &p[d->parts_product[i]];
        for (int k = 0; k < d->parts_k[i]; k++) {
            uint32_t e = q->head;
            q->head = sim->ents[e].next;
            if (q->head == TSIM__NIL) q->tail = TSIM__NIL;
            q->have--;
            if (sim->ents[e].t_created < born) born = sim->ents[e].t_created;
            if (sim->ents[e].due < due) due = sim->ents[e].due;
            tsim__note_leave(sim, b, e);
            tsim__entity_dispose(sim, e);
        }
    }
    uint32_t e = tsim__entity_new(sim, d->out_product >= 0 ? d->out_product : first_product);
    tsim__entity_enter_system(sim, e);
    sim->created--; /* assembled entities are not arrivals */
    sim->ents[e].t_created = born;
    sim->ents[e].due = due;
    if (sim->nattrs) tsim__attrs_start(sim, TSIM__NIL, e);
    /* The assembled entity is in the block: counted in content, not as entered. */
    h->content++;
    tsim__area_in(&h->level, sim->now, h->content);
    sim->ents[e].t_in = sim->now;
    tsim__station_start(sim, b, 0, e);
    return 1;
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    int product = sim->ents[e].product;
    struct parts *q = &parts_of(sim, b)[product];
    if (d->part_count[product] == 0) {
        ((struct tsim__station *)tsim__state(sim, b))->dropped++;
        tsim__note_drop(sim, b, e);
        tsim__entity_dispose(sim, e);
        return 1;
    }
    if (q->have >= (uint32_t)d->part_count[product]) return 0;
    tsim__note_enter(sim, b, e);
    sim->ents[e].next = TSIM__NIL;
    if (q->head == TSIM__NIL) q->head = e;
    else sim->ents[q->tail].next = e;
    q->tail = e;
    q->have++;
    /* Starting a set frees part places; waiters are woken by an event at this instant, never
     * from inside the offer that the sender is still in. */
    if (assemble(sim, b)) tsim__schedule(sim, sim->now, b, EV_WAKE, 0);
    return 1;
}

/* One product's place being taken says nothing of the others': every waiter gets a turn. */
void tsim__assembly_server_free(struct tsim_sim *sim, uint32_t b)
{
    assemble(sim, b);
    tsim__wake_each(sim, b);
}

static uint32_t slots(const struct tsim__block_desc *d) { return tsim__station_slots(d, 1); }

static const struct tsim__block_vt assembly_vt = {
    .state_size = state_size,
    .slots = slots,
    .init = init,
    .offer = offer,
    TSIM__STATION_VT,
};

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_assembly_set_part(struct tsim_model *m, int block, int product, int count)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get_whole(m, block, TSIM__T(TSIM_ASSEMBLY), __func__, "parts", product, 0,
                              TSIM__LAST_PRODUCT, TSIM_ENOENT, "no product %d", &rc);
    if (!b) return rc;
    if (count < 1 || count > 1000000)
        return tsim__fail(TSIM_ERANGE, __func__, "part count of '%s' must be >= 1", b->name);
    for (int i = 0; i < b->parts_n; i++) {
        if (b->parts_product[i] == product) {
            b->parts_k[i] = count;
            return 0;
        }
    }
    b->parts_product = tsim__realloc(b->parts_product, (size_t)(b->parts_n + 1) * sizeof(int));
    b->parts_k = tsim__realloc(b->parts_k, (size_t)(b->parts_n + 1) * sizeof(int));
    b->parts_product[b->parts_n] = product;
    b->parts_k[b->parts_n] = count;
    b->parts_n++;
    return 0;
}

int tsim_assembly_set_product(struct tsim_model *m, int block, int product)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get_whole(m, block, TSIM__T(TSIM_ASSEMBLY), __func__, "product", product, -1,
                              TSIM__LAST_PRODUCT, TSIM_ENOENT, "no product %d", &rc);
    if (!b) return rc;
    b->out_product = product;
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

static int set_product(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_assembly_set_product(m, b, (int)v->i);
}

enum { K_PARTS }; /* in `keys` */

/* The station's checks (each at the key it is about: `process`, `needs`), then the parts: an
 * error at `parts` when the file gives it, else at the block. */
static int check(const struct tsim_model *m, const struct tsim__block_desc *b)
{
    int rc = tsim__station_check(m, b);
    if (rc) return rc;
    if (b->parts_n == 0) {
        tsim__model_blame_key(m, b->index, K_PARTS);
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, "assembly '%s' has no parts", b->name);
    }
    return 0;
}

static const struct tsim__key keys[] = {
    [K_PARTS] = {"parts", TSIM__KEY_FORM, TSIM__KEY_REQUIRED, .dflt = "required",
                 .help = "{PRODUCT: count, ...}: how many of each product make one set"},
    TSIM__STATION_PROCESS,
    {"product", TSIM__KEY_PRODUCT, 0, .dflt = "the product of the first part",
     .help = "the product of the assembled entity", .set = set_product},
    TSIM__STATION_FAILURES,
    TSIM__STATION_NEEDS,
    TSIM__STATION_SHIFT,
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {.name = NULL},
};

static const char *const kpis[] = {TSIM__STATION_KPIS, NULL};

const struct tsim__block_type tsim__assembly_type = {
    .name = "assembly",
    .help = "waits for a set of parts and makes one new entity of them",
    .keys = keys,
    .kpis = kpis,
    .vt = &assembly_vt,
    .flags = TSIM__TYPE_SERVERS | TSIM__TYPE_DISPOSES, /* its parts become one */
    .check = check,
};
