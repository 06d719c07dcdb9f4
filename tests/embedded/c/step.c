/* The step as a firmware engineer writes it by hand: one pass for the
 * voltages and their max, one for the exponentials and their sum (a single
 * accumulator), one for the spikes, the timers and the spike count, one for
 * the thresholds. Built with EXP_NEWLIB (newlib's expf, from -lm) or
 * EXP_POLY (the polynomial exp below). */
#include <math.h>
#include <stdint.h>

#include "step.h"

#if defined(EXP_POLY)
/* exp(x) = 2^k exp(r), k = round(x / ln 2), r = x - k ln 2 in two parts
 * (Cody–Waite: k times the high part is exact), exp(r) by its Taylor
 * polynomial of degree 6, 2^k built in the exponent field. At most 3.01 ulp
 * from exp over [ln(FLT_MIN), 0] (every float there checked against the
 * host's double exp); below, +0.0. */
static float exp_poly(float x)
{
    if (x != x) return x;               /* NaN */
    if (x < -87.336544f) return 0.0f;   /* below ln(FLT_MIN), -inf */
    if (x > 88.72f) return INFINITY;    /* overflow, +inf */
    float kf = x * 1.44269504f;
    int k = (int)(kf < 0.0f ? kf - 0.5f : kf + 0.5f);
    float r = x - (float)k * 0.693145751953125f;
    r = r - (float)k * 1.42860677e-6f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24
              + r * (1.0f / 120 + r * (1.0f / 720))))));
    union { uint32_t u; float f; } scale = { .u = (uint32_t)(k + 127) << 23 };
    return p * scale.f;
}
#define EXPF exp_poly
#elif defined(EXP_NEWLIB)
#define EXPF expf
#else
#error "build with -DEXP_NEWLIB or -DEXP_POLY"
#endif

void wta_step(struct wta *c, float t, float dt)
{
    const struct wta_params p = c->p;
    float max = -INFINITY;
    for (int i = 0; i < WTA_N; i++) {
        float v = c->rfr[i] >= p.refract_time ? c->j[i] * p.resist_m : 0.0f;
        c->v[i] = v;
        if (v > max) max = v;
    }
    float sum = 0.0f;
    for (int i = 0; i < WTA_N; i++) {
        float e = EXPF(c->v[i] - max);
        c->s[i] = e;     /* parked in s until the spike pass */
        sum += e;
    }
    int count = 0;
    for (int i = 0; i < WTA_N; i++) {
        if (c->s[i] / sum > c->thr[i]) {
            c->s[i] = 1.0f;
            c->rfr[i] = dt;
            c->tols[i] = t;
            count++;
        } else {
            c->s[i] = 0.0f;
            c->rfr[i] += dt;
        }
    }
    float delta = (float)(count - 1) * p.thr_gain;
    for (int i = 0; i < WTA_N; i++) {
        float thr = c->thr[i] + delta;
        c->thr[i] = thr < 0.025f ? 0.025f : thr;
    }
}
