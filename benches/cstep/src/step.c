/*
 * One wtas step (the plain case: finite inputs, normal thresholds) in
 * hand-written AVX2 + FMA, the baseline that `benches/step.rs` measures
 * wtas against. Not bit-exact to the reference (its `exp` uses FMA and a
 * degree-5 polynomial); it computes the same rules:
 *
 *   v = rfr >= refract_time ? j * resist_m : 0
 *   e = exp(v - max(v)), sum = sum(e)
 *   s = e / sum > thr            (cstep_step_recip: e * (1 / sum) > thr)
 *   rfr = s ? dt : rfr + dt,  tols = s ? t : tols
 *   thr = max(thr + (count - 1) * thr_gain, 0.025)
 *
 * Four vector passes per row, row tails with masked loads and stores.
 */
#include <immintrin.h>
#include <stddef.h>

#define THR_FLOOR 0.025f

/* Lanes [0, rem) set, for a tail of 1 to 7 values. */
static inline __m256i tail_mask(size_t rem)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), idx);
}

static inline float hmax(__m256 x)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

static inline float hsum(__m256 x)
{
    __m128 m = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

/*
 * exp(x) for x <= 0: n = round(x / ln 2) with a magic bias that also
 * carries the exponent bias, r = x - n ln 2 in two FMA steps, a degree-5
 * polynomial by Horner's rule with FMA, 2^n from the bias's low bits;
 * results below the smallest normal are zeroed.
 */
static inline __m256 exp_nonpositive(__m256 x)
{
    const __m256 log2e = _mm256_set1_ps(0x1.715476p+0f);
    const __m256 magic = _mm256_set1_ps(0x1.8000FEp23f); /* 1.5 * 2^23 + 127 */
    const __m256 minus_ln2_hi = _mm256_set1_ps(-0x1.62E400p-1f);
    const __m256 minus_ln2_lo = _mm256_set1_ps(-0x1.7F7D1Cp-20f);
    const __m256 c5 = _mm256_set1_ps(0x1.0eb6c2p-7f);
    const __m256 c4 = _mm256_set1_ps(0x1.573c0ep-5f);
    const __m256 c3 = _mm256_set1_ps(0x1.555cecp-3f);
    const __m256 c2 = _mm256_set1_ps(0x1.fffdc0p-2f);
    const __m256 c1 = _mm256_set1_ps(0x1.fffff0p-1f);
    const __m256 cutoff = _mm256_set1_ps(-0x1.5D589Ep6f); /* about -87.3365 */

    __m256 n = _mm256_fmadd_ps(x, log2e, magic);
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(n), 23));
    n = _mm256_sub_ps(n, magic);
    __m256 r = _mm256_fmadd_ps(n, minus_ln2_hi, x);
    r = _mm256_fmadd_ps(n, minus_ln2_lo, r);
    __m256 p = _mm256_fmadd_ps(c5, r, c4);
    p = _mm256_fmadd_ps(p, r, c3);
    p = _mm256_fmadd_ps(p, r, c2);
    p = _mm256_fmadd_ps(p, r, c1);
    r = _mm256_mul_ps(r, scale);
    const __m256 f = _mm256_fmadd_ps(r, p, scale);
    return _mm256_andnot_ps(_mm256_cmp_ps(x, cutoff, _CMP_LT_OQ), f);
}

static inline __attribute__((always_inline)) void step_row(
    size_t n, const float *j, float *v, float *s, float *thr, float *rfr, float *tols,
    float resist_m, float refract_time, float thr_gain, float t, float dt, int recip)
{
    size_t i;

    /* Pass 1: voltages and their max, two accumulators. */
    const __m256 rm = _mm256_set1_ps(resist_m), rt = _mm256_set1_ps(refract_time);
    __m256 max0 = _mm256_set1_ps(-__builtin_inff()), max1 = max0;
    for (i = 0; i + 16 <= n; i += 16) {
        const __m256 a = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(rfr + i), rt, _CMP_GE_OQ),
                                       _mm256_mul_ps(_mm256_loadu_ps(j + i), rm));
        const __m256 b = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(rfr + i + 8), rt, _CMP_GE_OQ),
                                       _mm256_mul_ps(_mm256_loadu_ps(j + i + 8), rm));
        _mm256_storeu_ps(v + i, a);
        _mm256_storeu_ps(v + i + 8, b);
        max0 = _mm256_max_ps(max0, a);
        max1 = _mm256_max_ps(max1, b);
    }
    for (; i + 8 <= n; i += 8) {
        const __m256 a = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(rfr + i), rt, _CMP_GE_OQ),
                                       _mm256_mul_ps(_mm256_loadu_ps(j + i), rm));
        _mm256_storeu_ps(v + i, a);
        max0 = _mm256_max_ps(max0, a);
    }
    if (i < n) {
        const __m256i m = tail_mask(n - i);
        const __m256 a = _mm256_and_ps(
            _mm256_cmp_ps(_mm256_maskload_ps(rfr + i, m), rt, _CMP_GE_OQ),
            _mm256_mul_ps(_mm256_maskload_ps(j + i, m), rm));
        _mm256_maskstore_ps(v + i, m, a);
        max0 = _mm256_max_ps(max0, _mm256_blendv_ps(max0, a, _mm256_castsi256_ps(m)));
    }
    const __m256 vmax = _mm256_set1_ps(hmax(_mm256_max_ps(max0, max1)));

    /* Pass 2: e = exp(v - max) into s, and their sum; four vectors per
     * iteration, four accumulators. */
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (i = 0; i + 32 <= n; i += 32) {
        const __m256 e0 = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(v + i), vmax));
        const __m256 e1 = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(v + i + 8), vmax));
        const __m256 e2 = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(v + i + 16), vmax));
        const __m256 e3 = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(v + i + 24), vmax));
        _mm256_storeu_ps(s + i, e0);
        _mm256_storeu_ps(s + i + 8, e1);
        _mm256_storeu_ps(s + i + 16, e2);
        _mm256_storeu_ps(s + i + 24, e3);
        acc0 = _mm256_add_ps(acc0, e0);
        acc1 = _mm256_add_ps(acc1, e1);
        acc2 = _mm256_add_ps(acc2, e2);
        acc3 = _mm256_add_ps(acc3, e3);
    }
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(v + i), vmax));
        _mm256_storeu_ps(s + i, e);
        acc0 = _mm256_add_ps(acc0, e);
    }
    if (i < n) {
        const __m256i m = tail_mask(n - i);
        const __m256 e = _mm256_and_ps(
            _mm256_castsi256_ps(m),
            exp_nonpositive(_mm256_sub_ps(_mm256_maskload_ps(v + i, m), vmax)));
        _mm256_maskstore_ps(s + i, m, e);
        acc0 = _mm256_add_ps(acc0, e);
    }
    const float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));

    /* Pass 3: spikes, refractory timers, times of last spike, the count. */
    const __m256 vsum = _mm256_set1_ps(sum), vinv = _mm256_set1_ps(1.0f / sum);
    const __m256 one = _mm256_set1_ps(1.0f), vdt = _mm256_set1_ps(dt), vt = _mm256_set1_ps(t);
    __m256 cnt0 = _mm256_setzero_ps(), cnt1 = cnt0;
#define SPIKES(off, cnt, load, store)                                                        \
    do {                                                                                     \
        const __m256 e = load(s + (off));                                                    \
        const __m256 p = recip ? _mm256_mul_ps(e, vinv) : _mm256_div_ps(e, vsum);            \
        const __m256 fire = _mm256_cmp_ps(p, load(thr + (off)), _CMP_GT_OQ);                 \
        const __m256 spike = _mm256_and_ps(fire, one);                                       \
        store(s + (off), spike);                                                             \
        store(rfr + (off), _mm256_blendv_ps(_mm256_add_ps(load(rfr + (off)), vdt), vdt, fire)); \
        store(tols + (off), _mm256_blendv_ps(load(tols + (off)), vt, fire));                 \
        cnt = _mm256_add_ps(cnt, spike);                                                     \
    } while (0)
#define LOADU(p) _mm256_loadu_ps(p)
#define STOREU(p, x) _mm256_storeu_ps(p, x)
    for (i = 0; i + 16 <= n; i += 16) {
        SPIKES(i, cnt0, LOADU, STOREU);
        SPIKES(i + 8, cnt1, LOADU, STOREU);
    }
    for (; i + 8 <= n; i += 8)
        SPIKES(i, cnt0, LOADU, STOREU);
    if (i < n) {
        const __m256i m = tail_mask(n - i);
#define LOADM(p) _mm256_maskload_ps(p, m)
#define STOREM(p, x) _mm256_maskstore_ps(p, m, x)
        SPIKES(i, cnt1, LOADM, STOREM); /* masked-off lanes: e = 0, never a spike */
    }
    const float count = hsum(_mm256_add_ps(cnt0, cnt1));

    /* Pass 4: threshold adaptation. */
    const __m256 delta = _mm256_set1_ps((count - 1.0f) * thr_gain);
    const __m256 floor = _mm256_set1_ps(THR_FLOOR);
    for (i = 0; i + 16 <= n; i += 16) {
        _mm256_storeu_ps(thr + i, _mm256_max_ps(_mm256_add_ps(_mm256_loadu_ps(thr + i), delta), floor));
        _mm256_storeu_ps(thr + i + 8,
                         _mm256_max_ps(_mm256_add_ps(_mm256_loadu_ps(thr + i + 8), delta), floor));
    }
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(thr + i, _mm256_max_ps(_mm256_add_ps(_mm256_loadu_ps(thr + i), delta), floor));
    if (i < n) {
        const __m256i m = tail_mask(n - i);
        _mm256_maskstore_ps(thr + i, m,
                            _mm256_max_ps(_mm256_add_ps(_mm256_maskload_ps(thr + i, m), delta), floor));
    }
}

/* The step over `batch` rows of `n` units, dividing by the sum, or with
 * `recip` multiplying by `1 / sum` (each row's code specialised for it). */
void wtas_cstep_step(size_t batch, size_t n, const float *j, float *v, float *s, float *thr,
                     float *rfr, float *tols, float resist_m, float refract_time, float thr_gain,
                     float t, float dt, int recip)
{
    for (size_t b = 0; b < batch; b++) {
        const size_t o = b * n;
        if (recip)
            step_row(n, j + o, v + o, s + o, thr + o, rfr + o, tols + o, resist_m, refract_time,
                     thr_gain, t, dt, 1);
        else
            step_row(n, j + o, v + o, s + o, thr + o, rfr + o, tols + o, resist_m, refract_time,
                     thr_gain, t, dt, 0);
    }
}
