/*
 * What the unit tests of block types share: a model loaded from text, its diagnostics printed
 * into a buffer the way `twinsim check` prints them, a sim of a model that must load cleanly, a
 * run to its end with its result, and a KPI of a result looked up by name.
 */
#ifndef TSIM_TEST_MODEL_TEXT_H
#define TSIM_TEST_MODEL_TEXT_H

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "twinsim.h"

/* The model of `text`, read as the file `name`, or NULL; its diagnostics go into `diag`. */
static inline struct tsim_model *model_from_text(const char *text, const char *name, char *diag,
                                                 size_t size)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(text, strlen(text), name, NULL, &d);
    FILE *f = fmemopen(diag, size, "w");
    tsim_diags_print(&d, name, f);
    fclose(f);
    tsim_diags_release(&d);
    return m;
}

/* The model of `text`, read as the file `name`, which must load: NULL when it does not, its
 * diagnostics printed and the test failed. */
static inline struct tsim_model *model_must_load(const char *text, const char *name)
{
    char diag[2000];
    struct tsim_model *m = model_from_text(text, name, diag, sizeof diag);
    if (!m) {
        fprintf(stderr, "%s", diag);
        check_failed_ = 1;
    }
    return m;
}

/* The first diagnostic of loading `text` as the file `name`, which must fail, into `diag`. */
static inline void model_first_error(const char *text, const char *name, char *diag, size_t size)
{
    struct tsim_model *m = model_from_text(text, name, diag, size);
    CHECK(m == NULL);
    if (m) tsim_model_destroy(m);
    char *nl = strchr(diag, '\n');
    if (nl) *nl = '\0';
}

/* A sim (seed 1, replication 0) of the model of `text`, read as the file `name`, which must load
 * without a diagnostic; NULL, and the test failed, when the model or the sim is not made. The
 * model is left in *m (NULL when it did not load), for the caller to destroy after the sim. */
static inline struct tsim_sim *sim_from_text(const char *text, const char *name,
                                             struct tsim_model **m)
{
    char diag[1024] = "";
    *m = model_from_text(text, name, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!*m) return NULL;
    struct tsim_sim *sim = tsim_sim_create(*m, 1, 0);
    CHECK(sim != NULL);
    return sim;
}

/* Runs `sim` to its end and puts its result into `r` (tsim_result_release it). */
static inline void run_to_end(struct tsim_sim *sim, struct tsim_result *r)
{
    tsim_sim_run(sim);
    tsim_result_init(r);
    tsim_sim_result(sim, r);
}

/* The value of KPI `name` of `block` in `r`, or -1 when there is none. A file that includes
 * reps.h first uses reps.h's, which also fails the test when the KPI is missing. */
#ifndef TSIM_TEST_REPS_H
static inline double kpi(const struct tsim_result *r, int block, const char *name)
{
    const struct tsim_kpi *k = tsim_result_find(r, block, name);
    return k ? k->value : -1;
}
#endif

#endif
