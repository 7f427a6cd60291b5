/*
 * Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), the engine's counter-based streams on it, and the distributions drawn from them with
 * the engine's own logarithm and exponential. This header is the one definition for the CPU
 * engine (as C11) and for the GPU (as CUDA C++, src/gpu/): every function here uses only integer
 * operations and IEEE double +, -, *, / and sqrt, which round the same on both, so a draw gives
 * the same bits wherever it runs. Not a general random library: xoshiro256** (rng.c) stays the
 * default generator of a run.
 *
 * Invariants that make the bits equal (docs/gpu.md, Bit equality):
 * - no multiply-add is fused: C is compiled with -ffp-contract=off (Makefile), CUDA with
 *   -fmad=false;
 * - no libm call: tsim__plog and tsim__pexp below stand for log and exp (libm's and CUDA's round
 *   differently in their last bit); sqrt is IEEE's correctly rounded square root on both;
 * - every constant is a decimal literal of 17 significant digits, which both compilers round to
 *   the same double.
 *
 * The mapping (docs/gpu.md, Streams): a stream is (seed, replication, block id, purpose); its
 * draw n (0, 1, 2, ...) is half n % 2 of the Philox output at key (seed low, seed high) and
 * counter (i low, i high | purpose << 16, block id, replication) with i = n / 2. Streams differ
 * in a counter word, so no two streams of one seed share a counter: they cannot overlap.
 */
#ifndef TSIM_CORE_PHILOX_H
#define TSIM_CORE_PHILOX_H

#include <stdint.h>

#ifdef __CUDACC__
#define TSIM__PX static __host__ __device__ inline
#else
#include <math.h>
#include <string.h>
#define TSIM__PX static inline
#endif

#define TSIM__PX_M0 0xD2511F53u
#define TSIM__PX_M1 0xCD9E8D57u
#define TSIM__PX_W0 0x9E3779B9u
#define TSIM__PX_W1 0xBB67AE85u

/* Draw numbers of one stream: 2^48 draws, then the stream repeats itself (it never runs into
 * another stream's counters). */
#define TSIM__PX_NMASK ((UINT64_C(1) << 48) - 1)

/* One Philox4x32-10 block: ten rounds of two 32x32->64 multiplications, the key bumped by the
 * Weyl constants between rounds. */
TSIM__PX void tsim__philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)TSIM__PX_M0 * c0;
        uint64_t p1 = (uint64_t)TSIM__PX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c0 = n0;
        c1 = (uint32_t)p1;
        c2 = n2;
        c3 = (uint32_t)p0;
        k0 += TSIM__PX_W0;
        k1 += TSIM__PX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/*
 * A stream's state, laid out in the four words of a struct tsim_rng so that a block's streams
 * need no other room: s[0] the key (the seed), s[1] counter words 2 and 3 (block id, replication),
 * s[2] the purpose << 48 | the next draw number n, s[3] the upper half of the last block (valid
 * when n is odd).
 */
TSIM__PX void tsim__px_init(uint64_t s[4], uint64_t seed, uint32_t rep, uint32_t block,
                            uint32_t purpose)
{
    s[0] = seed;
    s[1] = (uint64_t)block | (uint64_t)rep << 32;
    s[2] = (uint64_t)(purpose & 0xffffu) << 48;
    s[3] = 0;
}

/* Draw n of a stream as a pure function: what the n-th call of tsim__px_next returns. */
TSIM__PX uint64_t tsim__px_at(uint64_t seed, uint32_t rep, uint32_t block, uint32_t purpose,
                              uint64_t n)
{
    n &= TSIM__PX_NMASK;
    uint64_t i = n >> 1;
    uint32_t ctr[4] = {(uint32_t)i, (uint32_t)(i >> 32) | (purpose & 0xffffu) << 16, block, rep};
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t x[4];
    tsim__philox4x32_10(ctr, key, x);
    return n & 1 ? (uint64_t)x[2] | (uint64_t)x[3] << 32 : (uint64_t)x[0] | (uint64_t)x[1] << 32;
}

/* The next 64 bits: one Philox block serves two draws. */
TSIM__PX uint64_t tsim__px_next(uint64_t s[4])
{
    uint64_t n = s[2] & TSIM__PX_NMASK, hi = s[2] & ~TSIM__PX_NMASK;
    s[2] = hi | ((n + 1) & TSIM__PX_NMASK);
    if (n & 1) return s[3];
    uint64_t i = n >> 1;
    uint32_t ctr[4] = {(uint32_t)i, (uint32_t)(i >> 32) | (uint32_t)(hi >> 32),
                       (uint32_t)s[1], (uint32_t)(s[1] >> 32)};
    uint32_t key[2] = {(uint32_t)s[0], (uint32_t)(s[0] >> 32)};
    uint32_t x[4];
    tsim__philox4x32_10(ctr, key, x);
    s[3] = (uint64_t)x[2] | (uint64_t)x[3] << 32;
    return (uint64_t)x[0] | (uint64_t)x[1] << 32;
}

/* As tsim_rng_uniform: k / 2^53 for the top 53 bits k, and 2^-54 for k = 0. */
TSIM__PX double tsim__px_u01(uint64_t bits)
{
    double u = (double)(bits >> 11) * 1.1102230246251565e-16; /* 2^-53 */
    return u > 5.5511151231257827e-17 ? u : 5.5511151231257827e-17; /* 2^-54 */
}

TSIM__PX double tsim__px_uniform(uint64_t s[4]) { return tsim__px_u01(tsim__px_next(s)); }

/* Bits of a double and back, without aliasing a pointer. */
TSIM__PX uint64_t tsim__px_bits(double x)
{
#ifdef __CUDA_ARCH__
    return (uint64_t)__double_as_longlong(x);
#else
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
#endif
}

TSIM__PX double tsim__px_double(uint64_t u)
{
#ifdef __CUDA_ARCH__
    return __longlong_as_double((long long)u);
#else
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
#endif
}

TSIM__PX double tsim__px_sqrt(double x) { return sqrt(x); }

/* ln 2 as a head with 21 trailing zero bits (so that k * head is exact for |k| < 2^21) and the
 * rest. */
#define TSIM__PX_LN2_HI 0.69314718036912382
#define TSIM__PX_LN2_LO 1.9082149292705878e-10

/*
 * The natural logarithm. x = 2^e m with m in [sqrt(1/2), sqrt(2)); f = m - 1 is exact there
 * (Sterbenz), and log m = 2 atanh(s) with s = f / (2 + f), |s| < 0.172: the odd series
 * 2 s (1 + s^2/3 + s^4/5 + ...) is below 2^-54 of its sum after the s^23 term. Within about
 * 2 units in the last place of the true logarithm (tests/unit/test_philox.c compares it with
 * libm's over a range of inputs). 0 gives -inf, +inf gives +inf, a negative x or a NaN gives NaN.
 */
TSIM__PX double tsim__plog(double x)
{
    if (!(x > 0.0)) return x == 0.0 ? -1.0 / 0.0 * 1.0 : (x - x) / (x - x);
    if (x > 1.7976931348623157e308) return x; /* +inf */
    int e = 0;
    if (x < 2.2250738585072014e-308) { /* subnormal: scale into the normal range */
        x *= 18014398509481984.0;      /* 2^54 */
        e = -54;
    }
    uint64_t b = tsim__px_bits(x);
    e += (int)((b >> 52) & 0x7ff) - 1023;
    double m = tsim__px_double((b & UINT64_C(0x000fffffffffffff)) | UINT64_C(0x3ff0000000000000));
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    double p = 0.043478260869565216;
    p = 0.047619047619047616 + z * p;
    p = 0.052631578947368418 + z * p;
    p = 0.058823529411764705 + z * p;
    p = 0.066666666666666666 + z * p;
    p = 0.076923076923076927 + z * p;
    p = 0.090909090909090912 + z * p;
    p = 0.11111111111111110 + z * p;
    p = 0.14285714285714285 + z * p;
    p = 0.20000000000000001 + z * p;
    p = 0.33333333333333331 + z * p;
    double t = 2.0 * s;
    double k = (double)e;
    return k * TSIM__PX_LN2_HI + (t + (t * (z * p) + k * TSIM__PX_LN2_LO));
}

/*
 * e^x. x = k ln 2 + r with k the nearest whole number to x / ln 2, |r| <= 0.347 (the reduction
 * in two parts, exact in its first), e^r by its Taylor series to r^15 / 15!, then times 2^k built
 * from bits (in two steps where 2^k itself would leave the normal range). Within about 2 units in
 * the last place; overflows to +inf above 709.78, underflows to 0 below -745.2; NaN stays NaN.
 */
TSIM__PX double tsim__pexp(double x)
{
    if (x != x) return x;
    if (x > 709.78271289338397) return 1.0 / 0.0 * 1.0;
    if (x < -745.13321910194122) return 0.0;
    double kd = x * 1.4426950408889634;
    int k = (int)(kd >= 0.0 ? kd + 0.5 : kd - 0.5);
    double r = (x - (double)k * TSIM__PX_LN2_HI) - (double)k * TSIM__PX_LN2_LO;
    double p = 7.6471637318198164e-13;
    p = 1.1470745597729725e-11 + r * p;
    p = 1.6059043836821613e-10 + r * p;
    p = 2.0876756987868100e-09 + r * p;
    p = 2.5052108385441720e-08 + r * p;
    p = 2.7557319223985890e-07 + r * p;
    p = 2.7557319223985893e-06 + r * p;
    p = 2.4801587301587302e-05 + r * p;
    p = 1.9841269841269841e-04 + r * p;
    p = 1.3888888888888889e-03 + r * p;
    p = 8.3333333333333332e-03 + r * p;
    p = 4.1666666666666664e-02 + r * p;
    p = 0.16666666666666666 + r * p;
    p = 0.5 + r * p;
    p = 1.0 + r * p;
    p = 1.0 + r * p;
    if (k > 1023) {
        p *= 8.9884656743115795e307; /* 2^1023 */
        k -= 1023;
    } else if (k < -1021) {
        p *= 2.2250738585072014e-308; /* 2^-1022 */
        k += 1022;
    }
    return p * tsim__px_double((uint64_t)(k + 1023) << 52);
}

/* Standard draws. Each consumes only its own stream, as dist.c's do. */

TSIM__PX double tsim__px_exp1(uint64_t s[4]) { return -tsim__plog(tsim__px_uniform(s)); }

/* Marsaglia's polar method, one normal per accepted pair (as dist.c's std_normal). */
TSIM__PX double tsim__px_normal(uint64_t s[4])
{
    for (;;) {
        double u = 2.0 * tsim__px_uniform(s) - 1.0;
        double v = 2.0 * tsim__px_uniform(s) - 1.0;
        double q = u * u + v * v;
        if (q < 1.0 && q > 0.0) return u * tsim__px_sqrt(-2.0 * tsim__plog(q) / q);
    }
}

/* Marsaglia and Tsang's gamma for shape >= 1 (as dist.c's std_gamma), d and c precomputed. */
TSIM__PX double tsim__px_gamma(double dd, double c, uint64_t s[4])
{
    for (;;) {
        double x, v;
        do {
            x = tsim__px_normal(s);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = tsim__px_uniform(s);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return dd * v;
        if (tsim__plog(u) < 0.5 * x2 + dd * (1.0 - v + tsim__plog(v))) return dd * v;
    }
}

TSIM__PX double tsim__px_log_gamma(double shape, double dd, double c, uint64_t s[4])
{
    double g = tsim__plog(tsim__px_gamma(dd, c, s));
    if (shape < 1.0) g += tsim__plog(tsim__px_uniform(s)) / shape;
    return g;
}

TSIM__PX double tsim__px_beta(double a, double b, const double *q, uint64_t s[4])
{
    double la = tsim__px_log_gamma(a, q[0], q[1], s);
    double lb = tsim__px_log_gamma(b, q[2], q[3], s);
    return 1.0 / (1.0 + tsim__pexp(lb - la));
}

/* The distribution kinds, numbered as enum tsim_dist_kind (philox.c checks that they agree), so
 * that this header needs no public one. */
enum {
    TSIM__PX_CONSTANT, TSIM__PX_UNIFORM, TSIM__PX_TRIANGULAR, TSIM__PX_EXPONENTIAL,
    TSIM__PX_NORMAL, TSIM__PX_LOGNORMAL, TSIM__PX_GAMMA, TSIM__PX_ERLANG, TSIM__PX_WEIBULL,
    TSIM__PX_BETA, TSIM__PX_PERT, TSIM__PX_DISCRETE, TSIM__PX_EMPIRICAL
};

/* Erlang draws with up to this many stages multiply uniforms (dist.c's ERLANG_PRODUCT_MAX). */
#define TSIM__PX_ERLANG_PRODUCT_MAX 16

/*
 * A draw of a distribution given as tsim_dist_init leaves it: its kind, parameters p,
 * precomputed q and, for the table kinds, n values x with cumulative probabilities c. The same
 * algorithms as dist.c's, except the exponential, which is drawn by inversion (the ziggurat's
 * tables and its wedge test would need libm's exp on both sides).
 */
TSIM__PX double tsim__px_sample(int kind, const double *p, const double *q, uint32_t n,
                                const double *x, const double *c, uint64_t s[4])
{
    switch (kind) {
    case TSIM__PX_CONSTANT:
        return p[0];
    case TSIM__PX_UNIFORM:
        return q[0] + q[1] * tsim__px_uniform(s);
    case TSIM__PX_TRIANGULAR: {
        double u = tsim__px_uniform(s);
        if (u < q[3]) return p[0] + tsim__px_sqrt(u * q[1]);
        return p[2] - tsim__px_sqrt((1.0 - u) * q[2]);
    }
    case TSIM__PX_EXPONENTIAL:
        return p[0] * tsim__px_exp1(s);
    case TSIM__PX_NORMAL:
        return p[0] + p[1] * tsim__px_normal(s);
    case TSIM__PX_LOGNORMAL:
        return tsim__pexp(q[0] + q[1] * tsim__px_normal(s));
    case TSIM__PX_GAMMA: {
        double g = tsim__px_gamma(q[0], q[1], s);
        if (p[0] < 1.0) g *= tsim__pexp(tsim__plog(tsim__px_uniform(s)) * q[2]);
        return g * p[1];
    }
    case TSIM__PX_ERLANG: {
        if (p[0] <= TSIM__PX_ERLANG_PRODUCT_MAX) {
            double prod = 1.0;
            for (int i = 0; i < (int)p[0]; i++) prod *= tsim__px_uniform(s);
            return q[0] * tsim__plog(prod);
        }
        return -q[0] * tsim__px_gamma(q[1], q[2], s);
    }
    case TSIM__PX_WEIBULL:
        /* pow(y, a) as exp(a log y): no pow of its own. */
        return p[1] * tsim__pexp(q[0] * tsim__plog(-tsim__plog(tsim__px_uniform(s))));
    case TSIM__PX_BETA:
        return p[2] + (p[3] - p[2]) * tsim__px_beta(p[0], p[1], q, s);
    case TSIM__PX_PERT:
        return p[0] + (p[2] - p[0]) * tsim__px_beta(1.0, 1.0, q, s);
    case TSIM__PX_DISCRETE: {
        double u = tsim__px_uniform(s);
        uint32_t lo = 0, hi = n - 1;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (u < c[mid]) hi = mid;
            else lo = mid + 1;
        }
        return x[lo];
    }
    case TSIM__PX_EMPIRICAL: {
        double u = tsim__px_uniform(s);
        if (n == 1) return x[0];
        double t = u * (double)(n - 1);
        uint32_t i = (uint32_t)t;
        if (i >= n - 1) i = n - 2;
        double f = t - (double)i;
        return x[i] + f * (x[i + 1] - x[i]);
    }
    default:
        return 0.0;
    }
}

#ifndef __CUDACC__
#include "twinsim.h"

/* The CPU engine's side (philox.c): a draw of `d` from the Philox stream in `r`, a uniform, and
 * a block's 32-bit stream id from its name (before the sim makes ids unique, streams.c). */
double tsim__philox_sample(const struct tsim_dist *d, struct tsim_rng *r)
    __attribute__((visibility("hidden")));
double tsim__philox_uniform(struct tsim_rng *r) __attribute__((visibility("hidden")));
uint32_t tsim__philox_name_id(const char *name) __attribute__((visibility("hidden")));
#endif

#endif
