/* What the off-policy actor-critics share (see actor-critic.h). */
#include "actor-critic.h"

#include <athlete/alloc.h>
#include <athlete/nn-records.h>

#include <string.h>

const char *const actor_critic_criteria[] = {"mse", "huber", NULL};

/* The widths of a critic ((observation, action) -> hidden -> 1) or an actor. */
static size_t widths_of(size_t inputs, const athlete_config_sizes *hidden, size_t outputs, size_t *widths)
{
    widths[0] = inputs;
    memcpy(widths + 1, hidden->values, hidden->count * sizeof *widths);
    widths[hidden->count + 1] = outputs;
    return hidden->count + 2;
}

athlete_status actor_critic_check_parameters(const actor_critic_spec *spec, const athlete_config *config,
                                             athlete_error *err)
{
    size_t widths[ATHLETE_CONFIG_MAX_SIZES + 2], obs = spec->observation_size, act = spec->action_size;
    uint64_t total = 0;
    for (size_t i = 0; i < spec->critic_count; i++) {
        uint64_t critic = athlete_config_mlp_parameters(widths, widths_of(obs + act, spec->critic_hidden[i], 1, widths));
        total = total > UINT64_MAX - 2 * critic || critic > UINT64_MAX / 2 ? UINT64_MAX : total + 2 * critic;
    }
    /* the squashed Gaussian actor outputs a mean and a log-std per dimension */
    size_t outputs = spec->actor_kind == ATHLETE_ACTOR_SQUASHED_GAUSSIAN ? 2 * act : act;
    uint64_t actor = athlete_config_mlp_parameters(widths, widths_of(obs, spec->actor_hidden, outputs, widths));
    uint64_t copies = spec->target_actor ? 2 : 1;
    total = total > UINT64_MAX - copies * actor || actor > UINT64_MAX / 2 ? UINT64_MAX : total + copies * actor;
    return athlete_config_check_parameters(config, total, spec->common->max_parameters, err);
}

athlete_status actor_critic_build_actor(actor_critic_nets *nets, const actor_critic_spec *spec, athlete_rng *init,
                                        athlete_error *err)
{
    nets->owner = spec->owner;
    return athlete_actor_network_create(spec->actor_kind, spec->observation_size, spec->action_size,
                                        spec->actor_hidden->values, spec->actor_hidden->count, spec->squash, init,
                                        &nets->actor, err);
}

static const char *const critic_names[3][2] = {{NULL, NULL}, {"target_critic", NULL},
                                               {"target_critic_1", "target_critic_2"}};

athlete_status actor_critic_build_training(actor_critic_nets *nets, const actor_critic_spec *spec, athlete_rng *init,
                                           athlete_parts *parts, athlete_error *err)
{
    const actor_critic_settings *common = spec->common;
    size_t obs = spec->observation_size, act = spec->action_size, batch = (size_t)common->batch;
    athlete_status st;
    nets->owner = spec->owner;
    nets->critic_count = spec->critic_count;
    /* construction order of the original: the critics, then the actor */
    for (size_t i = 0; i < spec->critic_count; i++)
        if ((st = athlete_critic_create(obs, act, spec->critic_hidden[i]->values, spec->critic_hidden[i]->count, batch,
                                        init, &nets->critics[i], err)))
            return st;
    if ((st = actor_critic_build_actor(nets, spec, init, err)) ||
        (spec->target_actor && (st = athlete_mlp_clone(nets->actor, &nets->target_actor, err))) ||
        (st = athlete_mlp_workspace_create(nets->actor, batch, &nets->actor_ws, err)) ||
        (spec->target_actor && (st = athlete_mlp_workspace_create(nets->actor, batch, &nets->target_actor_ws, err))) ||
        (st = athlete_replay_create((size_t)common->capacity, obs, act, batch, &nets->replay, err)))
        return st;
    /* twin critics: two parameter groups of one optimizer (as the original) */
    athlete_adam_group cg[2];
    for (size_t i = 0; i < spec->critic_count; i++) {
        athlete_mlp *c = athlete_critic_network(nets->critics[i]);
        cg[i] = athlete_adam_group_default(athlete_mlp_params(c), athlete_mlp_grads(c), athlete_mlp_param_count(c),
                                           common->critic_lr);
    }
    athlete_adam_group ag = athlete_adam_group_default(athlete_mlp_params(nets->actor), athlete_mlp_grads(nets->actor),
                                                       athlete_mlp_param_count(nets->actor), common->actor_lr);
    if ((st = athlete_adam_create(cg, spec->critic_count, &nets->critic_adam, err)) ||
        (st = athlete_adam_create(&ag, 1, &nets->actor_adam, err)))
        return st;
    if ((st = athlete_replay_update_add(parts, nets->replay, err)) ||
        (st = actor_critic_updates_add(parts, common, spec, nets->replay, err)))
        return st;
    if (spec->extra_update) {
        athlete_gradient_update_options extra = *spec->extra_update;
        extra.replay = nets->replay; /* skipped while the buffer is empty, as the others */
        if ((st = athlete_gradient_update_add(parts, &extra, err)))
            return st;
    }
    for (size_t i = 0; i < spec->critic_count; i++)
        if ((st = athlete_target_sync_add(parts, critic_names[spec->critic_count][i],
                                          athlete_critic_target(nets->critics[i]),
                                          athlete_critic_network(nets->critics[i]), common->target_critic_tau,
                                          (uint64_t)common->target_critic_frequency, err)))
            return st;
    if (spec->target_actor)
        return athlete_target_sync_add(parts, "target_actor", nets->target_actor, nets->actor, common->target_actor_tau,
                                       (uint64_t)common->target_actor_frequency, err);
    return ATHLETE_OK;
}

athlete_status actor_critic_build_parts(const athlete_build_args *args, const actor_critic_spec *spec,
                                        actor_critic_state *ac, athlete_parts *parts, athlete_error *err)
{
    athlete_action_scaling **scaling = &ac->scaling;
    athlete_noise **noise = &ac->noise;
    actor_critic_nets *nets = &ac->nets;
    athlete_status st;
    if ((st = actor_critic_check_parameters(spec, args->config, err)) ||
        (st = athlete_action_scaling_create(args->action_space, spec->owner, scaling, err)))
        return st;
    if (spec->noise) {
        athlete_noise_options options =
            actor_critic_noise_options(spec->noise, spec->action_size, spec->seed, spec->noise_stream);
        if ((st = athlete_noise_create(&options, noise, err)))
            return st;
    }
    if ((st = athlete_transition_collector_create(spec->observation_size, spec->action_size, "unscaled_action",
                                                  &parts->collector, err)))
        return st;
    athlete_rng init;
    athlete_rng_seed(&init, spec->seed, spec->init_stream);
    st = args->inference_only ? actor_critic_build_actor(nets, spec, &init, err)
                              : actor_critic_build_training(nets, spec, &init, parts, err);
    if (st != ATHLETE_OK)
        return st;
    athlete_actor_policy_options policy = {
        .struct_size = sizeof policy,
        .kind = spec->actor_kind,
        .actor = nets->actor,
        .scaling = *scaling,
        .training = true,
        .noise = spec->noise ? *noise : NULL,
        .log_std_min = spec->log_std_min,
        .log_std_max = spec->log_std_max,
        .seed = spec->seed,
        .stream = spec->policy_stream,
        .num_envs = athlete_build_num_envs(args), /* one forward pass acts for every environment */
    };
    st = athlete_actor_policies_create(&policy, parts, err);
    if (st == ATHLETE_OK && spec->gsde)
        st = athlete_actor_policy_set_gsde(&parts->training_policy, spec->gsde, err);
    return st;
}

void actor_critic_state_init(actor_critic_state *ac, const athlete_build_args *args,
                             const actor_critic_settings *common, double discount)
{
    ac->observation_size = athlete_space_flat_size(args->observation_space);
    ac->action_size = athlete_space_flat_size(args->action_space);
    ac->batch = (size_t)common->batch;
    ac->discount = discount;
    ac->criterion = (athlete_critic_criterion)(common->criterion + 1);
    ac->critic_max_norm = common->critic_max_norm;
    ac->actor_max_norm = common->actor_max_norm;
}

void actor_critic_state_release(actor_critic_state *ac)
{
    actor_critic_nets_destroy(&ac->nets);
    athlete_noise_destroy(ac->noise);
    athlete_action_scaling_destroy(ac->scaling);
    ac->noise = NULL;
    ac->scaling = NULL;
}

athlete_status actor_critic_state_save(void *state, athlete_writer *w, athlete_error *err)
{
    const actor_critic_state *ac = state;
    return actor_critic_save(&ac->nets, w, err);
}

athlete_status actor_critic_state_load(void *state, athlete_reader *r, athlete_error *err)
{
    const actor_critic_state *ac = state;
    return actor_critic_load(&ac->nets, r, err);
}

/* Policy-only files: the actor is all the evaluation policy needs. */
athlete_status actor_critic_state_save_policy(void *state, athlete_writer *w, athlete_error *err)
{
    const actor_critic_state *ac = state;
    return athlete_mlp_save(ac->nets.actor, w, "actor", err);
}

athlete_status actor_critic_state_load_policy(void *state, athlete_reader *r, athlete_error *err)
{
    const actor_critic_state *ac = state;
    return athlete_mlp_load(ac->nets.actor, r, "actor", err);
}

athlete_status actor_critic_state_describe_deterministic(void *state, struct athlete_policy_program *program,
                                                         athlete_error *err)
{
    const actor_critic_state *ac = state;
    return athlete_actor_policy_program(ATHLETE_ACTOR_DETERMINISTIC, ac->nets.actor, ac->scaling, program, err);
}

athlete_status actor_critic_state_describe_squashed(void *state, struct athlete_policy_program *program,
                                                    athlete_error *err)
{
    const actor_critic_state *ac = state;
    return athlete_actor_policy_program(ATHLETE_ACTOR_SQUASHED_GAUSSIAN, ac->nets.actor, ac->scaling, program, err);
}

double actor_critic_exploration_noise(void *state)
{
    const actor_critic_state *ac = state;
    return athlete_noise_std(ac->noise);
}

void actor_critic_set_exploration_noise(void *state, double noise_std)
{
    actor_critic_state *ac = state;
    athlete_noise_set_std(ac->noise, noise_std);
}

void actor_critic_nets_destroy(actor_critic_nets *nets)
{
    athlete_adam_destroy(nets->critic_adam);
    athlete_adam_destroy(nets->actor_adam);
    for (size_t i = 0; i < 2; i++)
        athlete_critic_destroy(nets->critics[i]);
    athlete_mlp_workspace_destroy(nets->actor_ws);
    athlete_mlp_workspace_destroy(nets->target_actor_ws);
    athlete_mlp_destroy(nets->target_actor);
    athlete_mlp_destroy(nets->actor);
    athlete_replay_destroy(nets->replay);
    memset(nets, 0, sizeof *nets);
}

athlete_status actor_critic_updates_add(athlete_parts *parts, const actor_critic_settings *settings,
                                        const actor_critic_spec *spec, const athlete_replay *replay,
                                        athlete_error *err)
{
    athlete_gradient_update_options critic = {
        .struct_size = sizeof critic,
        .name = "critic",
        .log_key = "critic_loss",
        .step = spec->critic_step,
        .context = spec->context,
        .frequency = settings->critic_frequency,
        .number_of_updates = (uint64_t)settings->critic_updates,
        .multiply_by_environment_steps = settings->multiply,
        .replay = replay,
        .seed = spec->seed,
        .stream = spec->critic_stream,
    };
    athlete_gradient_update_options actor = critic;
    actor.name = "actor";
    actor.log_key = "actor_loss";
    actor.step = spec->actor_step;
    actor.frequency = settings->actor_frequency;
    actor.number_of_updates = (uint64_t)settings->actor_updates;
    actor.stream = spec->actor_stream;
    athlete_status st = athlete_gradient_update_add(parts, &critic, err);
    return st ? st : athlete_gradient_update_add(parts, &actor, err);
}

static const char *const critic_record[3][2] = {{NULL, NULL}, {"critic", NULL}, {"critic_1", "critic_2"}};

static athlete_status no_training_state(const actor_critic_nets *nets, athlete_error *err)
{
    return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "%s: an inference-only agent has no training state",
                             nets->owner);
}

athlete_status actor_critic_save(const actor_critic_nets *nets, athlete_writer *w, athlete_error *err)
{
    if (nets->critic_count < 1 || nets->critic_count > 2 || !nets->critics[0])
        return no_training_state(nets, err);
    athlete_status st;
    for (size_t i = 0; i < nets->critic_count; i++)
        if ((st = athlete_mlp_save(athlete_critic_network(nets->critics[i]), w, critic_record[nets->critic_count][i],
                                   err)))
            return st;
    if ((st = athlete_mlp_save(nets->actor, w, "actor", err)) ||
        (st = athlete_adam_save(nets->critic_adam, w, "critic_optimizer", err)))
        return st;
    return athlete_adam_save(nets->actor_adam, w, "actor_optimizer", err);
}

athlete_status actor_critic_load(const actor_critic_nets *nets, athlete_reader *r, athlete_error *err)
{
    if (nets->critic_count < 1 || nets->critic_count > 2 || !nets->critics[0])
        return no_training_state(nets, err);
    athlete_status st;
    for (size_t i = 0; i < nets->critic_count; i++)
        if ((st = athlete_mlp_load(athlete_critic_network(nets->critics[i]), r, critic_record[nets->critic_count][i],
                                   err)))
            return st;
    if ((st = athlete_mlp_load(nets->actor, r, "actor", err)) ||
        (st = athlete_adam_load(nets->critic_adam, r, "critic_optimizer", err)))
        return st;
    return athlete_adam_load(nets->actor_adam, r, "actor_optimizer", err);
}
