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

const char *athlete_blas_recommended_coretype(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}

bool athlete_blas_kernel_is_generic(void)
{
    const char *recommended = athlete_blas_recommended_coretype();
    if (!recommended)
        return false;
    const char *core = athlete_blas_corename();
    if (!core)
        return false;
    /* Kernels without AVX2: OpenBLAS's names for SSE-era and unknown cores. */
    static const char *const generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                          "Sandybridge", "Atom", "Katmai", "Coppermine",
                                          "Northwood", "Banias", "Opteron", "Barcelona",
                                          "Bobcat", "Bulldozer", "Piledriver", "Steamroller",
                                          "Excavator", "Unknown", "generic"};
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (strcasecmp(core, generic[i]) == 0)
            return true;
    /* Haswell kernels on an AVX-512 CPU are good, but not the best: not a trap. */
    return false;
}
