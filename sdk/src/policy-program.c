/* Policy programs (see <athlete/policy-program.h>). */
#include <athlete/policy-program.h>

#include <string.h>

void athlete_policy_program_init(athlete_policy_program *program)
{
    memset(program, 0, sizeof *program);
    program->struct_size = sizeof *program;
}

size_t athlete_policy_program_output_size(const athlete_policy_program *program)
{
    return program->layer_count ? program->layers[program->layer_count - 1].out : 0;
}

athlete_status athlete_policy_program_add_mlp(athlete_policy_program *program, const athlete_mlp *mlp,
                                              athlete_error *err)
{
    if (!program || !mlp)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "policy program: NULL argument");
    size_t layers = athlete_mlp_layer_count(mlp);
    if (program->layer_count + layers > ATHLETE_PROGRAM_MAX_LAYERS)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "policy program: %zu + %zu layers exceed the maximum of %d",
                                 program->layer_count, layers, ATHLETE_PROGRAM_MAX_LAYERS);
    if (program->layer_count && athlete_policy_program_output_size(program) != athlete_mlp_input_size(mlp))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "policy program: the network takes %zu inputs, the previous layer gives %zu",
                                 athlete_mlp_input_size(mlp), athlete_policy_program_output_size(program));
    const size_t *widths = athlete_mlp_widths(mlp, NULL);
    const float *params = athlete_mlp_params(mlp);
    for (size_t l = 0; l < layers; l++) {
        athlete_program_layer *layer = &program->layers[program->layer_count++];
        layer->in = widths[l];
        layer->out = widths[l + 1];
        layer->weights = params + athlete_mlp_weight_offset(mlp, l);
        layer->bias = params + athlete_mlp_bias_offset(mlp, l);
        layer->activation = l + 1 < layers ? athlete_mlp_hidden_activation(mlp) : athlete_mlp_output_activation(mlp);
    }
    return ATHLETE_OK;
}
