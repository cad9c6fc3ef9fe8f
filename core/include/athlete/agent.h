/* An agent: one algorithm instance a host feeds observations and asks for actions.
 *
 * Python Athlete          C
 * make(...)               athlete_agent_create
 * agent.reset_step(o)     athlete_agent_reset_step
 * agent.step(o,r,te,tr)   athlete_agent_step
 * agent.train()/eval()    athlete_agent_train / athlete_agent_eval
 * (environment info)      not taken: every built-in collector ignores it
 *
 * Observations and actions are flat float arrays in the convention of <athlete/space.h>.
 * Returned actions and infos are borrowed: they belong to the agent and stay valid until
 * the next call on it. An agent is not thread-safe; separate agents are independent.
 *
 * Failures. A call refused for its arguments or its order (a NULL pointer, an observation
 * outside its space or not finite, a non-finite reward, step without an episode in
 * progress) is refused before anything changes: the agent is exactly as it was. A failure
 * inside the algorithm during a training reset_step or step in the collector or an update
 * (e.g. a loss that became NaN) may leave the agent half-updated, so it becomes failed:
 * from then on training-mode reset_step and step,
 * save_checkpoint and save_policy fail with E_CALL_ORDER and a message quoting the first
 * failure; evaluation-mode calls still act (to inspect the policy) and change nothing.
 * Destroy a failed agent; load its last checkpoint to go on. A failure of the training
 * policy (e.g. a NaN action from a diverged network) comes after the step's updates are
 * complete: it ends the episode (the next call must be reset_step) and the agent stays
 * usable. An evaluation-mode call changes only the returned action and info, so its own
 * failure leaves the agent usable. */
#ifndef ATHLETE_AGENT_H
#define ATHLETE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/component.h>
#include <athlete/export.h>
#include <athlete/info.h>
#include <athlete/registry.h>
#include <athlete/space.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_agent athlete_agent;

/* seed: NULL draws a random seed (0 is a real seed). overrides_json: NULL or a JSON
 * object over the algorithm's defaults. The spaces are copied. The agent starts in
 * training mode. */
ATHLETE_API athlete_status athlete_agent_create(const athlete_registry *registry,
                                                const char *algorithm_id,
                                                const athlete_space *observation_space,
                                                const athlete_space *action_space,
                                                const uint64_t *seed, const char *overrides_json,
                                                athlete_agent **out, athlete_error *err);
ATHLETE_API void athlete_agent_destroy(athlete_agent *agent);

/* ---- Vector agents: one agent, N environments ----
 * Observations and actions travel as N rows ([N x observation] -> [N x action]); the
 * host steps N environments with same-step autoreset (as <athlete/vector-env.h>): when
 * environment i's episode ends, the step reports its reward and flags, `observations` row
 * i is the first observation of i's next episode and `final_observations` row i the last
 * observation of the finished one (what learners bootstrap from). The training policy
 * acts on all N rows in one batched call.
 *
 * The clock counts environment interactions: N per step call. Schedules keep their
 * single-environment meaning in interactions (an update every k interactions runs at the
 * same interaction counts as with one environment, several times in one call when k < N),
 * and warmup_steps, epsilon decay and the like count interactions too. PPO's
 * steps_per_update counts steps per environment (its rollouts hold steps_per_update x N
 * transitions, GAE runs per environment). With num_envs = 1 every call does exactly what
 * reset_step/step do. A vector agent with N > 1 refuses the single-environment calls in
 * training mode; in evaluation mode they act for one environment (a greedy evaluation
 * on a single environment). */
#define ATHLETE_AGENT_MAX_ENVS 65536
ATHLETE_API athlete_status athlete_agent_create_vector(const athlete_registry *registry,
                                                       const char *algorithm_id,
                                                       const athlete_space *observation_space,
                                                       const athlete_space *action_space, size_t num_envs,
                                                       const uint64_t *seed, const char *overrides_json,
                                                       athlete_agent **out, athlete_error *err);
ATHLETE_API size_t athlete_agent_num_envs(const athlete_agent *agent);
/* Every environment starts an episode (N observation rows). *actions: N rows, borrowed
 * until the next call; *info: the update log. Evaluation mode: the evaluation policy. */
ATHLETE_API athlete_status athlete_agent_vector_reset_step(athlete_agent *agent, const float *observations,
                                                           const float **actions, const athlete_info **info,
                                                           athlete_error *err);
/* The N environments answered the last actions. final_observations may be NULL only when
 * no episode ended. *actions: the next N actions (rows whose episode ended start the next
 * episode); *info: the merged update logs of the call. Evaluation mode: only
 * `observations` and the flags (an ended row starts an episode) are used. */
ATHLETE_API athlete_status athlete_agent_vector_step(athlete_agent *agent, const float *observations,
                                                     const float *final_observations, const double *rewards,
                                                     const bool *terminated, const bool *truncated,
                                                     const float **actions, const athlete_info **info,
                                                     athlete_error *err);

/* A new episode began with `observation`. Training mode: collects, runs due updates,
 * returns the training policy's first action; *info is the update log only (as the
 * original). Evaluation mode: the evaluation policy's action and info. */
ATHLETE_API athlete_status athlete_agent_reset_step(athlete_agent *agent, const float *observation,
                                                    const float **action, const athlete_info **info,
                                                    athlete_error *err);
/* The environment answered the last action. Training mode: collects the transition,
 * advances the clock, runs due updates; when the episode ended *action is NULL and *info
 * the update log, otherwise the next action and policy info merged with the log.
 * Evaluation mode: only `observation` is used. */
ATHLETE_API athlete_status athlete_agent_step(athlete_agent *agent, const float *observation,
                                              double reward, bool terminated, bool truncated,
                                              const float **action, const athlete_info **info,
                                              athlete_error *err);
ATHLETE_API void athlete_agent_train(athlete_agent *agent);
ATHLETE_API void athlete_agent_eval(athlete_agent *agent);
ATHLETE_API bool athlete_agent_is_training(const athlete_agent *agent);

/* The training policy's pending action (a vector agent: its N rows): what the last
 * training call returned, or NULL when no episode is in progress. After loading a checkpoint with environment state this
 * is the action to apply to the restored environment. Borrowed. */
ATHLETE_API const float *athlete_agent_last_action(const athlete_agent *agent);
/* The info of the last call (borrowed). */
ATHLETE_API const athlete_info *athlete_agent_info(const athlete_agent *agent);
ATHLETE_API const athlete_clock *athlete_agent_clock(const athlete_agent *agent);
ATHLETE_API const char *athlete_agent_algorithm_id(const athlete_agent *agent);
ATHLETE_API uint64_t athlete_agent_seed(const athlete_agent *agent);
ATHLETE_API const athlete_space *athlete_agent_observation_space(const athlete_agent *agent);
ATHLETE_API const athlete_space *athlete_agent_action_space(const athlete_agent *agent);
/* The merged configuration as JSON (athlete_free it). */
ATHLETE_API athlete_status athlete_agent_config_json(const athlete_agent *agent, bool pretty,
                                                     char **json, athlete_error *err);

/* ---- Checkpoints ----
 * A checkpoint is one file holding the agent's complete state (see docs in README,
 * "Checkpoint format"): networks, optimiser moments, replay buffer, clock, every RNG.
 * path NULL: "checkpoints/<id>_<DD-MM-YYYY_HH-MM-SS>" under the working directory.
 * With save_environment_state the episode in progress is saved too (collector data, last
 * action), so training can continue with step() after loading. Writing is atomic: a
 * failed or interrupted save leaves any previous file at `path` intact. *saved_path (may
 * be NULL) receives the path written; athlete_free it. */
ATHLETE_API athlete_status athlete_agent_save_checkpoint(athlete_agent *agent, const char *path,
                                                         bool save_environment_state,
                                                         char **saved_path, athlete_error *err);
/* Loads a checkpoint into a new agent (training mode) through the registry's plugin for
 * its algorithm. Everything is validated before the agent is handed back.
 * load_environment_state on a checkpoint saved without it is E_CHECKPOINT_MISMATCH. */
ATHLETE_API athlete_status athlete_agent_from_checkpoint(const athlete_registry *registry,
                                                         const char *path,
                                                         bool load_environment_state,
                                                         athlete_agent **out, athlete_error *err);

/* A harmless mismatch noticed by the last from_checkpoint (e.g. the checkpoint was written
 * under another OpenBLAS kernel, so results may differ in the last bits), or NULL. */
ATHLETE_API const char *athlete_agent_load_warning(const athlete_agent *agent);

/* ---- Policy-only files (the original's roadmap item) ----
 * Just what the evaluation policy needs to act: no replay buffer, no optimiser, no
 * training clock. A full checkpoint is rejected where a policy file is expected and the
 * other way round. */
ATHLETE_API athlete_status athlete_agent_save_policy(athlete_agent *agent, const char *path,
                                                     athlete_error *err);

/* An inference-only policy loaded from a policy file (not to be confused with the SDK's
 * athlete_policy, the component an algorithm builds). */
typedef struct athlete_policy_file athlete_policy_file;
ATHLETE_API athlete_status athlete_policy_file_load(const athlete_registry *registry, const char *path,
                                                    athlete_policy_file **out, athlete_error *err);
ATHLETE_API void athlete_policy_file_destroy(athlete_policy_file *policy);
/* The evaluation policy's action for `observation` (borrowed until the next call).
 * first_of_episode: true for an episode's first observation (the policy's reset_act). */
ATHLETE_API athlete_status athlete_policy_file_act(athlete_policy_file *policy, const float *observation,
                                                   bool first_of_episode, const float **action,
                                                   athlete_error *err);
ATHLETE_API const athlete_space *athlete_policy_file_observation_space(const athlete_policy_file *policy);
ATHLETE_API const athlete_space *athlete_policy_file_action_space(const athlete_policy_file *policy);
ATHLETE_API const char *athlete_policy_file_algorithm_id(const athlete_policy_file *policy);

/* Calls an extension method by name (see athlete_method in <athlete/plugin.h>).
 * args_json is a JSON array of the arguments ("[]" or NULL for none); *result_json
 * receives the return value as JSON ("0.42", "null" for void); athlete_free it. */
ATHLETE_API athlete_status athlete_agent_call(athlete_agent *agent, const char *method,
                                              const char *args_json, char **result_json,
                                              athlete_error *err);
/* The algorithm's extension methods (borrowed; ended by name NULL; may be NULL). */
ATHLETE_API const athlete_method *athlete_agent_methods(const athlete_agent *agent);

ATHLETE_END_DECLS

#endif
