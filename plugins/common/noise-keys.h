/* The keys of an exploration noise process, shared by the algorithms that have one:
 * "noise_process_class" and each process's arguments under "noise_process_arguments"
 * (noise_std for all; theta, dt, mu for "ornstein_uhlenbeck"; horizon, beta for
 * "colored"). Header-only, so ppo uses it without the actor-critic library. */
#ifndef ATHLETE_PLUGINS_NOISE_KEYS_H
#define ATHLETE_PLUGINS_NOISE_KEYS_H

#include <athlete/config-table.h>
#include <athlete/noise.h>

typedef struct actor_critic_noise {
    int kind; /* index in the choices below: athlete_noise_kind - 1; -1 for null (no process) */
    double noise_std, theta, dt, mu, beta;
    int64_t horizon;
} actor_critic_noise;

#define ACTOR_CRITIC_NOISE_KINDS ((const char *const[]){"gaussian", "ornstein_uhlenbeck", "colored", NULL})

/* class_: the "noise_process_class" key; std_: noise_std's default. */
#define ACTOR_CRITIC_NOISE_ARGUMENT_KEYS_(settings_, f_, std_)                                                          \
    {.name = "noise_process_arguments.noise_std", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings_, f_.noise_std), \
     .default_value = std_, .min = 0, .max = INFINITY, .limit = 1000, .rule = "a finite number >= 0",              \
     .description = "the noise's scale, in units of the action range [-1, 1]"},                                  \
    {.name = "noise_process_arguments.theta", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings_, f_.theta),     \
     .default_value = 0.15, .min = 0, .max = INFINITY, .limit = 1000, .rule = "a finite number >= 0",             \
     .description = "ornstein_uhlenbeck: the pull towards mu"},                                                   \
    {.name = "noise_process_arguments.dt", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings_, f_.dt),           \
     .default_value = 0.01, .min = 0, .max = INFINITY, .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 1000,           \
     .rule = "a finite number > 0", .description = "ornstein_uhlenbeck: the time step"},                         \
    {.name = "noise_process_arguments.mu", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings_, f_.mu),           \
     .default_value = 0.0, .min = -1000, .max = 1000, .description = "ornstein_uhlenbeck: the mean"},             \
    {.name = "noise_process_arguments.horizon", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(settings_, f_.horizon),  \
     .default_value = 1000, .min = 2, .max = ATHLETE_NOISE_MAX_HORIZON,                                           \
     .description = "colored: the length of one noise sequence, in steps"},                                      \
    {.name = "noise_process_arguments.beta", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings_, f_.beta),       \
     .default_value = 1.0, .min = -10, .max = 10,                                                                 \
     .description = "colored: the spectrum's exponent (0 white, 1 pink, 2 red)"}

/* ddpg, td3: the exploration noise added to the deterministic actor's action. */
#define ACTOR_CRITIC_NOISE_KEYS(settings_, f_)                                                                         \
    {.name = "noise_process_class", .type = ATHLETE_CONFIG_ENUM, ATHLETE_CONFIG_FIELD(settings_, f_.kind),              \
     .choices = ACTOR_CRITIC_NOISE_KINDS, .default_choice = "gaussian",                                           \
     .description = "the exploration noise process"},                                                             \
    ACTOR_CRITIC_NOISE_ARGUMENT_KEYS_(settings_, f_, 0.1)

/* sac, ppo: null samples the policy's Gaussian with i.i.d. N(0, 1) draws; a process
 * ("colored" with beta 1: pink noise) supplies those draws instead, correlated in time,
 * which finds sparse rewards that i.i.d. draws miss (MountainCarContinuous). noise_std
 * scales the draws (1: the Gaussian as it is). */
#define ACTOR_CRITIC_OPTIONAL_NOISE_KEYS(settings_, f_)                                                                \
    {.name = "noise_process_class", .type = ATHLETE_CONFIG_ENUM, ATHLETE_CONFIG_FIELD(settings_, f_.kind),              \
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT, .absent = -1,                              \
     .choices = ACTOR_CRITIC_NOISE_KINDS,                                                                         \
     .description = "null: i.i.d. Gaussian draws; else the process that draws the policy's noise"},               \
    ACTOR_CRITIC_NOISE_ARGUMENT_KEYS_(settings_, f_, 1.0)

/* The options of athlete_noise_create for `size` action dimensions on an RNG stream. */
static inline athlete_noise_options actor_critic_noise_options(const actor_critic_noise *noise, size_t size,
                                                               uint64_t seed, uint64_t stream)
{
    return (athlete_noise_options){
        .struct_size = sizeof(athlete_noise_options),
        .kind = (athlete_noise_kind)(noise->kind + 1),
        .size = size,
        .noise_std = noise->noise_std,
        .theta = noise->theta,
        .dt = noise->dt,
        .mu = noise->mu,
        .horizon = (size_t)noise->horizon,
        .beta = noise->beta,
        .seed = seed,
        .stream = stream,
    };
}

#endif
