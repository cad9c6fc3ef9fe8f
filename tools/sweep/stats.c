/* Statistics over a configuration's seeds: the interquartile mean and its stratified
 * bootstrap interval, as rliable reports them. */
#include "sweep.h"

#include <athlete/rng.h>

#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The IQM of values already sorted. */
static double sorted_iqm(const double *v, size_t n)
{
    size_t cut = n / 4;
    double sum = 0;
    for (size_t i = cut; i < n - cut; i++)
        sum += v[i];
    return sum / (double)(n - 2 * cut);
}

double athlete_sweep_iqm(const double *values, size_t n)
{
    if (n == 0)
        return 0;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    memcpy(v, values, n * sizeof *v);
    qsort(v, n, sizeof *v, compare_doubles);
    double r = sorted_iqm(v, n);
    free(v);
    return r;
}

bool athlete_sweep_iqm_bootstrap(const double *values, const size_t *strata, size_t n, size_t reps,
                                 uint64_t seed, double *lo, double *hi)
{
    if (n == 0 || reps == 0)
        return false;
    double *sample = malloc(n * sizeof *sample), *replicates = malloc(reps * sizeof *replicates);
    size_t *members = malloc(n * sizeof *members);
    bool ok = sample && replicates && members;
    athlete_rng rng;
    athlete_rng_seed(&rng, seed, 0);
    for (size_t b = 0; ok && b < reps; b++) {
        size_t filled = 0;
        /* Each stratum in order of first appearance, resampled within itself. */
        for (size_t i = 0; i < n; i++) {
            bool first = true;
            for (size_t j = 0; strata && j < i && first; j++)
                first = strata[j] != strata[i];
            if (!first || (!strata && i > 0))
                continue;
            size_t count = 0;
            for (size_t j = i; j < n; j++)
                if (!strata || strata[j] == strata[i])
                    members[count++] = j;
            for (size_t k = 0; k < count; k++)
                sample[filled++] = values[members[athlete_rng_below(&rng, count)]];
        }
        qsort(sample, n, sizeof *sample, compare_doubles);
        replicates[b] = sorted_iqm(sample, n);
    }
    if (ok) {
        qsort(replicates, reps, sizeof *replicates, compare_doubles);
        size_t low = (size_t)(0.025 * (double)reps), high = (size_t)(0.975 * (double)reps + 0.999999);
        *lo = replicates[low];
        *hi = replicates[high ? high - 1 : 0];
    }
    free(sample);
    free(replicates);
    free(members);
    return ok;
}
