/*
 * The hardened YAML reader (src/model/yaml.c) on its own: what it accepts, what it refuses and
 * where it says so. The files on top of it (model, experiment, mapping) test their own words.
 */
#include "check.h"

#include "core/core.h"
#include "model/yaml.h"

/* The reader's diagnostics on `text`, given as exactly `len` bytes with no NUL after them (a
 * copy of that size, so that ASan sees any read past the end), as "LINE:COL: MESSAGE\n" lines. */
static char *read_diags(const char *text, size_t len, int *rc)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim__yaml y;
    tsim__yaml_init(&y, "test file", 1000, &d);
    *rc = tsim__yaml_read(&y, copy, len);
    tsim__yaml_release(&y);
    free(copy);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    for (size_t i = 0; i < d.n; i++)
        fprintf(f, "%d:%d: %s\n", d.items[i].line, d.items[i].col, d.items[i].message);
    fclose(f);
    tsim_diags_release(&d);
    return out;
}

static void test_yaml_guards(void)
{
    static const struct {
        const char *text;
        int rc;
        const char *expect;
    } cases[] = {
        {"a: 1\nb: [x, y]\n", 0, ""},
        {"a: 1\na: 2", -1, "2:1: duplicate key 'a'\n"}, /* the key named at the very end */
        {"a: 1\rb: 2\r\nb: 3", -1, "3:1: duplicate key 'b'\n"}, /* lines ended as YAML ends them */
        {"a: &x 1\nb: *x\n", -1,
         "1:7: anchor '&x' is not allowed (test files take no anchors or aliases)\n"
         "2:5: alias '*x' is not allowed (test files take no anchors or aliases)\n"},
        /* Reported, and the first document still read: its own problems are worth knowing. */
        {"a: 1\n---\nb: 2\n", 0, "3:1: second YAML document (a test file holds exactly one)\n"},
        {"a: \x01\n", -1, "1:4: character U+0001 is not allowed in a test file\n"},
        {"a: \xED\xA0\x80\n", -1,
         "1:4: invalid UTF-8 byte 0xED\n1:5: invalid UTF-8 byte 0xA0\n1:6: invalid UTF-8 byte 0x80\n"},
        {"# only a comment\n", -1, "0:0: test file is empty\n"},
        {"", -1, "0:0: test file is empty\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc;
        char *got = read_diags(cases[i].text, strlen(cases[i].text), &rc);
        CHECK_STR(got, cases[i].expect);
        CHECK_EQ(rc, cases[i].rc);
        free(got);
    }
    char big[1001];
    memset(big, '#', sizeof big);
    int rc;
    char *got = read_diags(big, sizeof big, &rc);
    CHECK_STR(got, "0:0: test file is too large (1001 bytes; the limit is 1000)\n");
    free(got);
}

/* Places: a scalar at its first character, a quoted one at its quote, a collection at its first
 * key; the text of a single-quoted scalar with '' in it. */
static void test_yaml_places_and_text(void)
{
    const char *text = "a: 'it''s'\nb:\n  c: [x]\n";
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim__yaml y;
    tsim__yaml_init(&y, "test file", 1000, &d);
    CHECK(tsim__yaml_read(&y, text, strlen(text)) == 0);
    struct fy_node *a = fy_node_by_path(y.root, "/a", FY_NT, FYNWF_DONT_FOLLOW);
    struct fy_node *b = fy_node_by_path(y.root, "/b", FY_NT, FYNWF_DONT_FOLLOW);
    int line = 0, col = 0;
    tsim__yaml_pos(a, &line, &col);
    CHECK(line == 1 && col == 4);
    tsim__yaml_pos(b, &line, &col);
    CHECK(line == 3 && col == 3);
    CHECK_STR(tsim__yaml_str(&y, a), "it's");
    CHECK(tsim__yaml_str(&y, b) == NULL);
    tsim__yaml_release(&y);
    CHECK_EQ(d.n, 0);
    tsim_diags_release(&d);
}

int main(void)
{
    RUN(test_yaml_guards);
    RUN(test_yaml_places_and_text);
    return CHECK_DONE();
}
