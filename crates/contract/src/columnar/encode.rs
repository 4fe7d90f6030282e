//! Writing the columnar body (see the format in the module docs of [`super`]).

use std::collections::HashMap;

use serde_json::Value;

use super::wire::{cell, column_type, encoding, kind, Writer, HAS_INTEGRAL, HAS_NULLS};
use super::{MAGIC, VERSION};
use crate::{ColumnType, DashboardData, QueryMeta, QueryResult, WidgetData};

/// Integers up to this magnitude are exact in an `f64`.
const F64_EXACT: u64 = 1 << 53;

/// The columnar body of `result`.
pub fn encode_result(result: &QueryResult) -> Vec<u8> {
    let mut w = header(kind::RESULT);
    write_result(&mut w, result);
    w.bytes
}

/// The columnar body of a dashboard's data: each widget's result or error.
pub fn encode_dashboard_data(data: &DashboardData) -> Vec<u8> {
    let mut w = header(kind::DASHBOARD_DATA);
    w.str(&data.dashboard_id);
    w.u64(data.version);
    w.i64(data.generated_at);
    w.str(&data.live_cursor);
    w.u32(data.widgets.len());
    for (id, slot) in &data.widgets {
        w.str(id);
        match slot {
            WidgetData::Result(result) => {
                w.u8(0);
                write_result(&mut w, result);
            }
            WidgetData::Error { error } => {
                w.u8(1);
                // Errors are rare and small; their `details` are free-form JSON.
                w.str(&serde_json::to_string(error).unwrap_or_default());
            }
        }
    }
    w.bytes
}

fn header(body_kind: u8) -> Writer {
    let mut w = Writer::default();
    w.bytes.extend_from_slice(MAGIC);
    w.u8(VERSION);
    w.u8(body_kind);
    w
}

fn write_meta(w: &mut Writer, meta: &QueryMeta) {
    w.f64(meta.execution_ms);
    w.u64(meta.total_rows);
    w.u8(u8::from(meta.truncated));
    w.u32(meta.unapplied_filters.len());
    for field in &meta.unapplied_filters {
        w.str(field);
    }
}

fn write_result(w: &mut Writer, result: &QueryResult) {
    write_meta(w, &result.meta);
    let rows = result.row_count();
    w.u32(result.columns.len());
    w.u32(rows);
    for (index, column) in result.columns.iter().enumerate() {
        w.str(&column.name);
        w.u8(type_tag(column.column_type));
        w.opt_str(column.label.as_deref());
        w.opt_str(column.unit.as_deref());
        let cells = result.data.get(index).map_or(&[][..], Vec::as_slice);
        write_cells(w, column.column_type, cells, rows);
    }
}

fn type_tag(t: ColumnType) -> u8 {
    match t {
        ColumnType::String => column_type::STRING,
        ColumnType::Integer => column_type::INTEGER,
        ColumnType::Float => column_type::FLOAT,
        ColumnType::Timestamp => column_type::TIMESTAMP,
        ColumnType::Boolean => column_type::BOOLEAN,
    }
}

/// The packed encoding every non-null cell fits, else JSON cells.
fn choose(declared: ColumnType, cells: &[Value]) -> u8 {
    let mut present = cells.iter().filter(|v| !v.is_null()).peekable();
    if present.peek().is_none() {
        return match declared {
            ColumnType::String => encoding::DICTIONARY,
            ColumnType::Boolean => encoding::BOOLEAN,
            ColumnType::Float => encoding::F64,
            ColumnType::Integer | ColumnType::Timestamp => encoding::I64,
        };
    }
    let all = |f: fn(&Value) -> bool| cells.iter().filter(|v| !v.is_null()).all(f);
    if all(Value::is_string) {
        encoding::DICTIONARY
    } else if all(Value::is_boolean) {
        encoding::BOOLEAN
    } else if all(Value::is_i64) {
        encoding::I64
    } else if all(fits_f64) {
        encoding::F64
    } else {
        encoding::JSON
    }
}

/// A float, or an integer that an `f64` holds exactly.
fn fits_f64(v: &Value) -> bool {
    match v {
        Value::Number(n) if n.is_f64() => true,
        Value::Number(n) => n
            .as_i64()
            .map(i64::unsigned_abs)
            .or_else(|| n.as_u64())
            .is_some_and(|m| m <= F64_EXACT),
        _ => false,
    }
}

fn write_cells(w: &mut Writer, declared: ColumnType, cells: &[Value], rows: usize) {
    let chosen = choose(declared, cells);
    let cell = |i: usize| cells.get(i).unwrap_or(&Value::Null);
    let has_nulls = chosen != encoding::JSON && (0..rows).any(|i| cell(i).is_null());
    let integral = chosen == encoding::F64 && cells.iter().any(|v| v.is_i64() || v.is_u64());
    w.u8(chosen);
    w.u8(if has_nulls { HAS_NULLS } else { 0 } | if integral { HAS_INTEGRAL } else { 0 });
    if has_nulls {
        w.bitmap(rows, |i| !cell(i).is_null());
    }
    if integral {
        w.bitmap(rows, |i| cell(i).is_i64() || cell(i).is_u64());
    }
    match chosen {
        encoding::F64 => {
            w.align8();
            for i in 0..rows {
                w.f64(cell(i).as_f64().unwrap_or(f64::NAN));
            }
        }
        encoding::I64 => {
            w.align8();
            for i in 0..rows {
                w.i64(cell(i).as_i64().unwrap_or(0));
            }
        }
        encoding::DICTIONARY => write_dictionary(w, (0..rows).map(|i| cell(i).as_str())),
        encoding::BOOLEAN => w.bitmap(rows, |i| cell(i).as_bool() == Some(true)),
        _ => {
            for i in 0..rows {
                write_any(w, cell(i));
            }
        }
    }
}

/// One cell of a JSON-cells column: scalars in binary (floats must not go through text, which
/// `serde_json` does not parse back exactly), arrays and objects as JSON text.
fn write_any(w: &mut Writer, v: &Value) {
    match v {
        Value::Null => w.u8(cell::NULL),
        Value::Bool(b) => w.u8(if *b { cell::TRUE } else { cell::FALSE }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                w.u8(cell::I64);
                w.i64(i);
            }
            (None, Some(u), _) => {
                w.u8(cell::U64);
                w.u64(u);
            }
            (None, None, f) => {
                w.u8(cell::F64);
                w.f64(f.unwrap_or(f64::NAN));
            }
        },
        Value::String(s) => {
            w.u8(cell::STRING);
            w.str(s);
        }
        other => {
            w.u8(cell::JSON);
            w.str(&other.to_string());
        }
    }
}

fn write_dictionary<'a>(w: &mut Writer, cells: impl Iterator<Item = Option<&'a str>> + Clone) {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut entries: Vec<&str> = Vec::new();
    let indices: Vec<u32> = cells
        .map(|cell| {
            let Some(s) = cell else { return 0 };
            *index.entry(s).or_insert_with(|| {
                entries.push(s);
                u32::try_from(entries.len() - 1).unwrap_or(u32::MAX)
            })
        })
        .collect();
    w.u32(entries.len());
    for s in entries {
        w.str(s);
    }
    for i in indices {
        w.bytes.extend_from_slice(&i.to_le_bytes());
    }
}
