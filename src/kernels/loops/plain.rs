//! The step of a plain row, with fewer operations and the same bits.
//!
//! Most rows are plain: a plain step (see [`StepConsts::plain`]), no NaN
//! among the voltages, a finite max, no voltage so far below the max that
//! its `exp` flushes to zero. For them the general loops spend operations
//! on cases that cannot occur; the loops here leave those out, and check
//! afterwards, once per row, that the case did not occur:
//!
//! - **NaN made canonical after the fact.** Every rule that writes state
//!   ends in [`canonical_nan`], a select per element that changes only NaN
//!   lanes. Here the values are written as they come, and a *probe*, one
//!   running sum per pass, is NaN if any of them was (a NaN operand makes
//!   every sum that includes it NaN). Only then is the select applied to
//!   the written row, with the same result: the select is idempotent and
//!   acts on each element alone. (The probe can also be NaN without a NaN
//!   value, as `inf + -inf`; the fix-up then changes nothing.)
//! - **The voltage pass without its NaN select.** The max of the plain
//!   pass is the same as the general one's on rows without NaN (up to the
//!   sign of a zero, which changes no output); a row
//!   with one (its probe NaN), or with an infinite max, is handed back and
//!   stepped by the general loops from the start (the voltage pass reads
//!   only `j` and `rfr`, so nothing is lost).
//! - **`exp` without its clamp and flush.** The pass also finds the row's
//!   min. When `min - max >= NO_FLUSH_FROM` every `v - max` is at least
//!   that (the subtraction is monotone), where neither can act.
//! - **Silent chunks skip the timers' arithmetic**: see [`spike_pass`].
//! - **The threshold floor as one `max`** ([`threshold_any_nan`]), a NaN
//!   passing through to the deferred select.
#![forbid(unsafe_code)]

use super::interleave::{Block, Interleaved};
use super::{ExpRange, LANES, Lanes, Ops, UNROLL, pad, reduce_add, reduce_max, unpad};
use crate::kernels::spec::exp::NO_FLUSH_FROM;
use crate::kernels::spec::rules::canonical_nan;
use crate::kernels::spec::{
    Row, StepConsts, StepLanes, fire_plain, nan_max, reciprocal, rfr_silent, threshold_any_nan,
    threshold_delta, timers_plain_any_nan, voltage_any_nan,
};

/// Whether any lane of `probe` is NaN.
#[inline(always)]
fn any_nan<L: Lanes>(probe: L) -> bool {
    L::any(probe.is_nan())
}

/// Every NaN in `x` made the canonical `f32::NAN`.
#[inline(always)]
fn canonicalize<L: Lanes>(x: &mut [f32]) {
    let (xc, xt) = x.as_chunks_mut::<LANES>();
    for x8 in xc {
        canonical_nan(L::load(x8)).store(x8);
    }
    for x in xt {
        *x = canonical_nan(*x);
    }
}

/// Pass 1: voltages into `v`; `Some((max, min))` if no voltage is NaN,
/// `max` then being what the general pass returns. `None` (a NaN, or an
/// `inf + -inf` in the probe) leaves `v` to be rewritten.
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn voltage_pass<L: Lanes, const FLUSH: bool, const UNIT: bool>(
    j: &[f32],
    rfr: &[f32],
    v: &mut [f32],
    k: &StepConsts,
) -> Option<(f32, f32)> {
    let (jc, jt) = j.as_chunks::<LANES>();
    let (rc, rtail) = rfr.as_chunks::<LANES>();
    let (vc, vt) = v.as_chunks_mut::<LANES>();
    // Pairs of chunks, each with its own max, min and probe: two
    // dependency chains instead of one (four would not leave the registers
    // for them). The max of a set of numbers is one number whatever the
    // order, up to the sign of a zero, which makes no difference
    // downstream (`exp(v - max)` is 1 for `v - max = ±0`).
    let (jg, jc) = jc.as_chunks::<2>();
    let (rg, rc) = rc.as_chunks::<2>();
    let (vg, vc) = vc.as_chunks_mut::<2>();
    let k = StepLanes::new(k);
    let (mut max, mut max1) = (L::splat(f32::NEG_INFINITY), L::splat(f32::NEG_INFINITY));
    let (mut min, mut min1) = (L::splat(f32::INFINITY), L::splat(f32::INFINITY));
    let (mut probe, mut probe1) = (L::splat(0.0), L::splat(0.0));
    for (([j0, j1], [r0, r1]), [v0, v1]) in jg.iter().zip(rg).zip(vg) {
        let a = voltage_any_nan::<L, FLUSH, UNIT>(L::load(j0), L::load(r0), &k);
        let b = voltage_any_nan::<L, FLUSH, UNIT>(L::load(j1), L::load(r1), &k);
        a.store(v0);
        b.store(v1);
        (max, max1) = (max.max_gt(a), max1.max_gt(b));
        (min, min1) = (min.min_lt(a), min1.min_lt(b));
        (probe, probe1) = (probe.add(a), probe1.add(b));
    }
    let (mut max, mut min, mut probe) = (max.max_gt(max1), min.min_lt(min1), probe.add(probe1));
    for ((j8, r8), v8) in jc.iter().zip(rc).zip(vc) {
        let v = voltage_any_nan::<L, FLUSH, UNIT>(L::load(j8), L::load(r8), &k);
        v.store(v8);
        max = max.max_gt(v);
        min = min.min_lt(v);
        probe = probe.add(v);
    }
    if !jt.is_empty() {
        let v = voltage_any_nan::<L, FLUSH, UNIT>(
            L::load(&pad(jt, 0.0)),
            L::load(&pad(rtail, 0.0)),
            &k,
        );
        let lanes = v.to_array();
        unpad(vt, lanes);
        // Padded lanes: -inf for the max, +inf for the min, 0 for the probe.
        let (mut hi, mut lo, mut pr) = (
            [f32::NEG_INFINITY; LANES],
            [f32::INFINITY; LANES],
            [0.0; LANES],
        );
        for ((((h, l), p), x), _) in hi.iter_mut().zip(&mut lo).zip(&mut pr).zip(lanes).zip(jt) {
            (*h, *l, *p) = (x, x, x);
        }
        // As the general pass: `nan_max` equals `max_gt` without NaN.
        max = nan_max(max, L::load(&hi));
        min = min.min_lt(L::load(&lo));
        probe = probe.add(L::load(&pr));
    }
    if any_nan(probe) {
        return None;
    }
    let min = min.to_array().into_iter().fold(f32::INFINITY, f32::min);
    Some((reduce_max(max), min))
}

/// Rules 4, 6 and 7 of a plain step
/// ([`spike_rules`](crate::kernels::spec::spike_rules) with `PLAIN`) without
/// the final NaN select on `rfr`: the spikes, `rfr` and `tols`.
#[inline(always)]
fn spike_unchecked<L: Ops>(e: L, inv: L, thr: L, rfr: L, tols: L, k: &StepLanes<L>) -> (L, L, L) {
    let (fires, _) = fire_plain(e, inv, thr);
    // `select(fires, 1, 0)` as `fires ? 1 : +0.0`: one and on x86.
    let s = L::select_or_zero(fires, L::splat(1.0));
    let (rfr, tols) = timers_plain_any_nan(s, rfr, tols, k);
    (s, rfr, tols)
}

/// Pass 3 on one block (a group of four chunks, or one chunk): the spikes
/// (added to `count`), the timers (`rfr` added to `probe`).
///
/// A block with no lane where `e * inv > thr` (most of them: a row has few
/// winners) is silent: its spikes are 0, its `rfr` is [`rfr_silent`] and
/// its `tols` is kept: a silent block writes `s` and `rfr` only.
#[inline(always)]
fn spike_block<B: Block>(
    [s, thr, rfr, tols]: [&mut B::Mem; 4],
    inv: B,
    k: &StepLanes<B>,
    [count, probe]: [&mut B; 2],
) {
    let (e, th) = (B::load_block(s), B::load_block(thr));
    if !B::any(e.mul(inv).gt(th)) {
        B::splat(0.0).store_block(s);
        rfr_silent(B::load_block(rfr), k).store_block(rfr);
        return;
    }
    let (sv, r, t) = spike_unchecked(e, inv, th, B::load_block(rfr), B::load_block(tols), k);
    sv.store_block(s);
    r.store_block(rfr);
    t.store_block(tols);
    *count = count.add(sv);
    *probe = probe.add(r);
}

/// Pass 3 of a plain step; returns the spike count. `rfr`'s NaNs are made
/// canonical afterwards, if its probe says there may be any.
///
/// Groups of four chunks first (one test for the group, four counts and
/// probes: short dependency chains; a count of ones and zeros is exact in
/// any order), then single chunks, then the padded tail (padding that
/// never fires).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn spike_pass<L: Lanes>(row: &mut Row<'_>, inv: f32, k: &StepConsts) -> f32 {
    let (sc, st) = row.s.as_chunks_mut::<LANES>();
    let (tc, tt) = row.thr.as_chunks_mut::<LANES>();
    let (rc, rt) = row.rfr.as_chunks_mut::<LANES>();
    let (lc, lt) = row.tols.as_chunks_mut::<LANES>();
    let (sg, sc) = sc.as_chunks_mut::<UNROLL>();
    let (tg, tc) = tc.as_chunks_mut::<UNROLL>();
    let (rg, rc) = rc.as_chunks_mut::<UNROLL>();
    let (lg, lc) = lc.as_chunks_mut::<UNROLL>();
    let (inv4, k4) = (Interleaved::<L>::splat(inv), StepLanes::new(k));
    let mut acc4 = [Interleaved::<L>::splat(0.0); 2];
    for (((s, t), r), l) in sg.iter_mut().zip(tg).zip(rg).zip(lg) {
        let [c, p] = &mut acc4;
        spike_block([s, t, r, l], inv4, &k4, [c, p]);
    }
    let (inv, k) = (L::splat(inv), StepLanes::new(k));
    let [mut count, mut probe] = acc4.map(Interleaved::sum);
    for (((s, t), r), l) in sc.iter_mut().zip(tc).zip(rc).zip(lc) {
        spike_block([s, t, r, l], inv, &k, [&mut count, &mut probe]);
    }
    if !st.is_empty() {
        let mut tail = [
            pad(st, 0.0),
            pad(tt, f32::INFINITY),
            pad(rt, 0.0),
            pad(lt, 0.0),
        ];
        let [s, t, r, l] = &mut tail;
        spike_block([s, t, r, l], inv, &k, [&mut count, &mut probe]);
        unpad(st, *s);
        unpad(rt, *r);
        unpad(lt, *l);
    }
    if any_nan(probe) {
        canonicalize::<L>(row.rfr);
    }
    reduce_add(count)
}

/// Pass 4 on one block: the thresholds ([`threshold_any_nan`]), added to
/// `probe`.
#[inline(always)]
fn threshold_block<B: Block>(thr: &mut B::Mem, delta: B, probe: &mut B) {
    let x = threshold_any_nan(B::load_block(thr), delta);
    x.store_block(thr);
    *probe = probe.add(x);
}

/// Pass 4: the thresholds, as the general pass, with the floor as one
/// `max` ([`threshold_any_nan`]) and NaNs made canonical afterwards.
/// Groups of four chunks first (four probes, four short dependency
/// chains), then single chunks, then the padded tail.
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn threshold_pass<L: Lanes>(thr: &mut [f32], count: f32, thr_gain: f32) {
    let delta = threshold_delta(count, thr_gain);
    let (tc, tt) = thr.as_chunks_mut::<LANES>();
    let (tg, tc) = tc.as_chunks_mut::<UNROLL>();
    let delta4 = Interleaved::<L>::splat(delta);
    let mut probe4 = Interleaved::<L>::splat(0.0);
    for t in tg {
        threshold_block(t, delta4, &mut probe4);
    }
    let (delta, mut probe) = (L::splat(delta), probe4.sum());
    for t in tc {
        threshold_block(t, delta, &mut probe);
    }
    if !tt.is_empty() {
        // Padded with 0: a padded lane's `0 + delta` is NaN only where
        // `delta` is, and so is every real lane's sum.
        let mut tail = pad(tt, 0.0);
        threshold_block(&mut tail, delta, &mut probe);
        unpad(tt, tail);
    }
    if any_nan(probe) {
        canonicalize::<L>(thr);
    }
}

/// Steps a row of a plain step and returns `true`, or returns `false`
/// having written only `v` (a NaN voltage or an infinite max), for the
/// general loops to step the row instead.
// Out of line in debug builds, where every temporary of an inlined
// function keeps its own stack slot: inlined into the dispatcher with the
// general loops of every backend, the frame would outgrow a test thread's
// stack. (The AVX2 operations then run as calls; the bits are the same.)
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn step_row<L: Lanes>(row: &mut Row<'_>, k: &StepConsts) -> bool {
    let pass1 = if k.resist_m == 1.0 {
        voltage_pass::<L, false, true>(row.j, row.rfr, row.v, k)
    } else if k.volt_lim == 0.0 {
        voltage_pass::<L, false, false>(row.j, row.rfr, row.v, k)
    } else {
        voltage_pass::<L, true, false>(row.j, row.rfr, row.v, k)
    };
    let Some((max, min)) = pass1.filter(|(max, _)| max.is_finite()) else {
        return false;
    };
    let range = if min - max >= NO_FLUSH_FROM {
        ExpRange::NoFlush
    } else {
        ExpRange::NonPositive
    };
    super::exp_pass::<L>(row.v, max, row.s, range, k.path);
    let inv = reciprocal(super::row_sum::<L>(row.s, k.path));
    let count = spike_pass::<L>(row, inv, k);
    threshold_pass::<L>(row.thr, count, k.thr_gain);
    true
}

/// The plain loops' conditions at their edges, each compared with the
/// specification's literal step: where a condition holds, the plain loops
/// must step the row to the specification's bits; where it fails, they
/// must hand the row back (and the general loops then give those bits).
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::step_row;
    use crate::kernels::backend::array::Array;
    use crate::kernels::spec::exp::NO_FLUSH_FROM;
    use crate::kernels::spec::{self, Row, SoftmaxPath, StepConsts, StepInputs, plain_state};

    /// Units per row: four-chunk groups, single chunks and a padded tail.
    const N: usize = 4 * 8 * 2 + 8 + 5;

    /// A row: `j`, then `thr`, `rfr`, `tols` as a resumed state holds them.
    struct State {
        j: [f32; N],
        thr: [f32; N],
        rfr: [f32; N],
        tols: [f32; N],
    }

    /// An ordinary row: one strong unit, noise, every unit awake.
    fn ordinary() -> State {
        let mut j = [0.0; N];
        for (i, j) in j.iter_mut().enumerate() {
            *j = (i % 7) as f32 * 0.125 - 0.5;
        }
        j[N - 3] = 9.0;
        State {
            j,
            thr: [0.3; N],
            rfr: [5.0; N],
            tols: [1.5; N],
        }
    }

    /// Steps `st` by the plain loops (if the state allows a plain step) and
    /// by the specification; returns whether the plain loops stepped it,
    /// after checking every field's bits.
    fn check(st: &State, resist_m: f32, dt: f32, what: core::fmt::Arguments<'_>) -> bool {
        let k = StepInputs {
            resist_m,
            refract_time: 2.0,
            thr_gain: 0.01,
            t: 3.0,
            dt,
            path: SoftmaxPath::Inline,
        };
        let plain = plain_state(&st.thr, &st.rfr, &st.tols);
        let consts = StepConsts::new(k, plain);
        let (mut v, mut s) = ([0.0; N], [0.0; N]);
        let (mut thr, mut rfr, mut tols) = (st.thr, st.rfr, st.tols);
        let mut row = Row {
            j: &st.j,
            v: &mut v,
            s: &mut s,
            thr: &mut thr,
            rfr: &mut rfr,
            tols: &mut tols,
        };
        let stepped = consts.plain && step_row::<Array>(&mut row, &consts);
        if !stepped {
            super::super::step_row::<Array>(row, &consts);
        }
        let (mut v2, mut s2) = ([0.0; N], [0.0; N]);
        let (mut thr2, mut rfr2, mut tols2) = (st.thr, st.rfr, st.tols);
        spec::step_row(
            &k, &st.j, &mut v2, &mut s2, &mut thr2, &mut rfr2, &mut tols2,
        )
        .unwrap();
        let fields = [
            ("v", v, v2),
            ("s", s, s2),
            ("thr", thr, thr2),
            ("rfr", rfr, rfr2),
            ("tols", tols, tols2),
        ];
        for (name, ours, spec) in fields {
            for i in 0..N {
                assert_eq!(
                    ours[i].to_bits(),
                    spec[i].to_bits(),
                    "{what}: {name}[{i}] (plain loops stepped it: {stepped})"
                );
            }
        }
        stepped
    }

    #[test]
    fn an_ordinary_row_is_plain() {
        assert!(check(&ordinary(), 1.0, 1.0, format_args!("ordinary")));
        assert!(check(&ordinary(), 2.5, 1.0, format_args!("resist_m 2.5")));
        assert!(check(&ordinary(), -1.0, 1.0, format_args!("resist_m -1")));
    }

    /// `exp` without its clamp and flush from `min - max >= NO_FLUSH_FROM`
    /// on: at the edge, one ulp inside, and one ulp outside.
    #[test]
    fn exp_without_flush_at_its_edge() {
        let inside = f32::from_bits(NO_FLUSH_FROM.to_bits() - 1);
        let outside = f32::from_bits(NO_FLUSH_FROM.to_bits() + 1);
        for gap in [NO_FLUSH_FROM, inside, outside, -87.5, -104.0] {
            for at in [0, 31, 32, 70, N - 1] {
                let mut st = ordinary();
                st.j[N - 3] = 1.0;
                st.j[at] = 1.0 + gap;
                assert!(check(&st, 1.0, 1.0, format_args!("gap {gap} at {at}")));
            }
        }
    }

    /// The voltage pass's probe: a NaN voltage, and `+inf` with `-inf`
    /// (a NaN probe without a NaN voltage), hand the row back; so does an
    /// infinite max.
    #[test]
    fn voltage_probe_hands_back() {
        for (what, a, b) in [
            ("nan", f32::NAN, 0.0),
            ("nan payload", f32::from_bits(0xffc0_1234), 0.0),
            ("inf and -inf", f32::INFINITY, f32::NEG_INFINITY),
            ("inf", f32::INFINITY, 0.0),
        ] {
            for at in [0, 33, N - 1] {
                let mut st = ordinary();
                st.j[at] = a;
                st.j[(at + 9) % N] = b;
                assert!(
                    !check(&st, 1.0, 1.0, format_args!("{what}")),
                    "{what} at {at}: stepped plain"
                );
            }
        }
        // `-inf` alone leaves a finite max: plain.
        let mut st = ordinary();
        st.j[5] = f32::NEG_INFINITY;
        assert!(check(&st, 1.0, 1.0, format_args!("-inf")));
    }

    /// The deferred NaN selects of the spike and threshold passes: timers
    /// that overflow (`rfr + dt = inf`, then `inf * 0` where the unit
    /// fires) and canonical NaN thresholds and timers, in groups, single
    /// chunks and the tail.
    #[test]
    fn deferred_nan_selects() {
        for at in [0, 1, 40, 64, 70, N - 1] {
            let mut st = ordinary();
            st.j[at] = 20.0;
            st.rfr[at] = f32::MAX;
            st.rfr[(at + 3) % N] = f32::MAX;
            st.rfr[(at + 5) % N] = f32::NAN;
            st.thr[(at + 7) % N] = f32::NAN;
            st.thr[(at + 11) % N] = f32::INFINITY;
            assert!(check(&st, 1.0, f32::MAX, format_args!("overflow at {at}")));
        }
    }

    /// The state conditions of a plain step, each at its edge: thresholds
    /// at `f32::MIN_POSITIVE` (plain) and just below it (not), `dt` at
    /// `2^-102` (plain) and just below it (not), `tols` of `-0.0` (not),
    /// of `+0.0` and the canonical NaN (plain), and NaNs with payloads
    /// (not).
    #[test]
    fn plain_state_at_its_edges() {
        let dt_min = f32::from_bits(0x0c80_0000);
        let dt_below = f32::from_bits(0x0c80_0000 - 1);
        let cases: [Case; 9] = [
            (
                "thr MIN_POSITIVE",
                |s| s.thr[3] = -f32::MIN_POSITIVE,
                1.0,
                true,
            ),
            ("thr subnormal", |s| s.thr[3] = tiny_thr(), 1.0, false),
            ("dt 2^-102", |_| {}, dt_min, true),
            ("dt below 2^-102", |_| {}, dt_below, false),
            ("tols -0.0", |s| s.tols[N - 3] = -0.0, 1.0, false),
            ("tols +0.0", |s| s.tols[N - 3] = 0.0, 1.0, true),
            ("tols NaN", |s| s.tols[N - 3] = f32::NAN, 1.0, true),
            (
                "rfr NaN payload",
                |s| s.rfr[8] = f32::from_bits(0x7fc0_0001),
                1.0,
                false,
            ),
            ("tols subnormal", |s| s.tols[2] = tiny_thr(), 1.0, false),
        ];
        for (what, edit, dt, plain) in cases {
            let mut st = ordinary();
            edit(&mut st);
            assert_eq!(check(&st, 1.0, dt, format_args!("{what}")), plain, "{what}");
        }
    }

    /// A state edit: what it is, the edit, `dt`, and whether the step is plain.
    type Case = (&'static str, fn(&mut State), f32, bool);

    /// The largest subnormal `f32`.
    fn tiny_thr() -> f32 {
        f32::from_bits(f32::MIN_POSITIVE.to_bits() - 1)
    }
}
