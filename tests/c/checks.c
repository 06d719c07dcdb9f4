/* Checks of the wtas C interface shared by the host test and the firmware. */
#include "checks.h"

#include <string.h>

static int failures;

#define CHECK(cond, what, a, b)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            wtas_check_report((what), (long)(a), (long)(b));                                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static float ld(const void *p, size_t i) {
    float f;
    memcpy(&f, (const unsigned char *)p + 4 * i, 4);
    return f;
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static int is_nan(float f) { return (bits(f) & 0x7fffffffu) > 0x7f800000u; }

/* Bitwise equality, except that any NaN equals any NaN. */
static int same(float a, float b) { return bits(a) == bits(b) || (is_nan(a) && is_nan(b)); }

int replay_golden(const replay_case *c, int per_call, float *work, size_t work_floats) {
    failures = 0;
    const size_t n = c->n_units, len = (size_t)c->n_units * c->batch_size;
    if (work_floats < REPLAY_WORK_FLOATS(len, n)) {
        wtas_check_report("work memory too small for case", (long)len, (long)work_floats);
        return 1;
    }
    float *j = work, *v = j + len, *s = v + len, *thr = s + len, *rfr = thr + len,
          *tols = rfr + len, *prev_thr = tols + len, *thr0 = prev_thr + len, *e = thr0 + n;
    for (size_t i = 0; i < n; i++) thr0[i] = ld(c->thr0, i);

    wtas_config cfg;
    wtas_params params;
    wtas_cell cell;
    wtas_buffers bufs = {j, len, v, len, s, len, thr, len, rfr, len, tols, len};
    CHECK(wtas_config_default(&cfg, n, 1.0f) == WTAS_OK, "config_default", 0, 0);
    cfg.batch_size = c->batch_size;
    cfg.resist_m = c->resist_m;
    cfg.thr_base = c->thr_base;
    cfg.thr_gain = c->thr_gain;
    cfg.refract_time = c->refract_time;
    cfg.thr_jitter = c->thr_jitter;
    CHECK(wtas_params_init(&params, &cfg) == WTAS_OK, "params_init", 0, 0);
    CHECK(params.len == len, "params.len", params.len, len);
    memset(j, 0, len * sizeof *j);
    if (per_call) {
        CHECK(wtas_set_threshold0(&params, &bufs, thr0, n) == WTAS_OK, "set_threshold0", 0, 0);
    } else {
        CHECK(wtas_cell_bind(&cell, &params, &bufs) == WTAS_OK, "cell_bind", 0, 0);
        CHECK(wtas_cell_set_threshold0(&cell, thr0, n) == WTAS_OK, "cell_set_threshold0", 0, 0);
    }
    if (failures) return failures;
    for (size_t i = 0; i < len; i++) {
        CHECK(bits(v[i]) == 0 && bits(s[i]) == 0 && bits(tols[i]) == 0, "initial v/s/tols", i, 0);
        CHECK(same(rfr[i], c->refract_time), "initial rfr", i, 0);
        CHECK(same(thr[i], thr0[i % n]), "initial thr", i, 0);
    }

    for (uint32_t k = 0; k < c->steps; k++) {
        uint32_t reset;
        memcpy(&reset, (const unsigned char *)c->reset + 4 * (size_t)k, 4);
        if (reset) {
            wtas_status st = per_call ? wtas_reset(&params, &bufs, true)
                                      : wtas_cell_reset(&cell, true);
            CHECK(st == WTAS_OK, "reset", k, st);
        }
        const size_t at = (size_t)k * len;
        memcpy(j, (const unsigned char *)c->j + 4 * at, len * 4);
        memcpy(prev_thr, thr, len * sizeof *thr);
        float t = ld(c->t, k);
        wtas_status st = per_call ? wtas_advance(&params, &bufs, t, c->dt)
                                  : wtas_cell_advance(&cell, t, c->dt);
        CHECK(st == WTAS_OK, "advance", k, st);
        const float *ours[5] = {v, s, thr, rfr, tols};
        const void *theirs[5] = {c->v, c->s, c->thr, c->rfr, c->tols};
        static const char *const names[5] = {"mismatch in v (step, index)", "mismatch in s (step, index)",
                                             "mismatch in thr (step, index)",
                                             "mismatch in rfr (step, index)",
                                             "mismatch in tols (step, index)"};
        for (int f = 0; f < 5; f++) {
            for (size_t i = 0; i < len; i++) {
                if (!same(ours[f][i], ld(theirs[f], at + i))) {
                    CHECK(0, names[f], k, i);
                    break;
                }
            }
        }
        /* The building blocks, on the row's voltages and the thresholds
         * before the step, reproduce the step's spikes: the softmax of the
         * whole batch, and (below 4,096 elements, the reference's inline
         * code, which wtas_exp_sum follows) exp_sum and spike_mask. */
        CHECK(wtas_softmax(c->batch_size, n, v, e) == WTAS_OK, "softmax", k, 0);
        for (size_t i = 0; i < len; i++) {
            float spike = e[i] > prev_thr[i] ? 1.0f : 0.0f;
            CHECK(bits(spike) == bits(s[i]), "softmax > thr spike (step, element)", k, i);
        }
        for (size_t b = 0; len < 4096 && b < c->batch_size; b++) {
            const float *vr = v + b * n, *sr = s + b * n, *tr = prev_thr + b * n;
            float max = 0.0f, sum = 0.0f, count = -1.0f, expect_count = 0.0f;
            CHECK(wtas_row_max(vr, n, &max) == WTAS_OK, "row_max", k, b);
            CHECK(wtas_exp_sum(vr, n, max, e, n, &sum) == WTAS_OK, "exp_sum", k, b);
            CHECK(wtas_spike_mask(e, n, sum, tr, n, &count) == WTAS_OK, "spike_mask", k, b);
            for (size_t i = 0; i < n; i++) {
                CHECK(bits(e[i]) == bits(sr[i]), "spike_mask spike (step, unit)", k, i);
                expect_count += sr[i];
            }
            CHECK(bits(count) == bits(expect_count), "spike_mask count (step, row)", k, b);
        }
        if (failures > 20) break;
    }
    return failures;
}

/* ------------------------------------------------------------------------ */

#define EN 4 /* units */
#define EB 2 /* batch rows */
#define EL (EN * EB)

static float mem[6][EL], snap[6][EL], thr0[EN], big[2 * EL + 1];

static void fill(void) {
    for (int b = 0; b < 6; b++)
        for (int i = 0; i < EL; i++) mem[b][i] = (float)(b * 100 + i) + 0.5f;
    for (int i = 0; i < EN; i++) thr0[i] = 0.3f;
}

static void snapshot(void) { memcpy(snap, mem, sizeof mem); }

static int untouched(void) { return memcmp(snap, mem, sizeof mem) == 0; }

static wtas_buffers good_buffers(void) {
    wtas_buffers b = {mem[0], EL, mem[1], EL, mem[2], EL, mem[3], EL, mem[4], EL, mem[5], EL};
    return b;
}

/* Expect status `want` from a call and, for an error, every buffer unchanged. */
#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        snapshot();                                                                                \
        wtas_status got_ = (call);                                                                 \
        CHECK(got_ == (want), #call, got_, want);                                                  \
        if ((want) != WTAS_OK)                                                                     \
            CHECK(untouched(), "buffers modified on error: " #call, got_, want);                       \
    } while (0)

/* Buffer k of b (j, v, s, thr, rfr, tols): where its pointer and its length are. */
typedef struct buffer_ref {
    float **ptr;
    size_t *len;
} buffer_ref;

static buffer_ref buffer(wtas_buffers *b, int k) {
    const buffer_ref refs[6] = {
        {&b->j, &b->j_len},     {&b->v, &b->v_len},     {&b->s, &b->s_len},
        {&b->thr, &b->thr_len}, {&b->rfr, &b->rfr_len}, {&b->tols, &b->tols_len},
    };
    return refs[k];
}

/* A stateless call on `b`, the `k`th of: advance, reset (zeroing j),
 * seed, advance, reset (keeping j). */
static wtas_status stateless_call(int k, const wtas_params *p, const wtas_buffers *b) {
    switch (k) {
    case 1: return wtas_reset(p, b, true);
    case 2: return wtas_seed(p, b, 1);
    case 4: return wtas_reset(p, b, false);
    default: return wtas_advance(p, b, 0.0f, 1.0f);
    }
}

static int seen[WTAS_ERR_PANIC + 1];

static void mark(int s) {
    if (s >= 0 && s <= (int)WTAS_ERR_PANIC) seen[s] = 1;
}

#define EXPECT_MARK(call, want)                                                                    \
    do {                                                                                           \
        EXPECT(call, want);                                                                        \
        mark(want);                                                                                \
    } while (0)

int check_error_codes(void) {
    failures = 0;
    fill();
    wtas_config cfg, bad;
    wtas_params params, params2, zero_params;
    wtas_cell cell, cell2, zero_cell;
    memset(&zero_params, 0, sizeof zero_params);
    memset(&zero_cell, 0, sizeof zero_cell);
    wtas_buffers bufs = good_buffers(), wb;
    float out = 7.0f, out2[EL];

    /* Parameters. */
    EXPECT_MARK(wtas_config_default(NULL, EN, 10.0f), WTAS_ERR_NULL);
    EXPECT_MARK(wtas_config_default((wtas_config *)((char *)&cfg + 1), EN, 10.0f),
                WTAS_ERR_ALIGN);
    EXPECT_MARK(wtas_config_default(&cfg, EN, 10.0f), WTAS_OK);
    cfg.batch_size = EB;
    EXPECT(wtas_params_init(NULL, &cfg), WTAS_ERR_NULL);
    EXPECT(wtas_params_init(&params, NULL), WTAS_ERR_NULL);
    memcpy(&params2, &zero_params, sizeof params2);
    {
        struct {
            int field;
            wtas_status want;
        } cases[] = {
            {0, WTAS_ERR_N_UNITS},   {1, WTAS_ERR_BATCH_SIZE},  {2, WTAS_ERR_SIZE},
            {3, WTAS_ERR_SIZE},      {4, WTAS_ERR_TAU_M},       {5, WTAS_ERR_TAU_M},
            {6, WTAS_ERR_RESIST_M},  {7, WTAS_ERR_THR_BASE},    {8, WTAS_ERR_THR_GAIN},
            {9, WTAS_ERR_REFRACT_TIME}, {10, WTAS_ERR_REFRACT_TIME}, {11, WTAS_ERR_THR_JITTER},
            {12, WTAS_ERR_THR_JITTER},
        };
        const float inf = 1.0f / 0.0f;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            bad = cfg;
            switch (cases[k].field) {
            case 0: bad.n_units = 0; break;
            case 1: bad.batch_size = 0; break;
            case 2: bad.n_units = SIZE_MAX; bad.batch_size = 2; break; /* product overflows */
            case 3: bad.n_units = SIZE_MAX / 2; bad.batch_size = 1; break; /* bytes overflow */
            case 4: bad.tau_m = 0.0f; break;
            case 5: bad.tau_m = inf; break;
            case 6: bad.resist_m = -inf; break;
            case 7: bad.thr_base = inf - inf; break;
            case 8: bad.thr_gain = inf; break;
            case 9: bad.refract_time = -1.0f; break;
            case 10: bad.refract_time = inf - inf; break;
            case 11: bad.thr_jitter = -0.5f; break;
            default: bad.thr_jitter = inf; break;
            }
            EXPECT_MARK(wtas_params_init(&params2, &bad), cases[k].want);
            CHECK(memcmp(&params2, &zero_params, sizeof params2) == 0,
                  "params written on error (case)", k, 0);
        }
    }
    EXPECT(wtas_params_init(&params, &cfg), WTAS_OK);
    CHECK(params.len == EL, "params.len", params.len, EL);

    /* Binding. */
    EXPECT(wtas_cell_bind(NULL, &params, &bufs), WTAS_ERR_NULL);
    EXPECT(wtas_cell_bind(&cell, NULL, &bufs), WTAS_ERR_NULL);
    EXPECT(wtas_cell_bind(&cell, &params, NULL), WTAS_ERR_NULL);
    EXPECT_MARK(wtas_cell_bind(&cell, &zero_params, &bufs), WTAS_ERR_HANDLE);
    params2 = params;
    params2.config.n_units = 3; /* tampered: len no longer matches */
    EXPECT(wtas_cell_bind(&cell, &params2, &bufs), WTAS_ERR_HANDLE);
    params2 = params;
    params2.config.tau_m = -1.0f; /* tampered: invalid */
    EXPECT(wtas_cell_bind(&cell, &params2, &bufs), WTAS_ERR_HANDLE);
    /* Changed into another valid configuration: still a changed handle. */
    params2 = params;
    params2.config.thr_gain = 0.5f;
    EXPECT(wtas_cell_bind(&cell, &params2, &bufs), WTAS_ERR_HANDLE);
    EXPECT(wtas_advance(&params2, &bufs, 0.0f, 1.0f), WTAS_ERR_HANDLE);
    params2 = params;
    params2.config.n_units = params.config.batch_size; /* same product, len still right */
    params2.config.batch_size = params.config.n_units;
    EXPECT(wtas_cell_bind(&cell, &params2, &bufs), WTAS_ERR_HANDLE);
    EXPECT(wtas_reset(&params2, &bufs, true), WTAS_ERR_HANDLE);
    /* A plain copy is a valid handle. */
    params2 = params;
    EXPECT(wtas_cell_bind(&cell2, &params2, &bufs), WTAS_OK);
    /* Each flaw of each buffer, refused by wtas_cell_bind and by one
     * stateless call: a NULL pointer, a misaligned one, a short length, the
     * same buffer twice, and one float shared with the next buffer. */
    for (int b = 0; b < 6; b++) {
        static const wtas_status want[5] = {WTAS_ERR_NULL, WTAS_ERR_ALIGN, WTAS_ERR_LENGTH,
                                            WTAS_ERR_ALIAS, WTAS_ERR_ALIAS};
        for (int flaw = 0; flaw < 5; flaw++) {
            wb = bufs;
            switch (flaw) {
            case 0: *buffer(&wb, b).ptr = NULL; break;
            case 1: *buffer(&wb, b).ptr = (float *)((char *)mem[b] + 2); break;
            case 2: *buffer(&wb, b).len = EL - 1; break;
            case 3: *buffer(&wb, b).ptr = mem[(b + 1) % 6]; break;
            default:
                *buffer(&wb, b).ptr = big;
                *buffer(&wb, (b + 1) % 6).ptr = big + EL - 1;
                break;
            }
            EXPECT_MARK(wtas_cell_bind(&cell, &params, &wb), want[flaw]);
            EXPECT(stateless_call(flaw, &params, &wb), want[flaw]);
        }
    }
    /* Disjoint buffers inside one array are fine. */
    wb = bufs;
    wb.j = big;
    wb.v = big + EL;
    EXPECT(wtas_cell_bind(&cell2, &params, &wb), WTAS_OK);

    EXPECT(wtas_cell_bind(&cell, &params, &bufs), WTAS_OK);

    /* A bound cell: every call on a bad handle. */
    EXPECT(wtas_cell_seed(NULL, 1), WTAS_ERR_NULL);
    EXPECT(wtas_cell_seed(&zero_cell, 1), WTAS_ERR_HANDLE);
    EXPECT(wtas_cell_advance(NULL, 0.0f, 1.0f), WTAS_ERR_NULL);
    EXPECT(wtas_cell_advance(&zero_cell, 0.0f, 1.0f), WTAS_ERR_HANDLE);
    EXPECT(wtas_cell_reset(NULL, true), WTAS_ERR_NULL);
    EXPECT(wtas_cell_reset(&zero_cell, true), WTAS_ERR_HANDLE);
    EXPECT(wtas_cell_set_threshold0(NULL, thr0, EN), WTAS_ERR_NULL);
    EXPECT(wtas_cell_set_threshold0(&cell, NULL, EN), WTAS_ERR_NULL);
    EXPECT(wtas_cell_set_threshold0(&zero_cell, thr0, EN), WTAS_ERR_HANDLE);
    memcpy(&cell2, &cell, sizeof cell);
    memset(&cell2.config.batch_size, 0xA5, sizeof cell2.config.batch_size); /* tampered */
    EXPECT(wtas_cell_advance(&cell2, 0.0f, 1.0f), WTAS_ERR_HANDLE);
    memcpy(&cell2, &cell, sizeof cell);
    cell2.config.refract_time = -1.0f; /* tampered */
    EXPECT(wtas_cell_reset(&cell2, true), WTAS_ERR_HANDLE);
    memcpy(&cell2, &cell, sizeof cell);
    cell2.config.refract_time = 3.0f; /* changed into a valid value */
    EXPECT(wtas_cell_reset(&cell2, true), WTAS_ERR_HANDLE);
    memcpy(&cell2, &cell, sizeof cell);
    cell2.buffers[1] = big; /* v, moved to other valid, disjoint memory */
    EXPECT(wtas_cell_advance(&cell2, 0.0f, 1.0f), WTAS_ERR_HANDLE);
    memcpy(&cell2, &cell, sizeof cell);
    EXPECT(wtas_cell_reset(&cell2, false), WTAS_OK); /* a copy is valid */

    /* Threshold injection. */
    EXPECT(wtas_cell_set_threshold0(&cell, thr0, EN + 1), WTAS_ERR_LENGTH);
    EXPECT(wtas_cell_set_threshold0(&cell, (const float *)((const char *)thr0 + 1), EN),
           WTAS_ERR_ALIGN);
    EXPECT(wtas_cell_set_threshold0(&cell, mem[3] + 2, EN), WTAS_ERR_ALIAS);
    EXPECT(wtas_set_threshold0(&params, &bufs, mem[0], EN), WTAS_ERR_ALIAS);
    thr0[2] = 0.0f / 0.0f;
    EXPECT_MARK(wtas_cell_set_threshold0(&cell, thr0, EN), WTAS_ERR_THRESHOLD_NAN);
    EXPECT(wtas_set_threshold0(&params, &bufs, thr0, EN), WTAS_ERR_THRESHOLD_NAN);
    thr0[2] = 0.3f;

    /* Time and step. */
    const float inf = 1.0f / 0.0f, nan = 0.0f / 0.0f;
    EXPECT_MARK(wtas_cell_advance(&cell, inf, 1.0f), WTAS_ERR_TIME);
    EXPECT(wtas_cell_advance(&cell, nan, 1.0f), WTAS_ERR_TIME);
    EXPECT(wtas_advance(&params, &bufs, -inf, 1.0f), WTAS_ERR_TIME);
    EXPECT_MARK(wtas_cell_advance(&cell, 0.0f, 0.0f), WTAS_ERR_DT);
    EXPECT(wtas_cell_advance(&cell, 0.0f, -1.0f), WTAS_ERR_DT);
    EXPECT(wtas_advance(&params, &bufs, 0.0f, nan), WTAS_ERR_DT);
    EXPECT(wtas_advance(&params, &bufs, 0.0f, inf), WTAS_ERR_DT);

    /* Per-call forms: nulls and handles. */
    EXPECT(wtas_seed(NULL, &bufs, 1), WTAS_ERR_NULL);
    EXPECT(wtas_seed(&params, NULL, 1), WTAS_ERR_NULL);
    EXPECT(wtas_seed(&zero_params, &bufs, 1), WTAS_ERR_HANDLE);
    EXPECT(wtas_advance(&zero_params, &bufs, 0.0f, 1.0f), WTAS_ERR_HANDLE);
    EXPECT(wtas_reset(&params, NULL, false), WTAS_ERR_NULL);
    EXPECT(wtas_reset(&zero_params, &bufs, false), WTAS_ERR_HANDLE);
    EXPECT(wtas_set_threshold0(NULL, &bufs, thr0, EN), WTAS_ERR_NULL);
    EXPECT(wtas_set_threshold0(&params, &bufs, NULL, EN), WTAS_ERR_NULL);

    /* Successful calls do write, and the two forms agree. */
    EXPECT(wtas_cell_seed(&cell, 42), WTAS_OK);
    CHECK(!untouched(), "seed wrote nothing", 0, 0);
    memcpy(out2, mem[3], sizeof out2);
    EXPECT(wtas_seed(&params, &bufs, 42), WTAS_OK);
    CHECK(memcmp(out2, mem[3], sizeof out2) == 0, "seeded thresholds differ between forms", 0, 0);
    for (int i = 0; i < EL; i++) {
        CHECK(mem[3][i] >= 0.35f && mem[3][i] <= 0.45f, "seeded threshold out of range", i, 0);
        CHECK(mem[3][i] == mem[3][i % EN], "rows differ after seed", i, 0);
    }
    for (int i = 0; i < EL; i++) mem[0][i] = i == 1 || i == EN + 2 ? 6.0f : 0.0f;
    EXPECT(wtas_cell_advance(&cell, 0.0f, 1.0f), WTAS_OK);
    CHECK(mem[2][1] == 1.0f && mem[2][EN + 2] == 1.0f, "winners did not spike", 0, 0);
    EXPECT(wtas_cell_reset(&cell, false), WTAS_OK);
    CHECK(mem[2][1] == 0.0f && mem[0][1] == 6.0f, "reset(zero_j=false)", 0, 0);
    EXPECT(wtas_reset(&params, &bufs, true), WTAS_OK);
    CHECK(mem[0][1] == 0.0f, "reset(zero_j=true)", 0, 0);

    /* Kernels. */
    const float x[3] = {1.0f, 2.0f, 3.0f};
    float y[3], sum = 5.0f, count = 5.0f;
    EXPECT(wtas_row_max(NULL, 3, &out), WTAS_ERR_NULL);
    EXPECT(wtas_row_max(x, 3, NULL), WTAS_ERR_NULL);
    EXPECT(wtas_row_max((const float *)((const char *)x + 1), 2, &out), WTAS_ERR_ALIGN);
    EXPECT(wtas_row_max(mem[0], 3, mem[0] + 1), WTAS_ERR_ALIAS);
    CHECK(out == 7.0f, "row_max wrote on error", 0, 0);
    EXPECT(wtas_row_max(x, 3, &out), WTAS_OK);
    CHECK(out == 3.0f, "row_max value", 0, 0);
    EXPECT(wtas_row_max(x, 0, &out), WTAS_OK);
    CHECK(out == -inf, "row_max of empty row", 0, 0);
    EXPECT(wtas_exp(0.0f, NULL), WTAS_ERR_NULL);
    EXPECT(wtas_exp(0.0f, &out), WTAS_OK);
    CHECK(out == 1.0f, "exp(0)", 0, 0);
    EXPECT(wtas_exp_sum(x, 3, 3.0f, y, 2, &sum), WTAS_ERR_LENGTH);
    EXPECT(wtas_exp_sum(NULL, 3, 3.0f, y, 3, &sum), WTAS_ERR_NULL);
    EXPECT(wtas_exp_sum(x, 3, 3.0f, NULL, 3, &sum), WTAS_ERR_NULL);
    EXPECT(wtas_exp_sum(x, 3, 3.0f, y, 3, NULL), WTAS_ERR_NULL);
    EXPECT(wtas_exp_sum(mem[0], 3, 3.0f, mem[0] + 1, 3, &sum), WTAS_ERR_ALIAS);
    EXPECT(wtas_exp_sum(x, 3, 3.0f, mem[0], 3, mem[0] + 2), WTAS_ERR_ALIAS);
    CHECK(sum == 5.0f, "exp_sum wrote on error", 0, 0);
    EXPECT(wtas_exp_sum(x, 3, 3.0f, y, 3, &sum), WTAS_OK);
    CHECK(y[2] == 1.0f && sum > 1.4f && sum < 1.6f, "exp_sum value", 0, 0);
    EXPECT(wtas_spike_mask(y, 3, sum, x, 2, &count), WTAS_ERR_LENGTH);
    EXPECT(wtas_spike_mask(NULL, 3, sum, x, 3, &count), WTAS_ERR_NULL);
    EXPECT(wtas_spike_mask(y, 3, sum, NULL, 3, &count), WTAS_ERR_NULL);
    EXPECT(wtas_spike_mask(y, 3, sum, x, 3, NULL), WTAS_ERR_NULL);
    EXPECT(wtas_spike_mask(mem[1], 3, sum, mem[1], 3, &count), WTAS_ERR_ALIAS);
    EXPECT(wtas_spike_mask(mem[1], 3, sum, mem[2], 3, mem[1] + 2), WTAS_ERR_ALIAS);
    CHECK(count == 5.0f, "spike_mask wrote on error", 0, 0);
    {
        const float thr[3] = {0.5f, 0.5f, 0.5f};
        EXPECT(wtas_spike_mask(y, 3, sum, thr, 3, &count), WTAS_OK);
        CHECK(count == 1.0f && y[2] == 1.0f && y[0] == 0.0f, "spike_mask value", 0, 0);
    }
    EXPECT(wtas_softmax(SIZE_MAX, 2, x, y), WTAS_ERR_SIZE);
    EXPECT(wtas_softmax(1, 3, NULL, y), WTAS_ERR_NULL);
    EXPECT(wtas_softmax(1, 3, x, NULL), WTAS_ERR_NULL);
    EXPECT(wtas_softmax(1, 3, mem[0], mem[0]), WTAS_ERR_ALIAS);
    EXPECT(wtas_softmax(1, 2, x, (float *)((char *)y + 2)), WTAS_ERR_ALIGN);
    EXPECT(wtas_softmax(1, 3, x, y), WTAS_OK);
    CHECK(y[2] > y[1] && y[1] > y[0] && y[0] > 0.0f, "softmax value", 0, 0);

    /* Every code but PANIC (a caught Rust panic: none is known to be
     * reachable) was produced, and every code has its message. */
    for (int k = 0; k <= (int)WTAS_ERR_DT; k++) CHECK(seen[k], "status never produced", k, 0);
    const char *unknown = wtas_strerror(-1);
    CHECK(unknown != NULL && strcmp(unknown, "unknown wtas status code") == 0, "strerror(-1)", 0, 0);
    CHECK(wtas_strerror(WTAS_ERR_PANIC + 1) == unknown, "strerror(past last)", 0, 0);
    for (int k = 0; k <= (int)WTAS_ERR_PANIC; k++) {
        const char *m = wtas_strerror(k);
        CHECK(m != NULL && m[0] != '\0' && m != unknown, "strerror gives no message", k, 0);
        for (int i = 0; i < k; i++)
            CHECK(strcmp(m, wtas_strerror(i)) != 0, "two codes share a message", k, i);
    }
    CHECK(strcmp(wtas_strerror(WTAS_OK), "success") == 0, "strerror(OK)", 0, 0);

    const char *ver = wtas_version();
    int dots = 0, digits = 0;
    for (const char *p = ver; p && *p; p++) {
        if (*p == '.') dots++;
        else if (*p >= '0' && *p <= '9') digits++;
    }
    CHECK(ver != NULL && dots >= 2 && digits >= 3, "version string", dots, digits);
    CHECK(ver != NULL && strcmp(ver, WTAS_VERSION_STRING) == 0, "version != WTAS_VERSION_STRING",
          0, 0);
#define WTAS_STR_(x) #x
#define WTAS_STR(x) WTAS_STR_(x)
    CHECK(strcmp(WTAS_STR(WTAS_VERSION_MAJOR) "." WTAS_STR(WTAS_VERSION_MINOR) "." WTAS_STR(
                     WTAS_VERSION_PATCH),
                 WTAS_VERSION_STRING) == 0,
          "version macros disagree", 0, 0);
    return failures;
}
