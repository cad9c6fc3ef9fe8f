/* A CartPole controller with no dependency but libm: Gymnasium's CartPole-v1 dynamics
 * copied into plain C99, driven by a policy exported with `athlete export` as
 * cartpole_policy.c and cartpole_policy.h (see run.sh). This is what runs on a
 * microcontroller: the policy is a few static const arrays and one function.
 *
 *   cartpole [EPISODES] [SEED]
 *
 * prints each episode's initial state (exactly, %.17g) and return, then the mean. The
 * initial state is drawn as Gymnasium's, U(-0.05, 0.05) per element, from a splitmix64
 * stream (not numpy's, so the episodes are not Gymnasium's own). */
#include "cartpole_policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define GRAVITY 9.8
#define MASSCART 1.0
#define MASSPOLE 0.1
#define TOTAL_MASS (MASSPOLE + MASSCART)
#define LENGTH 0.5 /* half the pole's length */
#define POLEMASS_LENGTH (MASSPOLE * LENGTH)
#define FORCE_MAG 10.0
#define TAU 0.02
#define PI 3.14159265358979323846
#define THETA_THRESHOLD (12 * 2 * PI / 360)
#define X_THRESHOLD 2.4
#define MAX_STEPS 500

typedef struct cartpole {
    double x, x_dot, theta, theta_dot;
} cartpole;

/* One explicit Euler step of tau seconds, in Gymnasium's evaluation order (x**2 is pow, as
 * Python's), so every float64 result matches the built-in environment bit for bit.
 * Returns 1 when the episode terminates. */
static int cartpole_step(cartpole *s, int action)
{
    double force = action == 1 ? FORCE_MAG : -FORCE_MAG;
    double costheta = cos(s->theta), sintheta = sin(s->theta);
    double temp = (force + POLEMASS_LENGTH * pow(s->theta_dot, 2.0) * sintheta) / TOTAL_MASS;
    double thetaacc = (GRAVITY * sintheta - costheta * temp) /
                      (LENGTH * (4.0 / 3.0 - MASSPOLE * pow(costheta, 2.0) / TOTAL_MASS));
    double xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
    s->x = s->x + TAU * s->x_dot;
    s->x_dot = s->x_dot + TAU * xacc;
    s->theta = s->theta + TAU * s->theta_dot;
    s->theta_dot = s->theta_dot + TAU * thetaacc;
    return s->x < -X_THRESHOLD || s->x > X_THRESHOLD || s->theta < -THETA_THRESHOLD || s->theta > THETA_THRESHOLD;
}

static void observe(const cartpole *s, float observation[4])
{
    observation[0] = (float)s->x;
    observation[1] = (float)s->x_dot;
    observation[2] = (float)s->theta;
    observation[3] = (float)s->theta_dot;
}

/* splitmix64, then the top 53 bits as a double in [0, 1). */
static double uniform(unsigned long long *state)
{
    unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

int main(int argc, char **argv)
{
    int episodes = argc > 1 ? atoi(argv[1]) : 10;
    unsigned long long rng = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    double total = 0;
    int e;
    for (e = 1; e <= episodes; e++) {
        cartpole s;
        float observation[4];
        int t, terminated = 0;
        double episode_return = 0;
        s.x = -0.05 + 0.1 * uniform(&rng);
        s.x_dot = -0.05 + 0.1 * uniform(&rng);
        s.theta = -0.05 + 0.1 * uniform(&rng);
        s.theta_dot = -0.05 + 0.1 * uniform(&rng);
        printf("episode %d: initial state %.17g %.17g %.17g %.17g", e, s.x, s.x_dot, s.theta, s.theta_dot);
        for (t = 0; t < MAX_STEPS && !terminated; t++) {
            int action;
            observe(&s, observation);
            action = cartpole_policy_act_discrete(observation);
            if (action == CARTPOLE_POLICY_ACT_ERROR) {
                fprintf(stderr, "\nthe policy refused observation %d\n", t);
                return 1;
            }
            terminated = cartpole_step(&s, action);
            episode_return += 1.0;
        }
        printf(", return %.1f\n", episode_return);
        total += episode_return;
    }
    printf("mean return over %d episodes: %.2f\n", episodes, episodes > 0 ? total / episodes : 0.0);
    return 0;
}
