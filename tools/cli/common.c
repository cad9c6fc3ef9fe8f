/* Messages, argument parsing and "did you mean" shared by the subcommands. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_fail(const char *what, const athlete_error *err)
{
    fprintf(stderr, "athlete: %s: %s\n", what, err->message);
    return EXIT_RUNTIME;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "athlete: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: athlete %s\nRun 'athlete %s --help' for the options.\n", cmd->synopsis, cmd->name);
    return EXIT_USAGE;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

bool cli_parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || *text == '-' || *text == '+' || !*text || isspace((unsigned char)*text))
        return false;
    *out = v;
    return true;
}

athlete_registry *cli_open_registry(athlete_error *err)
{
    athlete_registry *reg = NULL;
    if (athlete_registry_create(NULL, &reg, err) != ATHLETE_OK)
        return NULL;
    return reg;
}

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cli_nearest(const char *name, const char *const *known, size_t count)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, len = strlen(name);
    for (size_t i = 0; i < count; i++) {
        size_t d = distance(name, known[i]);
        /* "cartpole" for "CartPole-v1": a known name that starts with the given one. */
        if (len >= 3 && strncasecmp(known[i], name, len) == 0 && d > 1)
            d = 1;
        /* "FrozenPond-v1" for "FrozenLake-v1": the first half of the name is right. */
        size_t half = len / 2 > 4 ? len / 2 : 4;
        if (len >= 8 && strncasecmp(known[i], name, half) == 0 && d > 2)
            d = 2;
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    size_t limit = len / 3 + 1;
    return best_d <= (limit > 3 ? 3 : limit) ? best : NULL;
}

athlete_status cli_env_create(const char *id, const char *options_json, athlete_env **out, athlete_error *err)
{
    athlete_status st = athlete_env_create(id, options_json, out, err);
    const char *const *ids;
    size_t n = athlete_env_list(&ids);
    bool known = false;
    for (size_t i = 0; i < n; i++)
        known = known || strcmp(ids[i], id) == 0;
    const char *near = known ? NULL : cli_nearest(id, ids, n);
    if (st != ATHLETE_OK && near)
        st = athlete_error_set(err, st, "unknown environment id '%.40s'; did you mean '%s'? (see 'athlete envs')", id,
                               near);
    return st;
}

void cli_suggest_algorithm(const athlete_registry *registry, const char *id, athlete_error *err)
{
    if (!err || err->status != ATHLETE_E_UNKNOWN_ALGORITHM)
        return;
    const char *const *ids;
    size_t n = athlete_registry_list(registry, &ids);
    const char *near = cli_nearest(id, ids, n);
    if (near)
        athlete_error_set(err, ATHLETE_E_UNKNOWN_ALGORITHM,
                          "algorithm '%.40s' not found in the registry; did you mean '%s'? (see 'athlete list')", id,
                          near);
}
