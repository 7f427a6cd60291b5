/*
 * Tests of the random streams: known answers of splitmix64 seeding, xoshiro256** and its jump
 * against values computed with the authors' reference definitions, the open interval of
 * tsim_rng_uniform at both extreme outputs, and the properties of named streams.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void set_state(struct tsim_rng *r, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    r->s[0] = a;
    r->s[1] = b;
    r->s[2] = c;
    r->s[3] = d;
}

/* Expected states: the first four outputs of the reference splitmix64 started at the seed. */
static void test_seed_known_answers(void)
{
    static const uint64_t seed0[4] = {UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
                                      UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec)};
    static const uint64_t seed42[4] = {UINT64_C(0xbdd732262feb6e95), UINT64_C(0x28efe333b266f103),
                                       UINT64_C(0x47526757130f9f52), UINT64_C(0x581ce1ff0e4ae394)};
    static const uint64_t seed1234567[4] = {
        UINT64_C(0x599ed017fb08fc85), UINT64_C(0x2c73f08458540fa5), UINT64_C(0x883ebce5a3f27c77),
        UINT64_C(0x3fbef740e9177b3f)};
    struct tsim_rng r;
    tsim_rng_seed(&r, 0);
    for (int i = 0; i < 4; i++) CHECK(r.s[i] == seed0[i]);
    tsim_rng_seed(&r, 42);
    for (int i = 0; i < 4; i++) CHECK(r.s[i] == seed42[i]);
    tsim_rng_seed(&r, 1234567);
    for (int i = 0; i < 4; i++) CHECK(r.s[i] == seed1234567[i]);
}

static void test_next_known_answers(void)
{
    static const uint64_t from1234[] = {UINT64_C(0x0000000000002d00), UINT64_C(0x0000000000000000),
                                        UINT64_C(0x000000005a007080), UINT64_C(0x10e0000000009d80),
                                        UINT64_C(0x10e0b61ce1009d80), UINT64_C(0x0870021ce143ad00)};
    static const uint64_t seeded42[] = {UINT64_C(0x15780b2e0c2ec716), UINT64_C(0x6104d9866d113a7e),
                                        UINT64_C(0xae17533239e499a1), UINT64_C(0xecb8ad4703b360a1),
                                        UINT64_C(0xfde6dc7fe2ec5e64)};
    struct tsim_rng r;
    set_state(&r, 1, 2, 3, 4);
    for (size_t i = 0; i < N_ELEMS(from1234); i++) CHECK(tsim_rng_next(&r) == from1234[i]);
    tsim_rng_seed(&r, 42);
    for (size_t i = 0; i < N_ELEMS(seeded42); i++) CHECK(tsim_rng_next(&r) == seeded42[i]);
}

static void test_jump_known_answers(void)
{
    static const uint64_t state[4] = {UINT64_C(0x8c7a153956b5f3d1), UINT64_C(0x701f1a713401d85e),
                                      UINT64_C(0x6527f66a65469085), UINT64_C(0x8386b786c4408050)};
    static const uint64_t after[3] = {UINT64_C(0xbbd2f312298443d8), UINT64_C(0x62e57db2d5706577),
                                      UINT64_C(0x34d1890374a6d72b)};
    static const uint64_t twice42[3] = {UINT64_C(0x8677623ee7544e81), UINT64_C(0x1f591f213a3cb979),
                                        UINT64_C(0xbee76be78f4bfe6d)};
    struct tsim_rng r;
    set_state(&r, 1, 2, 3, 4);
    tsim_rng_jump(&r);
    for (int i = 0; i < 4; i++) CHECK(r.s[i] == state[i]);
    for (int i = 0; i < 3; i++) CHECK(tsim_rng_next(&r) == after[i]);
    tsim_rng_seed(&r, 42);
    tsim_rng_jump(&r);
    tsim_rng_jump(&r);
    for (int i = 0; i < 3; i++) CHECK(tsim_rng_next(&r) == twice42[i]);
}

/* The inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits). */
static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++) x *= 2 - a * x;
    return x;
}

/* The output depends on s[1] only: out = rotl(s1 * 5, 7) * 9; solve it for a wanted output. */
static uint64_t s1_for_output(uint64_t out)
{
    uint64_t y = out * inverse_odd(9);
    y = (y >> 7) | (y << 57);
    return y * inverse_odd(5);
}

static void test_uniform_open_interval(void)
{
    struct tsim_rng r;
    set_state(&r, 1, s1_for_output(0), 0, 0);
    struct tsim_rng c = r;
    CHECK(tsim_rng_next(&c) == 0);
    double lo = tsim_rng_uniform(&r);
    CHECK(lo > 0.0);
    CHECK(lo == 0x1.0p-54);

    set_state(&r, 1, s1_for_output(UINT64_MAX), 0, 0);
    c = r;
    CHECK(tsim_rng_next(&c) == UINT64_MAX);
    double hi = tsim_rng_uniform(&r);
    CHECK(hi < 1.0);
    CHECK(hi == 1.0 - 0x1.0p-53);

    /* Every draw is the top 53 bits of the next output over 2^53. */
    tsim_rng_seed(&r, 7);
    int ok = 1;
    for (int i = 0; i < 100000; i++) {
        c = r;
        uint64_t x = tsim_rng_next(&c);
        double u = tsim_rng_uniform(&r);
        if (!(u > 0.0 && u < 1.0) || u != (double)(x >> 11) * 0x1.0p-53) ok = 0;
    }
    CHECK(ok);
}

/* Golden values of our own stream derivation: they pin that the same (seed, replication, name)
 * gives the same stream on every machine and in every later version. */
static void test_stream_golden(void)
{
    struct tsim_rng r;
    tsim_rng_stream(&r, 1, 0, "filler/process");
    CHECK(tsim_rng_next(&r) == UINT64_C(0x9204ac5902929764));
    CHECK(tsim_rng_next(&r) == UINT64_C(0xf1a59129ba6adbac));
    CHECK(tsim_rng_next(&r) == UINT64_C(0x107f0cd2c305d521));
    tsim_rng_stream(&r, 0, 0, "");
    CHECK(tsim_rng_next(&r) == UINT64_C(0x54446158fc360824));
}

static int same_start(const struct tsim_rng *a, const struct tsim_rng *b)
{
    struct tsim_rng x = *a, y = *b;
    for (int i = 0; i < 4; i++)
        if (tsim_rng_next(&x) != tsim_rng_next(&y)) return 0;
    return 1;
}

static void test_stream_identity(void)
{
    struct tsim_rng a, b;
    tsim_rng_stream(&a, 5, 3, "capper");
    tsim_rng_stream(&b, 5, 3, "capper");
    CHECK(same_start(&a, &b));

    /* Any one input changed gives another stream; names that differ in one last byte, and
     * (seed, replication) pairs that swap or add up alike, included. */
    struct {
        uint64_t seed, rep;
        const char *name;
    } other[] = {{5, 3, "capped"}, {5, 3, "capper "}, {5, 3, "Capper"}, {5, 4, "capper"},
                 {6, 3, "capper"}, {3, 5, "capper"},  {4, 4, "capper"}, {6, 2, "capper"},
                 {5, 3, ""}};
    for (size_t i = 0; i < N_ELEMS(other); i++) {
        tsim_rng_stream(&b, other[i].seed, other[i].rep, other[i].name);
        CHECK(!same_start(&a, &b));
    }
}

/* Streams of neighbouring names and replications are uncorrelated: the sample correlation of
 * 100,000 paired uniforms has standard error 1/sqrt(n), so 5/sqrt(n) bounds it. */
static void test_stream_independence(void)
{
    const int n = 100000;
    struct tsim_rng a, b, c;
    tsim_rng_stream(&a, 1, 0, "m1");
    tsim_rng_stream(&b, 1, 0, "m2");
    tsim_rng_stream(&c, 1, 1, "m1");
    double sa = 0, sb = 0, sc = 0, saa = 0, sbb = 0, scc = 0, sab = 0, sac = 0;
    int bits[64] = {0};
    for (int i = 0; i < n; i++) {
        double x = tsim_rng_uniform(&a), y = tsim_rng_uniform(&b), z = tsim_rng_uniform(&c);
        sa += x, sb += y, sc += z;
        saa += x * x, sbb += y * y, scc += z * z;
        sab += x * y, sac += x * z;
        uint64_t w = tsim_rng_next(&a);
        for (int k = 0; k < 64; k++) bits[k] += (int)((w >> k) & 1);
    }
    double ma = sa / n, mb = sb / n, mc = sc / n;
    double va = saa / n - ma * ma, vb = sbb / n - mb * mb, vc = scc / n - mc * mc;
    double rab = (sab / n - ma * mb) / sqrt(va * vb);
    double rac = (sac / n - ma * mc) / sqrt(va * vc);
    double bound = 5.0 / sqrt((double)n);
    CHECK(fabs(rab) < bound);
    CHECK(fabs(rac) < bound);
    /* Uniform mean 1/2, sd sqrt(1/12); each output bit is set half of the time (sd 1/2). */
    CHECK_NEAR(ma, 0.5, 5.0 * sqrt(1.0 / 12.0 / n));
    CHECK_NEAR(va, 1.0 / 12.0, 0.002);
    int bits_ok = 1;
    for (int k = 0; k < 64; k++)
        if (fabs(bits[k] / (double)n - 0.5) > 5.0 * 0.5 / sqrt((double)n)) bits_ok = 0;
    CHECK(bits_ok);
}

/* A jumped stream starts elsewhere than the original, and the jump is a function of the state. */
static void test_jump_substream(void)
{
    struct tsim_rng a, b;
    tsim_rng_seed(&a, 99);
    b = a;
    tsim_rng_jump(&b);
    CHECK(!same_start(&a, &b));
    struct tsim_rng a2 = a;
    tsim_rng_jump(&a2);
    CHECK(same_start(&a2, &b));
}

int main(void)
{
    RUN(test_seed_known_answers);
    RUN(test_next_known_answers);
    RUN(test_jump_known_answers);
    RUN(test_uniform_open_interval);
    RUN(test_stream_golden);
    RUN(test_stream_identity);
    RUN(test_stream_independence);
    RUN(test_jump_substream);
    return CHECK_DONE();
}
