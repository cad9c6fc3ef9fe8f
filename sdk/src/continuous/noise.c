/* Exploration noise processes (see <athlete/noise.h>). */
#include <athlete/noise.h>

#include <athlete/alloc.h>
#include <athlete/rng.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

struct athlete_noise {
    athlete_noise_kind kind;
    size_t size;
    double std, theta, dt, mu;
    athlete_rng rng;
    double *x; /* ornstein_uhlenbeck: the state, float64 as the original's numpy array */
    /* colored */
    size_t horizon, half;  /* half = horizon / 2 frequencies after f = 0 */
    double beta, norm;     /* norm = sqrt(2 / sum amplitude^2): unit variance in expectation */
    float *sequence;       /* [element][t], horizon per element */
    uint64_t position;     /* next t; == horizon: generate a new sequence first */
    double *amplitude;     /* half + 1 (index 0 unused) */
    double *cos_table, *sin_table; /* cos/sin(2 pi i / horizon), horizon entries */
    double *re, *im;       /* half + 1: amplitude * cos/sin(phase) of the current element */
};

static const char *const kind_names[] = {NULL, "gaussian", "ornstein_uhlenbeck", "colored"};

const char *athlete_noise_kind_name(athlete_noise_kind kind)
{
    return kind >= ATHLETE_NOISE_GAUSSIAN && kind <= ATHLETE_NOISE_COLORED ? kind_names[kind] : NULL;
}

athlete_status athlete_noise_kind_parse(const char *name, athlete_noise_kind *out, athlete_error *err)
{
    for (int k = ATHLETE_NOISE_GAUSSIAN; name && out && k <= ATHLETE_NOISE_COLORED; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (athlete_noise_kind)k;
            return ATHLETE_OK;
        }
    return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                             "unknown noise process '%s' (expected \"gaussian\", \"ornstein_uhlenbeck\" or \"colored\")",
                             name ? name : "(null)");
}

void athlete_noise_destroy(athlete_noise *noise)
{
    if (!noise)
        return;
    athlete_free(noise->x);
    athlete_free(noise->sequence);
    athlete_free(noise->amplitude);
    athlete_free(noise->cos_table);
    athlete_free(noise->sin_table);
    athlete_free(noise->re);
    athlete_free(noise->im);
    athlete_free(noise);
}

#define NOISE_OPTIONS_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_noise_options, stream)

athlete_status athlete_noise_create(const athlete_noise_options *o, athlete_noise **out, athlete_error *err)
{
    if (!o || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "noise create: NULL or short options");
    if (o->struct_size < NOISE_OPTIONS_SIZE_1_0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "noise create: options.struct_size is %zu, smaller than ABI 1.0's %zu",
                                 o->struct_size, (size_t)NOISE_OPTIONS_SIZE_1_0);
    const char *name = athlete_noise_kind_name(o->kind);
    if (!name)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "noise create: unknown kind %d", (int)o->kind);
    if (o->size == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s noise: size must be >= 1", name);
    if (!(o->noise_std >= 0 && isfinite(o->noise_std)))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s noise: 'noise_std' must be >= 0, got %g", name,
                                 o->noise_std);
    if (o->kind == ATHLETE_NOISE_ORNSTEIN_UHLENBECK) {
        if (!(o->theta >= 0 && isfinite(o->theta)))
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s noise: 'theta' must be >= 0, got %g", name,
                                     o->theta);
        if (!(o->dt > 0 && isfinite(o->dt)))
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s noise: 'dt' must be > 0, got %g", name, o->dt);
        if (!isfinite(o->mu))
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s noise: 'mu' must be finite, got %g", name, o->mu);
    }
    if (o->kind == ATHLETE_NOISE_COLORED) {
        if (o->horizon < 2 || o->horizon > ATHLETE_NOISE_MAX_HORIZON)
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                     "%s noise: 'horizon' must be in [2, %d] (the sequence is made by a plain DFT), got %zu",
                                     name, ATHLETE_NOISE_MAX_HORIZON, o->horizon);
        if (!isfinite(o->beta))
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s noise: 'beta' must be finite, got %g", name,
                                     o->beta);
    }
    athlete_noise *n = athlete_calloc(1, sizeof *n);
    if (!n)
        goto no_memory;
    n->kind = o->kind;
    n->size = o->size;
    n->std = o->noise_std;
    n->theta = o->theta;
    n->dt = o->dt;
    n->mu = o->mu;
    athlete_rng_seed(&n->rng, o->seed, o->stream);
    if (o->kind == ATHLETE_NOISE_ORNSTEIN_UHLENBECK) {
        if (!(n->x = athlete_calloc(o->size, sizeof *n->x)))
            goto no_memory;
    } else if (o->kind == ATHLETE_NOISE_COLORED) {
        size_t h = o->horizon;
        n->horizon = h;
        n->half = h / 2;
        n->beta = o->beta;
        n->position = h;
        if (o->size > SIZE_MAX / sizeof(float) / h)
            goto no_memory;
        n->sequence = athlete_calloc(o->size * h, sizeof *n->sequence);
        n->amplitude = athlete_calloc(n->half + 1, sizeof *n->amplitude);
        n->re = athlete_calloc(n->half + 1, sizeof *n->re);
        n->im = athlete_calloc(n->half + 1, sizeof *n->im);
        n->cos_table = athlete_malloc(h * sizeof *n->cos_table);
        n->sin_table = athlete_malloc(h * sizeof *n->sin_table);
        if (!n->sequence || !n->amplitude || !n->re || !n->im || !n->cos_table || !n->sin_table)
            goto no_memory;
        for (size_t i = 0; i < h; i++) {
            double angle = 2.0 * M_PI * (double)i / (double)h;
            n->cos_table[i] = cos(angle);
            n->sin_table[i] = sin(angle);
        }
        double power = 0.0;
        for (size_t k = 1; k <= n->half; k++) {
            n->amplitude[k] = pow((double)k / (double)h, -o->beta / 2.0); /* |f|^(-beta/2) */
            power += n->amplitude[k] * n->amplitude[k];
        }
        /* sum_k A_k cos(2 pi k t / h + phi_k) has variance sum_k A_k^2 / 2 over uniform phases */
        n->norm = sqrt(2.0 / power);
    }
    *out = n;
    return ATHLETE_OK;
no_memory:
    athlete_noise_destroy(n);
    return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s noise: out of memory", name);
}

athlete_noise_kind athlete_noise_kind_of(const athlete_noise *noise) { return noise->kind; }
size_t athlete_noise_size(const athlete_noise *noise) { return noise->size; }
double athlete_noise_std(const athlete_noise *noise) { return noise->std; }

void athlete_noise_set_std(athlete_noise *noise, double noise_std)
{
    if (noise_std >= 0 && isfinite(noise_std))
        noise->std = noise_std;
}

/* A new unit-variance sequence per element: the real inverse DFT of the spectrum with
 * random phases, x_t = norm sum_k A_k cos(2 pi k t / h + phi_k), computed from the tables
 * as sum_k re_k cos(2 pi (k t mod h) / h) - im_k sin(...). */
static void generate_sequence(athlete_noise *n)
{
    size_t h = n->horizon;
    for (size_t j = 0; j < n->size; j++) {
        for (size_t k = 1; k <= n->half; k++) {
            double phase = 2.0 * M_PI * athlete_rng_uniform(&n->rng);
            n->re[k] = n->amplitude[k] * cos(phase);
            n->im[k] = n->amplitude[k] * sin(phase);
        }
        float *seq = n->sequence + j * h;
        for (size_t t = 0; t < h; t++) {
            double sum = 0.0;
            size_t index = 0; /* k t mod h, advanced by t per frequency */
            for (size_t k = 1; k <= n->half; k++) {
                index += t;
                if (index >= h)
                    index -= h;
                sum += n->re[k] * n->cos_table[index] - n->im[k] * n->sin_table[index];
            }
            seq[t] = (float)(sum * n->norm);
        }
    }
    n->position = 0;
}

void athlete_noise_sample(athlete_noise *n, float *out)
{
    switch (n->kind) {
    case ATHLETE_NOISE_GAUSSIAN:
        for (size_t j = 0; j < n->size; j++)
            out[j] = (float)(n->std * athlete_rng_normal(&n->rng));
        break;
    case ATHLETE_NOISE_ORNSTEIN_UHLENBECK: {
        double sqrt_dt = sqrt(n->dt);
        for (size_t j = 0; j < n->size; j++) {
            double x = n->x[j];
            x = x + n->theta * (n->mu - x) * n->dt + n->std * sqrt_dt * athlete_rng_normal(&n->rng);
            n->x[j] = x;
            out[j] = (float)x;
        }
        break;
    }
    case ATHLETE_NOISE_COLORED:
        if (n->position >= n->horizon)
            generate_sequence(n);
        for (size_t j = 0; j < n->size; j++)
            out[j] = (float)(n->std * (double)n->sequence[j * n->horizon + n->position]);
        n->position++;
        break;
    }
}

void athlete_noise_reset(athlete_noise *n)
{
    if (n->kind == ATHLETE_NOISE_ORNSTEIN_UHLENBECK)
        memset(n->x, 0, n->size * sizeof *n->x);
    else if (n->kind == ATHLETE_NOISE_COLORED)
        n->position = n->horizon; /* generated on the next sample */
}

static void record(char *buf, size_t size, const char *name, const char *field)
{
    snprintf(buf, size, "%s%s%s", name ? name : "", name && *name ? "." : "", field);
}

athlete_status athlete_noise_save(const athlete_noise *n, athlete_writer *w, const char *name, athlete_error *err)
{
    char rec[96];
    athlete_status st;
    record(rec, sizeof rec, name, "rng");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_BYTES, &n->rng, sizeof n->rng, err)))
        return st;
    record(rec, sizeof rec, name, "std");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_F64, &n->std, 1, err)))
        return st;
    if (n->kind == ATHLETE_NOISE_ORNSTEIN_UHLENBECK) {
        record(rec, sizeof rec, name, "x");
        return athlete_writer_put(w, rec, ATHLETE_RECORD_F64, n->x, n->size, err);
    }
    if (n->kind == ATHLETE_NOISE_COLORED) {
        record(rec, sizeof rec, name, "position");
        if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_U64, &n->position, 1, err)))
            return st;
        record(rec, sizeof rec, name, "sequence");
        return athlete_writer_put(w, rec, ATHLETE_RECORD_F32, n->sequence, n->size * n->horizon, err);
    }
    return ATHLETE_OK;
}

athlete_status athlete_noise_load(athlete_noise *n, athlete_reader *r, const char *name, athlete_error *err)
{
    char rec[96];
    athlete_status st;
    athlete_rng rng;
    double std;
    record(rec, sizeof rec, name, "rng");
    if ((st = athlete_reader_get_rng(r, rec, &rng, err)))
        return st;
    record(rec, sizeof rec, name, "std");
    if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_F64, &std, 1, err)))
        return st;
    if (!(std >= 0 && isfinite(std)))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "noise: record '%s' holds %g", rec, std);
    if (n->kind == ATHLETE_NOISE_ORNSTEIN_UHLENBECK) {
        record(rec, sizeof rec, name, "x");
        if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_F64, n->x, n->size, err)))
            return st;
    } else if (n->kind == ATHLETE_NOISE_COLORED) {
        uint64_t position;
        record(rec, sizeof rec, name, "position");
        if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_U64, &position, 1, err)))
            return st;
        if (position > n->horizon)
            return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                     "noise: record '%s' holds %llu, beyond the horizon %zu", rec,
                                     (unsigned long long)position, n->horizon);
        record(rec, sizeof rec, name, "sequence");
        if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_F32, n->sequence, n->size * n->horizon, err)))
            return st;
        n->position = position;
    }
    n->rng = rng;
    n->std = std;
    return ATHLETE_OK;
}

athlete_status athlete_noise_options_read(const athlete_config *c, const char *class_key, const char *arguments_key,
                                          athlete_noise_options *out, athlete_error *err)
{
    char key[6][96];
    static const char *const names[6] = {"noise_std", "theta", "dt", "mu", "horizon", "beta"};
    for (int i = 0; i < 6; i++)
        snprintf(key[i], sizeof key[i], "%s.%s", arguments_key, names[i]);
    const char *kind;
    int64_t horizon;
    athlete_noise_options o = {.struct_size = sizeof o};
    athlete_status st;
    if ((st = athlete_config_get_string(c, class_key, &kind, err)) ||
        (st = athlete_config_get_real_in(c, key[0], 0, INFINITY, false, "a finite number >= 0", &o.noise_std, err)) ||
        (st = athlete_config_get_real(c, key[1], &o.theta, err)) || (st = athlete_config_get_real(c, key[2], &o.dt, err)) ||
        (st = athlete_config_get_real(c, key[3], &o.mu, err)) || (st = athlete_config_get_int(c, key[4], &horizon, err)) ||
        (st = athlete_config_get_real(c, key[5], &o.beta, err)))
        return st;
    if (athlete_noise_kind_parse(kind, &o.kind, NULL) != ATHLETE_OK)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s config: '%s' must be \"gaussian\", \"ornstein_uhlenbeck\" or \"colored\", got \"%s\"",
                                 athlete_config_owner(c), class_key, kind);
    /* Only the arguments the chosen process reads are checked. */
    if (o.kind == ATHLETE_NOISE_ORNSTEIN_UHLENBECK) {
        if (!(o.theta >= 0 && isfinite(o.theta)))
            return athlete_config_value_error(c, key[1], "a finite number >= 0", o.theta, err);
        if (!(o.dt > 0 && isfinite(o.dt)))
            return athlete_config_value_error(c, key[2], "a finite number > 0", o.dt, err);
        if (!isfinite(o.mu))
            return athlete_config_value_error(c, key[3], "finite", o.mu, err);
    }
    if (o.kind == ATHLETE_NOISE_COLORED) {
        if (horizon < 2 || horizon > ATHLETE_NOISE_MAX_HORIZON)
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s' must be in [2, %d], got %lld",
                                     athlete_config_owner(c), key[4], ATHLETE_NOISE_MAX_HORIZON, (long long)horizon);
        if (!isfinite(o.beta))
            return athlete_config_value_error(c, key[5], "finite", o.beta, err);
    }
    o.horizon = horizon > 0 ? (size_t)horizon : 0;
    *out = o;
    return ATHLETE_OK;
}
