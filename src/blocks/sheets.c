/*
 * The model's routing sheets and setup families as data: freeing them with the model, and the
 * families' names (src/model/loadsheet.c reads the sheets, src/logic/sheet.c routes by them,
 * src/blocks/station.c sets up by family). Not API.
 *
 * Invariant: the setup matrix is nfam x nfam, cell (previous, next) at previous * nfam + next;
 * `has` says which cells the model gave.
 */
#include "blocks/desc.h"
#include "core/core.h"

#include <string.h>

#define FAMILIES_MAX 1000

void tsim__sheets_release(struct tsim_model *m)
{
    if (m->sheets) {
        int np = m->nproducts > 0 ? m->nproducts : 1;
        for (int p = 0; p < np; p++) {
            for (int k = 0; k < m->sheets[p].n; k++) tsim_dist_release(&m->sheets[p].op[k].time);
            tsim__free(m->sheets[p].op);
            tsim__free(m->sheets[p].rest);
        }
        tsim__free(m->sheets);
        m->sheets = NULL;
    }
    struct tsim__setups *su = &m->setups;
    for (int i = 0; i < su->nfam; i++) tsim__free(su->family[i]);
    for (size_t c = 0; c < (size_t)su->nfam * (size_t)su->nfam; c++)
        tsim_dist_release(&su->time[c]);
    tsim__free(su->family);
    tsim__free(su->has);
    tsim__free(su->time);
    memset(su, 0, sizeof *su);
}

int tsim__family_intern(struct tsim_model *m, const char *name)
{
    struct tsim__setups *su = &m->setups;
    for (int i = 0; i < su->nfam; i++)
        if (strcmp(su->family[i], name) == 0) return i;
    if (su->nfam == FAMILIES_MAX) return -1;
    /* The matrix grows by one row and column; cells keep their (row, column). */
    int n = su->nfam + 1;
    unsigned char *has = tsim__calloc((size_t)n * (size_t)n, 1);
    struct tsim_dist *time = tsim__calloc((size_t)n * (size_t)n, sizeof *time);
    for (int r = 0; r < su->nfam; r++)
        for (int c = 0; c < su->nfam; c++) {
            has[r * n + c] = su->has[r * su->nfam + c];
            time[r * n + c] = su->time[r * su->nfam + c]; /* moved, not copied */
        }
    tsim__free(su->has);
    tsim__free(su->time);
    su->has = has;
    su->time = time;
    su->family = tsim__realloc(su->family, (size_t)n * sizeof *su->family);
    su->family[su->nfam] = tsim__strdup(name);
    return su->nfam++;
}
