/* OpenBLAS kernel and thread reporting (see blas.h). */
#include <athlete/blas.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Declared by OpenBLAS's cblas.h, but not by every cblas.h on the include path. */
extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);

const char *athlete_blas_corename(void) { return openblas_get_corename(); }
int athlete_blas_threads(void) { return openblas_get_num_threads(); }
void athlete_blas_set_threads(int threads) { openblas_set_num_threads(threads > 0 ? threads : 1); }

void athlete_blas_use_default_threads(void)
{
    const char *env = getenv("ATHLETE_BLAS_THREADS");
    int threads = env ? atoi(env) : 1;
    if (openblas_get_num_threads() != threads)
        athlete_blas_set_threads(threads);
}

static bool cpu_avx512(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
#else
    return false;
#endif
}

static bool cpu_avx2_fma(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

const char *athlete_blas_recommended_coretype(void)
{
    return cpu_avx512() ? "SkylakeX" : cpu_avx2_fma() ? "Haswell" : NULL;
}

const char *athlete_blas_coretype_for(const char *corename, bool cpu_has_avx512, bool cpu_has_avx2_fma)
{
    if (!corename)
        return NULL;
    /* OpenBLAS's names of kernels without AVX2 (SSE-era and unknown cores). */
    static const char *const generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                          "Sandybridge", "Atom", "Katmai", "Coppermine",
                                          "Northwood", "Banias", "Opteron", "Barcelona",
                                          "Bobcat", "Bulldozer", "Piledriver", "Steamroller",
                                          "Excavator", "Unknown", "generic"};
    bool is_generic = false;
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        is_generic |= strcasecmp(corename, generic[i]) == 0;
    if (!is_generic)
        return NULL; /* Haswell kernels on an AVX-512 CPU are good, if not the best: not a trap */
    return cpu_has_avx512 ? "SkylakeX" : cpu_has_avx2_fma ? "Haswell" : NULL;
}

bool athlete_blas_kernel_is_generic(void)
{
    return athlete_blas_coretype_for(athlete_blas_corename(), cpu_avx512(), cpu_avx2_fma()) != NULL;
}

const char *athlete_blas_forced_slower_for(const char *forced, bool cpu_has_avx512, bool cpu_has_avx2_fma)
{
    if (!forced || !*forced)
        return NULL;
    const char *better = athlete_blas_coretype_for(forced, cpu_has_avx512, cpu_has_avx2_fma);
    if (better)
        return better;
    bool avx2_kernel = strcasecmp(forced, "Haswell") == 0 || strcasecmp(forced, "Zen") == 0;
    return avx2_kernel && cpu_has_avx512 ? "SkylakeX" : NULL;
}

const char *athlete_blas_forced_slower(void)
{
    return athlete_blas_forced_slower_for(getenv("OPENBLAS_CORETYPE"), cpu_avx512(), cpu_avx2_fma());
}
