/* Which OpenBLAS kernels the process runs, and the kernel trap.
 *
 * OpenBLAS picks its kernels once, when it loads, from the CPU it recognises. Debian's
 * 0.3.21 does not recognise some AVX-512 CPUs and silently falls back to SSE3 kernels
 * ("Prescott"), 4-5x slower; OPENBLAS_CORETYPE set before the library loads overrides
 * the choice. Athlete reports the kernel (CLI `athlete plugins`, checkpoints, bench
 * output); the CLI re-executes itself with the recommended OPENBLAS_CORETYPE when the
 * kernel is generic and the user has not chosen one (see tools/athlete.c). */
#ifndef ATHLETE_BLAS_H
#define ATHLETE_BLAS_H

#include <stdbool.h>

#include <athlete/export.h>

ATHLETE_BEGIN_DECLS

/* openblas_get_corename(): "SkylakeX", "Haswell", "Prescott", ... */
ATHLETE_API const char *athlete_blas_corename(void);
ATHLETE_API int athlete_blas_threads(void);
/* Athlete's matrices are small: one thread is faster (and results do not depend on the
 * thread count). Every MLP creation calls this with 1 unless ATHLETE_BLAS_THREADS is set. */
ATHLETE_API void athlete_blas_set_threads(int threads);
ATHLETE_API void athlete_blas_use_default_threads(void);
/* The OPENBLAS_CORETYPE this CPU should use ("SkylakeX" with AVX-512, "Haswell" with
 * AVX2 and FMA), or NULL when nothing better than what OpenBLAS chose is known. */
ATHLETE_API const char *athlete_blas_recommended_coretype(void);
/* True when the CPU can do better than the kernel OpenBLAS picked (the trap). */
ATHLETE_API bool athlete_blas_kernel_is_generic(void);
/* The decision itself, as a pure function of the kernel name and the CPU's features:
 * the OPENBLAS_CORETYPE to re-run with, or NULL to keep the kernel OpenBLAS chose.
 * A generic (pre-AVX2) kernel on a CPU with AVX-512 → "SkylakeX"; with AVX2+FMA →
 * "Haswell"; anything else → NULL. */
ATHLETE_API const char *athlete_blas_coretype_for(const char *corename, bool cpu_has_avx512,
                                                  bool cpu_has_avx2_fma);

/* The user's choice, checked (warn, never override): when the kernel named by
 * OPENBLAS_CORETYPE is slower than what the CPU supports, the faster OPENBLAS_CORETYPE,
 * else NULL. A forced AVX2 kernel (Haswell, Zen) on an AVX-512 CPU → "SkylakeX" (on a
 * Zen 5, forced Haswell runs sgemm at about half the auto-picked Cooperlake's speed); a
 * forced generic kernel → what athlete_blas_coretype_for gives; NULL forced → NULL. */
ATHLETE_API const char *athlete_blas_forced_slower_for(const char *forced, bool cpu_has_avx512,
                                                       bool cpu_has_avx2_fma);
/* The same for this process's OPENBLAS_CORETYPE and CPU. */
ATHLETE_API const char *athlete_blas_forced_slower(void);

ATHLETE_END_DECLS

#endif
