//! Output lines without `core::fmt` (which would bring panic paths of its
//! own into the panic check).

use crate::sys;

const CAP: usize = 96;

/// One NUL-terminated line, printed with semihosting `SYS_WRITE0`.
pub struct Line {
    buf: [u8; CAP],
    len: usize,
}

impl Line {
    pub const fn new() -> Self {
        Line {
            buf: [0; CAP],
            len: 0,
        }
    }

    fn byte(mut self, b: u8) -> Self {
        // The last byte stays 0: the terminator. Overflow truncates.
        if self.len + 1 < CAP {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        self
    }

    pub fn s(mut self, text: &str) -> Self {
        for &b in text.as_bytes() {
            self = self.byte(b);
        }
        self
    }

    pub fn hex(mut self, x: u64) -> Self {
        for i in (0..16).rev() {
            let d = ((x >> (i * 4)) & 0xf) as u8;
            self = self.byte(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        }
        self
    }

    pub fn u(mut self, mut x: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut n = 0;
        loop {
            if let Some(slot) = digits.get_mut(n) {
                *slot = b'0' + (x % 10) as u8;
            }
            n += 1;
            x /= 10;
            if x == 0 || n >= digits.len() {
                break;
            }
        }
        for &d in digits.iter().take(n).rev() {
            self = self.byte(d);
        }
        self
    }

    pub fn print(self) {
        let line = self.byte(b'\n');
        sys::write0(&line.buf);
    }
}
