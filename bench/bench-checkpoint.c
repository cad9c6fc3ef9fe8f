/* Checkpoint save and load time and size for a DQN agent (seed-default networks) whose
 * replay buffer holds the full 100 000 transitions, plus the policy-only file.
 *
 *   build/bench/bench-checkpoint [DIRECTORY]      (default /tmp) */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include "runner.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-util.h"

static void die(const athlete_error *err)
{
    fprintf(stderr, "bench-checkpoint: %s\n", err->message);
    exit(1);
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    bench_pin_one_core();
    bench_print_machine("Checkpoints: DQN (4-256-256-2) with a full 100 000-transition replay buffer");
    athlete_error err;
    athlete_registry *reg;
    athlete_env *env;
    athlete_agent *agent;
    uint64_t seed = 0;
    if (athlete_registry_create(NULL, &reg, &err) || athlete_env_create("CartPole-v1", NULL, &env, &err))
        die(&err);
    /* Random actions only (the warmup never ends): filling the buffer takes a second. */
    if (athlete_agent_create(reg, "dqn", athlete_env_observation_space(env), athlete_env_action_space(env), &seed,
                             "{\"warmup_steps\": 1000000}", &agent, &err) ||
        athlete_run_training(agent, env, 100500, &seed, NULL, &err))
        die(&err);
    char path[512], policy[512];
    snprintf(path, sizeof path, "%s/athlete-bench-%ld.ckpt", dir, (long)getpid());
    snprintf(policy, sizeof policy, "%s/athlete-bench-%ld.policy", dir, (long)getpid());
    double best_save = 1e30, best_load = 1e30, best_policy_load = 1e30;
    for (int round = 0; round < 5; round++) {
        double t0 = bench_now();
        if (athlete_agent_save_checkpoint(agent, path, true, NULL, &err))
            die(&err);
        double t1 = bench_now();
        athlete_agent *loaded;
        if (athlete_agent_from_checkpoint(reg, path, true, &loaded, &err))
            die(&err);
        double t2 = bench_now();
        athlete_agent_destroy(loaded);
        if (athlete_agent_save_policy(agent, policy, &err))
            die(&err);
        double t3 = bench_now();
        athlete_policy_file *p;
        if (athlete_policy_file_load(reg, policy, &p, &err))
            die(&err);
        double t4 = bench_now();
        athlete_policy_file_destroy(p);
        best_save = t1 - t0 < best_save ? t1 - t0 : best_save;
        best_load = t2 - t1 < best_load ? t2 - t1 : best_load;
        best_policy_load = t4 - t3 < best_policy_load ? t4 - t3 : best_policy_load;
    }
    long long size = file_size(path), policy_size = file_size(policy);
    printf("full checkpoint:  %8.1f MB   save %6.1f ms (incl. fsync)   load %6.1f ms (validated: CRC of every record)\n",
           (double)size / 1e6, best_save * 1e3, best_load * 1e3);
    printf("policy-only file: %8.1f kB                                   load %6.1f ms\n", (double)policy_size / 1e3,
           best_policy_load * 1e3);
    printf("(best of 5; directory %s)\n", dir);
    unlink(path);
    unlink(policy);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    athlete_registry_destroy(reg);
    return 0;
}
