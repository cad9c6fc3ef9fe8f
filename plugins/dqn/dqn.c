/* DQN: the defaults, the configuration checks and the wiring. The TD update
 * is in dqn-update.c; collector, ε-greedy/greedy policies, replay update and target sync
 * come from the SDK.
 *
 * Keys kept from the original: every key of its dqn configuration except the torch-only
 * ones (value_network_class, optimizer_class, device, init_state_dict_path, the space
 * placeholders, additional_replay_buffer_arguments, post_replay_buffer_data_preprocessing
 * (unusable in the original)). "criteria" names the loss: "mse" (MSELoss) or "huber" (HuberLoss, δ=1). */
#include "dqn.h"

#include <athlete/alloc.h>
#include <athlete/collectors.h>
#include <athlete/nn-records.h>
#include <athlete/policies.h>
#include <athlete/policy-program.h>
#include <athlete/updates.h>

#include <math.h>
#include <string.h>

/* Independent RNG streams of the agent's seed. */
enum { STREAM_INIT = 1, STREAM_TRAINING_POLICY = 2, STREAM_EVALUATION_POLICY = 3, STREAM_SAMPLING = 4 };

typedef struct dqn_settings {
    double discount, lr, start_epsilon, end_epsilon, tau, gradient_max_norm;
    int64_t capacity, batch, warmup, decay, frequency, updates, target_frequency, max_parameters;
    bool multiply, double_q;
    int criteria; /* dqn_criteria */
    athlete_config_sizes hidden;
} dqn_settings;

static const char *const criteria_names[] = {"mse", "huber", NULL}; /* in dqn_criteria order */

/* The configuration: every key once, with its default, range and meaning. */
static const athlete_config_key dqn_keys[] = {
    {.name = "discount", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(dqn_settings, discount),
     .default_value = 0.99, .min = 0, .max = 1, .description = "discount factor of future rewards (gamma)"},
    {.name = "value_network_arguments.hidden_dims", .type = ATHLETE_CONFIG_SIZES,
     ATHLETE_CONFIG_FIELD(dqn_settings, hidden), .default_sizes = (const size_t[]){256, 256}, .default_count = 2, .max_count = 8,
     .min = 1, .max = 65536, .flags = ATHLETE_CONFIG_NONEMPTY,
     .description = "widths of the Q network's hidden layers (ReLU)"},
    {.name = "optimizer_arguments.lr", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(dqn_settings, lr),
     .default_value = 6.3e-4, .min = 0, .max = INFINITY, .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 1e30,
     .description = "Adam learning rate"},
    {.name = "replay_buffer_capacity", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(dqn_settings, capacity),
     .default_value = 100000, .min = 1, .max = INFINITY, .limit = 1e8,
     .description = "transitions the replay buffer keeps (the oldest are overwritten)"},
    {.name = "replay_buffer_mini_batch_size", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(dqn_settings, batch),
     .default_value = 128, .min = 1, .max = 65536, .description = "transitions per gradient step"},
    {.name = "start_epsilon", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(dqn_settings, start_epsilon),
     .default_value = 1.0, .min = 0, .max = 1, .description = "exploration rate at the first step"},
    {.name = "end_epsilon", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(dqn_settings, end_epsilon),
     .default_value = 0.1, .min = 0, .max = 1, .description = "exploration rate once the decay is over"},
    {.name = "warmup_steps", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(dqn_settings, warmup),
     .default_value = 1000, .min = 0, .max = INFINITY, .limit = 1e12,
     .description = "interactions before the first update"},
    {.name = "epsilon_decay_steps", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(dqn_settings, decay),
     .default_value = 12000, .min = 1, .max = INFINITY, .limit = 1e12, .rule = ">= 1 (it divides the epsilon decay)",
     .description = "steps over which epsilon decays linearly from start_epsilon to end_epsilon"},
    {.name = "value_net_update_frequency", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(dqn_settings, frequency),
     .default_value = 4, .min = -INFINITY, .max = INFINITY, .limit = 1e9,
     .description = "interactions between Q updates (<= 0: at the end of each episode)"},
    {.name = "value_net_number_of_updates", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(dqn_settings, updates),
     .default_value = 1, .min = 1, .max = INFINITY, .limit = 10000, .description = "gradient steps per Q update"},
    {.name = "multiply_number_of_updates_by_environment_steps", .type = ATHLETE_CONFIG_BOOL,
     ATHLETE_CONFIG_FIELD(dqn_settings, multiply), .default_value = 1,
     .description = "multiply the gradient steps by the interactions since the last update"},
    {.name = "target_net_update_frequency", .type = ATHLETE_CONFIG_INT,
     ATHLETE_CONFIG_FIELD(dqn_settings, target_frequency), .default_value = 250, .min = 1, .max = INFINITY,
     .limit = 1e9, .rule = ">= 1 (it is a modulus)", .description = "interactions between target network syncs"},
    {.name = "target_net_tau", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(dqn_settings, tau),
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 1.0,
     .min = 0, .max = 1, .description = "Polyak factor of a target sync (null: a hard copy)"},
    {.name = "enable_double_q_learning", .type = ATHLETE_CONFIG_BOOL, ATHLETE_CONFIG_FIELD(dqn_settings, double_q),
     .default_value = 0, .description = "pick the next action with the online network (double DQN)"},
    {.name = "criteria", .type = ATHLETE_CONFIG_ENUM, ATHLETE_CONFIG_FIELD(dqn_settings, criteria),
     .choices = criteria_names, .default_choice = "mse", .description = "TD loss: mean squared error or Huber (delta 1)"},
    {.name = "gradient_max_norm", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(dqn_settings, gradient_max_norm),
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 0, .min = 0,
     .max = INFINITY, .limit = 1e6, .description = "clip the gradient's global norm to this (null: no clipping)"},
    ATHLETE_CONFIG_MAX_PARAMETERS_KEY(dqn_settings, max_parameters),
};
ATHLETE_CONFIG_TABLE_DEFINE(dqn_config, dqn_settings, dqn_keys);

/* ---- the action-value function the policies act on ---- */

static athlete_status q_values(void *context, const float *observation, double *q, athlete_error *err)
{
    dqn_state *s = context;
    const float *out = athlete_mlp_forward(s->q, s->act_ws, observation, 1);
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "dqn: forward pass refused");
    for (size_t i = 0; i < s->action_count; i++)
        q[i] = out[i];
    return ATHLETE_OK;
}

/* Every environment's action values in one forward pass. */
static athlete_status q_values_batch(void *context, const float *observations, size_t n, double *q,
                                     athlete_error *err)
{
    dqn_state *s = context;
    const float *out = athlete_mlp_forward(s->q, s->act_ws, observations, n);
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "dqn: forward pass refused");
    for (size_t i = 0; i < n * s->action_count; i++)
        q[i] = out[i];
    return ATHLETE_OK;
}

/* ---- shared state: Q network and its optimiser (target and replay are saved by the
 * SDK updatables that own their updates) ---- */

static athlete_status state_save(void *state, athlete_writer *w, athlete_error *err)
{
    dqn_state *s = state;
    athlete_status st = athlete_mlp_save(s->q, w, "q", err);
    return st ? st : athlete_adam_save(s->adam, w, "adam", err);
}

static athlete_status state_load(void *state, athlete_reader *r, athlete_error *err)
{
    dqn_state *s = state;
    athlete_status st = athlete_mlp_load(s->q, r, "q", err);
    return st ? st : athlete_adam_load(s->adam, r, "adam", err);
}

static athlete_status state_save_policy(void *state, athlete_writer *w, athlete_error *err)
{
    const dqn_state *s = state;
    return athlete_mlp_save(s->q, w, "q", err);
}

static athlete_status state_load_policy(void *state, athlete_reader *r, athlete_error *err)
{
    dqn_state *s = state;
    return athlete_mlp_load(s->q, r, "q", err);
}

/* For export: the greedy policy is the first argmax of the Q network's outputs. */
static athlete_status state_describe_policy(void *state, athlete_policy_program *program, athlete_error *err)
{
    dqn_state *s = state;
    program->summary = "greedy: the first maximal output of the Q network";
    program->head = ATHLETE_PROGRAM_HEAD_ARGMAX;
    return athlete_policy_program_add_mlp(program, s->q, err);
}

static void state_destroy(void *state)
{
    dqn_state *s = state;
    if (!s)
        return;
    athlete_mlp_destroy(s->q);
    athlete_mlp_destroy(s->target);
    athlete_mlp_workspace_destroy(s->act_ws);
    athlete_mlp_workspace_destroy(s->batch_ws);
    athlete_mlp_workspace_destroy(s->next_ws);
    athlete_mlp_workspace_destroy(s->online_next_ws);
    athlete_adam_destroy(s->adam);
    athlete_replay_destroy(s->replay);
    athlete_free(s->targets);
    athlete_free(s->predictions);
    athlete_free(s->d_predictions);
    athlete_free(s->d_output);
    athlete_free(s);
}

static const athlete_state_ops dqn_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = state_save_policy,
    .load_policy = state_load_policy,
    .describe_policy = state_describe_policy,
};

/* ---- extension methods ---- */

static double method_epsilon(void *state)
{
    const dqn_state *s = state;
    return athlete_epsilon_at(s->start_epsilon, s->end_epsilon, s->epsilon_decay_steps, s->clock);
}

static int64_t method_replay_size(void *state)
{
    const dqn_state *s = state;
    return s->replay ? (int64_t)athlete_replay_size(s->replay) : 0;
}

static const athlete_method dqn_methods[] = {
    {"epsilon", "d()", (athlete_method_fn)method_epsilon, "the exploration rate at the current step"},
    {"replay_size", "i()", (athlete_method_fn)method_replay_size, "transitions in the replay buffer"},
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

static athlete_status build_training_parts(const athlete_build_args *args, const dqn_settings *cfg, dqn_state *s,
                                           athlete_parts *parts, athlete_error *err)
{
    size_t batch = (size_t)cfg->batch;
    athlete_adam_group group = athlete_adam_group_default(athlete_mlp_params(s->q), athlete_mlp_grads(s->q),
                                                          athlete_mlp_param_count(s->q), cfg->lr);
    athlete_status st;
    if ((st = athlete_mlp_clone(s->q, &s->target, err)) ||
        (st = athlete_mlp_workspace_create(s->q, batch, &s->batch_ws, err)) ||
        (st = athlete_mlp_workspace_create(s->q, batch, &s->next_ws, err)) ||
        (cfg->double_q && (st = athlete_mlp_workspace_create(s->q, batch, &s->online_next_ws, err))) ||
        (st = athlete_adam_create(&group, 1, &s->adam, err)) ||
        (st = athlete_replay_create((size_t)cfg->capacity, s->observation_size, 1, batch, &s->replay, err)))
        return st;
    s->targets = athlete_calloc(batch, sizeof(float));
    s->predictions = athlete_calloc(batch, sizeof(float));
    s->d_predictions = athlete_calloc(batch, sizeof(float));
    s->d_output = athlete_calloc(batch * s->action_count, sizeof(float));
    if (!s->targets || !s->predictions || !s->d_predictions || !s->d_output)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "dqn: out of memory for the minibatch buffers");
    dqn_schedule schedule = {cfg->frequency, (uint64_t)cfg->updates, cfg->multiply, args->seed, STREAM_SAMPLING};
    /* Update order of the original: replay → Q update → target. */
    if ((st = athlete_replay_update_add(parts, s->replay, err)) || (st = dqn_update_add(parts, s, &schedule, err)) ||
        (st = athlete_target_sync_add(parts, "target_net", s->target, s->q, cfg->tau,
                                      (uint64_t)cfg->target_frequency, err)))
        return st;
    return ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    char described[160];
    const athlete_space *obs = args->observation_space, *act = args->action_space;
    if (obs->kind != ATHLETE_SPACE_BOX)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "dqn needs a Box observation space, got %s",
                                 athlete_space_describe(obs, described, sizeof described));
    if (act->kind != ATHLETE_SPACE_DISCRETE)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "dqn needs a Discrete action space, got %s",
                                 athlete_space_describe(act, described, sizeof described));
    dqn_settings cfg;
    athlete_status st = athlete_config_table_read(&dqn_config, args->config, &cfg, err);
    if (st != ATHLETE_OK)
        return st;
    /* obs → hidden... → n_actions, ReLU between layers, PyTorch's Linear initialisation. */
    size_t widths[ATHLETE_CONFIG_MAX_SIZES + 2];
    widths[0] = athlete_space_flat_size(obs);
    memcpy(widths + 1, cfg.hidden.values, cfg.hidden.count * sizeof *widths);
    widths[cfg.hidden.count + 1] = (size_t)act->n;
    uint64_t q_parameters = athlete_config_mlp_parameters(widths, cfg.hidden.count + 2);
    /* the Q network and its target */
    if ((st = athlete_config_check_parameters(args->config, q_parameters > UINT64_MAX / 2 ? UINT64_MAX : 2 * q_parameters,
                                              cfg.max_parameters, err)))
        return st;
    dqn_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "dqn: out of memory");
    parts->state = s;
    parts->state_ops = &dqn_state_ops;
    s->observation_size = athlete_space_flat_size(obs);
    s->action_count = (size_t)act->n;
    s->action_start = act->start;
    s->clock = args->clock;
    s->discount = cfg.discount;
    s->batch_size = (size_t)cfg.batch;
    s->double_q = cfg.double_q;
    s->criteria = (dqn_criteria)cfg.criteria;
    s->gradient_max_norm = cfg.gradient_max_norm;
    s->start_epsilon = cfg.start_epsilon;
    s->end_epsilon = cfg.end_epsilon;
    s->epsilon_decay_steps = (uint64_t)cfg.decay;

    if ((st = athlete_mlp_create(widths, cfg.hidden.count + 2, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY,
                                 &s->q, err)) ||
        (st = athlete_mlp_workspace_create(s->q, athlete_build_num_envs(args), &s->act_ws, err)))
        goto fail;
    if (!athlete_build_loading(args)) { /* else the weights are read from the file next */
        athlete_rng init_rng;
        athlete_rng_seed(&init_rng, args->seed, STREAM_INIT);
        athlete_mlp_init_default(s->q, &init_rng);
    }

    if ((st = athlete_transition_collector_create(s->observation_size, 1, NULL, &parts->collector, err)))
        goto fail;
    if (!args->inference_only && (st = build_training_parts(args, &cfg, s, parts, err)))
        goto fail;
    athlete_discrete_policy_options policy = {
        .struct_size = sizeof policy,
        .q_values = q_values,
        .context = s,
        .action_count = s->action_count,
        .action_start = s->action_start,
        .random_tie_break = false, /* torch.argmax: the first maximal action */
        .seed = args->seed,
        .stream = STREAM_TRAINING_POLICY,
        .start_epsilon = s->start_epsilon,
        .end_epsilon = s->end_epsilon,
        .epsilon_decay_steps = s->epsilon_decay_steps,
        .q_values_batch = q_values_batch,
        .num_envs = athlete_build_num_envs(args),
        .observation_size = s->observation_size,
    };
    if ((st = athlete_epsilon_greedy_policy_create(&policy, &parts->training_policy, err)))
        goto fail;
    policy.stream = STREAM_EVALUATION_POLICY;
    if ((st = athlete_greedy_policy_create(&policy, &parts->evaluation_policy, err)))
        goto fail;
    return ATHLETE_OK;
fail:
    athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm dqn_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "dqn",
    .summary = "Deep Q-Network with optional double Q-learning",
    .build = build,
    .methods = dqn_methods,
    .config_table = &dqn_config,
};

ATHLETE_PLUGIN_DEFINE(dqn, "1.0.0", "Deep Q-Network", &dqn_algorithm)
