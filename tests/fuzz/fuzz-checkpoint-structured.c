/* Structure-aware libFuzzer target: mutations that keep a checkpoint well-formed.
 *
 * Random bytes almost never get past the CRCs, so the custom mutator parses the input
 * into its header and records, changes what a hostile author would (a payload value, a
 * record's element count or type, a number in the header's configuration or spaces, a
 * record dropped, duplicated or renamed) and re-seals it: every CRC and the end record
 * are recomputed, so only the loader's semantic checks stand between the edit and the
 * agent. Whatever loads is then used: a few hundred training and evaluation steps on a
 * built-in environment with the same spaces, and a save to a temporary file. Run under
 * ASan+UBSan (tools/fuzz.sh); the seeds are real checkpoints of every algorithm. */
#include <athlete/athlete.h>
#include <athlete/env.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "checkpoint-edit.h"

static athlete_registry *registry;
static char path[64], saved[80];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
size_t LLVMFuzzerMutate(unsigned char *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(unsigned char *data, size_t size, size_t max_size, unsigned int seed);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_error err;
    if (athlete_registry_create(&options, &registry, &err) != ATHLETE_OK) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }
    snprintf(path, sizeof path, "/tmp/athlete-sfuzz-%ld", (long)getpid());
    snprintf(saved, sizeof saved, "%s.saved", path);
    return 0;
}

/* ---- the mutator ---- */

static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const double interesting[] = {0, 1, -1, 2, 0.5, -0.5, 3, 7, 16, 255, 256, 65535, 65536, 1e6, 9e8,
                                     4294967296.0, 1e18, 1e300, -1e300, 3.5e38, -3.5e38, 1e-45, NAN, INFINITY, -INFINITY};
enum { INTERESTING = sizeof interesting / sizeof interesting[0] };

static void mutate_value(ckpt_record *r, uint64_t *rng)
{
    size_t elem = athlete_record_type_size((athlete_record_type)r->type);
    if (r->count == 0 || elem == 0)
        return;
    size_t i = (size_t)(next(rng) % r->count);
    unsigned char *p = r->payload + i * elem;
    double v = interesting[next(rng) % INTERESTING];
    switch (r->type) {
    case ATHLETE_RECORD_F32: {
        float f = (float)v;
        if (next(rng) % 2) { /* near the stored value: off by one, doubled, negated */
            memcpy(&f, p, 4);
            int how = (int)(next(rng) % 3);
            f = how == 0 ? f + 1.0f : how == 1 ? f * 2.0f : -f;
        }
        memcpy(p, &f, 4);
        break;
    }
    case ATHLETE_RECORD_F64:
        memcpy(p, &v, 8);
        break;
    case ATHLETE_RECORD_U64:
    case ATHLETE_RECORD_I64: {
        uint64_t u = ckpt_get_le(p, 8);
        int how = (int)(next(rng) % 6);
        u = how == 0 ? u + 1 : how == 1 ? u - 1 : how == 2 ? u * 2 : how == 3 ? UINT64_MAX - (next(rng) % 3) : how == 4 ? 0 : next(rng) % 100000;
        ckpt_put_le(p, u, 8);
        break;
    }
    default: /* bytes: an RNG state, a key */
        if (next(rng) % 3 == 0)
            memset(r->payload, 0, (size_t)r->count);
        else
            p[0] ^= (unsigned char)(1u << (next(rng) % 8));
    }
}

static void resize_record(ckpt_record *r, uint64_t *rng)
{
    size_t elem = athlete_record_type_size((athlete_record_type)r->type);
    uint64_t count = r->count;
    int how = (int)(next(rng) % 4);
    count = how == 0 ? (count ? count - 1 : 0) : how == 1 ? count + 1 : how == 2 ? count / 2 : count * 2 + 1;
    if (count > 4096)
        count = 4096;
    unsigned char *grown = calloc((size_t)count + 1, elem);
    if (!grown)
        return;
    memcpy(grown, r->payload, (size_t)(count < r->count ? count : r->count) * elem);
    free(r->payload);
    r->payload = grown;
    r->count = count;
}

/* Repetition counts and batch sizes multiply the work of every update: they are bounded
 * by the plugins' configuration checks, and a huge one only makes an execution slow, so
 * they are left alone to keep each execution well under a second. */
static bool repetition_count(const char *header, size_t at)
{
    size_t key_end = at;
    while (key_end > 0 && header[key_end - 1] != '"')
        key_end--;
    size_t key_start = key_end > 0 ? key_end - 1 : 0;
    while (key_start > 0 && header[key_start - 1] != '"')
        key_start--;
    char key[64];
    size_t n = key_end > key_start + 1 ? key_end - 1 - key_start : 0;
    snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n : sizeof key - 1), header + key_start);
    return strstr(key, "epochs") || strstr(key, "number_of_updates") || strstr(key, "batch_size");
}

/* Replaces one number of the header's JSON by an interesting one. */
static void mutate_header_number(ckpt_file *f, uint64_t *rng)
{
    size_t n = strlen(f->header), numbers = 0;
    for (size_t i = 1; i < n; i++)
        numbers += (f->header[i] >= '0' && f->header[i] <= '9') && (f->header[i - 1] == ':' || f->header[i - 1] == '[' || f->header[i - 1] == ',');
    if (!numbers)
        return;
    size_t pick = (size_t)(next(rng) % numbers), seen = 0;
    for (size_t i = 1; i < n; i++) {
        bool start = (f->header[i] >= '0' && f->header[i] <= '9') &&
                     (f->header[i - 1] == ':' || f->header[i - 1] == '[' || f->header[i - 1] == ',');
        if (!start || seen++ != pick)
            continue;
        if (repetition_count(f->header, i))
            return;
        size_t end = i;
        while (end < n && strchr("0123456789.eE+-", f->header[end]))
            end++;
        char replacement[40];
        double v = interesting[next(rng) % INTERESTING];
        if (!isfinite(v))
            v = 1e308;
        snprintf(replacement, sizeof replacement, "%.17g", v);
        char *text = malloc(n - (end - i) + strlen(replacement) + 1);
        if (!text)
            return;
        memcpy(text, f->header, i);
        strcpy(text + i, replacement);
        strcat(text, f->header + end);
        free(f->header);
        f->header = text;
        return;
    }
}

size_t LLVMFuzzerCustomMutator(unsigned char *data, size_t size, size_t max_size, unsigned int seed)
{
    ckpt_file f;
    uint64_t rng = seed;
    if (!ckpt_parse(data, size, &f))
        return LLVMFuzzerMutate(data, size, max_size);
    if (f.count == 0) { /* a header without records: nothing to edit */
        ckpt_free(&f);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    int edits = 1 + (int)(next(&rng) % 3);
    for (int e = 0; e < edits; e++) {
        ckpt_record *r = &f.records[next(&rng) % f.count];
        switch (next(&rng) % 10) {
        case 0:
        case 1:
        case 2:
        case 3:
            mutate_value(r, &rng);
            break;
        case 4:
            resize_record(r, &rng);
            break;
        case 5:
        case 6:
            mutate_header_number(&f, &rng);
            break;
        case 7: /* a record dropped (not the end record) */
            if (f.count > 1 && r != &f.records[f.count - 1]) {
                free(r->payload);
                memmove(r, r + 1, (size_t)(&f.records[f.count - 1] - r) * sizeof *r);
                f.count--;
            }
            break;
        case 8: /* another type, same bytes where they fit */
            r->type = (uint8_t)(1 + next(&rng) % 5);
            r->count = r->count * 4 / athlete_record_type_size((athlete_record_type)r->type) / 4;
            break;
        default: { /* a renamed record: another one's name, or a stray one */
            const ckpt_record *other = &f.records[next(&rng) % f.count];
            if (next(&rng) % 2)
                snprintf(r->name, sizeof r->name, "%s", other->name);
            else
                r->name[strlen(r->name) / 2] = 'x';
        }
        }
    }
    size_t out_size;
    unsigned char *out = ckpt_seal(&f, &out_size);
    ckpt_free(&f);
    if (!out || out_size > max_size) {
        free(out);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    memcpy(data, out, out_size);
    free(out);
    return out_size;
}

/* ---- using what loads ---- */

/* A built-in environment with exactly the agent's spaces, or NULL. */
static athlete_env *matching_env(const athlete_space *obs, const athlete_space *act)
{
    const char *const *ids;
    size_t n = athlete_env_list(&ids);
    for (size_t i = 0; i < n; i++) {
        athlete_env *env = NULL;
        athlete_error err;
        if (athlete_env_create(ids[i], NULL, &env, &err) != ATHLETE_OK)
            continue;
        if (athlete_space_equal(athlete_env_observation_space(env), obs) &&
            athlete_space_equal(athlete_env_action_space(env), act))
            return env;
        athlete_env_destroy(env);
    }
    return NULL;
}

/* Steps until a call fails (a diverged network may refuse to act: that is an answer). */
static void exercise(athlete_agent *agent, int steps)
{
    athlete_error err;
    athlete_env *env = matching_env(athlete_agent_observation_space(agent), athlete_agent_action_space(agent));
    if (!env)
        return;
    const athlete_space *space = athlete_env_action_space(env);
    size_t n = athlete_space_flat_size(space);
    float observation[64], env_action[16];
    uint64_t seed = 1;
    const float *action = NULL;
    athlete_status st = athlete_env_reset(env, &seed, observation, &err);
    if (st == ATHLETE_OK)
        st = athlete_agent_reset_step(agent, observation, &action, NULL, &err);
    for (int t = 0; st == ATHLETE_OK && t < steps; t++) {
        if (!action) {
            st = athlete_env_reset(env, NULL, observation, &err);
            if (st == ATHLETE_OK)
                st = athlete_agent_reset_step(agent, observation, &action, NULL, &err);
            continue;
        }
        athlete_space_clip(space, action, env_action);
        double reward;
        bool terminated, truncated;
        st = athlete_env_step(env, env_action, n, observation, &reward, &terminated, &truncated, &err);
        if (st == ATHLETE_OK)
            st = athlete_agent_step(agent, observation, reward, terminated, truncated, &action, NULL, &err);
    }
    athlete_env_destroy(env);
}

static void use(athlete_agent *agent)
{
    athlete_error err;
    exercise(agent, 200);
    athlete_agent_eval(agent);
    exercise(agent, 100);
    athlete_agent_train(agent);
    if (athlete_agent_save_checkpoint(agent, saved, true, NULL, &err) == ATHLETE_OK) {
        athlete_agent *again = NULL;
        /* What the agent saves itself must load. */
        if (athlete_agent_from_checkpoint(registry, saved, true, &again, &err) != ATHLETE_OK) {
            fprintf(stderr, "fuzz: a re-saved checkpoint does not load: %s\n", err.message);
            abort();
        }
        athlete_agent_destroy(again);
    }
    unlink(saved);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    athlete_error err;
    for (int with_env = 0; with_env < 2; with_env++) {
        athlete_agent *agent = NULL;
        if (athlete_agent_from_checkpoint(registry, path, with_env, &agent, &err) == ATHLETE_OK) {
            use(agent);
            athlete_agent_destroy(agent);
        }
    }
    athlete_policy_file *policy = NULL;
    if (athlete_policy_file_load(registry, path, &policy, &err) == ATHLETE_OK) {
        athlete_env *env = matching_env(athlete_policy_file_observation_space(policy), athlete_policy_file_action_space(policy));
        if (env) {
            float observation[64];
            uint64_t seed = 2;
            const float *action;
            athlete_status st = athlete_env_reset(env, &seed, observation, &err);
            for (int t = 0; st == ATHLETE_OK && t < 50; t++)
                st = athlete_policy_file_act(policy, observation, t == 0, &action, &err);
            athlete_env_destroy(env);
        }
        athlete_policy_file_destroy(policy);
    }
    unlink(path);
    return 0;
}
