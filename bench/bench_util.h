/*
 * Timing and memory helpers shared by every benchmark program (twinsim and cimba alike), with no
 * dependency. Wall time is CLOCK_MONOTONIC; CPU time is the process's user and system time
 * (CLOCK_PROCESS_CPUTIME_ID), which other load on a shared machine disturbs far less; peak memory
 * is getrusage's maximum resident set size.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <sys/resource.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB). */
static inline double bench_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

#endif
