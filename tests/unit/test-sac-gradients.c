/* SAC's hand-written loss gradients against central finite differences: the actor loss
 * mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)) through the reparameterised squashed
 * Gaussian (a = tanh(mu + sigma xi), xi fixed) to the actor's outputs, with two smooth
 * stand-in critics whose minimum switches between rows; and the temperature loss in
 * log alpha. */
#include "sac-private.h"

#include <math.h>

#include "test-util.h"

#define ROWS 6
#define ACTIONS 2

/* Two critics of the action alone: Q_k(a) = sum_j c_kj a_j + 0.5 d_k a_j^2. */
static const double c[2][ACTIONS] = {{0.8, -0.4}, {-0.3, 0.9}};
static const double d[2] = {-1.0, 0.5};

static double critic(int k, const float *a)
{
    double q = 0;
    for (size_t j = 0; j < ACTIONS; j++)
        q += c[k][j] * a[j] + 0.5 * d[k] * (double)a[j] * a[j];
    return q;
}

typedef struct setup {
    sac_state s;
    float out[ROWS * 2 * ACTIONS], xi[ROWS * ACTIONS];
    float actions[ROWS * ACTIONS], log_prob[ROWS], q1[ROWS], q2[ROWS];
    float d_q1[ROWS], d_q2[ROWS], d_log_prob[ROWS];
    bool any_1, any_2;
} setup;

static double actor_loss(setup *u)
{
    sac_state *s = &u->s;
    athlete_squashed_gaussian_forward(u->out, u->xi, ROWS, ACTIONS, s->log_std_min, s->log_std_max,
                                      u->actions, u->log_prob);
    for (size_t i = 0; i < ROWS; i++) {
        u->q1[i] = (float)critic(0, u->actions + i * ACTIONS);
        u->q2[i] = (float)critic(1, u->actions + i * ACTIONS);
    }
    return sac_actor_head(s, u->q1, u->q2, ROWS, &u->any_1, &u->any_2);
}

static void make(setup *u)
{
    memset(u, 0, sizeof *u);
    sac_state *s = &u->s;
    s->ac.action_size = ACTIONS;
    s->alpha = 0.2f;
    s->log_std_min = -20;
    s->log_std_max = 2;
    s->log_prob = u->log_prob;
    s->d_q1 = u->d_q1;
    s->d_q2 = u->d_q2;
    s->d_log_prob = u->d_log_prob;
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < ACTIONS; j++) {
            u->out[i * 2 * ACTIONS + j] = (float)(0.7 * sin(1.3 * (double)(i * ACTIONS + j))); /* mu */
            u->out[i * 2 * ACTIONS + ACTIONS + j] = (float)(-0.8 +
                                                            0.3 * cos((double)(i + 2 * j))); /* log sigma */
            u->xi[i * ACTIONS + j] = (float)(0.9 * cos(2.1 * (double)(i * ACTIONS + j) + 0.3));
        }
}

static double central(setup *u, float *x)
{
    const float saved = *x;
    float up = (float)(saved + 1e-2), down = (float)(saved - 1e-2);
    *x = up;
    double l_up = actor_loss(u);
    *x = down;
    double l_down = actor_loss(u);
    *x = saved;
    return (l_up - l_down) / ((double)up - (double)down);
}

START_TEST(actor_gradient_matches_finite_differences)
{
    setup u;
    make(&u);
    actor_loss(&u);
    ck_assert(u.any_1 && u.any_2); /* both critics are the smaller one somewhere */
    /* the plugin's composition: dL/da from the critics chosen per row, then the squash */
    float d_actions[ROWS * ACTIONS], d_out[ROWS * 2 * ACTIONS];
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < ACTIONS; j++) {
            double a = u.actions[i * ACTIONS + j];
            d_actions[i * ACTIONS + j] = (float)(u.d_q1[i] * (c[0][j] + d[0] * a) +
                                                 u.d_q2[i] * (c[1][j] + d[1] * a));
        }
    athlete_squashed_gaussian_backward(u.out, u.xi, ROWS, ACTIONS, u.s.log_std_min, u.s.log_std_max,
                                       d_actions, u.d_log_prob, d_out);
    for (size_t k = 0; k < ROWS * 2 * ACTIONS; k++) {
        /* no row sits at a tie of the two critics, where min() has a kink */
        double fd = central(&u, &u.out[k]);
        ck_assert_msg(fabs(d_out[k] - fd) <= 2e-4 + 2e-3 * fabs(fd),
                      "dL/d out[%zu]: analytic %.7g, finite differences %.7g", k, (double)d_out[k], fd);
    }
}
END_TEST

START_TEST(temperature_gradient_matches_finite_differences)
{
    sac_state s;
    memset(&s, 0, sizeof s);
    float log_prob[ROWS] = {-1.2f, 0.4f, -0.3f, 0.9f, -2.0f, 0.1f};
    s.log_prob = log_prob;
    s.target_entropy = -2.0;
    for (double la = -1.5; la <= 1.5; la += 0.75) {
        s.log_alpha = (float)la;
        sac_temperature_head(&s, ROWS);
        double analytic = s.log_alpha_grad;
        float up = (float)(la + 1e-3), down = (float)(la - 1e-3);
        s.log_alpha = up;
        double l_up = sac_temperature_head(&s, ROWS);
        s.log_alpha = down;
        double l_down = sac_temperature_head(&s, ROWS);
        double fd = (l_up - l_down) / ((double)up - (double)down);
        ck_assert_msg(fabs(analytic - fd) <= 1e-6 + 1e-5 * fabs(fd),
                      "dL/d log alpha at %g: analytic %.9g, finite differences %.9g", la, analytic, fd);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sac-gradients");
    TCase *tc = tcase_create("sac-gradients");
    tcase_add_test(tc, actor_gradient_matches_finite_differences);
    tcase_add_test(tc, temperature_gradient_matches_finite_differences);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
