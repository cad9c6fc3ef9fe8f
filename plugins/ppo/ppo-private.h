/* PPO's shared state, between ppo.c (configuration, wiring, policies, checkpoints) and
 * ppo-update.c (GAE and the clipped-surrogate update). Never installed. */
#ifndef ATHLETE_PPO_PRIVATE_H
#define ATHLETE_PPO_PRIVATE_H

#include <athlete/adam.h>
#include <athlete/component.h>
#include <athlete/mlp.h>
#include <athlete/normalizer.h>
#include <athlete/rng.h>
#include <athlete/rollout.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ppo_state {
    /* Spaces. A Box action space gets a diagonal Gaussian (the actor outputs the means,
     * log σ is a state-independent parameter vector); a Discrete one a categorical (the
     * actor outputs the logits). */
    size_t observation_size;
    size_t action_size; /* floats per action: the Box's flat size, or 1 */
    size_t output_size; /* actor outputs: means or logits */
    bool discrete;
    int64_t action_start; /* Discrete.start */
    bool inference_only;  /* only the actor exists (policy files) */

    /* Hyper-parameters (the configuration table of ppo.c). */
    double discount, lambda;
    size_t steps;      /* steps_per_update: per environment */
    size_t num_envs;   /* environments of a vector agent (1 otherwise) */
    size_t transitions; /* steps x num_envs: one rollout */
    size_t mini_batch; /* min(mini_batch_size, transitions): the last minibatch may be smaller */
    size_t epochs;
    double lr, adam_eps;
    double clip;       /* policy_ratio_clip_value */
    bool value_clipping;
    double value_clip; /* value_loss_clip_value when value_clipping */
    double value_coefficient, entropy_coefficient;
    bool normalize_advantage;
    bool normalize_observations;
    bool grad_clipping;
    double max_grad_norm;

    /* Networks and optimiser. */
    athlete_mlp *actor, *value;
    float *log_std, *log_std_grad; /* Gaussian only: output_size entries each */
    athlete_adam *adam;            /* groups: actor, [log σ], value */
    athlete_mlp_workspace *act_ws; /* num_envs rows: the two policies */
    athlete_mlp_workspace *actor_ws, *value_ws; /* mini_batch rows: the update (and GAE) */

    /* The minibatch buffer, sized at build time (refilled from every rollout, never saved). */
    float *values;     /* num_envs x (steps + 1): V of the rollout's observations and bootstraps */
    float *advantages; /* transitions */
    float *returns;    /* transitions */
    size_t *perm;      /* transitions */
    float *mb_obs;     /* mini_batch × observation_size */
    float *mb_adv;     /* mini_batch */
    float *d_actor;    /* mini_batch × output_size */
    float *d_value;    /* mini_batch */

    athlete_collector collector; /* borrowed view of the parts' rollout collector */

    /* normalize_observations: the networks see normalised observations; the statistics
     * change only after a rollout's gradient update, so a rollout is learnt from with the
     * statistics it was acted on (its log-probabilities stay exact). NULL when off. */
    athlete_normalizer *obs_norm;
    float *act_obs;   /* num_envs rows: normalised observations for acting */
    float *value_obs; /* mini_batch rows: normalised observations for GAE's value passes */
} ppo_state;

/* V over the rollout's observations, then GAE(λ) per environment into advantages/returns. */
void ppo_prepare_rollout(ppo_state *s, const athlete_rollout *rollout);

typedef struct ppo_losses {
    double policy_loss, value_loss, entropy_loss, loss;
    /* Diagnostics of the update, not differentiated: the approximate KL divergence of the
     * new policy from the rollout's, mean((r - 1) - log r) with r the probability ratio,
     * and the fraction of samples whose ratio left [1 - clip, 1 + clip]. */
    double approx_kl, clip_fraction;
} ppo_losses;

/* The loss heads, from the networks' outputs for the minibatch rows idx (mb_adv holds their
 * advantages): the actor's L_pi and L_ent into mb with dL/d(outputs) in d_actor and, for
 * a Gaussian, dL/d log σ added to log_std_grad (L = L_pi + c_e·L_ent); the critic's L_v
 * into mb with d(c_v·L_v)/dV in d_value. */
void ppo_actor_head(ppo_state *s, const athlete_rollout *rollout, const size_t *idx, size_t rows,
                    const float *out, ppo_losses *mb);
void ppo_value_head(ppo_state *s, const size_t *idx, size_t rows, const float *v, ppo_losses *mb);

/* epochs × shuffled minibatches of clipped-surrogate Adam steps (rng draws the
 * permutations); *losses receives the means over every minibatch. */
athlete_status ppo_optimize(ppo_state *s, const athlete_rollout *rollout, athlete_rng *rng,
                            ppo_losses *losses, athlete_error *err);

#endif
