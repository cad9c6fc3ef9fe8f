/* PPO's hand-written loss gradients (the clipped surrogate with its entropy bonus, and the
 * value loss with and without value clipping) against central finite differences of the
 * losses the same code reports. The losses are computed in double from float inputs, so
 * each difference uses the exact float step taken. */
#include "ppo-private.h"

#include <athlete/distributions.h>

#include <math.h>

#include "test-util.h"

#define ROWS 8

typedef struct setup {
    ppo_state s;
    athlete_rollout rollout;
    size_t idx[ROWS];
    float out[ROWS * 4], log_std[4], log_std_grad[4], actions[ROWS * 4], old_log_probs[ROWS];
    float adv[ROWS], d_actor[ROWS * 4];
    float values[ROWS], returns[ROWS], d_value[ROWS];
} setup;

/* Ratios on both sides of the clip range and inside it, with advantages of both signs,
 * each at least 0.05 from a kink so that small steps never cross one. */
static const double ratios[ROWS] = {0.5, 0.9, 1.1, 1.6, 0.6, 1.0, 1.15, 1.4};
static const double advantages[ROWS] = {1.0, -0.7, 0.4, 1.3, -1.1, 0.8, -0.5, -0.9};

static double actor_loss(setup *u)
{
    ppo_losses mb;
    ppo_actor_head(&u->s, &u->rollout, u->idx, ROWS, u->out, &mb);
    return mb.policy_loss + u->s.entropy_coefficient * mb.entropy_loss;
}

static void make(setup *u, bool discrete)
{
    memset(u, 0, sizeof *u);
    ppo_state *s = &u->s;
    s->discrete = discrete;
    s->output_size = discrete ? 4 : 3;
    s->action_size = discrete ? 1 : 3;
    s->clip = 0.2;
    s->entropy_coefficient = 0.01;
    s->log_std = u->log_std;
    s->log_std_grad = u->log_std_grad;
    s->mb_adv = u->adv;
    s->d_actor = u->d_actor;
    size_t no = s->output_size;
    for (size_t i = 0; i < ROWS; i++) {
        u->idx[i] = ROWS - 1 - i; /* rows reach the rollout through idx */
        for (size_t k = 0; k < no; k++)
            u->out[i * no + k] = (float)(0.3 * sin(1.7 * (double)(i * no + k)) + 0.1 * (double)k);
        if (discrete)
            u->actions[u->idx[i]] = (float)(i % no);
        else
            for (size_t k = 0; k < no; k++)
                u->actions[u->idx[i] * no + k] = (float)(0.5 * cos(0.9 * (double)(i * no + k)));
        u->adv[i] = (float)advantages[i];
    }
    for (size_t k = 0; k < no; k++)
        u->log_std[k] = (float)(-0.5 + 0.2 * (double)k);
    for (size_t i = 0; i < ROWS; i++) {
        const float *row = u->out + i * no;
        const float *action = u->actions + u->idx[i] * s->action_size;
        double log_prob = discrete ? athlete_categorical_log_prob(row, no, (size_t)action[0])
                                   : athlete_gaussian_log_prob(action, row, u->log_std, no);
        u->old_log_probs[u->idx[i]] = (float)(log_prob - log(ratios[i]));
    }
    u->rollout.action_size = s->action_size;
    u->rollout.actions = u->actions;
    u->rollout.log_probs = u->old_log_probs;
}

/* d loss / d x by central differences over the exact float steps. */
static double central(double (*loss)(setup *), setup *u, float *x)
{
    const float saved = *x;
    const double h = 1e-3 * (fabs((double)saved) > 1 ? fabs((double)saved) : 1);
    float up = (float)(saved + h), down = (float)(saved - h);
    *x = up;
    double l_up = loss(u);
    *x = down;
    double l_down = loss(u);
    *x = saved;
    return (l_up - l_down) / ((double)up - (double)down);
}

static void check(const char *what, size_t i, double analytic, double numeric)
{
    ck_assert_msg(fabs(analytic - numeric) <= 2e-6 + 1e-4 * fabs(numeric),
                  "%s[%zu]: analytic %.9g, finite differences %.9g", what, i, analytic, numeric);
}

static void actor_gradients_match(bool discrete)
{
    setup u;
    make(&u, discrete);
    size_t no = u.s.output_size;
    actor_loss(&u);
    float d_out[ROWS * 4], d_log_std[4];
    memcpy(d_out, u.d_actor, sizeof d_out);
    memcpy(d_log_std, u.log_std_grad, sizeof d_log_std);
    size_t zero = 0;
    for (size_t j = 0; j < ROWS * no; j++) {
        check("dL/d output", j, d_out[j], central(actor_loss, &u, &u.out[j]));
        zero += d_out[j] == 0;
    }
    ck_assert_uint_lt(zero, ROWS * no); /* the clipped rows pass only the entropy's gradient */
    if (!discrete)
        for (size_t k = 0; k < no; k++) {
            memset(u.log_std_grad, 0, sizeof u.log_std_grad);
            check("dL/d log_std", k, d_log_std[k], central(actor_loss, &u, &u.log_std[k]));
        }
}

START_TEST(categorical_actor) { actor_gradients_match(true); }
END_TEST

START_TEST(gaussian_actor) { actor_gradients_match(false); }
END_TEST

static double value_loss(setup *u)
{
    ppo_losses mb;
    ppo_value_head(&u->s, u->idx, ROWS, u->values, &mb);
    return u->s.value_coefficient * mb.value_loss;
}

static void value_gradients_match(bool clipping)
{
    setup u;
    make(&u, true);
    u.s.value_coefficient = 0.5;
    u.s.value_clipping = clipping;
    u.s.value_clip = 0.2;
    /* One stream whose rollout is longer than the rows: value row = transition index. */
    u.s.num_envs = 1;
    u.s.steps = 1000;
    float old_values[ROWS];
    u.s.values = old_values;
    u.s.returns = u.returns;
    u.s.d_value = u.d_value;
    /* Steps from the old values inside and outside ±0.2, targets on both sides. */
    static const double steps[ROWS] = {0.1, -0.5, 0.35, -0.05, 0.6, -0.3, 0.0, 0.15};
    for (size_t i = 0; i < ROWS; i++) {
        size_t r = u.idx[i];
        old_values[r] = (float)(0.4 * sin((double)i));
        u.values[i] = (float)(old_values[r] + steps[i]);
        u.returns[r] = (float)(old_values[r] + (i % 2 ? 0.7 : -0.6));
    }
    value_loss(&u);
    float d_v[ROWS];
    memcpy(d_v, u.d_value, sizeof d_v);
    for (size_t i = 0; i < ROWS; i++)
        check(clipping ? "dL/dV (clipped)" : "dL/dV", i, d_v[i], central(value_loss, &u, &u.values[i]));
}

START_TEST(value_loss_plain) { value_gradients_match(false); }
END_TEST

START_TEST(value_loss_clipped) { value_gradients_match(true); }
END_TEST

int main(void)
{
    Suite *s = suite_create("ppo-gradients");
    TCase *tc = tcase_create("ppo-gradients");
    tcase_add_test(tc, categorical_actor);
    tcase_add_test(tc, gaussian_actor);
    tcase_add_test(tc, value_loss_plain);
    tcase_add_test(tc, value_loss_clipped);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
