//! The primitives of the columnar format: a byte writer and a bounds-checked reader whose every
//! failure says what it was reading.

use super::ColumnarError;

/// Column type tags (the column's declared [`crate::ColumnType`]).
pub(super) mod column_type {
    pub const STRING: u8 = 0;
    pub const INTEGER: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const TIMESTAMP: u8 = 3;
    pub const BOOLEAN: u8 = 4;
}

/// Value encodings of a column.
pub(super) mod encoding {
    pub const F64: u8 = 1;
    pub const I64: u8 = 2;
    pub const DICTIONARY: u8 = 3;
    pub const BOOLEAN: u8 = 4;
    pub const JSON: u8 = 5;
}

/// Cell tags of the JSON-cells encoding.
pub(super) mod cell {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    pub const I64: u8 = 3;
    pub const U64: u8 = 4;
    pub const F64: u8 = 5;
    pub const STRING: u8 = 6;
    pub const JSON: u8 = 7;
}

/// Body kinds.
pub(super) mod kind {
    pub const RESULT: u8 = 1;
    pub const DASHBOARD_DATA: u8 = 2;
}

pub(super) const HAS_NULLS: u8 = 1;
pub(super) const HAS_INTEGRAL: u8 = 2;

/// Bytes of a bitmap of `rows` bits.
pub(super) fn bitmap_len(rows: usize) -> usize {
    rows.div_ceil(8)
}

/// Whether bit `i` of `bitmap` is set.
pub(super) fn bit(bitmap: &[u8], i: usize) -> bool {
    bitmap
        .get(i / 8)
        .is_some_and(|byte| byte & (1 << (i % 8)) != 0)
}

/// Appends the format's primitives to a byte buffer.
#[derive(Default)]
pub(super) struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub fn u32(&mut self, v: usize) {
        // Counts and lengths beyond u32 cannot occur in an HTTP body we build (4 GiB).
        let v = u32::try_from(v).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn f64(&mut self, v: f64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn str(&mut self, s: &str) {
        self.u32(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }

    /// Zero bytes up to the next 8-byte offset, so packed 8-byte values can be viewed in place.
    pub fn align8(&mut self) {
        while self.bytes.len() % 8 != 0 {
            self.bytes.push(0);
        }
    }

    /// A bitmap with bit `i` set when `set(i)`.
    pub fn bitmap(&mut self, rows: usize, set: impl Fn(usize) -> bool) {
        let start = self.bytes.len();
        self.bytes.resize(start + bitmap_len(rows), 0);
        for i in (0..rows).filter(|&i| set(i)) {
            self.bytes[start + i / 8] |= 1 << (i % 8);
        }
    }
}

/// Reads the format's primitives from a body, never past its end.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// The next `n` bytes, for `what`.
    pub fn take(&mut self, n: usize, what: &dyn Fn() -> String) -> Result<&'a [u8], ColumnarError> {
        if n > self.remaining() {
            return Err(ColumnarError::Truncated {
                what: what(),
                needed: n,
                remaining: self.remaining(),
            });
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    /// The next `count` items of `size` bytes each, checked against what is left before anything
    /// is allocated for them.
    pub fn take_items(
        &mut self,
        count: usize,
        size: usize,
        what: &dyn Fn() -> String,
    ) -> Result<&'a [u8], ColumnarError> {
        let needed = count
            .checked_mul(size)
            .ok_or_else(|| ColumnarError::Truncated {
                what: what(),
                needed: usize::MAX,
                remaining: self.remaining(),
            })?;
        self.take(needed, what)
    }

    pub fn u8(&mut self, what: &dyn Fn() -> String) -> Result<u8, ColumnarError> {
        Ok(self.take(1, what)?[0])
    }

    pub fn u32(&mut self, what: &dyn Fn() -> String) -> Result<usize, ColumnarError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn eight(&mut self, what: &dyn Fn() -> String) -> Result<[u8; 8], ColumnarError> {
        let b = self.take(8, what)?;
        let mut out = [0; 8];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub fn u64(&mut self, what: &dyn Fn() -> String) -> Result<u64, ColumnarError> {
        self.eight(what).map(u64::from_le_bytes)
    }

    pub fn i64(&mut self, what: &dyn Fn() -> String) -> Result<i64, ColumnarError> {
        self.eight(what).map(i64::from_le_bytes)
    }

    pub fn f64(&mut self, what: &dyn Fn() -> String) -> Result<f64, ColumnarError> {
        self.eight(what).map(f64::from_le_bytes)
    }

    pub fn str(&mut self, what: &dyn Fn() -> String) -> Result<&'a str, ColumnarError> {
        let len = self.u32(what)?;
        let bytes = self.take(len, what)?;
        std::str::from_utf8(bytes).map_err(|_| ColumnarError::InvalidUtf8 { what: what() })
    }

    pub fn opt_str(&mut self, what: &dyn Fn() -> String) -> Result<Option<&'a str>, ColumnarError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => self.str(what).map(Some),
            tag => Err(ColumnarError::UnknownTag { what: what(), tag }),
        }
    }

    /// Skips the padding [`Writer::align8`] wrote.
    pub fn align8(&mut self, what: &dyn Fn() -> String) -> Result<(), ColumnarError> {
        let pad = (8 - self.at % 8) % 8;
        self.take(pad, what).map(drop)
    }

    /// Fails with [`ColumnarError::TrailingBytes`] unless the whole body was read.
    pub fn finish(self) -> Result<(), ColumnarError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(ColumnarError::TrailingBytes(n)),
        }
    }
}
