/* The training loop of a vector agent on a vector environment (see vector-runner.h). */
#include "vector-runner.h"

#include <athlete/alloc.h>

#include <string.h>

typedef struct vector_buffers {
    float *observations, *final_observations, *actions;
    double *rewards;
    bool *terminated, *truncated;
} vector_buffers;

static void vector_buffers_destroy(vector_buffers *b)
{
    athlete_free(b->observations);
    athlete_free(b->final_observations);
    athlete_free(b->actions);
    athlete_free(b->rewards);
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
        .terminated = athlete_calloc(n, sizeof(bool)),
        .truncated = athlete_calloc(n, sizeof(bool)),
    };
    if (!b->observations || !b->final_observations || !b->actions || !b->rewards || !b->terminated ||
        !b->truncated) {
        vector_buffers_destroy(b);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "runner: out of memory for %zu environments", n);
    }
    return ATHLETE_OK;
}

athlete_status athlete_vector_training_state_create(size_t num_envs, athlete_vector_training_state *state,
                                                    athlete_error *err)
{
    *state = (athlete_vector_training_state){
        .episode_returns = athlete_calloc(num_envs, sizeof(double)),
        .episode_lengths = athlete_calloc(num_envs, sizeof(uint64_t)),
    };
    if (!state->episode_returns || !state->episode_lengths) {
        athlete_vector_training_state_destroy(state);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "runner: out of memory for %zu environments", num_envs);
    }
    return ATHLETE_OK;
}

void athlete_vector_training_state_destroy(athlete_vector_training_state *state)
{
    athlete_free(state->episode_returns);
    athlete_free(state->episode_lengths);
    state->episode_returns = NULL;
    state->episode_lengths = NULL;
}

/* The actions to apply are copied (clipped) as soon as the agent returns them: callbacks
 * may use the agent, which ends the borrow. */
static void clip_rows(const athlete_space *space, const float *actions, size_t n, size_t act, float *out)
{
    for (size_t i = 0; i < n; i++)
        athlete_space_clip(space, actions + i * act, out + i * act);
}

athlete_status athlete_run_vector_training_from(athlete_agent *agent, athlete_vector_env *venv,
                                                athlete_vector_training_state *state, uint64_t until_step,
                                                const uint64_t *seed, const athlete_training_callbacks *callbacks,
                                                athlete_error *err)
{
    size_t n = athlete_vector_env_num_envs(venv);
    if (athlete_agent_num_envs(agent) != n)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "runner: the agent drives %zu environments, the vector environment has %zu",
                                 athlete_agent_num_envs(agent), n);
    if (state->started && !athlete_agent_last_action(agent))
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "runner: the environments run but the agent has no pending actions");
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
    if (state->started) {
        clip_rows(space, athlete_agent_last_action(agent), n, act, b.actions);
    } else {
        st = athlete_vector_env_reset(venv, seed, b.observations, err);
        if (st == ATHLETE_OK)
            st = athlete_agent_vector_reset_step(agent, b.observations, &actions, &info, err);
        if (st == ATHLETE_OK) {
            clip_rows(space, actions, n, act, b.actions);
            memset(state->episode_returns, 0, n * sizeof(double));
            memset(state->episode_lengths, 0, n * sizeof(uint64_t));
            state->started = true;
        }
    }
    athlete_episode_report report = {.episode = state->episode};
    bool go_on = true;
    while (st == ATHLETE_OK && go_on && state->step < until_step && !(cb->stop && *cb->stop)) {
        st = athlete_vector_env_step(venv, b.actions, n * act, b.observations, b.rewards, b.terminated, b.truncated,
                                     b.final_observations, err);
        if (st == ATHLETE_OK)
            st = athlete_agent_vector_step(agent, b.observations, b.final_observations, b.rewards, b.terminated,
                                           b.truncated, &actions, &info, err);
        if (st != ATHLETE_OK)
            break;
        clip_rows(space, actions, n, act, b.actions);
        uint64_t before = state->step;
        state->step += n;
        for (size_t i = 0; i < n; i++) {
            state->episode_returns[i] += b.rewards[i];
            state->episode_lengths[i]++;
            if (!b.terminated[i] && !b.truncated[i])
                continue;
            state->episode = ++report.episode;
            report.step = state->step;
            report.episode_return = state->episode_returns[i];
            report.length = state->episode_lengths[i];
            report.terminated = b.terminated[i];
            report.info = info;
            state->episode_returns[i] = 0;
            state->episode_lengths[i] = 0;
            if (cb->on_episode && !cb->on_episode(cb->context, &report))
                go_on = false;
        }
        if (cb->on_step)
            go_on = cb->on_step(cb->context, state->step, info) && go_on;
        if (cb->on_progress && state->step / 256 != before / 256)
            go_on = cb->on_progress(cb->context, state->step) && go_on;
    }
    vector_buffers_destroy(&b);
    return st;
}

athlete_status athlete_run_vector_training(athlete_agent *agent, athlete_vector_env *venv, uint64_t steps,
                                           const uint64_t *seed, const athlete_training_callbacks *callbacks,
                                           athlete_error *err)
{
    athlete_vector_training_state state;
    athlete_status st = athlete_vector_training_state_create(athlete_vector_env_num_envs(venv), &state, err);
    if (st == ATHLETE_OK)
        st = athlete_run_vector_training_from(agent, venv, &state, steps, seed, callbacks, err);
    athlete_vector_training_state_destroy(&state);
    return st;
}
