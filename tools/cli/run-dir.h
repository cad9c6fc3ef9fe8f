/* Run folders: runs/<algo>_<env>_<n>/ with run.json (settings, command lines, versions),
 * config.json, metrics.jsonl, checkpoints/step_<N>.ckpt, final.ckpt, best.ckpt and
 * best.policy. Each checkpoint X.ckpt has a state file X.state.json: where the training
 * loop stood (counters, the episode in progress, the environment's state, the metrics
 * file's length and aggregation window, the best evaluation), so a resumed run continues
 * exactly. */
#ifndef ATHLETE_CLI_RUN_DIR_H
#define ATHLETE_CLI_RUN_DIR_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Creates `requested`, or the first free runs/<algo>_<env>_<n> (n = 1, 2, ...). Returns
 * the malloc'ed path or NULL with msg set. */
char *run_dir_create(const char *requested, const char *algorithm, const char *env_id, char *msg, size_t msg_size);

/* Writes text to path through a fresh temporary file and rename, so a reader sees the old
 * or the new content. */
bool run_write_file(const char *path, const char *text, char *msg, size_t msg_size);
/* Parses a JSON file (at most 64 MB); NULL with msg set. */
cJSON *run_read_json(const char *path, char *msg, size_t msg_size);

/* "dir/name" (malloc'ed). */
char *run_path(const char *dir, const char *name);
/* mkdir -p: the directory and every missing parent; 0 also when it exists already. */
int run_make_dirs(const char *path);

/* The newest checkpoint of a run folder (largest "step" in its state file): final or
 * checkpoints/step_N. Returns the malloc'ed checkpoint path (its state file is the same
 * path with ".ckpt" replaced by ".state.json") or NULL with msg set. */
char *run_newest_checkpoint(const char *dir, char *msg, size_t msg_size);
/* X.ckpt -> X.state.json (malloc'ed). */
char *run_state_path(const char *checkpoint_path);

/* Removes periodic checkpoints (and their state files) beyond the newest `keep`. */
void run_prune_checkpoints(const char *dir, uint64_t keep);

/* Bytes as lowercase hex and back (malloc'ed; NULL on bad input). */
char *run_hex_encode(const void *data, size_t size);
void *run_hex_decode(const char *hex, size_t *size);

#endif
