/* MLP: forward against a float64 triple loop, backward against finite differences of a
 * float64 reference, initialisations, workspaces, errors, and no allocation per step. */
#include <athlete/adam.h>
#include <athlete/alloc.h>
#include <athlete/loss.h>
#include <athlete/mlp.h>
#include <athlete/replay.h>
#include <athlete/rng.h>
#include <athlete/target.h>

#include <math.h>
#include <stdint.h>

#include "alloc-count.h"
#include "test-util.h"

#define ACTS 3
static const athlete_activation all_acts[ACTS] = {ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_TANH,
                                                  ATHLETE_ACTIVATION_IDENTITY};

/* ---- float64 reference ------------------------------------------------------------- */

static double act64(double z, athlete_activation a)
{
    switch (a) {
    case ATHLETE_ACTIVATION_RELU: return z > 0.0 ? z : 0.0;
    case ATHLETE_ACTIVATION_TANH: return tanh(z);
    default: return z;
    }
}

/* Naive forward in double with the documented layout (W[in][out] then b per layer).
 * *min_relu_z receives the smallest |pre-activation| fed to a ReLU (kink distance). */
static void ref_forward(const size_t *w, size_t nw, athlete_activation hidden, athlete_activation output,
                        const double *p, const double *x, size_t batch, double *y, double *min_relu_z)
{
    size_t widest = 0;
    for (size_t i = 0; i < nw; i++)
        widest = w[i] > widest ? w[i] : widest;
    double *a = malloc(widest * sizeof *a), *b = malloc(widest * sizeof *b);
    double min_z = INFINITY;
    for (size_t r = 0; r < batch; r++) {
        for (size_t i = 0; i < w[0]; i++)
            a[i] = x[r * w[0] + i];
        const double *q = p;
        for (size_t l = 0; l + 1 < nw; l++) {
            size_t in = w[l], out = w[l + 1];
            athlete_activation act = l + 2 == nw ? output : hidden;
            for (size_t o = 0; o < out; o++) {
                double z = q[in * out + o];
                for (size_t i = 0; i < in; i++)
                    z += a[i] * q[i * out + o];
                if (act == ATHLETE_ACTIVATION_RELU && fabs(z) < min_z)
                    min_z = fabs(z);
                b[o] = act64(z, act);
            }
            q += in * out + out;
            for (size_t o = 0; o < out; o++)
                a[o] = b[o];
        }
        for (size_t o = 0; o < w[nw - 1]; o++)
            y[r * w[nw - 1] + o] = a[o];
    }
    if (min_relu_z)
        *min_relu_z = min_z;
    free(a);
    free(b);
}

/* L = sum c .* net(x), in double */
static double ref_loss(const size_t *w, size_t nw, athlete_activation h, athlete_activation o,
                       const double *p, const double *x, size_t batch, const float *c)
{
    size_t n = batch * w[nw - 1];
    double *y = malloc(n * sizeof *y);
    ref_forward(w, nw, h, o, p, x, batch, y, NULL);
    double l = 0.0;
    for (size_t i = 0; i < n; i++)
        l += (double)c[i] * y[i];
    free(y);
    return l;
}

static void fill_uniform(athlete_rng *rng, float *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)athlete_rng_uniform_range(rng, lo, hi);
}

static double *to_double(const float *x, size_t n)
{
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = x[i];
    return d;
}

/* ---- forward ------------------------------------------------------------------------ */

static void check_forward(const size_t *w, size_t nw, athlete_activation h, athlete_activation o,
                          size_t batch, uint64_t seed)
{
    athlete_error err;
    athlete_mlp *mlp;
    athlete_mlp_workspace *ws;
    ck_assert_ok(athlete_mlp_create(w, nw, h, o, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, batch, &ws, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, seed, 0);
    athlete_mlp_init_default(mlp, &rng);
    size_t nin = batch * w[0], nout = batch * w[nw - 1];
    float *x = malloc(nin * sizeof *x);
    fill_uniform(&rng, x, nin, -2.0, 2.0);
    const float *y = athlete_mlp_forward(mlp, ws, x, batch);
    ck_assert_ptr_nonnull(y);
    ck_assert_uint_eq(athlete_mlp_workspace_batch(ws), batch);

    double *pd = to_double(athlete_mlp_params(mlp), athlete_mlp_param_count(mlp));
    double *xd = to_double(x, nin);
    double *yd = malloc(nout * sizeof *yd);
    ref_forward(w, nw, h, o, pd, xd, batch, yd, NULL);
    for (size_t i = 0; i < nout; i++)
        ck_assert_msg(fabs(y[i] - yd[i]) <= 2e-6 + 2e-5 * fabs(yd[i]),
                      "%s/%s batch %zu: output[%zu] = %.9g, float64 reference %.9g",
                      athlete_activation_name(h), athlete_activation_name(o), batch, i, y[i], yd[i]);
    free(pd);
    free(xd);
    free(yd);
    free(x);
    athlete_mlp_workspace_destroy(ws);
    athlete_mlp_destroy(mlp);
}

START_TEST(forward_matches_float64_triple_loop)
{
    const size_t dqn[] = {4, 64, 64, 2}, small[] = {3, 5, 7, 2}, one[] = {6, 3}, deep[] = {2, 9, 1, 8, 4};
    for (int hi = 0; hi < ACTS; hi++)
        for (int oi = 0; oi < ACTS; oi++) {
            check_forward(small, 4, all_acts[hi], all_acts[oi], 17, 10 + (uint64_t)(hi * 3 + oi));
            check_forward(small, 4, all_acts[hi], all_acts[oi], 1, 20 + (uint64_t)(hi * 3 + oi));
            check_forward(one, 2, all_acts[hi], all_acts[oi], 5, 30);
        }
    check_forward(dqn, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, 64, 1);
    check_forward(dqn, 4, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_TANH, 1, 2);
    check_forward(deep, 5, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_RELU, 33, 3);
}
END_TEST

START_TEST(batch_one_matches_batched_rows)
{
    /* batch 1 runs on sgemv, larger batches on sgemm: same values to float rounding */
    const size_t w[] = {4, 64, 64, 2};
    athlete_error err;
    athlete_mlp *mlp;
    athlete_mlp_workspace *big, *one;
    ck_assert_ok(athlete_mlp_create(w, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_TANH, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, 8, &big, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, 1, &one, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 5, 0);
    athlete_mlp_init_default(mlp, &rng);
    float x[8 * 4];
    fill_uniform(&rng, x, 32, -1, 1);
    const float *y = athlete_mlp_forward(mlp, big, x, 8);
    for (size_t r = 0; r < 8; r++) {
        const float *y1 = athlete_mlp_forward(mlp, one, x + 4 * r, 1);
        ck_assert_ptr_nonnull(y1);
        for (size_t j = 0; j < 2; j++)
            ck_assert_float_eq_tol(y1[j], y[r * 2 + j], 1e-6f);
    }
    athlete_mlp_workspace_destroy(big);
    athlete_mlp_workspace_destroy(one);
    athlete_mlp_destroy(mlp);
}
END_TEST

START_TEST(tanh_is_accurate)
{
    /* A 1-1 identity network with a tanh output applies tanh to its inputs directly. */
    const size_t w[] = {1, 1};
    enum { N = 20000 };
    athlete_error err;
    athlete_mlp *mlp;
    athlete_mlp_workspace *ws;
    ck_assert_ok(athlete_mlp_create(w, 2, ATHLETE_ACTIVATION_IDENTITY, ATHLETE_ACTIVATION_TANH, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, N, &ws, &err), &err);
    athlete_mlp_params(mlp)[0] = 1.0f; /* W */
    athlete_mlp_params(mlp)[1] = 0.0f; /* b */
    static float x[N];
    athlete_rng rng;
    athlete_rng_seed(&rng, 9, 0);
    for (size_t i = 0; i < N - 8; i++) /* magnitudes from 1e-8 to 20, both signs */
        x[i] = (float)((i % 2 ? -1 : 1) * exp(athlete_rng_uniform_range(&rng, log(1e-8), log(20.0))));
    const float special[8] = {0.0f, -0.0f, 0.55f, -0.55f, 9.0f, INFINITY, -INFINITY, NAN};
    memcpy(x + N - 8, special, sizeof special);
    const float *y = athlete_mlp_forward(mlp, ws, x, N);
    double worst = 0.0;
    for (size_t i = 0; i < N - 1; i++) {
        double ref = tanh((double)x[i]);
        float rf = (float)ref;
        double ulp = rf == 0.0f ? 1e-45 : nextafterf(fabsf(rf), INFINITY) - fabsf(rf);
        double e = fabs(y[i] - ref) / ulp;
        worst = e > worst ? e : worst;
        ck_assert_msg(e <= 2.0, "tanh(%.9g) = %.9g, exact %.9g (%.2f ulp)", x[i], y[i], ref, e);
    }
    ck_assert_float_eq(y[N - 3], 1.0f);  /* tanh(inf) */
    ck_assert_float_eq(y[N - 2], -1.0f); /* tanh(-inf) */
    ck_assert(isnan(y[N - 1]));          /* NaN propagates */
    athlete_mlp_workspace_destroy(ws);
    athlete_mlp_destroy(mlp);
}
END_TEST

START_TEST(relu_propagates_nan)
{
    const size_t w[] = {1, 1};
    athlete_error err;
    athlete_mlp *mlp;
    athlete_mlp_workspace *ws;
    ck_assert_ok(athlete_mlp_create(w, 2, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_RELU, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, 3, &ws, &err), &err);
    athlete_mlp_params(mlp)[0] = 1.0f;
    athlete_mlp_params(mlp)[1] = 0.0f;
    const float x[3] = {NAN, -3.0f, 2.5f};
    const float *y = athlete_mlp_forward(mlp, ws, x, 3);
    ck_assert(isnan(y[0])); /* like torch.relu */
    ck_assert_float_eq(y[1], 0.0f);
    ck_assert_float_eq(y[2], 2.5f);
    athlete_mlp_workspace_destroy(ws);
    athlete_mlp_destroy(mlp);
}
END_TEST

/* ---- backward ----------------------------------------------------------------------- */

/* Analytic gradients of L = sum c .* net(x) against central differences of the float64
 * reference, for every parameter and every input. Inputs and weights are redrawn until
 * no ReLU pre-activation is within 1e-3 of the kink. */
static void grad_check(const size_t *w, size_t nw, athlete_activation h, athlete_activation o,
                       size_t batch, uint64_t seed)
{
    athlete_error err;
    athlete_mlp *mlp;
    athlete_mlp_workspace *ws;
    ck_assert_ok(athlete_mlp_create(w, nw, h, o, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, batch, &ws, &err), &err);
    size_t np = athlete_mlp_param_count(mlp), nin = batch * w[0], nout = batch * w[nw - 1];
    float *x = malloc(nin * sizeof *x), *c = malloc(nout * sizeof *c), *dx = malloc(nin * sizeof *dx);
    double *y = malloc(nout * sizeof *y);
    athlete_rng rng;
    athlete_rng_seed(&rng, seed, 1);
    double *pd = NULL, *xd = NULL;
    bool clear = false;
    for (int attempt = 0; attempt < 100 && !clear; attempt++) {
        athlete_mlp_init_default(mlp, &rng);
        fill_uniform(&rng, x, nin, -1.5, 1.5);
        free(pd);
        free(xd);
        pd = to_double(athlete_mlp_params(mlp), np);
        xd = to_double(x, nin);
        double min_z;
        ref_forward(w, nw, h, o, pd, xd, batch, y, &min_z);
        clear = min_z > 1e-3;
    }
    ck_assert_msg(clear, "no kink-free draw found");
    fill_uniform(&rng, c, nout, -1.0, 1.0);

    athlete_mlp_zero_grad(mlp);
    ck_assert_ptr_nonnull(athlete_mlp_forward(mlp, ws, x, batch));
    ck_assert_ok(athlete_mlp_backward(mlp, ws, c, dx, &err), &err);
    const float *g = athlete_mlp_grads(mlp);

    const double step = 1e-6;
    double *fd = malloc((np > nin ? np : nin) * sizeof *fd);
    double scale = 0.0;
    for (size_t k = 0; k < np; k++) {
        double keep = pd[k];
        pd[k] = keep + step;
        double up = ref_loss(w, nw, h, o, pd, xd, batch, c);
        pd[k] = keep - step;
        double down = ref_loss(w, nw, h, o, pd, xd, batch, c);
        pd[k] = keep;
        fd[k] = (up - down) / (2 * step);
        scale = fabs(fd[k]) > scale ? fabs(fd[k]) : scale;
    }
    ck_assert(scale > 0.0);
    for (size_t k = 0; k < np; k++)
        ck_assert_msg(fabs(g[k] - fd[k]) <= 1e-5 * scale + 1e-4 * fabs(fd[k]),
                      "%s/%s: dL/dparam[%zu] = %.9g, finite difference %.9g",
                      athlete_activation_name(h), athlete_activation_name(o), k, g[k], fd[k]);
    scale = 0.0;
    for (size_t k = 0; k < nin; k++) {
        double keep = xd[k];
        xd[k] = keep + step;
        double up = ref_loss(w, nw, h, o, pd, xd, batch, c);
        xd[k] = keep - step;
        double down = ref_loss(w, nw, h, o, pd, xd, batch, c);
        xd[k] = keep;
        fd[k] = (up - down) / (2 * step);
        scale = fabs(fd[k]) > scale ? fabs(fd[k]) : scale;
    }
    for (size_t k = 0; k < nin; k++)
        ck_assert_msg(fabs(dx[k] - fd[k]) <= 1e-5 * scale + 1e-4 * fabs(fd[k]),
                      "%s/%s: dL/dinput[%zu] = %.9g, finite difference %.9g",
                      athlete_activation_name(h), athlete_activation_name(o), k, dx[k], fd[k]);

    /* backward_input gives the same d_input and leaves the gradients alone */
    float *dx2 = malloc(nin * sizeof *dx2);
    float *gsave = malloc(np * sizeof *gsave);
    memcpy(gsave, g, np * sizeof *g);
    ck_assert_ok(athlete_mlp_backward_input(mlp, ws, c, dx2, &err), &err);
    ck_assert_mem_eq(dx2, dx, nin * sizeof *dx);
    ck_assert_mem_eq(gsave, g, np * sizeof *g);

    free(gsave);
    free(dx2);
    free(fd);
    free(pd);
    free(xd);
    free(x);
    free(c);
    free(dx);
    free(y);
    athlete_mlp_workspace_destroy(ws);
    athlete_mlp_destroy(mlp);
}

START_TEST(gradients_match_finite_differences)
{
    /* every activation as hidden and as output, multi-layer, plus single-layer nets */
    const size_t deep[] = {5, 7, 6, 3}, single[] = {4, 3}, wide[] = {3, 40, 2};
    for (int hi = 0; hi < ACTS; hi++)
        for (int oi = 0; oi < ACTS; oi++) {
            grad_check(deep, 4, all_acts[hi], all_acts[oi], 4, 100 + (uint64_t)(hi * 3 + oi));
            grad_check(single, 2, all_acts[hi], all_acts[oi], 3, 200 + (uint64_t)oi);
        }
    /* 40 wide: the vectorised blocks of the element-wise kernels plus their tails */
    grad_check(wide, 3, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, 5, 300);
    grad_check(wide, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_TANH, 5, 301);
    /* batch 1 (the sgemv forward path) */
    grad_check(deep, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, 1, 302);
}
END_TEST

START_TEST(backward_accumulates_and_workspaces_are_independent)
{
    const size_t w[] = {3, 8, 2};
    athlete_error err;
    athlete_mlp *mlp;
    athlete_mlp_workspace *a, *b;
    ck_assert_ok(athlete_mlp_create(w, 3, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, 4, &a, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, 4, &b, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 77, 0);
    athlete_mlp_init_default(mlp, &rng);
    float x1[12], x2[12], d[8];
    fill_uniform(&rng, x1, 12, -1, 1);
    fill_uniform(&rng, x2, 12, -1, 1);
    fill_uniform(&rng, d, 8, -1, 1);
    size_t np = athlete_mlp_param_count(mlp);
    float *once = malloc(np * sizeof *once);

    athlete_mlp_forward(mlp, a, x1, 4);
    ck_assert_ok(athlete_mlp_backward(mlp, a, d, NULL, &err), &err);
    memcpy(once, athlete_mlp_grads(mlp), np * sizeof *once);
    /* a forward on another workspace (Q(s') style) does not disturb the first; backward
     * accumulates (gemm with beta 1 adds its products to the old gradient, so to rounding) */
    athlete_mlp_forward(mlp, b, x2, 3);
    ck_assert_ok(athlete_mlp_backward(mlp, a, d, NULL, &err), &err);
    for (size_t k = 0; k < np; k++)
        ck_assert_float_eq_tol(athlete_mlp_grads(mlp)[k], 2.0f * once[k], 1e-6f * (1 + fabsf(once[k])));
    athlete_mlp_zero_grad(mlp);
    for (size_t k = 0; k < np; k++)
        ck_assert_float_eq(athlete_mlp_grads(mlp)[k], 0.0f);
    free(once);
    athlete_mlp_workspace_destroy(a);
    athlete_mlp_workspace_destroy(b);
    athlete_mlp_destroy(mlp);
}
END_TEST

/* ---- layout, init, copies ------------------------------------------------------------ */

START_TEST(layout_and_accessors)
{
    const size_t w[] = {4, 64, 64, 2};
    athlete_error err;
    athlete_mlp *mlp;
    ck_assert_ok(athlete_mlp_create(w, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &mlp, &err), &err);
    ck_assert_uint_eq(athlete_mlp_param_count(mlp), 4610); /* DQN 4-64-64-2 has 4 610 parameters */
    ck_assert_uint_eq(athlete_mlp_layer_count(mlp), 3);
    ck_assert_uint_eq(athlete_mlp_input_size(mlp), 4);
    ck_assert_uint_eq(athlete_mlp_output_size(mlp), 2);
    ck_assert_uint_eq(athlete_mlp_weight_offset(mlp, 0), 0);
    ck_assert_uint_eq(athlete_mlp_bias_offset(mlp, 0), 256);
    ck_assert_uint_eq(athlete_mlp_weight_offset(mlp, 1), 320);
    ck_assert_uint_eq(athlete_mlp_bias_offset(mlp, 1), 320 + 4096);
    ck_assert_uint_eq(athlete_mlp_weight_offset(mlp, 2), 320 + 4160);
    ck_assert_uint_eq(athlete_mlp_bias_offset(mlp, 2), 4480 + 128);
    size_t n;
    const size_t *got = athlete_mlp_widths(mlp, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_mem_eq(got, w, sizeof w);
    ck_assert_int_eq(athlete_mlp_hidden_activation(mlp), ATHLETE_ACTIVATION_RELU);
    ck_assert_int_eq(athlete_mlp_output_activation(mlp), ATHLETE_ACTIVATION_IDENTITY);
    for (size_t k = 0; k < 4610; k++) /* zero until initialised */
        ck_assert(athlete_mlp_params(mlp)[k] == 0.0f && athlete_mlp_grads(mlp)[k] == 0.0f);
    athlete_activation a;
    ck_assert_ok(athlete_activation_parse("TanH", &a, &err), &err);
    ck_assert_int_eq(a, ATHLETE_ACTIVATION_TANH);
    ck_assert_fails(athlete_activation_parse("gelu", &a, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "unknown name 'gelu'");
    ck_assert_str_eq(athlete_activation_name(ATHLETE_ACTIVATION_RELU), "relu");
    athlete_mlp_destroy(mlp);
}
END_TEST

START_TEST(default_init_is_torch_linear)
{
    const size_t w[] = {4, 256, 256, 2};
    athlete_error err;
    athlete_mlp *mlp, *again;
    ck_assert_ok(athlete_mlp_create(w, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_create(w, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &again, &err), &err);
    athlete_rng r1, r2;
    athlete_rng_seed(&r1, 123, 4);
    athlete_rng_seed(&r2, 123, 4);
    athlete_mlp_init_default(mlp, &r1);
    athlete_mlp_init_default(again, &r2);
    ck_assert_mem_eq(athlete_mlp_params(mlp), athlete_mlp_params(again),
                     athlete_mlp_param_count(mlp) * sizeof(float)); /* same seed, same weights */
    for (size_t l = 0; l < 3; l++) {
        double bound = 1.0 / sqrt((double)w[l]);
        /* W then b of layer l are contiguous; both use the bound of fan_in = w[l] */
        const float *p = athlete_mlp_params(mlp) + athlete_mlp_weight_offset(mlp, l);
        size_t n = w[l + 1] * w[l] + w[l + 1];
        double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(fabs(p[i]) <= bound, "layer %zu: |%g| > 1/sqrt(%zu)", l, p[i], w[l]);
            sum += p[i];
            sq += (double)p[i] * p[i];
            lo = p[i] < lo ? p[i] : lo;
            hi = p[i] > hi ? p[i] : hi;
        }
        /* uniform on the whole interval: mean 0, variance bound^2/3, both ends reached */
        ck_assert_double_le(fabs(sum / n), 4 * bound / sqrt(3.0 * n));
        ck_assert_double_eq_tol(sq / n, bound * bound / 3, 0.1 * bound * bound / 3);
        ck_assert_double_gt(hi, 0.95 * bound);
        ck_assert_double_lt(lo, -0.95 * bound);
    }
    /* bias of the last layer: fan_in 256 bound, 2 values in range */
    const float *b = athlete_mlp_params(mlp) + athlete_mlp_bias_offset(mlp, 2);
    ck_assert(fabsf(b[0]) <= 1.0f / 16 && fabsf(b[1]) <= 1.0f / 16);
    athlete_mlp_destroy(mlp);
    athlete_mlp_destroy(again);
}
END_TEST

/* For the stored in × out matrix M (torch's weight transposed): max |M^T M - gain^2 I|
 * when out <= in (torch's rows orthonormal), max |M M^T - gain^2 I| otherwise. */
static double orthogonality_error(const float *m, size_t out, size_t in, double gain)
{
    bool wide = out <= in;
    size_t n = wide ? out : in, len = wide ? in : out;
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < len; k++)
                s += wide ? (double)m[k * out + i] * m[k * out + j]
                          : (double)m[i * out + k] * m[j * out + k];
            double e = fabs(s - (i == j ? gain * gain : 0.0));
            worst = e > worst ? e : worst;
        }
    return worst;
}

START_TEST(orthogonal_init)
{
    /* PPO's networks: hidden gain sqrt(2), output 0.01 (actor) or 1 (value); tall, square
     * and wide matrices */
    const size_t w[] = {3, 64, 64, 1}, tall[] = {2, 9, 7};
    athlete_error err;
    athlete_mlp *mlp, *t;
    ck_assert_ok(athlete_mlp_create(w, 4, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, &mlp, &err), &err);
    ck_assert_ok(athlete_mlp_create(tall, 3, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, &t, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 31, 0);
    athlete_mlp_init_default(mlp, &rng); /* biases non-zero before */
    ck_assert_ok(athlete_mlp_init_orthogonal(mlp, &rng, sqrt(2.0), 0.01, &err), &err);
    ck_assert_ok(athlete_mlp_init_orthogonal(t, &rng, 1.5, 1.0, &err), &err);
    for (size_t l = 0; l < 3; l++) {
        double gain = l == 2 ? 0.01 : sqrt(2.0);
        const float *p = athlete_mlp_params(mlp);
        double e = orthogonality_error(p + athlete_mlp_weight_offset(mlp, l), w[l + 1], w[l], gain);
        ck_assert_msg(e < 1e-5 * (1 + gain * gain), "layer %zu: off gain^2 I by %g", l, e);
        for (size_t i = 0; i < w[l + 1]; i++)
            ck_assert_float_eq(p[athlete_mlp_bias_offset(mlp, l) + i], 0.0f);
    }
    /* 2 -> 9: torch W (9 × 2) has orthonormal columns; 9 -> 7: orthonormal rows */
    for (size_t l = 0; l < 2; l++) {
        double gain = l == 1 ? 1.0 : 1.5;
        double e = orthogonality_error(athlete_mlp_params(t) + athlete_mlp_weight_offset(t, l),
                                       tall[l + 1], tall[l], gain);
        ck_assert_msg(e < 1e-5, "tall net layer %zu: off by %g", l, e);
    }
    /* the 64->1 output row is a random direction of norm 0.01, not a fixed vector */
    athlete_mlp *other;
    ck_assert_ok(athlete_mlp_clone(mlp, &other, &err), &err);
    ck_assert_ok(athlete_mlp_init_orthogonal(other, &rng, sqrt(2.0), 0.01, &err), &err);
    ck_assert(memcmp(athlete_mlp_params(mlp), athlete_mlp_params(other),
                     athlete_mlp_param_count(mlp) * sizeof(float)) != 0);
    /* a square Haar matrix has both signs on its diagonal across layers; mean entry ~0 */
    const float *w1 = athlete_mlp_params(mlp) + athlete_mlp_weight_offset(mlp, 1);
    double sum = 0;
    for (size_t i = 0; i < 64 * 64; i++)
        sum += w1[i];
    ck_assert_double_lt(fabs(sum / 4096), 0.02);
    athlete_mlp_destroy(other);
    athlete_mlp_destroy(mlp);
    athlete_mlp_destroy(t);
}
END_TEST

/* torch.nn.init.orthogonal_ takes the Gaussian G (out × in, drawn row by row), factorises
 * G (tall) or G^T (wide) as Q R and returns Q diag(sign(diag R)), i.e. the Q whose R has a
 * positive diagonal. Redraw G from the same stream and check Q^T A = R: upper triangular
 * with a positive diagonal. */
static void check_orthogonal_is_torch_qr(size_t in, size_t out, double gain)
{
    const size_t w[] = {in, out};
    athlete_error err;
    athlete_mlp *mlp;
    ck_assert_ok(athlete_mlp_create(w, 2, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, &mlp, &err), &err);
    athlete_rng rng, again;
    athlete_rng_seed(&rng, 44, 7);
    again = rng;
    ck_assert_ok(athlete_mlp_init_orthogonal(mlp, &rng, 3.0, gain, &err), &err);
    double *g = malloc(in * out * sizeof *g);
    for (size_t i = 0; i < out * in; i++)
        g[i] = athlete_rng_normal(&again); /* G[o][i] row-major */
    const float *m = athlete_mlp_params(mlp);  /* M[i][o] = W[o][i] */
    bool tall = out >= in;
    size_t n = tall ? in : out, len = tall ? out : in;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            /* tall: R = W^T G / gain (in × in); wide: R = W G^T / gain (out × out) */
            double r = 0.0;
            for (size_t k = 0; k < len; k++)
                r += tall ? (double)m[a * out + k] * g[k * in + b] : (double)m[k * out + a] * g[b * in + k];
            r /= gain;
            if (a > b)
                ck_assert_msg(fabs(r) < 1e-5, "%zu->%zu: R[%zu][%zu] = %g below the diagonal", in, out, a, b, r);
            if (a == b)
                ck_assert_msg(r > 1e-3, "%zu->%zu: R[%zu][%zu] = %g not positive", in, out, a, a, r);
        }
    free(g);
    athlete_mlp_destroy(mlp);
}

START_TEST(orthogonal_init_is_torch_algorithm)
{
    check_orthogonal_is_torch_qr(3, 8, 1.0);  /* tall weight (out > in) */
    check_orthogonal_is_torch_qr(8, 3, 0.01); /* wide */
    check_orthogonal_is_torch_qr(6, 6, 2.0);  /* square */
    check_orthogonal_is_torch_qr(64, 1, 1.0); /* a value head */
}
END_TEST

START_TEST(copy_clone_and_shape_errors)
{
    const size_t w[] = {4, 16, 2}, v[] = {4, 8, 2};
    athlete_error err;
    athlete_mlp *a, *b, *c, *d;
    ck_assert_ok(athlete_mlp_create(w, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &a, &err), &err);
    ck_assert_ok(athlete_mlp_create(w, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &b, &err), &err);
    ck_assert_ok(athlete_mlp_create(v, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &c, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 0);
    athlete_mlp_init_default(a, &rng);
    ck_assert_ok(athlete_mlp_copy_params(b, a, &err), &err);
    ck_assert_mem_eq(athlete_mlp_params(a), athlete_mlp_params(b), athlete_mlp_param_count(a) * sizeof(float));
    ck_assert_fails(athlete_mlp_copy_params(c, a, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "shapes differ (destination 4-8-2, source 4-16-2)");
    ck_assert_ok(athlete_mlp_clone(a, &d, &err), &err);
    ck_assert(athlete_mlp_same_shape(a, d));
    ck_assert(!athlete_mlp_same_shape(a, c));
    ck_assert_mem_eq(athlete_mlp_params(a), athlete_mlp_params(d), athlete_mlp_param_count(a) * sizeof(float));

    /* a workspace made for another shape */
    athlete_mlp_workspace *wc, *wa;
    ck_assert_ok(athlete_mlp_workspace_create(c, 4, &wc, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(a, 4, &wa, &err), &err);
    float x[16] = {0}, dy[8] = {0}, dx[16];
    ck_assert_ptr_null(athlete_mlp_forward(a, wc, x, 2));
    ck_assert_fails(athlete_mlp_backward(a, wc, dy, NULL, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "made for a 4-8-2 network, not 4-16-2");
    /* call order and batch limits */
    ck_assert_fails(athlete_mlp_backward(a, wa, dy, NULL, &err), &err, ATHLETE_E_CALL_ORDER,
                    "holds no forward pass");
    ck_assert_fails(athlete_mlp_backward_input(a, wa, dy, NULL, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "d_input must not be NULL");
    ck_assert_ptr_null(athlete_mlp_forward(a, wa, x, 5));
    ck_assert_ptr_null(athlete_mlp_forward(a, wa, x, 0));
    ck_assert_ptr_nonnull(athlete_mlp_forward(a, wa, x, 4));
    ck_assert_ok(athlete_mlp_backward_input(a, wa, dy, dx, &err), &err);
    /* the target network (another mlp of the same shape) shares workspaces */
    ck_assert_ptr_nonnull(athlete_mlp_forward(d, wa, x, 4));
    athlete_mlp_workspace_destroy(wa);
    athlete_mlp_workspace_destroy(wc);

    /* creation errors */
    athlete_mlp *bad = (athlete_mlp *)&err; /* untouched on failure */
    const size_t zero[] = {4, 0, 2};
    ck_assert_fails(athlete_mlp_create(zero, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_RELU, &bad, &err),
                    &err, ATHLETE_E_INVALID_ARGUMENT, "widths[1] is 0");
    ck_assert_fails(athlete_mlp_create(w, 1, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_RELU, &bad, &err),
                    &err, ATHLETE_E_INVALID_ARGUMENT, "at least 2 widths");
    ck_assert_fails(athlete_mlp_create(w, 3, (athlete_activation)7, ATHLETE_ACTIVATION_RELU, &bad, &err),
                    &err, ATHLETE_E_INVALID_ARGUMENT, "unknown activation 7");
    ck_assert_fails(athlete_mlp_workspace_create(a, 0, &wa, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "max_batch is 0");
    ck_assert_ptr_eq(bad, (athlete_mlp *)&err);
    athlete_mlp_destroy(NULL);
    athlete_mlp_workspace_destroy(NULL);
    athlete_mlp_destroy(a);
    athlete_mlp_destroy(b);
    athlete_mlp_destroy(c);
    athlete_mlp_destroy(d);
}
END_TEST

/* ---- the per-step path allocates nothing ---------------------------------------------- */

START_TEST(no_allocation_after_create)
{
    athlete_error err;
    count_allocations_begin();
    /* a DQN update and a DDPG-style actor step, built once */
    const size_t w[] = {4, 64, 64, 2};
    enum { B = 64 };
    athlete_mlp *q, *target;
    athlete_mlp_workspace *ws_s, *ws_next, *ws_act;
    athlete_replay *rb;
    athlete_adam *adam;
    ck_assert_ok(athlete_mlp_create(w, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &q, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 3, 0);
    athlete_mlp_init_default(q, &rng);
    ck_assert_ok(athlete_mlp_clone(q, &target, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(q, B, &ws_s, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(q, B, &ws_next, &err), &err);
    ck_assert_ok(athlete_mlp_workspace_create(q, 1, &ws_act, &err), &err);
    ck_assert_ok(athlete_replay_create(1000, 4, 1, B, &rb, &err), &err);
    athlete_adam_group g = athlete_adam_group_default(athlete_mlp_params(q), athlete_mlp_grads(q),
                                                      athlete_mlp_param_count(q), 1e-3);
    ck_assert_ok(athlete_adam_create(&g, 1, &adam, &err), &err);
    size_t before = allocation_count;
    ck_assert_uint_gt(before, 0); /* the counting allocator is in use */

    float obs[4] = {0}, next[4], pred[B], tgt[B], d_out[B * 2], d_in[B * 4];
    for (int step = 0; step < 300; step++) {
        for (int i = 0; i < 4; i++)
            next[i] = (float)athlete_rng_uniform_range(&rng, -1, 1);
        const float *a = athlete_mlp_forward(q, ws_act, obs, 1);
        float action = a[0] > a[1] ? 0.0f : 1.0f;
        athlete_replay_add(rb, obs, &action, 1.0f, next, step % 50 == 49);
        memcpy(obs, next, sizeof obs);
        athlete_replay_batch batch;
        ck_assert_ok(athlete_replay_sample(rb, &rng, B, &batch, &err), &err);
        const float *qs = athlete_mlp_forward(q, ws_s, batch.observations, B);
        const float *qn = athlete_mlp_forward(target, ws_next, batch.next_observations, B);
        for (size_t r = 0; r < B; r++) {
            size_t act = (size_t)batch.actions[r];
            float best = qn[2 * r] > qn[2 * r + 1] ? qn[2 * r] : qn[2 * r + 1];
            pred[r] = qs[2 * r + act];
            tgt[r] = batch.rewards[r] + 0.99f * (1.0f - batch.terminateds[r]) * best;
        }
        float dpred[B];
        athlete_loss_huber(pred, tgt, B, 1.0f, dpred);
        athlete_loss_mse(pred, tgt, B, dpred);
        memset(d_out, 0, sizeof d_out);
        for (size_t r = 0; r < B; r++)
            d_out[2 * r + (size_t)batch.actions[r]] = dpred[r];
        athlete_adam_zero_grad(adam);
        ck_assert_ok(athlete_mlp_backward(q, ws_s, d_out, d_in, &err), &err);
        ck_assert_ok(athlete_mlp_backward_input(q, ws_s, d_out, d_in, &err), &err);
        athlete_adam_clip_grad_norm(adam, 10.0f);
        athlete_adam_step(adam);
        athlete_target_polyak(athlete_mlp_params(target), athlete_mlp_params(q), athlete_mlp_param_count(q), 0.005);
        ck_assert_ok(athlete_target_update_mlp(target, q, 1.0, &err), &err);
    }
    ck_assert_uint_eq(allocation_count, before);

    athlete_adam_destroy(adam);
    athlete_replay_destroy(rb);
    athlete_mlp_workspace_destroy(ws_s);
    athlete_mlp_workspace_destroy(ws_next);
    athlete_mlp_workspace_destroy(ws_act);
    athlete_mlp_destroy(q);
    athlete_mlp_destroy(target);
    count_allocations_end();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mlp");
    TCase *tc = tcase_create("mlp");
    tcase_add_test(tc, forward_matches_float64_triple_loop);
    tcase_add_test(tc, batch_one_matches_batched_rows);
    tcase_add_test(tc, tanh_is_accurate);
    tcase_add_test(tc, relu_propagates_nan);
    tcase_add_test(tc, gradients_match_finite_differences);
    tcase_add_test(tc, backward_accumulates_and_workspaces_are_independent);
    tcase_add_test(tc, layout_and_accessors);
    tcase_add_test(tc, default_init_is_torch_linear);
    tcase_add_test(tc, orthogonal_init);
    tcase_add_test(tc, orthogonal_init_is_torch_algorithm);
    tcase_add_test(tc, copy_clone_and_shape_errors);
    tcase_add_test(tc, no_allocation_after_create);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
