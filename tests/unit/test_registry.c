/*
 * The block-type registry: its table agrees with the public enum, every type's keys are in the
 * docs' key tables, every key that a path may set is accepted by `--set` (tsim_model_set_param)
 * and refused out of its range, and every KPI a type names is one its blocks report.
 */
#include "check.h"
#include "twinsim.h"

#include "blocks/desc.h"
#include "model/ordercsv.h"
#include "blocks/network.h"
#include "blocks/registry.h"

static void test_registry_follows_the_enum(void)
{
    static const char *const names[TSIM_BLOCK_TYPE_COUNT] = {
        "source", "buffer", "delay", "machine", "assembly", "split", "sink",
    };
    CHECK(tsim_block_type_count() >= TSIM_BLOCK_TYPE_COUNT);
    CHECK_EQ(tsim_block_type_count(), tsim__block_type_n);
    for (int t = 0; t < TSIM_BLOCK_TYPE_COUNT; t++) {
        CHECK_STR(tsim__block_types[t]->name, names[t]);
        CHECK_EQ(tsim_block_type_find(names[t]), t);
    }
    CHECK_EQ(tsim_block_type_find("conveyer"), TSIM_ENOENT);
    for (int t = 0; t < tsim__block_type_n; t++) {
        const struct tsim__block_type *bt = tsim__block_types[t];
        CHECK(bt->vt != NULL && bt->keys != NULL && bt->kpis != NULL && bt->help != NULL);
        for (int k = 0; bt->keys[k].name; k++) {
            CHECK(bt->keys[k].help != NULL);
            CHECK_EQ(tsim__key_index(bt, bt->keys[k].name), k); /* one key of one name */
        }
    }
}

/* A block's type key is the one key of its mapping that names a type, so no type may be named
 * as a key of any type (a source's `batch` would read as a second type). */
static void test_registry_type_names_are_not_keys(void)
{
    for (int t = 0; t < tsim__block_type_n; t++) {
        for (int u = 0; u < tsim__block_type_n; u++) {
            int k = tsim__key_index(tsim__block_types[u], tsim__block_types[t]->name);
            if (k >= 0)
                fprintf(stderr, "  type '%s' is a key of %s\n", tsim__block_types[t]->name,
                        tsim__block_types[u]->name);
            CHECK_EQ(k, -1);
        }
    }
}

/* Every key of every type is a row `| `key` |` of the table in its type's section of
 * docs/model-format.md (`### NAME` up to the next heading); `description`, which every type
 * takes, is said once above them. */
static void test_registry_keys_are_documented(void)
{
    char *doc = read_all("docs/model-format.md");
    CHECK(doc != NULL);
    if (!doc) return;
    for (int t = 0; t < tsim__block_type_n; t++) {
        const struct tsim__block_type *bt = tsim__block_types[t];
        char head[64], row[80];
        snprintf(head, sizeof head, "\n### %s\n", bt->name);
        char *sec = strstr(doc, head);
        if (!sec) {
            fprintf(stderr, "  no section '### %s' in docs/model-format.md\n", bt->name);
            CHECK(sec != NULL);
            continue;
        }
        sec += strlen(head);
        char *end = strstr(sec, "\n#");
        char saved = 0;
        if (end) saved = *end, *end = '\0';
        for (int k = 0; bt->keys[k].name; k++) {
            if (bt->keys[k].kind == TSIM__KEY_TEXT) continue;
            snprintf(row, sizeof row, "\n| `%s` |", bt->keys[k].name);
            if (!strstr(sec, row))
                fprintf(stderr, "  key '%s' of %s is not in its table\n", bt->keys[k].name,
                        bt->name);
            CHECK(strstr(sec, row) != NULL);
        }
        if (end) *end = saved;
    }
    free(doc);
}

/* A model with one block of type `t` named "x" (fed by a source when it takes entities), two
 * products, a shift and a pool. */
static struct tsim_model *model_with(int t)
{
    struct tsim_model *m = tsim_model_create("keys");
    tsim_model_add_product(m, "a");
    tsim_model_add_product(m, "b");
    double day[2] = {6, 14};
    tsim_model_add_shift(m, "day", day, 1);
    int x = tsim_model_add_block(m, (enum tsim_block_type)t, "x");
    CHECK(x >= 0);
    return m;
}

/* A value of key `k` that its kind reads and its range allows, and one it refuses (NULL: none). */
static void sample(const struct tsim__key *k, char *ok, char *bad, size_t size, int *has_bad)
{
    *has_bad = 1;
    switch (k->kind) {
    case TSIM__KEY_DIST:
        snprintf(ok, size, "uniform(1, 3)");
        snprintf(bad, size, "-1");
        break;
    case TSIM__KEY_INT:
    case TSIM__KEY_CAPACITY:
        snprintf(ok, size, "%lld", k->hi);
        snprintf(bad, size, "%lld", k->lo - 1);
        /* A lower bound of 0 leaves nothing below it but a negative, refused all the same. */
        break;
    case TSIM__KEY_REAL:
        snprintf(ok, size, "%g", k->rlo);
        snprintf(bad, size, "%g", k->rhi);
        break;
    case TSIM__KEY_CHOICE:
        snprintf(ok, size, "%s", k->choices[1] ? k->choices[1] : k->choices[0]);
        snprintf(bad, size, "no_such_choice");
        break;
    case TSIM__KEY_PRODUCT:
        snprintf(ok, size, "b");
        snprintf(bad, size, "c");
        break;
    case TSIM__KEY_SHIFT:
        snprintf(ok, size, "day");
        snprintf(bad, size, "night");
        break;
    case TSIM__KEY_FORM:
    case TSIM__KEY_TEXT:
        ok[0] = bad[0] = '\0';
        *has_bad = 0;
        break;
    }
}

/* `--set x.KEY=VALUE` takes every key set by a value, of every type, and refuses one out of its
 * range with an error; keys written as a mapping are refused as unknown parameters. */
static void test_registry_set_accepts_every_key(void)
{
    for (int t = 0; t < tsim__block_type_n; t++) {
        const struct tsim__block_type *bt = tsim__block_types[t];
        for (int k = 0; bt->keys[k].name; k++) {
            const struct tsim__key *key = &bt->keys[k];
            struct tsim_model *m = model_with(t);
            char path[80], ok[80], bad[80];
            int has_bad;
            snprintf(path, sizeof path, "x.%s", key->name);
            if (t == TSIM_BUFFER && strcmp(key->name, "rule") == 0) {
                /* A mapping-form key that also takes a rule's text (src/logic/seq.c). */
                CHECK_EQ(tsim_model_set_param(m, path, "SPT"), 0);
                CHECK_EQ(tsim_model_set_param(m, path, "SPTT"), TSIM_EPARSE);
                tsim_model_destroy(m);
                continue;
            }
            sample(key, ok, bad, sizeof ok, &has_bad);
            int settable = key->kind != TSIM__KEY_FORM && key->kind != TSIM__KEY_TEXT;
            int rc = tsim_model_set_param(m, path, settable ? ok : "1");
            if (settable && rc != 0)
                fprintf(stderr, "  %s '%s' = '%s': %s\n", bt->name, path, ok, tsim_errmsg());
            if (settable) CHECK_EQ(rc, 0);
            else CHECK_EQ(rc, TSIM_ENOENT);
            if (settable && has_bad) {
                rc = tsim_model_set_param(m, path, bad);
                if (rc == 0) fprintf(stderr, "  %s '%s' = '%s' was taken\n", bt->name, path, bad);
                CHECK(rc < 0);
            }
            tsim_model_destroy(m);
        }
    }
}

/* What a type says it reports is what its blocks report (a sink fed by a source, after a run). */
static void test_registry_kpis_are_reported(void)
{
    struct tsim_dist one;
    double x = 1;
    tsim_dist_init(&one, TSIM_DIST_CONSTANT, &x, 1);
    for (int t = 0; t < tsim__block_type_n; t++) {
        const struct tsim__block_type *bt = tsim__block_types[t];
        struct tsim_model *m = tsim_model_create("kpis");
        int blk = tsim_model_add_block(m, (enum tsim_block_type)t, "x");
        int src = -1, out = -1;
        if (!(bt->flags & (TSIM__TYPE_NO_INPUT | TSIM__TYPE_ORIGIN))) {
            src = tsim_model_add_block(m, TSIM_SOURCE, "in");
            tsim_source_set_interarrival(m, src, &one);
            tsim_route_to(m, src, blk);
        } else if (t == TSIM_SOURCE) {
            tsim_source_set_interarrival(m, blk, &one);
        }
        if (t != TSIM_SINK) {
            out = tsim_model_add_block(m, TSIM_SINK, "out");
            tsim_route_to(m, blk, out);
        }
        /* The keys each type requires, with values it takes. */
        for (int k = 0; bt->keys[k].name; k++) {
            if (!(bt->keys[k].flags & TSIM__KEY_REQUIRED)) continue;
            if (bt->keys[k].kind == TSIM__KEY_DIST)
                CHECK_EQ(tsim_block_set_dist(m, blk, bt->keys[k].name, &one), 0);
            else if (bt->keys[k].kind == TSIM__KEY_INT || bt->keys[k].kind == TSIM__KEY_REAL)
                CHECK_EQ(tsim_block_set_number(m, blk, bt->keys[k].name, 1), 0);
        }
        if (strcmp(bt->name, "fleet") == 0) { /* a fleet drives on a network: here one node */
            m->net = tsim__net_create();
            int node = tsim__net_add_node(m->net, "a");
            tsim__net_set_at(m->net, src, node);
            tsim__net_set_at(m->net, blk, node);
            tsim__net_set_at(m->net, out, node);
            tsim__net_set_capacity(m->net, node, 4); /* zone control: 'deadlocks' is reported */
        }
        if (strcmp(bt->name, "charger") == 0) { /* it serves a fleet with a battery: one node */
            int f = tsim_model_add_block(m, (enum tsim_block_type)tsim_block_type_find("fleet"),
                                         "amr");
            src = tsim_model_add_block(m, TSIM_SOURCE, "in");
            tsim_source_set_interarrival(m, src, &one);
            tsim_route_to(m, src, f);
            tsim_route_to(m, f, out);
            CHECK_EQ(tsim_block_set_number(m, f, "count", 1), 0);
            CHECK_EQ(tsim_block_set_number(m, f, "speed", 1), 0);
            CHECK_EQ(tsim_block_set_number(m, f, "battery", 1), 0);
            CHECK_EQ(tsim_block_set_number(m, f, "charge_rate", 1), 0);
            m->net = tsim__net_create();
            int node = tsim__net_add_node(m->net, "a");
            for (int b = 0; b < tsim_model_block_count(m); b++) tsim__net_set_at(m->net, b, node);
        }
        if (strcmp(bt->name, "picking") == 0) { /* its orders come from a file: one line */
            static const char csv[] = "order,line,product,quantity,release,due\nA,1,a,1,0,\n";
            char err[256];
            tsim_model_add_product(m, "a");
            CHECK_EQ(tsim__orders_read(NULL, csv, sizeof csv - 1, m, "o.csv",
                                       &m->blocks[blk].orders, err, sizeof err),
                     0);
        }
        if (strcmp(bt->name, "dock") == 0) /* trucks drawn, as a source's entities */
            CHECK_EQ(tsim_block_set_dist(m, blk, "interarrival", &one), 0);
        if (t == TSIM_ASSEMBLY) {
            tsim_model_add_product(m, "p");
            tsim_assembly_set_part(m, blk, 0, 1);
        }
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        if (!sim) fprintf(stderr, "  %s: %s\n", bt->name, tsim_errmsg());
        CHECK(sim != NULL);
        if (sim) {
            tsim_sim_run_until(sim, 10);
            struct tsim_result r;
            tsim_result_init(&r);
            tsim_sim_result(sim, &r);
            for (int i = 0; bt->kpis[i]; i++) {
                if (!tsim_result_find(&r, blk, bt->kpis[i]))
                    fprintf(stderr, "  %s does not report '%s'\n", bt->name, bt->kpis[i]);
                CHECK(tsim_result_find(&r, blk, bt->kpis[i]) != NULL);
            }
            tsim_result_release(&r);
            tsim_sim_destroy(sim);
        }
        tsim_model_destroy(m);
    }
    tsim_dist_release(&one);
}

int main(void)
{
    RUN(test_registry_follows_the_enum);
    RUN(test_registry_type_names_are_not_keys);
    RUN(test_registry_keys_are_documented);
    RUN(test_registry_set_accepts_every_key);
    RUN(test_registry_kpis_are_reported);
    return CHECK_DONE();
}
