/* Shared by the neural-network sources; never installed. */
#ifndef ATHLETE_NN_PRIVATE_H
#define ATHLETE_NN_PRIVATE_H

/* Element-wise kernels (activations, Adam, Polyak) are compiled for SSE2 (the x86-64
 * baseline), AVX2 and AVX-512 and picked at load time (ifunc). They use only +, -, *, /,
 * sqrt, compares and conversions, all correctly rounded in every vector width, and the
 * build is ISO C (-std=c17 implies -ffp-contract=off, so no FMA contraction): every
 * clone gives bit-identical results, which keeps runs reproducible across CPUs. */
/* ThreadSanitizer instruments the ifunc resolvers too, and they run during relocation,
 * before its runtime exists (a crash at start-up): a TSan build uses the baseline clone,
 * which gives the same bits. */
#if defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define ATHLETE_NN_NO_CLONES 1
#  endif
#endif
#if defined(__SANITIZE_THREAD__)
#  define ATHLETE_NN_NO_CLONES 1
#endif
#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__) && defined(__has_attribute) && \
    !defined(ATHLETE_NN_NO_CLONES)
#  if __has_attribute(target_clones)
#    define ATHLETE_NN_CLONES __attribute__((target_clones("default", "avx2", "avx512f")))
#  endif
#endif
#ifndef ATHLETE_NN_CLONES
#  define ATHLETE_NN_CLONES
#endif

/* Kernels run in fixed blocks of this many elements plus a scalar tail: GCC's -O2
 * ("very cheap") vectoriser only vectorises loops whose trip count is a known multiple of
 * the vector width, which a fixed inner block is. */
#define ATHLETE_NN_BLOCK 16

#endif
