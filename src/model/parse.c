/*
 * Value text of model files: numbers, durations with units, and distributions such as
 * "triangular(0.5, 0.6, 5min)". This file turns text into values and says precisely what is
 * wrong and at which byte; it does not know blocks or YAML (loader.c and setparam.c do).
 *
 * Numbers are read in the C locale whatever the program's locale is: a model file means the same
 * on every machine. Every argument that is a time may carry a unit and is converted to the model's
 * time unit; shape parameters and probabilities are pure numbers and may not.
 */
#include "core/core.h"
#include "model/params.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------
 * Units and numbers
 * ------------------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    double seconds;
} units[] = {{"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}};

static double unit_seconds(const char *u, size_t len)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0)
            return units[i].seconds;
    }
    return 0.0;
}

double tsim_unit_factor(const char *from_unit, const char *to_unit)
{
    if (!from_unit || !to_unit) return 0.0;
    double f = unit_seconds(from_unit, strlen(from_unit));
    double t = unit_seconds(to_unit, strlen(to_unit));
    if (f == 0.0 || t == 0.0) return 0.0;
    return f / t;
}

/* The C locale is made once and kept for the life of the process (freeing it at exit would race
 * with threads still parsing). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* The length of the number at `s` ([+-] digits [. digits] [e [+-] digits]), 0 if none. Written
 * out rather than left to strtod so that "inf", "nan", hex floats and "1e" are not numbers. */
static size_t scan_number(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (isdigit((unsigned char)s[i])) i++, digits++;
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i])) i++, digits++;
    }
    if (digits == 0) return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-') j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j])) j++;
            i = j;
        }
    }
    return i;
}

/* Convert the `len` bytes at `s` that scan_number accepted. */
static double to_double(const char *s, size_t len)
{
    char small[64];
    char *buf = len < sizeof small ? small : tsim__malloc(len + 1);
    memcpy(buf, s, len);
    buf[len] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    double v = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
    if (buf != small) tsim__free(buf);
    return v;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

static size_t skip_space(const char *s, size_t i)
{
    while (is_space(s[i])) i++;
    return i;
}

/* Text as quoted in messages: at most 40 bytes, cut at a character boundary. */
static int quote_len(const char *s, size_t len)
{
    if (len <= 40) return (int)len;
    size_t n = 40;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return (int)n;
}

#define Q(s, len) quote_len((s), (len)), (s)

/*
 * A quantity at text[*pos]: a number with an optional unit ("5min", "2.5 h"). `what` names it in
 * messages. With `time_unit` NULL or "", or `unitless`, writing a unit is an error. Negative times
 * are refused when `time_unit` is set and not `unitless`. Advances *pos past the quantity.
 */
static int scan_quantity(const char *text, size_t *pos, const char *time_unit, int unitless,
                         const char *what, double *out, struct tsim__perr *e)
{
    size_t start = skip_space(text, *pos);
    size_t nlen = scan_number(text + start);
    if (nlen == 0) {
        size_t end = start;
        while (text[end] && text[end] != ',' && text[end] != ')' && text[end] != ':' &&
               !is_space(text[end]))
            end++;
        if (end == start)
            return tsim__perr_set(e, TSIM_EPARSE, start, "missing number for %s", what);
        return tsim__perr_set(e, TSIM_EPARSE, start, "%s must be a number, got '%.*s'", what,
                              Q(text + start, end - start));
    }
    double v = to_double(text + start, nlen);
    if (!isfinite(v))
        return tsim__perr_set(e, TSIM_ERANGE, start, "number out of range '%.*s'",
                              Q(text + start, nlen));
    size_t i = start + nlen;
    size_t u = skip_space(text, i);
    size_t ulen = 0;
    while (isalpha((unsigned char)text[u + ulen])) ulen++;
    if (ulen > 0) {
        int has_unit = time_unit && time_unit[0];
        if (unitless || !has_unit)
            return tsim__perr_set(e, TSIM_EPARSE, u, "unexpected unit '%.*s' on %s%s",
                                  Q(text + u, ulen), what,
                                  unitless && has_unit ? " (it has no unit)" : "");
        double from = unit_seconds(text + u, ulen);
        if (from == 0.0)
            return tsim__perr_set(e, TSIM_EPARSE, u, "unknown unit '%.*s' (use s, min, h or d)",
                                  Q(text + u, ulen));
        v *= from / unit_seconds(time_unit, strlen(time_unit));
        i = u + ulen;
    }
    if (!unitless && time_unit && time_unit[0] && v < 0.0)
        return tsim__perr_set(e, TSIM_ERANGE, start, "negative time '%.*s'",
                              Q(text + start, i - start));
    *out = v;
    *pos = i;
    return 0;
}

/* After a value only blanks may follow. */
static int expect_end(const char *text, size_t i, struct tsim__perr *e)
{
    i = skip_space(text, i);
    if (text[i])
        return tsim__perr_set(e, TSIM_EPARSE, i, "unexpected text '%.*s'",
                              Q(text + i, strlen(text + i)));
    return 0;
}

int tsim__parse_real(const char *text, const char *what, double *out, struct tsim__perr *e)
{
    size_t i = 0;
    int rc = scan_quantity(text, &i, NULL, 1, what, out, e);
    if (rc) return rc;
    return expect_end(text, i, e);
}

int tsim__parse_prob(const char *text, const char *what, double *out, struct tsim__perr *e)
{
    int rc = tsim__parse_real(text, what, out, e);
    if (rc) return rc;
    if (*out < 0.0 || *out > 1.0)
        return tsim__perr_set(e, TSIM_ERANGE, skip_space(text, 0),
                              "%s must be a probability in [0, 1], got '%s'", what, text);
    return 0;
}

int tsim__parse_int(const char *text, const char *what, long long lo, long long hi,
                    long long *out, struct tsim__perr *e)
{
    size_t i = skip_space(text, 0), start = i;
    size_t nlen = scan_number(text + i);
    int integral = nlen > 0;
    for (size_t k = 0; k < nlen; k++) {
        char c = text[i + k];
        if (!(isdigit((unsigned char)c) || (k == 0 && (c == '-' || c == '+')))) integral = 0;
    }
    if (!integral || expect_end(text, i + nlen, e) != 0) {
        size_t end = strlen(text);
        while (end > start && is_space(text[end - 1])) end--;
        return tsim__perr_set(e, TSIM_EPARSE, start, "%s must be a whole number, got '%.*s'",
                              what, Q(text + start, end - start));
    }
    errno = 0;
    long long v = strtoll(text + start, NULL, 10);
    /* Out of range of a long long: past whichever end its sign points to. */
    int beyond = errno == ERANGE;
    if (v < lo || (beyond && text[start] == '-'))
        return tsim__perr_set(e, TSIM_ERANGE, start, "%s must be at least %lld, got '%.*s'",
                              what, lo, Q(text + start, nlen));
    if (v > hi || beyond)
        return tsim__perr_set(e, TSIM_ERANGE, start, "%s must be at most %lld, got '%.*s'",
                              what, hi, Q(text + start, nlen));
    *out = v;
    return 0;
}

int tsim__parse_duration(const char *text, const char *what, const char *time_unit, double *out,
                         struct tsim__perr *e)
{
    size_t i = 0;
    int rc = scan_quantity(text, &i, time_unit, 0, what, out, e);
    if (rc == TSIM_EPARSE && scan_number(text + skip_space(text, 0)) == 0)
        return tsim__perr_set(e, rc, skip_space(text, 0),
                              "%s must be a duration such as '8h' or '30min', got '%.*s'", what,
                              Q(text, strlen(text)));
    if (rc) return rc;
    return expect_end(text, i, e);
}

int tsim_duration_parse(const char *text, const char *time_unit, double *out)
{
    struct tsim__perr e;
    TSIM__ASSERT(text && out, "NULL argument");
    if (tsim__parse_duration(text, "the duration", time_unit, out, &e) != 0)
        return tsim__fail(TSIM_EPARSE, __func__, "%s", e.msg);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Distributions
 * ------------------------------------------------------------------------------------------- */

/*
 * How each argument is read: 't' a time (may carry a unit, never negative), 's' a shape (a pure
 * number). The names appear in messages as they appear in the documentation.
 */
static const struct dspec {
    const char *name;
    enum tsim_dist_kind kind;
    int nargs;
    const char *types;
    const char *args;
    const char *argname[4];
} dists[] = {
    {"constant", TSIM_DIST_CONSTANT, 1, "t", "value", {"value"}},
    {"uniform", TSIM_DIST_UNIFORM, 2, "tt", "a, b", {"a", "b"}},
    {"triangular", TSIM_DIST_TRIANGULAR, 3, "ttt", "min, mode, max", {"min", "mode", "max"}},
    {"exponential", TSIM_DIST_EXPONENTIAL, 1, "t", "mean", {"mean"}},
    {"normal", TSIM_DIST_NORMAL, 2, "tt", "mean, sd", {"mean", "sd"}},
    {"lognormal", TSIM_DIST_LOGNORMAL, 2, "tt", "mean, sd", {"mean", "sd"}},
    {"gamma", TSIM_DIST_GAMMA, 2, "st", "shape, scale", {"shape", "scale"}},
    {"erlang", TSIM_DIST_ERLANG, 2, "st", "k, mean", {"k", "mean"}},
    {"weibull", TSIM_DIST_WEIBULL, 2, "st", "shape, scale", {"shape", "scale"}},
    {"beta", TSIM_DIST_BETA, 4, "sstt", "a, b, min, max", {"a", "b", "min", "max"}},
    {"pert", TSIM_DIST_PERT, 3, "ttt", "min, mode, max", {"min", "mode", "max"}},
    {"discrete", TSIM_DIST_DISCRETE, -1, "", "value: probability, ...", {""}},
    {"empirical", TSIM_DIST_EMPIRICAL, -1, "", "\"file.csv\"", {""}},
};
#define NDISTS (sizeof dists / sizeof dists[0])

/* A discrete distribution lists at most this many values; more belong in an empirical file. */
#define DISCRETE_MAX 4096

/* Data files for empirical(...) are capped like model files. */
#define DATA_MAX_BYTES TSIM_MODEL_MAX_BYTES

/* What tsim_dist_init itself refused, in the parser's words. */
static int init_failed(struct tsim__perr *e, size_t at, const char *name)
{
    return tsim__perr_set(e, TSIM_ERANGE, at, "invalid '%s': %s", name, tsim__errmsg_body());
}

/* Checks that tsim_dist_init also makes, worded for a model's author and pointing at the
 * argument concerned. `at[i]` is the offset of argument i. */
static int check_args(const struct dspec *ds, const double *v, const size_t *at,
                      struct tsim__perr *e)
{
    switch (ds->kind) {
    case TSIM_DIST_UNIFORM:
        if (v[0] > v[1])
            return tsim__perr_set(e, TSIM_ERANGE, at[1], "'uniform' needs a <= b, got %g > %g",
                                  v[0], v[1]);
        break;
    case TSIM_DIST_TRIANGULAR:
    case TSIM_DIST_PERT:
        if (v[0] > v[2])
            return tsim__perr_set(e, TSIM_ERANGE, at[2], "'%s' needs min <= max, got %g > %g",
                                  ds->name, v[0], v[2]);
        if (v[1] < v[0] || v[1] > v[2])
            return tsim__perr_set(e, TSIM_ERANGE, at[1],
                                  "mode %g of '%s' is outside [min, max] = [%g, %g]", v[1],
                                  ds->name, v[0], v[2]);
        break;
    case TSIM_DIST_LOGNORMAL:
        if (v[0] <= 0.0)
            return tsim__perr_set(e, TSIM_ERANGE, at[0], "mean of 'lognormal' must be above 0");
        break;
    case TSIM_DIST_GAMMA:
    case TSIM_DIST_WEIBULL:
        if (v[0] <= 0.0)
            return tsim__perr_set(e, TSIM_ERANGE, at[0], "shape of '%s' must be above 0, got %g",
                                  ds->name, v[0]);
        if (v[1] <= 0.0)
            return tsim__perr_set(e, TSIM_ERANGE, at[1], "scale of '%s' must be above 0",
                                  ds->name);
        break;
    case TSIM_DIST_ERLANG:
        if (v[0] < 1.0 || v[0] != floor(v[0]) || v[0] > 1e9)
            return tsim__perr_set(e, TSIM_ERANGE, at[0],
                                  "k of 'erlang' must be a whole number of at least 1, got %g",
                                  v[0]);
        break;
    case TSIM_DIST_BETA:
        if (v[0] <= 0.0 || v[1] <= 0.0)
            return tsim__perr_set(e, TSIM_ERANGE, at[v[0] <= 0.0 ? 0 : 1],
                                  "shape %s of 'beta' must be above 0", v[0] <= 0.0 ? "a" : "b");
        if (v[2] > v[3])
            return tsim__perr_set(e, TSIM_ERANGE, at[3], "'beta' needs min <= max, got %g > %g",
                                  v[2], v[3]);
        break;
    default:
        break;
    }
    return 0;
}

/* discrete(value: p, ...) from the argument list at text[*pos] (just past the '('). */
static int parse_discrete(struct tsim_dist *d, const char *text, size_t *pos, size_t open,
                          const char *time_unit, struct tsim__perr *e)
{
    double *val = tsim__malloc(DISCRETE_MAX * sizeof *val);
    double *prob = tsim__malloc(DISCRETE_MAX * sizeof *prob);
    uint32_t n = 0;
    size_t i = *pos;
    double sum = 0.0;
    int rc = 0;
    for (;;) {
        i = skip_space(text, i);
        if (text[i] == ')' && n == 0) {
            rc = tsim__perr_set(e, TSIM_EPARSE, i, "'discrete' needs at least one value: p");
            goto out;
        }
        if (n == DISCRETE_MAX) {
            rc = tsim__perr_set(e, TSIM_ELIMIT, i, "'discrete' takes at most %d values",
                                DISCRETE_MAX);
            goto out;
        }
        if ((rc = scan_quantity(text, &i, time_unit, 0, "a value of 'discrete'", &val[n], e)))
            goto out;
        i = skip_space(text, i);
        if (text[i] != ':') {
            rc = tsim__perr_set(e, TSIM_EPARSE, i,
                                "expected ':' and a probability after each value of 'discrete'");
            goto out;
        }
        i++;
        size_t pat = skip_space(text, i);
        if ((rc = scan_quantity(text, &i, time_unit, 1, "a probability of 'discrete'", &prob[n],
                                e)))
            goto out;
        if (prob[n] < 0.0 || prob[n] > 1.0) {
            rc = tsim__perr_set(e, TSIM_ERANGE, pat,
                                "probability %g of 'discrete' is outside [0, 1]", prob[n]);
            goto out;
        }
        sum += prob[n];
        n++;
        i = skip_space(text, i);
        if (text[i] == ',') {
            i++;
            continue;
        }
        if (text[i] == ')') break;
        rc = tsim__perr_set(e, TSIM_EPARSE, i, text[i] ? "expected ',' or ')' in 'discrete'"
                                                       : "missing ')' to close 'discrete'");
        goto out;
    }
    if (fabs(sum - 1.0) > 1e-9) {
        rc = tsim__perr_set(e, TSIM_ERANGE, open, "probabilities of 'discrete' sum to %.10g, not 1",
                            sum);
        goto out;
    }
    if (tsim_dist_init_table(d, TSIM_DIST_DISCRETE, val, prob, n) != 0) {
        rc = init_failed(e, open, "discrete");
        goto out;
    }
    *pos = i + 1;
out:
    tsim__free(val);
    tsim__free(prob);
    return rc;
}


/*
 * The numbers of a data file: one per line, or the first column of a CSV (',', ';' or tab
 * separated, optionally quoted). Blank lines and lines starting with '#' are skipped, and so is
 * a first line that is not a number (a header). Values are in the model's time unit.
 */
static int read_data(struct tsim_dist *d, const char *path, const char *shown, size_t at,
                     const char *time_unit, struct tsim__perr *e)
{
    char err[300];
    char *buf;
    size_t len;
    if (tsim__read_file(path, DATA_MAX_BYTES, &buf, &len, err, sizeof err) != 0)
        return tsim__perr_set(e, TSIM_EIO, at, "%s", err);
    size_t cap = 1024, n = 0;
    double *v = tsim__malloc(cap * sizeof *v);
    int rc = 0, seen_line = 0;
    size_t lineno = 0;
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && buf[end] != '\n') end++;
        lineno++;
        size_t s = i;
        while (s < end && (is_space(buf[s]) || buf[s] == '\r')) s++;
        if (s < end && buf[s] != '#') {
            size_t f = s, fe;
            if (buf[f] == '"') f++;
            fe = f;
            while (fe < end && buf[fe] != ',' && buf[fe] != ';' && buf[fe] != '\t' &&
                   buf[fe] != '"' && buf[fe] != '\r')
                fe++;
            while (fe > f && buf[fe - 1] == ' ') fe--;
            char field[64];
            size_t fl = fe - f < sizeof field - 1 ? fe - f : sizeof field - 1;
            memcpy(field, buf + f, fl);
            field[fl] = '\0';
            size_t nl = scan_number(field);
            int ok = nl > 0 && nl == fl && fe - f < sizeof field;
            if (!ok && !seen_line) {
                seen_line = 1; /* a header */
            } else if (!ok) {
                rc = tsim__perr_set(e, TSIM_EPARSE, at, "'%s' line %zu: not a number '%.*s'",
                                    shown, lineno, Q(buf + f, fe - f));
                break;
            } else {
                seen_line = 1;
                double x = to_double(field, nl);
                if (!isfinite(x)) {
                    rc = tsim__perr_set(e, TSIM_ERANGE, at, "'%s' line %zu: number out of range",
                                        shown, lineno);
                    break;
                }
                if (time_unit && time_unit[0] && x < 0.0) {
                    rc = tsim__perr_set(e, TSIM_ERANGE, at, "'%s' line %zu: negative time '%s'",
                                        shown, lineno, field);
                    break;
                }
                if (n == cap) {
                    cap *= 2;
                    v = tsim__realloc(v, cap * sizeof *v);
                }
                v[n++] = x;
            }
        }
        i = end + 1;
    }
    if (rc == 0 && n == 0)
        rc = tsim__perr_set(e, TSIM_EPARSE, at, "'%s' holds no numbers", shown);
    if (rc == 0 && tsim_dist_init_table(d, TSIM_DIST_EMPIRICAL, v, NULL, (uint32_t)n) != 0)
        rc = init_failed(e, at, "empirical");
    tsim__free(v);
    tsim__free(buf);
    return rc;
}

/* empirical("file") from text[*pos] (just past the '('). */
static int parse_empirical(struct tsim_dist *d, const char *text, size_t *pos,
                           const char *time_unit, const char *base_dir, struct tsim__perr *e)
{
    size_t i = skip_space(text, *pos);
    char q = text[i];
    if (q != '"' && q != '\'')
        return tsim__perr_set(e, TSIM_EPARSE, i, "'empirical' takes a quoted file name");
    size_t s = i + 1, t = s;
    while (text[t] && text[t] != q) t++;
    if (!text[t]) return tsim__perr_set(e, TSIM_EPARSE, i, "missing closing quote");
    if (t == s) return tsim__perr_set(e, TSIM_EPARSE, i, "empty file name in 'empirical'");
    size_t after = skip_space(text, t + 1);
    if (text[after] != ')')
        return tsim__perr_set(e, TSIM_EPARSE, after, text[after]
                                                         ? "'empirical' takes one file name"
                                                         : "missing ')' to close 'empirical'");
    size_t nlen = t - s;
    size_t blen = base_dir && base_dir[0] && text[s] != '/' ? strlen(base_dir) + 1 : 0;
    char *path = tsim__malloc(blen + nlen + 1);
    if (blen) {
        memcpy(path, base_dir, blen - 1);
        path[blen - 1] = '/';
    }
    memcpy(path + blen, text + s, nlen);
    path[blen + nlen] = '\0';
    char *shown = tsim__malloc(nlen + 1);
    memcpy(shown, text + s, nlen);
    shown[nlen] = '\0';
    int rc = read_data(d, path, shown, i, time_unit, e);
    tsim__free(path);
    tsim__free(shown);
    if (rc == 0) *pos = after + 1;
    return rc;
}

static const struct dspec *find_dist(const char *name, size_t len)
{
    for (size_t k = 0; k < NDISTS; k++) {
        if (strlen(dists[k].name) == len && memcmp(dists[k].name, name, len) == 0)
            return &dists[k];
    }
    return NULL;
}

int tsim__parse_dist(struct tsim_dist *d, const char *text, const char *time_unit,
                     const char *base_dir, struct tsim__perr *e)
{
    memset(d, 0, sizeof *d);
    d->kind = TSIM_DIST_CONSTANT;
    size_t i = skip_space(text, 0);
    if (!text[i]) return tsim__perr_set(e, TSIM_EPARSE, i, "missing value");

    /* A bare number or duration is a constant. */
    if (scan_number(text + i) > 0) {
        double v;
        int rc = scan_quantity(text, &i, time_unit, 0, "the value", &v, e);
        if (rc || (rc = expect_end(text, i, e))) return rc;
        if (tsim_dist_init(d, TSIM_DIST_CONSTANT, &v, 1) != 0) return init_failed(e, 0, "constant");
        return 0;
    }

    size_t name_at = i;
    while (isalnum((unsigned char)text[i]) || text[i] == '_') i++;
    size_t nlen = i - name_at;
    if (nlen == 0) {
        return tsim__perr_set(e, TSIM_EPARSE, name_at,
                              "expected a number or a distribution, got '%.*s'",
                              Q(text + name_at, strlen(text + name_at)));
    }
    const struct dspec *ds = find_dist(text + name_at, nlen);
    if (!ds) {
        char word[72];
        snprintf(word, sizeof word, "%.*s", nlen < 64 ? (int)nlen : 64, text + name_at);
        struct tsim__suggest s;
        tsim__suggest_init(&s, word);
        for (size_t k = 0; k < NDISTS; k++) tsim__suggest_offer(&s, dists[k].name);
        return tsim__perr_set(e, TSIM_EPARSE, name_at, "unknown distribution '%.*s'%s",
                              Q(text + name_at, nlen), tsim__suggest_text(&s));
    }
    size_t open = skip_space(text, i);
    if (text[open] != '(')
        return tsim__perr_set(e, TSIM_EPARSE, open, "expected '(' after '%s'", ds->name);
    i = open + 1;

    int rc;
    if (ds->kind == TSIM_DIST_DISCRETE) {
        rc = parse_discrete(d, text, &i, name_at, time_unit, e);
        if (rc == 0 && (rc = expect_end(text, i, e))) tsim_dist_release(d);
        return rc;
    }
    if (ds->kind == TSIM_DIST_EMPIRICAL) {
        rc = parse_empirical(d, text, &i, time_unit, base_dir, e);
        if (rc == 0 && (rc = expect_end(text, i, e))) tsim_dist_release(d);
        return rc;
    }

    /* Count the arguments first so that a wrong arity is reported as such, not as whatever the
     * first surplus or missing argument happens to look like. */
    int count = 0;
    size_t close = i, extra_at = 0;
    {
        size_t k = skip_space(text, i);
        if (text[k] != ')') {
            count = 1;
            for (; text[k] && text[k] != ')'; k++) {
                if (text[k] == ',') {
                    if (count == ds->nargs) extra_at = skip_space(text, k + 1);
                    count++;
                }
            }
        }
        while (text[k] && text[k] != ')') k++;
        if (!text[k])
            return tsim__perr_set(e, TSIM_EPARSE, open, "missing ')' to close '%s'", ds->name);
        close = k;
    }
    if (count != ds->nargs) {
        return tsim__perr_set(e, TSIM_EPARSE, count > ds->nargs ? extra_at : close,
                              "'%s' takes %d argument%s (%s), got %d", ds->name, ds->nargs,
                              ds->nargs == 1 ? "" : "s", ds->args, count);
    }
    double v[4];
    size_t at[4];
    for (int a = 0; a < ds->nargs; a++) {
        char what[64];
        snprintf(what, sizeof what, "'%s' of '%s'", ds->argname[a], ds->name);
        at[a] = skip_space(text, i);
        if ((rc = scan_quantity(text, &i, time_unit, ds->types[a] == 's', what, &v[a], e)))
            return rc;
        i = skip_space(text, i);
        if (text[i] != (a + 1 < ds->nargs ? ',' : ')'))
            return tsim__perr_set(e, TSIM_EPARSE, i, "unexpected '%.*s' in '%s'",
                                  Q(text + i, strcspn(text + i, ",)")), ds->name);
        i++;
    }
    if ((rc = check_args(ds, v, at, e))) return rc;
    if ((rc = expect_end(text, i, e))) return rc;
    if (tsim_dist_init(d, ds->kind, v, ds->nargs) != 0) return init_failed(e, name_at, ds->name);
    return 0;
}

int tsim_dist_parse(struct tsim_dist *d, const char *text, const char *time_unit,
                    const char *base_dir, char *err, size_t errlen, size_t *err_at)
{
    TSIM__ASSERT(d && text, "NULL argument");
    struct tsim__perr e;
    int rc = tsim__parse_dist(d, text, time_unit, base_dir, &e);
    if (rc == 0) return 0;
    if (err && errlen) snprintf(err, errlen, "%s", e.msg);
    if (err_at) *err_at = e.at;
    tsim__fail(TSIM_EPARSE, __func__, "%s", e.msg);
    return TSIM_EPARSE;
}
