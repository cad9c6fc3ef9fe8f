/* Continuous action-value critics (see <athlete/critics.h>). */
#include <athlete/critics.h>

#include <athlete/alloc.h>
#include <athlete/loss.h>

#include <math.h>
#include <string.h>

struct athlete_critic {
    size_t obs_size, action_size, max_batch;
    athlete_mlp *net, *target;
    athlete_mlp_workspace *ws, *target_ws;
    float *input, *target_input; /* max_batch × (obs + action): a forward borrows its input */
    float *d_input;              /* max_batch × (obs + action) */
    float *d_q;                  /* max_batch: fit's loss gradient */
};

void athlete_critic_destroy(athlete_critic *c)
{
    if (!c)
        return;
    athlete_mlp_destroy(c->net);
    athlete_mlp_destroy(c->target);
    athlete_mlp_workspace_destroy(c->ws);
    athlete_mlp_workspace_destroy(c->target_ws);
    athlete_free(c->input);
    athlete_free(c->target_input);
    athlete_free(c->d_input);
    athlete_free(c->d_q);
    athlete_free(c);
}

athlete_status athlete_critic_create(size_t observation_size, size_t action_size, const size_t *hidden,
                                     size_t n_hidden, size_t max_batch, athlete_rng *rng, athlete_critic **out,
                                     athlete_error *err)
{
    if (!out || !rng || (n_hidden && !hidden))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "critic create: NULL argument");
    if (observation_size == 0 || action_size == 0 || max_batch == 0 ||
        observation_size + action_size > SIZE_MAX / sizeof(float) / max_batch)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "critic create: observation size %zu, action size %zu, max batch %zu (each >= 1)",
                                 observation_size, action_size, max_batch);
    athlete_status st;
    athlete_critic *c = athlete_calloc(1, sizeof *c);
    size_t *widths = athlete_malloc((n_hidden + 2) * sizeof *widths);
    if (!c || !widths) {
        athlete_free(widths);
        athlete_free(c);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "critic create: out of memory");
    }
    c->obs_size = observation_size;
    c->action_size = action_size;
    c->max_batch = max_batch;
    size_t in = observation_size + action_size;
    widths[0] = in;
    for (size_t i = 0; i < n_hidden; i++)
        widths[i + 1] = hidden[i];
    widths[n_hidden + 1] = 1;
    st = athlete_mlp_create(widths, n_hidden + 2, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &c->net,
                            err);
    athlete_free(widths);
    if (st != ATHLETE_OK)
        goto fail;
    athlete_mlp_init_default(c->net, rng);
    /* the target starts as a copy of the freshly initialised network */
    if ((st = athlete_mlp_clone(c->net, &c->target, err)) ||
        (st = athlete_mlp_workspace_create(c->net, max_batch, &c->ws, err)) ||
        (st = athlete_mlp_workspace_create(c->net, max_batch, &c->target_ws, err)))
        goto fail;
    c->input = athlete_malloc(max_batch * in * sizeof *c->input);
    c->target_input = athlete_malloc(max_batch * in * sizeof *c->target_input);
    c->d_input = athlete_malloc(max_batch * in * sizeof *c->d_input);
    c->d_q = athlete_malloc(max_batch * sizeof *c->d_q);
    if (!c->input || !c->target_input || !c->d_input || !c->d_q) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "critic create: out of memory (batch %zu)", max_batch);
        goto fail;
    }
    *out = c;
    return ATHLETE_OK;
fail:
    athlete_critic_destroy(c);
    return st;
}

athlete_mlp *athlete_critic_network(const athlete_critic *c) { return c->net; }
athlete_mlp *athlete_critic_target(const athlete_critic *c) { return c->target; }
size_t athlete_critic_max_batch(const athlete_critic *c) { return c->max_batch; }

static void concat(const athlete_critic *c, const float *obs, const float *act, size_t batch, float *dst)
{
    size_t os = c->obs_size, as = c->action_size;
    for (size_t r = 0; r < batch; r++, dst += os + as) {
        memcpy(dst, obs + r * os, os * sizeof *dst);
        memcpy(dst + os, act + r * as, as * sizeof *dst);
    }
}

const float *athlete_critic_forward(athlete_critic *c, const float *obs, const float *act, size_t batch)
{
    if (!c || !obs || !act || batch == 0 || batch > c->max_batch)
        return NULL;
    concat(c, obs, act, batch, c->input);
    return athlete_mlp_forward(c->net, c->ws, c->input, batch);
}

const float *athlete_critic_target_forward(athlete_critic *c, const float *obs, const float *act, size_t batch)
{
    if (!c || !obs || !act || batch == 0 || batch > c->max_batch)
        return NULL;
    concat(c, obs, act, batch, c->target_input);
    return athlete_mlp_forward(c->target, c->target_ws, c->target_input, batch);
}

athlete_status athlete_critic_backward(athlete_critic *c, const float *d_q, athlete_error *err)
{
    return athlete_mlp_backward(c->net, c->ws, d_q, NULL, err);
}

athlete_status athlete_critic_action_gradient(athlete_critic *c, const float *d_q, float *d_actions,
                                              athlete_error *err)
{
    athlete_status st = athlete_mlp_backward_input(c->net, c->ws, d_q, c->d_input, err);
    if (st != ATHLETE_OK)
        return st;
    size_t os = c->obs_size, as = c->action_size, batch = athlete_mlp_workspace_batch(c->ws);
    for (size_t r = 0; r < batch; r++)
        memcpy(d_actions + r * as, c->d_input + r * (os + as) + os, as * sizeof *d_actions);
    return ATHLETE_OK;
}

athlete_status athlete_critic_criterion_parse(const char *name, athlete_critic_criterion *out, athlete_error *err)
{
    if (name && out && strcmp(name, "mse") == 0) {
        *out = ATHLETE_CRITERION_MSE;
        return ATHLETE_OK;
    }
    if (name && out && strcmp(name, "huber") == 0) {
        *out = ATHLETE_CRITERION_HUBER;
        return ATHLETE_OK;
    }
    return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "unknown critic criterion '%s' (expected \"mse\" or \"huber\")",
                             name ? name : "(null)");
}

float athlete_critic_loss(athlete_critic_criterion criterion, const float *pred, const float *target, size_t n,
                          float *d_pred)
{
    return criterion == ATHLETE_CRITERION_HUBER ? athlete_loss_huber(pred, target, n, 1.0f, d_pred)
                                                : athlete_loss_mse(pred, target, n, d_pred);
}

void athlete_critic_td_target(const float *rewards, const float *terminateds, const float *next_q, size_t n,
                              double discount, float *y)
{
    float gamma = (float)discount;
    for (size_t i = 0; i < n; i++)
        y[i] = rewards[i] + gamma * (1.0f - terminateds[i]) * next_q[i];
}

athlete_status athlete_critic_fit(athlete_critic *c, const float *obs, const float *act, const float *y, size_t batch,
                                  athlete_critic_criterion criterion, float *loss, athlete_error *err)
{
    const float *q = athlete_critic_forward(c, obs, act, batch);
    if (!q)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "critic fit: batch %zu (expected 1 to %zu)", batch,
                                 c ? c->max_batch : 0);
    float l = athlete_critic_loss(criterion, q, y, batch, c->d_q);
    if (loss)
        *loss = l;
    return athlete_critic_backward(c, c->d_q, err);
}

athlete_status athlete_deterministic_actor_update(athlete_mlp *actor, athlete_mlp_workspace *actor_ws,
                                                  athlete_adam *actor_adam, double max_norm, athlete_critic *critic,
                                                  const float *observations, size_t n, float *d_q, float *d_actions,
                                                  float *loss, athlete_error *err)
{
    const float *actions = athlete_mlp_forward(actor, actor_ws, observations, n);
    const float *q = actions ? athlete_critic_forward(critic, observations, actions, n) : NULL;
    if (!q)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor update: batch of %zu rows rejected", n);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += q[i];
    *loss = (float)(-sum / (double)n);
    float d = -1.0f / (float)n; /* d(-mean Q)/dQ */
    for (size_t i = 0; i < n; i++)
        d_q[i] = d;
    athlete_status st = athlete_critic_action_gradient(critic, d_q, d_actions, err);
    if (st != ATHLETE_OK)
        return st;
    athlete_adam_zero_grad(actor_adam);
    if ((st = athlete_mlp_backward(actor, actor_ws, d_actions, NULL, err)))
        return st;
    if (max_norm > 0)
        athlete_adam_clip_grad_norm(actor_adam, (float)max_norm);
    athlete_adam_step(actor_adam);
    return ATHLETE_OK;
}

athlete_status athlete_critics_fit_step(athlete_critic *const *critics, size_t count, athlete_adam *adam,
                                        double max_norm, const float *observations, const float *actions,
                                        const float *y, size_t batch, athlete_critic_criterion criterion,
                                        float *loss, athlete_error *err)
{
    athlete_adam_zero_grad(adam);
    float total = 0.0f;
    for (size_t i = 0; i < count; i++) {
        float l;
        athlete_status st = athlete_critic_fit(critics[i], observations, actions, y, batch, criterion, &l, err);
        if (st != ATHLETE_OK)
            return st;
        total = i == 0 ? l : total + l;
    }
    *loss = total;
    if (max_norm > 0)
        athlete_adam_clip_grad_norm(adam, (float)max_norm);
    athlete_adam_step(adam);
    return ATHLETE_OK;
}
