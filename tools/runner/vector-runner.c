/* The training loop of a vector agent on a vector environment (see vector-runner.h). */
#include "vector-runner.h"

#include <athlete/alloc.h>

typedef struct vector_buffers {
    float *observations, *final_observations, *actions;
    double *rewards, *returns;
    uint64_t *lengths;
    bool *terminated, *truncated;
} vector_buffers;

static void vector_buffers_destroy(vector_buffers *b)
{
    athlete_free(b->observations);
    athlete_free(b->final_observations);
    athlete_free(b->actions);
    athlete_free(b->rewards);
    athlete_free(b->returns);
    athlete_free(b->lengths);
    athlete_free(b->terminated);
    athlete_free(b->truncated);
}

static athlete_status vector_buffers_create(size_t n, size_t obs, size_t act, vector_buffers *b, athlete_error *err)
{
    *b = (vector_buffers){
        .observations = athlete_calloc(n * obs, sizeof(float)),
        .final_observations = athlete_calloc(n * obs, sizeof(float)),
        .actions = athlete_calloc(n * act, sizeof(float)),
        .rewards = athlete_calloc(n, sizeof(double)),
        .returns = athlete_calloc(n, sizeof(double)),
        .lengths = athlete_calloc(n, sizeof(uint64_t)),
        .terminated = athlete_calloc(n, sizeof(bool)),
        .truncated = athlete_calloc(n, sizeof(bool)),
    };
    if (!b->observations || !b->final_observations || !b->actions || !b->rewards || !b->returns || !b->lengths ||
        !b->terminated || !b->truncated) {
        vector_buffers_destroy(b);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "runner: out of memory for %zu environments", n);
    }
    return ATHLETE_OK;
}

athlete_status athlete_run_vector_training(athlete_agent *agent, athlete_vector_env *venv, uint64_t steps,
                                           const uint64_t *seed, const athlete_training_callbacks *callbacks,
                                           athlete_error *err)
{
    size_t n = athlete_vector_env_num_envs(venv);
    if (athlete_agent_num_envs(agent) != n)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "runner: the agent drives %zu environments, the vector environment has %zu",
                                 athlete_agent_num_envs(agent), n);
    const athlete_space *space = athlete_vector_env_action_space(venv);
    size_t obs = athlete_space_flat_size(athlete_vector_env_observation_space(venv));
    size_t act = athlete_space_flat_size(space);
    vector_buffers b;
    athlete_status st = vector_buffers_create(n, obs, act, &b, err);
    if (st != ATHLETE_OK)
        return st;
    const athlete_training_callbacks none = {0};
    const athlete_training_callbacks *cb = callbacks ? callbacks : &none;
    const float *actions;
    const athlete_info *info;
    athlete_agent_train(agent);
    st = athlete_vector_env_reset(venv, seed, b.observations, err);
    if (st == ATHLETE_OK)
        st = athlete_agent_vector_reset_step(agent, b.observations, &actions, &info, err);
    athlete_episode_report report = {0};
    uint64_t done = 0, next_progress = 256;
    bool go_on = true;
    while (st == ATHLETE_OK && go_on && done < steps) {
        for (size_t i = 0; i < n; i++)
            athlete_space_clip(space, actions + i * act, b.actions + i * act);
        st = athlete_vector_env_step(venv, b.actions, n * act, b.observations, b.rewards, b.terminated, b.truncated,
                                     b.final_observations, err);
        if (st == ATHLETE_OK)
            st = athlete_agent_vector_step(agent, b.observations, b.final_observations, b.rewards, b.terminated,
                                           b.truncated, &actions, &info, err);
        if (st != ATHLETE_OK)
            break;
        done += n;
        for (size_t i = 0; i < n; i++) {
            b.returns[i] += b.rewards[i];
            b.lengths[i]++;
            if (!b.terminated[i] && !b.truncated[i])
                continue;
            report.episode++;
            report.step = done;
            report.episode_return = b.returns[i];
            report.length = b.lengths[i];
            report.terminated = b.terminated[i];
            report.info = info;
            if (cb->on_episode && !cb->on_episode(cb->context, &report))
                go_on = false;
            b.returns[i] = 0;
            b.lengths[i] = 0;
        }
        if (done >= next_progress) {
            next_progress = (done / 256 + 1) * 256;
            if (cb->on_progress && !cb->on_progress(cb->context, done))
                go_on = false;
        }
    }
    vector_buffers_destroy(&b);
    return st;
}
