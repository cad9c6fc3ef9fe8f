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
 * 3. Vector agents (--envs): the acting cost per environment step of ddpg, td3, sac
 *    (Pendulum-v1, 64-64) and dqn (CartPole-v1, 64-64) driving N = 1, 8, 64, 256
 *    environments: training mode after warmup with the updates scheduled out of reach
 *    (collector, replay insertion, one batched actor forward pass, the exploration draws),
 *    and evaluation mode (the batched forward pass alone), in this thread's CPU time.
 *
 *   build/bench/bench-offpolicy [RUNS]            (default 3 timed runs per configuration)
 *   build/bench/bench-offpolicy --envs [N,N,...]  the vector part alone (default 1,8,64,256)
 * Figures depend on the OpenBLAS kernel: run it also with OPENBLAS_CORETYPE=SkylakeX (or
 * Haswell) set when OpenBLAS picked a generic kernel (bench/run.sh does). */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/vector-env.h>
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

/* ---- vector agents: acting per environment step ---- */

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct vector_case {
    const char *algorithm, *env, *overrides;
} vector_case;

/* Updates and target syncs scheduled beyond the run: acting is all that runs. */
#define NO_UPDATES_AC                                                                                        \
    "\"warmup_steps\": 0, \"critic_update_frequency\": 1000000000, \"actor_update_frequency\": 1000000000,"   \
    " \"target_critic_update_frequency\": 1000000000, \"replay_buffer_capacity\": 100000"
static const vector_case vector_cases[] = {
    {"ddpg", "Pendulum-v1",
     "{\"critic_network_arguments\": {\"hidden_dims\": [64, 64]}, \"actor_network_arguments\": {\"hidden_dims\": [64, 64]}, "
     NO_UPDATES_AC ", \"target_actor_update_frequency\": 1000000000}"},
    {"td3", "Pendulum-v1", "{" NETS_64 ", " NO_UPDATES_AC ", \"target_actor_update_frequency\": 1000000000}"},
    {"sac", "Pendulum-v1", "{" NETS_64 ", " NO_UPDATES_AC "}"},
    {"dqn", "CartPole-v1",
     "{\"value_network_arguments\": {\"hidden_dims\": [64, 64]}, \"warmup_steps\": 0, \"start_epsilon\": 0.1,"
     " \"value_net_update_frequency\": 1000000000, \"target_net_update_frequency\": 1000000000,"
     " \"replay_buffer_capacity\": 100000}"},
};

typedef struct vector_timing {
    double train_ns, eval_ns, env_ns; /* per environment step */
} vector_timing;

/* `calls` vector steps in the agent's current mode; adds the agent's and the environment's
 * CPU seconds. */
static void vector_calls(athlete_vector_env *venv, athlete_agent *agent, size_t n, uint64_t calls, float *obs,
                         float *finals, float *env_actions, double *rewards, bool *terminated, bool *truncated,
                         const float **actions, double *agent_s, double *env_s)
{
    athlete_error err;
    const athlete_space *space = athlete_vector_env_action_space(venv);
    size_t act = athlete_space_flat_size(space);
    for (uint64_t c = 0; c < calls; c++) {
        for (size_t i = 0; i < n; i++)
            athlete_space_clip(space, *actions + i * act, env_actions + i * act);
        double t0 = cpu_now();
        if (athlete_vector_env_step(venv, env_actions, n * act, obs, rewards, terminated, truncated, finals, &err))
            die("vector env step", &err);
        double t1 = cpu_now();
        if (athlete_agent_vector_step(agent, obs, finals, rewards, terminated, truncated, actions, NULL, &err))
            die("vector step", &err);
        *env_s += t1 - t0;
        *agent_s += cpu_now() - t1;
    }
}

static vector_timing time_vector(const athlete_registry *reg, const vector_case *vc, size_t n, uint64_t steps)
{
    athlete_error err;
    athlete_vector_env *venv;
    athlete_agent *agent;
    uint64_t seed = 0;
    if (athlete_vector_env_create(vc->env, NULL, n, &venv, &err))
        die("vector env", &err);
    const athlete_space *os = athlete_vector_env_observation_space(venv), *as = athlete_vector_env_action_space(venv);
    if (athlete_agent_create_vector(reg, vc->algorithm, os, as, n, &seed, vc->overrides, &agent, &err))
        die(vc->algorithm, &err);
    size_t o = athlete_space_flat_size(os), a = athlete_space_flat_size(as);
    float *obs = calloc(n * o, sizeof(float)), *finals = calloc(n * o, sizeof(float)),
          *env_actions = calloc(n * a, sizeof(float));
    double *rewards = calloc(n, sizeof(double));
    bool *terminated = calloc(n, sizeof(bool)), *truncated = calloc(n, sizeof(bool));
    const float *actions;
    if (athlete_vector_env_reset(venv, &seed, obs, &err) ||
        athlete_agent_vector_reset_step(agent, obs, &actions, NULL, &err))
        die("vector reset", &err);
    uint64_t calls = steps / n < 50 ? 50 : steps / n;
    double agent_s = 0, env_s = 0, ignored = 0;
    vector_calls(venv, agent, n, calls / 10 + 1, obs, finals, env_actions, rewards, terminated, truncated, &actions,
                 &ignored, &ignored); /* warm caches */
    vector_calls(venv, agent, n, calls, obs, finals, env_actions, rewards, terminated, truncated, &actions, &agent_s,
                 &env_s);
    vector_timing t = {.train_ns = agent_s / (double)(calls * n) * 1e9, .env_ns = env_s / (double)(calls * n) * 1e9};
    athlete_agent_eval(agent);
    agent_s = 0;
    if (athlete_agent_vector_reset_step(agent, obs, &actions, NULL, &err))
        die("vector reset", &err);
    vector_calls(venv, agent, n, calls, obs, finals, env_actions, rewards, terminated, truncated, &actions, &agent_s,
                 &ignored);
    t.eval_ns = agent_s / (double)(calls * n) * 1e9;
    free(obs);
    free(finals);
    free(env_actions);
    free(rewards);
    free(terminated);
    free(truncated);
    athlete_agent_destroy(agent);
    athlete_vector_env_destroy(venv);
    return t;
}

static void vector_section(const athlete_registry *reg, const size_t *counts, size_t n_counts)
{
    const uint64_t steps = 200000;
    printf("\nVector agents: acting per environment step (this thread's CPU time, %llu env steps each, 64-64 networks;\n"
           "training mode after warmup with the updates scheduled out of reach, evaluation mode = the batched forward)\n",
           (unsigned long long)steps);
    printf("  %-5s %-12s %6s %14s %14s %10s %12s\n", "algo", "env", "N", "train ns/step", "eval ns/step", "env ns",
           "train vs N=1");
    for (size_t c = 0; c < sizeof vector_cases / sizeof vector_cases[0]; c++) {
        double first = 0;
        for (size_t k = 0; k < n_counts; k++) {
            vector_timing t = time_vector(reg, &vector_cases[c], counts[k], steps);
            if (k == 0)
                first = t.train_ns;
            printf("  %-5s %-12s %6zu %14.0f %14.0f %10.0f %11.2fx\n", vector_cases[c].algorithm, vector_cases[c].env,
                   counts[k], t.train_ns, t.eval_ns, t.env_ns, first / t.train_ns);
        }
    }
}

/* "1,8,64" -> counts; false on anything else. */
static bool parse_counts(const char *text, size_t *counts, size_t *n_counts, size_t max)
{
    *n_counts = 0;
    while (*text && *n_counts < max) {
        char *end;
        unsigned long v = strtoul(text, &end, 10);
        if (end == text || v < 1 || v > ATHLETE_VECTOR_ENV_MAX || (*end && *end != ','))
            return false;
        counts[(*n_counts)++] = v;
        text = *end ? end + 1 : end;
    }
    return *n_counts > 0 && !*text;
}

int main(int argc, char **argv)
{
    size_t counts[16] = {1, 8, 64, 256}, n_counts = 4;
    bool vector_only = argc > 1 && strcmp(argv[1], "--envs") == 0;
    if (vector_only && argc > 2 && !parse_counts(argv[2], counts, &n_counts, 16)) {
        fprintf(stderr, "bench-offpolicy: --envs expects counts like 1,8,64,256, got '%s'\n", argv[2]);
        return 2;
    }
    int runs = argc > 1 && !vector_only ? atoi(argv[1]) : 3;
    runs = runs < 1 ? 1 : runs;
    int core = bench_pin_one_core();
    bench_print_machine("bench-offpolicy: TD3 and SAC on Pendulum-v1 (one core)");
    printf("pinned to CPU %d; OPENBLAS_CORETYPE=%s\n", core, getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "(unset)");
    athlete_error err;
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_registry *reg = NULL;
    if (athlete_registry_create(&options, &reg, &err))
        die("registry", &err);
    if (vector_only) {
        vector_section(reg, counts, n_counts);
        printf("OpenBLAS kernel %s, %d thread(s)\n", athlete_blas_corename(), athlete_blas_threads());
        athlete_registry_destroy(reg);
        return 0;
    }

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
    vector_section(reg, counts, n_counts);
    athlete_registry_destroy(reg);
    return 0;
}
