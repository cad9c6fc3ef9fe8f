/* Adam as torch.optim.Adam (see <athlete/adam.h>). */
#include <athlete/adam.h>

#include <athlete/alloc.h>

#include <math.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "nn-private.h"

#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__)
#  include <immintrin.h>
#  define ADAM_X86 1
#endif

struct athlete_adam {
    size_t n_groups;
    athlete_adam_group *groups;
    size_t *offsets;  /* into m and v, per group */
    uint64_t *steps;  /* per group */
    size_t count;     /* total */
    float *m, *v;
};

athlete_adam_group athlete_adam_group_default(float *params, float *grads, size_t count, double lr)
{
    return (athlete_adam_group){.params = params, .grads = grads, .count = count, .lr = lr,
                                .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
}

athlete_status athlete_adam_create(const athlete_adam_group *groups, size_t n_groups,
                                   athlete_adam **out, athlete_error *err)
{
    if (!out || !groups || n_groups == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "adam create: expected at least one parameter group and an out pointer");
    size_t total = 0;
    for (size_t i = 0; i < n_groups; i++) {
        const athlete_adam_group *g = &groups[i];
        if (!g->params || !g->grads || g->count == 0)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "adam create: group %zu has no parameters (params %s, grads %s, count %zu)",
                                     i, g->params ? "set" : "NULL", g->grads ? "set" : "NULL", g->count);
        /* torch.optim.Adam's own argument checks */
        if (!(g->lr >= 0.0))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "adam create: group %zu: invalid learning rate %g (expected >= 0)", i, g->lr);
        if (!(g->eps >= 0.0))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "adam create: group %zu: invalid epsilon %g (expected >= 0)", i, g->eps);
        if (!(g->beta1 >= 0.0 && g->beta1 < 1.0) || !(g->beta2 >= 0.0 && g->beta2 < 1.0))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "adam create: group %zu: invalid betas (%g, %g) (expected each in [0, 1))",
                                     i, g->beta1, g->beta2);
        if (total + g->count < total || total + g->count > SIZE_MAX / sizeof(float))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "adam create: too many parameters");
        total += g->count;
    }
    athlete_adam *a = athlete_calloc(1, sizeof *a);
    if (!a)
        goto no_memory;
    a->n_groups = n_groups;
    a->count = total;
    a->groups = athlete_malloc(n_groups * sizeof *a->groups);
    a->offsets = athlete_malloc(n_groups * sizeof *a->offsets);
    a->steps = athlete_calloc(n_groups, sizeof *a->steps);
    a->m = athlete_calloc(total, sizeof *a->m);
    a->v = athlete_calloc(total, sizeof *a->v);
    if (!a->groups || !a->offsets || !a->steps || !a->m || !a->v)
        goto no_memory;
    memcpy(a->groups, groups, n_groups * sizeof *groups);
    for (size_t i = 0, off = 0; i < n_groups; off += groups[i].count, i++)
        a->offsets[i] = off;
    *out = a;
    return ATHLETE_OK;

no_memory:
    athlete_adam_destroy(a);
    return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "adam create: out of memory (%zu parameters)", total);
}

void athlete_adam_destroy(athlete_adam *adam)
{
    if (!adam)
        return;
    athlete_free(adam->groups);
    athlete_free(adam->offsets);
    athlete_free(adam->steps);
    athlete_free(adam->m);
    athlete_free(adam->v);
    athlete_free(adam);
}

/* The per-step constants, already in the float32 form torch's kernels see. */
typedef struct adam_consts {
    float b1, omb1, b2, omb2; /* beta1, 1 - beta1 (formed in double), beta2, 1 - beta2 */
    float neg_step;           /* -lr / bc1 */
    float bc2_sqrt;           /* sqrt(bc2) */
    float eps;
} adam_consts;

/* One element; the vector versions below do exactly these operations in this order. */
static inline void adam_scalar(float *p, float g, float *m, float *v, const adam_consts *c)
{
    float mi = *m * c->b1 + c->omb1 * g;     /* exp_avg.mul_(b1).add_(g, alpha=1-b1) */
    float vi = *v * c->b2 + c->omb2 * g * g; /* exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2) */
    *m = mi;
    *v = vi;
    /* denom = exp_avg_sq.sqrt() / bc2_sqrt + eps; param.addcdiv_(m, denom, value=-step) */
    *p = *p + c->neg_step * mi / (sqrtf(vi) / c->bc2_sqrt + c->eps);
}

static void adam_kernel_scalar(float *restrict p, const float *restrict g, float *restrict m,
                               float *restrict v, size_t n, const adam_consts *c)
{
    for (size_t i = 0; i < n; i++)
        adam_scalar(&p[i], g[i], &m[i], &v[i], c);
}

#ifdef ADAM_X86
/* The compiler will not vectorise sqrtf without -fno-math-errno, so the vector loop is
 * written with intrinsics, once per width. Separate multiplies and adds (never FMA) keep
 * every width bit-identical to adam_scalar, which handles the tail. */
#  define ADAM_VECTOR_KERNEL(NAME, TARGET, VEC, W, SET1, LOAD, STORE, ADD, MUL, DIV, SQRT)       \
    TARGET static void NAME(float *restrict p, const float *restrict g, float *restrict m,      \
                            float *restrict v, size_t n, const adam_consts *c)                  \
    {                                                                                           \
        const VEC b1 = SET1(c->b1), omb1 = SET1(c->omb1), b2 = SET1(c->b2),                     \
                  omb2 = SET1(c->omb2), step = SET1(c->neg_step), bc2 = SET1(c->bc2_sqrt),      \
                  eps = SET1(c->eps);                                                           \
        size_t i = 0;                                                                           \
        for (; i + (W) <= n; i += (W)) {                                                        \
            VEC gi = LOAD(g + i);                                                               \
            VEC mi = ADD(MUL(LOAD(m + i), b1), MUL(omb1, gi));                                  \
            VEC vi = ADD(MUL(LOAD(v + i), b2), MUL(MUL(omb2, gi), gi));                         \
            STORE(m + i, mi);                                                                   \
            STORE(v + i, vi);                                                                   \
            VEC denom = ADD(DIV(SQRT(vi), bc2), eps);                                           \
            STORE(p + i, ADD(LOAD(p + i), DIV(MUL(step, mi), denom)));                          \
        }                                                                                       \
        adam_kernel_scalar(p + i, g + i, m + i, v + i, n - i, c);                               \
    }

ADAM_VECTOR_KERNEL(adam_kernel_sse, , __m128, 4, _mm_set1_ps, _mm_loadu_ps, _mm_storeu_ps,
                   _mm_add_ps, _mm_mul_ps, _mm_div_ps, _mm_sqrt_ps)
ADAM_VECTOR_KERNEL(adam_kernel_avx2, __attribute__((target("avx2"))), __m256, 8, _mm256_set1_ps,
                   _mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps, _mm256_mul_ps, _mm256_div_ps,
                   _mm256_sqrt_ps)
ADAM_VECTOR_KERNEL(adam_kernel_avx512, __attribute__((target("avx512f"))), __m512, 16,
                   _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_add_ps, _mm512_mul_ps,
                   _mm512_div_ps, _mm512_sqrt_ps)

typedef void adam_kernel_fn(float *restrict, const float *restrict, float *restrict,
                            float *restrict, size_t, const adam_consts *);

/* Chosen once when the library loads. A constructor rather than an ifunc resolver: a
 * resolver runs during relocation, before sanitizer runtimes are up, and crashes
 * -Db_sanitize builds. */
static adam_kernel_fn *adam_kernel = adam_kernel_sse;

__attribute__((constructor)) static void choose_adam_kernel(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        adam_kernel = adam_kernel_avx512;
    else if (__builtin_cpu_supports("avx2"))
        adam_kernel = adam_kernel_avx2;
}
#else
#  define adam_kernel adam_kernel_scalar
#endif

void athlete_adam_step(athlete_adam *adam)
{
#if defined(__x86_64__) || defined(__i386__)
    /* Flush subnormals to zero inside the step: the second moments of parameters that get
     * no gradient (dead ReLU units) decay into the subnormal range, where every operation
     * costs ~100 cycles and the whole step runs ~1.6x slower. Values below 1.2e-38 are the
     * only ones that change (PyTorch keeps them); the result stays deterministic. */
    unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u); /* FTZ | DAZ */
#endif
    for (size_t i = 0; i < adam->n_groups; i++) {
        const athlete_adam_group *g = &adam->groups[i];
        uint64_t t = ++adam->steps[i];
        /* torch: bias_correction1 = 1 - beta1 ** step (Python floats), step_size = lr / bc1,
         * bias_correction2_sqrt = math.sqrt(1 - beta2 ** step) */
        double bc1 = 1.0 - pow(g->beta1, (double)t);
        double bc2 = 1.0 - pow(g->beta2, (double)t);
        adam_consts c = {.b1 = (float)g->beta1, .omb1 = (float)(1.0 - g->beta1),
                         .b2 = (float)g->beta2, .omb2 = (float)(1.0 - g->beta2),
                         .neg_step = (float)(-(g->lr / bc1)), .bc2_sqrt = (float)sqrt(bc2),
                         .eps = (float)g->eps};
        size_t off = adam->offsets[i];
        adam_kernel(g->params, g->grads, adam->m + off, adam->v + off, g->count, &c);
    }
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(csr);
#endif
}

void athlete_adam_zero_grad(athlete_adam *adam)
{
    for (size_t i = 0; i < adam->n_groups; i++)
        memset(adam->groups[i].grads, 0, adam->groups[i].count * sizeof(float));
}

/* Sum of squares in double with ATHLETE_NN_BLOCK independent partial sums combined in a
 * fixed order: vectorised across the partial sums in any width, so every clone adds in
 * the same order and gives the same bits. */
ATHLETE_NN_CLONES
static void add_squares(double *restrict acc, const float *restrict x, size_t n)
{
    size_t i = 0;
    for (; i + ATHLETE_NN_BLOCK <= n; i += ATHLETE_NN_BLOCK)
        for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
            acc[u] += (double)x[i + u] * (double)x[i + u];
    for (size_t u = 0; i < n; i++, u++)
        acc[u] += (double)x[i] * (double)x[i];
}

ATHLETE_NN_CLONES
static void scale(float *restrict x, size_t n, float factor)
{
    size_t i = 0;
    for (; i + ATHLETE_NN_BLOCK <= n; i += ATHLETE_NN_BLOCK)
        for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
            x[i + u] *= factor;
    for (; i < n; i++)
        x[i] *= factor;
}

float athlete_adam_clip_grad_norm(athlete_adam *adam, float max_norm)
{
    double acc[ATHLETE_NN_BLOCK] = {0};
    for (size_t i = 0; i < adam->n_groups; i++)
        add_squares(acc, adam->groups[i].grads, adam->groups[i].count);
    double sum = 0.0;
    for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
        sum += acc[u];
    float norm = (float)sqrt(sum);
    /* torch: clip_coef = max_norm / (total_norm + 1e-6), in float32; applied when < 1 */
    float coef = max_norm / (norm + 1e-6f);
    if (coef < 1.0f)
        for (size_t i = 0; i < adam->n_groups; i++)
            scale(adam->groups[i].grads, adam->groups[i].count, coef);
    return norm;
}

size_t athlete_adam_group_count(const athlete_adam *adam) { return adam->n_groups; }

athlete_adam_group athlete_adam_get_group(const athlete_adam *adam, size_t group)
{
    if (group >= adam->n_groups)
        return (athlete_adam_group){0};
    return adam->groups[group];
}

void athlete_adam_set_lr(athlete_adam *adam, size_t group, double lr)
{
    if (group < adam->n_groups && lr >= 0.0)
        adam->groups[group].lr = lr;
}

size_t athlete_adam_state_count(const athlete_adam *adam) { return adam->count; }

size_t athlete_adam_group_offset(const athlete_adam *adam, size_t group)
{
    return group < adam->n_groups ? adam->offsets[group] : adam->count;
}

float *athlete_adam_exp_avg(athlete_adam *adam) { return adam->m; }
float *athlete_adam_exp_avg_sq(athlete_adam *adam) { return adam->v; }

uint64_t athlete_adam_step_count(const athlete_adam *adam, size_t group)
{
    return group < adam->n_groups ? adam->steps[group] : 0;
}

void athlete_adam_set_step_count(athlete_adam *adam, size_t group, uint64_t steps)
{
    if (group < adam->n_groups)
        adam->steps[group] = steps;
}
