//! The compact binary body of a query result and of a dashboard's data
//! (`application/vnd.vantage.columnar`): the same answer as the JSON body, with each column a
//! packed array instead of JSON cells.
//!
//! A client asks for it with `Accept: application/vnd.vantage.columnar` on `POST /api/v1/query`
//! and `POST /api/v1/dashboards/{id}/data`; a backend that answers JSON instead is still
//! conformant (clients look at `Content-Type`). Decoding the binary body gives exactly the value
//! the JSON body deserializes to, and also each numeric column as one `f64` slice
//! ([`NumericColumns`]) that a chart hands to ECharts as a `Float64Array` without touching the
//! cells.
//!
//! ```
//! use vantage_contract::columnar;
//! use vantage_contract::{Column, ColumnType, QueryResult};
//! let result = QueryResult::new(
//!     vec![Column::new("minute", ColumnType::Timestamp), Column::new("p95", ColumnType::Float)],
//!     vec![vec![0.into(), 60_000.into()], vec![1.5.into(), serde_json::Value::Null]],
//! ).unwrap();
//! let bytes = columnar::encode_result(&result);
//! let decoded = columnar::decode_result(&bytes).unwrap();
//! assert_eq!(decoded.result, result);
//! assert_eq!(decoded.numbers.column(0), Some(&[0.0, 60_000.0][..]));
//! assert!(decoded.numbers.column(1).unwrap()[1].is_nan()); // null
//! ```
//!
//! # Why not Arrow IPC
//! Arrow IPC is the field's standard columnar format and was the first candidate. It is not used
//! because the browser package is size-budgeted (a guard of 466 KB brotli for everything) and
//! `arrow-ipc` brings `arrow-array`, `arrow-buffer`, `arrow-data`, `arrow-schema`, `arrow-cast`,
//! `flatbuffers` and `half` with it. Not measured here (a cold wasm build of arrow takes many
//! minutes on the shared 2-core machine); published figures for Arrow readers in wasm are
//! 332 KB gzip (domoritz/arrow-wasm, issue 1) and 290 KB brotli for parquet-wasm's reader-only
//! build (kylebarron/parquet-wasm, PR 47) — several times this whole codec, which adds a few KB
//! (`BENCHMARKS.md`). Arrow also could not carry two things "exactly the JSON answer" needs: a
//! cell that does not fit its column's declared type (which the JSON body allows) and whether a
//! number was written as an integer or a float. So this is our own, small format with only what
//! the contract needs. If a host ever wants Arrow, the server can add `application/vnd.apache.arrow.stream`
//! as another negotiated type without touching clients.
//!
//! # Format (version 1)
//! All integers little-endian. `str` is a `u32` byte length and UTF-8 bytes; `opt_str` is a `u8`
//! (0 absent, 1 present) then a `str`.
//! ```text
//! body     = magic "VTCR" · version u8 (1) · kind u8 (1 result, 2 dashboard data) · payload
//! result   = meta · u32 columns · u32 rows · column*
//! meta     = f64 executionMs · u64 totalRows · u8 truncated · u32 n · str* unappliedFilters
//! column   = str name · u8 type · opt_str label · opt_str unit · u8 encoding · u8 flags
//!            · [null bitmap] · [integral bitmap] · values
//! dashboard= str dashboardId · u64 version · i64 generatedAt · str liveCursor · u32 widgets
//!            · (str widgetId · u8 tag (0 result, 1 error) · (result | str ApiError as JSON))*
//! ```
//! Column types: 0 string, 1 integer, 2 float, 3 timestamp, 4 boolean (the column's declared
//! type, as in JSON). Encodings, chosen by the encoder from the cells:
//! - 1 `f64`: zero padding to an 8-byte offset from the body's start, then `rows × f64`;
//! - 2 `i64`: padding as for `f64`, then `rows × i64` (timestamps are i64 milliseconds);
//! - 3 dictionary strings: `u32 n · str*` (distinct values, first-seen order), then `rows × u32`
//!   indices into it;
//! - 4 booleans: a bitmap of `rows` bits;
//! - 5 JSON cells: `rows ×` (a `u8` tag: 0 null, 1 false, 2 true, 3 `i64`, 4 `u64`, 5 `f64`,
//!   6 `str`, 7 `str` of JSON text for arrays and objects) — the fallback for a column whose
//!   cells do not all fit one packed type (a string in an integer column, an integer beyond
//!   ±2^53 in a float column). Numbers stay binary: `serde_json` does not parse every float text
//!   back to the same bits. Such a column has no numeric slice.
//!
//! Flags: bit 0 — a null bitmap follows (present only when the column has nulls); bit 1 — an
//! integral bitmap follows (`f64` only: which cells are integers in JSON, `5` rather than `5.0`).
//! Bitmaps hold `ceil(rows / 8)` bytes, least significant bit first; a set bit means "valid"
//! (Arrow's convention) or "integral". Null slots hold `NaN` (`f64`), 0 (`i64`, dictionary,
//! booleans).
//!
//! # NaN and infinities
//! JSON cannot carry them (the JSON body writes `null`), so no encoder writes one into a valid
//! slot. A decoder reads a non-finite value in a valid `f64` slot as null, the same as the JSON
//! body would say, and the numeric slice holds `NaN` for every null (ECharts draws `NaN` as a
//! gap). Integers beyond ±2^53 stay exact in the cells (`i64`); their numeric slice is the
//! nearest `f64`.
//!
//! # Errors
//! A body that is not well-formed is a [`ColumnarError`] naming what is wrong and where (column
//! and row); decoding never panics and allocates only for rows
//! whose values the body actually holds.

mod decode;
mod encode;
#[cfg(test)]
mod tests;
mod wire;

use std::collections::BTreeMap;

use crate::{DashboardData, QueryResult};

pub use decode::{decode_dashboard_data, decode_result};
pub use encode::{encode_dashboard_data, encode_result};

/// The media type of the binary body, for `Accept` and `Content-Type`.
pub const MEDIA_TYPE: &str = "application/vnd.vantage.columnar";
/// The format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// The first four bytes of every body.
pub const MAGIC: &[u8; 4] = b"VTCR";

/// Each column's values as `f64` (`NaN` for null), for columns stored as numbers; `None` for
/// string, boolean and JSON-cell columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumericColumns(pub Vec<Option<NumericColumn>>);

impl NumericColumns {
    /// The values of column `index`, when it is a numeric column.
    pub fn column(&self, index: usize) -> Option<&[f64]> {
        self.0.get(index)?.as_ref().map(|c| c.values.as_slice())
    }

    /// What decoding learnt about column `index`'s values, when it is a numeric column.
    pub fn stats(&self, index: usize) -> Option<ColumnStats> {
        self.0.get(index)?.as_ref().map(|c| c.stats)
    }
}

/// One numeric column: its values (`NaN` for null) and their [`ColumnStats`].
#[derive(Debug, Clone, PartialEq)]
pub struct NumericColumn {
    pub values: Vec<f64>,
    pub stats: ColumnStats,
}

impl NumericColumn {
    /// `values` with their stats worked out.
    pub fn new(values: Vec<f64>) -> Self {
        let stats = ColumnStats::of(&values);
        Self { values, stats }
    }

    /// A column of `values` whose stats `stats` was fed, in order (the decoder's loops).
    pub(crate) fn built(values: Vec<f64>, stats: StatsBuilder) -> Self {
        Self {
            values,
            stats: stats.finish(),
        }
    }
}

/// What one pass over a numeric column's values learns: whether any is missing, whether they
/// never decrease, and where the lowest and highest are. The decoder works it out while it
/// reads each value anyway, so a chart needs no pass of its own over a large series before its
/// first layout (its axes' extents, whether M4 may decimate it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnStats {
    /// No value is `NaN` (null).
    pub complete: bool,
    /// The values never decrease, `NaN`s aside.
    pub ascending: bool,
    /// Index of the lowest value, the earliest of equals; `None` when every value is `NaN`.
    pub low: Option<usize>,
    /// Index of the highest value, the earliest of equals.
    pub high: Option<usize>,
}

impl ColumnStats {
    /// The stats of `values`.
    pub fn of(values: &[f64]) -> Self {
        let mut stats = StatsBuilder::default();
        for (i, &v) in values.iter().enumerate() {
            stats.add(i, v);
        }
        stats.finish()
    }
}

/// [`ColumnStats`] worked out value by value, in order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatsBuilder {
    complete: bool,
    ascending: bool,
    last: f64,
    low: usize,
    high: usize,
    low_v: f64,
    high_v: f64,
}

impl Default for StatsBuilder {
    fn default() -> Self {
        Self {
            complete: true,
            ascending: true,
            last: f64::NEG_INFINITY,
            low: usize::MAX,
            high: usize::MAX,
            low_v: f64::INFINITY,
            high_v: f64::NEG_INFINITY,
        }
    }
}

impl StatsBuilder {
    /// Takes value `i`. Strict comparisons keep the earliest of equal extremes; a `NaN`
    /// compares false everywhere.
    #[inline]
    pub(crate) fn add(&mut self, i: usize, v: f64) {
        if v < self.last {
            self.ascending = false;
        } else if v >= self.last {
            self.last = v;
        } else {
            self.complete = false;
        }
        if v < self.low_v {
            (self.low, self.low_v) = (i, v);
        }
        if v > self.high_v {
            (self.high, self.high_v) = (i, v);
        }
    }

    pub(crate) fn finish(self) -> ColumnStats {
        let index = |i| (i != usize::MAX).then_some(i);
        ColumnStats {
            complete: self.complete,
            ascending: self.ascending,
            low: index(self.low),
            high: index(self.high),
        }
    }
}

/// A decoded query result: the result as the JSON body gives it, and its numeric columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodedResult {
    pub result: QueryResult,
    pub numbers: NumericColumns,
}

/// A decoded dashboard data answer, and the numeric columns of each widget's result.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedDashboardData {
    pub data: DashboardData,
    /// Keyed by widget id; widgets whose slot is an error have no entry.
    pub numbers: BTreeMap<String, NumericColumns>,
}

/// Why a binary body could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColumnarError {
    #[error("not a Vantage columnar body (the first bytes are not \"VTCR\")")]
    BadMagic,
    #[error("columnar format version {0} is not supported (this client reads version {VERSION})")]
    UnsupportedVersion(u8),
    #[error("body kind {found} where {expected} was expected")]
    WrongKind { expected: &'static str, found: u8 },
    #[error("body ends early: {what} needs {needed} bytes, {remaining} left")]
    Truncated {
        what: String,
        needed: usize,
        remaining: usize,
    },
    #[error("{what} is not valid UTF-8")]
    InvalidUtf8 { what: String },
    #[error("{what} has unknown tag {tag}")]
    UnknownTag { what: String, tag: u8 },
    #[error("{what} row {row}: dictionary index {index} is out of range ({len} entries)")]
    DictionaryIndex {
        what: String,
        row: usize,
        index: u32,
        len: usize,
    },
    #[error("{what} is not valid JSON: {message}")]
    InvalidJson { what: String, message: String },
    #[error("{0} unexpected bytes after the end of the body")]
    TrailingBytes(usize),
}
