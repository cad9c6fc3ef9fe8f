/* DQN's gradient update (spec §7.1): TD targets from the target network (or, with double
 * Q-learning, the online network's argmax valued by the target network), MSE or Huber
 * loss on Q(s, a), optional global gradient-norm clipping, one Adam step per minibatch. */
#include "dqn.h"

#include <athlete/alloc.h>
#include <athlete/loss.h>

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
static athlete_status gradient_step(dqn_state *s, float *loss, athlete_error *err)
{
    athlete_replay_batch batch;
    athlete_status st = athlete_replay_sample(s->replay, &s->sample_rng, s->batch_size, &batch, err);
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

static bool update_ready(void *self, const athlete_clock *clock)
{
    const dqn_state *s = self;
    return athlete_update_schedule_ready(&s->schedule, clock);
}

static athlete_status update_run(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    dqn_state *s = self;
    uint64_t steps = athlete_update_schedule_take(&s->schedule, clock);
    if (athlete_replay_size(s->replay) == 0 || steps == 0)
        return ATHLETE_OK; /* nothing to learn from yet (the original crashed here: bug B3) */
    double total = 0;
    for (uint64_t k = 0; k < steps; k++) {
        float loss;
        athlete_status st = gradient_step(s, &loss, err);
        if (st != ATHLETE_OK)
            return st;
        total += loss;
    }
    athlete_info_set_real(log, "loss", total / (double)steps);
    return ATHLETE_OK;
}

static athlete_status update_save(void *self, athlete_writer *w, athlete_error *err)
{
    dqn_state *s = self;
    athlete_status st = athlete_update_schedule_save(&s->schedule, w, NULL, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, "sample_rng", ATHLETE_RECORD_BYTES, &s->sample_rng, sizeof s->sample_rng, err);
    return st;
}

static athlete_status update_load(void *self, athlete_reader *r, athlete_error *err)
{
    dqn_state *s = self;
    athlete_status st = athlete_update_schedule_load(&s->schedule, r, NULL, err);
    if (st == ATHLETE_OK)
        st = athlete_reader_get(r, "sample_rng", ATHLETE_RECORD_BYTES, &s->sample_rng, sizeof s->sample_rng, err);
    return st;
}

static void update_destroy(void *self)
{
    (void)self; /* the state is owned by the parts' state */
}

static const athlete_updatable_ops dqn_update_ops = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "value_function",
    .ready = update_ready,
    .update = update_run,
    .save = update_save,
    .load = update_load,
    .destroy = update_destroy,
};

athlete_status dqn_update_add(athlete_parts *parts, dqn_state *state, athlete_error *err)
{
    if (!athlete_parts_add_updatable(parts, &dqn_update_ops, state))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "dqn: too many updatables");
    return ATHLETE_OK;
}
