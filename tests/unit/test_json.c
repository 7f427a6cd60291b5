/*
 * The JSON writer (src/results/json.c) on its own: its two sinks (a FILE and a growable buffer),
 * its three layouts (pretty, inline, compact), string escaping with and without the HTML rule,
 * and both number forms. The twin's number form is checked against cJSON's printer, which wrote
 * the twin's messages before, over values of every magnitude.
 */
#include "check.h"
#include "core/core.h"
#include "results/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if TSIM_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

/* A small document, written by `j` (whatever its sink and flags). */
static void write_sample(struct tsim__json *j)
{
    static const double xs[] = {0.5, 2, -1e-7};
    tsim__json_open(j, NULL, '{', 0);
    tsim__json_string(j, "name", "filler");
    tsim__json_int(j, "n", -3);
    tsim__json_uint(j, "events", 18446744073709551615u);
    tsim__json_number(j, "mean", 0.1 + 0.2);
    tsim__json_number(j, "nan", NAN);
    tsim__json_bool(j, "ok", 1);
    tsim__json_null(j, "due");
    tsim__json_string(j, "none", NULL);
    tsim__json_numbers(j, "xs", xs, 3);
    tsim__json_open(j, "empty", '[', 0);
    tsim__json_close(j, '[');
    tsim__json_open(j, "s", '{', 1);
    tsim__json_raw(j, "doc", "{\"a\":[1,2]}");
    tsim__json_close(j, '{');
    tsim__json_close(j, '{');
}

static void test_json_writer_compact(void)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_COMPACT);
    write_sample(&j);
    CHECK_STR(b.p, "{\"name\":\"filler\",\"n\":-3,\"events\":18446744073709551615,"
                   "\"mean\":0.30000000000000004,\"nan\":null,\"ok\":true,\"due\":null,"
                   "\"none\":null,\"xs\":[0.5,2,-1e-07],\"empty\":[],\"s\":{\"doc\":{\"a\":[1,2]}}}");
    CHECK_EQ(b.n, strlen(b.p));
    tsim__sb_release(&b);
    CHECK(b.p == NULL && b.n == 0 && b.cap == 0);
}

/* The buffer gets what the stream gets, but for the newline that ends a document in a file. */
static void test_json_writer_pretty_sinks(void)
{
    const char *want = "{\n"
                       "  \"name\": \"filler\",\n"
                       "  \"n\": -3,\n"
                       "  \"events\": 18446744073709551615,\n"
                       "  \"mean\": 0.30000000000000004,\n"
                       "  \"nan\": null,\n"
                       "  \"ok\": true,\n"
                       "  \"due\": null,\n"
                       "  \"none\": null,\n"
                       "  \"xs\": [0.5, 2, -1e-07],\n"
                       "  \"empty\": [],\n"
                       "  \"s\": {\"doc\": {\"a\":[1,2]}}\n"
                       "}";
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, 0);
    write_sample(&j);
    CHECK_STR(b.p, want);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    tsim__json_init(&j, f);
    write_sample(&j);
    fclose(f);
    CHECK_EQ(len, b.n + 1);
    CHECK(strncmp(text, want, b.n) == 0);
    CHECK_EQ(text[len - 1], '\n');
    free(text);
    tsim__sb_release(&b);
}

/* A buffer keeps what it held and grows past its first allocations. */
static void test_json_writer_grows(void)
{
    struct tsim__sb b = {0};
    tsim__sb_add(&b, "data: ", 6);
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_COMPACT);
    tsim__json_open(&j, NULL, '[', 0);
    for (int i = 0; i < 10000; i++) tsim__json_int(&j, NULL, i % 10);
    tsim__json_close(&j, '[');
    /* "data: " + "[" + 10000 digits + 9999 commas + "]" */
    CHECK_EQ(b.n, (size_t)(6 + 1 + 10000 + 9999 + 1));
    CHECK(strncmp(b.p, "data: [0,1,2,", 13) == 0);
    CHECK_STR(b.p + b.n - 5, ",8,9]");
    tsim__sb_printf(&b, "\n%s\n", "end");
    CHECK_STR(b.p + b.n - 10, ",8,9]\nend\n");
    tsim__sb_release(&b);
}

/* A block named a"b\c<d> with a tab, control bytes, DEL, and UTF-8 of two, three and four bytes. */
static const char *const awkward = "a\"b\\c<d>\tx\x01\x1f\x7f \xc3\xa9 \xe2\x86\x92 \xf0\x9f\x8f\xad &";

static void test_json_writer_escapes(void)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_COMPACT);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__json_string(&j, awkward, awkward);
    tsim__json_close(&j, '{');
    const char *esc = "\"a\\\"b\\\\c<d>\\tx\\u0001\\u001f\x7f \xc3\xa9 \xe2\x86\x92 \xf0\x9f\x8f\xad &\"";
    char want[256];
    snprintf(want, sizeof want, "{%s:%s}", esc, esc);
    CHECK_STR(b.p, want);
#if TSIM_HAVE_CJSON
    /* The text reads back as the bytes written. */
    cJSON *o = cJSON_Parse(b.p);
    CHECK(o != NULL);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, awkward);
    CHECK(cJSON_IsString(v));
    if (cJSON_IsString(v)) CHECK_STR(v->valuestring, awkward);
    cJSON_Delete(o);
#endif
    tsim__sb_release(&b);

    /* The HTML rule: nothing left that could end a <script>, every control byte as \u00XX. */
    tsim__sb_json_str(&b, awkward, TSIM__JSON_HTML);
    CHECK_STR(b.p, "\"a\\\"b\\\\c\\u003cd\\u003e\\u0009x\\u0001\\u001f\\u007f \xc3\xa9 \xe2\x86\x92 "
                   "\xf0\x9f\x8f\xad \\u0026\"");
    tsim__sb_release(&b);

    /* Bytes counted, not a C string: a NUL inside is escaped too. */
    tsim__json_init_sb(&j, &b, 0);
    tsim__json_string_n(&j, NULL, "a\0b\n", 4);
    CHECK_STR(b.p, "\"a\\u0000b\\n\"");
    tsim__sb_release(&b);
    tsim__sb_json_str(&b, NULL, 0);
    CHECK_STR(b.p, "null");
    tsim__sb_release(&b);
}

static const char *msg_number(struct tsim__sb *b, double v)
{
    b->n = 0;
    tsim__sb_json_num(b, v, TSIM__JSON_MSG_NUMBERS);
    return b->p;
}

static void test_json_writer_msg_numbers(void)
{
    struct tsim__sb b = {0};
    CHECK_STR(msg_number(&b, 1), "1");
    CHECK_STR(msg_number(&b, -0.0), "0");
    CHECK_STR(msg_number(&b, 2147483647.0), "2147483647");
    CHECK_STR(msg_number(&b, 3e9), "3000000000");
    CHECK_STR(msg_number(&b, 0.1), "0.1");
    CHECK_STR(msg_number(&b, 12.345678), "12.345678");
    /* 15 digits do not read back within DBL_EPSILON: 17 */
    CHECK_STR(msg_number(&b, 1.0 / 3), "0.33333333333333331");
    CHECK_STR(msg_number(&b, 1700000000.123456), "1700000000.123456");
    CHECK_STR(msg_number(&b, INFINITY), "null");
    CHECK_STR(msg_number(&b, NAN), "null");
    /* The shortest form, for comparison: 16 digits where they suffice. */
    b.n = 0;
    tsim__sb_json_num(&b, 1.0 / 3, 0);
    CHECK_STR(b.p, "0.3333333333333333");
    tsim__sb_release(&b);
}

#if TSIM_HAVE_CJSON
/* xorshift64*: a fixed sequence of bit patterns, so that every run checks the same values. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717u;
}

/* The twin's number form is byte for byte what cJSON printed, on 200,000 values: whole numbers,
 * short decimals, values rounded to 6 decimals (as the twin rounds), and random bit patterns. */
static void test_json_writer_msg_numbers_as_cjson(void)
{
    uint64_t s = 88172645463325252u;
    struct tsim__sb b = {0};
    int differ = 0;
    for (int i = 0; i < 200000 && differ < 5; i++) {
        uint64_t r = next(&s);
        double v;
        switch (i % 4) {
        case 0: v = (double)(int64_t)(r >> 20) - (double)(1ll << 43); break;
        case 1: v = (double)(r % 100000) / 100.0; break;
        case 2: v = round(ldexp((double)(r >> 11), -53) * 1e10) / 1e6; break;
        default: memcpy(&v, &r, sizeof v);
        }
        cJSON *n = cJSON_CreateNumber(v);
        char *want = cJSON_PrintUnformatted(n);
        const char *got = msg_number(&b, v);
        if (strcmp(got, want) != 0) {
            CHECK_STR(got, want);
            differ++;
        }
        cJSON_free(want);
        cJSON_Delete(n);
    }
    CHECK_EQ(differ, 0);
    tsim__sb_release(&b);
}
#endif

int main(void)
{
    RUN(test_json_writer_compact);
    RUN(test_json_writer_pretty_sinks);
    RUN(test_json_writer_grows);
    RUN(test_json_writer_escapes);
    RUN(test_json_writer_msg_numbers);
#if TSIM_HAVE_CJSON
    RUN(test_json_writer_msg_numbers_as_cjson);
#endif
    return CHECK_DONE();
}
