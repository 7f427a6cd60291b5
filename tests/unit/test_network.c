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
    expect_error("from,to,length,capacity\ndock,pack,5,0\n", 1, "bad.csv:2:13: capacity ");
    expect_error("from,to,length,capacity\ndock,pack,5,-1\n", 1, "bad.csv:2:13: capacity ");
    expect_error("from,to,length,capacity\ndock,pack,5,1.5\n", 1, "bad.csv:2:13: capacity ");
    expect_error("from,to,length,class\ndock,pack,5,a.b\n", 1,
                 "bad.csv:2:13: invalid class name 'a.b'");
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

/* Segment `capacity` and `class` from the file mean what the list's keys mean. Two vehicles on
 * test_fleet_zones.c's class trip (H-P 4 both ways, P->D 6 one way of class narrow, D->H 2 one
 * way), six requests, H-P of capacity 1: the model with `segments:` and the one with the same
 * segments in a file run the same, bit for bit; and the class and the capacity are taken, since
 * the file without them runs otherwise. */
static const char class_model[] = "name: cls\n"
                                  "time_unit: min\n"
                                  "blocks:\n"
                                  "  - source: in\n"
                                  "    interarrival: 1\n"
                                  "    limit: 6\n"
                                  "    to: amr\n"
                                  "  - fleet: amr\n"
                                  "    count: 2\n"
                                  "    speed: 2\n"
                                  "    speed_loaded: 1\n"
                                  "    speed_by_class: {narrow: 0.5}\n"
                                  "    load: 1\n"
                                  "    unload: 0.5\n"
                                  "    idle: home\n"
                                  "    to: out\n"
                                  "  - sink: out\n"
                                  "network:\n"
                                  "  nodes: [H, P, D]\n"
                                  "%s"
                                  "  at: {in: P, amr: H, out: D}\n";

static const char class_list[] =
    "  segments:\n"
    "    - {from: H, to: P, length: 4, capacity: 1}\n"
    "    - {from: P, to: D, length: 6, one_way: true, class: narrow}\n"
    "    - {from: D, to: H, length: 2, one_way: true}\n";

/* The end of the run of model file `name` (to its end), its fingerprint and its fleet's zone
 * waits; 0 when it does not load. */
static uint64_t class_run(const char *name, double *end, double *zone_waits)
{
    char diag[2048] = "";
    struct tsim_model *m = load_file(name, diag, sizeof diag);
    if (!m) fprintf(stderr, "%s", diag);
    CHECK(m != NULL);
    if (!m) return 0;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    uint64_t fp = 0;
    if (sim) {
        tsim_sim_run(sim);
        *end = tsim_sim_now(sim);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        *zone_waits = kpi(&r, tsim_model_find_block(m, "amr"), "zone_waits");
        CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "amr"), "deliveries"), 6, 0);
        tsim_result_release(&r);
        fp = tsim_sim_fingerprint(sim);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
    return fp;
}

static void write_class_model(const char *name, const char *segs)
{
    char text[2048];
    snprintf(text, sizeof text, class_model, segs);
    write_file(name, text);
}

static void test_segments_file_capacity_class(void)
{
    double end_list = 0, end_file = 0, end_plain = 0, w_list = -1, w_file = -1, w_plain = -1;
    write_class_model("cls-list.yaml", class_list);
    uint64_t list = class_run("cls-list.yaml", &end_list, &w_list);
    write_file("seg.csv", "from,to,length,one_way,capacity,class\n"
                          "H,P,4,,1,\n"
                          "P,D,6,true,,narrow\n"
                          "D,H,2,true,,\n");
    write_class_model("cls-file.yaml", "  segments_file: seg.csv\n");
    uint64_t file = class_run("cls-file.yaml", &end_file, &w_file);
    CHECK(list != 0 && list == file);
    CHECK_NEAR(end_file, end_list, 0);
    CHECK_NEAR(w_file, w_list, 0);
    CHECK(w_list > 0); /* the capacity makes vehicles wait */
    /* Without the capacity: no zone control, no zone waits, another run. */
    write_file("seg.csv", "from,to,length,one_way,class\n"
                          "H,P,4,,\nP,D,6,true,narrow\nD,H,2,true,\n");
    uint64_t plain = class_run("cls-file.yaml", &end_plain, &w_plain);
    CHECK(plain != 0 && plain != list);
    CHECK_NEAR(w_plain, 0, 0);
    /* P->D of another class (not near 'narrow'), D->H narrow: another run. */
    write_file("seg.csv", "from,to,length,one_way,capacity,class\n"
                          "H,P,4,,1,\nP,D,6,true,,wide\nD,H,2,true,,narrow\n");
    uint64_t wide = class_run("cls-file.yaml", &end_plain, &w_plain);
    CHECK(wide != 0 && wide != list);
    CHECK(end_plain != end_list);
}

/* `want` is in diagnostics `diag`. */
static void expect_in(const char *diag, const char *want)
{
    if (strstr(diag, want)) return;
    fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
    check_failed_ = 1;
}

/* In the file, a class one typo from a class that a fleet's `speed_by_class` names and another
 * row has is reported at its first row, with the class it may have meant; a class that is far
 * from them is a class of its own. A `speed_by_class` class that no row has is the fleet's
 * error, with a class of the file it may have meant. */
static void test_segments_file_class_typo(void)
{
    write_file("seg.csv", "from,to,length,one_way,class\n"
                          "H,P,4,,wide\n"
                          "P,D,6,true,narow\n"
                          "D,H,2,true,narrow\n");
    write_class_model("cls-file.yaml", "  segments_file: seg.csv\n");
    char diag[2048] = "";
    struct tsim_model *m = load_file("cls-file.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    tsim_model_destroy(m);
    expect_in(diag, "cls-file.yaml:20:18: error: seg.csv:3:12: segment class 'narow' has no "
                    "speed in any fleet's 'speed_by_class' (did you mean 'narrow'?)");
    write_file("seg.csv", "from,to,length,one_way,class\n"
                          "H,P,4,,\n"
                          "P,D,6,true,narow\n"
                          "D,H,2,true,\n");
    m = load_file("cls-file.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    tsim_model_destroy(m);
    expect_in(diag, "cls-file.yaml:12:22: error: unknown segment class 'narrow' (did you mean "
                    "'narow'?)");
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

/* Two segments joining the same nodes in the same direction are refused at the second, naming
 * the first; segments the other way, or between other nodes, are not parallel. In a file, the
 * second's row and column come after the key's place. */
static void test_parallel_segments(void)
{
    static const struct {
        const char *segs, *want;
    } cases[] = {
        {"    - {from: dock, to: pack, length: 5, one_way: true}\n"
         "    - {from: dock, to: pack, length: 7, one_way: true}\n",
         "net.yaml:11:8: error: a second segment between nodes 'dock' and 'pack' in the same "
         "direction (the first is at line 10, column 8)"},
        {"    - {from: dock, to: pack, length: 5}\n"
         "    - {from: hub, to: pack, length: 5}\n"
         "    - {from: pack, to: dock, length: 7, one_way: true}\n",
         "net.yaml:12:8: error: a second segment between nodes 'pack' and 'dock' in the same "
         "direction (the first is at line 10, column 8)"},
        {"    - {from: dock, to: pack, length: 5, one_way: true}\n"
         "    - {from: pack, to: dock, length: 7, one_way: true}\n"
         "    - {from: dock, to: hub, length: 7}\n",
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml,
                 "name: net\n"
                 "blocks:\n"
                 "  - source: in\n"
                 "    interarrival: 1\n"
                 "    to: out\n"
                 "  - sink: out\n"
                 "network:\n"
                 "  nodes: [dock, pack, hub]\n"
                 "  segments:\n"
                 "%s",
                 cases[i].segs);
        write_file("net.yaml", yaml);
        char diag[2048] = "";
        struct tsim_model *m = load_file("net.yaml", diag, sizeof diag);
        if (!cases[i].want) {
            CHECK(m != NULL);
            CHECK_STR(diag, "");
        } else {
            CHECK(m == NULL);
            if (!strstr(diag, cases[i].want)) {
                fprintf(stderr, "  case %zu: expected '%s' in:\n%s", i, cases[i].want, diag);
                check_failed_ = 1;
            }
        }
        tsim_model_destroy(m);
    }
    expect_error("from,to,length,one_way\ndock,pack,5,true\npack,dock,5,true\ndock,pack,6,\n", 1,
                 "bad.csv:4:1: a second segment between nodes 'dock' and 'pack' in the same "
                 "direction (the first is at line 2, column 1)");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-network-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    RUN(test_segments_file_same_run);
    RUN(test_segments_file_makes_nodes);
    RUN(test_segments_file_errors);
    RUN(test_segments_both);
    RUN(test_segments_file_capacity_class);
    RUN(test_segments_file_class_typo);
    RUN(test_parallel_segments);
    static const char *const files[] = {"seg.csv", "bad.csv", "net.yaml", "both.yaml",
                                        "amr-csv.yaml", "amr-nodes.yaml", "cls-list.yaml",
                                        "cls-file.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        remove(path);
    }
    rmdir(tmpdir);
    return CHECK_DONE();
}
