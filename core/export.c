/* Exporting a policy as dependency-free C99 (see <athlete/policy-export.h>).
 *
 * The exporter knows no algorithm: the plugin describes its evaluation policy as a policy
 * program (observation check, optional normalisation, dense layers, an output head) and
 * this file turns any such program into C. The generated forward pass loops over static
 * arrays whose bounds are the layer widths, accumulating y[j] += x[i] W[i][j] in W's
 * in × out storage order (contiguous inner loop, which compilers vectorise), in float as
 * the trained network does. */
#include <athlete/policy-export.h>

#include "agent-private.h"
#include "sha256.h"

#include <athlete/alloc.h>
#include <athlete/policy-program.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_NAME 48

athlete_status athlete_export_storage_parse(const char *text, athlete_export_storage *out, athlete_error *err)
{
    if (text && (!strcmp(text, "f32") || !strcmp(text, "float32")))
        *out = ATHLETE_EXPORT_FLOAT32;
    else if (text && (!strcmp(text, "f16") || !strcmp(text, "float16")))
        *out = ATHLETE_EXPORT_FLOAT16;
    else if (text && !strcmp(text, "int8"))
        *out = ATHLETE_EXPORT_INT8;
    else
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "export: unknown storage '%s' (expected f32, f16 or int8)", text ? text : "(null)");
    return ATHLETE_OK;
}

/* ---- weight storage ---- */

/* float -> IEEE binary16 bits, round to nearest even (overflow to inf, subnormals kept). */
static uint16_t half_from_float(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u)
        return (uint16_t)(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    if (abs >= 0x477ff000u) /* rounds to >= 65520: infinity */
        return (uint16_t)(sign | 0x7c00u);
    if (abs < 0x38800000u) { /* below 2^-14: subnormal half (or zero) */
        float a;
        memcpy(&a, &abs, sizeof a);
        /* a * 2^24 rounded to the nearest integer, ties to even (the default mode) */
        return (uint16_t)(sign | (uint32_t)nearbyintf(a * 16777216.0f));
    }
    uint32_t mant = abs & 0x7fffffu;
    uint32_t exp = (abs >> 23) - 127 + 15;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        h++; /* may carry into the exponent, which is right */
    return (uint16_t)(sign | h);
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0)
        return (sign ? -1.0f : 1.0f) * (float)mant * 5.9604644775390625e-8f; /* 2^-24 */
    uint32_t x = sign | (exp == 31 ? 0x7f800000u | (mant << 13) : ((exp - 15 + 127) << 23) | (mant << 13));
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* ---- output helpers ---- */

typedef struct gen {
    FILE *f;
    const char *name;
    char upper[64]; /* the name in capitals: the macros' prefix */
    const char *c_base; /* the source file's name */
    athlete_export_storage storage;
    double max_error;
    size_t flash;
} gen;

/* A float literal that reads back to the same float: %.9g, with ".0" when it would
 * otherwise look like an integer, and the f suffix. */
static void put_float(FILE *f, float v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.9g", (double)v);
    fputs(buf, f);
    if (!strpbrk(buf, ".eEn"))
        fputs(".0", f);
    fputc('f', f);
}

/* "decl = {v...};" with 8 literals a line. */
static void put_floats(gen *g, const char *decl, const float *v, size_t n)
{
    fprintf(g->f, "%s = {", decl);
    for (size_t i = 0; i < n; i++) {
        fputs(i % 8 ? " " : "\n    ", g->f);
        put_float(g->f, v[i]);
        if (i + 1 < n)
            fputc(',', g->f);
    }
    fputs("\n};\n", g->f);
    g->flash += n * sizeof(float);
}

static const char *activation_comment(athlete_activation a)
{
    return a == ATHLETE_ACTIVATION_RELU ? "ReLU" : a == ATHLETE_ACTIVATION_TANH ? "tanh" : "identity";
}

/* The weight matrix of layer l in the chosen storage (and int8's per-column scales). */
static athlete_status put_weights(gen *g, size_t l, const athlete_program_layer *layer, athlete_error *err)
{
    size_t in = layer->in, out = layer->out;
    FILE *f = g->f;
    if (g->storage == ATHLETE_EXPORT_FLOAT32) {
        fprintf(f, "static const float %s_w%zu[%zu][%zu] = {", g->name, l, in, out);
        for (size_t i = 0; i < in; i++) {
            fputs("\n    {", f);
            for (size_t j = 0; j < out; j++) {
                if (j && j % 8 == 0)
                    fputs("\n     ", f);
                put_float(f, layer->weights[i * out + j]);
                if (j + 1 < out)
                    fputs(", ", f);
            }
            fputs(i + 1 < in ? "}," : "}", f);
        }
        fputs("\n};\n", f);
        g->flash += in * out * sizeof(float);
        return ATHLETE_OK;
    }
    if (g->storage == ATHLETE_EXPORT_FLOAT16) {
        fprintf(f, "static const unsigned short %s_w%zu[%zu][%zu] = {", g->name, l, in, out);
        for (size_t i = 0; i < in; i++) {
            fputs("\n    {", f);
            for (size_t j = 0; j < out; j++) {
                float w = layer->weights[i * out + j];
                uint16_t h = half_from_float(w);
                double e = fabs((double)half_to_float(h) - (double)w);
                if (!(e <= g->max_error))
                    g->max_error = e;
                if (j && j % 12 == 0)
                    fputs("\n     ", f);
                fprintf(f, "0x%04x%s", (unsigned)h, j + 1 < out ? ", " : "");
            }
            fputs(i + 1 < in ? "}," : "}", f);
        }
        fputs("\n};\n", f);
        g->flash += in * out * sizeof(uint16_t);
        return ATHLETE_OK;
    }
    /* int8: symmetric, one scale per output neuron */
    float *scale = athlete_calloc(out, sizeof *scale);
    if (!scale)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "export: out of memory");
    for (size_t j = 0; j < out; j++) {
        float m = 0.0f;
        for (size_t i = 0; i < in; i++)
            m = fmaxf(m, fabsf(layer->weights[i * out + j]));
        scale[j] = m / 127.0f;
    }
    fprintf(f, "static const signed char %s_w%zu[%zu][%zu] = {", g->name, l, in, out);
    for (size_t i = 0; i < in; i++) {
        fputs("\n    {", f);
        for (size_t j = 0; j < out; j++) {
            float w = layer->weights[i * out + j];
            long q = scale[j] > 0.0f ? lrintf(w / scale[j]) : 0;
            q = q > 127 ? 127 : (q < -127 ? -127 : q);
            double e = fabs((double)((float)q * scale[j]) - (double)w);
            if (!(e <= g->max_error))
                g->max_error = e;
            if (j && j % 16 == 0)
                fputs("\n     ", f);
            fprintf(f, "%ld%s", q, j + 1 < out ? ", " : "");
        }
        fputs(i + 1 < in ? "}," : "}", f);
    }
    fputs("\n};\n", f);
    g->flash += in * out;
    char decl[160];
    snprintf(decl, sizeof decl, "static const float %s_s%zu[%zu]", g->name, l, out);
    put_floats(g, decl, scale, out);
    athlete_free(scale);
    return ATHLETE_OK;
}

/* "Box(shape=(3,), low=[-1, -1, -8], high=[1, 1, 8])" with every bound, or "Discrete(n, start=s)". */
static void put_space(FILE *f, const athlete_space *s)
{
    if (s->kind == ATHLETE_SPACE_DISCRETE) {
        fprintf(f, "Discrete(%" PRId64 ", start=%" PRId64 ")", s->n, s->start);
        return;
    }
    fputs("Box(shape=(", f);
    for (size_t d = 0; d < s->ndim; d++)
        fprintf(f, "%zu%s", s->shape[d], s->ndim == 1 ? "," : (d + 1 < s->ndim ? ", " : ""));
    size_t n = athlete_space_flat_size(s);
    for (int side = 0; side < 2; side++) {
        fputs(side ? "], high=[" : "), low=[", f);
        const float *b = side ? s->high : s->low;
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s%.9g", i ? ", " : "", (double)b[i]);
    }
    fputs("])", f);
}

/* ---- the program ---- */

typedef struct shape {
    size_t obs, act, outputs;
    bool discrete_action, discrete_observation;
    long action_start, action_count, observation_start, observation_count;
    bool needs_libm;
    size_t max_hidden, buffers; /* ping-pong buffers of hidden activations */
} shape;

static athlete_status check_program(const athlete_policy_program *p, const athlete_space *os, const athlete_space *as,
                                    shape *sh, athlete_error *err)
{
    memset(sh, 0, sizeof *sh);
    sh->obs = athlete_space_flat_size(os);
    sh->act = athlete_space_flat_size(as);
    sh->discrete_action = as->kind == ATHLETE_SPACE_DISCRETE;
    sh->discrete_observation = os->kind == ATHLETE_SPACE_DISCRETE;
    /* start and n become C int constants (with start - 1 as the error value) */
    const int64_t lim = INT_MAX / 2;
    if (sh->discrete_action) {
        if (as->start < -lim || as->start > lim || as->n > lim)
            return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "export: the Discrete action space is too large for int");
        sh->action_start = (long)as->start;
        sh->action_count = (long)as->n;
    }
    if (sh->discrete_observation) {
        if (os->start < -lim || os->start > lim || os->n > lim)
            return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "export: the Discrete observation space is too large for int");
        sh->observation_start = (long)os->start;
        sh->observation_count = (long)os->n;
    }
    size_t width = sh->obs;
    for (size_t l = 0; l < p->layer_count; l++) {
        const athlete_program_layer *layer = &p->layers[l];
        if (layer->in != width || !layer->out || !layer->weights)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "export: layer %zu takes %zu inputs, expected %zu", l, layer->in, width);
        if (!athlete_activation_name(layer->activation))
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: layer %zu has an unknown activation %d",
                                     l, (int)layer->activation);
        for (size_t k = 0; k < layer->in * layer->out; k++)
            if (!isfinite(layer->weights[k]))
                return athlete_error_set(err, ATHLETE_E_NON_FINITE, "export: layer %zu weight %zu is %s", l, k,
                                         isnan(layer->weights[k]) ? "NaN" : "infinite");
        for (size_t k = 0; layer->bias && k < layer->out; k++)
            if (!isfinite(layer->bias[k]))
                return athlete_error_set(err, ATHLETE_E_NON_FINITE, "export: layer %zu bias %zu is not finite", l, k);
        sh->needs_libm = sh->needs_libm || layer->activation == ATHLETE_ACTIVATION_TANH;
        if (l + 1 < p->layer_count && layer->out > sh->max_hidden)
            sh->max_hidden = layer->out;
        width = layer->out;
    }
    sh->outputs = p->layer_count ? width : 0;
    sh->buffers = p->layer_count >= 3 ? 2 : p->layer_count - (p->layer_count > 0);
    switch (p->head) {
    case ATHLETE_PROGRAM_HEAD_VALUES:
        if (sh->discrete_action || !p->layer_count || sh->outputs < sh->act)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "export: a VALUES head needs a Box action space and at least %zu outputs", sh->act);
        if (!p->action_scale != !p->action_offset)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: action scale without offset");
        sh->needs_libm = sh->needs_libm || p->output_tanh;
        break;
    case ATHLETE_PROGRAM_HEAD_ARGMAX:
        if (!sh->discrete_action || !p->layer_count || sh->outputs != (size_t)sh->action_count)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "export: an ARGMAX head needs a Discrete action space and one output per action");
        break;
    case ATHLETE_PROGRAM_HEAD_TABLE:
        if (!sh->discrete_action || !sh->discrete_observation || p->layer_count || !p->table ||
            p->table_rows != (size_t)sh->observation_count || p->table_columns != (size_t)sh->action_count)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "export: a TABLE head needs Discrete spaces and a table of observations x actions");
        break;
    default:
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: unknown output head %d", (int)p->head);
    }
    if (p->observation_shift && (!p->observation_scale || sh->discrete_observation))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: normalisation needs shift and scale of a Box");
    return ATHLETE_OK;
}

static void put_observation_check(gen *g, const athlete_space *os, const shape *sh)
{
    FILE *f = g->f;
    const char *n = g->name, *u = g->upper;
    fprintf(f, "/* The agent refuses these observations too. */\nstatic int %s_check(const float observation[%zu])\n{\n",
            n, sh->obs);
    if (sh->discrete_observation) {
        fprintf(f, "    const float v = observation[0];\n");
        fprintf(f, "    if (!(v >= %ld.0f && v < %ld.0f) || v != (float)(int)v)\n        return %s_E_OBSERVATION;\n",
                sh->observation_start, sh->observation_start + sh->observation_count, u);
        fprintf(f, "    return %s_OK;\n}\n\n", u);
        return;
    }
    fprintf(f, "    int i;\n    for (i = 0; i < %zu; i++)\n", sh->obs);
    fprintf(f, "        if (!(observation[i] - observation[i] == 0.0f)) /* NaN or infinite */\n");
    fprintf(f, "            return %s_E_OBSERVATION;\n", u);
    for (size_t i = 0; i < sh->obs; i++) {
        bool lo = isfinite(os->low[i]), hi = isfinite(os->high[i]);
        if (!lo && !hi)
            continue;
        fprintf(f, "    if (");
        if (lo) {
            fprintf(f, "observation[%zu] < ", i);
            put_float(f, os->low[i]);
        }
        if (hi) {
            fprintf(f, "%sobservation[%zu] > ", lo ? " || " : "", i);
            put_float(f, os->high[i]);
        }
        fprintf(f, ")\n        return %s_E_OBSERVATION;\n", u);
    }
    fprintf(f, "    return %s_OK;\n}\n\n", u);
}

/* One dense layer: y = act(x W + b). */
static void put_layer(gen *g, size_t l, const athlete_program_layer *layer, const char *x, const char *y)
{
    FILE *f = g->f;
    const char *n = g->name;
    size_t in = layer->in, out = layer->out;
    fprintf(f, "    /* layer %zu: %zu -> %zu, %s */\n", l, in, out, activation_comment(layer->activation));
    bool int8 = g->storage == ATHLETE_EXPORT_INT8;
    if (layer->bias && !int8)
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        %s[j] = %s_b%zu[j];\n", out, y, n, l);
    else
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        %s[j] = 0.0f;\n", out, y);
    const char *w = g->storage == ATHLETE_EXPORT_FLOAT32 ? "%s_w%zu[i][j]"
                    : g->storage == ATHLETE_EXPORT_FLOAT16 ? "%s_half(%s_w%zu[i][j])"
                                                           : "(float)%s_w%zu[i][j]";
    fprintf(f, "    for (i = 0; i < %zu; i++) {\n        const float xi = %s[i];\n", in, x);
    fprintf(f, "        for (j = 0; j < %zu; j++)\n            %s[j] += xi * ", out, y);
    if (g->storage == ATHLETE_EXPORT_FLOAT16)
        fprintf(f, w, n, n, l);
    else
        fprintf(f, w, n, l);
    fprintf(f, ";\n    }\n");
    if (int8)
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        %s[j] = %s[j] * %s_s%zu[j]%s;\n", out, y, y, n, l,
                layer->bias ? "" : " + 0.0f");
    if (int8 && layer->bias)
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        %s[j] += %s_b%zu[j];\n", out, y, n, l);
    if (layer->activation == ATHLETE_ACTIVATION_RELU) /* NaN passes through, as torch.relu */
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        %s[j] = %s[j] < 0.0f ? 0.0f : %s[j];\n", out, y, y, y);
    else if (layer->activation == ATHLETE_ACTIVATION_TANH)
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        %s[j] = tanhf(%s[j]);\n", out, y, y);
}

static athlete_status put_source(gen *g, const athlete_policy_program *p, const athlete_space *os, const shape *sh,
                                 const char *header_base, const char *algorithm, athlete_error *err)
{
    FILE *f = g->f;
    const char *n = g->name, *u = g->upper;
    fprintf(f, "/* %s: a trained %s policy as dependency-free C99, generated by Athlete's exporter;\n"
               " * see %s for its interface. Do not edit: export again instead. */\n",
            g->c_base, algorithm, header_base);
    fprintf(f, "#include \"%s\"\n", header_base);
    if (sh->needs_libm)
        fprintf(f, "\n#include <math.h>\n");
    fputc('\n', f);
    if (g->storage == ATHLETE_EXPORT_FLOAT16 && p->layer_count)
        fprintf(f, "/* IEEE binary16 bits to float. */\nstatic float %s_half(unsigned short h)\n{\n"
                   "    union { unsigned int u; float f; } v;\n"
                   "    const unsigned int sign = (unsigned int)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;\n"
                   "    if (e == 0)\n        return (sign ? -1.0f : 1.0f) * (float)m * 5.9604644775390625e-8f;\n"
                   "    v.u = sign | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13));\n"
                   "    return v.f;\n}\n\n",
                n);
    char decl[200];
    for (size_t l = 0; l < p->layer_count; l++) {
        const athlete_program_layer *layer = &p->layers[l];
        fprintf(f, "/* layer %zu: %zu -> %zu, %s */\n", l, layer->in, layer->out, activation_comment(layer->activation));
        athlete_status st = put_weights(g, l, layer, err);
        if (st != ATHLETE_OK)
            return st;
        if (layer->bias) {
            snprintf(decl, sizeof decl, "static const float %s_b%zu[%zu]", n, l, layer->out);
            put_floats(g, decl, layer->bias, layer->out);
        }
        fputc('\n', f);
    }
    if (p->observation_shift) {
        snprintf(decl, sizeof decl, "static const float %s_observation_shift[%zu]", n, sh->obs);
        put_floats(g, decl, p->observation_shift, sh->obs);
        snprintf(decl, sizeof decl, "static const float %s_observation_scale[%zu]", n, sh->obs);
        put_floats(g, decl, p->observation_scale, sh->obs);
        fputc('\n', f);
    }
    if (p->head == ATHLETE_PROGRAM_HEAD_VALUES && p->action_scale) {
        snprintf(decl, sizeof decl, "/* action = unscaled * scale + offset */\nstatic const float %s_action_scale[%zu]", n, sh->act);
        put_floats(g, decl, p->action_scale, sh->act);
        snprintf(decl, sizeof decl, "static const float %s_action_offset[%zu]", n, sh->act);
        put_floats(g, decl, p->action_offset, sh->act);
        fputc('\n', f);
    }
    if (p->head == ATHLETE_PROGRAM_HEAD_TABLE) {
        const char *type = sh->action_count <= 256 ? "unsigned char" : sh->action_count <= 65536 ? "unsigned short" : "unsigned long";
        size_t bytes = sh->action_count <= 256 ? 1 : sh->action_count <= 65536 ? 2 : 4;
        fprintf(f, "/* The greedy action index of each observation: the first maximal entry of its row of\n"
                   " * the Q table (the agent breaks exact ties at random). */\n"
                   "static const %s %s_greedy[%zu] = {", type, n, p->table_rows);
        for (size_t r = 0; r < p->table_rows; r++) {
            const double *row = p->table + r * p->table_columns;
            size_t best = 0;
            for (size_t c = 1; c < p->table_columns; c++)
                if (row[c] > row[best])
                    best = c;
            if (!isfinite(row[best]))
                return athlete_error_set(err, ATHLETE_E_NON_FINITE, "export: Q table row %zu is not finite", r);
            fprintf(f, "%s%zu%s", r % 16 ? " " : "\n    ", best, r + 1 < p->table_rows ? "," : "");
        }
        fputs("\n};\n\n", f);
        g->flash += bytes * p->table_rows;
    }
    put_observation_check(g, os, sh);

    if (p->layer_count) {
        fprintf(f, "/* The network's outputs for a checked observation. */\n"
                   "static void %s_forward(const float observation[%zu], float outputs[%zu])\n{\n",
                n, sh->obs, sh->outputs);
        if (sh->buffers)
            fprintf(f, "    float h[%zu][%zu];\n", sh->buffers, sh->max_hidden);
        if (p->observation_shift)
            fprintf(f, "    float x[%zu];\n", sh->obs);
        fprintf(f, "    int i, j;\n");
        const char *input = "observation";
        if (p->observation_shift) {
            fprintf(f, "    for (i = 0; i < %zu; i++)\n        x[i] = (observation[i] - %s_observation_shift[i]) * %s_observation_scale[i];\n",
                    sh->obs, n, n);
            input = "x";
        }
        char in_name[32], out_name[32];
        snprintf(in_name, sizeof in_name, "%s", input);
        for (size_t l = 0; l < p->layer_count; l++) {
            if (l + 1 == p->layer_count)
                snprintf(out_name, sizeof out_name, "outputs");
            else
                snprintf(out_name, sizeof out_name, "h[%zu]", l % 2);
            put_layer(g, l, &p->layers[l], in_name, out_name);
            snprintf(in_name, sizeof in_name, "%s", out_name);
        }
        fprintf(f, "}\n\n");
        fprintf(f, "int %s_outputs(const float observation[%zu], float outputs[%zu])\n{\n"
                   "    const int status = %s_check(observation);\n"
                   "    if (status == %s_OK)\n        %s_forward(observation, outputs);\n"
                   "    return status;\n}\n\n",
                n, sh->obs, sh->outputs, n, u, n);
    }

    if (p->head == ATHLETE_PROGRAM_HEAD_VALUES) {
        fprintf(f, "int %s_act(const float observation[%zu], float action[%zu])\n{\n", n, sh->obs, sh->act);
        fprintf(f, "    float outputs[%zu];\n    int j;\n    const int status = %s_check(observation);\n", sh->outputs, n);
        fprintf(f, "    if (status != %s_OK)\n        return status;\n    %s_forward(observation, outputs);\n", u, n);
        fprintf(f, "    for (j = 0; j < %zu; j++) {\n", sh->act);
        fprintf(f, "        float v = outputs[j];\n");
        if (p->output_tanh)
            fprintf(f, "        v = tanhf(v);\n");
        if (p->action_scale)
            fprintf(f, "        v = v * %s_action_scale[j] + %s_action_offset[j];\n", n, n);
        fprintf(f, "        if (!(v - v == 0.0f)) /* NaN or infinite: a diverged policy */\n"
                   "            return %s_E_NON_FINITE;\n        action[j] = v;\n    }\n    return %s_OK;\n}\n",
                u, u);
        return ATHLETE_OK;
    }
    fprintf(f, "int %s_act_discrete(const float observation[%zu])\n{\n", n, sh->obs);
    if (p->head == ATHLETE_PROGRAM_HEAD_TABLE) {
        fprintf(f, "    if (%s_check(observation) != %s_OK)\n        return %s_ACT_ERROR;\n", n, u, u);
        fprintf(f, "    return %s_ACTION_START + (int)%s_greedy[(int)observation[0] - (%ld)];\n}\n\n", u, n,
                sh->observation_start);
    } else {
        fprintf(f, "    float outputs[%zu];\n    int j, best = 0;\n", sh->outputs);
        fprintf(f, "    if (%s_check(observation) != %s_OK)\n        return %s_ACT_ERROR;\n", n, u, u);
        fprintf(f, "    %s_forward(observation, outputs);\n", n);
        fprintf(f, "    for (j = 0; j < %zu; j++) {\n"
                   "        if (!(outputs[j] - outputs[j] == 0.0f)) /* NaN or infinite: a diverged policy */\n"
                   "            return %s_ACT_ERROR;\n"
                   "        if (outputs[j] > outputs[best]) /* the first maximal output */\n"
                   "            best = j;\n    }\n    return %s_ACTION_START + best;\n}\n\n",
                sh->outputs, u, u);
    }
    fprintf(f, "int %s_act(const float observation[%zu], float action[1])\n{\n"
               "    int a;\n    const int status = %s_check(observation);\n"
               "    if (status != %s_OK)\n        return status;\n"
               "    a = %s_act_discrete(observation);\n"
               "    if (a == %s_ACT_ERROR)\n        return %s_E_NON_FINITE;\n"
               "    action[0] = (float)a;\n    return %s_OK;\n}\n",
            n, sh->obs, n, u, n, u, u, u);
    return ATHLETE_OK;
}

static void put_header(gen *g, const athlete_policy_program *p, const athlete_space *os, const athlete_space *as,
                       const shape *sh, const char *algorithm, const char *source, bool policy_only,
                       const char *sha, size_t stack)
{
    FILE *f = g->f;
    const char *n = g->name;
    char guard[MAX_NAME + 8];
    size_t k = 0;
    for (; n[k]; k++)
        guard[k] = (char)toupper((unsigned char)n[k]);
    snprintf(guard + k, sizeof guard - k, "_H");
    const char *upper = g->upper;
    static const char *storage_names[] = {"float32", "float16 (IEEE binary16)", "int8 (one float scale per output neuron)"};
    fprintf(f, "/* %s.h: a trained Athlete policy as dependency-free C99 (generated; do not edit).\n *\n", n);
    fprintf(f, " * Algorithm:    %s: %s\n", algorithm, p->summary ? p->summary : "its evaluation policy");
    fprintf(f, " * Source:       %s (%s), SHA-256 %s\n", source, policy_only ? "policy-only file" : "full checkpoint", sha);
    fprintf(f, " * Observation:  ");
    put_space(f, os);
    fprintf(f, "\n * Action:       ");
    put_space(f, as);
    if (sh->discrete_action)
        fprintf(f, "\n *               the action is an int in [%ld, %ld]: Discrete start + index", sh->action_start,
                sh->action_start + sh->action_count - 1);
    else if (p->head == ATHLETE_PROGRAM_HEAD_VALUES && !p->action_scale)
        fprintf(f, "\n *               unbounded, as the agent's: clip it to the bounds before use");
    fprintf(f, "\n * Network:      ");
    if (!p->layer_count)
        fprintf(f, "none (a table of %zu greedy actions)", p->table_rows);
    else
        fprintf(f, "%zu", p->layers[0].in);
    for (size_t l = 0; l < p->layer_count; l++)
        fprintf(f, " -> %zu %s", p->layers[l].out, activation_comment(p->layers[l].activation));
    if (p->layer_count)
        fprintf(f, "\n * Weights:      %s", storage_names[g->storage]);
    if (g->storage != ATHLETE_EXPORT_FLOAT32)
        fprintf(f, ", largest weight error %.3g", g->max_error);
    fprintf(f, "\n * Flash:        %zu bytes of constants (code not included)\n", g->flash);
    fprintf(f, " * Stack:        %zu bytes of arrays in %s_act, plus a few scalars\n", stack, n);
    fprintf(f, " * Links with:   %s\n", sh->needs_libm ? "libm (tanhf)" : "nothing");
    fprintf(f, " * No heap, no writable globals: reentrant and thread-safe. */\n");
    fprintf(f, "#ifndef %s\n#define %s\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n", guard, guard);
    fprintf(f, "#define %s_OBSERVATION_SIZE %zu\n#define %s_ACTION_SIZE %zu\n", upper, sh->obs, upper, sh->act);
    if (sh->outputs)
        fprintf(f, "#define %s_OUTPUT_SIZE %zu\n", upper, sh->outputs);
    fprintf(f, "\n/* Return values of %s_act and %s_outputs. */\n", n, n);
    fprintf(f, "#define %s_OK 0\n", upper);
    fprintf(f, "#define %s_E_OBSERVATION 1 /* non-finite, outside finite bounds, or not a value of the space */\n", upper);
    fprintf(f, "#define %s_E_NON_FINITE 2  /* the policy produced NaN or inf (did training diverge?) */\n\n", upper);
    if (sh->discrete_action) {
        fprintf(f, "#define %s_ACTION_START (%ld)\n#define %s_ACTION_COUNT %ld\n", upper, sh->action_start, upper,
                sh->action_count);
        fprintf(f, "/* What %s_act_discrete returns for a refused observation or a diverged policy. */\n", n);
        fprintf(f, "#define %s_ACT_ERROR (%ld)\n\n", upper, sh->action_start - 1);
    }
    fprintf(f, "/* The evaluation policy's action for `observation`: %zu float%s. */\n", sh->act, sh->act > 1 ? "s" : "");
    fprintf(f, "int %s_act(const float observation[%zu], float action[%zu]);\n", n, sh->obs, sh->act);
    if (sh->discrete_action) {
        fprintf(f, "/* The same action as an int, or %s_ACT_ERROR. */\n", upper);
        fprintf(f, "int %s_act_discrete(const float observation[%zu]);\n", n, sh->obs);
    }
    if (sh->outputs) {
        fprintf(f, "/* The network's raw outputs (%s). */\n",
                p->head == ATHLETE_PROGRAM_HEAD_ARGMAX ? "action values or logits: the action is their first argmax"
                                                      : "before the output transformation");
        fprintf(f, "int %s_outputs(const float observation[%zu], float outputs[%zu]);\n", n, sh->obs, sh->outputs);
    }
    fprintf(f, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

static bool valid_name(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (!len || len > MAX_NAME || isdigit((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '_') || (unsigned char)name[i] >= 128)
            return false;
    return true;
}

/* The stack arrays of NAME_act: ping-pong hidden buffers, the normalised observation and the outputs. */
static size_t stack_bytes(const athlete_policy_program *p, const shape *sh)
{
    size_t floats = sh->buffers * sh->max_hidden + sh->outputs + (p->observation_shift ? sh->obs : 0);
    return floats * sizeof(float);
}

static athlete_status write_files(gen *g, const athlete_policy_program *p, const athlete_space *os,
                                  const athlete_space *as, const shape *sh, const char *algorithm,
                                  const char *source, bool policy_only, const char *sha, const char *c_path,
                                  const char *h_path, athlete_error *err)
{
    /* The source first: it measures flash and the quantisation error the header states. */
    g->f = fopen(c_path, "w");
    if (!g->f)
        return athlete_error_set(err, ATHLETE_E_IO, "export: cannot create '%s': %s", c_path, strerror(errno));
    const char *base = strrchr(h_path, '/') ? strrchr(h_path, '/') + 1 : h_path;
    g->c_base = strrchr(c_path, '/') ? strrchr(c_path, '/') + 1 : c_path;
    athlete_status st = put_source(g, p, os, sh, base, algorithm, err);
    bool bad = ferror(g->f) != 0;
    if (fclose(g->f) != 0 || bad)
        st = st ? st : athlete_error_set(err, ATHLETE_E_IO, "export: cannot write '%s'", c_path);
    g->f = NULL;
    if (st != ATHLETE_OK) {
        remove(c_path);
        return st;
    }
    g->f = fopen(h_path, "w");
    if (!g->f) {
        remove(c_path);
        return athlete_error_set(err, ATHLETE_E_IO, "export: cannot create '%s': %s", h_path, strerror(errno));
    }
    put_header(g, p, os, as, sh, algorithm, source, policy_only, sha, stack_bytes(p, sh));
    bad = ferror(g->f) != 0;
    if (fclose(g->f) != 0 || bad) {
        remove(c_path);
        remove(h_path);
        return athlete_error_set(err, ATHLETE_E_IO, "export: cannot write '%s'", h_path);
    }
    return ATHLETE_OK;
}

athlete_status athlete_policy_export_c(const athlete_registry *registry, const char *path, const char *name,
                                       const char *c_path, const char *h_path, const athlete_export_options *options,
                                       athlete_export_report *report, athlete_error *err)
{
    if (!registry || !path || !c_path || !h_path)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: NULL argument");
    if (!valid_name(name))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "export: name '%s' is not a C identifier of at most %d characters",
                                 name ? name : "(null)", MAX_NAME);
    athlete_export_storage storage = ATHLETE_EXPORT_FLOAT32;
    if (options) {
        if (options->struct_size < sizeof *options)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: options.struct_size is %zu, expected %zu",
                                     options->struct_size, sizeof *options);
        storage = options->storage;
        if (storage != ATHLETE_EXPORT_FLOAT32 && storage != ATHLETE_EXPORT_FLOAT16 && storage != ATHLETE_EXPORT_INT8)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: unknown storage %d", (int)storage);
    }
    if (report && report->struct_size < sizeof *report)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "export: report.struct_size is %zu, expected %zu",
                                 report->struct_size, sizeof *report);
    char sha[65];
    athlete_status st = athlete__sha256_file(path, sha, err);
    if (st != ATHLETE_OK)
        return st;
    athlete_agent *agent = NULL;
    bool policy_only = false;
    st = athlete__agent_load_any(registry, path, &agent, &policy_only, err);
    if (st != ATHLETE_OK)
        return st;
    const athlete_state_ops *ops = agent->parts.state_ops;
    const char *algorithm = agent->entry->algorithm->id;
    athlete_policy_program program;
    athlete_policy_program_init(&program);
    shape sh;
    gen g = {.name = name, .storage = storage};
    for (size_t k = 0; name[k]; k++)
        g.upper[k] = (char)toupper((unsigned char)name[k]);
    if (!ops || ops->struct_size < offsetof(athlete_state_ops, describe_policy) + sizeof ops->describe_policy ||
        !ops->describe_policy)
        st = athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "export: %s cannot describe its policy for export", algorithm);
    else
        st = ops->describe_policy(agent->parts.state, &program, err);
    if (st == ATHLETE_OK)
        st = check_program(&program, agent->observation_space, agent->action_space, &sh, err);
    if (st == ATHLETE_OK)
        st = write_files(&g, &program, agent->observation_space, agent->action_space, &sh, algorithm, path,
                         policy_only, sha, c_path, h_path, err);
    if (st == ATHLETE_OK && report) {
        size_t size = report->struct_size;
        memset(report, 0, size);
        report->struct_size = size;
        report->flash_bytes = g.flash;
        report->stack_bytes = stack_bytes(&program, &sh);
        report->observation_size = sh.obs;
        report->action_size = sh.act;
        report->output_size = sh.outputs;
        report->max_weight_error = g.max_error;
        memcpy(report->source_sha256, sha, sizeof sha);
        snprintf(report->algorithm_id, sizeof report->algorithm_id, "%s", algorithm);
    }
    athlete_agent_destroy(agent);
    return st;
}
