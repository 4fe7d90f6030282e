//! Reading the columnar body (see the format in the module docs of [`super`]). Every count is
//! checked against the bytes left before anything is allocated for it, so a hostile or
//! truncated body fails with a [`ColumnarError`] rather than a panic or a huge allocation.

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use super::wire::{
    bit, bitmap_len, cell, column_type, encoding, kind, Reader, HAS_INTEGRAL, HAS_NULLS,
};
use super::{
    ColumnarError, DecodedDashboardData, DecodedResult, NumericColumn, NumericColumns,
    StatsBuilder, MAGIC, VERSION,
};
use crate::{ApiError, Column, ColumnType, DashboardData, QueryMeta, QueryResult, WidgetData};

/// Decodes a body written by [`super::encode_result`].
///
/// # Errors
/// [`ColumnarError`] naming what is malformed.
pub fn decode_result(bytes: &[u8]) -> Result<DecodedResult, ColumnarError> {
    let mut r = open(bytes, kind::RESULT, "a query result")?;
    let decoded = read_result(&mut r, "")?;
    r.finish()?;
    Ok(decoded)
}

/// Decodes a body written by [`super::encode_dashboard_data`].
///
/// # Errors
/// [`ColumnarError`] naming what is malformed.
pub fn decode_dashboard_data(bytes: &[u8]) -> Result<DecodedDashboardData, ColumnarError> {
    let mut r = open(bytes, kind::DASHBOARD_DATA, "dashboard data")?;
    let dashboard_id = r.str(&|| "dashboardId".into())?.to_owned();
    let version = r.u64(&|| "version".into())?;
    let generated_at = r.i64(&|| "generatedAt".into())?;
    let live_cursor = r.str(&|| "liveCursor".into())?.to_owned();
    // Each widget takes at least 5 bytes (an empty id and a tag).
    let count = r.u32(&|| "widget count".into())?;
    check_count(&r, count, 5, "widgets")?;
    let mut widgets = BTreeMap::new();
    let mut numbers = BTreeMap::new();
    for i in 0..count {
        let id = r.str(&|| format!("widget {i}'s id"))?.to_owned();
        let at = format!("widget '{id}': ");
        match r.u8(&|| format!("{at}slot tag"))? {
            0 => {
                let decoded = read_result(&mut r, &at)?;
                numbers.insert(id.clone(), decoded.numbers);
                widgets.insert(id, WidgetData::Result(decoded.result));
            }
            1 => {
                let text = r.str(&|| format!("{at}error"))?;
                let error: ApiError = serde_json::from_slice(text.as_bytes()).map_err(|e| {
                    ColumnarError::InvalidJson {
                        what: format!("{at}error"),
                        message: e.to_string(),
                    }
                })?;
                widgets.insert(id, WidgetData::Error { error });
            }
            tag => {
                let what = format!("{at}slot");
                return Err(ColumnarError::UnknownTag { what, tag });
            }
        }
    }
    r.finish()?;
    let data = DashboardData {
        dashboard_id,
        version,
        widgets,
        generated_at,
        live_cursor,
    };
    Ok(DecodedDashboardData { data, numbers })
}

fn open<'a>(
    bytes: &'a [u8],
    expected: u8,
    name: &'static str,
) -> Result<Reader<'a>, ColumnarError> {
    if bytes.get(..4) != Some(&MAGIC[..]) {
        return Err(ColumnarError::BadMagic);
    }
    let mut r = Reader::new(bytes);
    r.take(4, &|| "magic".into())?;
    let version = r.u8(&|| "version".into())?;
    if version != VERSION {
        return Err(ColumnarError::UnsupportedVersion(version));
    }
    let found = r.u8(&|| "body kind".into())?;
    if found != expected {
        return Err(ColumnarError::WrongKind {
            expected: name,
            found,
        });
    }
    Ok(r)
}

/// Fails unless `count` items of at least `min_size` bytes each can still follow.
fn check_count(r: &Reader, count: usize, min_size: usize, what: &str) -> Result<(), ColumnarError> {
    let needed = count.saturating_mul(min_size);
    if needed > r.remaining() {
        return Err(ColumnarError::Truncated {
            what: format!("{count} {what}"),
            needed,
            remaining: r.remaining(),
        });
    }
    Ok(())
}

fn read_meta(r: &mut Reader, at: &str) -> Result<QueryMeta, ColumnarError> {
    let execution_ms = r.f64(&|| format!("{at}meta.executionMs"))?;
    let total_rows = r.u64(&|| format!("{at}meta.totalRows"))?;
    let truncated = match r.u8(&|| format!("{at}meta.truncated"))? {
        0 => false,
        1 => true,
        tag => {
            let what = format!("{at}meta.truncated");
            return Err(ColumnarError::UnknownTag { what, tag });
        }
    };
    let count = r.u32(&|| format!("{at}meta.unappliedFilters count"))?;
    check_count(r, count, 4, "unapplied filters")?;
    let unapplied_filters = (0..count)
        .map(|i| {
            Ok(r.str(&|| format!("{at}meta.unappliedFilters[{i}]"))?
                .to_owned())
        })
        .collect::<Result<_, ColumnarError>>()?;
    Ok(QueryMeta {
        execution_ms,
        total_rows,
        truncated,
        unapplied_filters,
    })
}

fn read_result(r: &mut Reader, at: &str) -> Result<DecodedResult, ColumnarError> {
    let meta = read_meta(r, at)?;
    let count = r.u32(&|| format!("{at}column count"))?;
    let rows = r.u32(&|| format!("{at}row count"))?;
    // A column takes at least 8 bytes (empty name, type, two absent options, encoding, flags).
    check_count(r, count, 8, "columns")?;
    let mut columns = Vec::with_capacity(count);
    let mut data = Vec::with_capacity(count);
    let mut numbers = Vec::with_capacity(count);
    for c in 0..count {
        let name = r.str(&|| format!("{at}column {c}'s name"))?.to_owned();
        let at = format!("{at}column '{name}'");
        let column_type = read_type(r, &at)?;
        let label = r.opt_str(&|| format!("{at} label"))?.map(str::to_owned);
        let unit = r.opt_str(&|| format!("{at} unit"))?.map(str::to_owned);
        let (cells, numeric) = read_cells(r, &at, rows)?;
        columns.push(Column {
            name,
            column_type,
            label,
            unit,
        });
        data.push(cells);
        numbers.push(numeric);
    }
    let result = QueryResult {
        columns,
        data,
        meta,
    };
    Ok(DecodedResult {
        result,
        numbers: NumericColumns(numbers),
    })
}

fn read_type(r: &mut Reader, at: &str) -> Result<ColumnType, ColumnarError> {
    Ok(match r.u8(&|| format!("{at} type"))? {
        column_type::STRING => ColumnType::String,
        column_type::INTEGER => ColumnType::Integer,
        column_type::FLOAT => ColumnType::Float,
        column_type::TIMESTAMP => ColumnType::Timestamp,
        column_type::BOOLEAN => ColumnType::Boolean,
        tag => {
            let what = format!("{at} type");
            return Err(ColumnarError::UnknownTag { what, tag });
        }
    })
}

type Cells = (Vec<Value>, Option<NumericColumn>);

fn read_cells(r: &mut Reader, at: &str, rows: usize) -> Result<Cells, ColumnarError> {
    let chosen = r.u8(&|| format!("{at} encoding"))?;
    let flags = r.u8(&|| format!("{at} flags"))?;
    if flags & !(HAS_NULLS | HAS_INTEGRAL) != 0 {
        let what = format!("{at} flags");
        return Err(ColumnarError::UnknownTag { what, tag: flags });
    }
    let valid = match flags & HAS_NULLS {
        0 => None,
        _ => Some(r.take(bitmap_len(rows), &|| format!("{at} null bitmap"))?),
    };
    let integral = match flags & HAS_INTEGRAL {
        0 => None,
        _ => Some(r.take(bitmap_len(rows), &|| format!("{at} integral bitmap"))?),
    };
    let is_valid = |i: usize| valid.is_none_or(|bitmap| bit(bitmap, i));
    match chosen {
        encoding::F64 => {
            r.align8(&|| format!("{at} padding"))?;
            let bytes = r.take_items(rows, 8, &|| format!("{at} f64 values"))?;
            let mut numbers = Vec::with_capacity(rows);
            let mut stats = StatsBuilder::default();
            let mut cells = Vec::with_capacity(rows);
            for (i, chunk) in bytes.chunks_exact(8).enumerate() {
                let mut b = [0; 8];
                b.copy_from_slice(chunk);
                let v = f64::from_le_bytes(b);
                let cell = if !is_valid(i) || !v.is_finite() {
                    Value::Null
                } else if integral.is_some_and(|bitmap| bit(bitmap, i)) && exact_integer(v) {
                    // Within ±2^53 (checked), so the conversion is exact.
                    Value::from(v as i64)
                } else {
                    Number::from_f64(v).map_or(Value::Null, Value::Number)
                };
                let number = if cell.is_null() { f64::NAN } else { v };
                stats.add(i, number);
                numbers.push(number);
                cells.push(cell);
            }
            Ok((cells, Some(NumericColumn::built(numbers, stats))))
        }
        encoding::I64 => {
            r.align8(&|| format!("{at} padding"))?;
            let bytes = r.take_items(rows, 8, &|| format!("{at} i64 values"))?;
            let mut numbers = Vec::with_capacity(rows);
            let mut stats = StatsBuilder::default();
            let mut cells = Vec::with_capacity(rows);
            for (i, chunk) in bytes.chunks_exact(8).enumerate() {
                let mut b = [0; 8];
                b.copy_from_slice(chunk);
                let v = i64::from_le_bytes(b);
                let number = if is_valid(i) {
                    cells.push(Value::from(v));
                    v as f64
                } else {
                    cells.push(Value::Null);
                    f64::NAN
                };
                stats.add(i, number);
                numbers.push(number);
            }
            Ok((cells, Some(NumericColumn::built(numbers, stats))))
        }
        encoding::DICTIONARY => read_dictionary(r, at, rows, &is_valid).map(|c| (c, None)),
        encoding::BOOLEAN => {
            let bitmap = r.take(bitmap_len(rows), &|| format!("{at} boolean values"))?;
            let cells = (0..rows)
                .map(|i| match is_valid(i) {
                    true => Value::Bool(bit(bitmap, i)),
                    false => Value::Null,
                })
                .collect();
            Ok((cells, None))
        }
        encoding::JSON => {
            check_count(r, rows, 1, "cells")?;
            let cells = (0..rows)
                .map(|row| read_any(r, &|| format!("{at} row {row}")))
                .collect::<Result<_, _>>()?;
            Ok((cells, None))
        }
        tag => {
            let what = format!("{at} encoding");
            Err(ColumnarError::UnknownTag { what, tag })
        }
    }
}

/// One cell of a JSON-cells column (see `write_any` in `encode.rs`).
fn read_any(r: &mut Reader, what: &dyn Fn() -> String) -> Result<Value, ColumnarError> {
    Ok(match r.u8(what)? {
        cell::NULL => Value::Null,
        cell::FALSE => Value::Bool(false),
        cell::TRUE => Value::Bool(true),
        cell::I64 => Value::from(r.i64(what)?),
        cell::U64 => Value::from(r.u64(what)?),
        cell::F64 => Number::from_f64(r.f64(what)?).map_or(Value::Null, Value::Number),
        cell::STRING => Value::String(r.str(what)?.to_owned()),
        cell::JSON => {
            let text = r.str(what)?;
            serde_json::from_slice(text.as_bytes()).map_err(|e| ColumnarError::InvalidJson {
                what: what(),
                message: e.to_string(),
            })?
        }
        tag => return Err(ColumnarError::UnknownTag { what: what(), tag }),
    })
}

/// Whether `v` is an integer an `f64` holds exactly (the encoder only marks such cells).
fn exact_integer(v: f64) -> bool {
    v.fract() == 0.0 && v.abs() <= (1u64 << 53) as f64
}

fn read_dictionary(
    r: &mut Reader,
    at: &str,
    rows: usize,
    is_valid: &dyn Fn(usize) -> bool,
) -> Result<Vec<Value>, ColumnarError> {
    let len = r.u32(&|| format!("{at} dictionary size"))?;
    check_count(r, len, 4, "dictionary entries")?;
    let entries = (0..len)
        .map(|i| r.str(&|| format!("{at} dictionary entry {i}")))
        .collect::<Result<Vec<&str>, _>>()?;
    let bytes = r.take_items(rows, 4, &|| format!("{at} dictionary indices"))?;
    bytes
        .chunks_exact(4)
        .enumerate()
        .map(|(row, chunk)| {
            if !is_valid(row) {
                return Ok(Value::Null);
            }
            let index = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            let entry =
                entries
                    .get(index as usize)
                    .ok_or_else(|| ColumnarError::DictionaryIndex {
                        what: at.to_owned(),
                        row,
                        index,
                        len,
                    })?;
            Ok(Value::String((*entry).to_owned()))
        })
        .collect()
}
