/* Multi-layer perceptrons with PyTorch semantics, over OpenBLAS (row-major, batch × features).
 *
 * A network owns two contiguous float arrays of athlete_mlp_param_count() entries: the
 * parameters and their gradients. Layout, for layer l = 0 .. layers-1 with
 * in = widths[l] and out = widths[l+1]:
 *     W_l[in][out] (row-major) at athlete_mlp_weight_offset(l), then b_l[out] at
 *     athlete_mlp_bias_offset(l); layers follow each other without gaps,
 * and a layer computes y = x W_l + b_l for row vectors x. W_l is the TRANSPOSE of
 * torch's nn.Linear.weight (out × in): y = x W keeps the forward GEMM untransposed, which
 * OpenBLAS runs faster at these sizes (bench/bench-nn.c); transpose when exchanging
 * weights with PyTorch. The activation runs between layers (`hidden`) and after the last
 * one (`output`).
 *
 * Activations kept for backward live in a separate workspace sized for a maximum batch,
 * so one network can be evaluated on two batches (Q(s) and Q(s')) and a target network
 * (another mlp of the same shape) can share workspaces. forward, backward and
 * backward_input never allocate. Nothing here is thread-safe. */
#ifndef ATHLETE_MLP_H
#define ATHLETE_MLP_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/export.h>
#include <athlete/rng.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_activation {
    ATHLETE_ACTIVATION_IDENTITY = 0,
    ATHLETE_ACTIVATION_RELU = 1,
    ATHLETE_ACTIVATION_TANH = 2,
} athlete_activation;

/* "identity", "relu", "tanh"; NULL for an unknown value. */
ATHLETE_API const char *athlete_activation_name(athlete_activation activation);
/* The reverse (case-insensitive), for configuration strings; ATHLETE_E_INVALID_ARGUMENT
 * naming the bad value otherwise. */
ATHLETE_API athlete_status athlete_activation_parse(const char *name, athlete_activation *out,
                                                   athlete_error *err);

typedef struct athlete_mlp athlete_mlp;
typedef struct athlete_mlp_workspace athlete_mlp_workspace;

/* widths = {input, hidden..., output}, n_widths >= 2, every width > 0. Parameters and
 * gradients start at zero: call an init function. Also sets OpenBLAS to one thread
 * (athlete_blas_use_default_threads). */
ATHLETE_API athlete_status athlete_mlp_create(const size_t *widths, size_t n_widths,
                                             athlete_activation hidden, athlete_activation output,
                                             athlete_mlp **out, athlete_error *err);
/* A new network with the same shape, activations and parameters (gradients zero). */
ATHLETE_API athlete_status athlete_mlp_clone(const athlete_mlp *src, athlete_mlp **out,
                                            athlete_error *err);
ATHLETE_API void athlete_mlp_destroy(athlete_mlp *mlp);

/* Shape. widths() returns the network's own copy of the n_widths widths. */
ATHLETE_API const size_t *athlete_mlp_widths(const athlete_mlp *mlp, size_t *n_widths);
ATHLETE_API size_t athlete_mlp_layer_count(const athlete_mlp *mlp); /* n_widths - 1 */
ATHLETE_API size_t athlete_mlp_input_size(const athlete_mlp *mlp);
ATHLETE_API size_t athlete_mlp_output_size(const athlete_mlp *mlp);
ATHLETE_API athlete_activation athlete_mlp_hidden_activation(const athlete_mlp *mlp);
ATHLETE_API athlete_activation athlete_mlp_output_activation(const athlete_mlp *mlp);
/* Same widths (activations may differ): the condition for copy_params and workspaces. */
ATHLETE_API bool athlete_mlp_same_shape(const athlete_mlp *a, const athlete_mlp *b);

/* The contiguous arrays (athlete_mlp_param_count() floats each). Like strchr, these take a
 * const network so target updates can read a const source; writing through them is fine
 * for a network you own. Valid until the network is destroyed. */
ATHLETE_API size_t athlete_mlp_param_count(const athlete_mlp *mlp);
ATHLETE_API float *athlete_mlp_params(const athlete_mlp *mlp);
ATHLETE_API float *athlete_mlp_grads(const athlete_mlp *mlp);
/* Offsets (in floats) of W_l and b_l inside params/grads; layer < layer_count. */
ATHLETE_API size_t athlete_mlp_weight_offset(const athlete_mlp *mlp, size_t layer);
ATHLETE_API size_t athlete_mlp_bias_offset(const athlete_mlp *mlp, size_t layer);

/* PyTorch nn.Linear default: W and b each U(-1/sqrt(in), 1/sqrt(in)), drawn layer by layer
 * in storage order (W then b). */
ATHLETE_API void athlete_mlp_init_default(athlete_mlp *mlp, athlete_rng *rng);
/* torch.nn.init.orthogonal_ per layer (QR of a Gaussian matrix in float64, signs fixed by
 * diag(R)) of torch's out × in weight, stored transposed as above; times hidden_gain for
 * every layer but the last and output_gain for the last; biases 0. With M the stored
 * in × out matrix: M^T M = gain^2 I when out <= in, M M^T = gain^2 I otherwise.
 * Allocates scratch (ATHLETE_E_NO_MEMORY). */
ATHLETE_API athlete_status athlete_mlp_init_orthogonal(athlete_mlp *mlp, athlete_rng *rng,
                                                      double hidden_gain, double output_gain,
                                                      athlete_error *err);
/* dst.params = src.params; ATHLETE_E_INVALID_ARGUMENT if the widths differ. */
ATHLETE_API athlete_status athlete_mlp_copy_params(athlete_mlp *dst, const athlete_mlp *src,
                                                  athlete_error *err);
/* Gradients = 0 (backward accumulates, as in PyTorch). */
ATHLETE_API void athlete_mlp_zero_grad(athlete_mlp *mlp);

/* Buffers for forward/backward of any network shaped like mlp, batches up to max_batch. */
ATHLETE_API athlete_status athlete_mlp_workspace_create(const athlete_mlp *mlp, size_t max_batch,
                                                       athlete_mlp_workspace **out,
                                                       athlete_error *err);
ATHLETE_API void athlete_mlp_workspace_destroy(athlete_mlp_workspace *ws);
ATHLETE_API size_t athlete_mlp_workspace_max_batch(const athlete_mlp_workspace *ws);
/* Rows of the last forward pass (0 before the first). */
ATHLETE_API size_t athlete_mlp_workspace_batch(const athlete_mlp_workspace *ws);
/* What entered layer `layer` in the last forward (batch × widths[layer]): the input for
 * layer 0, the activated output of layer - 1 otherwise (the last hidden layer's output,
 * a policy's latent features, for layer_count - 1). Valid until the next forward on ws;
 * NULL before the first forward or for layer >= layer_count. */
ATHLETE_API const float *athlete_mlp_workspace_layer_input(const athlete_mlp_workspace *ws, size_t layer);

/* output = net(input) for `batch` rows of input_size floats; returns the workspace's
 * output buffer (batch × output_size), valid until the next forward on this workspace.
 * The workspace keeps every layer's activations AND borrows `input`: keep input alive and
 * unchanged, and the parameters unchanged, until the matching backward is done.
 * Returns NULL (a programming error, nothing computed) if batch is 0 or above max_batch,
 * input is NULL or the workspace was made for another shape. */
ATHLETE_API const float *athlete_mlp_forward(const athlete_mlp *mlp, athlete_mlp_workspace *ws,
                                            const float *input, size_t batch);

/* Backward of the last forward on ws: d_output is dLoss/dOutput (batch × output_size).
 * ACCUMULATES dLoss/dParams into grads (call zero_grad first, as in PyTorch). If d_input
 * is not NULL it receives dLoss/dInput (batch × input_size, overwritten).
 * ATHLETE_E_CALL_ORDER if ws holds no forward pass, ATHLETE_E_INVALID_ARGUMENT if ws was
 * made for another shape or d_output is NULL. */
ATHLETE_API athlete_status athlete_mlp_backward(athlete_mlp *mlp, athlete_mlp_workspace *ws,
                                               const float *d_output, float *d_input,
                                               athlete_error *err);
/* Only dLoss/dInput (grads untouched, no weight-gradient GEMMs): an actor's update through
 * a frozen critic (dQ/da). Same errors as backward; d_input must not be NULL. */
ATHLETE_API athlete_status athlete_mlp_backward_input(const athlete_mlp *mlp,
                                                     athlete_mlp_workspace *ws,
                                                     const float *d_output, float *d_input,
                                                     athlete_error *err);

ATHLETE_END_DECLS

#endif
