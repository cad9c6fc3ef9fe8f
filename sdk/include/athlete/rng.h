/* Explicit, per-component random number generators (xoshiro256++ seeded by splitmix64).
 *
 * Every random draw in Athlete comes from one of these, never from rand() or a global,
 * so two agents in one process are independent and a checkpoint can save every stream.
 * The struct is a transparent value type so hot loops can keep it in registers; its
 * layout is part of the ABI. */
#ifndef ATHLETE_RNG_H
#define ATHLETE_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_rng {
    uint64_t s[4];
    double spare_normal; /* Box–Muller produces pairs; the second is kept here */
    uint64_t has_spare;  /* 0 or 1 (uint64_t keeps the layout free of padding) */
} athlete_rng;

/* Seeds one stream: the same (seed, stream) pair always gives the same sequence, and
 * different stream numbers give unrelated sequences (components use their own). */
ATHLETE_API void athlete_rng_seed(athlete_rng *rng, uint64_t seed, uint64_t stream);
ATHLETE_API uint64_t athlete_rng_next_u64(athlete_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
ATHLETE_API double athlete_rng_uniform(athlete_rng *rng);
/* Uniform in [0, 1) as float (24 random bits). */
ATHLETE_API float athlete_rng_uniform_float(athlete_rng *rng);
/* Uniform integer in [0, n) without modulo bias (Lemire's method); n must be > 0. */
ATHLETE_API uint64_t athlete_rng_below(athlete_rng *rng, uint64_t n);
/* Uniform double in [low, high). */
ATHLETE_API double athlete_rng_uniform_range(athlete_rng *rng, double low, double high);
/* Standard normal N(0, 1) (polar Box–Muller, pairs cached). */
ATHLETE_API double athlete_rng_normal(athlete_rng *rng);
/* Fisher–Yates shuffle of 0..n-1 into perm. */
ATHLETE_API void athlete_rng_permutation(athlete_rng *rng, size_t *perm, size_t n);
/* k distinct indices from [0, n) (k <= n) into out, uniformly, in random order, in O(k).
 * scratch must hold at least n entries holding the identity 0, 1, ..., n-1 (fill it once);
 * it is used as the shuffle pool and is the identity again on return. */
ATHLETE_API void athlete_rng_sample_without_replacement(athlete_rng *rng, size_t n, size_t k,
                                                        size_t *out, size_t *scratch);

ATHLETE_END_DECLS

#endif
