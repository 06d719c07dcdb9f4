/* The hand-written step of the C baselines: 64 units, batch 1. */
#ifndef WTA_STEP_H
#define WTA_STEP_H

#define WTA_N 64

struct wta_params {
    float resist_m;
    float refract_time;
    float thr_gain;
};

/* The state, 24 bytes a unit as in wtas: input current, voltage, spikes,
 * thresholds, refractory timers, times of last spike. */
struct wta {
    float j[WTA_N], v[WTA_N], s[WTA_N], thr[WTA_N], rfr[WTA_N], tols[WTA_N];
    struct wta_params p;
};

/* One step at time t with step dt. */
void wta_step(struct wta *c, float t, float dt);

#endif
