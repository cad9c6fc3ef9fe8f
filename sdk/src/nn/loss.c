/* Regression losses (see <athlete/loss.h>). Batches are small (one value per sample), so
 * plain loops; the double accumulator keeps the mean exact to float precision. */
#include <athlete/loss.h>

#include <math.h>

float athlete_loss_mse(const float *pred, const float *target, size_t n, float *d_pred)
{
    double sum = 0.0;
    /* torch's mse_loss backward: 2 (pred - target) * grad_out / n, grad_out = 1 */
    float scale = (float)(2.0 / (double)n);
    for (size_t i = 0; i < n; i++) {
        float x = pred[i] - target[i];
        sum += (double)x * (double)x;
        if (d_pred)
            d_pred[i] = scale * x;
    }
    return (float)(sum / (double)n);
}

float athlete_loss_huber(const float *pred, const float *target, size_t n, float delta, float *d_pred)
{
    double sum = 0.0;
    float norm = (float)(1.0 / (double)n); /* torch: norm = 1. / numel, as float */
    for (size_t i = 0; i < n; i++) {
        float x = pred[i] - target[i];
        float z = fabsf(x);
        sum += z < delta ? 0.5 * (double)z * (double)z : (double)delta * ((double)z - 0.5 * (double)delta);
        if (d_pred) /* torch's huber_loss_backward: clamp(x, -delta, delta) * norm */
            d_pred[i] = x < -delta ? -delta * norm : x > delta ? delta * norm : norm * x;
    }
    return (float)(sum / (double)n);
}
