/* Multi-layer perceptrons over OpenBLAS (see <athlete/mlp.h>). */
#include <athlete/mlp.h>

#include <athlete/alloc.h>
#include <athlete/blas.h>

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nn-private.h"

struct athlete_mlp {
    size_t n_widths;
    size_t *widths;  /* n_widths */
    size_t *offsets; /* per layer: weight offset, bias offset */
    size_t param_count;
    athlete_activation hidden, output;
    float *params, *grads;
};

struct athlete_mlp_workspace {
    size_t n_widths;
    size_t *widths; /* own copy: a workspace serves any network of this shape */
    size_t max_batch;
    size_t batch;       /* rows of the last forward; 0 = none yet */
    const float *input; /* borrowed by the last forward, read again by backward */
    float **acts;       /* acts[l]: output of layer l after its activation */
    float *act_mem;
    float *delta[2]; /* ping-pong dLoss/d(layer output) */
    float *ones;     /* max_batch ones: bias gradients are d^T 1, a gemv */
};

/* ---------------------------------------------------------------------------------------
 * Element-wise kernels */

static inline uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* tanh in float, within 1.6 ulp of the exact value (tests check it), branch-free so the
 * compiler vectorises it (glibc's tanhf is scalar, ~13 ns: it dominated tanh networks).
 * |x| < 0.55: x + x^3 P(x^2); otherwise 1 - 2/(e^{2|x|} + 1) with |x| clamped to 10
 * (tanh rounds to 1 beyond 9.01), e^y by Cody–Waite reduction and a degree-6 polynomial.
 * Selections are done on bits so there is no control flow; NaN propagates. */
static inline float tanh_fast(float x)
{
    uint32_t xb = bits_of(x);
    uint32_t sign = xb & 0x80000000u;
    uint32_t ab = xb & 0x7fffffffu;
    float ax = float_of(ab);
    uint32_t clamp = 0u - (uint32_t)(ab > 0x41200000u); /* |x| > 10, inf or NaN */
    float c = float_of((ab & ~clamp) | (0x41200000u & clamp));
    float y = 2.0f * c;
    int32_t k = (int32_t)(y * 1.44269504088896341f + 0.5f); /* y >= 0: truncation rounds */
    float kf = (float)k;
    float r = (y - kf * 0.693145751953125f) - kf * 1.428606765330187e-06f;
    float p = 0.0013941108433972675f;
    p = p * r + 0.0083751263981533357f;
    p = p * r + 0.041666352896775157f;
    p = p * r + 0.16666415514653275f;
    p = p * r + 0.50000000471177577f;
    p = p * r + 1.0000000377162138f;
    p = p * r + 1.0f;
    float e = p * float_of((uint32_t)(k + 127) << 23);
    float big = 1.0f - 2.0f / (e + 1.0f);
    float s = ax * ax;
    float q = -0.0066102278311147342f;
    q = q * s + 0.021309388664443474f;
    q = q * s - 0.053909428827460545f;
    q = q * s + 0.13333113729020872f;
    q = q * s - 0.3333333200797698f;
    float small = ax + ax * (s * q);
    uint32_t is_small = 0u - (uint32_t)(ab < 0x3f0ccccdu); /* |x| < 0.55f */
    uint32_t is_nan = 0u - (uint32_t)(ab > 0x7f800000u);
    uint32_t t = (bits_of(small) & is_small) | (bits_of(big) & ~is_small);
    t = (t & ~is_nan) | (ab & is_nan);
    return float_of(t | sign);
}

/* Written as selects without FP control flow so they vectorise; NaN propagates like
 * torch.relu (a NaN input is not < 0). */
static inline float relu(float v) { return v < 0.0f ? 0.0f : v; }

/* y[r][j] = act(y[r][j] + b[j]) */
ATHLETE_NN_CLONES
static void bias_activate(float *restrict y, const float *restrict b, size_t rows, size_t cols,
                          athlete_activation act)
{
    for (size_t r = 0; r < rows; r++, y += cols) {
        size_t j = 0;
        switch (act) {
        case ATHLETE_ACTIVATION_RELU:
            for (; j + ATHLETE_NN_BLOCK <= cols; j += ATHLETE_NN_BLOCK)
                for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
                    y[j + u] = relu(y[j + u] + b[j + u]);
            for (; j < cols; j++)
                y[j] = relu(y[j] + b[j]);
            break;
        case ATHLETE_ACTIVATION_TANH:
            for (; j + ATHLETE_NN_BLOCK <= cols; j += ATHLETE_NN_BLOCK)
                for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
                    y[j + u] = tanh_fast(y[j + u] + b[j + u]);
            for (; j < cols; j++)
                y[j] = tanh_fast(y[j] + b[j]);
            break;
        default:
            for (; j + ATHLETE_NN_BLOCK <= cols; j += ATHLETE_NN_BLOCK)
                for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
                    y[j + u] += b[j + u];
            for (; j < cols; j++)
                y[j] += b[j];
            break;
        }
    }
}

/* dst = src * act'(a), act' written in terms of the activation's output a (as PyTorch's
 * relu/tanh backward do). Not called for the identity. Two copies, in place and out of
 * place, because restrict lets the compiler vectorise without an alias check. */
#define TIMES_DERIVATIVE_BODY(DST, SRC)                                                     \
    size_t i = 0;                                                                          \
    if (act == ATHLETE_ACTIVATION_RELU) {                                                  \
        for (; i + ATHLETE_NN_BLOCK <= n; i += ATHLETE_NN_BLOCK)                           \
            for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)                                  \
                DST[i + u] = a[i + u] > 0.0f ? SRC[i + u] : 0.0f;                          \
        for (; i < n; i++)                                                                 \
            DST[i] = a[i] > 0.0f ? SRC[i] : 0.0f;                                          \
    } else {                                                                               \
        for (; i + ATHLETE_NN_BLOCK <= n; i += ATHLETE_NN_BLOCK)                           \
            for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)                                  \
                DST[i + u] = SRC[i + u] * (1.0f - a[i + u] * a[i + u]);                    \
        for (; i < n; i++)                                                                 \
            DST[i] = SRC[i] * (1.0f - a[i] * a[i]);                                        \
    }

ATHLETE_NN_CLONES
static void times_derivative(float *restrict dst, const float *restrict src,
                             const float *restrict a, size_t n, athlete_activation act)
{
    TIMES_DERIVATIVE_BODY(dst, src)
}

ATHLETE_NN_CLONES
static void times_derivative_inplace(float *restrict d, const float *restrict a, size_t n,
                                     athlete_activation act)
{
    TIMES_DERIVATIVE_BODY(d, d)
}

/* ---------------------------------------------------------------------------------------
 * Networks */

const char *athlete_activation_name(athlete_activation activation)
{
    switch (activation) {
    case ATHLETE_ACTIVATION_IDENTITY: return "identity";
    case ATHLETE_ACTIVATION_RELU: return "relu";
    case ATHLETE_ACTIVATION_TANH: return "tanh";
    }
    return NULL;
}

athlete_status athlete_activation_parse(const char *name, athlete_activation *out, athlete_error *err)
{
    static const athlete_activation all[] = {ATHLETE_ACTIVATION_IDENTITY, ATHLETE_ACTIVATION_RELU,
                                             ATHLETE_ACTIVATION_TANH};
    for (size_t i = 0; name && out && i < sizeof all / sizeof all[0]; i++)
        if (strcasecmp(name, athlete_activation_name(all[i])) == 0) {
            *out = all[i];
            return ATHLETE_OK;
        }
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                             "activation: unknown name '%s' (expected identity, relu or tanh)",
                             name ? name : "(null)");
}

static bool activation_valid(athlete_activation a) { return athlete_activation_name(a) != NULL; }

/* OpenBLAS (LP64) takes int dimensions: every dimension and leading dimension must fit. */
static bool fits_int(size_t v) { return v <= (size_t)INT_MAX; }

static bool widths_equal(const size_t *a, size_t na, const size_t *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

athlete_status athlete_mlp_create(const size_t *widths, size_t n_widths, athlete_activation hidden,
                                  athlete_activation output, athlete_mlp **out, athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "mlp create: out is NULL");
    if (!widths || n_widths < 2)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp create: expected at least 2 widths (input and output), got %zu",
                                 widths ? n_widths : (size_t)0);
    if (!activation_valid(hidden) || !activation_valid(output))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp create: unknown activation %d (expected identity, relu or tanh)",
                                 activation_valid(hidden) ? (int)output : (int)hidden);
    size_t count = 0;
    for (size_t i = 0; i < n_widths; i++) {
        if (widths[i] == 0 || !fits_int(widths[i]))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "mlp create: widths[%zu] is %zu (expected 1 to %d)", i,
                                     widths[i], INT_MAX);
        if (i > 0) {
            size_t layer = widths[i] * (widths[i - 1] + 1);
            if (layer / widths[i] != widths[i - 1] + 1 || count + layer < count ||
                count + layer > SIZE_MAX / sizeof(float))
                return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                         "mlp create: too many parameters");
            count += layer;
        }
    }

    athlete_mlp *m = athlete_calloc(1, sizeof *m);
    if (!m)
        goto no_memory;
    m->n_widths = n_widths;
    m->hidden = hidden;
    m->output = output;
    m->param_count = count;
    m->widths = athlete_malloc(n_widths * sizeof *m->widths);
    m->offsets = athlete_malloc(2 * (n_widths - 1) * sizeof *m->offsets);
    m->params = athlete_calloc(count, sizeof *m->params);
    m->grads = athlete_calloc(count, sizeof *m->grads);
    if (!m->widths || !m->offsets || !m->params || !m->grads)
        goto no_memory;
    memcpy(m->widths, widths, n_widths * sizeof *widths);
    size_t off = 0;
    for (size_t l = 0; l + 1 < n_widths; l++) {
        m->offsets[2 * l] = off;
        off += widths[l + 1] * widths[l];
        m->offsets[2 * l + 1] = off;
        off += widths[l + 1];
    }
    athlete_blas_use_default_threads();
    *out = m;
    return ATHLETE_OK;

no_memory:
    athlete_mlp_destroy(m);
    return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "mlp create: out of memory (%zu parameters)",
                             count);
}

athlete_status athlete_mlp_clone(const athlete_mlp *src, athlete_mlp **out, athlete_error *err)
{
    if (!src)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "mlp clone: src is NULL");
    athlete_mlp *m = NULL;
    athlete_status st = athlete_mlp_create(src->widths, src->n_widths, src->hidden, src->output, &m, err);
    if (st != ATHLETE_OK)
        return st;
    memcpy(m->params, src->params, src->param_count * sizeof *m->params);
    *out = m;
    return ATHLETE_OK;
}

void athlete_mlp_destroy(athlete_mlp *mlp)
{
    if (!mlp)
        return;
    athlete_free(mlp->widths);
    athlete_free(mlp->offsets);
    athlete_free(mlp->params);
    athlete_free(mlp->grads);
    athlete_free(mlp);
}

const size_t *athlete_mlp_widths(const athlete_mlp *mlp, size_t *n_widths)
{
    if (n_widths)
        *n_widths = mlp->n_widths;
    return mlp->widths;
}

size_t athlete_mlp_layer_count(const athlete_mlp *mlp) { return mlp->n_widths - 1; }
size_t athlete_mlp_input_size(const athlete_mlp *mlp) { return mlp->widths[0]; }
size_t athlete_mlp_output_size(const athlete_mlp *mlp) { return mlp->widths[mlp->n_widths - 1]; }
athlete_activation athlete_mlp_hidden_activation(const athlete_mlp *mlp) { return mlp->hidden; }
athlete_activation athlete_mlp_output_activation(const athlete_mlp *mlp) { return mlp->output; }

bool athlete_mlp_same_shape(const athlete_mlp *a, const athlete_mlp *b)
{
    return a && b && widths_equal(a->widths, a->n_widths, b->widths, b->n_widths);
}

size_t athlete_mlp_param_count(const athlete_mlp *mlp) { return mlp->param_count; }
float *athlete_mlp_params(const athlete_mlp *mlp) { return mlp->params; }
float *athlete_mlp_grads(const athlete_mlp *mlp) { return mlp->grads; }

size_t athlete_mlp_weight_offset(const athlete_mlp *mlp, size_t layer)
{
    return layer + 1 < mlp->n_widths ? mlp->offsets[2 * layer] : mlp->param_count;
}

size_t athlete_mlp_bias_offset(const athlete_mlp *mlp, size_t layer)
{
    return layer + 1 < mlp->n_widths ? mlp->offsets[2 * layer + 1] : mlp->param_count;
}

void athlete_mlp_init_default(athlete_mlp *mlp, athlete_rng *rng)
{
    /* nn.Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)) gives the bound
     * sqrt(6 / ((1 + 5) fan_in)) = 1/sqrt(fan_in); the bias uses the same bound. */
    float *p = mlp->params;
    for (size_t l = 0; l + 1 < mlp->n_widths; l++) {
        double bound = 1.0 / sqrt((double)mlp->widths[l]);
        size_t n = mlp->widths[l + 1] * (mlp->widths[l] + 1); /* W then b, contiguous */
        for (size_t i = 0; i < n; i++)
            *p++ = (float)(-bound + 2.0 * bound * athlete_rng_uniform(rng));
    }
}

/* m := H_k m for the columns j >= k of the row-major m (m_rows × n), with H_k = I −
 * beta_k v_k v_kᵀ (v_k: column k of v, nonzero from row k). Rows are walked outermost so
 * that a tall matrix streams through the cache; every dot product s[j] still sums over
 * the rows in ascending order. */
static void apply_reflector(const double *v, double beta, size_t k, double *mat, size_t m, size_t n, double *s)
{
    for (size_t j = k; j < n; j++)
        s[j] = 0.0;
    for (size_t i = k; i < m; i++) {
        double vi = v[i * n + k];
        for (size_t j = k; j < n; j++)
            s[j] += vi * mat[i * n + j];
    }
    for (size_t j = k; j < n; j++)
        s[j] *= beta;
    for (size_t i = k; i < m; i++) {
        double vi = v[i * n + k];
        for (size_t j = k; j < n; j++)
            mat[i * n + j] -= s[j] * vi;
    }
}

/* Thin Householder QR of a (m × n, row-major, m >= n), in place. On return q (m × n)
 * holds Q with each column multiplied by the sign of R's diagonal entry, as
 * torch.nn.init.orthogonal_ does (that makes the result Haar-distributed). v is m × n
 * scratch, s n scratch. */
static void householder_q(double *a, double *q, double *v, double *beta, double *rdiag, double *s, size_t m,
                          size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double norm = 0.0;
        for (size_t i = k; i < m; i++)
            norm += a[i * n + k] * a[i * n + k];
        norm = sqrt(norm);
        double alpha = a[k * n + k] > 0.0 ? -norm : norm; /* avoids cancellation */
        double vnorm = 0.0;
        for (size_t i = k; i < m; i++) {
            v[i * n + k] = a[i * n + k] - (i == k ? alpha : 0.0);
            vnorm += v[i * n + k] * v[i * n + k];
        }
        beta[k] = vnorm > 0.0 ? 2.0 / vnorm : 0.0;
        rdiag[k] = beta[k] > 0.0 ? alpha : a[k * n + k];
        apply_reflector(v, beta[k], k, a, m, n, s);
    }
    /* Q = H_0 … H_{n-1} [I; 0], applied right to left; columns j < k are still e_j when
     * H_k is applied and H_k leaves them alone. */
    memset(q, 0, m * n * sizeof *q);
    for (size_t j = 0; j < n; j++)
        q[j * n + j] = 1.0;
    for (size_t k = n; k-- > 0;)
        apply_reflector(v, beta[k], k, q, m, n, s);
    for (size_t j = 0; j < n; j++)
        if (rdiag[j] < 0.0)
            for (size_t i = 0; i < m; i++)
                q[i * n + j] = -q[i * n + j];
}

athlete_status athlete_mlp_init_orthogonal(athlete_mlp *mlp, athlete_rng *rng, double hidden_gain,
                                           double output_gain, athlete_error *err)
{
    if (!mlp || !rng)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp init_orthogonal: mlp and rng must not be NULL");
    size_t most = 0, longest = 0;
    for (size_t l = 0; l + 1 < mlp->n_widths; l++) {
        size_t mn = mlp->widths[l] * mlp->widths[l + 1];
        most = mn > most ? mn : most;
        size_t mx = mlp->widths[l] > mlp->widths[l + 1] ? mlp->widths[l] : mlp->widths[l + 1];
        longest = mx > longest ? mx : longest;
    }
    double *scratch = NULL;
    if (most <= SIZE_MAX / sizeof(double) / 3 - 3 * longest)
        scratch = athlete_malloc((3 * most + 3 * longest) * sizeof *scratch);
    if (!scratch)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY,
                                 "mlp init_orthogonal: out of memory (QR scratch for %zu entries)",
                                 most);
    double *a = scratch, *q = a + most, *v = q + most, *beta = v + most, *rdiag = beta + longest,
           *dots = rdiag + longest;

    size_t layers = mlp->n_widths - 1;
    for (size_t l = 0; l < layers; l++) {
        size_t rows = mlp->widths[l + 1], cols = mlp->widths[l];
        double gain = l + 1 == layers ? output_gain : hidden_gain;
        /* torch fills a rows × cols Gaussian matrix and factorises its transpose when it is
         * wide, so Q always has orthonormal columns (m >= n). */
        bool wide = rows < cols;
        size_t m = wide ? cols : rows, n = wide ? rows : cols;
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++) {
                double g = athlete_rng_normal(rng);
                if (wide)
                    a[j * n + i] = g;
                else
                    a[i * n + j] = g;
            }
        householder_q(a, q, v, beta, rdiag, dots, m, n);
        /* torch's W[i][j] (out × in) is stored transposed: w[j][i] */
        float *w = mlp->params + mlp->offsets[2 * l];
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++)
                w[j * rows + i] = (float)(gain * (wide ? q[j * n + i] : q[i * n + j]));
        memset(mlp->params + mlp->offsets[2 * l + 1], 0, rows * sizeof(float));
    }
    athlete_free(scratch);
    return ATHLETE_OK;
}

static void shape_string(const size_t *w, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int k = snprintf(buf + used, size - used, i ? "-%zu" : "%zu", w[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

athlete_status athlete_mlp_copy_params(athlete_mlp *dst, const athlete_mlp *src, athlete_error *err)
{
    if (!dst || !src)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp copy_params: dst and src must not be NULL");
    if (!athlete_mlp_same_shape(dst, src)) {
        char a[96], b[96];
        shape_string(dst->widths, dst->n_widths, a, sizeof a);
        shape_string(src->widths, src->n_widths, b, sizeof b);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp copy_params: shapes differ (destination %s, source %s)", a, b);
    }
    if (dst != src)
        memcpy(dst->params, src->params, src->param_count * sizeof *dst->params);
    return ATHLETE_OK;
}

void athlete_mlp_zero_grad(athlete_mlp *mlp)
{
    memset(mlp->grads, 0, mlp->param_count * sizeof *mlp->grads);
}

/* ---------------------------------------------------------------------------------------
 * Workspaces */

athlete_status athlete_mlp_workspace_create(const athlete_mlp *mlp, size_t max_batch,
                                            athlete_mlp_workspace **out, athlete_error *err)
{
    if (!mlp || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp workspace_create: mlp and out must not be NULL");
    if (max_batch == 0 || !fits_int(max_batch))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp workspace_create: max_batch is %zu (expected 1 to %d)",
                                 max_batch, INT_MAX);
    size_t layers = mlp->n_widths - 1, acts = 0, widest = 0;
    for (size_t l = 1; l < mlp->n_widths; l++) {
        size_t w = mlp->widths[l];
        if (w > (SIZE_MAX / sizeof(float) - acts) / max_batch || !fits_int(w * max_batch))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "mlp workspace_create: max_batch %zu is too large", max_batch);
        acts += w * max_batch;
        widest = w > widest ? w : widest;
    }
    if (!fits_int(mlp->widths[0] * max_batch) || mlp->widths[0] > INT_MAX / max_batch)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp workspace_create: max_batch %zu is too large", max_batch);

    athlete_mlp_workspace *ws = athlete_calloc(1, sizeof *ws);
    if (!ws)
        goto no_memory;
    ws->n_widths = mlp->n_widths;
    ws->max_batch = max_batch;
    ws->widths = athlete_malloc(mlp->n_widths * sizeof *ws->widths);
    ws->acts = athlete_malloc(layers * sizeof *ws->acts);
    ws->act_mem = athlete_calloc(acts, sizeof(float));
    ws->delta[0] = athlete_calloc(widest * max_batch, sizeof(float));
    ws->delta[1] = athlete_calloc(widest * max_batch, sizeof(float));
    ws->ones = athlete_malloc(max_batch * sizeof(float));
    if (!ws->widths || !ws->acts || !ws->act_mem || !ws->delta[0] || !ws->delta[1] || !ws->ones)
        goto no_memory;
    for (size_t i = 0; i < max_batch; i++)
        ws->ones[i] = 1.0f;
    memcpy(ws->widths, mlp->widths, mlp->n_widths * sizeof *ws->widths);
    float *p = ws->act_mem;
    for (size_t l = 0; l < layers; l++) {
        ws->acts[l] = p;
        p += mlp->widths[l + 1] * max_batch;
    }
    *out = ws;
    return ATHLETE_OK;

no_memory:
    athlete_mlp_workspace_destroy(ws);
    return athlete_error_set(err, ATHLETE_E_NO_MEMORY,
                             "mlp workspace_create: out of memory (batch %zu)", max_batch);
}

void athlete_mlp_workspace_destroy(athlete_mlp_workspace *ws)
{
    if (!ws)
        return;
    athlete_free(ws->widths);
    athlete_free(ws->acts);
    athlete_free(ws->act_mem);
    athlete_free(ws->delta[0]);
    athlete_free(ws->delta[1]);
    athlete_free(ws->ones);
    athlete_free(ws);
}

size_t athlete_mlp_workspace_max_batch(const athlete_mlp_workspace *ws) { return ws->max_batch; }
size_t athlete_mlp_workspace_batch(const athlete_mlp_workspace *ws) { return ws->batch; }

const float *athlete_mlp_workspace_layer_input(const athlete_mlp_workspace *ws, size_t layer)
{
    if (!ws || ws->batch == 0 || layer + 1 >= ws->n_widths)
        return NULL;
    return layer == 0 ? ws->input : ws->acts[layer - 1];
}

/* ---------------------------------------------------------------------------------------
 * Forward and backward */

const float *athlete_mlp_forward(const athlete_mlp *mlp, athlete_mlp_workspace *ws,
                                 const float *input, size_t batch)
{
    if (!mlp || !ws || !input || batch == 0 || batch > ws->max_batch ||
        !widths_equal(mlp->widths, mlp->n_widths, ws->widths, ws->n_widths))
        return NULL;
    size_t layers = mlp->n_widths - 1;
    const float *x = input;
    for (size_t l = 0; l < layers; l++) {
        int in = (int)mlp->widths[l], out = (int)mlp->widths[l + 1];
        const float *w = mlp->params + mlp->offsets[2 * l];
        const float *b = mlp->params + mlp->offsets[2 * l + 1];
        float *y = ws->acts[l];
        /* y = x W. One row (acting) is a gemv: sgemm with M = 1 is faster only on the
         * AVX-512 kernels' small-matrix path (0.12 vs 0.20 µs at 64 -> 64) and 3-7x slower on
         * the others (Haswell, Prescott); bench/bench-nn.c measures both. */
        if (batch == 1)
            cblas_sgemv(CblasRowMajor, CblasTrans, in, out, 1.0f, w, out, x, 1, 0.0f, y, 1);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)batch, out, in, 1.0f, x, in,
                        w, out, 0.0f, y, out);
        bias_activate(y, b, batch, (size_t)out, l + 1 < layers ? mlp->hidden : mlp->output);
        x = y;
    }
    ws->batch = batch;
    ws->input = input;
    return x;
}

static athlete_status backward(const athlete_mlp *mlp, float *grads, athlete_mlp_workspace *ws,
                               const float *d_output, float *d_input, const char *who,
                               athlete_error *err)
{
    if (!mlp || !ws || !d_output)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp %s: mlp, workspace and d_output must not be NULL", who);
    if (!widths_equal(mlp->widths, mlp->n_widths, ws->widths, ws->n_widths)) {
        char a[96], b[96];
        shape_string(mlp->widths, mlp->n_widths, a, sizeof a);
        shape_string(ws->widths, ws->n_widths, b, sizeof b);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp %s: the workspace was made for a %s network, not %s", who, b, a);
    }
    if (ws->batch == 0)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "mlp %s: the workspace holds no forward pass (call forward first)",
                                 who);
    size_t layers = mlp->n_widths - 1;
    int rows = (int)ws->batch;
    /* cur = dLoss/d(pre-activation of layer l); for an identity output it is d_output */
    const float *cur = d_output;
    float *buf = ws->delta[0];
    athlete_activation act = mlp->output;
    if (act != ATHLETE_ACTIVATION_IDENTITY) {
        times_derivative(buf, d_output, ws->acts[layers - 1], ws->batch * mlp->widths[layers], act);
        cur = buf;
    }
    for (size_t l = layers; l-- > 0;) {
        int in = (int)mlp->widths[l], out = (int)mlp->widths[l + 1];
        const float *x = l ? ws->acts[l - 1] : ws->input;
        const float *w = mlp->params + mlp->offsets[2 * l];
        if (grads) {
            /* dW += x^T d (in × out); db += column sums of d */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, rows, 1.0f, x, in, cur, out,
                        1.0f, grads + mlp->offsets[2 * l], out);
            /* A gemv beats a loop over rows (whose += chains through memory) 3-20x here;
             * bench/bench-nn.c measures both. */
            cblas_sgemv(CblasRowMajor, CblasTrans, rows, out, 1.0f, cur, out, ws->ones, 1, 1.0f,
                        grads + mlp->offsets[2 * l + 1], 1);
        }
        if (l == 0) {
            if (d_input) /* dx = d W^T (batch × in) */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, in, out, 1.0f, cur, out, w,
                            out, 0.0f, d_input, in);
            break;
        }
        float *next = cur == ws->delta[0] ? ws->delta[1] : ws->delta[0];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, in, out, 1.0f, cur, out, w, out,
                    0.0f, next, in);
        if (mlp->hidden != ATHLETE_ACTIVATION_IDENTITY)
            times_derivative_inplace(next, ws->acts[l - 1], ws->batch * (size_t)in, mlp->hidden);
        cur = next;
    }
    return ATHLETE_OK;
}

athlete_status athlete_mlp_backward(athlete_mlp *mlp, athlete_mlp_workspace *ws,
                                    const float *d_output, float *d_input, athlete_error *err)
{
    return backward(mlp, mlp ? mlp->grads : NULL, ws, d_output, d_input, "backward", err);
}

athlete_status athlete_mlp_backward_input(const athlete_mlp *mlp, athlete_mlp_workspace *ws,
                                          const float *d_output, float *d_input, athlete_error *err)
{
    if (!d_input)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "mlp backward_input: d_input must not be NULL");
    return backward(mlp, NULL, ws, d_output, d_input, "backward_input", err);
}

