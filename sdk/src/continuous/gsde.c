/* Generalised state-dependent exploration (see <athlete/gsde.h>). Sums run in double
 * precision, row by row in a fixed order, so results do not depend on the BLAS kernel. */
#include <athlete/gsde.h>

#include <athlete/alloc.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* log(2 pi) / 2 */
#define HALF_LOG_2PI 0.91893853320467274178
/* Added to the variance so that a zero latent row keeps a finite density. */
#define VARIANCE_EPS 1e-6

struct athlete_gsde {
    size_t latent, actions, params;
    bool full_std;
    int64_t sample_freq;
    uint64_t steps; /* acting steps on the current matrix (sample_freq > 0) */
    athlete_rng rng;
    float *log_std, *grads, *draws,
        *staging;             /* params, params, latent × actions, params + latent × actions */
    double *sigma, *grad_sum; /* latent × actions each: exp(log_std) broadcast, scratch */
};

#define OPTIONS_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_gsde_options, stream)

athlete_status athlete_gsde_create(const athlete_gsde_options *o, athlete_gsde **out, athlete_error *err)
{
    if (!o || !out || o->struct_size < OPTIONS_SIZE_1_0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "gsde create: NULL argument or short options");
    if (o->latent_size < 1 || o->action_size < 1 || o->latent_size > (1u << 20) ||
        o->action_size > (1u << 20) || o->latent_size * o->action_size > (1u << 24))
        return athlete_error_set(
            err, ATHLETE_E_INVALID_ARGUMENT,
            "gsde create: latent size %zu and action size %zu must be >= 1 with a product <= 2^24",
            o->latent_size, o->action_size);
    if (!(fabs(o->log_std_init) <= ATHLETE_GSDE_MAX_ABS_LOG_STD))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "gsde create: log_std_init %g is not in [-%g, %g]", o->log_std_init,
                                 ATHLETE_GSDE_MAX_ABS_LOG_STD, ATHLETE_GSDE_MAX_ABS_LOG_STD);
    if (o->sample_freq < 1 && o->sample_freq != -1)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "gsde create: sample_freq must be -1 or >= 1, got %lld",
                                 (long long)o->sample_freq);
    athlete_gsde *g = athlete_calloc(1, sizeof *g);
    if (!g)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "gsde create: out of memory");
    size_t matrix = o->latent_size * o->action_size;
    g->latent = o->latent_size;
    g->actions = o->action_size;
    g->params = o->full_std ? matrix : o->latent_size;
    g->full_std = o->full_std;
    g->sample_freq = o->sample_freq;
    g->log_std = athlete_calloc(3 * g->params + 2 * matrix, sizeof *g->log_std);
    g->sigma = athlete_calloc(2 * matrix, sizeof *g->sigma);
    if (!g->log_std || !g->sigma) {
        athlete_gsde_destroy(g);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "gsde create: out of memory");
    }
    g->grads = g->log_std + g->params;
    g->draws = g->grads + g->params;
    g->staging = g->draws + matrix;
    g->grad_sum = g->sigma + matrix;
    for (size_t k = 0; k < g->params; k++)
        g->log_std[k] = (float)o->log_std_init;
    athlete_rng_seed(&g->rng, o->seed, o->stream);
    athlete_gsde_resample(g);
    *out = g;
    return ATHLETE_OK;
}

void athlete_gsde_destroy(athlete_gsde *g)
{
    if (!g)
        return;
    athlete_free(g->log_std);
    athlete_free(g->sigma);
    athlete_free(g);
}

size_t athlete_gsde_param_count(const athlete_gsde *g) { return g->params; }
float *athlete_gsde_log_std(const athlete_gsde *g) { return g->log_std; }
float *athlete_gsde_grads(const athlete_gsde *g) { return g->grads; }
size_t athlete_gsde_latent_size(const athlete_gsde *g) { return g->latent; }
size_t athlete_gsde_action_size(const athlete_gsde *g) { return g->actions; }
const float *athlete_gsde_acting_draws(const athlete_gsde *g) { return g->draws; }

void athlete_gsde_draw(const athlete_gsde *g, athlete_rng *rng, float *draws)
{
    for (size_t k = 0; k < g->latent * g->actions; k++)
        draws[k] = (float)athlete_rng_normal(rng);
}

void athlete_gsde_resample(athlete_gsde *g)
{
    athlete_gsde_draw(g, &g->rng, g->draws);
    g->steps = 0;
}

/* sigma_ji = exp(log_std) for every (feature j, action element i), row-major. */
static void refresh_sigma(athlete_gsde *g)
{
    for (size_t j = 0; j < g->latent; j++)
        for (size_t i = 0; i < g->actions; i++)
            g->sigma[j * g->actions + i] = exp((double)g->log_std[g->full_std ? j * g->actions + i : j]);
}

/* The variance of action element i for one latent row. */
static double variance(const athlete_gsde *g, const float *z, size_t i)
{
    double v = VARIANCE_EPS;
    for (size_t j = 0; j < g->latent; j++) {
        double s = (double)z[j] * g->sigma[j * g->actions + i];
        v += s * s;
    }
    return v;
}

static double noise_of(const athlete_gsde *g, const float *z, const float *draws, size_t i)
{
    double n = 0.0;
    for (size_t j = 0; j < g->latent; j++)
        n += (double)z[j] * g->sigma[j * g->actions + i] * (double)draws[j * g->actions + i];
    return n;
}

static double gaussian_log_density(double deviation, double v)
{
    return -deviation * deviation / (2.0 * v) - 0.5 * log(v) - HALF_LOG_2PI;
}

void athlete_gsde_act(athlete_gsde *g, const float *latent, float *noise)
{
    if (g->sample_freq > 0) {
        if (g->steps >= (uint64_t)g->sample_freq)
            athlete_gsde_resample(g);
        g->steps++;
    }
    athlete_gsde_forward(g, latent, g->draws, 1, noise, NULL);
}

void athlete_gsde_forward(athlete_gsde *g, const float *latent, const float *draws, size_t batch,
                          float *noise, float *log_prob)
{
    refresh_sigma(g);
    for (size_t r = 0; r < batch; r++) {
        const float *z = latent + r * g->latent;
        double lp = 0.0;
        for (size_t i = 0; i < g->actions; i++) {
            double n = noise_of(g, z, draws, i);
            noise[r * g->actions + i] = (float)n;
            if (log_prob)
                lp += gaussian_log_density(n, variance(g, z, i));
        }
        if (log_prob)
            log_prob[r] = (float)lp;
    }
}

void athlete_gsde_log_prob(athlete_gsde *g, const float *latent, const float *deviation, size_t batch,
                           float *log_prob)
{
    refresh_sigma(g);
    for (size_t r = 0; r < batch; r++) {
        const float *z = latent + r * g->latent;
        double lp = 0.0;
        for (size_t i = 0; i < g->actions; i++)
            lp += gaussian_log_density((double)deviation[r * g->actions + i], variance(g, z, i));
        log_prob[r] = (float)lp;
    }
}

void athlete_gsde_backward(athlete_gsde *g, const float *latent, const float *draws, size_t batch,
                           const float *d_noise, const float *d_log_prob)
{
    refresh_sigma(g);
    size_t matrix = g->latent * g->actions;
    memset(g->grad_sum, 0, matrix * sizeof *g->grad_sum);
    for (size_t r = 0; r < batch; r++) {
        const float *z = latent + r * g->latent;
        double g_lp = d_log_prob ? d_log_prob[r] : 0.0;
        for (size_t i = 0; i < g->actions; i++) {
            double n = noise_of(g, z, draws, i), v = variance(g, z, i);
            /* through the noise: dL/dn plus the density's -n / v; through the variance:
             * d/dv [-n^2 / (2 v) - log(v) / 2] = n^2 / (2 v^2) - 1 / (2 v) */
            double g_n = (d_noise ? d_noise[r * g->actions + i] : 0.0) - g_lp * n / v;
            double g_v = g_lp * (n * n / (2.0 * v * v) - 0.5 / v);
            for (size_t j = 0; j < g->latent; j++) {
                size_t k = j * g->actions + i;
                double zs = (double)z[j] * g->sigma[k];
                /* dn/dlog sigma_ji = z_j sigma_ji E_ji, dv/dlog sigma_ji = 2 z_j^2 sigma_ji^2 */
                g->grad_sum[k] += g_n * zs * (double)draws[k] + g_v * 2.0 * zs * zs;
            }
        }
    }
    for (size_t j = 0; j < g->latent; j++)
        for (size_t i = 0; i < g->actions; i++)
            g->grads[g->full_std ? j * g->actions + i : j] += (float)g->grad_sum[j * g->actions + i];
}

void athlete_gsde_zero_grad(athlete_gsde *g) { memset(g->grads, 0, g->params * sizeof *g->grads); }

static void record(char *out, size_t size, const char *name, const char *field)
{
    snprintf(out, size, "%s.%s", name, field);
}

athlete_status athlete_gsde_save(const athlete_gsde *g, athlete_writer *w, const char *name,
                                 athlete_error *err)
{
    char rec[96];
    athlete_status st;
    record(rec, sizeof rec, name, "log_std");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_F32, g->log_std, g->params, err)))
        return st;
    record(rec, sizeof rec, name, "draws");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_F32, g->draws, g->latent * g->actions, err)))
        return st;
    record(rec, sizeof rec, name, "steps");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_U64, &g->steps, 1, err)))
        return st;
    record(rec, sizeof rec, name, "rng");
    return athlete_writer_put(w, rec, ATHLETE_RECORD_BYTES, &g->rng, sizeof g->rng, err);
}

/* count values of a record, each finite with |value| <= bound. */
static athlete_status get_bounded(athlete_reader *r, const char *rec, float *data, size_t count, double bound,
                                  athlete_error *err)
{
    athlete_status st = athlete_reader_get_finite(r, rec, data, count, err);
    for (size_t k = 0; st == ATHLETE_OK && k < count; k++)
        if (!(fabs((double)data[k]) <= bound))
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "gsde: record '%s' holds %g at %zu, outside [-%g, %g]", rec,
                                   (double)data[k], k, bound, bound);
    return st;
}

athlete_status athlete_gsde_load(athlete_gsde *g, athlete_reader *r, const char *name, athlete_error *err)
{
    char rec[96];
    athlete_status st;
    size_t matrix = g->latent * g->actions;
    float *log_std = g->staging, *draws = g->staging + g->params;
    uint64_t steps;
    athlete_rng rng;
    /* log sigma is trained like the network's weights and, like them, may have diverged:
     * any value loads (what an agent saves must load), and a policy whose noise is then
     * not finite refuses to act. Only the draws and the counter are never trained. */
    record(rec, sizeof rec, name, "log_std");
    if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_F32, log_std, g->params, err)))
        return st;
    record(rec, sizeof rec, name, "draws");
    if ((st = get_bounded(r, rec, draws, matrix, ATHLETE_GSDE_MAX_ABS_DRAW, err)))
        return st;
    record(rec, sizeof rec, name, "steps");
    if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_U64, &steps, 1, err)))
        return st;
    uint64_t max_steps = g->sample_freq > 0 ? (uint64_t)g->sample_freq : 0;
    if (steps > max_steps)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "gsde: record '%s' holds %llu, beyond the sampling frequency's %llu", rec,
                                 (unsigned long long)steps, (unsigned long long)max_steps);
    record(rec, sizeof rec, name, "rng");
    if ((st = athlete_reader_get_rng(r, rec, &rng, err)))
        return st;
    memcpy(g->log_std, log_std, g->params * sizeof *log_std);
    memcpy(g->draws, draws, matrix * sizeof *draws);
    g->steps = steps;
    g->rng = rng;
    return ATHLETE_OK;
}
