/* athlete info: what a checkpoint or policy file holds. The header is read as the file
 * format documents it (preamble, JSON header, CRC32); the agent is then loaded through the
 * registry, which validates the records, for its counters. */
#include "cli.h"

#include <athlete/checkpoint.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PREAMBLE 24u
#define MAX_HEADER (16u << 20)

static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

/* The JSON header of a checkpoint file, its kind and size; NULL with a message printed. */
static cJSON *read_header(const char *path, uint32_t *kind, uint64_t *header_size, long long *file_size)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "athlete: info: '%s' is not a readable regular file%s%s\n", path, errno ? ": " : "",
                errno ? strerror(errno) : "");
        return NULL;
    }
    *file_size = (long long)st.st_size;
    FILE *f = fopen(path, "rb");
    unsigned char pre[PREAMBLE];
    if (!f || fread(pre, 1, PREAMBLE, f) != PREAMBLE || memcmp(pre, "ATHLCKPT", 8) != 0) {
        fprintf(stderr, "athlete: info: '%s' is not an Athlete checkpoint\n", path);
        if (f)
            fclose(f);
        return NULL;
    }
    *kind = le32(pre + 12);
    *header_size = le64(pre + 16);
    if (*header_size > MAX_HEADER || *header_size + PREAMBLE + 4 > (uint64_t)st.st_size) {
        fprintf(stderr, "athlete: info: '%s' has a corrupt header length\n", path);
        fclose(f);
        return NULL;
    }
    char *text = malloc(*header_size + 1);
    unsigned char crc[4];
    bool ok = text && fread(text, 1, *header_size, f) == *header_size && fread(crc, 1, 4, f) == 4;
    fclose(f);
    uint32_t sum = ok ? athlete_crc32(athlete_crc32(0, pre, PREAMBLE), text, *header_size) : 0;
    cJSON *header = NULL;
    if (ok && sum == le32(crc)) {
        text[*header_size] = '\0';
        header = cJSON_Parse(text);
    }
    free(text);
    if (!header)
        fprintf(stderr, "athlete: info: '%s' has a corrupt header\n", path);
    return header;
}

static const char *field(const cJSON *h, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

int cmd_info(int argc, char **argv)
{
    if (argc != 1)
        return cli_usage_error(cli_find_command("info"), "info takes one checkpoint or policy file");
    uint32_t kind = 0;
    uint64_t header_size = 0;
    long long file_size = 0;
    errno = 0;
    cJSON *h = read_header(argv[0], &kind, &header_size, &file_size);
    if (!h)
        return EXIT_RUNTIME;
    athlete_error err;
    athlete_registry *reg = cli_open_registry(&err);
    athlete_agent *agent = NULL;
    athlete_policy_file *policy = NULL;
    int rc = EXIT_RUNTIME;
    if (!reg)
        rc = cli_fail("cannot create the registry", &err);
    else if (kind == 1 && athlete_agent_from_checkpoint(reg, argv[0], false, &agent, &err) != ATHLETE_OK)
        rc = cli_fail("load", &err);
    else if (kind == 2 && athlete_policy_file_load(reg, argv[0], &policy, &err) != ATHLETE_OK)
        rc = cli_fail("load", &err);
    else if (kind != 1 && kind != 2)
        fprintf(stderr, "athlete: info: '%s' has an unknown kind %u\n", argv[0], kind);
    else {
        const athlete_space *obs = agent ? athlete_agent_observation_space(agent) : athlete_policy_file_observation_space(policy);
        const athlete_space *act = agent ? athlete_agent_action_space(agent) : athlete_policy_file_action_space(policy);
        char o[200], a[200];
        printf("file:              %s\n", argv[0]);
        printf("kind:              %s\n", kind == 1 ? "full checkpoint" : "policy only");
        printf("algorithm:         %s (plugin %s %s)\n", field(h, "algorithm_id"), field(h, "plugin_name"),
               field(h, "plugin_version"));
        printf("written by:        athlete %s\n", field(h, "runtime_version"));
        printf("observation space: %s\n", athlete_space_describe(obs, o, sizeof o));
        printf("action space:      %s\n", athlete_space_describe(act, a, sizeof a));
        printf("seed:              %s\n", field(h, "seed"));
        if (agent) {
            const athlete_clock *c = athlete_agent_clock(agent);
            printf("steps:             %" PRIu64 "\n", c->interactions);
            printf("episodes:          %" PRIu64 "\n", c->episodes);
            if (athlete_agent_num_envs(agent) > 1)
                printf("environments:      %zu (a vector agent)\n", athlete_agent_num_envs(agent));
            printf("environment state: %s\n",
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "environment_state")) ? "yes" : "no");
        }
        printf("OpenBLAS kernel:   %s\n", field(h, "openblas_core"));
        printf("size:              %lld bytes (header %" PRIu64 ", records %lld)\n", file_size, header_size,
               file_size - (long long)(PREAMBLE + header_size + 4));
        if (agent && athlete_agent_load_warning(agent))
            printf("note:              %s\n", athlete_agent_load_warning(agent));
        rc = EXIT_SUCCESS;
    }
    cJSON_Delete(h);
    athlete_policy_file_destroy(policy);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    return rc;
}
