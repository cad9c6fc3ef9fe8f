/* What every benchmark program shares: a monotonic clock, best-of-N timing, the machine
 * line (CPU, OpenBLAS kernel, threads) that must accompany every figure, and pinning to
 * one core. Header-only: each bench is one program. */
#ifndef ATHLETE_BENCH_UTIL_H
#define ATHLETE_BENCH_UTIL_H

#include <athlete/blas.h>

#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* µs per call of fn(ctx): best of 7 runs, each long enough (>= 10 ms) to time well. */
static inline double bench_time_us(void (*fn)(void *), void *ctx)
{
    fn(ctx);
    size_t reps = 1;
    for (;;) {
        double t0 = bench_now();
        for (size_t i = 0; i < reps; i++)
            fn(ctx);
        if (bench_now() - t0 >= 0.01)
            break;
        reps *= 2;
    }
    double best = 1e30;
    for (int run = 0; run < 7; run++) {
        double t0 = bench_now();
        for (size_t i = 0; i < reps; i++)
            fn(ctx);
        double us = (bench_now() - t0) / (double)reps * 1e6;
        best = us < best ? us : best;
    }
    return best;
}

static inline void bench_cpu_model(char *out, size_t size)
{
    snprintf(out, size, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *colon = strchr(line, ':');
            if (colon) {
                snprintf(out, size, "%s", colon + 2);
                out[strcspn(out, "\n")] = '\0';
            }
            break;
        }
    }
    fclose(f);
}

/* Pins the process to the core it runs on: figures are per core. */
static inline int bench_pin_one_core(void)
{
    int cpu = sched_getcpu();
    if (cpu < 0)
        return -1;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

/* The line every benchmark prints first. */
static inline void bench_print_machine(const char *title)
{
    char model[256];
    bench_cpu_model(model, sizeof model);
    athlete_blas_use_default_threads();
    const char *forced = getenv("OPENBLAS_CORETYPE");
    printf("== %s\nCPU: %s | OpenBLAS kernel: %s (%s%s) | BLAS threads: %d%s\n", title, model, athlete_blas_corename(),
           forced ? "forced by OPENBLAS_CORETYPE=" : "picked by OpenBLAS", forced ? forced : "", athlete_blas_threads(),
           athlete_blas_kernel_is_generic() ? " | GENERIC KERNEL (see README: OpenBLAS trap)" : "");
    if (athlete_blas_forced_slower())
        printf("WARNING: OPENBLAS_CORETYPE=%s is slower than this CPU supports (%s): figures below are not this "
               "machine's best\n", forced, athlete_blas_forced_slower());
}

#endif
