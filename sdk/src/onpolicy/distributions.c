/* Gaussian and categorical action distributions (see distributions.h). */
#include <athlete/distributions.h>

#include <math.h>

/* ½ log 2π */
#define HALF_LOG_2PI 0.91893853320467274178

/* ---- Diagonal Gaussian ---- */

double athlete_gaussian_log_prob(const float *x, const float *mean, const float *log_std, size_t dim)
{
    double sum = 0.0;
    for (size_t i = 0; i < dim; i++) {
        double ls = (double)log_std[i];
        double z = ((double)x[i] - (double)mean[i]) * exp(-ls);
        sum += -0.5 * z * z - ls - HALF_LOG_2PI;
    }
    return sum;
}

double athlete_gaussian_entropy(const float *log_std, size_t dim)
{
    double sum = 0.0;
    for (size_t i = 0; i < dim; i++)
        sum += 0.5 + HALF_LOG_2PI + (double)log_std[i];
    return sum;
}

void athlete_gaussian_log_prob_grad(const float *x, const float *mean, const float *log_std, size_t dim,
                                    double scale, float *d_mean, float *d_log_std)
{
    for (size_t i = 0; i < dim; i++) {
        double inv_var = exp(-2.0 * (double)log_std[i]);
        double diff = (double)x[i] - (double)mean[i];
        if (d_mean)
            d_mean[i] += (float)(scale * diff * inv_var);
        if (d_log_std)
            d_log_std[i] += (float)(scale * (diff * diff * inv_var - 1.0));
    }
}

void athlete_gaussian_entropy_grad(size_t dim, double scale, float *d_log_std)
{
    for (size_t i = 0; i < dim; i++)
        d_log_std[i] += (float)scale;
}

void athlete_gaussian_sample(athlete_rng *rng, const float *mean, const float *log_std, size_t dim,
                             float *x)
{
    for (size_t i = 0; i < dim; i++)
        x[i] = (float)((double)mean[i] + exp((double)log_std[i]) * athlete_rng_normal(rng));
}

/* ---- Categorical ---- */

/* max z and log Σ exp(z − max): log π_j = z_j − max − lse. */
static void log_normaliser(const float *z, size_t n, double *max, double *lse)
{
    double m = (double)z[0];
    for (size_t j = 1; j < n; j++)
        if ((double)z[j] > m)
            m = (double)z[j];
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += exp((double)z[j] - m);
    *max = m;
    *lse = log(s);
}

double athlete_categorical_log_prob(const float *logits, size_t n, size_t action)
{
    double m, lse;
    log_normaliser(logits, n, &m, &lse);
    return (double)logits[action] - m - lse;
}

double athlete_categorical_entropy(const float *logits, size_t n)
{
    double m, lse;
    log_normaliser(logits, n, &m, &lse);
    double h = 0.0;
    for (size_t j = 0; j < n; j++) {
        double lp = (double)logits[j] - m - lse;
        double p = exp(lp);
        if (p > 0.0)
            h -= p * lp;
    }
    return h;
}

void athlete_categorical_log_prob_grad(const float *logits, size_t n, size_t action, double scale,
                                       float *d_logits)
{
    double m, lse;
    log_normaliser(logits, n, &m, &lse);
    for (size_t j = 0; j < n; j++) {
        double p = exp((double)logits[j] - m - lse);
        d_logits[j] += (float)(scale * ((j == action ? 1.0 : 0.0) - p));
    }
}

void athlete_categorical_entropy_grad(const float *logits, size_t n, double scale, float *d_logits)
{
    double m, lse;
    log_normaliser(logits, n, &m, &lse);
    double h = 0.0;
    for (size_t j = 0; j < n; j++) {
        double lp = (double)logits[j] - m - lse;
        double p = exp(lp);
        if (p > 0.0)
            h -= p * lp;
    }
    for (size_t j = 0; j < n; j++) {
        double lp = (double)logits[j] - m - lse;
        double p = exp(lp);
        if (p > 0.0)
            d_logits[j] += (float)(scale * (-p * (lp + h)));
    }
}

size_t athlete_categorical_sample(athlete_rng *rng, const float *logits, size_t n)
{
    double m, lse;
    log_normaliser(logits, n, &m, &lse);
    double u = athlete_rng_uniform(rng), cumulative = 0.0;
    size_t last = 0;
    for (size_t j = 0; j < n; j++) {
        double p = exp((double)logits[j] - m - lse);
        if (p <= 0.0)
            continue;
        last = j;
        cumulative += p;
        if (u < cumulative)
            return j;
    }
    return last; /* rounding left the total a hair below u */
}

size_t athlete_categorical_mode(const float *logits, size_t n)
{
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (logits[j] > logits[best])
            best = j;
    return best;
}
