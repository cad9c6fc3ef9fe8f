/* Checkpoint files: one file per agent, written atomically, validated before use.
 *
 * Layout (all integers little-endian):
 *   "ATHLCKPT"              8-byte magic
 *   u32 format version      (1)
 *   u32 kind                (1 = full agent, 2 = policy only: the shared state's policy
 *                           part and the evaluation policy, nothing else)
 *   u64 header length H, then H bytes of JSON: algorithm id, plugin name and version, ABI
 *       major, OpenBLAS kernel, merged configuration, spaces, seed, environment_state
 *   u32 CRC32 of everything above
 *   records                 athlete_writer's stream (each record with its own CRC32),
 *                           ended by the record "end" holding the number of records
 *                           before it, so a file cut at a record boundary is caught. */
#include "agent-private.h"

#include <athlete/alloc.h>
#include <athlete/blas.h>
#include <athlete/checkpoint.h>
#include <athlete/version.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "ATHLCKPT"
#define FORMAT_VERSION 1u
#define KIND_AGENT 1u
#define KIND_POLICY 2u
#define PREAMBLE_SIZE (8 + 4 + 4 + 8)
#define MAX_HEADER (16u << 20)

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- the agent's own records ---- */

static athlete_status save_info(const athlete_info *info, athlete_writer *w, athlete_error *err)
{
    uint64_t count = info->count;
    athlete_status st = athlete_writer_put(w, "info.count", ATHLETE_RECORD_U64, &count, 1, err);
    for (size_t i = 0; st == ATHLETE_OK && i < info->count; i++) {
        const athlete_info_item *item = &info->items[i];
        char name[48];
        snprintf(name, sizeof name, "info.%zu.key", i);
        st = athlete_writer_put(w, name, ATHLETE_RECORD_BYTES, item->key, strlen(item->key), err);
        uint64_t meta[3] = {(uint64_t)item->type, item->boolean, (uint64_t)item->integer};
        snprintf(name, sizeof name, "info.%zu.meta", i);
        if (st == ATHLETE_OK)
            st = athlete_writer_put(w, name, ATHLETE_RECORD_U64, meta, 3, err);
        snprintf(name, sizeof name, "info.%zu.real", i);
        if (st == ATHLETE_OK)
            st = athlete_writer_put(w, name, ATHLETE_RECORD_F64, &item->real, 1, err);
        snprintf(name, sizeof name, "info.%zu.reals", i);
        if (st == ATHLETE_OK)
            st = athlete_writer_put(w, name, ATHLETE_RECORD_F32, item->reals, item->count, err);
    }
    return st;
}

/* Rebuilds a policy info; keys and arrays live in the agent's own storage. */
static athlete_status load_info(athlete_info *info, char (*loaded_keys)[32], float **loaded_reals,
                                athlete_reader *r, athlete_error *err)
{
    uint64_t count;
    athlete_status st = athlete_reader_get(r, "info.count", ATHLETE_RECORD_U64, &count, 1, err);
    if (st != ATHLETE_OK)
        return st;
    if (count > ATHLETE_INFO_CAPACITY)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the saved policy info has %" PRIu64 " items (at most %d)",
                                 count, ATHLETE_INFO_CAPACITY);
    athlete_info_clear(info);
    for (size_t i = 0; i < count; i++) {
        char name[48];
        size_t key_len, reals;
        snprintf(name, sizeof name, "info.%zu.key", i);
        if ((st = athlete_reader_count(r, name, ATHLETE_RECORD_BYTES, &key_len, err)))
            return st;
        if (key_len == 0 || key_len >= sizeof loaded_keys[i])
            return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                     "checkpoint: record '%s' has an invalid length %zu", name, key_len);
        if ((st = athlete_reader_get(r, name, ATHLETE_RECORD_BYTES, loaded_keys[i], key_len, err)))
            return st;
        loaded_keys[i][key_len] = '\0';
        /* A key is saved by its string length: a NUL or control byte inside would save a
         * different key than the one loaded. */
        for (size_t k = 0; k < key_len; k++)
            if ((unsigned char)loaded_keys[i][k] < 0x20 || (unsigned char)loaded_keys[i][k] == 0x7f)
                return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                         "checkpoint: record '%s' holds a control byte 0x%02x at %zu", name,
                                         (unsigned)(unsigned char)loaded_keys[i][k], k);
        uint64_t meta[3];
        double real;
        snprintf(name, sizeof name, "info.%zu.meta", i);
        if ((st = athlete_reader_get(r, name, ATHLETE_RECORD_U64, meta, 3, err)))
            return st;
        snprintf(name, sizeof name, "info.%zu.real", i);
        if ((st = athlete_reader_get(r, name, ATHLETE_RECORD_F64, &real, 1, err)))
            return st;
        snprintf(name, sizeof name, "info.%zu.reals", i);
        if ((st = athlete_reader_count(r, name, ATHLETE_RECORD_F32, &reals, err)))
            return st;
        float *values = NULL;
        if (reals) {
            values = athlete_calloc(reals, sizeof *values);
            if (!values)
                return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint: out of memory");
            athlete_free(loaded_reals[i]);
            loaded_reals[i] = values;
            if ((st = athlete_reader_get(r, name, ATHLETE_RECORD_F32, values, reals, err)))
                return st;
        } else if ((st = athlete_reader_get(r, name, ATHLETE_RECORD_F32, NULL, 0, err))) {
            return st;
        }
        athlete_info_item *item = &info->items[info->count++];
        memset(item, 0, sizeof *item);
        item->key = loaded_keys[i];
        item->type = (athlete_value_type)meta[0];
        item->boolean = meta[1] != 0;
        item->integer = (int64_t)meta[2];
        item->real = real;
        item->reals = values;
        item->count = reals;
        if (item->type < ATHLETE_VALUE_BOOL || item->type > ATHLETE_VALUE_REALS)
            return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                     "checkpoint: policy info item %zu has an unknown type %" PRIu64, i, meta[0]);
    }
    return ATHLETE_OK;
}

typedef athlete_status (*save_fn)(void *self, athlete_writer *w, athlete_error *err);
typedef athlete_status (*load_fn)(void *self, athlete_reader *r, athlete_error *err);

static athlete_status save_part(athlete_writer *w, const char *scope, save_fn fn, void *self,
                                athlete_error *err)
{
    if (!fn)
        return ATHLETE_OK;
    athlete_writer_set_scope(w, scope);
    athlete_status st = fn(self, w, err);
    athlete_writer_set_scope(w, NULL);
    if (st != ATHLETE_OK)
        athlete_error_prefix(err, "saving %s: ", scope);
    return st;
}

static athlete_status load_part(athlete_reader *r, const char *scope, load_fn fn, void *self,
                                athlete_error *err)
{
    if (!fn)
        return ATHLETE_OK;
    athlete_reader_set_scope(r, scope);
    athlete_status st = fn(self, r, err);
    athlete_reader_set_scope(r, NULL);
    return st;
}

static athlete_status write_records(athlete_agent *agent, bool with_env, athlete_writer *w,
                                    athlete_error *err)
{
    const athlete_parts *p = &agent->parts;
    uint64_t clock[4] = {agent->clock.interactions, agent->clock.episodes, agent->clock.data_points,
                         agent->clock.warmup_steps};
    athlete_status st = athlete_writer_put(w, "agent.clock", ATHLETE_RECORD_U64, clock, 4, err);
    if (st == ATHLETE_OK && p->state_ops)
        st = save_part(w, "state", p->state_ops->save, p->state, err);
    for (size_t i = 0; st == ATHLETE_OK && i < p->updatable_count; i++) {
        char scope[96];
        snprintf(scope, sizeof scope, "updatable.%s", p->updatables[i].ops->name);
        st = save_part(w, scope, p->updatables[i].ops->save, p->updatables[i].self, err);
    }
    if (st == ATHLETE_OK)
        st = save_part(w, "policy.training", p->training_policy.ops->save, p->training_policy.self, err);
    if (st == ATHLETE_OK)
        st = save_part(w, "policy.evaluation", p->evaluation_policy.ops->save, p->evaluation_policy.self, err);
    if (st == ATHLETE_OK && with_env) {
        uint64_t active = agent->episode_active;
        st = athlete_writer_put(w, "env.episode_active", ATHLETE_RECORD_U64, &active, 1, err);
        if (st == ATHLETE_OK)
            st = athlete_writer_put(w, "env.last_action", ATHLETE_RECORD_F32, agent->last_action,
                                    agent->num_envs * agent->action_size, err);
        for (size_t row = 0; st == ATHLETE_OK && row < agent->num_envs; row++) {
            char scope[32];
            snprintf(scope, sizeof scope, row ? "env.row%zu" : "env", row);
            athlete_writer_set_scope(w, scope);
            st = save_info(&agent->policy_infos[row], w, err);
            athlete_writer_set_scope(w, NULL);
        }
        if (st == ATHLETE_OK && agent->previous_observations)
            st = athlete_writer_put(w, "env.previous_observations", ATHLETE_RECORD_F32, agent->previous_observations,
                                    agent->num_envs * agent->observation_size, err);
        if (st == ATHLETE_OK)
            st = save_part(w, "env.collector", p->collector.ops->save, p->collector.self, err);
    }
    if (st == ATHLETE_OK) {
        uint64_t count = athlete_writer_record_count(w);
        st = athlete_writer_put(w, "end", ATHLETE_RECORD_U64, &count, 1, err);
    }
    return st;
}

static athlete_status write_policy_records(athlete_agent *agent, athlete_writer *w, athlete_error *err)
{
    const athlete_parts *p = &agent->parts;
    if (!p->state_ops || !p->state_ops->save_policy || !p->state_ops->load_policy)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "%s does not support policy-only saving",
                                 agent->entry->algorithm->id);
    athlete_status st = save_part(w, "state", p->state_ops->save_policy, p->state, err);
    if (st == ATHLETE_OK)
        st = save_part(w, "policy.evaluation", p->evaluation_policy.ops->save, p->evaluation_policy.self, err);
    if (st == ATHLETE_OK) {
        uint64_t count = athlete_writer_record_count(w);
        st = athlete_writer_put(w, "end", ATHLETE_RECORD_U64, &count, 1, err);
    }
    return st;
}

/* The end record counts the records before it: a file cut at a record boundary. */
static athlete_status check_end(athlete_reader *r, athlete_error *err)
{
    uint64_t count;
    athlete_status st = athlete_reader_get(r, "end", ATHLETE_RECORD_U64, &count, 1, err);
    if (st == ATHLETE_OK && count + 1 != athlete_reader_record_count(r))
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                               "checkpoint: the end record counts %" PRIu64 " records, the file has %zu", count,
                               athlete_reader_record_count(r) - 1);
    return st;
}

static athlete_status check_all_read(athlete_agent *agent, athlete_reader *r, athlete_error *err)
{
    const char *unread;
    if (athlete_reader_unread_count(r, &unread))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "checkpoint: record '%s' belongs to no component of this %s agent", unread,
                                 agent->entry->algorithm->id);
    return ATHLETE_OK;
}

static athlete_status read_policy_records(athlete_agent *agent, athlete_reader *r, athlete_error *err)
{
    athlete_parts *p = &agent->parts;
    if (!p->state_ops || !p->state_ops->load_policy)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "%s does not support policy-only files",
                                 agent->entry->algorithm->id);
    athlete_status st = load_part(r, "state", p->state_ops->load_policy, p->state, err);
    if (st == ATHLETE_OK)
        st = load_part(r, "policy.evaluation", p->evaluation_policy.ops->load, p->evaluation_policy.self, err);
    if (st == ATHLETE_OK)
        st = check_end(r, err);
    if (st == ATHLETE_OK)
        st = check_all_read(agent, r, err);
    return st;
}

static athlete_status read_records(athlete_agent *agent, athlete_reader *r, bool with_env, bool file_has_env,
                                   athlete_error *err)
{
    athlete_parts *p = &agent->parts;
    uint64_t clock[4];
    athlete_status st = athlete_reader_get(r, "agent.clock", ATHLETE_RECORD_U64, clock, 4, err);
    if (st != ATHLETE_OK)
        return st;
    agent->clock.interactions = clock[0];
    agent->clock.episodes = clock[1];
    agent->clock.data_points = clock[2];
    if (clock[3] != agent->clock.warmup_steps)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the clock's warmup (%" PRIu64 ") differs from the configuration's (%" PRIu64 ")",
                                 clock[3], agent->clock.warmup_steps);
    /* A real run never nears 2^53 steps (decades at a million a second); a counter that
     * high would wrap within the run and put every schedule "ahead" of the clock. */
    const uint64_t counter_limit = UINT64_C(1) << 53;
    if (clock[0] > counter_limit || clock[2] > counter_limit)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the clock counts %" PRIu64 " interactions and %" PRIu64
                                 " data points (at most 2^53 each)",
                                 clock[0], clock[2]);
    if (clock[1] > clock[0])
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the clock counts %" PRIu64 " episodes in %" PRIu64 " interactions",
                                 clock[1], clock[0]);
    /* From here on components compare their counters and stored values with the agent. */
    athlete_reader_set_agent(r, agent->observation_space, agent->action_space, &agent->clock);
    if (p->state_ops && (st = load_part(r, "state", p->state_ops->load, p->state, err)))
        return st;
    for (size_t i = 0; i < p->updatable_count; i++) {
        char scope[96];
        snprintf(scope, sizeof scope, "updatable.%s", p->updatables[i].ops->name);
        if ((st = load_part(r, scope, p->updatables[i].ops->load, p->updatables[i].self, err)))
            return st;
    }
    if ((st = load_part(r, "policy.training", p->training_policy.ops->load, p->training_policy.self, err)) ||
        (st = load_part(r, "policy.evaluation", p->evaluation_policy.ops->load, p->evaluation_policy.self, err)))
        return st;
    if (with_env) {
        uint64_t active;
        if ((st = athlete_reader_get(r, "env.episode_active", ATHLETE_RECORD_U64, &active, 1, err)))
            return st;
        if (active > 1)
            return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                     "checkpoint: record 'env.episode_active' holds %" PRIu64 " (0 or 1 expected)", active);
        /* The pending actions reach the collector at the next step (an index for tabular
         * agents): they must be ones the policy could have produced. */
        if (active && (st = athlete_reader_get_actions(r, "env.last_action", agent->last_action, agent->num_envs, err)))
            return st;
        if (!active && (st = athlete_reader_get(r, "env.last_action", ATHLETE_RECORD_F32, agent->last_action,
                                                agent->num_envs * agent->action_size, err)))
            return st;
        athlete_reader_set_scope(r, "env");
        st = load_info(&agent->policy_infos[0], agent->loaded_keys, agent->loaded_reals, r, err);
        athlete_reader_set_scope(r, NULL);
        if (st == ATHLETE_OK && agent->num_envs > 1 && !agent->loaded_rows &&
            !(agent->loaded_rows = athlete_calloc(agent->num_envs - 1, sizeof *agent->loaded_rows)))
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint: out of memory");
        for (size_t row = 1; st == ATHLETE_OK && row < agent->num_envs; row++) {
            char scope[32];
            snprintf(scope, sizeof scope, "env.row%zu", row);
            athlete_reader_set_scope(r, scope);
            athlete__loaded_info *li = &agent->loaded_rows[row - 1];
            st = load_info(&agent->policy_infos[row], li->keys, li->reals, r, err);
            athlete_reader_set_scope(r, NULL);
        }
        /* The streams' pending observations become transitions (indices for tabular
         * agents) once episodes run; before the first reset they are unused zeros, which
         * need not lie in the observation space, and the reset overwrites them. */
        if (st == ATHLETE_OK && agent->previous_observations && active)
            st = athlete_reader_get_observations(r, "env.previous_observations", agent->previous_observations,
                                                 agent->num_envs, err);
        else if (st == ATHLETE_OK && agent->previous_observations)
            st = athlete_reader_get(r, "env.previous_observations", ATHLETE_RECORD_F32, agent->previous_observations,
                                    agent->num_envs * agent->observation_size, err);
        if (st == ATHLETE_OK)
            st = load_part(r, "env.collector", p->collector.ops->load, p->collector.self, err);
        if (st != ATHLETE_OK)
            return st;
        agent->episode_active = active != 0;
    }
    if ((st = check_end(r, err)))
        return st;
    if (!with_env && file_has_env)
        athlete_reader_skip(r, "env."); /* deliberately left unread; anything else is unknown */
    return check_all_read(agent, r, err);
}

/* ---- header ---- */

static char *make_header(athlete_agent *agent, bool with_env, athlete_error *err)
{
    cJSON *h = cJSON_CreateObject();
    char *config = NULL, *obs = NULL, *act = NULL, *text = NULL;
    if (!h)
        goto oom;
    const athlete__plugin_handle *handle = agent->entry->handle;
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, agent->seed);
    bool ok = cJSON_AddNumberToObject(h, "format", FORMAT_VERSION) &&
              cJSON_AddNumberToObject(h, "abi_major", ATHLETE_ABI_MAJOR) &&
              cJSON_AddStringToObject(h, "runtime_version", ATHLETE_VERSION_STRING) &&
              cJSON_AddStringToObject(h, "algorithm_id", agent->entry->algorithm->id) &&
              cJSON_AddStringToObject(h, "plugin_name", handle ? handle->plugin->name : "(in-process)") &&
              cJSON_AddStringToObject(h, "plugin_version", handle ? handle->plugin->version : "") &&
              cJSON_AddStringToObject(h, "openblas_core", athlete_blas_corename()) &&
              cJSON_AddStringToObject(h, "seed", seed) &&
              cJSON_AddBoolToObject(h, "environment_state", with_env) &&
              (agent->num_envs == 1 || cJSON_AddNumberToObject(h, "num_envs", (double)agent->num_envs));
    if (!ok || athlete_config_to_json(agent->config, false, &config, err) ||
        athlete_space_to_json(agent->observation_space, &obs, err) ||
        athlete_space_to_json(agent->action_space, &act, err))
        goto oom;
    cJSON *c = cJSON_Parse(config), *o = cJSON_Parse(obs), *a = cJSON_Parse(act);
    if (!c || !o || !a) {
        cJSON_Delete(c);
        cJSON_Delete(o);
        cJSON_Delete(a);
        goto oom;
    }
    cJSON_AddItemToObject(h, "config", c);
    cJSON_AddItemToObject(h, "observation_space", o);
    cJSON_AddItemToObject(h, "action_space", a);
    text = cJSON_PrintUnformatted(h);
    if (!text)
        goto oom;
    cJSON_Delete(h);
    athlete_free(config);
    athlete_free(obs);
    athlete_free(act);
    return text;
oom:
    cJSON_Delete(h);
    athlete_free(config);
    athlete_free(obs);
    athlete_free(act);
    athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint: out of memory writing the header");
    return NULL;
}

/* ---- writing ---- */

static athlete_status make_parent_dirs(const char *path, athlete_error *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return athlete__path_error(err, ATHLETE_E_IO, "cannot create directory ", buf, "': %s", strerror(errno));
        *p = '/';
    }
    return ATHLETE_OK;
}

/* Writes a file of either kind at `path` (atomically). */
static athlete_status save_file(athlete_agent *agent, const char *path, uint32_t kind, bool with_env,
                                athlete_error *err)
{
    athlete_status st = make_parent_dirs(path, err);
    if (st != ATHLETE_OK)
        return st;
    char *header = make_header(agent, with_env, err);
    if (!header)
        return err ? err->status : ATHLETE_E_NO_MEMORY;
    athlete_writer *w = NULL;
    st = athlete_writer_create(&w, err);
    if (st == ATHLETE_OK)
        st = kind == KIND_AGENT ? write_records(agent, with_env, w, err) : write_policy_records(agent, w, err);
    if (st == ATHLETE_OK) {
        size_t header_len = strlen(header);
        unsigned char preamble[PREAMBLE_SIZE];
        memcpy(preamble, MAGIC, 8);
        put_u32(preamble + 8, FORMAT_VERSION);
        put_u32(preamble + 12, kind);
        put_u64(preamble + 16, header_len);
        uint32_t crc = athlete_crc32(athlete_crc32(0, preamble, sizeof preamble), header, header_len);
        unsigned char crc_bytes[4];
        put_u32(crc_bytes, crc);
        size_t records_size;
        const unsigned char *records = athlete_writer_data(w, &records_size);
        const unsigned char *parts[4] = {preamble, (const unsigned char *)header, crc_bytes, records};
        size_t sizes[4] = {sizeof preamble, header_len, 4, records_size};
        st = athlete__write_file_atomically(path, parts, sizes, 4, err);
    }
    athlete_writer_destroy(w);
    athlete_free(header);
    return st;
}

athlete_status athlete_agent_save_checkpoint(athlete_agent *agent, const char *path,
                                             bool save_environment_state, char **saved_path,
                                             athlete_error *err)
{
    if (!agent)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "save_checkpoint: NULL agent");
    athlete_status st = athlete__agent_check_not_failed(agent, "save_checkpoint", err);
    if (st != ATHLETE_OK)
        return st;
    char default_path[256];
    if (!path) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%d-%m-%Y_%H-%M-%S", &tm);
        snprintf(default_path, sizeof default_path, "checkpoints/%s_%s", agent->entry->algorithm->id, stamp);
        path = default_path;
    }
    st = save_file(agent, path, KIND_AGENT, save_environment_state, err);
    if (st == ATHLETE_OK && saved_path) {
        *saved_path = athlete_strdup(path);
        if (!*saved_path)
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint: out of memory");
    }
    return st;
}

athlete_status athlete_agent_save_policy(athlete_agent *agent, const char *path, athlete_error *err)
{
    if (!agent || !path)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "save_policy: NULL argument");
    athlete_status st = athlete__agent_check_not_failed(agent, "save_policy", err);
    if (st != ATHLETE_OK)
        return st;
    return save_file(agent, path, KIND_POLICY, false, err);
}

/* ---- reading ---- */

/* Global limits on what a checkpoint may ask of the process, each named in its error. */
#define DEFAULT_MAX_FILE_BYTES (2ull << 30)
#define DEFAULT_LOAD_MEMORY_LIMIT (1ull << 30)

/* A byte count from the environment (a host raising a limit), or the default. */
static uint64_t limit_from_env(const char *name, uint64_t fallback)
{
    const char *text = getenv(name);
    if (!text || !*text)
        return fallback;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    return errno || *end || v == 0 ? fallback : (uint64_t)v;
}

static athlete_status read_exactly(int fd, unsigned char *buf, size_t size, const char *path, athlete_error *err)
{
    while (size) {
        ssize_t n = read(fd, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return athlete__path_error(err, ATHLETE_E_IO, "cannot read checkpoint ", path, "': %s", strerror(errno));
        if (n == 0)
            return athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint ", path, "' changed size while being read");
        buf += n;
        size -= (size_t)n;
    }
    return ATHLETE_OK;
}

/* Opens a checkpoint for reading: regular files only (O_NONBLOCK: a FIFO is refused, not
 * waited on), within the size limit. */
static athlete_status open_checkpoint(const char *path, int *fd_out, uint64_t *size_out, athlete_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return athlete__path_error(err, ATHLETE_E_IO, "cannot open checkpoint ", path, "': %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return athlete__path_error(err, ATHLETE_E_IO, "checkpoint ", path, "' is not a regular file");
    }
    uint64_t limit = limit_from_env("ATHLETE_CHECKPOINT_MAX_BYTES", DEFAULT_MAX_FILE_BYTES);
    if ((uint64_t)sb.st_size > limit || (uint64_t)sb.st_size > SIZE_MAX / 2) {
        close(fd);
        return athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint ", path, "' is %" PRIu64 " bytes, beyond the file size limit of %" PRIu64
                                 " bytes (ATHLETE_CHECKPOINT_MAX_BYTES raises it)", (uint64_t)sb.st_size, limit);
    }
    *fd_out = fd;
    *size_out = (uint64_t)sb.st_size;
    return ATHLETE_OK;
}

/* The header's seed: a decimal uint64, as written. */
static bool parse_seed(const char *text, uint64_t *seed)
{
    size_t n = strlen(text);
    if (n == 0 || n > 20 || strspn(text, "0123456789") != n)
        return false;
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno)
        return false;
    *seed = (uint64_t)v;
    return true;
}

/* Validates a file of the expected kind and builds the agent it describes. The file is
 * read in order (preamble, header, records), each part checked before the next is read,
 * and the agent is built under a memory ceiling before any record is applied. */
static athlete_status load_file(const athlete_registry *registry, const char *path, uint32_t expected_kind,
                                bool load_environment_state, athlete_agent **out, athlete_error *err)
{
    int fd = -1;
    uint64_t file_size = 0;
    athlete_status st = open_checkpoint(path, &fd, &file_size, err);
    if (st != ATHLETE_OK)
        return st;
    unsigned char *data = NULL, *records = NULL;
    size_t size = (size_t)file_size;
    cJSON *header = NULL;
    athlete_reader *reader = NULL;
    athlete_agent *agent = NULL;
    athlete_space *obs = NULL, *act = NULL;
    char *config = NULL;
    unsigned char preamble[PREAMBLE_SIZE];
    if (size < 8 || (st = read_exactly(fd, preamble, 8, path, err)) != ATHLETE_OK || memcmp(preamble, MAGIC, 8) != 0) {
        if (size < 8 || st == ATHLETE_OK)
            st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "", path, "' is not an Athlete checkpoint (wrong magic)");
        goto done;
    }
    if (size < PREAMBLE_SIZE) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint ", path, "' is truncated in its preamble (%zu bytes)", size);
        goto done;
    }
    if ((st = read_exactly(fd, preamble + 8, PREAMBLE_SIZE - 8, path, err)))
        goto done;
    uint32_t version = get_u32(preamble + 8), kind = get_u32(preamble + 12);
    uint64_t header_len = get_u64(preamble + 16);
    if (version != FORMAT_VERSION) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "checkpoint ", path, "' has format version %u; this runtime reads version %u", version, FORMAT_VERSION);
        goto done;
    }
    if (kind != expected_kind) {
        if (kind == KIND_POLICY)
            st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                   "", path, "' is a policy-only file, not a full checkpoint (load it with athlete_policy_file_load)");
        else if (kind == KIND_AGENT)
            st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                   "", path, "' is a full checkpoint, not a policy-only file (load it with athlete_agent_from_checkpoint)");
        else
            st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint ", path, "' has an unknown kind %u", kind);
        goto done;
    }
    if (header_len > MAX_HEADER) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                               "checkpoint ", path, "' claims a %" PRIu64 "-byte header, beyond the header size limit of %u bytes", header_len, MAX_HEADER);
        goto done;
    }
    if (header_len + 4 > size - PREAMBLE_SIZE) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                               "checkpoint ", path, "' is truncated in its header (%zu bytes, header claims %" PRIu64 ")", size, header_len);
        goto done;
    }
    size_t body = PREAMBLE_SIZE + (size_t)header_len;
    data = athlete_malloc(body + 4);
    if (!data) {
        st = athlete__path_error(err, ATHLETE_E_NO_MEMORY, "checkpoint ", path, "': out of memory");
        goto done;
    }
    memcpy(data, preamble, PREAMBLE_SIZE);
    if ((st = read_exactly(fd, data + PREAMBLE_SIZE, (size_t)header_len + 4, path, err)))
        goto done;
    if (get_u32(data + body) != athlete_crc32(0, data, body)) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint ", path, "': the header fails its CRC32 check");
        goto done;
    }
    header = cJSON_ParseWithLength((const char *)data + PREAMBLE_SIZE, (size_t)header_len);
    const cJSON *id = header ? cJSON_GetObjectItemCaseSensitive(header, "algorithm_id") : NULL;
    const cJSON *abi = header ? cJSON_GetObjectItemCaseSensitive(header, "abi_major") : NULL;
    const cJSON *plugin_version = header ? cJSON_GetObjectItemCaseSensitive(header, "plugin_version") : NULL;
    const cJSON *seed = header ? cJSON_GetObjectItemCaseSensitive(header, "seed") : NULL;
    const cJSON *with_env = header ? cJSON_GetObjectItemCaseSensitive(header, "environment_state") : NULL;
    const cJSON *cfg = header ? cJSON_GetObjectItemCaseSensitive(header, "config") : NULL;
    const cJSON *core = header ? cJSON_GetObjectItemCaseSensitive(header, "openblas_core") : NULL;
    const cJSON *os = header ? cJSON_GetObjectItemCaseSensitive(header, "observation_space") : NULL;
    const cJSON *as = header ? cJSON_GetObjectItemCaseSensitive(header, "action_space") : NULL;
    /* Absent: one environment (files of single-environment agents do not name it). */
    const cJSON *envs = header ? cJSON_GetObjectItemCaseSensitive(header, "num_envs") : NULL;
    if (!cJSON_IsString(id) || !cJSON_IsNumber(abi) || !cJSON_IsString(plugin_version) ||
        !cJSON_IsString(seed) || !cJSON_IsBool(with_env) || !cJSON_IsObject(cfg) || !cJSON_IsObject(os) ||
        !cJSON_IsObject(as)) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint ", path, "': the header lacks required fields");
        goto done;
    }
    uint64_t seed_value;
    if (!parse_seed(seed->valuestring, &seed_value)) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                               "checkpoint ", path, "': the header's seed \"%.40s\" is not a decimal 64-bit integer",
                               seed->valuestring);
        goto done;
    }
    size_t num_envs = 1;
    if (envs) {
        if (!cJSON_IsNumber(envs) || !(envs->valuedouble >= 1 && envs->valuedouble <= ATHLETE_AGENT_MAX_ENVS) ||
            envs->valuedouble != (double)(size_t)envs->valuedouble) {
            st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint ", path,
                                     "': num_envs must be in [1, %d]", ATHLETE_AGENT_MAX_ENVS);
            goto done;
        }
        /* A policy file acts for one row at a time; only full checkpoints keep N. */
        if (expected_kind != KIND_POLICY)
            num_envs = (size_t)envs->valuedouble;
    }
    if (abi->valueint != ATHLETE_ABI_MAJOR) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "checkpoint ", path, "' was written with ABI %d; this runtime provides %d",
                               abi->valueint, ATHLETE_ABI_MAJOR);
        goto done;
    }
    if (load_environment_state && !cJSON_IsTrue(with_env)) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "cannot load environment state: checkpoint ", path, "' was saved without save_environment_state");
        goto done;
    }
    athlete__algorithm_entry *entry;
    st = athlete__registry_lookup(registry, id->valuestring, &entry, err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "checkpoint '%s': ", path);
        goto done;
    }
    const char *have_version = entry->handle ? entry->handle->plugin->version : "";
    if (strcmp(have_version, plugin_version->valuestring) != 0) {
        st = athlete__path_error(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "checkpoint ", path, "' was written by %s plugin version '%s'; the registered one is '%s'", id->valuestring, plugin_version->valuestring, have_version);
        goto done;
    }
    char *os_text = cJSON_PrintUnformatted(os), *as_text = cJSON_PrintUnformatted(as);
    config = cJSON_PrintUnformatted(cfg);
    if (!os_text || !as_text || !config) {
        athlete_free(os_text);
        athlete_free(as_text);
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint: out of memory");
        goto done;
    }
    st = athlete_space_from_json(os_text, &obs, err);
    if (st == ATHLETE_OK)
        st = athlete_space_from_json(as_text, &act, err);
    athlete_free(os_text);
    athlete_free(as_text);
    if (st != ATHLETE_OK) {
        st = ATHLETE_E_CHECKPOINT_CORRUPT;
        if (err)
            err->status = st;
        athlete_error_prefix(err, "checkpoint '%s': ", path);
        goto done;
    }
    /* The records, read whole now that the header is known good (the size is bounded by the
     * file size limit), then checked and indexed by the reader before the agent exists. */
    size_t records_size = size - body - 4;
    records = athlete_malloc(records_size ? records_size : 1);
    if (!records) {
        st = athlete__path_error(err, ATHLETE_E_NO_MEMORY, "checkpoint ", path, "': out of memory (%zu bytes of records)",
                               records_size);
        goto done;
    }
    if ((st = read_exactly(fd, records, records_size, path, err)))
        goto done;
    close(fd);
    fd = -1;
    st = athlete_reader_create(records, records_size, "checkpoint", &reader, err);
    athlete_free(records);
    records = NULL;
    if (st == ATHLETE_OK) {
        /* Everything the configuration asks for is allocated while building: under a
         * ceiling, a huge network or buffer is refused before it touches memory. Each
         * record's size is then compared with what the built agent holds as it is read. */
        uint64_t limit = limit_from_env("ATHLETE_LOAD_MEMORY_LIMIT", DEFAULT_LOAD_MEMORY_LIMIT);
        uint64_t budget = limit + 4 * (uint64_t)records_size;
        athlete_alloc_set_budget(budget > SIZE_MAX ? SIZE_MAX : (size_t)budget);
        st = athlete__agent_build(entry, obs, act, seed_value, config, expected_kind == KIND_POLICY, true, num_envs, &agent,
                                  err);
        bool exceeded = athlete_alloc_budget_exceeded();
        athlete_alloc_set_budget(0);
        if (st != ATHLETE_OK && exceeded) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "the agent its header describes needs more than the memory limit for loading of "
                                   "%" PRIu64 " bytes (ATHLETE_LOAD_MEMORY_LIMIT raises it)",
                                   budget);
        }
    }
    if (st == ATHLETE_OK && expected_kind == KIND_POLICY)
        athlete_reader_set_agent(reader, agent->observation_space, agent->action_space, NULL);
    if (st == ATHLETE_OK)
        st = expected_kind == KIND_POLICY ? read_policy_records(agent, reader, err)
                                          : read_records(agent, reader, load_environment_state, cJSON_IsTrue(with_env), err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "'%s': ", path);
        goto done;
    }
    /* Harmless, but worth saying: another kernel rounds differently, so a resumed run is
     * no longer bit-identical to an uninterrupted one. */
    if (cJSON_IsString(core) && strcmp(core->valuestring, athlete_blas_corename()) != 0)
        snprintf(agent->load_warning, sizeof agent->load_warning,
                 "checkpoint '%s' was written under the OpenBLAS kernel %s, this process runs %s: results may "
                 "differ in the last bits from an uninterrupted run",
                 path, core->valuestring, athlete_blas_corename());
    *out = agent;
    agent = NULL;
done:
    athlete_agent_destroy(agent);
    athlete_reader_destroy(reader);
    athlete_space_free(obs);
    athlete_space_free(act);
    athlete_free(config);
    cJSON_Delete(header);
    athlete_free(data);
    athlete_free(records);
    if (fd >= 0)
        close(fd);
    return st;
}

athlete_status athlete_agent_from_checkpoint(const athlete_registry *registry, const char *path,
                                             bool load_environment_state, athlete_agent **out,
                                             athlete_error *err)
{
    if (!registry || !path || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "from_checkpoint: NULL argument");
    return load_file(registry, path, KIND_AGENT, load_environment_state, out, err);
}

athlete_status athlete__agent_load_any(const athlete_registry *registry, const char *path, athlete_agent **out,
                                      bool *policy_only, athlete_error *err)
{
    unsigned char preamble[PREAMBLE_SIZE];
    FILE *f = fopen(path, "rb");
    if (!f)
        return athlete_error_set(err, ATHLETE_E_IO, "cannot open checkpoint '%s': %s", path, strerror(errno));
    size_t got = fread(preamble, 1, sizeof preamble, f);
    fclose(f);
    /* load_file reports a short file or a wrong magic precisely; only the kind is read here */
    uint32_t kind = got == sizeof preamble && get_u32(preamble + 12) == KIND_POLICY ? KIND_POLICY : KIND_AGENT;
    athlete_status st = load_file(registry, path, kind, false, out, err);
    if (st == ATHLETE_OK)
        *policy_only = kind == KIND_POLICY;
    return st;
}

const char *athlete_agent_load_warning(const athlete_agent *agent)
{
    return agent->load_warning[0] ? agent->load_warning : NULL;
}

/* ---- inference-only policies ---- */

struct athlete_policy_file {
    athlete_agent *agent; /* built with inference_only, always in evaluation mode */
};

athlete_status athlete_policy_file_load(const athlete_registry *registry, const char *path,
                                        athlete_policy_file **out, athlete_error *err)
{
    if (!registry || !path || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "policy_load: NULL argument");
    athlete_policy_file *policy = athlete_calloc(1, sizeof *policy);
    if (!policy)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "policy_load: out of memory");
    athlete_status st = load_file(registry, path, KIND_POLICY, false, &policy->agent, err);
    if (st != ATHLETE_OK) {
        athlete_free(policy);
        return st;
    }
    athlete_agent_eval(policy->agent);
    *out = policy;
    return ATHLETE_OK;
}

void athlete_policy_file_destroy(athlete_policy_file *policy)
{
    if (!policy)
        return;
    athlete_agent_destroy(policy->agent);
    athlete_free(policy);
}

athlete_status athlete_policy_file_act(athlete_policy_file *policy, const float *observation, bool first_of_episode,
                                  const float **action, athlete_error *err)
{
    if (!policy)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "policy_act: NULL policy");
    return first_of_episode ? athlete_agent_reset_step(policy->agent, observation, action, NULL, err)
                            : athlete_agent_step(policy->agent, observation, 0, false, false, action, NULL, err);
}

const athlete_space *athlete_policy_file_observation_space(const athlete_policy_file *policy)
{
    return athlete_agent_observation_space(policy->agent);
}

const athlete_space *athlete_policy_file_action_space(const athlete_policy_file *policy)
{
    return athlete_agent_action_space(policy->agent);
}

const char *athlete_policy_file_algorithm_id(const athlete_policy_file *policy)
{
    return athlete_agent_algorithm_id(policy->agent);
}
