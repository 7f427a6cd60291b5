/*
 * Names and bytes (src/core/names.c): the FNV-1a hash against its published values, the name
 * table through growth, and the banded edit distance against a plain one.
 */
#include "check.h"

#include "core/core.h"
#include "core/names.h"

static void test_fnv1a_published_values(void)
{
    /* The FNV-1a 64-bit test vectors of its authors. */
    CHECK(tsim__fnv1a_str("") == UINT64_C(0xcbf29ce484222325));
    CHECK(tsim__fnv1a_str("a") == UINT64_C(0xaf63dc4c8601ec8c));
    CHECK(tsim__fnv1a_str("foobar") == UINT64_C(0x85944171f73967e8));
    CHECK(tsim__fnv1a(TSIM__FNV_OFFSET, "foobar", 6) == UINT64_C(0x85944171f73967e8));
    /* Folding in two steps is folding once. */
    CHECK(tsim__fnv1a(tsim__fnv1a(TSIM__FNV_OFFSET, "foo", 3), "bar", 3) ==
          tsim__fnv1a_str("foobar"));
    CHECK(tsim__fnv_fold(TSIM__FNV_OFFSET, 'a') == UINT64_C(0xaf63dc4c8601ec8c));
    /* The public hash (the CLI's file ids) is the same function, empty input included. */
    CHECK(tsim_hash_bytes(NULL, 0) == UINT64_C(0xcbf29ce484222325));
    CHECK(tsim_hash_bytes("foobar", 6) == UINT64_C(0x85944171f73967e8));
}

static void test_names_table(void)
{
    enum { N = 5000 };
    char **names = tsim__malloc(N * sizeof *names);
    struct tsim__names t = {NULL, 0};
    CHECK(tsim__names_find(&t, names, "x") == TSIM_ENOENT);
    for (int i = 0; i < N; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "block-%d", i);
        names[i] = tsim__strdup(buf);
        tsim__names_put(&t, names, i + 1, i);
    }
    CHECK(t.cap >= 2 * N && (t.cap & (t.cap - 1)) == 0);
    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += tsim__names_find(&t, names, names[i]) != i;
    CHECK_EQ(wrong, 0);
    CHECK(tsim__names_find(&t, names, "block-5000") == TSIM_ENOENT);
    CHECK(tsim__names_find(&t, names, "") == TSIM_ENOENT);
    tsim__names_release(&t);
    for (int i = 0; i < N; i++) tsim__free(names[i]);
    tsim__free(names);
}

/* The whole Levenshtein table, case folded, for comparison. */
static size_t plain_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[16][16];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + ((a[i - 1] | 32) != (b[j - 1] | 32));
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static void test_edit_distance(void)
{
    CHECK_EQ(tsim__edit_distance("capacty", "capacity", 2), 1);
    CHECK_EQ(tsim__edit_distance("FIFO", "fifo", 1), 0);
    CHECK_EQ(tsim__edit_distance("expo", "exponential", 2), 3); /* past the limit: limit + 1 */
    CHECK_EQ(tsim__edit_distance("", "ab", 5), 2);
    /* Every pair of short words over a small alphabet, at every limit: the band is exact below
     * the limit and says limit + 1 above it. */
    static const char *const words[] = {"", "a", "ab", "ba", "abc", "acb", "bca", "abcd",
                                        "dcba", "aabb", "abab", "bbbb", "abcab", "cabca"};
    size_t nw = sizeof words / sizeof words[0];
    int wrong = 0;
    for (size_t i = 0; i < nw; i++)
        for (size_t j = 0; j < nw; j++)
            for (size_t limit = 0; limit <= 5; limit++) {
                size_t want = plain_distance(words[i], words[j]);
                if (want > limit) want = limit + 1;
                wrong += tsim__edit_distance(words[i], words[j], limit) != want;
            }
    CHECK_EQ(wrong, 0);
    char longer[TSIM__EDIT_MAX + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    CHECK_EQ(tsim__edit_distance(longer, longer, 3), 4); /* too long to be a typo */
}

int main(void)
{
    RUN(test_fnv1a_published_values);
    RUN(test_names_table);
    RUN(test_edit_distance);
    return CHECK_DONE();
}
