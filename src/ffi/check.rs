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
pub(super) fn args<const N: usize>(ps: [Arg; N]) -> Status {
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
