/* Policy programs (<athlete/policy-program.h>): an MLP's layers borrowed in order with their
 * activations, the chaining and size checks with their exact messages, and the actor
 * policies' programs (deterministic: VALUES scaled; squashed Gaussian: tanh of the means). */
#include <athlete/actors.h>
#include <athlete/mlp.h>
#include <athlete/policy-program.h>
#include <athlete/scaling.h>

#include "test-util.h"

static athlete_mlp *mlp(const size_t *widths, size_t n, athlete_activation hidden, athlete_activation output)
{
    athlete_mlp *m = NULL;
    athlete_error err;
    ck_assert_ok(athlete_mlp_create(widths, n, hidden, output, &m, &err), &err);
    return m;
}

START_TEST(layers_of_an_mlp)
{
    const size_t widths[] = {3, 8, 5, 2};
    athlete_mlp *m = mlp(widths, 4, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_TANH);
    athlete_policy_program p;
    athlete_policy_program_init(&p);
    ck_assert_uint_eq(p.struct_size, sizeof p);
    ck_assert_uint_eq(athlete_policy_program_output_size(&p), 0);
    athlete_error err;
    ck_assert_ok(athlete_policy_program_add_mlp(&p, m, &err), &err);
    ck_assert_uint_eq(p.layer_count, 3);
    const float *params = athlete_mlp_params(m);
    for (size_t l = 0; l < 3; l++) {
        ck_assert_uint_eq(p.layers[l].in, widths[l]);
        ck_assert_uint_eq(p.layers[l].out, widths[l + 1]);
        ck_assert_ptr_eq(p.layers[l].weights, params + athlete_mlp_weight_offset(m, l));
        ck_assert_ptr_eq(p.layers[l].bias, params + athlete_mlp_bias_offset(m, l));
        ck_assert_int_eq(p.layers[l].activation, l < 2 ? ATHLETE_ACTIVATION_RELU : ATHLETE_ACTIVATION_TANH);
    }
    ck_assert_uint_eq(athlete_policy_program_output_size(&p), 2);
    /* a second network continues the first: 2 -> 4 */
    const size_t next[] = {2, 4};
    athlete_mlp *m2 = mlp(next, 2, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY);
    ck_assert_ok(athlete_policy_program_add_mlp(&p, m2, &err), &err);
    ck_assert_uint_eq(p.layer_count, 4);
    ck_assert_int_eq(p.layers[3].activation, ATHLETE_ACTIVATION_IDENTITY);
    ck_assert_uint_eq(athlete_policy_program_output_size(&p), 4);
    /* ...but not one that does not */
    ck_assert_fails(athlete_policy_program_add_mlp(&p, m, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "policy program: the network takes 3 inputs, the previous layer gives 4");
    ck_assert_uint_eq(p.layer_count, 4);
    athlete_mlp_destroy(m);
    athlete_mlp_destroy(m2);
}
END_TEST

START_TEST(too_many_layers)
{
    const size_t widths[] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    athlete_mlp *m = mlp(widths, 10, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY);
    athlete_policy_program p;
    athlete_policy_program_init(&p);
    athlete_error err;
    ck_assert_ok(athlete_policy_program_add_mlp(&p, m, &err), &err);
    ck_assert_fails(athlete_policy_program_add_mlp(&p, m, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "policy program: 9 + 9 layers exceed the maximum of 16");
    ck_assert_fails(athlete_policy_program_add_mlp(&p, NULL, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "policy program: NULL argument");
    athlete_mlp_destroy(m);
}
END_TEST

START_TEST(actor_programs)
{
    const float low[2] = {-2.0f, 0.0f}, high[2] = {2.0f, 1.0f};
    size_t shape = 2;
    athlete_space box = athlete_space_box(1, &shape, low, high);
    athlete_action_scaling *scaling;
    athlete_error err;
    ck_assert_ok(athlete_action_scaling_create(&box, "test", &scaling, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    const size_t hidden[] = {6};
    for (int kind = ATHLETE_ACTOR_DETERMINISTIC; kind <= ATHLETE_ACTOR_SQUASHED_GAUSSIAN; kind++) {
        athlete_mlp *actor;
        ck_assert_ok(athlete_actor_network_create((athlete_actor_kind)kind, 3, 2, hidden, 1, true, &rng, &actor, &err),
                     &err);
        athlete_policy_program p;
        athlete_policy_program_init(&p);
        ck_assert_ok(athlete_actor_policy_program((athlete_actor_kind)kind, actor, scaling, &p, &err), &err);
        ck_assert_int_eq(p.head, ATHLETE_PROGRAM_HEAD_VALUES);
        ck_assert_uint_eq(p.layer_count, 2);
        ck_assert_ptr_eq(p.action_scale, athlete_action_scaling_scale(scaling));
        ck_assert_ptr_eq(p.action_offset, athlete_action_scaling_offset(scaling));
        if (kind == ATHLETE_ACTOR_DETERMINISTIC) { /* the network squashes; the head only scales */
            ck_assert(!p.output_tanh);
            ck_assert_int_eq(p.layers[1].activation, ATHLETE_ACTIVATION_TANH);
            ck_assert_uint_eq(athlete_policy_program_output_size(&p), 2);
        } else { /* means then log-stds; the head takes tanh of the means */
            ck_assert(p.output_tanh);
            ck_assert_int_eq(p.layers[1].activation, ATHLETE_ACTIVATION_IDENTITY);
            ck_assert_uint_eq(athlete_policy_program_output_size(&p), 4);
        }
        ck_assert_fails(athlete_actor_policy_program((athlete_actor_kind)kind, actor, NULL, &p, &err), &err,
                        ATHLETE_E_INVALID_ARGUMENT, "actor policy program: NULL argument");
        athlete_mlp_destroy(actor);
    }
    athlete_action_scaling_destroy(scaling);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy-program");
    TCase *tc = tcase_create("policy-program");
    tcase_add_test(tc, layers_of_an_mlp);
    tcase_add_test(tc, too_many_layers);
    tcase_add_test(tc, actor_programs);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
