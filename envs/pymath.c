/* Python/NumPy float64 arithmetic, bit for bit.
 *
 * x ** 2 is libm's pow (see pymath.h). NumPy's float64 sin and cos:
 *
 * Gymnasium's Pendulum and Acrobot call np.sin/np.cos on float64 scalars. On x86-64 CPUs
 * with AVX-512 (SKX and later, where the reference recordings were made) NumPy's ufunc
 * loops for these do not call the C library: they call Intel SVML's __svml_sin8 and
 * __svml_cos8 ("la" variants, < 4 ulp), which round differently from glibc in the last bit
 * for a good share of arguments. Those last bits feed back into the dynamics, so an exact
 * port needs SVML's main path, reproduced here operation for operation from NumPy's
 * vendored sources (numpy/SVML, linux/avx512/svml_z0_{sin,cos}_d_la.s): a three-part
 * Cody-Waite reduction by pi and an odd polynomial of degree 15, all with fused
 * multiply-adds. The constants are the bit patterns of SVML's tables.
 *
 * Arguments beyond the main path's range (|x| >= 2^24 for sin, about 2.6e7 for cos),
 * infinities and NaN go to the C library: they never arise in these environments' episodes.
 * Python's math.sin/math.cos (CartPole, the mountain cars) are glibc's and need none of this. */
#include "pymath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define INV_PI 0x1.45f306dc9c883p-2 /* 0x3FD45F306DC9C883 */
#define PI1 0x1.921fb54442d18p+1    /* 0x400921FB54442D18 */
#define PI2 0x1.1a62633145c06p-53   /* 0x3CA1A62633145C06 */
#define PI3 0x1.c1cd129024e09p-106  /* 0x395C1CD129024E09 */

#define SIN_SHIFTER 0x1.8p+52       /* 0x4338000000000000 */
#define SIN_BIG 0x1p+24             /* 0x4170000000000000 */
#define SIN_C1 -0x1.55555555554a8p-3 /* 0xBFC55555555554A8 */
#define SIN_C2 0x1.111111110a573p-7  /* 0x3F8111111110A573 */
#define SIN_C3 -0x1.a01a019a659ddp-13 /* 0xBF2A01A019A659DD */
#define SIN_C4 0x1.71de3806add1ap-19 /* 0x3EC71DE3806ADD1A */
#define SIN_C5 -0x1.ae6355aaa4a53p-26 /* 0xBE5AE6355AAA4A53 */
#define SIN_C6 0x1.60e6bee01d83ep-33 /* 0x3DE60E6BEE01D83E */
#define SIN_C7 -0x1.9f1517e9f65f0p-41 /* 0xBD69F1517E9F65F0 */

#define COS_TWO52 0x1p+52                      /* 0x4330000000000000 */
#define COS_TWO52_MINUS_HALF 0x1.fffffffffffffp+51 /* 0x432FFFFFFFFFFFFF */
#define COS_N_LIMIT 0x1.00000007ffffep+52      /* 0x43300000007FFFFE */
#define COS_TINY 0x1p-27                       /* 0x3E40000000000000 */
#define COS_C1 -0x1.55555555554a7p-3  /* 0xBFC55555555554A7 */
#define COS_C2 0x1.111111110a4a8p-7   /* 0x3F8111111110A4A8 */
#define COS_C3 -0x1.a01a019a5b87bp-13 /* 0xBF2A01A019A5B87B */
#define COS_C4 0x1.71de38030fea0p-19  /* 0x3EC71DE38030FEA0 */
#define COS_C5 -0x1.ae63546002231p-26 /* 0xBE5AE63546002231 */
#define COS_C6 0x1.60e6857a2f220p-33  /* 0x3DE60E6857A2F220 */
#define COS_C7 -0x1.9f0d60811aac8p-41 /* 0xBD69F0D60811AAC8 */

static inline uint64_t to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static inline double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* The two algorithms, written once over an FMA primitive FMA(a, b, c) = a * b + c rounded
 * once. They are instantiated with the hardware instruction (CPUs with FMA3: every CPU
 * the recordings can come from) and with the C library's fma() (exact everywhere, slower). */
#define DEFINE_NP_TRIG(SUFFIX, ATTR, FMA)                                                    \
    ATTR static double np_sin_##SUFFIX(double x)                                           \
    {                                                                                      \
        double ax = fabs(x);                                                               \
        if (!(ax <= SIN_BIG))                                                              \
            return sin(x); /* long reduction path, inf, NaN */                             \
        double y = FMA(x, INV_PI, SIN_SHIFTER);                                            \
        uint64_t sign = to_bits(y) << 63; /* parity of N */                                \
        if (x == 0.0)                                                                      \
            sign ^= to_bits(x); /* keeps the sign of zero */                               \
        double dn = y - SIN_SHIFTER;                                                       \
        double r = FMA(-dn, PI1, x);                                                       \
        r = FMA(-PI2, dn, r);                                                              \
        double r2 = r * r;                                                                 \
        double rf = FMA(-PI3, dn, r);                                                      \
        double p = FMA(SIN_C7, r2, SIN_C6);                                                \
        double r3 = r2 * rf;                                                               \
        p = FMA(r2, p, SIN_C5);                                                            \
        p = FMA(r2, p, SIN_C4);                                                            \
        p = FMA(r2, p, SIN_C3);                                                            \
        p = FMA(r2, p, SIN_C2);                                                            \
        p = FMA(r2, p, SIN_C1);                                                            \
        double res = FMA(r3, p, rf);                                                       \
        return from_bits(to_bits(res) ^ sign);                                             \
    }                                                                                      \
    ATTR static double np_cos_##SUFFIX(double x)                                           \
    {                                                                                      \
        double ax = fabs(x);                                                               \
        /* y = 2^52 + N with N = floor(|x| / pi): SVML rounds this FMA toward zero; the   \
         * round-to-nearest result is corrected by the sign of the exact remainder. */     \
        double y = FMA(ax, INV_PI, COS_TWO52);                                             \
        y -= (double)(FMA(ax, INV_PI, COS_TWO52 - y) < 0.0); /* branch-free: unpredictable */ \
        if (!(y <= COS_N_LIMIT))                                                           \
            return cos(x); /* long reduction path, inf, NaN */                             \
        if (ax < COS_TINY)                                                                 \
            return 1.0;                                                                    \
        uint64_t sign = to_bits(y) << 63;                                                  \
        double dn = y - COS_TWO52_MINUS_HALF; /* N + 0.5 */                                \
        double r = FMA(dn, PI1, -ax);                                                      \
        r = FMA(PI2, dn, r);                                                               \
        double r2 = r * r;                                                                 \
        double rf = FMA(PI3, dn, r);                                                       \
        double p = FMA(COS_C7, r2, COS_C6);                                                \
        p = FMA(r2, p, COS_C5);                                                            \
        p = FMA(r2, p, COS_C4);                                                            \
        p = FMA(r2, p, COS_C3);                                                            \
        double rs = from_bits(to_bits(rf) ^ sign);                                         \
        p = FMA(r2, p, COS_C2);                                                            \
        double r3 = rs * r2;                                                               \
        p = FMA(r2, p, COS_C1);                                                            \
        return FMA(r3, p, rs);                                                             \
    }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HW_FMA(a, b, c) __builtin_fma((a), (b), (c))
DEFINE_NP_TRIG(fma3, __attribute__((target("fma"))), HW_FMA)
#define HAVE_HW_VARIANT 1
#endif
DEFINE_NP_TRIG(generic, , fma)

typedef double (*trig_fn)(double);
static trig_fn sin_impl = np_sin_generic;
static trig_fn cos_impl = np_cos_generic;

#ifdef HAVE_HW_VARIANT
/* Picks the FMA3 instantiation once, when the library is loaded. */
__attribute__((constructor)) static void np_trig_select(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("fma")) {
        sin_impl = np_sin_fma3;
        cos_impl = np_cos_fma3;
    }
}
#endif

double env_np_sin(double x) { return sin_impl(x); }
double env_np_cos(double x) { return cos_impl(x); }

double (*volatile env_libm_pow)(double, double) = pow;
