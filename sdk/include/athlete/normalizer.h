/* Running observation normalisation (SB3's VecNormalize / RunningMeanStd, RLtools'
 * observation normaliser): per-dimension running mean and variance, merged batch by batch
 * with the parallel-variance formula, and x -> clip((x - mean) / sqrt(var + 1e-8), ±clip).
 *
 * Statistics start at mean 0, variance 1, count 1e-4 (SB3's values). An algorithm
 * decides when to update them; PPO updates them after each rollout's gradient update, so
 * every observation of a rollout is normalised with the statistics it was acted on.
 * apply and update never allocate. Save/load write the records "<prefix>.mean", ".var"
 * (f64, size each) and ".count" (prefix NULL or "": no prefix). */
#ifndef ATHLETE_NORMALIZER_H
#define ATHLETE_NORMALIZER_H

#include <stddef.h>

#include <athlete/checkpoint.h>
#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_normalizer athlete_normalizer;

/* size >= 1 floats per row; clip > 0 (SB3: 10). */
ATHLETE_API athlete_status athlete_normalizer_create(size_t size, double clip, athlete_normalizer **out,
                                                     athlete_error *err);
ATHLETE_API void athlete_normalizer_destroy(athlete_normalizer *normalizer);
/* Merges `rows` rows (row-major, size floats each) into the statistics. */
ATHLETE_API void athlete_normalizer_update(athlete_normalizer *normalizer, const float *x, size_t rows);
/* Normalises `rows` rows from x into out (may be x). */
ATHLETE_API void athlete_normalizer_apply(const athlete_normalizer *normalizer, const float *x, float *out,
                                          size_t rows);
ATHLETE_API const double *athlete_normalizer_mean(const athlete_normalizer *normalizer);
ATHLETE_API const double *athlete_normalizer_var(const athlete_normalizer *normalizer);
ATHLETE_API double athlete_normalizer_count(const athlete_normalizer *normalizer);
ATHLETE_API athlete_status athlete_normalizer_save(const athlete_normalizer *normalizer, const char *prefix,
                                                   athlete_writer *w, athlete_error *err);
/* Refuses a non-finite mean, a negative or non-finite variance or a count <= 0. */
ATHLETE_API athlete_status athlete_normalizer_load(athlete_normalizer *normalizer, const char *prefix,
                                                   athlete_reader *r, athlete_error *err);

ATHLETE_END_DECLS

#endif
