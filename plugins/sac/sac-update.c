/* SAC's losses, each on its own minibatch, with a ~ pi(.|s) reparameterised
 * (a = tanh(mu + sigma xi)) and log pi including the tanh correction:
 *   critics:     MSE(Q1(s, a), y) + MSE(Q2(s, a), y) (or Huber), one optimizer, with
 *                y = r + discount (1 - terminated) (min(Q1', Q2')(s', a') - alpha log pi(a'|s')),
 *                a' sampled from the current actor, no gradient;
 *   actor:       mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)), through the frozen critics;
 *   temperature: mean(-exp(log alpha) (log pi(a|s) + target_entropy)), log pi without
 *                gradient; afterwards alpha = exp(log alpha). */
#include "sac-private.h"

#include <math.h>
#include <string.h>

/* The latent features gSDE reads: the actor's last hidden layer in the latest forward. */
static const float *gsde_latent(const sac_state *s)
{
    return athlete_mlp_workspace_layer_input(s->ac.nets.actor_ws, athlete_mlp_layer_count(s->ac.nets.actor) - 1);
}

void sac_gsde_sample(sac_state *s, const float *out, const float *latent, size_t n)
{
    size_t act = s->ac.action_size;
    athlete_gsde_forward(s->gsde, latent, s->gsde_draws, n, s->actions, s->log_prob);
    for (size_t i = 0; i < n; i++) {
        double correction = 0.0;
        for (size_t j = 0; j < act; j++) {
            size_t k = i * act + j;
            /* tanh and 1 - tanh^2 from one exp, exact in the tails */
            double u = (double)out[i * 2 * act + j] + (double)s->actions[k], z = exp(-2.0 * fabs(u));
            double a = (1.0 - z) / (1.0 + z), slope = 4.0 * z / ((1.0 + z) * (1.0 + z));
            s->actions[k] = (float)(u < 0 ? -a : a);
            s->gsde_slope[k] = (float)slope;
            correction += log(slope + 1e-6);
        }
        s->log_prob[i] = (float)((double)s->log_prob[i] - correction);
    }
}

/* a ~ pi(.|obs) for n rows into s->actions and s->log_prob, the noise in s->xi (or gSDE's
 * draws); returns the actor's output (kept in actor_ws for a backward) or NULL. */
static const float *sample_actions(sac_state *s, athlete_rng *rng, const float *observations, size_t n)
{
    const float *out = athlete_mlp_forward(s->ac.nets.actor, s->ac.nets.actor_ws, observations, n);
    if (!out)
        return NULL;
    if (s->gsde) {
        /* one exploration matrix for the minibatch, as Stable-Baselines3 draws one per gradient step */
        athlete_gsde_draw(s->gsde, rng, s->gsde_draws);
        sac_gsde_sample(s, out, gsde_latent(s), n);
        return out;
    }
    size_t count = n * s->ac.action_size;
    for (size_t i = 0; i < count; i++)
        s->xi[i] = (float)athlete_rng_normal(rng);
    athlete_squashed_gaussian_forward(out, s->xi, n, s->ac.action_size, s->log_std_min, s->log_std_max, s->actions,
                                      s->log_prob);
    return out;
}

static athlete_status rejected(athlete_error *err, const char *what, size_t n)
{
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s update: batch of %zu rows rejected", what, n);
}

athlete_status sac_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    sac_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = b.size;
    if (!sample_actions(s, rng, b.next_observations, n))
        return rejected(err, "critic", n);
    const float *q1 = athlete_critic_target_forward(s->ac.nets.critics[0], b.next_observations, s->actions, n);
    const float *q2 = athlete_critic_target_forward(s->ac.nets.critics[1], b.next_observations, s->actions, n);
    if (!q1 || !q2)
        return rejected(err, "critic", n);
    float *soft_value = s->d_q1; /* scratch */
    for (size_t i = 0; i < n; i++)
        soft_value[i] = (q1[i] < q2[i] ? q1[i] : q2[i]) - s->alpha * s->log_prob[i];
    athlete_critic_td_target(b.rewards, b.terminateds, soft_value, n, s->ac.discount, s->y);
    athlete_critic *const critics[2] = {s->ac.nets.critics[0], s->ac.nets.critics[1]};
    return athlete_critics_fit_step(critics, 2, s->ac.nets.critic_adam, s->ac.critic_max_norm, b.observations, b.actions, s->y,
                                    n, s->ac.criterion, loss, err);
}

double sac_actor_head(sac_state *s, const float *q1, const float *q2, size_t n, bool *any_1, bool *any_2)
{
    /* the gradient of min(Q1, Q2) flows into the smaller critic of each row */
    float inv = 1.0f / (float)n;
    double sum = 0.0;
    *any_1 = *any_2 = false;
    for (size_t i = 0; i < n; i++) {
        bool first = q1[i] <= q2[i];
        float q = first ? q1[i] : q2[i];
        sum += (double)(s->alpha * s->log_prob[i] - q);
        s->d_q1[i] = first ? -inv : 0.0f;
        s->d_q2[i] = first ? 0.0f : -inv;
        s->d_log_prob[i] = s->alpha * inv;
        *any_1 |= first;
        *any_2 |= !first;
    }
    return sum / (double)n;
}

void sac_gsde_backward(sac_state *s, const float *latent, size_t n)
{
    size_t act = s->ac.action_size;
    for (size_t i = 0; i < n; i++) {
        double g_lp = s->d_log_prob[i];
        for (size_t j = 0; j < act; j++) {
            size_t k = i * act + j;
            double a = s->actions[k], slope = s->gsde_slope[k];
            /* through a = tanh(u), and through -log(1 - a^2 + eps) whose u-derivative is
             * 2 a (1 - a^2) / (1 - a^2 + eps); the Gaussian term depends on u - mu only */
            double du = (double)s->d_actions[k] * slope + g_lp * 2.0 * a * slope / (slope + 1e-6);
            s->d_out[i * 2 * act + j] = (float)du;
            s->d_out[i * 2 * act + act + j] = 0.0f;
            s->d_actions_2[k] = (float)du;
        }
    }
    athlete_gsde_zero_grad(s->gsde);
    athlete_gsde_backward(s->gsde, latent, s->gsde_draws, n, s->d_actions_2, s->d_log_prob);
}

athlete_status sac_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    sac_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = b.size, na = n * s->ac.action_size;
    const float *out = sample_actions(s, rng, b.observations, n);
    const float *q1 = out ? athlete_critic_forward(s->ac.nets.critics[0], b.observations, s->actions, n) : NULL;
    const float *q2 = q1 ? athlete_critic_forward(s->ac.nets.critics[1], b.observations, s->actions, n) : NULL;
    if (!q2)
        return rejected(err, "actor", n);
    bool any_1, any_2;
    *loss = (float)sac_actor_head(s, q1, q2, n, &any_1, &any_2);
    /* dQ/da of each critic (parameters untouched); a critic no row chose contributes 0 */
    memset(s->d_actions, 0, na * sizeof *s->d_actions);
    if (any_1 && (st = athlete_critic_action_gradient(s->ac.nets.critics[0], s->d_q1, s->d_actions, err)))
        return st;
    if (any_2) {
        if ((st = athlete_critic_action_gradient(s->ac.nets.critics[1], s->d_q2, s->d_actions_2, err)))
            return st;
        for (size_t i = 0; i < na; i++)
            s->d_actions[i] += s->d_actions_2[i];
    }
    if (s->gsde)
        sac_gsde_backward(s, gsde_latent(s), n);
    else
        athlete_squashed_gaussian_backward(out, s->xi, n, s->ac.action_size, s->log_std_min, s->log_std_max,
                                           s->d_actions, s->d_log_prob, s->d_out);
    athlete_adam_zero_grad(s->ac.nets.actor_adam);
    if ((st = athlete_mlp_backward(s->ac.nets.actor, s->ac.nets.actor_ws, s->d_out, NULL, err)))
        return st;
    if (s->ac.actor_max_norm > 0)
        athlete_adam_clip_grad_norm(s->ac.nets.actor_adam, (float)s->ac.actor_max_norm);
    athlete_adam_step(s->ac.nets.actor_adam);
    if (s->gsde) {
        if (s->ac.actor_max_norm > 0)
            athlete_adam_clip_grad_norm(s->gsde_adam, (float)s->ac.actor_max_norm);
        athlete_adam_step(s->gsde_adam);
        /* a round of updates ends a collection phase: acting starts on a new matrix, as
         * Stable-Baselines3 resamples at each collection's start */
        athlete_gsde_resample(s->gsde);
    }
    return ATHLETE_OK;
}

double sac_temperature_head(sac_state *s, size_t n)
{
    double mean = 0.0; /* mean(log pi + target entropy), a constant for the gradient */
    for (size_t i = 0; i < n; i++)
        mean += (double)s->log_prob[i] + s->target_entropy;
    mean /= (double)n;
    double alpha_now = exp((double)s->log_alpha);
    s->log_alpha_grad = (float)(-alpha_now * mean); /* d loss / d log alpha */
    return -alpha_now * mean;
}

athlete_status sac_temperature_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    sac_state *s = context;
    athlete_replay_batch b;
    athlete_status st = athlete_replay_sample(s->ac.nets.replay, rng, s->ac.batch, &b, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = b.size;
    if (!sample_actions(s, rng, b.observations, n))
        return rejected(err, "temperature", n);
    *loss = (float)sac_temperature_head(s, n);
    athlete_adam_step(s->temperature_adam);
    s->alpha = expf(s->log_alpha);
    return ATHLETE_OK;
}
