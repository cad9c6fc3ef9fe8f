/* Exploration noise processes for deterministic actors, selected by the
 * configuration string "noise_process_class":
 *
 *   "gaussian"            independent N(0, noise_std^2) per element; stateless.
 *   "ornstein_uhlenbeck"  x <- x + theta (mu - x) dt + noise_std sqrt(dt) N(0, 1) per
 *                         element, emitting x; reset sets x = 0.
 *   "colored"             1/f^beta noise: `horizon` samples per element are generated at
 *                         once (uniform phases for the frequencies k/horizon, k = 1 ..
 *                         horizon/2, amplitude (k/horizon)^(-beta/2), nothing at f = 0),
 *                         normalised to unit variance in expectation and emitted one per
 *                         call, times noise_std; after `horizon` samples or a reset a new
 *                         sequence is generated. beta 0 is white, 1 pink, 2 red noise.
 *
 * Coloured noise uses a plain real inverse DFT, O(horizon^2 / 2) multiply-adds per element
 * and sequence from a cos/sin table of `horizon` entries: for the horizons of episodic
 * control (one episode, up to a few thousand steps) that is below a millisecond per
 * episode and needs no FFT library. horizon is limited to ATHLETE_NOISE_MAX_HORIZON.
 *
 * Each process draws from its own RNG stream and saves it with its state (the original
 * lost the OU/coloured state on checkpoints). Sampling and reset never
 * allocate: every buffer is sized at create time. */
#ifndef ATHLETE_NOISE_H
#define ATHLETE_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include <athlete/checkpoint.h>
#include <athlete/config.h>
#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_noise_kind {
    ATHLETE_NOISE_GAUSSIAN = 1,
    ATHLETE_NOISE_ORNSTEIN_UHLENBECK = 2,
    ATHLETE_NOISE_COLORED = 3,
} athlete_noise_kind;

#define ATHLETE_NOISE_MAX_HORIZON 10000

/* "gaussian", "ornstein_uhlenbeck", "colored"; NULL for an unknown value. */
ATHLETE_API const char *athlete_noise_kind_name(athlete_noise_kind kind);
/* The reverse, for configuration strings; ATHLETE_E_CONFIG_VALUE naming the value and the
 * accepted names otherwise. */
ATHLETE_API athlete_status athlete_noise_kind_parse(const char *name, athlete_noise_kind *out,
                                                    athlete_error *err);

typedef struct athlete_noise_options {
    size_t struct_size;
    athlete_noise_kind kind;
    size_t size;      /* elements per sample (the action size), >= 1 */
    double noise_std; /* >= 0 */
    double theta, dt, mu; /* ornstein_uhlenbeck: theta >= 0, dt > 0 */
    size_t horizon;       /* colored: 2 .. ATHLETE_NOISE_MAX_HORIZON */
    double beta;          /* colored: spectrum exponent, finite */
    uint64_t seed, stream; /* the process's RNG stream */
} athlete_noise_options;

typedef struct athlete_noise athlete_noise;

/* Reads an algorithm's exploration-noise keys: `class_key` names the kind
 * ("noise_process_class": "gaussian", "ornstein_uhlenbeck" or "colored") and
 * `arguments_key` the object of arguments ("noise_process_arguments": noise_std, theta,
 * dt, mu, horizon, beta), checked as athlete_noise_create does but with the
 * configuration's key names in the messages. Fills kind and the arguments; the caller
 * sets size, seed and stream. */
ATHLETE_API athlete_status athlete_noise_options_read(const athlete_config *config, const char *class_key,
                                                      const char *arguments_key,
                                                      athlete_noise_options *out, athlete_error *err);

/* Checks the options used by the kind (ATHLETE_E_CONFIG_VALUE naming the option). */
ATHLETE_API athlete_status athlete_noise_create(const athlete_noise_options *options,
                                                athlete_noise **out, athlete_error *err);
ATHLETE_API void athlete_noise_destroy(athlete_noise *noise);
ATHLETE_API athlete_noise_kind athlete_noise_kind_of(const athlete_noise *noise);
ATHLETE_API size_t athlete_noise_size(const athlete_noise *noise);

/* Writes the next sample (size floats). */
ATHLETE_API void athlete_noise_sample(athlete_noise *noise, float *out);
/* Start of an episode: OU state to 0, a fresh coloured sequence; Gaussian: nothing. */
ATHLETE_API void athlete_noise_reset(athlete_noise *noise);

/* The scale noise_std (e.g. td3's set_exploration_noise); values < 0 or NaN are ignored. */
ATHLETE_API double athlete_noise_std(const athlete_noise *noise);
ATHLETE_API void athlete_noise_set_std(athlete_noise *noise, double noise_std);

/* Records "<name>.rng", "<name>.std" and the kind's state ("<name>.x" for OU;
 * "<name>.sequence" and "<name>.position" for coloured). */
ATHLETE_API athlete_status athlete_noise_save(const athlete_noise *noise, athlete_writer *writer,
                                              const char *name, athlete_error *err);
ATHLETE_API athlete_status athlete_noise_load(athlete_noise *noise, athlete_reader *reader,
                                              const char *name, athlete_error *err);

ATHLETE_END_DECLS

#endif
