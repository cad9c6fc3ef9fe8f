/* Micro-benchmark of the neural-network building blocks on one core.
 *
 * Prints, next to the CPU and the OpenBLAS kernel it ran on: raw sgemm timings (a square
 * peak and the exact shapes an MLP update issues), then per network the forward, the
 * forward+backward+Adam and the full DQN-style update (forward s, forward s' on the target
 * network, backward, Adam) in µs and GFLOP/s, plus the design alternatives the SDK chose
 * between (weight layout, sgemv vs sgemm for one row, bias-gradient loop vs gemv, Polyak
 * loop vs scal+axpy). Every figure is the best of 25 runs of >= 2 ms each: the minimum is
 * the figure least disturbed by other processes on a shared machine.
 *
 *   build-dir/bench/bench-nn
 *   OPENBLAS_CORETYPE=SkylakeX build-dir/bench/bench-nn   (kernel chosen at load time) */
#include <athlete/adam.h>
#include <athlete/loss.h>
#include <athlete/mlp.h>
#include <athlete/replay.h>
#include <athlete/rng.h>
#include <athlete/target.h>

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"

extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);

/* µs per call of fn(ctx): best of 25 runs of >= 2 ms each. */
static double time_us(void (*fn)(void *), void *ctx)
{
    fn(ctx);
    size_t reps = 1;
    for (;;) {
        double t0 = bench_now();
        for (size_t i = 0; i < reps; i++)
            fn(ctx);
        if (bench_now() - t0 >= 0.002)
            break;
        reps *= 2;
    }
    double best = 1e30;
    for (int run = 0; run < 25; run++) {
        double t0 = bench_now();
        for (size_t i = 0; i < reps; i++)
            fn(ctx);
        double us = (bench_now() - t0) / (double)reps * 1e6;
        best = us < best ? us : best;
    }
    return best;
}

static void fill(float *x, size_t n, athlete_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)athlete_rng_uniform_range(rng, -1, 1);
}

static float *rand_array(size_t n, athlete_rng *rng)
{
    float *x = malloc(n * sizeof *x);
    if (!x) {
        fprintf(stderr, "bench-nn: out of memory\n");
        exit(1);
    }
    fill(x, n, rng);
    return x;
}

/* ---- raw sgemm ---------------------------------------------------------------------- */

typedef struct gemm_case {
    CBLAS_TRANSPOSE ta, tb;
    int m, n, k;
    float *a, *b, *c;
} gemm_case;

static void run_gemm(void *p)
{
    gemm_case *g = p;
    int lda = g->ta == CblasNoTrans ? g->k : g->m;
    int ldb = g->tb == CblasNoTrans ? g->n : g->k;
    cblas_sgemm(CblasRowMajor, g->ta, g->tb, g->m, g->n, g->k, 1.0f, g->a, lda, g->b, ldb, 0.0f, g->c, g->n);
}

static double gemm_us(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, athlete_rng *rng)
{
    gemm_case g = {ta, tb, m, n, k, rand_array((size_t)m * k, rng), rand_array((size_t)k * n, rng),
                   rand_array((size_t)m * n, rng)};
    double us = time_us(run_gemm, &g);
    free(g.a);
    free(g.b);
    free(g.c);
    return us;
}

static double gflops(double flop, double us) { return flop / us * 1e-3; }

/* ---- networks ------------------------------------------------------------------------- */

typedef struct net_case {
    athlete_mlp *q, *target;
    athlete_mlp_workspace *ws_s, *ws_next;
    athlete_adam *adam;
    size_t batch, out;
    float *s, *s_next, *y, *d_out;
} net_case;

static void net_forward(void *p)
{
    net_case *c = p;
    athlete_mlp_forward(c->q, c->ws_s, c->s, c->batch);
}

/* forward, MSE against fixed targets, zero_grad, backward, Adam */
static void net_train_step(void *p)
{
    net_case *c = p;
    const float *q = athlete_mlp_forward(c->q, c->ws_s, c->s, c->batch);
    athlete_loss_mse(q, c->y, c->batch * c->out, c->d_out);
    athlete_adam_zero_grad(c->adam);
    athlete_mlp_backward(c->q, c->ws_s, c->d_out, NULL, NULL);
    athlete_adam_step(c->adam);
}

/* one DQN/critic update: forward s, forward s' on the target net, backward
 * (weights and the inner layers' input gradients), Adam */
static void net_update(void *p)
{
    net_case *c = p;
    const float *qn = athlete_mlp_forward(c->target, c->ws_next, c->s_next, c->batch);
    const float *q = athlete_mlp_forward(c->q, c->ws_s, c->s, c->batch);
    for (size_t i = 0; i < c->batch * c->out; i++)
        c->y[i] = 0.99f * qn[i] + 0.01f;
    athlete_loss_mse(q, c->y, c->batch * c->out, c->d_out);
    athlete_adam_zero_grad(c->adam);
    athlete_mlp_backward(c->q, c->ws_s, c->d_out, NULL, NULL);
    athlete_adam_step(c->adam);
}

typedef struct adam_case {
    athlete_adam *adam;
} adam_case;

static void run_adam(void *p) { athlete_adam_step(((adam_case *)p)->adam); }

static void bench_net(const char *label, const size_t *w, size_t nw, athlete_activation hidden,
                      athlete_activation output, size_t batch, double peak_gf, athlete_rng *rng)
{
    athlete_error err;
    net_case c = {.batch = batch, .out = w[nw - 1]};
    if (athlete_mlp_create(w, nw, hidden, output, &c.q, &err) != ATHLETE_OK ||
        athlete_mlp_workspace_create(c.q, batch, &c.ws_s, &err) != ATHLETE_OK ||
        athlete_mlp_workspace_create(c.q, batch, &c.ws_next, &err) != ATHLETE_OK) {
        fprintf(stderr, "bench-nn: %s\n", err.message);
        exit(1);
    }
    athlete_mlp_init_default(c.q, rng);
    if (athlete_mlp_clone(c.q, &c.target, &err) != ATHLETE_OK) {
        fprintf(stderr, "bench-nn: %s\n", err.message);
        exit(1);
    }
    athlete_adam_group g = athlete_adam_group_default(athlete_mlp_params(c.q), athlete_mlp_grads(c.q),
                                                      athlete_mlp_param_count(c.q), 1e-4);
    if (athlete_adam_create(&g, 1, &c.adam, &err) != ATHLETE_OK) {
        fprintf(stderr, "bench-nn: %s\n", err.message);
        exit(1);
    }
    c.s = rand_array(batch * w[0], rng);
    c.s_next = rand_array(batch * w[0], rng);
    c.y = rand_array(batch * c.out, rng);
    c.d_out = rand_array(batch * c.out, rng);

    /* FLOPs: 2·B·in·out per GEMM; Adam is not counted */
    double fwd_flop = 0, dx_flop = 0;
    double gemm_fwd = 0, gemm_dw = 0, gemm_dx = 0;
    for (size_t l = 0; l + 1 < nw; l++) {
        int in = (int)w[l], out = (int)w[l + 1], b = (int)batch;
        fwd_flop += 2.0 * (double)batch * (double)(w[l] * w[l + 1]);
        /* the calls the MLP makes, W stored in × out: y = x W, dW = x^T d, dx = d W^T */
        gemm_fwd += gemm_us(CblasNoTrans, CblasNoTrans, b, out, in, rng);
        gemm_dw += gemm_us(CblasTrans, CblasNoTrans, in, out, b, rng);
        if (l > 0) {
            dx_flop += 2.0 * (double)batch * (double)(w[l] * w[l + 1]);
            gemm_dx += gemm_us(CblasNoTrans, CblasTrans, b, in, out, rng);
        }
    }
    double train_flop = 2 * fwd_flop + dx_flop, update_flop = 3 * fwd_flop + dx_flop;
    double gemm_train = gemm_fwd + gemm_dw + gemm_dx, gemm_update = gemm_train + gemm_fwd;

    double t_fwd = time_us(net_forward, &c);
    double t_train = time_us(net_train_step, &c);
    double t_update = time_us(net_update, &c);
    /* Adam on its own, with ordinary gradients (after the runs above a converged net's
     * tiny gradients can make v subnormal, which slows sqrt/div on some CPUs) */
    fill(athlete_mlp_grads(c.q), athlete_mlp_param_count(c.q), rng);
    adam_case ac = {c.adam};
    double t_adam = time_us(run_adam, &ac);

    size_t np = athlete_mlp_param_count(c.q);
    printf("\n%s  (%zu parameters, batch %zu)\n", label, np, batch);
    printf("  forward                 %9.2f µs  %6.1f GF/s   (its sgemm calls alone: %.2f µs)\n", t_fwd,
           gflops(fwd_flop, t_fwd), gemm_fwd);
    printf("  fwd+bwd+adam            %9.2f µs  %6.1f GF/s   (sgemm alone: %.2f µs)\n", t_train,
           gflops(train_flop, t_train), gemm_train);
    printf("  update (fwd s, fwd s' target, bwd, adam)  %.2f µs = %.2f MFLOP at %.1f GF/s = %.0f%% of "
           "the 256^3 sgemm peak; %.2fx its own sgemm time (%.2f µs)\n",
           t_update, update_flop * 1e-6, gflops(update_flop, t_update),
           100.0 * gflops(update_flop, t_update) / peak_gf, t_update / gemm_update, gemm_update);
    printf("  adam step alone         %9.2f µs  (%.2f ns/parameter)\n", t_adam, t_adam * 1e3 / (double)np);

    free(c.s);
    free(c.s_next);
    free(c.y);
    free(c.d_out);
    athlete_adam_destroy(c.adam);
    athlete_mlp_workspace_destroy(c.ws_s);
    athlete_mlp_workspace_destroy(c.ws_next);
    athlete_mlp_destroy(c.q);
    athlete_mlp_destroy(c.target);
}

/* ---- design alternatives ------------------------------------------------------------- */

typedef struct row_case {
    int in, out;
    float *w, *x, *y;
} row_case;

static void one_row_gemv(void *p)
{
    row_case *r = p;
    cblas_sgemv(CblasRowMajor, CblasTrans, r->in, r->out, 1.0f, r->w, r->out, r->x, 1, 0.0f, r->y, 1);
}

static void one_row_gemm(void *p)
{
    row_case *r = p;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, r->out, r->in, 1.0f, r->x, r->in, r->w, r->out,
                0.0f, r->y, r->out);
}

typedef struct act_case {
    athlete_mlp *mlp;
    athlete_mlp_workspace *ws;
    float *x;
} act_case;

static void act_forward(void *p)
{
    act_case *a = p;
    athlete_mlp_forward(a->mlp, a->ws, a->x, 1);
}

typedef struct colsum_case {
    int rows, cols;
    float *d, *ones, *gb;
} colsum_case;

static void colsum_loop(void *p)
{
    colsum_case *c = p;
    const float *d = c->d;
    for (int r = 0; r < c->rows; r++, d += c->cols)
        for (int j = 0; j < c->cols; j++)
            c->gb[j] += d[j];
}

static void colsum_gemv(void *p)
{
    colsum_case *c = p;
    cblas_sgemv(CblasRowMajor, CblasTrans, c->rows, c->cols, 1.0f, c->d, c->cols, c->ones, 1, 1.0f, c->gb, 1);
}

typedef struct polyak_case {
    size_t n;
    float *t, *s;
} polyak_case;

static void polyak_sdk(void *p)
{
    polyak_case *c = p;
    athlete_target_polyak(c->t, c->s, c->n, 0.005);
}

static void polyak_blas(void *p)
{
    polyak_case *c = p;
    cblas_sscal((int)c->n, 0.995f, c->t, 1);
    cblas_saxpy((int)c->n, 0.005f, c->s, 1, c->t, 1);
}

typedef struct replay_case {
    athlete_replay *rb;
    athlete_rng rng;
    size_t batch;
} replay_case;

static void replay_sample(void *p)
{
    replay_case *c = p;
    athlete_replay_batch b;
    athlete_replay_sample(c->rb, &c->rng, c->batch, &b, NULL);
}

int main(void)
{
    openblas_set_num_threads(1);
    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    printf("bench-nn: CPU %s | OpenBLAS kernel %s, %d thread(s), OPENBLAS_CORETYPE=%s\n", cpu,
           openblas_get_corename(), openblas_get_num_threads(), coretype ? coretype : "(unset)");
    printf("OpenBLAS config: %s\n", openblas_get_config());

    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 0);

    printf("\nraw cblas_sgemm, row-major (µs, GF/s)\n");
    double peak_us = gemm_us(CblasNoTrans, CblasNoTrans, 256, 256, 256, &rng);
    double peak_gf = gflops(2.0 * 256 * 256 * 256, peak_us);
    printf("  256x256x256             %9.2f µs  %6.1f GF/s   <- peak used below\n", peak_us, peak_gf);
    double t64 = gemm_us(CblasNoTrans, CblasNoTrans, 64, 64, 64, &rng);
    printf("  64x64x64                %9.2f µs  %6.1f GF/s\n", t64, gflops(2.0 * 64 * 64 * 64, t64));
    const struct { int b, in, out; } shapes[] = {{64, 4, 64}, {64, 64, 64}, {64, 64, 2}, {128, 256, 256},
                                                 {256, 400, 300}, {1, 64, 64}};
    printf("  forward layer y = x W   W in x out (SDK)     W out x in (torch)\n");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        int b = shapes[i].b, in = shapes[i].in, out = shapes[i].out;
        double flop = 2.0 * b * in * out;
        double nn = gemm_us(CblasNoTrans, CblasNoTrans, b, out, in, &rng);
        double nt = gemm_us(CblasNoTrans, CblasTrans, b, out, in, &rng);
        printf("  b%-3d %3d -> %-3d     %9.2f µs %6.1f GF/s   %9.2f µs %6.1f GF/s\n", b, in, out, nn,
               gflops(flop, nn), nt, gflops(flop, nt));
    }

    const size_t dqn_small[] = {4, 64, 64, 2}, dqn_seed[] = {4, 256, 256, 2};
    const size_t critic[] = {4, 400, 300, 1}, actor[] = {3, 400, 300, 1}, ppo[] = {3, 64, 64, 1};
    bench_net("DQN 4-64-64-2 relu", dqn_small, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, 64,
              peak_gf, &rng);
    bench_net("DQN 4-256-256-2 relu (seed default)", dqn_seed, 4, ATHLETE_ACTIVATION_RELU,
              ATHLETE_ACTIVATION_IDENTITY, 128, peak_gf, &rng);
    bench_net("critic 4-400-300-1 relu (TD3/SAC Pendulum default)", critic, 4, ATHLETE_ACTIVATION_RELU,
              ATHLETE_ACTIVATION_IDENTITY, 256, peak_gf, &rng);
    bench_net("actor 3-400-300-1 relu/tanh", actor, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_TANH, 256,
              peak_gf, &rng);
    bench_net("PPO 3-64-64-1 tanh", ppo, 4, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, 64, peak_gf,
              &rng);

    printf("\ndesign choices\n");
    {
        const int rows[][2] = {{4, 64}, {64, 64}, {64, 2}, {256, 256}, {400, 300}, {300, 1}};
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            int in = rows[i][0], out = rows[i][1];
            row_case r = {in, out, rand_array((size_t)in * out, &rng), rand_array((size_t)in, &rng),
                          rand_array((size_t)out, &rng)};
            printf("  one row %3d -> %-3d: sgemv (SDK) %.3f µs, sgemm M=1 %.3f µs\n", in, out,
                   time_us(one_row_gemv, &r), time_us(one_row_gemm, &r));
            free(r.w);
            free(r.x);
            free(r.y);
        }
        athlete_error err;
        act_case a = {0};
        athlete_mlp_create(dqn_small, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &a.mlp, &err);
        athlete_mlp_init_default(a.mlp, &rng);
        athlete_mlp_workspace_create(a.mlp, 1, &a.ws, &err);
        a.x = rand_array(4, &rng);
        printf("  acting forward 4-64-64-2, batch 1 (SDK: sgemv): %.3f µs\n", time_us(act_forward, &a));
        free(a.x);
        athlete_mlp_workspace_destroy(a.ws);
        athlete_mlp_destroy(a.mlp);
    }
    {
        const int dims[][2] = {{64, 64}, {64, 2}, {256, 300}};
        for (size_t i = 0; i < 3; i++) {
            int rows = dims[i][0], cols = dims[i][1];
            colsum_case c = {rows, cols, rand_array((size_t)rows * cols, &rng), rand_array((size_t)rows, &rng),
                             rand_array((size_t)cols, &rng)};
            for (int k = 0; k < rows; k++)
                c.ones[k] = 1.0f;
            printf("  bias gradient %dx%d: row loop %.3f µs, sgemv with ones (SDK) %.3f µs\n", rows, cols,
                   time_us(colsum_loop, &c), time_us(colsum_gemv, &c));
            free(c.d);
            free(c.ones);
            free(c.gb);
        }
    }
    {
        const size_t sizes[] = {4610, 367403};
        for (size_t i = 0; i < 2; i++) {
            polyak_case c = {sizes[i], rand_array(sizes[i], &rng), rand_array(sizes[i], &rng)};
            printf("  Polyak %zu floats: fused loop (SDK) %.2f µs, sscal+saxpy %.2f µs\n", sizes[i],
                   time_us(polyak_sdk, &c), time_us(polyak_blas, &c));
            free(c.t);
            free(c.s);
        }
    }
    {
        replay_case c = {.batch = 64};
        athlete_error err;
        if (athlete_replay_create(100000, 4, 1, 256, &c.rb, &err) != ATHLETE_OK) {
            fprintf(stderr, "bench-nn: %s\n", err.message);
            return 1;
        }
        float o[4], n[4], act = 0;
        for (int k = 0; k < 100000; k++) {
            fill(o, 4, &rng);
            fill(n, 4, &rng);
            athlete_replay_add(c.rb, o, &act, 1.0f, n, false);
        }
        athlete_rng_seed(&c.rng, 2, 0);
        printf("  replay sample, capacity 100k, obs 4: batch 64 %.2f µs", time_us(replay_sample, &c));
        c.batch = 256;
        printf(", batch 256 %.2f µs\n", time_us(replay_sample, &c));
        athlete_replay_destroy(c.rb);
    }
    return 0;
}
