/* Actors for continuous control (ddpg, td3, sac) and the policies built on them.
 *
 * Deterministic actor (ddpg, td3): an MLP obs -> hidden (ReLU) -> action_size, with a
 * final tanh when squash_action is set, giving unscaled actions in [-1, 1].
 *
 * Squashed Gaussian actor (sac): an MLP obs -> hidden (ReLU) -> 2 action_size. Per row the
 * first half is the mean mu, the second half a raw log-std r mapped into
 * [log_std_min, log_std_max] by
 *     log sigma = tanh(r) (max - min) / 2 + (max + min) / 2.
 * A reparameterised sample with standard normal noise xi is
 *     u = mu + sigma xi,   a = tanh(u),
 *     log pi(a|s) = sum_j [ -xi_j^2 / 2 - log sigma_j - log(2 pi) / 2 - log(1 - a_j^2 + 1e-6) ]
 * (the Gaussian density of u with the tanh change-of-variables correction, 1e-6 as the
 * original). Its mode (evaluation) is tanh(mu). The functions below are the forward and
 * backward of that map, on rows of the network's output; they never allocate. */
#ifndef ATHLETE_ACTORS_H
#define ATHLETE_ACTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/component.h>
#include <athlete/export.h>
#include <athlete/gsde.h>
#include <athlete/mlp.h>
#include <athlete/noise.h>
#include <athlete/rng.h>
#include <athlete/scaling.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_actor_kind {
    ATHLETE_ACTOR_DETERMINISTIC = 1,
    ATHLETE_ACTOR_SQUASHED_GAUSSIAN = 2,
} athlete_actor_kind;

/* The actor network of a kind: widths {observation_size, hidden..., action_size} (twice
 * action_size for the squashed Gaussian), ReLU between layers, a final tanh only for a
 * deterministic actor with squash; initialised as PyTorch's nn.Linear from rng. */
ATHLETE_API athlete_status athlete_actor_network_create(athlete_actor_kind kind, size_t observation_size,
                                                        size_t action_size, const size_t *hidden,
                                                        size_t n_hidden, bool squash, athlete_rng *rng,
                                                        athlete_mlp **out, athlete_error *err);

/* ---- the squashed Gaussian map (rows of batch × 2 action_size network outputs) ---- */

/* action (batch × action_size) and log_prob (batch; may be NULL) of the samples given by
 * xi (batch × action_size standard normal draws). */
ATHLETE_API void athlete_squashed_gaussian_forward(const float *net_out, const float *xi, size_t batch,
                                                   size_t action_size, double log_std_min,
                                                   double log_std_max, float *action, float *log_prob);
/* dLoss/dnet_out (batch × 2 action_size, overwritten) from dLoss/daction (batch ×
 * action_size) and dLoss/dlog_prob (batch); either may be NULL (zero). net_out and xi are
 * those of the forward (the sample is recomputed in double precision). */
ATHLETE_API void athlete_squashed_gaussian_backward(const float *net_out, const float *xi, size_t batch,
                                                    size_t action_size, double log_std_min,
                                                    double log_std_max, const float *d_action,
                                                    const float *d_log_prob, float *d_net_out);
/* The deterministic action tanh(mu) (batch × action_size). */
ATHLETE_API void athlete_squashed_gaussian_mode(const float *net_out, size_t batch, size_t action_size,
                                                float *action);

/* ---- policies ----
 * Training (options.training): while warmup is not done, uniform actions u in [-1, 1)
 * (2 U[0,1) - 1, stored and reported as that unscaled value; the original stored another
 * value than the one the environment got); afterwards
 *   deterministic:     a = clip(actor(obs) + noise, -1, 1) (no noise when noise is NULL);
 *                      reset_act resets the noise process first;
 *   squashed Gaussian: a = tanh(mu + sigma xi), xi drawn from the policy's stream, or
 *                      from the noise process when one is given (a unit-variance coloured
 *                      process makes the exploration temporally correlated: pink noise);
 *                      reset_act resets the noise process first; with a gSDE,
 *                      a = tanh(mu + latent theta) instead (reset_act resamples theta).
 * Evaluation: actor(obs) as is (deterministic) or tanh(mu).
 * The action handed to the environment is a scaled; the info holds "unscaled_action" (the
 * array a, borrowed from the policy until its next call), which the action-replacing
 * transition collector stores. act never allocates. A training policy saves its RNG
 * stream and the noise process's state; an evaluation policy has no state. */
typedef struct athlete_actor_policy_options {
    size_t struct_size;
    athlete_actor_kind kind;
    const athlete_mlp *actor;               /* borrowed, must outlive the policy */
    const athlete_action_scaling *scaling;  /* borrowed */
    bool training;
    athlete_noise *noise;                   /* training only; borrowed; may be NULL */
    double log_std_min, log_std_max;        /* squashed Gaussian */
    uint64_t seed, stream;                  /* training: warmup and sampling draws */
    /* ABI 1.1: the rows act_batch takes (a vector agent's num_envs; 0 means 1). act_batch
     * runs one forward pass of the actor over the rows, then draws for each row in turn
     * exactly what act/reset_act draw (one noise process and one stream for every row). */
    size_t num_envs;
} athlete_actor_policy_options;

ATHLETE_API athlete_status athlete_actor_policy_create(const athlete_actor_policy_options *options,
                                                       athlete_policy *out, athlete_error *err);
/* Both policies of an algorithm: parts->training_policy from `training` (its .training is
 * taken as true) and parts->evaluation_policy from the same options without training and
 * without noise. */
ATHLETE_API athlete_status athlete_actor_policies_create(const athlete_actor_policy_options *training,
                                                         athlete_parts *parts, athlete_error *err);

/* Gives a squashed Gaussian training policy state-dependent exploration (<athlete/gsde.h>,
 * borrowed, must outlive the policy) on its actor's last hidden layer: after warmup
 * a = tanh(mu + latent theta) in place of the per-step draws, and reset_act resamples the
 * matrix. ATHLETE_E_INVALID_ARGUMENT for another policy or mismatched sizes. */
ATHLETE_API athlete_status athlete_actor_policy_set_gsde(athlete_policy *training_policy, athlete_gsde *gsde,
                                                         athlete_error *err);

/* The evaluation policy of `kind` as a policy program (<athlete/policy-program.h>): the
 * actor's layers, then VALUES with the scaling's scale and offset, and tanh on the means
 * for the squashed Gaussian (its mode). Borrows the actor's weights and the scaling. */
struct athlete_policy_program;
ATHLETE_API athlete_status athlete_actor_policy_program(athlete_actor_kind kind, const athlete_mlp *actor,
                                                        const athlete_action_scaling *scaling,
                                                        struct athlete_policy_program *program,
                                                        athlete_error *err);

ATHLETE_END_DECLS

#endif
