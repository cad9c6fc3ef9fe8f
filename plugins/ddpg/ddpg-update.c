/* DDPG's losses (spec §7.3):
 *   critic: MSE (or Huber) of Q(s, a) against y = r + discount (1 - terminated) Q'(s', mu'(s'))
 *   actor:  -mean Q(s, mu(s)) on its own minibatch, through the frozen critic. */
#include "ddpg-private.h"

athlete_status ddpg_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    ddpg_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->nets.replay, rng, s->batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = b.size;
    /* the target under no gradient: target actor, then target critic */
    const float *next_actions = athlete_mlp_forward(s->nets.target_actor, s->nets.target_actor_ws, b.next_observations, n);
    const float *next_q = next_actions ? athlete_critic_target_forward(s->nets.critics[0], b.next_observations, next_actions, n)
                                       : NULL;
    if (!next_q)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "critic update: batch of %zu rows rejected", n);
    athlete_critic_td_target(b.rewards, b.terminateds, next_q, n, s->discount, s->y);
    return athlete_critics_fit_step(s->nets.critics, 1, s->nets.critic_adam, s->critic_max_norm, b.observations, b.actions,
                                    s->y, n, s->criterion, loss, err);
}

athlete_status ddpg_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    ddpg_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->nets.replay, rng, s->batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    return athlete_deterministic_actor_update(s->nets.actor, s->nets.actor_ws, s->nets.actor_adam, s->actor_max_norm, s->nets.critics[0],
                                              b.observations, b.size, s->d_q, s->d_actions, loss, err);
}
