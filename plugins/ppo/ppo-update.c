/* PPO's learning step: GAE over the finished rollout, then epochs of shuffled
 * minibatches, each one Adam step on
 *     L = L_pi + c_v·L_v + c_e·L_ent
 *     L_pi  = −mean(min(ρA, clip(ρ, 1−ε, 1+ε)A)),  ρ = exp(log π − log π_old)
 *     L_v   = ½·mean((V − R)²)  (or with value clipping ½·mean(max((V−R)², (V_clip−R)²)))
 *     L_ent = −mean(H)
 * after clipping the global gradient norm. Gradients are written by hand: the ties of
 * torch.min/max (where the two branches are equal) split the gradient in halves, which
 * adds up to the unclipped gradient whenever the clip is inactive, as below. Nothing
 * here allocates. */
#include "ppo-private.h"

#include <athlete/distributions.h>

#include <math.h>
#include <string.h>

void ppo_prepare_rollout(ppo_state *s, const athlete_rollout *rollout)
{
    /* V of every environment's steps + 1 observations in chunks of the workspace's rows
     * (one network evaluation per chunk, with the value net the rollout was collected
     * under), then GAE per environment. */
    size_t rows = s->num_envs * (s->steps + 1), chunk = s->mini_batch;
    for (size_t start = 0; start < rows; start += chunk) {
        size_t n = rows - start < chunk ? rows - start : chunk;
        const float *rows_in = rollout->observations + start * s->observation_size;
        if (s->obs_norm) {
            athlete_normalizer_apply(s->obs_norm, rows_in, s->value_obs, n);
            rows_in = s->value_obs;
        }
        const float *v = athlete_mlp_forward(s->value, s->value_ws, rows_in, n);
        memcpy(s->values + start, v, n * sizeof(float));
    }
    for (size_t e = 0; e < s->num_envs; e++) {
        size_t t0 = e * s->steps;
        athlete_gae_compute(rollout->rewards + t0, s->values + t0 + e, rollout->dones + t0, s->steps, s->discount,
                            s->lambda, s->advantages + t0, s->returns + t0);
    }
}

/* Gathers one minibatch's observations and advantages, the latter normalised when asked
 * (torch: unbiased std, + 1e-8; skipped for a single element). */
static void gather(ppo_state *s, const athlete_rollout *rollout, const size_t *idx, size_t rows)
{
    size_t os = s->observation_size;
    double mean = 0.0;
    for (size_t i = 0; i < rows; i++) {
        /* Transition k of environment k / steps: its observation row skips the bootstrap
         * rows of the environments before it. */
        size_t row = idx[i] + idx[i] / s->steps;
        memcpy(s->mb_obs + i * os, rollout->observations + row * os, os * sizeof(float));
        s->mb_adv[i] = s->advantages[idx[i]];
        mean += s->mb_adv[i];
    }
    if (s->obs_norm)
        athlete_normalizer_apply(s->obs_norm, s->mb_obs, s->mb_obs, rows);
    if (!s->normalize_advantage || rows < 2)
        return;
    mean /= (double)rows;
    double ss = 0.0;
    for (size_t i = 0; i < rows; i++) {
        double d = s->mb_adv[i] - mean;
        ss += d * d;
    }
    double denom = sqrt(ss / (double)(rows - 1)) + 1e-8;
    for (size_t i = 0; i < rows; i++)
        s->mb_adv[i] = (float)((s->mb_adv[i] - mean) / denom);
}

void ppo_actor_head(ppo_state *s, const athlete_rollout *rollout, const size_t *idx, size_t rows,
                    const float *out, ppo_losses *mb)
{
    size_t no = s->output_size;
    memset(s->d_actor, 0, rows * no * sizeof(float));
    double inv = 1.0 / (double)rows, lo = 1.0 - s->clip, hi = 1.0 + s->clip;
    double surrogate = 0.0, entropy = 0.0, kl = 0.0, clipped_count = 0.0;
    double d_entropy = -s->entropy_coefficient * inv; /* dL/dH_i */
    for (size_t i = 0; i < rows; i++) {
        const float *row = out + i * no;
        const float *action = rollout->actions + idx[i] * s->action_size;
        size_t index = 0;
        double log_prob, h;
        if (s->discrete) {
            index = (size_t)((int64_t)action[0] - s->action_start);
            log_prob = athlete_categorical_log_prob(row, no, index);
            h = athlete_categorical_entropy(row, no);
        } else {
            log_prob = athlete_gaussian_log_prob(action, row, s->log_std, no);
            h = athlete_gaussian_entropy(s->log_std, no);
        }
        double a = s->mb_adv[i];
        double log_ratio = log_prob - (double)rollout->log_probs[idx[i]];
        double ratio = exp(log_ratio);
        kl += (ratio - 1.0) - log_ratio;
        clipped_count += ratio < lo || ratio > hi ? 1.0 : 0.0;
        double clipped = ratio < lo ? lo : ratio > hi ? hi : ratio;
        double s1 = ratio * a, s2 = clipped * a;
        surrogate += s1 < s2 ? s1 : s2;
        entropy += h;
        /* d min / d ratio: the unclipped branch when it is the smaller one (or a tie),
         * the clipped branch passes a gradient only inside [lo, hi], where it equals the
         * unclipped one. */
        bool passes = s1 <= s2 || (ratio >= lo && ratio <= hi);
        double d_log_prob = passes ? -inv * a * ratio : 0.0; /* dL/d log π_i */
        float *d_row = s->d_actor + i * no;
        if (s->discrete) {
            if (d_log_prob != 0.0)
                athlete_categorical_log_prob_grad(row, no, index, d_log_prob, d_row);
            if (d_entropy != 0.0)
                athlete_categorical_entropy_grad(row, no, d_entropy, d_row);
        } else {
            if (d_log_prob != 0.0)
                athlete_gaussian_log_prob_grad(action, row, s->log_std, no, d_log_prob, d_row,
                                               s->log_std_grad);
            if (d_entropy != 0.0)
                athlete_gaussian_entropy_grad(no, d_entropy, s->log_std_grad);
        }
    }
    mb->policy_loss = -surrogate * inv;
    mb->entropy_loss = -entropy * inv;
    mb->approx_kl = kl * inv;
    mb->clip_fraction = clipped_count * inv;
}

/* The actor's half: L_pi and L_ent and their gradients into the actor (and log σ). */
static athlete_status actor_step(ppo_state *s, const athlete_rollout *rollout, const size_t *idx,
                                 size_t rows, ppo_losses *mb, athlete_error *err)
{
    const float *out = athlete_mlp_forward(s->actor, s->actor_ws, s->mb_obs, rows);
    ppo_actor_head(s, rollout, idx, rows, out, mb);
    return athlete_mlp_backward(s->actor, s->actor_ws, s->d_actor, NULL, err);
}

void ppo_value_head(ppo_state *s, const size_t *idx, size_t rows, const float *v, ppo_losses *mb)
{
    double inv = 1.0 / (double)rows, sum = 0.0, c = s->value_clip;
    double scale = s->value_coefficient * inv; /* dL/dV = c_v · (V − R) / B */
    for (size_t i = 0; i < rows; i++) {
        double value = v[i], target = s->returns[idx[i]];
        double e = value - target, g = e;
        double loss = e * e;
        if (s->value_clipping) {
            double old = s->values[idx[i] + idx[i] / s->steps], step = value - old;
            bool inside = step >= -c && step <= c;
            double ec = old + (step < -c ? -c : step > c ? c : step) - target;
            double gc = inside ? ec : 0.0; /* clamp passes the gradient only inside */
            double lc = ec * ec;
            if (lc > loss) {
                loss = lc;
                g = gc;
            } else if (lc == loss) {
                g = 0.5 * (e + gc); /* torch.max splits a tie */
            }
        }
        sum += loss;
        s->d_value[i] = (float)(scale * g);
    }
    mb->value_loss = 0.5 * sum * inv;
}

/* The critic's half: L_v and its gradient into the value network. */
static athlete_status value_step(ppo_state *s, const size_t *idx, size_t rows, ppo_losses *mb,
                                 athlete_error *err)
{
    const float *v = athlete_mlp_forward(s->value, s->value_ws, s->mb_obs, rows);
    ppo_value_head(s, idx, rows, v, mb);
    return athlete_mlp_backward(s->value, s->value_ws, s->d_value, NULL, err);
}

athlete_status ppo_optimize(ppo_state *s, const athlete_rollout *rollout, athlete_rng *rng,
                            ppo_losses *losses, athlete_error *err)
{
    ppo_losses sum = {0};
    size_t count = 0;
    for (size_t epoch = 0; epoch < s->epochs; epoch++) {
        athlete_rng_permutation(rng, s->perm, s->transitions);
        for (size_t start = 0; start < s->transitions; start += s->mini_batch) {
            size_t rows = s->transitions - start < s->mini_batch ? s->transitions - start : s->mini_batch;
            const size_t *idx = s->perm + start;
            gather(s, rollout, idx, rows);
            athlete_adam_zero_grad(s->adam);
            ppo_losses mb;
            athlete_status st = actor_step(s, rollout, idx, rows, &mb, err);
            if (st == ATHLETE_OK)
                st = value_step(s, idx, rows, &mb, err);
            if (st != ATHLETE_OK)
                return st;
            if (s->grad_clipping)
                athlete_adam_clip_grad_norm(s->adam, (float)s->max_grad_norm);
            athlete_adam_step(s->adam);
            mb.loss = mb.policy_loss + s->value_coefficient * mb.value_loss +
                      s->entropy_coefficient * mb.entropy_loss;
            sum.policy_loss += mb.policy_loss;
            sum.value_loss += mb.value_loss;
            sum.entropy_loss += mb.entropy_loss;
            sum.loss += mb.loss;
            sum.approx_kl += mb.approx_kl;
            sum.clip_fraction += mb.clip_fraction;
            count++;
        }
    }
    double n = count ? (double)count : 1.0;
    *losses = (ppo_losses){sum.policy_loss / n, sum.value_loss / n, sum.entropy_loss / n, sum.loss / n,
                           sum.approx_kl / n, sum.clip_fraction / n};
    return ATHLETE_OK;
}
