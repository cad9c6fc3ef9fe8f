/* Float64 arithmetic exactly as Python and NumPy do it, where C's obvious spelling would
 * differ in the last bit (see pymath.c). Private to libathlete-envs. */
#ifndef ATHLETE_ENV_PYMATH_H
#define ATHLETE_ENV_PYMATH_H

/* np.sin / np.cos on a float64, as NumPy computes them on x86-64 CPUs with AVX-512. */
double env_np_sin(double x);
double env_np_cos(double x);

/* x ** 2 on a Python float or np.float64 scalar is the C library's pow(x, 2.0). glibc's pow
 * is not correctly rounded (error below 0.54 ulp), so near a rounding midpoint it can
 * return the neighbour of x * x: about one argument in a thousand.
 *
 * pow costs ~17 ns, so the square is computed as x * x with its exact rounding error
 * (Dekker's product): when the exact square lies within 7/16 ulp of x * x, every result
 * within 0.54 ulp is x * x itself and pow would return it; otherwise (one argument in eight,
 * and outside the safe exponent range) pow is called. Compilers turn
 * pow(x, 2.0) into x * x, so the call goes through a volatile pointer. */
extern double (*volatile env_libm_pow)(double, double);

static inline double py_square(double x)
{
    double p = x * x;
    if (p >= 0x1p-900 && p <= 0x1p+900) { /* no overflow or underflow in the split */
        double c = 134217729.0 * x;       /* Veltkamp split: x = hi + lo, 26 bits each */
        double hi = c - (c - x);
        double lo = x - hi;
        double err = ((hi * hi - p) + 2.0 * hi * lo) + lo * lo; /* exactly x^2 - p */
        union { double d; unsigned long long u; } b = {p};
        if ((b.u & 0x000fffffffffffffULL) != 0) { /* not a power of two: one ulp size */
            union { unsigned long long u; double d; } e = {b.u & 0x7ff0000000000000ULL};
            double ulp = e.d * 0x1p-52;
            if (__builtin_fabs(err) <= 0.4375 * ulp)
                return p;
        }
    }
    return env_libm_pow(x, 2.0);
}

#endif
