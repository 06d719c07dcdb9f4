/* Host test of the wtas C interface: every status code, then golden
 * trajectories (files written by tests/export_golden.rs) replayed bit-exact
 * through the bound-cell and the per-call API.
 *
 * Usage: host_test FILE.bin...   Exit status 0 only if every check passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "wtas.h"

static const char *current = "error codes";

void wtas_check_report(const char *what, long a, long b) {
    fprintf(stderr, "FAIL [%s]: %s (%ld, %ld)\n", current, what, a, b);
}

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) != NULL) {
            if (fread(data, 1, (size_t)n, f) != (size_t)n) {
                free(data);
                data = NULL;
            } else {
                *size = (size_t)n;
            }
        }
    }
    fclose(f);
    return data;
}

static uint32_t u32_le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float f32_le(const unsigned char *p) {
    uint32_t u = u32_le(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Parses the .bin format of tests/export_golden.rs; 0 on success. */
static int parse(const unsigned char *d, size_t size, const char *name, replay_case *c) {
    if (size < 44 || memcmp(d, "WTASGLD1", 8) != 0) return -1;
    c->name = name;
    c->n_units = u32_le(d + 8);
    c->batch_size = u32_le(d + 12);
    c->steps = u32_le(d + 16);
    float *hp[6] = {&c->resist_m, &c->thr_base, &c->thr_gain,
                    &c->refract_time, &c->thr_jitter, &c->dt};
    for (int i = 0; i < 6; i++) *hp[i] = f32_le(d + 20 + 4 * i);
    size_t n = c->n_units, s = c->steps, per = n * c->batch_size * s, at = 44;
    if (size != at + 4 * (n + 2 * s + 6 * per)) return -1;
    c->thr0 = d + at, at += 4 * n;
    c->t = d + at, at += 4 * s;
    c->reset = d + at, at += 4 * s;
    const void **fields[6] = {&c->j, &c->v, &c->s, &c->thr, &c->rfr, &c->tols};
    for (int i = 0; i < 6; i++) *fields[i] = d + at, at += 4 * per;
    return 0;
}

int main(int argc, char **argv) {
    int failures = 0, replayed = 0;
    unsigned long steps = 0;
    const unsigned char probe[4] = {1, 0, 0, 0};
    uint32_t one;
    memcpy(&one, probe, 4);
    if (one != 1) {
        fprintf(stderr, "this test assumes a little-endian host\n");
        return 2;
    }
    printf("wtas %s\n", wtas_version());
    failures += check_error_codes();
    for (int a = 1; a < argc; a++) {
        size_t size = 0;
        unsigned char *data = read_file(argv[a], &size);
        replay_case c;
        current = argv[a];
        if (!data || parse(data, size, argv[a], &c) != 0) {
            fprintf(stderr, "FAIL: cannot read golden file %s\n", argv[a]);
            free(data);
            failures++;
            continue;
        }
        size_t len = (size_t)c.n_units * c.batch_size, nw = REPLAY_WORK_FLOATS(len, c.n_units);
        float *work = malloc(nw * sizeof *work);
        if (!work) return 2;
        for (int per_call = 0; per_call < 2; per_call++) {
            int f = replay_golden(&c, per_call, work, nw);
            failures += f;
            printf("%s %s: %u steps, %u x %u units: %s\n", per_call ? "per-call" : "cell    ",
                   argv[a], c.steps, c.batch_size, c.n_units, f ? "FAIL" : "bit-exact");
        }
        steps += c.steps;
        replayed++;
        free(work);
        free(data);
    }
    if (argc < 2) {
        fprintf(stderr, "FAIL: no golden file given\n");
        failures++;
    }
    printf("%s: %d golden files (%lu steps, both APIs), error codes; %d failed checks\n",
           failures ? "FAIL" : "PASS", replayed, steps, failures);
    return failures ? 1 : 0;
}
