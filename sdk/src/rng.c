/* xoshiro256++ (Blackman & Vigna) seeded through splitmix64. */
#include <athlete/rng.h>

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void athlete_rng_seed(athlete_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Mix the stream in through its own splitmix step so (seed, stream) pairs that differ
     * in either part start far apart. */
    uint64_t x = seed;
    uint64_t s = stream;
    x ^= splitmix64(&s);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    rng->spare_normal = 0.0;
    rng->has_spare = 0;
}

uint64_t athlete_rng_next_u64(athlete_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double athlete_rng_uniform(athlete_rng *rng)
{
    return (double)(athlete_rng_next_u64(rng) >> 11) * 0x1.0p-53;
}

float athlete_rng_uniform_float(athlete_rng *rng)
{
    return (float)(athlete_rng_next_u64(rng) >> 40) * 0x1.0p-24f;
}

uint64_t athlete_rng_below(athlete_rng *rng, uint64_t n)
{
    /* Lemire's nearly-divisionless method, 64-bit. */
    uint64_t x = athlete_rng_next_u64(rng);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = athlete_rng_next_u64(rng);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double athlete_rng_uniform_range(athlete_rng *rng, double low, double high)
{
    return low + (high - low) * athlete_rng_uniform(rng);
}

double athlete_rng_normal(athlete_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare_normal;
    }
    double u, v, s;
    do {
        u = 2.0 * athlete_rng_uniform(rng) - 1.0;
        v = 2.0 * athlete_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    rng->spare_normal = v * f;
    rng->has_spare = 1;
    return u * f;
}

void athlete_rng_permutation(athlete_rng *rng, size_t *perm, size_t n)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)athlete_rng_below(rng, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

void athlete_rng_sample_without_replacement(athlete_rng *rng, size_t n, size_t k, size_t *out,
                                            size_t *scratch)
{
    /* Partial Fisher–Yates on the caller's identity pool, then undone in reverse so the
     * pool is the identity again: O(k) per call instead of O(n). Step i only touches
     * slots >= i, so slot i holds the i-th pick until step i itself is undone. */
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)athlete_rng_below(rng, n - i);
        size_t t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        out[i] = j;
    }
    for (size_t i = k; i-- > 0;) {
        size_t j = out[i];
        size_t picked = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = picked;
        out[i] = picked;
    }
}
