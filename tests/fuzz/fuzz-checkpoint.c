/* libFuzzer target: arbitrary bytes as a checkpoint file must give a status, never a
 * crash, a leak or undefined behaviour (run under ASan+UBSan, see tools/fuzz.sh).
 * Both readers are exercised: the record-stream parser directly, and the whole loader
 * (header, CRCs, plugin lookup, component loads) through a file. */
#include <athlete/athlete.h>
#include <athlete/checkpoint.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static athlete_registry *registry;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

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
    snprintf(path, sizeof path, "/tmp/athlete-fuzz-%ld", (long)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    athlete_error err;
    athlete_reader *reader = NULL;
    if (athlete_reader_create(data, size, "fuzz", &reader, &err) == ATHLETE_OK) {
        size_t n;
        athlete_reader_count(reader, "end", ATHLETE_RECORD_U64, &n, &err);
        athlete_reader_destroy(reader);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    athlete_agent *agent = NULL;
    if (athlete_agent_from_checkpoint(registry, path, true, &agent, &err) == ATHLETE_OK)
        athlete_agent_destroy(agent);
    athlete_policy_file *policy = NULL;
    if (athlete_policy_file_load(registry, path, &policy, &err) == ATHLETE_OK)
        athlete_policy_file_destroy(policy);
    return 0;
}
