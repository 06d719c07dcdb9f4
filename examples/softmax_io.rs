//! Softmax over stdin, for `reference/softmax_oracle.py --target wtas`.
//!
//! `softmax_io BATCH N` reads `BATCH * N` little-endian f32 (row-major) from
//! stdin and writes the `BATCH * N` probabilities of
//! `wtas::kernels::softmax(BATCH, N, ..)`, the reference's for that shape,
//! to stdout as little-endian f32.

use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed: Option<(usize, usize)> = match args.as_slice() {
        [b, n] => b.parse().ok().zip(n.parse().ok()),
        _ => None,
    };
    let Some((batch, n)) = parsed else {
        eprintln!("usage: softmax_io BATCH N  (BATCH*N f32 LE on stdin, same on stdout)");
        return ExitCode::from(2);
    };
    let Some(len) = batch
        .checked_mul(n)
        .and_then(|l| l.checked_mul(4).map(|b| (l, b)))
    else {
        eprintln!("softmax_io: BATCH*N too large");
        return ExitCode::from(2);
    };
    let (count, bytes) = len;
    let mut raw = Vec::with_capacity(bytes);
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut raw) {
        eprintln!("softmax_io: reading stdin: {e}");
        return ExitCode::from(1);
    }
    if raw.len() != bytes {
        eprintln!(
            "softmax_io: expected {bytes} bytes on stdin, got {}",
            raw.len()
        );
        return ExitCode::from(1);
    }
    let x: Vec<f32> = raw
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut p = vec![0.0f32; count];
    if let Err(e) = wtas::kernels::softmax(batch, n, &x, &mut p) {
        eprintln!("softmax_io: {e}");
        return ExitCode::from(1);
    }
    let mut bytes_out = Vec::with_capacity(bytes);
    for v in &p {
        bytes_out.extend_from_slice(&v.to_le_bytes());
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&bytes_out).and_then(|()| stdout.flush()) {
        eprintln!("softmax_io: writing stdout: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
