/* TD3's losses:
 *   critics: MSE(Q1(s, a), y) + MSE(Q2(s, a), y) (or Huber), one optimizer, with
 *            y = r + discount (1 - terminated) min(Q1', Q2')(s', a'),
 *            a' = clip(mu'(s') + clip(eps, -c, c), -1, 1), eps ~ N(0, target_noise_std^2)
 *            per element (target policy smoothing);
 *   actor:   -mean Q1(s, mu(s)) on its own minibatch, through the frozen critic 1. */
#include "td3-private.h"

athlete_status td3_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    td3_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = b.size, na = n * s->ac.action_size;
    const float *mu = athlete_mlp_forward(s->ac.nets.target_actor, s->ac.nets.target_actor_ws, b.next_observations, n);
    if (!mu)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "critic update: batch of %zu rows rejected", n);
    float c = (float)s->target_noise_clip;
    for (size_t i = 0; i < na; i++) {
        float eps = (float)athlete_rng_normal(rng) * (float)s->target_noise_std;
        eps = eps < -c ? -c : (eps > c ? c : eps);
        float a = mu[i] + eps;
        s->next_actions[i] = a < -1.0f ? -1.0f : (a > 1.0f ? 1.0f : a);
    }
    const float *q1 = athlete_critic_target_forward(s->ac.nets.critics[0], b.next_observations, s->next_actions, n);
    const float *q2 = athlete_critic_target_forward(s->ac.nets.critics[1], b.next_observations, s->next_actions, n);
    if (!q1 || !q2)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "critic update: batch of %zu rows rejected", n);
    for (size_t i = 0; i < n; i++)
        s->d_q[i] = q1[i] < q2[i] ? q1[i] : q2[i]; /* d_q as scratch for the minimum */
    athlete_critic_td_target(b.rewards, b.terminateds, s->d_q, n, s->ac.discount, s->y);
    athlete_critic *const critics[2] = {s->ac.nets.critics[0], s->ac.nets.critics[1]};
    return athlete_critics_fit_step(critics, 2, s->ac.nets.critic_adam, s->ac.critic_max_norm, b.observations, b.actions, s->y,
                                    n, s->ac.criterion, loss, err);
}

athlete_status td3_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    td3_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    return athlete_deterministic_actor_update(s->ac.nets.actor, s->ac.nets.actor_ws, s->ac.nets.actor_adam, s->ac.actor_max_norm, s->ac.nets.critics[0],
                                              b.observations, b.size, s->d_q, s->d_actions, loss, err);
}
