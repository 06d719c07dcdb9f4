//! A small reader for numpy's `.npz` files (`np.savez` and
//! `np.savez_compressed`): a zip archive of `.npy` arrays, stored or
//! deflated, with or without zip64 sizes. Enough for the recorded
//! trajectories: little-endian `f4`, `f8`, `u8`, `i8` and unicode strings,
//! C order.

use std::collections::HashMap;
use std::path::Path;

/// One array: its shape and its little-endian data.
pub struct Array {
    /// The dtype string of the header (`<f4`, `<u8`, ...).
    pub descr: String,
    /// Dimensions (empty for a scalar).
    pub shape: Vec<usize>,
    data: Vec<u8>,
}

impl Array {
    /// Elements (1 for a scalar).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The values of dtype `want`, each decoded from its `N` bytes.
    fn values<const N: usize, T>(
        &self,
        want: &str,
        from: fn([u8; N]) -> T,
    ) -> Result<Vec<T>, String> {
        if self.descr != want {
            return Err(format!("dtype {} where {want} was expected", self.descr));
        }
        Ok(self
            .data
            .chunks_exact(N)
            .map(|c| from(c.try_into().expect("chunk")))
            .collect())
    }

    /// `f4` values.
    pub fn f32s(&self) -> Result<Vec<f32>, String> {
        self.values("<f4", f32::from_le_bytes)
    }

    /// `f8` values, or `f4` values widened (exactly).
    pub fn f64s(&self) -> Result<Vec<f64>, String> {
        if self.descr == "<f4" {
            return Ok(self.f32s()?.into_iter().map(f64::from).collect());
        }
        self.values("<f8", f64::from_le_bytes)
    }

    /// `u8` values.
    pub fn u64s(&self) -> Result<Vec<u64>, String> {
        self.values("<u8", u64::from_le_bytes)
    }

    /// `i8` values.
    pub fn i64s(&self) -> Result<Vec<i64>, String> {
        self.values("<i8", i64::from_le_bytes)
    }

    /// A unicode (`<U..`, UTF-32) string, trailing NULs dropped.
    pub fn string(&self) -> Result<String, String> {
        if !self.descr.starts_with("<U") {
            return Err(format!("dtype {} is not a string", self.descr));
        }
        Ok(self
            .data
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("chunk")))
            .take_while(|c| *c != 0)
            .filter_map(char::from_u32)
            .collect())
    }
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| "truncated zip".to_string())
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| "truncated zip".to_string())
}

fn u64_at(b: &[u8], at: usize) -> Result<u64, String> {
    Ok(u64::from(u32_at(b, at)?) | (u64::from(u32_at(b, at + 4)?) << 32))
}

/// Every array of the archive at `path`, by name (without `.npy`).
pub fn read(path: &Path) -> Result<HashMap<String, Array>, String> {
    let b = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // The end-of-central-directory record: the last `PK\5\6`.
    let eocd = (0..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..i + 4] == [0x50, 0x4b, 5, 6])
        .ok_or("no zip end record")?;
    let entries = usize::from(u16_at(&b, eocd + 10)?);
    let mut at = u32_at(&b, eocd + 16)? as usize;
    let mut out = HashMap::new();
    for _ in 0..entries {
        if u32_at(&b, at)? != 0x0201_4b50 {
            return Err("bad central directory entry".into());
        }
        let method = u16_at(&b, at + 10)?;
        let mut csize = u64::from(u32_at(&b, at + 20)?);
        let mut usize_ = u64::from(u32_at(&b, at + 24)?);
        let name_len = usize::from(u16_at(&b, at + 28)?);
        let extra_len = usize::from(u16_at(&b, at + 30)?);
        let comment_len = usize::from(u16_at(&b, at + 32)?);
        let mut local = u64::from(u32_at(&b, at + 42)?);
        let name = String::from_utf8_lossy(b.get(at + 46..at + 46 + name_len).ok_or("truncated")?)
            .into_owned();
        // Zip64 sizes and offset, in this order, for the fields that are
        // 0xffffffff.
        let mut x = at + 46 + name_len;
        let extra_end = x + extra_len;
        while x + 4 <= extra_end {
            let (id, len) = (u16_at(&b, x)?, usize::from(u16_at(&b, x + 2)?));
            if id == 1 {
                let mut f = x + 4;
                for v in [&mut usize_, &mut csize, &mut local] {
                    if *v == 0xffff_ffff {
                        *v = u64_at(&b, f)?;
                        f += 8;
                    }
                }
            }
            x += 4 + len;
        }
        at = extra_end + comment_len;
        let l = local as usize;
        if u32_at(&b, l)? != 0x0403_4b50 {
            return Err(format!("{name}: bad local header"));
        }
        let start = l + 30 + usize::from(u16_at(&b, l + 26)?) + usize::from(u16_at(&b, l + 28)?);
        let raw = b
            .get(start..start + csize as usize)
            .ok_or_else(|| format!("{name}: truncated data"))?;
        let data = match method {
            0 => raw.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec(raw)
                .map_err(|e| format!("{name}: inflate: {e:?}"))?,
            m => return Err(format!("{name}: zip method {m}")),
        };
        if data.len() as u64 != usize_ {
            return Err(format!("{name}: {} bytes, expected {usize_}", data.len()));
        }
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        out.insert(key, npy(&data).map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(out)
}

/// Parses one `.npy` file.
fn npy(b: &[u8]) -> Result<Array, String> {
    if b.get(..6) != Some(b"\x93NUMPY") {
        return Err("not an npy file".into());
    }
    let (len, start) = match b[6] {
        1 => (usize::from(u16_at(b, 8)?), 10),
        2 | 3 => (u32_at(b, 8)? as usize, 12),
        v => return Err(format!("npy version {v}")),
    };
    let header = std::str::from_utf8(b.get(start..start + len).ok_or("truncated header")?)
        .map_err(|e| e.to_string())?;
    let value = |key: &str| -> Result<&str, String> {
        let at = header
            .find(&format!("'{key}':"))
            .ok_or_else(|| format!("no {key} in {header}"))?;
        Ok(header[at + key.len() + 3..].trim_start())
    };
    let descr = value("descr")?;
    let descr = descr[1..]
        .split('\'')
        .next()
        .ok_or("bad descr")?
        .replace('|', "<");
    if value("fortran_order")?.starts_with("True") {
        return Err("Fortran order".into());
    }
    let shape = value("shape")?;
    let shape = &shape[1..shape.find(')').ok_or("bad shape")?];
    let shape = shape
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let data = b[start + len..].to_vec();
    let a = Array { descr, shape, data };
    let width: usize = match a.descr.as_str() {
        "<f4" => 4,
        "<f8" | "<u8" | "<i8" => 8,
        d if d.starts_with("<U") => 4 * d[2..].parse::<usize>().map_err(|e| e.to_string())?,
        d => return Err(format!("unsupported dtype {d}")),
    };
    if a.data.len() != a.len() * width {
        return Err(format!(
            "{} bytes for shape {:?} of {}",
            a.data.len(),
            a.shape,
            a.descr
        ));
    }
    Ok(a)
}
