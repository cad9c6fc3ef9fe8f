/* Running mean/variance observation normalisation (see normalizer.h). */
#include <athlete/normalizer.h>

#include <athlete/alloc.h>

#include <math.h>
#include <stdio.h>

struct athlete_normalizer {
    size_t size;
    double clip;
    double count;
    double *mean, *var;
    double *inv_std; /* 1 / sqrt(var + 1e-8), refreshed with the statistics */
};

static void refresh(athlete_normalizer *n)
{
    for (size_t j = 0; j < n->size; j++)
        n->inv_std[j] = 1.0 / sqrt(n->var[j] + 1e-8);
}

athlete_status athlete_normalizer_create(size_t size, double clip, athlete_normalizer **out, athlete_error *err)
{
    if (!out || size == 0 || !(clip > 0))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "normalizer: needs size >= 1 and clip > 0 (got %zu, %g)", size, clip);
    athlete_normalizer *n = athlete_calloc(1, sizeof *n);
    if (n) {
        n->size = size;
        n->clip = clip;
        n->count = 1e-4;
        n->mean = athlete_calloc(size, sizeof(double));
        n->var = athlete_calloc(size, sizeof(double));
        n->inv_std = athlete_calloc(size, sizeof(double));
    }
    if (!n || !n->mean || !n->var || !n->inv_std) {
        athlete_normalizer_destroy(n);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "normalizer: out of memory");
    }
    for (size_t j = 0; j < size; j++)
        n->var[j] = 1.0;
    refresh(n);
    *out = n;
    return ATHLETE_OK;
}

void athlete_normalizer_destroy(athlete_normalizer *n)
{
    if (!n)
        return;
    athlete_free(n->mean);
    athlete_free(n->var);
    athlete_free(n->inv_std);
    athlete_free(n);
}

void athlete_normalizer_update(athlete_normalizer *n, const float *x, size_t rows)
{
    if (rows == 0)
        return;
    double b = (double)rows, total = n->count + b;
    for (size_t j = 0; j < n->size; j++) {
        double sum = 0.0;
        for (size_t i = 0; i < rows; i++)
            sum += x[i * n->size + j];
        double batch_mean = sum / b, m2 = 0.0;
        for (size_t i = 0; i < rows; i++) {
            double d = x[i * n->size + j] - batch_mean;
            m2 += d * d;
        }
        double delta = batch_mean - n->mean[j];
        n->mean[j] += delta * b / total;
        n->var[j] = (n->var[j] * n->count + m2 + delta * delta * n->count * b / total) / total;
    }
    n->count = total;
    refresh(n);
}

void athlete_normalizer_apply(const athlete_normalizer *n, const float *x, float *out, size_t rows)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < n->size; j++) {
            double z = ((double)x[i * n->size + j] - n->mean[j]) * n->inv_std[j];
            out[i * n->size + j] = (float)(z < -n->clip ? -n->clip : z > n->clip ? n->clip : z);
        }
}

const double *athlete_normalizer_mean(const athlete_normalizer *n) { return n->mean; }
const double *athlete_normalizer_var(const athlete_normalizer *n) { return n->var; }
double athlete_normalizer_count(const athlete_normalizer *n) { return n->count; }

static void record_name(char *buf, size_t size, const char *prefix, const char *name)
{
    snprintf(buf, size, "%s%s%s", prefix ? prefix : "", prefix && *prefix ? "." : "", name);
}

athlete_status athlete_normalizer_save(const athlete_normalizer *n, const char *prefix, athlete_writer *w,
                                       athlete_error *err)
{
    char mean[64], var[64], count[64];
    record_name(mean, sizeof mean, prefix, "mean");
    record_name(var, sizeof var, prefix, "var");
    record_name(count, sizeof count, prefix, "count");
    athlete_status st = athlete_writer_put(w, mean, ATHLETE_RECORD_F64, n->mean, n->size, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, var, ATHLETE_RECORD_F64, n->var, n->size, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, count, ATHLETE_RECORD_F64, &n->count, 1, err);
    return st;
}

athlete_status athlete_normalizer_load(athlete_normalizer *n, const char *prefix, athlete_reader *r,
                                       athlete_error *err)
{
    double *mean = n->mean, *var = n->var, count;
    char mean_name[64], var_name[64], count_name[64];
    record_name(mean_name, sizeof mean_name, prefix, "mean");
    record_name(var_name, sizeof var_name, prefix, "var");
    record_name(count_name, sizeof count_name, prefix, "count");
    /* A refused load restores the initial statistics, never half-read ones. */
    athlete_status st = athlete_reader_get(r, mean_name, ATHLETE_RECORD_F64, mean, n->size, err);
    if (st == ATHLETE_OK)
        st = athlete_reader_get(r, var_name, ATHLETE_RECORD_F64, var, n->size, err);
    if (st == ATHLETE_OK)
        st = athlete_reader_get(r, count_name, ATHLETE_RECORD_F64, &count, 1, err);
    if (st == ATHLETE_OK && !(count > 0 && isfinite(count)))
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "normalizer: count must be > 0, got %g", count);
    for (size_t j = 0; st == ATHLETE_OK && j < n->size; j++)
        if (!isfinite(mean[j]) || !(var[j] >= 0 && isfinite(var[j])))
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "normalizer: dimension %zu has mean %g and variance %g", j, mean[j], var[j]);
    if (st != ATHLETE_OK) {
        for (size_t j = 0; j < n->size; j++) {
            mean[j] = 0.0;
            var[j] = 1.0;
        }
        n->count = 1e-4;
    } else {
        n->count = count;
    }
    refresh(n);
    return st;
}
