/*
 * What plant messages are made of, read the same by the mapping (mapping.c), the decoder
 * (ingest.c), VDA 5050 (vda.c) and the twin's subscriptions (twin.c): UTF-8 checked whole, ISO
 * 8601 times, and MQTT topic filters. The lowest floor of src/twin: it calls nothing of it.
 */
#include "twin/twin.h"

#include <string.h>

int tsim__utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned min, cp;
        if ((c & 0xE0) == 0xC0) {
            need = 1;
            min = 0x80;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2;
            min = 0x800;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3;
            min = 0x10000;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= need) return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's method). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9') return -1;
        v = v * 10 + (ch - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int tsim__iso_time(const char *s, double *out)
{
    int Y, M, D, h, mi, se;
    const char *p = s;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
        digits(&p, 2, &D) || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
        digits(&p, 2, &se))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || se > 60) return -1;
    double frac = 0;
    if (*p == '.') {
        p++;
        double scale = 0.1;
        if (*p < '0' || *p > '9') return -1;
        while (*p >= '0' && *p <= '9') {
            frac += (*p++ - '0') * scale;
            scale /= 10;
        }
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 3600L + om * 60L);
    } else {
        return -1;
    }
    if (*p) return -1;
    long days = days_from_civil(Y, (unsigned)M, (unsigned)D);
    *out = (double)(days * 86400L + h * 3600L + mi * 60L + se - off) + frac;
    return 0;
}

int tsim__topic_match(const char *filter, const char *topic)
{
    /* MQTT: topics starting with '$' are not matched by a leading wildcard. */
    if (topic[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return 0;
    for (;;) {
        if (filter[0] == '#' && filter[1] == '\0') return 1;
        const char *fe = strchr(filter, '/'), *te = strchr(topic, '/');
        size_t fn = fe ? (size_t)(fe - filter) : strlen(filter);
        size_t tn = te ? (size_t)(te - topic) : strlen(topic);
        if (!(fn == 1 && filter[0] == '+') && (fn != tn || memcmp(filter, topic, fn) != 0))
            return 0;
        if (!fe && !te) return 1;
        if (!te) return fe && strcmp(fe + 1, "#") == 0;
        if (!fe) return 0;
        filter = fe + 1;
        topic = te + 1;
    }
}
