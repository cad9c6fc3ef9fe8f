/* Exporting a trained policy as dependency-free C99.
 *
 * athlete_policy_export_c loads a full checkpoint or a policy-only file, asks the
 * algorithm's plugin to describe its evaluation policy (athlete_state_ops.describe_policy,
 * a policy program: <athlete/policy-program.h>) and writes NAME.c and NAME.h:
 *
 *   int NAME_act(const float observation[OBS], float action[ACT]);
 *   int NAME_act_discrete(const float observation[OBS]);            Discrete actions only
 *   int NAME_outputs(const float observation[OBS], float outputs[N]);  networks only
 *
 * The code compiles with `cc -std=c99 -pedantic -Wall -Wextra -Werror`, allocates nothing,
 * writes no global (reentrant), keeps the weights in static const arrays and writes the
 * forward pass out for the network's exact shape; it needs libm only for tanhf. NAME_act
 * returns NAME_OK (0), NAME_E_OBSERVATION (a non-finite observation, outside finite
 * bounds, or not a value of a Discrete space: refused as the agent refuses it) or
 * NAME_E_NON_FINITE (the network produced NaN or inf). The header documents the spaces,
 * the algorithm, the source file's SHA-256, and the flash (constant bytes) and stack
 * (array bytes) the code needs.
 *
 * It does what the evaluation policy does, with one stated difference: sums run in another
 * order than OpenBLAS's (continuous actions differ in the last bits; a discrete action can
 * differ only where two outputs are equal to within that rounding), and q_learning's
 * random tie-break becomes the first maximal action. */
#ifndef ATHLETE_POLICY_EXPORT_H
#define ATHLETE_POLICY_EXPORT_H

#include <stddef.h>

#include <athlete/export.h>
#include <athlete/registry.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* How weights are stored. float16 and int8 shrink flash by 2x and 4x and add the error the
 * report states (float16: round to nearest, relative error <= 2^-11 per weight; int8: one
 * scale per output neuron, max |w| / 127, absolute error <= scale / 2 per weight). */
typedef enum athlete_export_storage {
    ATHLETE_EXPORT_FLOAT32 = 0,
    ATHLETE_EXPORT_FLOAT16 = 1,
    ATHLETE_EXPORT_INT8 = 2,
} athlete_export_storage;

typedef struct athlete_export_options {
    size_t struct_size;
    athlete_export_storage storage;
} athlete_export_options;

/* What the export wrote (optional output). */
typedef struct athlete_export_report {
    size_t struct_size;             /* set by the caller */
    size_t flash_bytes;             /* bytes of static const data */
    size_t stack_bytes;             /* bytes of arrays on the stack of NAME_act */
    size_t observation_size, action_size, output_size;
    double max_weight_error;        /* largest |stored - trained| weight (0 for float32) */
    char source_sha256[65];         /* hex SHA-256 of the source file */
    char algorithm_id[64];
} athlete_export_report;

/* "float32", "float16", "int8"; ATHLETE_E_INVALID_ARGUMENT naming the bad value
 * ("export: unknown storage 'f8' (expected f32, f16 or int8)"); "f32"/"f16" are accepted. */
ATHLETE_API athlete_status athlete_export_storage_parse(const char *text, athlete_export_storage *out,
                                                        athlete_error *err);

/* Writes c_path and h_path (h_path is what c_path #includes, by its base name). `name`
 * prefixes every identifier: a C identifier of at most 48 characters ([A-Za-z_][A-Za-z0-9_]*).
 * options NULL: float32. Errors: the loading errors of the file, ATHLETE_E_UNSUPPORTED when
 * the algorithm cannot describe its policy, ATHLETE_E_INVALID_ARGUMENT for a bad name,
 * ATHLETE_E_NON_FINITE for a NaN or infinite weight, ATHLETE_E_IO. */
ATHLETE_API athlete_status athlete_policy_export_c(const athlete_registry *registry, const char *path,
                                                   const char *name, const char *c_path, const char *h_path,
                                                   const athlete_export_options *options,
                                                   athlete_export_report *report, athlete_error *err);

ATHLETE_END_DECLS

#endif
