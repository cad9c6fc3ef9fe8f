/* bench-envs: nanoseconds per step of every built-in environment.
 *
 * usage: bench-envs [SECONDS_PER_ENV]   (default 0.5)
 *
 * One thread pinned to one core. Actions are drawn uniformly from the action space with an
 * athlete_rng (the draw is inside the timed loop: a few ns); when an episode ends the
 * environment is reset (seed NULL) and the reset is timed too, as in a training loop. */
#include <athlete/env.h>
#include <athlete/rng.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"

typedef struct bench_result {
    double ns_per_step;
    unsigned long long steps, episodes;
} bench_result;

static int bench_one(const char *id, double seconds, bench_result *out)
{
    athlete_error err;
    athlete_env *env = NULL;
    if (athlete_env_create(id, NULL, &env, &err) != ATHLETE_OK) {
        fprintf(stderr, "%s: %s\n", id, err.message);
        return -1;
    }
    const athlete_space *as = athlete_env_action_space(env);
    size_t act_n = athlete_space_flat_size(as);
    float obs[16], action[8];
    athlete_rng rng;
    athlete_rng_seed(&rng, 42, 0);
    uint64_t seed = 42;
    athlete_env_reset(env, &seed, obs, &err);

    unsigned long long steps = 0, episodes = 0;
    double elapsed = 0.0;
    /* Warm-up, then batches of 65536 steps until the time is used. */
    for (int phase = 0; phase < 2; phase++) {
        double budget = phase == 0 ? 0.05 : seconds;
        unsigned long long n = 0, eps = 0;
        double start = bench_now(), t = start;
        while (t - start < budget) {
            for (int k = 0; k < 65536; k++) {
                if (as->kind == ATHLETE_SPACE_DISCRETE) {
                    action[0] = (float)athlete_rng_below(&rng, (uint64_t)as->n);
                } else {
                    for (size_t i = 0; i < act_n; i++)
                        action[i] = as->low[i] +
                                    (as->high[i] - as->low[i]) * athlete_rng_uniform_float(&rng);
                }
                double reward;
                bool terminated, truncated;
                if (athlete_env_step(env, action, act_n, obs, &reward, &terminated, &truncated,
                                     &err) != ATHLETE_OK) {
                    fprintf(stderr, "%s: %s\n", id, err.message);
                    athlete_env_destroy(env);
                    return -1;
                }
                if (terminated || truncated) {
                    athlete_env_reset(env, NULL, obs, &err);
                    eps++;
                }
            }
            n += 65536;
            t = bench_now();
        }
        if (phase == 1) {
            steps = n;
            episodes = eps;
            elapsed = t - start;
        }
    }
    athlete_env_destroy(env);
    out->ns_per_step = elapsed * 1e9 / (double)steps;
    out->steps = steps;
    out->episodes = episodes;
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    if (!(seconds > 0)) {
        fprintf(stderr, "usage: %s [SECONDS_PER_ENV]\n", argv[0]);
        return 2;
    }
    char model[256];
    bench_cpu_model(model, sizeof model);
    int core = bench_pin_one_core();
    printf("CPU: %s (pinned to core %d, one thread)\n", model, core);
    printf("%-26s %12s %12s %10s\n", "environment", "ns/step", "steps", "episodes");
    const char *const *ids;
    size_t n = athlete_env_list(&ids);
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        bench_result r;
        if (bench_one(ids[i], seconds, &r) != 0) {
            status = 1;
            continue;
        }
        printf("%-26s %12.1f %12llu %10llu\n", ids[i], r.ns_per_step, r.steps, r.episodes);
    }
    return status;
}
