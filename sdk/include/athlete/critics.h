/* Continuous action-value critics Q(s, a): an MLP on concat(observation,
 * action) -> hidden (ReLU) -> 1, initialised as PyTorch's nn.Linear, plus a target copy
 * that starts identical (kept in sync by athlete_target_sync_add).
 *
 * A critic owns the concatenation buffers and two workspaces (online and target) sized for
 * max_batch rows, so a target evaluation never clobbers the activations an online backward
 * still needs. Twin critics (td3, sac) are two critics whose networks form two parameter
 * groups of one Adam optimizer. Nothing here allocates after create. */
#ifndef ATHLETE_CRITICS_H
#define ATHLETE_CRITICS_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/adam.h>
#include <athlete/export.h>
#include <athlete/mlp.h>
#include <athlete/rng.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_critic athlete_critic;

/* widths {observation_size + action_size, hidden..., 1}; parameters drawn from rng. */
ATHLETE_API athlete_status athlete_critic_create(size_t observation_size, size_t action_size,
                                                 const size_t *hidden, size_t n_hidden, size_t max_batch,
                                                 athlete_rng *rng, athlete_critic **out, athlete_error *err);
ATHLETE_API void athlete_critic_destroy(athlete_critic *critic);

/* The online network (parameters and gradients for the optimizer) and its target. */
ATHLETE_API athlete_mlp *athlete_critic_network(const athlete_critic *critic);
ATHLETE_API athlete_mlp *athlete_critic_target(const athlete_critic *critic);
ATHLETE_API size_t athlete_critic_max_batch(const athlete_critic *critic);

/* Q(obs, actions) of the online network for batch rows (obs: batch × observation_size,
 * actions: batch × action_size); returns batch values owned by the critic, valid until its
 * next forward. Keeps what backward needs. NULL if batch is 0 or above max_batch. */
ATHLETE_API const float *athlete_critic_forward(athlete_critic *critic, const float *observations,
                                                const float *actions, size_t batch);
/* The same through the target network (its own workspace). */
ATHLETE_API const float *athlete_critic_target_forward(athlete_critic *critic,
                                                       const float *observations,
                                                       const float *actions, size_t batch);
/* Accumulates dLoss/dparams of the last online forward from d_q = dLoss/dQ (batch). */
ATHLETE_API athlete_status athlete_critic_backward(athlete_critic *critic, const float *d_q,
                                                   athlete_error *err);
/* dLoss/dactions (batch × action_size, overwritten) of the last online forward, the
 * critic's parameters and gradients untouched: the actor's path through a frozen critic. */
ATHLETE_API athlete_status athlete_critic_action_gradient(athlete_critic *critic, const float *d_q,
                                                          float *d_actions, athlete_error *err);

/* The critic loss ("critic_criteria"): "mse" (torch.nn.MSELoss) or "huber"
 * (torch.nn.HuberLoss, delta 1). */
typedef enum athlete_critic_criterion {
    ATHLETE_CRITERION_MSE = 1,
    ATHLETE_CRITERION_HUBER = 2,
} athlete_critic_criterion;

/* ATHLETE_E_CONFIG_VALUE naming the value and the accepted names for anything else. */
ATHLETE_API athlete_status athlete_critic_criterion_parse(const char *name, athlete_critic_criterion *out,
                                                          athlete_error *err);
/* Loss of n predictions against targets; d_pred (may be NULL) receives dLoss/dpred. */
ATHLETE_API float athlete_critic_loss(athlete_critic_criterion criterion, const float *pred,
                                      const float *target, size_t n, float *d_pred);

/* One-step TD targets y = r + discount (1 - terminated) next_q, in float32 as the
 * original's tensors (terminated is 1.0f or 0.0f, as the replay buffer stores it). */
ATHLETE_API void athlete_critic_td_target(const float *rewards, const float *terminateds,
                                          const float *next_q, size_t n, double discount, float *y);

/* Regression step of the online network towards y: forward on (obs, actions), loss,
 * backward (ACCUMULATING into the gradients: zero them first); *loss receives the loss. */
ATHLETE_API athlete_status athlete_critic_fit(athlete_critic *critic, const float *observations,
                                              const float *actions, const float *y, size_t batch,
                                              athlete_critic_criterion criterion, float *loss,
                                              athlete_error *err);

/* One regression step of one critic or of twin critics sharing one optimizer: zeroes
 * adam's gradients, fits each critic towards y (athlete_critic_fit), clips the global
 * gradient norm (max_norm <= 0: none) and takes one Adam step; *loss receives the sum of
 * the critics' losses. */
ATHLETE_API athlete_status athlete_critics_fit_step(athlete_critic *const *critics, size_t count, athlete_adam *adam,
                                                    double max_norm, const float *observations,
                                                    const float *actions, const float *y, size_t batch,
                                                    athlete_critic_criterion criterion, float *loss,
                                                    athlete_error *err);

/* One deterministic policy-gradient step (DDPG, TD3's delayed actor): loss = −mean Q(s, μ(s))
 * over `rows` observations, dQ/da through the critic (its own gradients untouched: the
 * original discarded them), backward through the actor, optional global-norm clipping
 * (max_norm <= 0: none), one Adam step. d_q (rows) and d_actions (rows × action size) are
 * the caller's scratch; *loss receives the loss. */
ATHLETE_API athlete_status athlete_deterministic_actor_update(athlete_mlp *actor, athlete_mlp_workspace *actor_ws,
                                                              athlete_adam *actor_adam, double max_norm,
                                                              athlete_critic *critic, const float *observations,
                                                              size_t rows, float *d_q, float *d_actions,
                                                              float *loss, athlete_error *err);

ATHLETE_END_DECLS

#endif
