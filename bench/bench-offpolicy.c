/* TD3 and SAC on Pendulum-v1 through the public API, as a host runs them.
 *
 * 1. RLtools' configuration: 20 000 environment steps, 64-64 networks,
 *    minibatch 100, 100 uniform warmup steps, a replay buffer of 20 000, Adam lr 1e-3
 *    (TensorFlow's default, which RLtools uses), TD3's policy delay 2 and target updates
 *    every 2 steps, SAC's every step, tau 0.005, exploration noise 0.1, target smoothing
 *    0.2 clipped at 0.5. Wall time of the training loop (median of 3 runs) beside RLtools'
 *    own figures on an Intel Xeon (4.2 s / 4.8 s with OpenBLAS's SkylakeX kernels, 14.2 s /
 *    18.5 s with the Prescott kernels Debian's OpenBLAS picks there) and the original
 *    Python Athlete's 44 s for the same TD3 run (AMD EPYC); then a greedy evaluation.
 * 2. The seed defaults (400-300 networks, minibatch 256), where the update is GEMM-bound:
 *    µs per interaction after warmup, the update's share (minus acting and the environment,
 *    timed in evaluation mode), its GEMM FLOPs (counted from the shapes) and the achieved
 *    GFLOP/s against the core's raw cblas_sgemm peak measured in the same run.
 *
 *   build/bench/bench-offpolicy [RUNS]     (default 3 timed runs per configuration)
 * Figures depend on the OpenBLAS kernel: run it also with OPENBLAS_CORETYPE=SkylakeX (or
 * Haswell) set when OpenBLAS picked a generic kernel (bench/run.sh does). */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include "runner.h"

#include <cblas.h>
#include <stdlib.h>

#include "bench-util.h"

#define STEPS 20000
#define NETS_64                                                                                             \
    "\"critic_network_arguments\": {\"hidden_dims\": [64, 64]}, \"critic_2_network_arguments\": {\"hidden_dims\": [64, 64]}," \
    " \"actor_network_arguments\": {\"hidden_dims\": [64, 64]}"
#define RLTOOLS                                                                                             \
    "\"replay_buffer_mini_batch_size\": 100, \"replay_buffer_capacity\": 20000, \"warmup_steps\": 100,"    \
    " \"critic_optimizer_arguments\": {\"lr\": 1e-3}, \"actor_optimizer_arguments\": {\"lr\": 1e-3}"

typedef struct rltools_case {
    const char *algorithm, *overrides;
    double skylakex_s, prescott_s; /* RLtools' times measured on the Intel Xeon */
    double original_s;             /* Python Athlete (AMD EPYC), 0 when not measured */
} rltools_case;

static const rltools_case rltools_cases[] = {
    {"td3", "{" NETS_64 ", " RLTOOLS "}", 4.2, 14.2, 44.0},
    {"sac", "{" NETS_64 ", " RLTOOLS "}", 4.8, 18.5, 0.0},
};

static void die(const char *what, const athlete_error *err)
{
    fprintf(stderr, "bench-offpolicy: %s: %s\n", what, err->message);
    exit(1);
}

static athlete_agent *make_agent(const athlete_registry *reg, const athlete_env *env, const char *algorithm,
                                 const char *overrides)
{
    athlete_error err;
    athlete_agent *agent = NULL;
    uint64_t seed = 0;
    if (athlete_agent_create(reg, algorithm, athlete_env_observation_space(env), athlete_env_action_space(env), &seed,
                             overrides, &agent, &err))
        die(algorithm, &err);
    return agent;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- the raw sgemm peak of this core under this kernel ---- */

typedef struct gemm_args {
    int m, n, k;
    float *a, *b, *c;
} gemm_args;

static void gemm(void *p)
{
    gemm_args *g = p;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->m, g->n, g->k, 1.0f, g->a, g->k, g->b, g->n, 0.0f, g->c,
                g->n);
}

static double gemm_gflops(int m, int n, int k)
{
    gemm_args g = {m, n, k, calloc((size_t)m * k, 4), calloc((size_t)k * n, 4), calloc((size_t)m * n, 4)};
    for (size_t i = 0; i < (size_t)m * k; i++)
        g.a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)k * n; i++)
        g.b[i] = (float)(i % 5) * 0.1f;
    double us = bench_time_us(gemm, &g);
    free(g.a);
    free(g.b);
    free(g.c);
    return 2.0 * m * n * k / us * 1e-3;
}

/* ---- GEMM FLOPs of one interaction's updates at the seed defaults, from the shapes ---- */

/* 2 B in out summed over layers from `first` on */
static double layers_flops(const size_t *w, size_t n_widths, size_t first, double batch)
{
    double f = 0;
    for (size_t l = first; l + 1 < n_widths; l++)
        f += 2.0 * batch * (double)w[l] * (double)w[l + 1];
    return f;
}

/* forward; backward with parameter gradients (dW of every layer, dX of all but the
 * first); backward_input (dX of every layer) */
#define FWD(w) layers_flops(w, 4, 0, b)
#define BWD(w) (layers_flops(w, 4, 0, b) + layers_flops(w, 4, 1, b))
#define BWD_INPUT(w) layers_flops(w, 4, 0, b)

static double update_flops(const char *algorithm)
{
    const double b = 256;
    const size_t critic[4] = {3 + 1, 400, 300, 1}, actor[4] = {3, 400, 300, 1}, gauss[4] = {3, 400, 300, 2};
    if (strcmp(algorithm, "ddpg") == 0) /* critic: mu'(s'), Q'(s', .), Q fit; actor every step */
        return FWD(actor) + 2 * FWD(critic) + BWD(critic) + FWD(actor) + FWD(critic) + BWD_INPUT(critic) + BWD(actor);
    if (strcmp(algorithm, "td3") == 0) /* critics: mu'(s'), 2 Q', 2 Q fits; actor every 2nd step */
        return FWD(actor) + 4 * FWD(critic) + 2 * BWD(critic) +
               (FWD(actor) + FWD(critic) + BWD_INPUT(critic) + BWD(actor)) / 2;
    /* sac: critics: pi(s'), 2 Q', 2 Q fits; actor: pi(s), 2 Q, 2 dQ/da, backward;
     * temperature: pi(s) */
    return FWD(gauss) + 4 * FWD(critic) + 2 * BWD(critic) + FWD(gauss) + 2 * FWD(critic) + 2 * BWD_INPUT(critic) +
           BWD(gauss) + FWD(gauss);
}

/* ---- timing loops ---- */

typedef struct stepper {
    athlete_env *env;
    athlete_agent *agent;
    float obs[8], clipped[4];
    const float *action;
} stepper;

static void stepper_reset(stepper *s)
{
    athlete_error err;
    const athlete_info *info;
    if (athlete_env_reset(s->env, NULL, s->obs, &err) ||
        athlete_agent_reset_step(s->agent, s->obs, &s->action, &info, &err))
        die("reset", &err);
}

/* `steps` environment steps with the agent in its current mode; returns seconds. */
static double run_steps(stepper *s, int steps)
{
    athlete_error err;
    const athlete_info *info;
    double t0 = bench_now();
    for (int i = 0; i < steps; i++) {
        double reward;
        bool terminated, truncated;
        athlete_space_clip(athlete_env_action_space(s->env), s->action, s->clipped);
        if (athlete_env_step(s->env, s->clipped, 1, s->obs, &reward, &terminated, &truncated, &err) ||
            athlete_agent_step(s->agent, s->obs, reward, terminated, truncated, &s->action, &info, &err))
            die("step", &err);
        if (terminated || truncated)
            stepper_reset(s);
    }
    return bench_now() - t0;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 3;
    runs = runs < 1 ? 1 : runs;
    int core = bench_pin_one_core();
    bench_print_machine("bench-offpolicy: TD3 and SAC on Pendulum-v1 (one core)");
    printf("pinned to CPU %d; OPENBLAS_CORETYPE=%s\n", core, getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "(unset)");
    athlete_error err;
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_registry *reg = NULL;
    if (athlete_registry_create(&options, &reg, &err))
        die("registry", &err);

    double peak = 0;
    for (int n = 256; n <= 1024; n *= 2) {
        double gf = gemm_gflops(n, n, n);
        peak = gf > peak ? gf : peak;
    }
    printf("raw cblas_sgemm peak (best of 256^3, 512^3, 1024^3): %.1f GF/s; the update's main shape, "
           "b256 400->300 (x W): %.1f GF/s\n",
           peak, gemm_gflops(256, 300, 400));

    printf("\nRLtools' configuration: %d steps, 64-64 networks, batch 100, warmup 100, replay 20000, lr 1e-3 "
           "(wall time of the training loop, median of %d)\n",
           STEPS, runs);
    for (size_t c = 0; c < sizeof rltools_cases / sizeof rltools_cases[0]; c++) {
        const rltools_case *rc = &rltools_cases[c];
        double times[16];
        athlete_agent *agent = NULL;
        athlete_env *env = NULL;
        for (int r = 0; r < runs && r < 16; r++) {
            athlete_agent_destroy(agent);
            athlete_env_destroy(env);
            if (athlete_env_create("Pendulum-v1", NULL, &env, &err))
                die("env", &err);
            agent = make_agent(reg, env, rc->algorithm, rc->overrides);
            uint64_t seed = 0;
            double t0 = bench_now();
            if (athlete_run_training(agent, env, STEPS, &seed, NULL, &err))
                die(rc->algorithm, &err);
            times[r] = bench_now() - t0;
        }
        int n = runs < 16 ? runs : 16;
        qsort(times, (size_t)n, sizeof times[0], compare);
        double median = times[n / 2];
        athlete_evaluation ev;
        if (athlete_run_evaluation(agent, env, 10, 1000000, &ev, &err))
            die("evaluation", &err);
        printf("  %s  %6.2f s  (%5.2f k steps/s, runs %.2f-%.2f s)  greedy eval %.1f +/- %.1f (10 episodes)\n",
               rc->algorithm, median, STEPS / median * 1e-3, times[0], times[n - 1], ev.mean_return, ev.std_return);
        printf("        reference: RLtools %.1f s (SkylakeX kernels) / %.1f s (Prescott kernels), Intel Xeon",
               rc->skylakex_s, rc->prescott_s);
        if (rc->original_s > 0)
            printf("; original Python Athlete %.0f s (AMD EPYC)", rc->original_s);
        printf("\n");
        athlete_agent_destroy(agent);
        athlete_env_destroy(env);
    }

    printf("\nseed defaults: 400-300 networks, batch 256 (GEMM-bound); µs per interaction after warmup\n");
    const char *defaults[3] = {"td3", "sac", "ddpg"};
    for (int a = 0; a < 3; a++) {
        stepper s = {0};
        if (athlete_env_create("Pendulum-v1", NULL, &s.env, &err))
            die("env", &err);
        s.agent = make_agent(reg, s.env, defaults[a], NULL);
        uint64_t seed = 0;
        if (athlete_env_reset(s.env, &seed, s.obs, &err))
            die("reset", &err);
        stepper_reset(&s);
        run_steps(&s, 1000 + 20); /* warmup, then a few updates to warm the caches */
        const int n = 150;
        double train = run_steps(&s, n) / n * 1e6;
        athlete_agent_eval(s.agent);
        stepper_reset(&s);
        double acting = run_steps(&s, n) / n * 1e6;
        double update = train - acting, flops = update_flops(defaults[a]);
        double gf = flops / update * 1e-3;
        printf("  %-4s  %8.0f µs/step = update %8.0f µs + acting and env %4.0f µs | GEMM %5.0f MFLOP -> %5.1f GF/s = "
               "%3.0f%% of the sgemm peak\n",
               defaults[a], train, update, acting, flops * 1e-6, gf, 100 * gf / peak);
        athlete_agent_destroy(s.agent);
        athlete_env_destroy(s.env);
    }
    athlete_registry_destroy(reg);
    return 0;
}
