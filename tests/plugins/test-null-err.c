/* Every public function that can fail accepts a NULL error record: each is driven down an
 * error path with err = NULL and must return the right status without crashing.
 * tests/tools/check-null-err.sh checks that every fallible function of the public headers
 * is named here. */
#include <athlete/actors.h>
#include <athlete/adam.h>
#include <athlete/alloc.h>
#include <athlete/athlete.h>
#include <athlete/checkpoint.h>
#include <athlete/collectors.h>
#include <athlete/config.h>
#include <athlete/config-table.h>
#include <athlete/env.h>
#include <athlete/policy-export.h>
#include <athlete/policy-program.h>
#include <athlete/vector-env.h>
#include <athlete/mlp.h>
#include <athlete/nn-records.h>
#include <athlete/noise.h>
#include <athlete/normalizer.h>
#include <athlete/policies.h>
#include <athlete/replay.h>
#include <athlete/rng.h>
#include <athlete/rollout.h>
#include <athlete/scaling.h>
#include <athlete/schedule.h>
#include <athlete/target.h>
#include <athlete/updates.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "test-util.h"

/* Reports every mismatch of a test, then fails it. */
static int mismatches;
#define FAILS(call, status)                                                                                  \
  do {                                                                                                       \
    athlete_status got_ = (call);                                                                            \
    if (got_ != (status)) {                                                                                  \
      fprintf(stderr, "line %d: %s returned %s, expected %s\n", __LINE__, #call, athlete_status_name(got_),  \
              athlete_status_name(status));                                                                  \
      mismatches++;                                                                                          \
    }                                                                                                        \
  } while (0)

/* A reader over records written by `fill`. */
static athlete_reader *reader_of(void (*fill)(athlete_writer *), athlete_writer **keep)
{
    athlete_writer *w = NULL;
    athlete_error err;
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    fill(w);
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    athlete_reader *r = NULL;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    *keep = w;
    return r;
}

static void one_float(athlete_writer *w)
{
    float x = 1;
    athlete_writer_put(w, "x", ATHLETE_RECORD_F32, &x, 1, NULL);
}

/* A replay buffer record set whose next index lies beyond its size. */
static void inconsistent_replay(athlete_writer *w)
{
    uint64_t size = 0, next = 5;
    athlete_writer_put(w, "size", ATHLETE_RECORD_U64, &size, 1, NULL);
    athlete_writer_put(w, "next_index", ATHLETE_RECORD_U64, &next, 1, NULL);
    athlete_writer_put(w, "observations", ATHLETE_RECORD_F32, NULL, 0, NULL);
    athlete_writer_put(w, "actions", ATHLETE_RECORD_F32, NULL, 0, NULL);
    athlete_writer_put(w, "rewards", ATHLETE_RECORD_F32, NULL, 0, NULL);
    athlete_writer_put(w, "next_observations", ATHLETE_RECORD_F32, NULL, 0, NULL);
    athlete_writer_put(w, "terminateds", ATHLETE_RECORD_F32, NULL, 0, NULL);
}

/* An allocator that fails while `failing` is set (the way to reach out-of-memory paths). */
static bool failing;
static void *test_malloc(size_t n) { return failing ? NULL : malloc(n); }
static void *test_calloc(size_t c, size_t n) { return failing ? NULL : calloc(c, n); }
static void *test_realloc(void *p, size_t n) { return failing ? NULL : realloc(p, n); }

static athlete_status call_setv(athlete_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    athlete_status st = athlete_error_setv(NULL, status, fmt, ap);
    va_end(ap);
    return st;
}

START_TEST(sdk)
{
    mismatches = 0;
    FAILS(athlete_error_set(NULL, ATHLETE_E_IO, "x"), ATHLETE_E_IO);
    FAILS(call_setv(ATHLETE_E_IO, "x"), ATHLETE_E_IO);
    athlete_error_prefix(NULL, "x");
    athlete_error_clear(NULL);
    FAILS(athlete_set_allocator(malloc, NULL, realloc, free, NULL), ATHLETE_E_INVALID_ARGUMENT);

    /* records */
    athlete_writer *w = NULL;
    athlete_error err;
    ck_assert_ok(athlete_set_allocator(test_malloc, test_calloc, test_realloc, free, &err), &err);
    failing = true;
    FAILS(athlete_writer_create(&w, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;
    athlete_reader *r = reader_of(one_float, &w);
    FAILS(athlete_writer_put(w, "Not A Name", ATHLETE_RECORD_F32, NULL, 0, NULL), ATHLETE_E_INVALID_ARGUMENT);
    float f2[2];
    size_t count;
    FAILS(athlete_reader_get(r, "x", ATHLETE_RECORD_F32, f2, 2, NULL), ATHLETE_E_CHECKPOINT_MISMATCH);
    FAILS(athlete_reader_count(r, "y", ATHLETE_RECORD_F32, &count, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_reader *bad = NULL;
    FAILS(athlete_reader_create("xx", 2, "test", &bad, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_reader_get_observations(r, "y", f2, 1, NULL),
          ATHLETE_E_INVALID_ARGUMENT); /* no agent set */
    FAILS(athlete_reader_get_actions(r, "y", f2, 1, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_reader_get_finite(r, "y", f2, 1, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_reader_get_flags(r, "y", f2, 1, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_rng zero_rng;
    FAILS(athlete_reader_get_rng(r, "y", &zero_rng, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_normalizer *norm = NULL;
    FAILS(athlete_normalizer_create(0, 10.0, &norm, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(athlete_normalizer_create(2, 10.0, &norm, &err), &err);
    FAILS(athlete_normalizer_save(norm, "Not A Name", w, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_normalizer_load(norm, "missing", r, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_normalizer_destroy(norm);

    /* configuration */
    athlete_config *config = NULL;
    FAILS(athlete_config_create("t", "[1]", NULL, NULL, &config, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(athlete_config_create("t",
                                       "{\"i\": 1, \"r\": 0.5, \"b\": true, \"s\": \"a\", \"a\": [1, 2]}",
                                       NULL, NULL, &config, &(athlete_error){0}),
                 &(athlete_error){0});
    FAILS(athlete_config_apply(config, "{\"j\": 1}", NULL), ATHLETE_E_CONFIG_UNKNOWN_KEY);
    int64_t i64;
    double real;
    bool flag;
    const char *text;
    int64_t ints[1];
    size_t sizes[1];
    FAILS(athlete_config_get_int(config, "s", &i64, NULL), ATHLETE_E_CONFIG_TYPE);
    FAILS(athlete_config_get_real(config, "s", &real, NULL), ATHLETE_E_CONFIG_TYPE);
    FAILS(athlete_config_get_bool(config, "i", &flag, NULL), ATHLETE_E_CONFIG_TYPE);
    FAILS(athlete_config_get_string(config, "i", &text, NULL), ATHLETE_E_CONFIG_TYPE);
    FAILS(athlete_config_get_int_array(config, "a", ints, 1, &count, NULL), ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_value_error(config, "i", "> 1", 1, NULL), ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_get_int_min(config, "i", 2, &i64, NULL), ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_get_real_in(config, "r", 1, 2, false, "in [1, 2]", &real, NULL),
          ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_get_optional_real_in(config, "r", 1, 2, false, "in [1, 2]", &real, NULL),
          ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_get_sizes(config, "a", 1, 10, sizes, 1, &count, NULL), ATHLETE_E_CONFIG_VALUE);
    char *config_json = NULL;
    failing = true;
    FAILS(athlete_config_to_json(config, false, &config_json, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;
    athlete_noise_options noise_options = {.struct_size = sizeof noise_options};
    FAILS(athlete_noise_options_read(config, "s", "a", &noise_options, NULL), ATHLETE_E_CONFIG_UNKNOWN_KEY);
    athlete_config_destroy(config);

    /* configuration tables */
    typedef struct table_settings {
        int64_t n;
    } table_settings;
    static const athlete_config_key keys[] = {
        {.name = "n",
         .type = ATHLETE_CONFIG_INT,
         ATHLETE_CONFIG_FIELD(table_settings, n),
         .default_value = 1,
         .min = 1,
         .max = 10,
         .description = "a count"},
    };
    static const athlete_config_key bad_keys[] = {
        {.name = "n",
         .type = ATHLETE_CONFIG_INT,
         ATHLETE_CONFIG_FIELD(table_settings, n),
         .default_value = 20,
         .min = 1,
         .max = 10,
         .description = "a count whose default is out of range"},
    };
    ATHLETE_CONFIG_TABLE_DEFINE(table, table_settings, keys);
    ATHLETE_CONFIG_TABLE_DEFINE(bad_table, table_settings, bad_keys);
    table_settings settings;
    FAILS(athlete_config_table_validate(&bad_table, "t", NULL), ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_table_create(&table, "t", "[1]", &config, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(athlete_config_table_create(&table, "t", "{\"n\": 11}", &config, &err), &err);
    FAILS(athlete_config_table_read(&table, config, &settings, NULL), ATHLETE_E_CONFIG_VALUE);
    FAILS(athlete_config_check_parameters(config, 100, 10, NULL), ATHLETE_E_CONFIG_VALUE);
    athlete_config_destroy(config);
    failing = true;
    FAILS(athlete_config_table_defaults(&table, &config_json, NULL), ATHLETE_E_NO_MEMORY);
    FAILS(athlete_config_table_describe(&table, &config_json, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;

    /* spaces */
    athlete_space bad_space = athlete_space_discrete(0);
    athlete_space two = athlete_space_discrete(2);
    athlete_space *copy = NULL;
    char *json = NULL;
    float outside = 7;
    FAILS(athlete_space_validate(&bad_space, "space", NULL), ATHLETE_E_SPACE_MISMATCH);
    FAILS(athlete_space_check_value(&two, &outside, "value", NULL), ATHLETE_E_SPACE_MISMATCH);
    failing = true;
    FAILS(athlete_space_clone(&two, &copy, NULL), ATHLETE_E_NO_MEMORY);
    FAILS(athlete_space_to_json(&two, &json, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;
    FAILS(athlete_space_from_json("{}", &copy, NULL), ATHLETE_E_INVALID_ARGUMENT);

    /* networks and optimisers */
    athlete_activation activation;
    athlete_mlp *mlp = NULL, *other = NULL, *clone = NULL;
    FAILS(athlete_activation_parse("swish", &activation, NULL), ATHLETE_E_INVALID_ARGUMENT);
    size_t widths[] = {2, 3, 1}, other_widths[] = {2, 1};
    FAILS(athlete_mlp_create(widths, 1, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &mlp, NULL),
          ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(
        athlete_mlp_create(widths, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &mlp, &err),
        &err);
    ck_assert_ok(athlete_mlp_create(other_widths, 2, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY,
                                    &other, &err),
                 &err);
    FAILS(athlete_mlp_clone(NULL, &clone, NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_policy_program program;
    athlete_policy_program_init(&program);
    ck_assert_ok(athlete_policy_program_add_mlp(&program, other, &err), &err); /* 2 -> 1 */
    FAILS(athlete_policy_program_add_mlp(&program, other, NULL),
          ATHLETE_E_INVALID_ARGUMENT); /* 1 != 2 inputs */
    FAILS(athlete_actor_policy_program(ATHLETE_ACTOR_DETERMINISTIC, NULL, NULL, &program, NULL),
          ATHLETE_E_INVALID_ARGUMENT);
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 0);
    failing = true;
    FAILS(athlete_mlp_init_orthogonal(mlp, &rng, 1, 1, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;
    FAILS(athlete_mlp_copy_params(mlp, other, NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_mlp_workspace *ws = NULL;
    FAILS(athlete_mlp_workspace_create(mlp, 0, &ws, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(athlete_mlp_workspace_create(mlp, 1, &ws, &err), &err);
    float d_out[1] = {1}, d_in[2];
    FAILS(athlete_mlp_backward(mlp, ws, d_out, d_in, NULL), ATHLETE_E_CALL_ORDER);
    FAILS(athlete_mlp_backward_input(mlp, ws, d_out, d_in, NULL), ATHLETE_E_CALL_ORDER);
    FAILS(athlete_target_update_mlp(mlp, other, 0.5, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_mlp_load(mlp, r, "x", NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_mlp_save(mlp, w, "Not A Name", NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_adam *adam = NULL;
    athlete_adam_group group = athlete_adam_group_default(d_in, d_in, 2, -1);
    FAILS(athlete_adam_create(&group, 1, &adam, NULL), ATHLETE_E_INVALID_ARGUMENT);
    group.lr = 1e-3;
    ck_assert_ok(athlete_adam_create(&group, 1, &adam, &err), &err);
    FAILS(athlete_adam_load(adam, r, "x", NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_adam_save(adam, w, "Not A Name", NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_adam_destroy(adam);
    athlete_mlp *actor = NULL;
    FAILS(athlete_actor_network_create(ATHLETE_ACTOR_DETERMINISTIC, 0, 1, NULL, 0, true, &rng, &actor, NULL),
          ATHLETE_E_INVALID_ARGUMENT);

    /* noise, scaling, policies, collectors */
    athlete_noise_kind kind;
    athlete_noise *noise = NULL;
    FAILS(athlete_noise_kind_parse("pink", &kind, NULL), ATHLETE_E_CONFIG_VALUE);
    noise_options = (athlete_noise_options){.struct_size = sizeof noise_options,
                                            .kind = ATHLETE_NOISE_GAUSSIAN};
    FAILS(athlete_noise_create(&noise_options, &noise, NULL), ATHLETE_E_INVALID_ARGUMENT);
    noise_options.size = 1;
    noise_options.kind = ATHLETE_NOISE_GAUSSIAN;
    ck_assert_ok(athlete_noise_create(&noise_options, &noise, &err), &err);
    FAILS(athlete_noise_load(noise, r, "x", NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_noise_save(noise, w, "Not A Name", NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_noise_destroy(noise);
    athlete_gsde *gsde = NULL;
    athlete_policy parts_policy_none = {0};
    athlete_gsde_options gsde_options = {
        .struct_size = sizeof gsde_options, .latent_size = 2, .action_size = 1};
    FAILS(athlete_gsde_create(&gsde_options, &gsde, NULL), ATHLETE_E_INVALID_ARGUMENT);
    gsde_options.sample_freq = -1;
    ck_assert_ok(athlete_gsde_create(&gsde_options, &gsde, &err), &err);
    FAILS(athlete_gsde_load(gsde, r, "x", NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_gsde_save(gsde, w, "Not A Name", NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_actor_policy_set_gsde(&parts_policy_none, gsde, NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_gsde_destroy(gsde);
    athlete_action_scaling *scaling = NULL;
    FAILS(athlete_action_scaling_check(&two, &two, "t", NULL), ATHLETE_E_SPACE_MISMATCH);
    FAILS(athlete_action_scaling_create(&two, "t", &scaling, NULL), ATHLETE_E_SPACE_MISMATCH);
    athlete_policy policy;
    athlete_parts parts;
    memset(&parts, 0, sizeof parts);
    parts.struct_size = sizeof parts;
    athlete_actor_policy_options actor_options = {.struct_size = sizeof actor_options};
    FAILS(athlete_actor_policy_create(&actor_options, &policy, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_actor_policies_create(&actor_options, &parts, NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_discrete_policy_options discrete = {.struct_size = sizeof discrete};
    FAILS(athlete_epsilon_greedy_policy_create(&discrete, &policy, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_greedy_policy_create(&discrete, &policy, NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_collector collector;
    failing = true;
    FAILS(athlete_transition_collector_create(1, 1, NULL, &collector, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;
    FAILS(athlete_rollout_collector_create_vector(1, 1, 4, 0, "log_prob", &collector, NULL),
          ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_rollout_collector_create(1, 1, 0, "log_prob", &collector, NULL),
          ATHLETE_E_INVALID_ARGUMENT);

    /* replay buffer, schedules, updates */
    athlete_replay *rb = NULL;
    FAILS(athlete_replay_create(0, 1, 1, 1, &rb, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(athlete_replay_create(4, 1, 1, 2, &rb, &err), &err);
    athlete_replay_batch batch;
    FAILS(athlete_replay_sample(rb, &rng, 1, &batch, NULL), ATHLETE_E_CALL_ORDER);
    FAILS(athlete_replay_set_state(rb, 1, 3, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_replay_save(rb, w, NULL), ATHLETE_OK); /* cannot fail on a sound writer */
    athlete_writer *w2 = NULL;
    athlete_reader *r2 = reader_of(inconsistent_replay, &w2);
    FAILS(athlete_replay_load(rb, r2, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_reader_destroy(r2);
    athlete_writer_destroy(w2);
    athlete_update_schedule us = athlete_update_schedule_make(1, 1, false);
    athlete_target_schedule ts = {0};
    FAILS(athlete_update_schedule_load(&us, r, "x", NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_update_schedule_save(&us, w, "Not A Name", NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_target_schedule_load(&ts, r, "x", NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    FAILS(athlete_target_schedule_save(&ts, w, "Not A Name", NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_replay_update_add(&parts, NULL, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_target_sync_add(&parts, "t", mlp, other, 0.5, 1, NULL), ATHLETE_E_INVALID_ARGUMENT);
    athlete_gradient_update_options gradient = {.struct_size = sizeof gradient};
    FAILS(athlete_gradient_update_add(&parts, &gradient, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(parts.updatable_count, 0);
    athlete_replay_destroy(rb);
    athlete_mlp_workspace_destroy(ws);
    athlete_mlp_destroy(mlp);
    athlete_mlp_destroy(other);
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

static athlete_status no_build(const athlete_build_args *args, athlete_parts *out, athlete_error *err)
{
    (void)args, (void)out;
    return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "no");
}

/* Rewrites "n":2 of the file's observation space as "n":0 and fixes the header's CRC32. */
static void corrupt_space(const char *path)
{
    FILE *file = fopen(path, "r+b");
    ck_assert_ptr_nonnull(file);
    unsigned char data[4097];
    size_t size = fread(data, 1, sizeof data - 1, file);
    ck_assert_uint_gt(size, 24);
    uint64_t header_len = 0;
    for (int i = 0; i < 8; i++)
        header_len |= (uint64_t)data[16 + i] << (8 * i);
    size_t body = 24 + (size_t)header_len;
    ck_assert_uint_le(body + 4, size);
    data[size] = 0;
    static const char two[] = "\"observation_space\":{\"type\":\"Discrete\",\"n\":2";
    char *space = strstr((char *)data + 24, two);
    ck_assert_ptr_nonnull(space);
    space[sizeof two - 2] = '0';
    uint32_t crc = athlete_crc32(0, data, body);
    for (int i = 0; i < 4; i++)
        data[body + (size_t)i] = (unsigned char)(crc >> (8 * i));
    rewind(file);
    ck_assert_uint_eq(fwrite(data, 1, size, file), size);
    fclose(file);
}

START_TEST(core)
{
    mismatches = 0;
    athlete_error alloc_err;
    ck_assert_ok(athlete_set_allocator(test_malloc, test_calloc, test_realloc, free, &alloc_err), &alloc_err);
    athlete_registry *reg = NULL;
    athlete_registry_options options = {sizeof options, NULL, true, false};
    options.struct_size = 8;
    FAILS(athlete_registry_create(&options, &reg, NULL), ATHLETE_E_INVALID_ARGUMENT);
    options.struct_size = sizeof options;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    FAILS(athlete_registry_load_plugin(reg, "/nonexistent/athlete-x.so", NULL), ATHLETE_E_PLUGIN_LOAD);
    static const athlete_algorithm bad_defaults = {
        sizeof(athlete_algorithm), "bad", "x", "[1]", NULL, NULL, no_build, NULL, NULL};
    FAILS(athlete_registry_register(reg, &bad_defaults, NULL), ATHLETE_E_PLUGIN_INVALID);
    char *json = NULL;
    FAILS(athlete_registry_default_config(reg, "nothing", false, &json, NULL), ATHLETE_E_UNKNOWN_ALGORITHM);
    FAILS(athlete_registry_describe_config(reg, "nothing", &json, NULL), ATHLETE_E_UNKNOWN_ALGORITHM);
    {
        athlete_space d4 = athlete_space_discrete(4);
        athlete_agent *vector_agent = NULL;
        const float *vector_actions;
        float vector_obs[2] = {0, 0};
        double vector_rewards[2] = {0, 0};
        bool vector_flags[2] = {false, false};
        FAILS(athlete_agent_create_vector(reg, "nothing", &d4, &d4, 2, NULL, NULL, &vector_agent, NULL),
              ATHLETE_E_UNKNOWN_ALGORITHM);
        FAILS(athlete_agent_vector_reset_step(NULL, vector_obs, &vector_actions, NULL, NULL),
              ATHLETE_E_INVALID_ARGUMENT);
        FAILS(athlete_agent_vector_step(NULL, vector_obs, NULL, vector_rewards, vector_flags, vector_flags,
                                        &vector_actions, NULL, NULL),
              ATHLETE_E_INVALID_ARGUMENT);
    }
    athlete_export_storage storage;
    FAILS(athlete_export_storage_parse("f8", &storage, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_policy_export_c(reg, "/nonexistent/policy", "p", "/nonexistent/p.c", "/nonexistent/p.h",
                                  NULL, NULL, NULL),
          ATHLETE_E_IO);
    FAILS(athlete_registry_find(reg, "nothing", NULL, NULL, NULL, NULL), ATHLETE_E_UNKNOWN_ALGORITHM);
    athlete_space two = athlete_space_discrete(2);
    athlete_agent *agent = NULL;
    uint64_t seed = 0;
    FAILS(athlete_agent_create(reg, "q_learning", &two, &two, &seed, "{\"discount\": \"x\"}", &agent, NULL),
          ATHLETE_E_CONFIG_TYPE);
    ck_assert_ok(athlete_agent_create(reg, "q_learning", &two, &two, &seed, NULL, &agent, &err), &err);
    const float *action;
    const athlete_info *info;
    float obs = 0, outside = 9;
    FAILS(athlete_agent_reset_step(agent, &outside, &action, &info, NULL), ATHLETE_E_SPACE_MISMATCH);
    FAILS(athlete_agent_step(agent, &obs, 0, false, false, &action, &info, NULL), ATHLETE_E_CALL_ORDER);
    failing = true;
    FAILS(athlete_agent_config_json(agent, false, &json, NULL), ATHLETE_E_NO_MEMORY);
    failing = false;
    char *result = NULL;
    FAILS(athlete_agent_call(agent, "nothing", "[]", &result, NULL), ATHLETE_E_UNKNOWN_METHOD);
    FAILS(athlete_agent_save_checkpoint(agent, "/proc/athlete-cannot-write-here", false, NULL, NULL),
          ATHLETE_E_IO);
    FAILS(athlete_agent_save_policy(agent, "/proc/athlete-cannot-write-here", NULL), ATHLETE_E_IO);
    /* A checkpoint whose header holds a space that does not parse. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/athlete-null-err-%d.ckpt", (int)getpid());
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    fputs("not a checkpoint at all", file);
    fclose(file);
    athlete_agent *loaded = NULL;
    FAILS(athlete_agent_from_checkpoint(reg, path, false, &loaded, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_policy_file *saved = NULL;
    FAILS(athlete_policy_file_load(reg, path, &saved, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    ck_assert_ok(athlete_agent_save_policy(agent, path, &err), &err);
    /* A sound file whose header holds a space that does not parse (n = 0), CRC fixed. */
    corrupt_space(path);
    FAILS(athlete_policy_file_load(reg, path, &saved, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    ck_assert_ok(athlete_agent_save_policy(agent, path, &err), &err);
    ck_assert_ok(athlete_policy_file_load(reg, path, &saved, &err), &err);
    unlink(path);
    FAILS(athlete_policy_file_act(saved, &outside, true, &action, NULL), ATHLETE_E_SPACE_MISMATCH);
    athlete_policy_file_destroy(saved);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(envs)
{
    mismatches = 0;
    athlete_env *env = NULL;
    FAILS(athlete_env_create("CartPole-v0", NULL, &env, NULL), ATHLETE_E_ENV);
    athlete_error err;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &env, &err), &err);
    float obs[4], action = 0;
    double reward, state[4] = {0, 0, 0, 0};
    bool terminated, truncated;
    FAILS(athlete_env_step(env, &action, 1, obs, &reward, &terminated, &truncated, NULL),
          ATHLETE_E_CALL_ORDER);
    FAILS(athlete_env_reset(NULL, NULL, obs, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_env_reset_to_state(env, state, 3, obs, NULL), ATHLETE_E_INVALID_ARGUMENT);
    unsigned char blob[8];
    FAILS(athlete_env_get_state(env, blob, sizeof blob, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_env_set_state(env, blob, sizeof blob, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_env_destroy(env);
    athlete_vector_env *venv = NULL;
    FAILS(athlete_vector_env_create("CartPole-v1", NULL, 0, &venv, NULL), ATHLETE_E_INVALID_ARGUMENT);
    ck_assert_ok(athlete_vector_env_create("CartPole-v1", NULL, 1, &venv, &err), &err);
    FAILS(athlete_vector_env_step(venv, &action, 1, obs, &reward, &terminated, &truncated, NULL, NULL),
          ATHLETE_E_CALL_ORDER);
    FAILS(athlete_vector_env_reset(venv, NULL, NULL, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_vector_env_get_state(venv, blob, sizeof blob, NULL), ATHLETE_E_INVALID_ARGUMENT);
    FAILS(athlete_vector_env_set_state(venv, blob, sizeof blob, NULL), ATHLETE_E_CHECKPOINT_CORRUPT);
    athlete_vector_env_destroy(venv);
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("null-err");
    TCase *tc = tcase_create("null-err");
    tcase_add_test(tc, sdk);
    tcase_add_test(tc, core);
    tcase_add_test(tc, envs);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
