/* np.sin / np.cos on float64 as NumPy computes them on AVX-512 machines (see np-trig.c).
 * Private to libathlete-envs. */
#ifndef ATHLETE_ENV_NP_TRIG_H
#define ATHLETE_ENV_NP_TRIG_H

double env_np_sin(double x);
double env_np_cos(double x);

#endif
