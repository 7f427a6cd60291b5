/*
 * The live twin's public API (include/twinsim_drivers.h): thin doors onto the twin's internal
 * functions. A struct tsim_mapping is the internal struct tsim__map under its public name: the
 * pointers convert back and forth, and nothing outside this folder sees its fields.
 */
#include "core/core.h"
#include "twin/twin.h"
#include "twinsim_drivers.h"

static struct tsim__map *in(struct tsim_mapping *map) { return (struct tsim__map *)map; }

static const struct tsim__map *cin(const struct tsim_mapping *map)
{
    return (const struct tsim__map *)map;
}

struct tsim_mapping *tsim_mapping_load_file(const char *path, const struct tsim_model *m,
                                            struct tsim_diags *d)
{
    return (struct tsim_mapping *)tsim__map_load_file(path, m, d);
}

void tsim_mapping_destroy(struct tsim_mapping *map) { tsim__map_destroy(in(map)); }

void tsim_mapping_set_forecasts(struct tsim_mapping *map, double every_s, int replications)
{
    if (every_s >= 0) in(map)->every_s = every_s;
    if (replications > 0) in(map)->replications = replications;
}

int tsim_twin_run(struct tsim_model *m, const struct tsim_mapping *map,
                  const struct tsim_twin_opts *o)
{
    return tsim__twin_main(m, cin(map), o);
}

int tsim_twin_replay(struct tsim_model *m, struct tsim_mapping *map, const char *db, uint64_t id,
                     FILE *out)
{
    char err[600];
    if (tsim__twin_replay(m, in(map), db, id, out, err, sizeof err) != 0)
        return tsim__fail(TSIM_EINVAL, __func__, "%s", err);
    return 0;
}

int tsim_emulate_run(const struct tsim_model *m, const struct tsim_mapping *map,
                     const struct tsim_emulate_opts *o)
{
    return tsim__emu_main(m, cin(map), o);
}

int tsim_iso_time(const char *s, double *out)
{
    if (tsim__iso_time(s, out) != 0)
        return tsim__fail(TSIM_EINVAL, __func__, "'%s' is not an ISO 8601 time", s);
    return 0;
}
