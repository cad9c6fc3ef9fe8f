/* The ABI's struct layouts (GStreamer's gstabi.c idea): every size and offset a plugin or
 * host compiled against ABI 1.0 relies on (and the fields 1.1 appended), on LP64 (x86-64, aarch64). Changing a struct
 * without bumping ATHLETE_ABI_MAJOR (or, for appended fields, ATHLETE_ABI_MINOR and this
 * table) fails here. */
#include <athlete/adam.h>
#include <athlete/athlete.h>
#include <athlete/component.h>
#include <athlete/plugin.h>
#include <athlete/replay.h>
#include <athlete/rng.h>
#include <athlete/rollout.h>

#include <stddef.h>

#include "test-util.h"

typedef struct layout {
    const char *what;
    size_t actual, expected;
} layout;

static const layout layouts[] = {
    {"athlete_plugin", sizeof(athlete_plugin), 56},
    {"athlete_plugin.abi_major", offsetof(athlete_plugin, abi_major), 8},
    {"athlete_plugin.abi_minor", offsetof(athlete_plugin, abi_minor), 12},
    {"athlete_plugin.abi_fingerprint", offsetof(athlete_plugin, abi_fingerprint), 16},
    {"athlete_plugin.name", offsetof(athlete_plugin, name), 24},
    {"athlete_plugin.version", offsetof(athlete_plugin, version), 32},
    {"athlete_plugin.summary", offsetof(athlete_plugin, summary), 40},
    {"athlete_plugin.algorithms", offsetof(athlete_plugin, algorithms), 48},
    {"athlete_algorithm", sizeof(athlete_algorithm), 72},
    {"athlete_algorithm.id", offsetof(athlete_algorithm, id), 8},
    {"athlete_algorithm.summary", offsetof(athlete_algorithm, summary), 16},
    {"athlete_algorithm.default_config", offsetof(athlete_algorithm, default_config), 24},
    {"athlete_algorithm.config_types", offsetof(athlete_algorithm, config_types), 32},
    {"athlete_algorithm.check_config", offsetof(athlete_algorithm, check_config), 40},
    {"athlete_algorithm.build", offsetof(athlete_algorithm, build), 48},
    {"athlete_algorithm.methods", offsetof(athlete_algorithm, methods), 56},
    {"athlete_algorithm.config_table (appended)", offsetof(athlete_algorithm, config_table), 64},
    {"athlete_method", sizeof(athlete_method), 32},
    {"athlete_method.signature", offsetof(athlete_method, signature), 8},
    {"athlete_method.fn", offsetof(athlete_method, fn), 16},
    {"athlete_method.summary", offsetof(athlete_method, summary), 24},
    {"athlete_build_args", sizeof(athlete_build_args), 80}, /* 1.0: 64 */
    {"athlete_build_args.algorithm_id", offsetof(athlete_build_args, algorithm_id), 8},
    {"athlete_build_args.observation_space", offsetof(athlete_build_args, observation_space), 16},
    {"athlete_build_args.action_space", offsetof(athlete_build_args, action_space), 24},
    {"athlete_build_args.config", offsetof(athlete_build_args, config), 32},
    {"athlete_build_args.seed", offsetof(athlete_build_args, seed), 40},
    {"athlete_build_args.clock", offsetof(athlete_build_args, clock), 48},
    {"athlete_build_args.inference_only", offsetof(athlete_build_args, inference_only), 56},
    {"athlete_build_args.num_envs (1.1)", offsetof(athlete_build_args, num_envs), 64},
    {"athlete_build_args.loading (1.1)", offsetof(athlete_build_args, loading), 72},
    {"athlete_parts", sizeof(athlete_parts), 208},
    {"athlete_parts.collector", offsetof(athlete_parts, collector), 8},
    {"athlete_parts.updatables", offsetof(athlete_parts, updatables), 24},
    {"athlete_parts.updatable_count", offsetof(athlete_parts, updatable_count), 152},
    {"athlete_parts.training_policy", offsetof(athlete_parts, training_policy), 160},
    {"athlete_parts.evaluation_policy", offsetof(athlete_parts, evaluation_policy), 176},
    {"athlete_parts.state", offsetof(athlete_parts, state), 192},
    {"athlete_parts.state_ops", offsetof(athlete_parts, state_ops), 200},
    {"athlete_collector_ops", sizeof(athlete_collector_ops), 64}, /* 1.0: 48 */
    {"athlete_collector_ops.reset", offsetof(athlete_collector_ops, reset), 8},
    {"athlete_collector_ops.collect", offsetof(athlete_collector_ops, collect), 16},
    {"athlete_collector_ops.save", offsetof(athlete_collector_ops, save), 24},
    {"athlete_collector_ops.load", offsetof(athlete_collector_ops, load), 32},
    {"athlete_collector_ops.destroy", offsetof(athlete_collector_ops, destroy), 40},
    {"athlete_collector_ops.reset_env (1.1)", offsetof(athlete_collector_ops, reset_env), 48},
    {"athlete_collector_ops.collect_env (1.1)", offsetof(athlete_collector_ops, collect_env), 56},
    {"athlete_updatable_ops", sizeof(athlete_updatable_ops), 56},
    {"athlete_updatable_ops.name", offsetof(athlete_updatable_ops, name), 8},
    {"athlete_updatable_ops.ready", offsetof(athlete_updatable_ops, ready), 16},
    {"athlete_updatable_ops.update", offsetof(athlete_updatable_ops, update), 24},
    {"athlete_updatable_ops.save", offsetof(athlete_updatable_ops, save), 32},
    {"athlete_updatable_ops.load", offsetof(athlete_updatable_ops, load), 40},
    {"athlete_updatable_ops.destroy", offsetof(athlete_updatable_ops, destroy), 48},
    {"athlete_policy_ops", sizeof(athlete_policy_ops), 56}, /* 1.0: 48 */
    {"athlete_policy_ops.act", offsetof(athlete_policy_ops, act), 8},
    {"athlete_policy_ops.reset_act", offsetof(athlete_policy_ops, reset_act), 16},
    {"athlete_policy_ops.save", offsetof(athlete_policy_ops, save), 24},
    {"athlete_policy_ops.load", offsetof(athlete_policy_ops, load), 32},
    {"athlete_policy_ops.destroy", offsetof(athlete_policy_ops, destroy), 40},
    {"athlete_policy_ops.act_batch (1.1)", offsetof(athlete_policy_ops, act_batch), 48},
    {"athlete_state_ops", sizeof(athlete_state_ops), 56}, /* 48 in 1.0; describe_policy appended */
    {"athlete_state_ops.save", offsetof(athlete_state_ops, save), 8},
    {"athlete_state_ops.load", offsetof(athlete_state_ops, load), 16},
    {"athlete_state_ops.destroy", offsetof(athlete_state_ops, destroy), 24},
    {"athlete_state_ops.save_policy", offsetof(athlete_state_ops, save_policy), 32},
    {"athlete_state_ops.load_policy", offsetof(athlete_state_ops, load_policy), 40},
    {"athlete_state_ops.describe_policy", offsetof(athlete_state_ops, describe_policy), 48},
    {"athlete_clock", sizeof(athlete_clock), 32},
    {"athlete_clock.episodes", offsetof(athlete_clock, episodes), 8},
    {"athlete_clock.data_points", offsetof(athlete_clock, data_points), 16},
    {"athlete_clock.warmup_steps", offsetof(athlete_clock, warmup_steps), 24},
    {"athlete_step_data", sizeof(athlete_step_data), 40},
    {"athlete_step_data.policy_info", offsetof(athlete_step_data, policy_info), 8},
    {"athlete_step_data.observation", offsetof(athlete_step_data, observation), 16},
    {"athlete_step_data.reward", offsetof(athlete_step_data, reward), 24},
    {"athlete_step_data.terminated", offsetof(athlete_step_data, terminated), 32},
    {"athlete_step_data.truncated", offsetof(athlete_step_data, truncated), 33},
    {"athlete_info_item", sizeof(athlete_info_item), 48},
    {"athlete_info_item.type", offsetof(athlete_info_item, type), 8},
    {"athlete_info_item.boolean", offsetof(athlete_info_item, boolean), 12},
    {"athlete_info_item.integer", offsetof(athlete_info_item, integer), 16},
    {"athlete_info_item.real", offsetof(athlete_info_item, real), 24},
    {"athlete_info_item.reals", offsetof(athlete_info_item, reals), 32},
    {"athlete_info_item.count", offsetof(athlete_info_item, count), 40},
    {"athlete_info", sizeof(athlete_info), 776},
    {"athlete_info.items", offsetof(athlete_info, items), 8},
    {"athlete_space", sizeof(athlete_space), 80},
    {"athlete_space.n", offsetof(athlete_space, n), 8},
    {"athlete_space.start", offsetof(athlete_space, start), 16},
    {"athlete_space.ndim", offsetof(athlete_space, ndim), 24},
    {"athlete_space.shape", offsetof(athlete_space, shape), 32},
    {"athlete_space.low", offsetof(athlete_space, low), 64},
    {"athlete_space.high", offsetof(athlete_space, high), 72},
    {"athlete_error", sizeof(athlete_error), 260},
    {"athlete_error.message", offsetof(athlete_error, message), 4},
    {"athlete_rng", sizeof(athlete_rng), 48},
    {"athlete_rng.spare_normal", offsetof(athlete_rng, spare_normal), 32},
    {"athlete_rng.has_spare", offsetof(athlete_rng, has_spare), 40},
    {"athlete_registry_options", sizeof(athlete_registry_options), 24},
    {"athlete_registry_options.plugin_path", offsetof(athlete_registry_options, plugin_path), 8},
    {"athlete_registry_options.skip_installed_dir", offsetof(athlete_registry_options, skip_installed_dir), 16},
    {"athlete_registry_options.skip_scan", offsetof(athlete_registry_options, skip_scan), 17},
    {"athlete_plugin_diagnostic", sizeof(athlete_plugin_diagnostic), 24},
    {"athlete_plugin_diagnostic.status", offsetof(athlete_plugin_diagnostic, status), 8},
    {"athlete_plugin_diagnostic.message", offsetof(athlete_plugin_diagnostic, message), 16},
    {"athlete_adam_group", sizeof(athlete_adam_group), 56},
    {"athlete_adam_group.grads", offsetof(athlete_adam_group, grads), 8},
    {"athlete_adam_group.count", offsetof(athlete_adam_group, count), 16},
    {"athlete_adam_group.lr", offsetof(athlete_adam_group, lr), 24},
    {"athlete_adam_group.beta1", offsetof(athlete_adam_group, beta1), 32},
    {"athlete_adam_group.beta2", offsetof(athlete_adam_group, beta2), 40},
    {"athlete_adam_group.eps", offsetof(athlete_adam_group, eps), 48},
    {"athlete_replay_batch", sizeof(athlete_replay_batch), 56},
    {"athlete_replay_batch.observations", offsetof(athlete_replay_batch, observations), 8},
    {"athlete_replay_batch.actions", offsetof(athlete_replay_batch, actions), 16},
    {"athlete_replay_batch.rewards", offsetof(athlete_replay_batch, rewards), 24},
    {"athlete_replay_batch.next_observations", offsetof(athlete_replay_batch, next_observations), 32},
    {"athlete_replay_batch.terminateds", offsetof(athlete_replay_batch, terminateds), 40},
    {"athlete_replay_batch.indices", offsetof(athlete_replay_batch, indices), 48},
    {"athlete_rollout", sizeof(athlete_rollout), 72}, /* 1.0: 64 */
    {"athlete_rollout.num_envs (1.1)", offsetof(athlete_rollout, num_envs), 64},
};

START_TEST(struct_layouts)
{
    ck_assert_msg(sizeof(void *) == 8, "the table is for LP64");
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        ck_assert_msg(layouts[i].actual == layouts[i].expected, "%s is %zu, ABI %d.%d says %zu", layouts[i].what,
                      layouts[i].actual, ATHLETE_ABI_MAJOR, ATHLETE_ABI_MINOR, layouts[i].expected);
}
END_TEST

START_TEST(version_numbers)
{
    ck_assert_int_eq(ATHLETE_ABI_MAJOR, 1);
    ck_assert_int_eq(ATHLETE_ABI_MINOR, 1);
    ck_assert_uint_eq(ATHLETE_ABI_FINGERPRINT, 0x48); /* float reals, 8-byte pointers */
    ck_assert_int_eq(ATHLETE_INFO_CAPACITY, 16);
    ck_assert_int_eq(ATHLETE_MAX_UPDATABLES, 8);
    ck_assert_int_eq(ATHLETE_ERROR_MESSAGE_SIZE, 256);
    ck_assert_int_eq(ATHLETE_SPACE_MAX_DIMS, 4);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("abi");
    TCase *tc = tcase_create("abi");
    tcase_add_test(tc, struct_layouts);
    tcase_add_test(tc, version_numbers);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
