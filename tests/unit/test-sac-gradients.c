/* SAC's hand-written loss gradients against central finite differences: the actor loss
 * mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)) through the reparameterised squashed
 * Gaussian (a = tanh(mu + sigma xi), xi fixed) to the actor's outputs, with two smooth
 * stand-in critics whose minimum switches between rows; the same with gSDE's noise (to the
 * means and to gSDE's log_std); and the temperature loss in log alpha. */
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

/* With gSDE: the same loss through a = tanh(mu + latent theta) and the state-dependent
 * log-density, to the actor's means and to gSDE's log_std (the latent is detached). */
#define LATENT 3

typedef struct gsde_setup {
    sac_state s;
    float out[ROWS * 2 * ACTIONS], latent[ROWS * LATENT], draws[LATENT * ACTIONS], slope[ROWS * ACTIONS];
    float actions[ROWS * ACTIONS], log_prob[ROWS], q1[ROWS], q2[ROWS];
    float d_q1[ROWS], d_q2[ROWS], d_log_prob[ROWS], d_actions[ROWS * ACTIONS], d_actions_2[ROWS * ACTIONS];
    float d_out[ROWS * 2 * ACTIONS];
    bool any_1, any_2;
} gsde_setup;

static double gsde_loss(gsde_setup *u)
{
    sac_gsde_sample(&u->s, u->out, u->latent, ROWS);
    for (size_t i = 0; i < ROWS; i++) {
        u->q1[i] = (float)critic(0, u->actions + i * ACTIONS);
        u->q2[i] = (float)critic(1, u->actions + i * ACTIONS);
    }
    return sac_actor_head(&u->s, u->q1, u->q2, ROWS, &u->any_1, &u->any_2);
}

static double gsde_central(gsde_setup *u, float *x)
{
    const float saved = *x;
    float up = (float)(saved + 1e-2), down = (float)(saved - 1e-2);
    *x = up;
    double l_up = gsde_loss(u);
    *x = down;
    double l_down = gsde_loss(u);
    *x = saved;
    return (l_up - l_down) / ((double)up - (double)down);
}

START_TEST(gsde_actor_gradient_matches_finite_differences)
{
    gsde_setup u;
    memset(&u, 0, sizeof u);
    sac_state *s = &u.s;
    athlete_gsde_options o = {.struct_size = sizeof o,
                              .latent_size = LATENT,
                              .action_size = ACTIONS,
                              .full_std = true,
                              .log_std_init = -0.7,
                              .sample_freq = -1,
                              .seed = 1,
                              .stream = 8};
    athlete_error err;
    ck_assert_ok(athlete_gsde_create(&o, &s->gsde, &err), &err);
    s->ac.action_size = ACTIONS;
    s->alpha = 0.2f;
    s->actions = u.actions;
    s->log_prob = u.log_prob;
    s->d_q1 = u.d_q1;
    s->d_q2 = u.d_q2;
    s->d_log_prob = u.d_log_prob;
    s->d_actions = u.d_actions;
    s->d_actions_2 = u.d_actions_2;
    s->d_out = u.d_out;
    s->gsde_draws = u.draws;
    s->gsde_slope = u.slope;
    float *log_std = athlete_gsde_log_std(s->gsde);
    for (size_t k = 0; k < LATENT * ACTIONS; k++) {
        log_std[k] = (float)(-0.5 + 0.2 * sin(1.7 * (double)k));
        u.draws[k] = (float)(1.1 * cos(0.9 * (double)k + 0.2));
    }
    for (size_t k = 0; k < ROWS * LATENT; k++)
        u.latent[k] = (float)(0.8 * sin(0.6 * (double)k + 0.5) + 0.3);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < 2 * ACTIONS; j++) /* the log-std half is unused with gSDE */
            u.out[i * 2 * ACTIONS + j] = (float)(0.7 * sin(1.3 * (double)(i * ACTIONS + j)));
    gsde_loss(&u);
    ck_assert(u.any_1 && u.any_2);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < ACTIONS; j++) {
            double a = u.actions[i * ACTIONS + j];
            u.d_actions[i * ACTIONS + j] = (float)(u.d_q1[i] * (c[0][j] + d[0] * a) +
                                                   u.d_q2[i] * (c[1][j] + d[1] * a));
        }
    sac_gsde_backward(s, u.latent, ROWS);
    for (size_t k = 0; k < ROWS * 2 * ACTIONS; k++) {
        double fd = gsde_central(&u, &u.out[k]);
        ck_assert_msg(fabs(u.d_out[k] - fd) <= 2e-4 + 2e-3 * fabs(fd),
                      "dL/d out[%zu]: analytic %.7g, finite differences %.7g", k, (double)u.d_out[k], fd);
    }
    for (size_t k = 0; k < LATENT * ACTIONS; k++) {
        double fd = gsde_central(&u, &log_std[k]), analytic = athlete_gsde_grads(s->gsde)[k];
        ck_assert_msg(fabs(analytic - fd) <= 2e-4 + 2e-3 * fabs(fd),
                      "dL/d log_std[%zu]: analytic %.7g, finite differences %.7g", k, analytic, fd);
    }
    athlete_gsde_destroy(s->gsde);
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
    tcase_add_test(tc, gsde_actor_gradient_matches_finite_differences);
    tcase_add_test(tc, temperature_gradient_matches_finite_differences);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
