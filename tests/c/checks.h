/* Checks of the wtas C interface shared by the host test and the firmware.
 * Freestanding: needs only <stdint.h>, <stddef.h>, <string.h> (memcpy,
 * memset, memcmp). Each harness defines wtas_check_report. */
#ifndef WTAS_C_CHECKS_H
#define WTAS_C_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "wtas.h"

/* One golden trajectory (tests/golden/README.md). Every array holds
 * little-endian IEEE-754 floats (or, for reset, uint32 0/1), and may be
 * unaligned: it is read with memcpy. */
typedef struct replay_case {
    const char *name;
    uint32_t n_units, batch_size, steps;
    float resist_m, thr_base, thr_gain, refract_time, thr_jitter, dt;
    const void *thr0, *t, *reset, *j, *v, *s, *thr, *rfr, *tols;
} replay_case;

/* Floats of work memory replay_golden needs for a case. */
#define REPLAY_WORK_FLOATS(len, n_units) (8u * (len) + (n_units))

/* Called for every failed check: a message and two numbers for context. */
void wtas_check_report(const char *what, long a, long b);

/* Replays c through the bound-cell API (per_call = 0) or the per-call API
 * (per_call = 1), checking every field of every step bit-exact (NaN equals
 * NaN), and checking the kernel building blocks reproduce every spike.
 * Returns the number of failed checks. */
int replay_golden(const replay_case *c, int per_call, float *work, size_t work_floats);

/* Triggers every reachable status code and checks that nothing was
 * written on error; checks wtas_strerror and wtas_version. Returns the
 * number of failed checks. */
int check_error_codes(void);

#endif
