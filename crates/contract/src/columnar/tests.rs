//! Round trips (examples and seeded random results), malformed bodies, and a fuzz run of the
//! decoder over arbitrary and mutated bytes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::{ApiError, Column, ColumnType, ErrorCode, QueryMeta, WidgetData};

fn result(columns: Vec<(&str, ColumnType)>, data: Vec<Vec<Value>>) -> QueryResult {
    let columns = columns
        .into_iter()
        .map(|(name, t)| Column::new(name, t))
        .collect();
    QueryResult::new(columns, data).unwrap()
}

/// Encodes, decodes, and checks the decoded result serializes to the same JSON text.
fn round_trip(r: &QueryResult) -> DecodedResult {
    let decoded = decode_result(&encode_result(r)).unwrap();
    assert_eq!(&decoded.result, r);
    assert_eq!(
        serde_json::to_string(&decoded.result).unwrap(),
        serde_json::to_string(r).unwrap()
    );
    decoded
}

#[test]
fn numbers_strings_booleans_and_nulls_round_trip() {
    let mut r = result(
        vec![
            ("t", ColumnType::Timestamp),
            ("p95", ColumnType::Float),
            ("intent", ColumnType::String),
            ("ok", ColumnType::Boolean),
            ("n", ColumnType::Integer),
        ],
        vec![
            vec![json!(0), json!(60_000), json!(120_000)],
            vec![json!(1.5), Value::Null, json!(-0.25)],
            vec![json!("billing"), json!("héllo ✓ 日本"), json!("billing")],
            vec![json!(true), Value::Null, json!(false)],
            vec![json!(i64::MIN), json!(i64::MAX), Value::Null],
        ],
    );
    r.columns[1] = r.columns[1]
        .clone()
        .with_label("Latency (p95)", Some("ms".into()));
    r.meta = QueryMeta {
        execution_ms: 3.25,
        total_rows: 9,
        truncated: true,
        unapplied_filters: vec!["region".into()],
    };
    let decoded = round_trip(&r);
    assert_eq!(
        decoded.numbers.column(0),
        Some(&[0.0, 60_000.0, 120_000.0][..])
    );
    let p95 = decoded.numbers.column(1).unwrap();
    assert_eq!((p95[0], p95[2]), (1.5, -0.25));
    assert!(p95[1].is_nan(), "null is NaN in the numeric slice");
    assert_eq!(decoded.numbers.column(2), None);
    assert_eq!(decoded.numbers.column(3), None);
    assert_eq!(decoded.numbers.column(4).unwrap()[0], i64::MIN as f64);
}

#[test]
fn empty_results_round_trip() {
    round_trip(&QueryResult::default());
    round_trip(&result(
        vec![("t", ColumnType::Timestamp), ("s", ColumnType::String)],
        vec![vec![], vec![]],
    ));
    let all_null = round_trip(&result(
        vec![("x", ColumnType::Float), ("s", ColumnType::String)],
        vec![vec![Value::Null; 3], vec![Value::Null; 3]],
    ));
    assert!(all_null
        .numbers
        .column(0)
        .unwrap()
        .iter()
        .all(|v| v.is_nan()));
}

#[test]
fn integers_and_floats_keep_their_json_spelling() {
    // SQLite answers `sum` over integers as an integer and over reals as a real: one float
    // column can hold both, and the JSON body writes `5` and `5.5`.
    let r = result(
        vec![("sum", ColumnType::Float)],
        vec![vec![json!(5), json!(5.5), json!(5.0), json!(-(1i64 << 53))]],
    );
    let decoded = round_trip(&r);
    assert_eq!(
        serde_json::to_string(&decoded.result.data[0]).unwrap(),
        "[5,5.5,5.0,-9007199254740992]"
    );
}

#[test]
fn cells_that_fit_no_packed_type_travel_as_json() {
    let r = result(
        vec![("n", ColumnType::Integer), ("big", ColumnType::Float)],
        vec![
            vec![json!(7), json!("x"), json!({"a": [1]})],
            vec![json!(u64::MAX), json!(0.5), json!((1i64 << 53) + 1)],
        ],
    );
    let decoded = round_trip(&r);
    assert_eq!(decoded.numbers.column(0), None);
    assert_eq!(decoded.numbers.column(1), None);
}

#[test]
fn non_finite_values_in_valid_slots_decode_as_null() {
    let r = result(
        vec![("x", ColumnType::Float)],
        vec![vec![json!(1.0), json!(2.0)]],
    );
    let mut bytes = encode_result(&r);
    let end = bytes.len();
    bytes[end - 8..].copy_from_slice(&f64::INFINITY.to_le_bytes());
    let decoded = decode_result(&bytes).unwrap();
    assert_eq!(decoded.result.data[0], vec![json!(1.0), Value::Null]);
    assert!(decoded.numbers.column(0).unwrap()[1].is_nan());
}

#[test]
fn dashboard_data_round_trips_with_errors_in_slots() {
    let mut widgets = BTreeMap::new();
    let r = result(
        vec![("t", ColumnType::Timestamp), ("v", ColumnType::Float)],
        vec![vec![json!(1), json!(2)], vec![json!(0.5), json!(7)]],
    );
    widgets.insert("chart".to_owned(), WidgetData::Result(r));
    let error = ApiError {
        code: ErrorCode::LockedFilterUnsupported,
        message: "no field 'region'".into(),
        details: Some(json!({"field": "region"})),
        request_id: "req-1".into(),
    };
    widgets.insert("alerts".to_owned(), WidgetData::Error { error });
    let data = DashboardData {
        dashboard_id: "ops".into(),
        version: 4,
        widgets,
        generated_at: 1_700_000_000_000,
        live_cursor: "e1:42".into(),
    };
    let decoded = decode_dashboard_data(&encode_dashboard_data(&data)).unwrap();
    assert_eq!(decoded.data, data);
    assert_eq!(
        serde_json::to_value(&decoded.data).unwrap(),
        serde_json::to_value(&data).unwrap()
    );
    assert_eq!(decoded.numbers["chart"].column(1), Some(&[0.5, 7.0][..]));
    assert!(!decoded.numbers.contains_key("alerts"));
}

#[test]
fn malformed_bodies_say_what_is_wrong() {
    let bytes = encode_result(&result(
        vec![("intent", ColumnType::String)],
        vec![vec![json!("a"), json!("b")]],
    ));
    assert_eq!(
        decode_result(b"{\"columns\":[]}"),
        Err(ColumnarError::BadMagic)
    );
    let mut future = bytes.clone();
    future[4] = 2;
    assert_eq!(
        decode_result(&future),
        Err(ColumnarError::UnsupportedVersion(2))
    );
    assert!(matches!(
        decode_dashboard_data(&bytes),
        Err(ColumnarError::WrongKind { found: 1, .. })
    ));
    let short = decode_result(&bytes[..bytes.len() - 3]).unwrap_err();
    assert_eq!(
        short.to_string(),
        "body ends early: column 'intent' dictionary indices needs 8 bytes, 5 left"
    );
    let mut bad_index = bytes.clone();
    let end = bad_index.len();
    bad_index[end - 4..].copy_from_slice(&9u32.to_le_bytes());
    assert_eq!(
        decode_result(&bad_index).unwrap_err().to_string(),
        "column 'intent' row 1: dictionary index 9 is out of range (2 entries)"
    );
    let mut trailing = bytes;
    trailing.push(0);
    assert_eq!(
        decode_result(&trailing),
        Err(ColumnarError::TrailingBytes(1))
    );
}

/// xorshift64*: a seeded generator, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    fn text(&mut self) -> String {
        const PARTS: [&str; 8] = ["a", "billing", "", "é", "日本", "🦀", "\"q\"", "\u{0}"];
        (0..self.below(4)).map(|_| PARTS[self.below(8)]).collect()
    }

    fn cell(&mut self, t: ColumnType) -> Value {
        if self.below(5) == 0 {
            return Value::Null;
        }
        let odd = self.below(20) == 0; // a cell that does not fit the column's type
        match (t, odd) {
            (ColumnType::String, false) => json!(self.text()),
            (ColumnType::Boolean, false) => json!(self.below(2) == 0),
            (ColumnType::Integer | ColumnType::Timestamp, false) => json!(self.next() as i64),
            (ColumnType::Float, false) => match self.below(3) {
                0 => json!(self.below(1000) as i64 - 500),
                _ => json!((self.next() as i64 as f64) / 1e6),
            },
            (_, true) => match self.below(4) {
                0 => json!(self.text()),
                1 => json!(self.next()),
                2 => json!(1.5),
                _ => json!([self.below(3)]),
            },
        }
    }

    fn result(&mut self) -> QueryResult {
        const TYPES: [ColumnType; 5] = [
            ColumnType::String,
            ColumnType::Integer,
            ColumnType::Float,
            ColumnType::Timestamp,
            ColumnType::Boolean,
        ];
        let rows = self.below(40);
        let mut columns = Vec::new();
        let mut data = Vec::new();
        for c in 0..self.below(6) {
            let t = TYPES[self.below(5)];
            let mut column = Column::new(format!("c{c}{}", self.text()), t);
            if self.below(2) == 0 {
                column =
                    column.with_label(self.text(), Some(self.text()).filter(|u| !u.is_empty()));
            }
            columns.push(column);
            data.push((0..rows).map(|_| self.cell(t)).collect());
        }
        let mut r = QueryResult::new(columns, data).unwrap();
        r.meta.execution_ms = self.below(1000) as f64 / 7.0;
        r.meta.total_rows = self.next();
        r.meta.truncated = self.below(2) == 0;
        r
    }
}

#[test]
fn random_results_round_trip_exactly() {
    let mut rng = Rng(0x5EED_C0DE);
    for case in 0..2_000 {
        let r = rng.result();
        let decoded = decode_result(&encode_result(&r)).unwrap();
        assert_eq!(decoded.result, r, "case {case}");
        for (c, numbers) in decoded.numbers.0.iter().enumerate() {
            let Some(numbers) = numbers else { continue };
            for (cell, n) in r.data[c].iter().zip(&numbers.values) {
                match cell.as_f64() {
                    Some(v) => assert_eq!(v, *n, "case {case} column {c}"),
                    None => assert!(n.is_nan(), "case {case} column {c}"),
                }
            }
            assert_eq!(
                numbers.stats,
                plain_stats(&numbers.values),
                "case {case} column {c}"
            );
        }
    }
}

/// [`ColumnStats`] the slow, obvious way, to check the decoder's.
fn plain_stats(values: &[f64]) -> ColumnStats {
    let present: Vec<(usize, f64)> = values
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .collect();
    let extreme = |better: fn(f64, f64) -> bool| {
        present
            .iter()
            .fold(None, |best: Option<(usize, f64)>, &(i, v)| match best {
                Some((_, b)) if !better(v, b) => best,
                _ => Some((i, v)),
            })
            .map(|(i, _)| i)
    };
    ColumnStats {
        complete: present.len() == values.len(),
        ascending: present.windows(2).all(|w| w[0].1 <= w[1].1),
        low: extreme(|v, best| v < best),
        high: extreme(|v, best| v > best),
    }
}

#[test]
fn column_stats_say_order_gaps_and_the_earliest_extremes() {
    let stats = ColumnStats::of(&[3.0, f64::NAN, 1.0, 7.0, 1.0, 7.0]);
    assert_eq!(
        stats,
        ColumnStats {
            complete: false,
            ascending: false,
            low: Some(2),
            high: Some(3),
        }
    );
    let stats = ColumnStats::of(&[1.0, 2.0, f64::NAN, 2.0, 5.0]);
    assert!(stats.ascending && !stats.complete);
    assert_eq!((stats.low, stats.high), (Some(0), Some(4)));
    assert_eq!(ColumnStats::of(&[f64::NAN]).low, None);
    assert_eq!(ColumnStats::of(&[]), plain_stats(&[]));
}

#[test]
fn the_decoder_never_panics_on_arbitrary_or_mutated_bytes() {
    let mut rng = Rng(0xF022_BEEF);
    let samples: Vec<Vec<u8>> = (0..50).map(|_| encode_result(&rng.result())).collect();
    for case in 0..20_000 {
        let bytes: Vec<u8> = if case % 2 == 0 {
            // Arbitrary bytes, usually behind a valid header so the decoder gets past it.
            let mut b: Vec<u8> = match rng.below(3) {
                0 => Vec::new(),
                _ => [&MAGIC[..], &[VERSION, 1 + rng.below(2) as u8]].concat(),
            };
            b.extend((0..rng.below(200)).map(|_| rng.next() as u8));
            b
        } else {
            // A valid body with a few bytes flipped, cut short or extended.
            let mut b = samples[rng.below(samples.len() as u64)].clone();
            for _ in 0..=rng.below(4) {
                if !b.is_empty() {
                    let i = rng.below(b.len() as u64);
                    b[i] = rng.next() as u8;
                }
            }
            if rng.below(4) == 0 {
                b.truncate(rng.below(b.len() as u64 + 1));
            }
            b
        };
        // Either outcome is fine; what matters is no panic, hang or huge allocation.
        let _ = decode_result(&bytes);
        let _ = decode_dashboard_data(&bytes);
    }
}
