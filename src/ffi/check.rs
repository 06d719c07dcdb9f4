//! The argument checker every entry point uses: null, then alignment, for
//! all its pointer arguments at once; byte spans and overlap for buffers.
#![forbid(unsafe_code)]

use super::wtas_status::{self, *};

/// The result of a check: `Err` holds the status to return.
pub(super) type Status = Result<(), wtas_status>;

/// `WTAS_ERR_NULL` if `p` is null.
pub(super) fn non_null<T>(p: *const T) -> Status {
    if p.is_null() {
        Err(WTAS_ERR_NULL)
    } else {
        Ok(())
    }
}

/// `WTAS_ERR_ALIGN` if `p` is not aligned for `T`.
pub(super) fn aligned<T>(p: *const T) -> Status {
    if p.is_aligned() {
        Ok(())
    } else {
        Err(WTAS_ERR_ALIGN)
    }
}

/// Null, then alignment.
pub(super) fn usable<T>(p: *const T) -> Status {
    non_null(p)?;
    aligned(p)
}

/// A pointer argument, as [`args`] checks it.
#[derive(Clone, Copy)]
pub(super) struct Arg {
    null: bool,
    aligned: bool,
}

/// A pointer argument of any type, for [`args`].
pub(super) fn arg<T>(p: *const T) -> Arg {
    Arg {
        null: p.is_null(),
        aligned: p.is_aligned(),
    }
}

/// The rule every entry point starts with: `WTAS_ERR_NULL` if any of its
/// pointer arguments is null, then `WTAS_ERR_ALIGN` if any is misaligned.
#[inline(always)]
pub(super) fn args<const N: usize>(ps: [Arg; N]) -> Status {
    // One test on the way of every call; which rule failed, out of line.
    if ps.iter().all(|p| !p.null && p.aligned) {
        Ok(())
    } else {
        refused(ps)
    }
}

/// The status for arguments of which some pointer is null or misaligned.
#[cold]
#[inline(never)]
fn refused<const N: usize>(ps: [Arg; N]) -> Status {
    if ps.iter().any(|p| p.null) {
        return Err(WTAS_ERR_NULL);
    }
    if ps.iter().any(|p| !p.aligned) {
        return Err(WTAS_ERR_ALIGN);
    }
    Ok(())
}

/// A buffer's byte range `[start, end)`; `WTAS_ERR_LENGTH` if it would end
/// beyond the address space.
pub(super) fn span(p: *const f32, len: usize) -> Result<(usize, usize), wtas_status> {
    let start = p as usize;
    let end = len
        .checked_mul(size_of::<f32>())
        .filter(|&b| b <= isize::MAX as usize)
        .and_then(|b| start.checked_add(b))
        .ok_or(WTAS_ERR_LENGTH)?;
    Ok((start, end))
}

/// Whether two byte ranges share a byte (empty ranges share none).
pub(super) fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < a.1 && b.0 < b.1 && a.0 < b.1 && b.0 < a.1
}

/// `WTAS_ERR_ALIAS` if any two of `spans` overlap.
pub(super) fn disjoint(spans: &[(usize, usize)]) -> Status {
    for (i, &a) in spans.iter().enumerate() {
        if spans
            .get(i + 1..)
            .unwrap_or(&[])
            .iter()
            .any(|&b| overlap(a, b))
        {
            return Err(WTAS_ERR_ALIAS);
        }
    }
    Ok(())
}

/// Checks a read-only input slice (null, alignment, size) and returns its span.
pub(super) fn input_span(p: *const f32, len: usize) -> Result<(usize, usize), wtas_status> {
    usable(p)?;
    span(p, len)
}

/// The checks of a kernel entry point, in the order every function
/// follows: each pointer of `rows` (buffers of floats, as pointer and
/// length) and of `outs` (one float each) non-null, then aligned; each
/// buffer within the address space and all of the same length
/// (`WTAS_ERR_LENGTH`); then no two of them overlapping (`WTAS_ERR_ALIAS`).
pub(super) fn kernel_args<const R: usize, const O: usize>(
    rows: [(*const f32, usize); R],
    outs: [*const f32; O],
) -> Status {
    let all = || rows.into_iter().chain(outs.map(|p| (p, 1)));
    if all().any(|(p, _)| p.is_null()) {
        return Err(WTAS_ERR_NULL);
    }
    if all().any(|(p, _)| !p.is_aligned()) {
        return Err(WTAS_ERR_ALIGN);
    }
    for (p, len) in all() {
        span(p, len)?;
    }
    if let Some(&(_, len)) = rows.first()
        && rows.iter().any(|r| r.1 != len)
    {
        return Err(WTAS_ERR_LENGTH);
    }
    for (i, (p, len)) in all().enumerate() {
        for (q, other) in all().skip(i + 1) {
            if overlap(span(p, len)?, span(q, other)?) {
                return Err(WTAS_ERR_ALIAS);
            }
        }
    }
    Ok(())
}
