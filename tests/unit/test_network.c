/*
 * The path network's segments from a CSV file (`segments_file` in `network:`, src/model/netload.c):
 * a layout read from the file is the layout the YAML list gives (the same run, bit for bit); the
 * nodes may be left to the file; and every problem in the file is reported at its line and
 * column, after the model file's place of the key.
 */
#include "check.h"

#include <sys/stat.h>

#include "blocks/desc.h"
#include "blocks/network.h"
#include "model_text.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* Load `tmpdir/name`, diagnostics into `diag`. */
static struct tsim_model *load_file(const char *name, char *diag, size_t size)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load_file(path, NULL, &d);
    FILE *f = fmemopen(diag, size, "w");
    tsim_diags_print(&d, name, f);
    fclose(f);
    tsim_diags_release(&d);
    return m;
}

static uint64_t fingerprint_of(const struct tsim_model *m)
{
    struct tsim_sim *sim = tsim_sim_create(m, 7, 2);
    CHECK(sim != NULL);
    if (!sim) return 0;
    tsim_sim_run_until(sim, 480);
    uint64_t fp = tsim_sim_fingerprint(sim);
    tsim_sim_destroy(sim);
    return fp;
}

/* examples/amr-fleet.yaml with its `segments:` list swapped for `segments_file: seg.csv`
 * (and, with keep_nodes 0, its `nodes:` line dropped), written to the test's folder. */
static void write_amr_variant(const char *name, int keep_nodes)
{
    char *text = read_all("examples/amr-fleet.yaml");
    CHECK(text != NULL);
    if (!text) return;
    char *segs = strstr(text, "\n  segments:\n");
    char *at = strstr(text, "\n  at:");
    char *nodes = strstr(text, "\n  nodes:");
    CHECK(segs && at && nodes && nodes < segs && segs < at);
    if (!segs || !at || !nodes) {
        free(text);
        return;
    }
    char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        if (keep_nodes) {
            fwrite(text, 1, (size_t)(segs - text), f);
        } else {
            fwrite(text, 1, (size_t)(nodes - text), f);
            char *nodes_end = strchr(nodes + 1, '\n');
            fwrite(nodes_end, 1, (size_t)(segs - nodes_end), f);
        }
        fputs("\n  segments_file: seg.csv", f);
        fputs(at, f);
        fclose(f);
    }
    free(text);
}

/* The segments of examples/amr-fleet.yaml, with a byte order mark, CRLF line ends, the columns in
 * another order, an extra column, quoted fields and empty optional ones. */
static const char amr_csv[] = "\xEF\xBB\xBF"
                              "note,from,to,one_way,length,speed_limit\r\n"
                              "parking,cell,park,,10,\r\n"
                              "\"to the aisle, east\",cell,aisle1,true,40,\r\n"
                              ",aisle1,pack_a,true,25,\r\n"
                              ",pack_a,pack_b,true,\"15\",\r\n"
                              ",pack_b,aisle2,true,25,\r\n"
                              "return,aisle2,cell,true,45,30\r\n";

static void test_segments_file_same_run(void)
{
    char diag[2048] = "";
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *list = tsim_model_load_file("examples/amr-fleet.yaml", NULL, &d);
    tsim_diags_release(&d);
    CHECK(list != NULL);
    write_file("seg.csv", amr_csv);
    write_amr_variant("amr-csv.yaml", 1);
    struct tsim_model *csv = load_file("amr-csv.yaml", diag, sizeof diag);
    if (!csv) fprintf(stderr, "%s", diag);
    CHECK(csv != NULL);
    if (list && csv) {
        CHECK(csv->net->nnodes == list->net->nnodes);
        CHECK(csv->net->narcs == list->net->narcs);
        uint64_t a = fingerprint_of(list), b = fingerprint_of(csv);
        if (a != b)
            fprintf(stderr, "  fingerprints %016llx (list) and %016llx (file)\n",
                    (unsigned long long)a, (unsigned long long)b);
        CHECK(a == b);
    }
    tsim_model_destroy(list);
    tsim_model_destroy(csv);
}

/* Without `nodes:`, the nodes are those the file names, in the order it first names them. */
static void test_segments_file_makes_nodes(void)
{
    char diag[2048] = "";
    write_file("seg.csv", amr_csv);
    write_amr_variant("amr-nodes.yaml", 0);
    struct tsim_model *m = load_file("amr-nodes.yaml", diag, sizeof diag);
    if (!m) fprintf(stderr, "%s", diag);
    CHECK(m != NULL);
    if (!m) return;
    static const char *const order[] = {"cell", "park", "aisle1", "pack_a", "pack_b", "aisle2"};
    CHECK(m->net->nnodes == 6);
    for (int i = 0; i < 6 && i < m->net->nnodes; i++) {
        if (strcmp(m->net->node[i], order[i]) != 0) {
            fprintf(stderr, "  node %d is '%s', expected '%s'\n", i, m->net->node[i], order[i]);
            check_failed_ = 1;
        }
    }
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run_until(sim, 120);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK(kpi(&r, tsim_model_find_block(m, "shipped"), "throughput") > 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A two-node network whose segments come from `csv`; `nodes` 1 lists the nodes in the model. */
static void expect_error(const char *csv, int nodes, const char *want)
{
    if (csv) write_file("bad.csv", csv);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: net\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    to: out\n"
             "  - sink: out\n"
             "network:\n"
             "%s"
             "  segments_file: bad.csv\n",
             nodes ? "  nodes: [dock, pack]\n" : "");
    write_file("net.yaml", yaml);
    char diag[2048] = "";
    struct tsim_model *m = load_file("net.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    char where[32];
    snprintf(where, sizeof where, "net.yaml:%d:18: error: ", nodes ? 9 : 8);
    if (!strstr(diag, want) || !strstr(diag, where)) {
        fprintf(stderr, "  expected '%s%s' in:\n%s", where, want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

static void test_segments_file_errors(void)
{
    expect_error("from,to\ndock,pack\n", 1, "bad.csv:1:1: no column 'length' in the header");
    expect_error("from,to,length\ndock,packk,5\n", 1,
                 "bad.csv:2:6: undefined node 'packk' (did you mean 'pack'?)");
    expect_error("from,to,length\ndock,pack.b,5\n", 0, "bad.csv:2:6: invalid node name 'pack.b'");
    expect_error("from,to,length\ndock,,5\n", 0, "bad.csv:2:6: invalid node name ''");
    expect_error("from,to,length\ndock,pack,-5\n", 1, "bad.csv:2:11: length must be more than 0, not -5");
    expect_error("from,to,length\ndock,pack,0\n", 1, "bad.csv:2:11: length must be more than 0, not 0");
    expect_error("from,to,length\ndock,pack,5m\n", 1, "bad.csv:2:11: unexpected unit 'm' on length");
    expect_error("from,to,length\ndock,pack,\n", 1, "bad.csv:2:11: missing number for length");
    expect_error("from,to,length,one_way\ndock,pack,5,yes\n", 1,
                 "bad.csv:2:13: one_way must be true or false, not 'yes'");
    expect_error("from,to,length,speed_limit\ndock,pack,5,0\n", 1,
                 "bad.csv:2:13: speed_limit must be more than 0, not 0");
    expect_error("from,to,length,speed_limit\ndock,pack,5,inf\n", 1,
                 "bad.csv:2:13: speed_limit must be a number, got 'inf'");
    expect_error("from,to,length\ndock,dock,5\n", 1, "bad.csv:2:6: segment from node 'dock' to itself");
    expect_error("from,to,length\ndock,pack\n", 1, "bad.csv:2:1: row has 2 fields");
    expect_error("from,to,length\n", 1, "'bad.csv' holds no segments");
    expect_error("from,to,length\ndock,\"pack,5\n", 1, "bad.csv:");
    /* The file missing altogether. */
    char path[160];
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    remove(path);
    expect_error(NULL, 1, "bad.csv");
}

/* Both a list and a file: one must go. */
static void test_segments_both(void)
{
    write_file("seg.csv", "from,to,length\ndock,pack,5\n");
    write_file("both.yaml", "name: net\n"
                            "blocks:\n"
                            "  - source: in\n"
                            "    interarrival: 1\n"
                            "    to: out\n"
                            "  - sink: out\n"
                            "network:\n"
                            "  nodes: [dock, pack]\n"
                            "  segments:\n"
                            "    - {from: dock, to: pack, length: 5}\n"
                            "  segments_file: seg.csv\n");
    char diag[2048] = "";
    struct tsim_model *m = load_file("both.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "both.yaml:11:18: error: 'network' has both 'segments' and 'segments_file'") !=
          NULL);
    if (!strstr(diag, "has both")) fprintf(stderr, "%s", diag);
    tsim_model_destroy(m);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-network-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    RUN(test_segments_file_same_run);
    RUN(test_segments_file_makes_nodes);
    RUN(test_segments_file_errors);
    RUN(test_segments_both);
    static const char *const files[] = {"seg.csv", "bad.csv", "net.yaml", "both.yaml",
                                        "amr-csv.yaml", "amr-nodes.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        remove(path);
    }
    rmdir(tmpdir);
    return CHECK_DONE();
}
