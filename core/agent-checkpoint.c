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

static athlete_status read_records(athlete_agent *agent, athlete_reader *r, bool with_env,
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
        if ((st = athlete_reader_get(r, "env.episode_active", ATHLETE_RECORD_U64, &active, 1, err)) ||
            (st = athlete_reader_get(r, "env.last_action", ATHLETE_RECORD_F32, agent->last_action,
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
        if (st == ATHLETE_OK && agent->previous_observations)
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
    if (!with_env)
        return ATHLETE_OK; /* the environment records, if any, are deliberately left unread */
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

static athlete_status write_all(int fd, const unsigned char *data, size_t size, const char *path,
                                athlete_error *err)
{
    while (size) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return athlete_error_set(err, ATHLETE_E_IO, "cannot write '%s': %s", path, strerror(errno));
        data += n;
        size -= (size_t)n;
    }
    return ATHLETE_OK;
}

static athlete_status make_parent_dirs(const char *path, athlete_error *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return athlete_error_set(err, ATHLETE_E_IO, "cannot create directory '%s': %s", buf, strerror(errno));
        *p = '/';
    }
    return ATHLETE_OK;
}

/* Atomic replace: temporary file in the same directory, fsync, rename, fsync the directory. */
static athlete_status write_file_atomically(const char *path, const unsigned char *const *parts,
                                            const size_t *sizes, size_t count, athlete_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return athlete_error_set(err, ATHLETE_E_IO, "cannot create '%s': %s", tmp, strerror(errno));
    athlete_status st = ATHLETE_OK;
    for (size_t i = 0; st == ATHLETE_OK && i < count; i++)
        st = write_all(fd, parts[i], sizes[i], tmp, err);
    if (st == ATHLETE_OK && fsync(fd) != 0)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot sync '%s': %s", tmp, strerror(errno));
    if (close(fd) != 0 && st == ATHLETE_OK)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot close '%s': %s", tmp, strerror(errno));
    if (st == ATHLETE_OK && rename(tmp, path) != 0)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (st != ATHLETE_OK) {
        unlink(tmp);
        return st;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* makes the rename durable; failure here loses no data */
        close(dfd);
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
        st = write_file_atomically(path, parts, sizes, 4, err);
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
    athlete_status st = save_file(agent, path, KIND_AGENT, save_environment_state, err);
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
    return save_file(agent, path, KIND_POLICY, false, err);
}

/* ---- reading ---- */

static athlete_status read_file(const char *path, unsigned char **data, size_t *size, athlete_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return athlete_error_set(err, ATHLETE_E_IO, "cannot open checkpoint '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return athlete_error_set(err, ATHLETE_E_IO, "checkpoint '%s' is not a regular file", path);
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = athlete_malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint '%s': out of memory (%zu bytes)", path, n);
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    if (got != n) {
        athlete_free(buf);
        return athlete_error_set(err, ATHLETE_E_IO, "cannot read checkpoint '%s'", path);
    }
    *data = buf;
    *size = n;
    return ATHLETE_OK;
}

/* Validates a file of the expected kind and builds the agent it describes. */
static athlete_status load_file(const athlete_registry *registry, const char *path, uint32_t expected_kind,
                                bool load_environment_state, athlete_agent **out, athlete_error *err)
{
    unsigned char *data = NULL;
    size_t size = 0;
    athlete_status st = read_file(path, &data, &size, err);
    if (st != ATHLETE_OK)
        return st;
    cJSON *header = NULL;
    athlete_reader *reader = NULL;
    athlete_agent *agent = NULL;
    athlete_space *obs = NULL, *act = NULL;
    char *config = NULL;
    if (size < 8 || memcmp(data, MAGIC, 8) != 0) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                               "'%s' is not an Athlete checkpoint (wrong magic)", path);
        goto done;
    }
    if (size < PREAMBLE_SIZE) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint '%s' is truncated in its preamble (%zu bytes)", path, size);
        goto done;
    }
    uint32_t version = get_u32(data + 8), kind = get_u32(data + 12);
    uint64_t header_len = get_u64(data + 16);
    if (version != FORMAT_VERSION) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "checkpoint '%s' has format version %u; this runtime reads version %u",
                               path, version, FORMAT_VERSION);
        goto done;
    }
    if (kind != expected_kind) {
        if (kind == KIND_POLICY)
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                   "'%s' is a policy-only file, not a full checkpoint (load it with athlete_policy_load)", path);
        else if (kind == KIND_AGENT)
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                   "'%s' is a full checkpoint, not a policy-only file (load it with athlete_agent_from_checkpoint)", path);
        else
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint '%s' has an unknown kind %u", path, kind);
        goto done;
    }
    if (header_len > MAX_HEADER || header_len + 4 > size - PREAMBLE_SIZE) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                               "checkpoint '%s' is truncated in its header (%zu bytes, header claims %" PRIu64 ")",
                               path, size, header_len);
        goto done;
    }
    size_t body = PREAMBLE_SIZE + (size_t)header_len;
    if (get_u32(data + body) != athlete_crc32(0, data, body)) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint '%s': the header fails its CRC32 check", path);
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
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint '%s': the header lacks required fields", path);
        goto done;
    }
    size_t num_envs = 1;
    if (envs) {
        if (!cJSON_IsNumber(envs) || !(envs->valuedouble >= 1 && envs->valuedouble <= ATHLETE_AGENT_MAX_ENVS) ||
            envs->valuedouble != (double)(size_t)envs->valuedouble) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "checkpoint '%s': num_envs must be in [1, %d]",
                                   path, ATHLETE_AGENT_MAX_ENVS);
            goto done;
        }
        /* A policy file acts for one row at a time; only full checkpoints keep N. */
        if (expected_kind != KIND_POLICY)
            num_envs = (size_t)envs->valuedouble;
    }
    if (abi->valueint != ATHLETE_ABI_MAJOR) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "checkpoint '%s' was written with ABI %d; this runtime provides %d", path,
                               abi->valueint, ATHLETE_ABI_MAJOR);
        goto done;
    }
    if (load_environment_state && !cJSON_IsTrue(with_env)) {
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "cannot load environment state: checkpoint '%s' was saved without save_environment_state",
                               path);
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
        st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                               "checkpoint '%s' was written by %s plugin version '%s'; the registered one is '%s'",
                               path, id->valuestring, plugin_version->valuestring, have_version);
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
        err->status = st = ATHLETE_E_CHECKPOINT_CORRUPT;
        athlete_error_prefix(err, "checkpoint '%s': ", path);
        goto done;
    }
    st = athlete_reader_create(data + body + 4, size - body - 4, "checkpoint", &reader, err);
    if (st == ATHLETE_OK)
        st = athlete__agent_build(entry, obs, act, strtoull(seed->valuestring, NULL, 10), config,
                                  expected_kind == KIND_POLICY, num_envs, &agent, err);
    if (st == ATHLETE_OK)
        st = expected_kind == KIND_POLICY ? read_policy_records(agent, reader, err)
                                          : read_records(agent, reader, load_environment_state, err);
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

const char *athlete_agent_load_warning(const athlete_agent *agent)
{
    return agent->load_warning[0] ? agent->load_warning : NULL;
}

/* ---- inference-only policies ---- */

struct athlete_saved_policy {
    athlete_agent *agent; /* built with inference_only, always in evaluation mode */
};

athlete_status athlete_policy_load(const athlete_registry *registry, const char *path,
                                   athlete_saved_policy **out, athlete_error *err)
{
    if (!registry || !path || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "policy_load: NULL argument");
    athlete_saved_policy *policy = athlete_calloc(1, sizeof *policy);
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

void athlete_policy_destroy(athlete_saved_policy *policy)
{
    if (!policy)
        return;
    athlete_agent_destroy(policy->agent);
    athlete_free(policy);
}

athlete_status athlete_policy_act(athlete_saved_policy *policy, const float *observation, bool first_of_episode,
                                  const float **action, athlete_error *err)
{
    if (!policy)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "policy_act: NULL policy");
    return first_of_episode ? athlete_agent_reset_step(policy->agent, observation, action, NULL, err)
                            : athlete_agent_step(policy->agent, observation, 0, false, false, action, NULL, err);
}

const athlete_space *athlete_policy_observation_space(const athlete_saved_policy *policy)
{
    return athlete_agent_observation_space(policy->agent);
}

const athlete_space *athlete_policy_action_space(const athlete_saved_policy *policy)
{
    return athlete_agent_action_space(policy->agent);
}

const char *athlete_policy_algorithm_id(const athlete_saved_policy *policy)
{
    return athlete_agent_algorithm_id(policy->agent);
}
