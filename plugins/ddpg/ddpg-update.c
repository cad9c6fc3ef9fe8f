/* DDPG's losses:
 *   critic: MSE (or Huber) of Q(s, a) against y = r + discount (1 - terminated) Q'(s', mu'(s'))
 *   actor:  -mean Q(s, mu(s)) on its own minibatch, through the frozen critic. */
#include "ddpg-private.h"

athlete_status ddpg_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    ddpg_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = b.size;
    /* the target under no gradient: target actor, then target critic */
    const float *next_actions = athlete_mlp_forward(s->ac.nets.target_actor, s->ac.nets.target_actor_ws, b.next_observations, n);
    const float *next_q = next_actions ? athlete_critic_target_forward(s->ac.nets.critics[0], b.next_observations, next_actions, n)
                                       : NULL;
    if (!next_q)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "critic update: batch of %zu rows rejected", n);
    athlete_critic_td_target(b.rewards, b.terminateds, next_q, n, s->ac.discount, s->y);
    return athlete_critics_fit_step(s->ac.nets.critics, 1, s->ac.nets.critic_adam, s->ac.critic_max_norm, b.observations, b.actions,
                                    s->y, n, s->ac.criterion, loss, err);
}

athlete_status ddpg_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    ddpg_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    return athlete_deterministic_actor_update(s->ac.nets.actor, s->ac.nets.actor_ws, s->ac.nets.actor_adam, s->ac.actor_max_norm, s->ac.nets.critics[0],
                                              b.observations, b.size, s->d_q, s->d_actions, loss, err);
}
