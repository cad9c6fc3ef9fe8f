/* DQN's gradient step, run by the SDK's gradient update: TD targets from the target network (or, with double
 * Q-learning, the online network's argmax valued by the target network), MSE or Huber
 * loss on Q(s, a), optional global gradient-norm clipping, one Adam step per minibatch. */
#include "dqn.h"

#include <athlete/alloc.h>
#include <athlete/loss.h>
#include <athlete/updates.h>

#include <string.h>

static size_t argmax(const float *row, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (row[i] > row[best])
            best = i; /* first maximal index, as torch.argmax */
    return best;
}

/* One gradient step on a fresh minibatch; returns its loss. */
static athlete_status gradient_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    dqn_state *s = context;
    athlete_replay_batch batch;
    athlete_status st = athlete_replay_sample(s->replay, rng, s->batch_size, &batch, err);
    if (st != ATHLETE_OK)
        return st;
    const size_t n = batch.size, a_count = s->action_count;
    const float *next_q = athlete_mlp_forward(s->target, s->next_ws, batch.next_observations, n);
    const float *online_next = s->double_q ? athlete_mlp_forward(s->q, s->online_next_ws, batch.next_observations, n)
                                           : NULL;
    for (size_t i = 0; i < n; i++) {
        const float *row = next_q + i * a_count;
        float value = s->double_q ? row[argmax(online_next + i * a_count, a_count)] : row[argmax(row, a_count)];
        float bootstrap = batch.terminateds[i] != 0.0f ? 0.0f : (float)s->discount * value;
        s->targets[i] = batch.rewards[i] + bootstrap;
    }
    const float *q_all = athlete_mlp_forward(s->q, s->batch_ws, batch.observations, n);
    for (size_t i = 0; i < n; i++) {
        size_t action = (size_t)((int64_t)batch.actions[i] - s->action_start);
        s->predictions[i] = q_all[i * a_count + action];
    }
    *loss = s->criteria == DQN_HUBER ? athlete_loss_huber(s->predictions, s->targets, n, 1.0f, s->d_predictions)
                                     : athlete_loss_mse(s->predictions, s->targets, n, s->d_predictions);
    /* dLoss/dQ is zero except at each row's taken action. */
    memset(s->d_output, 0, n * a_count * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        size_t action = (size_t)((int64_t)batch.actions[i] - s->action_start);
        s->d_output[i * a_count + action] = s->d_predictions[i];
    }
    athlete_adam_zero_grad(s->adam);
    st = athlete_mlp_backward(s->q, s->batch_ws, s->d_output, NULL, err);
    if (st != ATHLETE_OK)
        return st;
    if (s->gradient_max_norm > 0)
        athlete_adam_clip_grad_norm(s->adam, (float)s->gradient_max_norm);
    athlete_adam_step(s->adam);
    return ATHLETE_OK;
}

athlete_status dqn_update_add(athlete_parts *parts, dqn_state *state, const dqn_schedule *schedule,
                              athlete_error *err)
{
    athlete_gradient_update_options options = {
        .struct_size = sizeof options,
        .name = "value_function",
        .log_key = "loss",
        .step = gradient_step,
        .context = state,
        .frequency = schedule->frequency,
        .number_of_updates = schedule->number_of_updates,
        .multiply_by_environment_steps = schedule->multiply,
        .replay = state->replay,
        .seed = schedule->seed,
        .stream = schedule->stream,
    };
    return athlete_gradient_update_add(parts, &options, err);
}
