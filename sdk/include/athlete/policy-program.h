/* A policy program: what an evaluation policy computes, described as data, so that a
 * trained policy can be turned into dependency-free C (athlete_policy_export_c) without
 * the exporter knowing any algorithm.
 *
 * A plugin fills one from its loaded state (athlete_state_ops.describe_policy). The
 * program is a straight line:
 *
 *   1. observation check: the exported code refuses a non-finite observation, a Box
 *      element outside finite bounds, or a Discrete value that is not an integer in range,
 *      exactly as the agent does;
 *   2. optional normalisation, per element: x = (x - observation_shift) * observation_scale;
 *   3. dense layers, y = x W + b with W stored in × out row-major (athlete_mlp's layout,
 *      the transpose of torch's nn.Linear.weight), each followed by its activation;
 *   4. the output head:
 *      VALUES   action[j] = out[j] for j < action size (the first outputs: a squashed
 *               Gaussian actor's means come before its log-stds), then tanh when
 *               output_tanh, then action * action_scale + action_offset when those are set
 *               (ddpg/td3 actors, sac's squashed mean, ppo's Gaussian mean);
 *      ARGMAX   action = discrete start + the first index of the largest output
 *               (dqn's greedy Q, ppo's categorical mode); a non-finite output is an error;
 *      TABLE    a Discrete observation selects a row of `table` (rows × action count,
 *               float64) and the action is the start + its first maximal entry (q_learning's
 *               greedy policy; no layers).
 *
 * Every pointer is borrowed from the state that filled the program and stays valid while
 * that state lives and is not trained further. Nothing here allocates. */
#ifndef ATHLETE_POLICY_PROGRAM_H
#define ATHLETE_POLICY_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>
#include <athlete/mlp.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

#define ATHLETE_PROGRAM_MAX_LAYERS 16

typedef struct athlete_program_layer {
    size_t in, out;
    const float *weights; /* in × out, row-major */
    const float *bias;    /* out floats; NULL: no bias */
    athlete_activation activation;
} athlete_program_layer;

typedef enum athlete_program_head {
    ATHLETE_PROGRAM_HEAD_VALUES = 1,
    ATHLETE_PROGRAM_HEAD_ARGMAX = 2,
    ATHLETE_PROGRAM_HEAD_TABLE = 3,
} athlete_program_head;

typedef struct athlete_policy_program {
    size_t struct_size;
    /* One line for the generated header, e.g. "greedy argmax of the Q network". */
    const char *summary;
    /* Normalisation (both NULL: none), observation flat size floats each. */
    const float *observation_shift, *observation_scale;
    size_t layer_count;
    athlete_program_layer layers[ATHLETE_PROGRAM_MAX_LAYERS];
    athlete_program_head head;
    /* VALUES */
    bool output_tanh;
    const float *action_scale, *action_offset; /* both NULL: none */
    /* TABLE */
    const double *table;
    size_t table_rows, table_columns;
} athlete_policy_program;

/* Zeroes a program and sets its struct_size. */
ATHLETE_API void athlete_policy_program_init(athlete_policy_program *program);

/* Appends every layer of `mlp` (its hidden activation after each layer but the last, its
 * output activation after the last). The weights are borrowed from the network.
 * ATHLETE_E_INVALID_ARGUMENT when the program would exceed ATHLETE_PROGRAM_MAX_LAYERS or
 * the network's input does not match the previous layer's output. */
ATHLETE_API athlete_status athlete_policy_program_add_mlp(athlete_policy_program *program,
                                                         const athlete_mlp *mlp, athlete_error *err);

/* Size of the last layer's output (0 without layers). */
ATHLETE_API size_t athlete_policy_program_output_size(const athlete_policy_program *program);

ATHLETE_END_DECLS

#endif
