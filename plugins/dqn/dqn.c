/* DQN (spec §7.1): the defaults, the configuration checks and the wiring. The TD update
 * is in dqn-update.c; collector, ε-greedy/greedy policies, replay update and target sync
 * come from the SDK.
 *
 * Keys kept from the original: every key of §7.1 except the torch-only ones
 * (value_network_class, optimizer_class, device, init_state_dict_path, the space
 * placeholders, additional_replay_buffer_arguments, post_replay_buffer_data_preprocessing
 * (its bug B5)). "criteria" names the loss: "mse" (MSELoss) or "huber" (HuberLoss, δ=1). */
#include "dqn.h"

#include <athlete/alloc.h>
#include <athlete/collectors.h>
#include <athlete/nn-records.h>
#include <athlete/policies.h>
#include <athlete/policy-program.h>
#include <athlete/updates.h>

#include <math.h>
#include <string.h>

static const char dqn_defaults[] =
    "{\"discount\": 0.99,"
    " \"value_network_arguments\": {\"hidden_dims\": [256, 256]},"
    " \"optimizer_arguments\": {\"lr\": 6.3e-4},"
    " \"replay_buffer_capacity\": 100000,"
    " \"replay_buffer_mini_batch_size\": 128,"
    " \"start_epsilon\": 1.0,"
    " \"end_epsilon\": 0.1,"
    " \"warmup_steps\": 1000,"
    " \"epsilon_decay_steps\": 12000,"
    " \"value_net_update_frequency\": 4,"
    " \"value_net_number_of_updates\": 1,"
    " \"multiply_number_of_updates_by_environment_steps\": true,"
    " \"target_net_update_frequency\": 250,"
    " \"target_net_tau\": null,"
    " \"enable_double_q_learning\": false,"
    " \"criteria\": \"mse\","
    " \"gradient_max_norm\": null}";

#define MAX_HIDDEN 8

/* Independent RNG streams of the agent's seed. */
enum { STREAM_INIT = 1, STREAM_TRAINING_POLICY = 2, STREAM_EVALUATION_POLICY = 3, STREAM_SAMPLING = 4 };

typedef struct dqn_settings {
    double discount, lr, start_epsilon, end_epsilon, tau, gradient_max_norm;
    int64_t capacity, batch, warmup, decay, frequency, updates, target_frequency;
    bool multiply, double_q;
    dqn_criteria criteria;
    int64_t hidden[MAX_HIDDEN];
    size_t hidden_count;
} dqn_settings;

static athlete_status bad(athlete_error *err, const char *fmt, ...) ATHLETE_PRINTF(2, 3);
static athlete_status bad(athlete_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    athlete_status st = athlete_error_setv(err, ATHLETE_E_CONFIG_VALUE, fmt, ap);
    va_end(ap);
    athlete_error_prefix(err, "dqn config: ");
    return st;
}

/* Reads and range-checks every key: used by check_config and by build. */
static athlete_status read_settings(const athlete_config *c, dqn_settings *s, athlete_error *err)
{
    athlete_status st;
    const char *criteria;
    if ((st = athlete_config_get_real(c, "discount", &s->discount, err)) ||
        (st = athlete_config_get_int_array(c, "value_network_arguments.hidden_dims", s->hidden, MAX_HIDDEN,
                                           &s->hidden_count, err)) ||
        (st = athlete_config_get_real(c, "optimizer_arguments.lr", &s->lr, err)) ||
        (st = athlete_config_get_int(c, "replay_buffer_capacity", &s->capacity, err)) ||
        (st = athlete_config_get_int(c, "replay_buffer_mini_batch_size", &s->batch, err)) ||
        (st = athlete_config_get_real(c, "start_epsilon", &s->start_epsilon, err)) ||
        (st = athlete_config_get_real(c, "end_epsilon", &s->end_epsilon, err)) ||
        (st = athlete_config_get_int(c, "warmup_steps", &s->warmup, err)) ||
        (st = athlete_config_get_int(c, "epsilon_decay_steps", &s->decay, err)) ||
        (st = athlete_config_get_int(c, "value_net_update_frequency", &s->frequency, err)) ||
        (st = athlete_config_get_int(c, "value_net_number_of_updates", &s->updates, err)) ||
        (st = athlete_config_get_bool(c, "multiply_number_of_updates_by_environment_steps", &s->multiply, err)) ||
        (st = athlete_config_get_int(c, "target_net_update_frequency", &s->target_frequency, err)) ||
        (st = athlete_config_get_bool(c, "enable_double_q_learning", &s->double_q, err)) ||
        (st = athlete_config_get_string(c, "criteria", &criteria, err)))
        return st;
    s->tau = 1.0; /* null: hard copy */
    if (!athlete_config_is_null(c, "target_net_tau") &&
        (st = athlete_config_get_real(c, "target_net_tau", &s->tau, err)))
        return st;
    s->gradient_max_norm = 0;
    if (!athlete_config_is_null(c, "gradient_max_norm") &&
        (st = athlete_config_get_real(c, "gradient_max_norm", &s->gradient_max_norm, err)))
        return st;
    if (strcmp(criteria, "mse") == 0)
        s->criteria = DQN_MSE;
    else if (strcmp(criteria, "huber") == 0)
        s->criteria = DQN_HUBER;
    else
        return bad(err, "'criteria' must be \"mse\" or \"huber\", got \"%s\"", criteria);
    if (!(s->discount >= 0 && s->discount <= 1))
        return bad(err, "'discount' must be in [0, 1], got %g", s->discount);
    if (s->hidden_count == 0)
        return bad(err, "'value_network_arguments.hidden_dims' needs at least one layer");
    for (size_t i = 0; i < s->hidden_count; i++)
        if (s->hidden[i] < 1 || s->hidden[i] > 65536)
            return bad(err, "'value_network_arguments.hidden_dims'[%zu] must be in [1, 65536], got %lld", i,
                       (long long)s->hidden[i]);
    if (!(s->lr > 0) || !isfinite(s->lr))
        return bad(err, "'optimizer_arguments.lr' must be > 0, got %g", s->lr);
    if (s->capacity < 1)
        return bad(err, "'replay_buffer_capacity' must be >= 1, got %lld", (long long)s->capacity);
    if (s->batch < 1 || s->batch > 65536)
        return bad(err, "'replay_buffer_mini_batch_size' must be in [1, 65536], got %lld", (long long)s->batch);
    if (!(s->start_epsilon >= 0 && s->start_epsilon <= 1) || !(s->end_epsilon >= 0 && s->end_epsilon <= 1))
        return bad(err, "'start_epsilon' and 'end_epsilon' must be in [0, 1], got %g and %g", s->start_epsilon,
                   s->end_epsilon);
    if (s->warmup < 0)
        return bad(err, "'warmup_steps' must be >= 0, got %lld", (long long)s->warmup);
    if (s->decay < 1)
        return bad(err, "'epsilon_decay_steps' must be >= 1 (it divides the epsilon decay), got %lld",
                   (long long)s->decay);
    if (s->updates < 1)
        return bad(err, "'value_net_number_of_updates' must be >= 1, got %lld", (long long)s->updates);
    if (s->target_frequency < 1)
        return bad(err, "'target_net_update_frequency' must be >= 1 (it is a modulus), got %lld",
                   (long long)s->target_frequency);
    if (!(s->tau > 0 && s->tau <= 1))
        return bad(err, "'target_net_tau' must be null or in (0, 1], got %g", s->tau);
    if (athlete_config_has(c, "gradient_max_norm") && !athlete_config_is_null(c, "gradient_max_norm") &&
        !(s->gradient_max_norm > 0))
        return bad(err, "'gradient_max_norm' must be null or > 0, got %g", s->gradient_max_norm);
    return ATHLETE_OK;
}

static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    dqn_settings s;
    return read_settings(config, &s, err);
}

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
    athlete_status st = read_settings(args->config, &cfg, err);
    if (st != ATHLETE_OK)
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
    s->criteria = cfg.criteria;
    s->gradient_max_norm = cfg.gradient_max_norm;
    s->start_epsilon = cfg.start_epsilon;
    s->end_epsilon = cfg.end_epsilon;
    s->epsilon_decay_steps = (uint64_t)cfg.decay;

    /* obs → hidden... → n_actions, ReLU between layers, PyTorch's Linear initialisation. */
    size_t widths[MAX_HIDDEN + 2];
    widths[0] = s->observation_size;
    for (size_t i = 0; i < cfg.hidden_count; i++)
        widths[i + 1] = (size_t)cfg.hidden[i];
    widths[cfg.hidden_count + 1] = s->action_count;
    if ((st = athlete_mlp_create(widths, cfg.hidden_count + 2, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY,
                                 &s->q, err)) ||
        (st = athlete_mlp_workspace_create(s->q, 1, &s->act_ws, err)))
        goto fail;
    athlete_rng init_rng;
    athlete_rng_seed(&init_rng, args->seed, STREAM_INIT);
    athlete_mlp_init_default(s->q, &init_rng);

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
    .default_config = dqn_defaults,
    .check_config = check_config,
    .build = build,
    .methods = dqn_methods,
};

ATHLETE_PLUGIN_DEFINE(dqn, "1.0.0", "Deep Q-Network", &dqn_algorithm)
