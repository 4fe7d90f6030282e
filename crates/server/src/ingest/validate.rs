//! Checking every row of a batch against its dataset before anything is stored: unknown
//! fields, wrong types, a missing time, or a time more than a day ahead or older than the
//! dataset's retention are reported per row ([`RowError`]); the first
//! [`MAX_ROW_ERRORS`] are listed and the rest counted.

use super::body::Item;
use crate::sql::Value as SqlValue;
use serde_json::Value;
use vantage_contract::ingest::{MAX_FUTURE_MS, MAX_ROW_ERRORS};
use vantage_contract::{BatchErrorDetails, Dataset, FieldDef, FieldType, RowError};

/// Longest string value accepted.
pub const MAX_STRING_CHARS: usize = 4096;

/// A batch that passed: values in `columns` order, ready to insert.
pub struct ValidBatch {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

struct Errors {
    list: Vec<RowError>,
    more: usize,
    bad_rows: usize,
}

impl Errors {
    fn push(&mut self, index: usize, field: &str, reason: String) {
        if self.list.len() < MAX_ROW_ERRORS {
            self.list.push(RowError {
                index,
                field: field.to_owned(),
                reason,
            });
        } else {
            self.more += 1;
        }
    }
}

/// Validates `items` against `schema` at time `now`.
///
/// # Errors
/// The row problems when any row is bad (nothing of the batch may be stored).
pub fn validate(
    schema: &Dataset,
    items: Vec<Item>,
    now: i64,
) -> Result<ValidBatch, BatchErrorDetails> {
    let oldest = now.saturating_sub(i64::from(schema.retention_days) * 86_400_000);
    let mut errors = Errors {
        list: Vec::new(),
        more: 0,
        bad_rows: 0,
    };
    let mut rows = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let before = errors.list.len() + errors.more;
        match item {
            Err(reason) => errors.push(index, "", reason),
            Ok(Value::Object(map)) => {
                for key in map.keys() {
                    if schema.field(key).is_none() {
                        errors.push(index, key, "unknown field".into());
                    }
                }
                let mut row = Vec::with_capacity(schema.fields.len());
                for f in &schema.fields {
                    match convert(f, map.get(&f.name), f.name == schema.time_field) {
                        Ok(v) => {
                            if let (true, SqlValue::Integer(ts)) = (f.name == schema.time_field, &v)
                            {
                                if *ts > now + MAX_FUTURE_MS {
                                    errors.push(
                                        index,
                                        &f.name,
                                        "more than 1 day in the future".into(),
                                    );
                                } else if *ts < oldest {
                                    errors.push(
                                        index,
                                        &f.name,
                                        format!(
                                            "older than the dataset's retention ({} days)",
                                            schema.retention_days
                                        ),
                                    );
                                }
                            }
                            row.push(v);
                        }
                        Err(reason) => errors.push(index, &f.name, reason),
                    }
                }
                rows.push(row);
            }
            Ok(_) => errors.push(index, "", "a row must be a JSON object".into()),
        }
        if errors.list.len() + errors.more > before {
            errors.bad_rows += 1;
        }
    }
    if errors.bad_rows > 0 {
        return Err(BatchErrorDetails {
            rows: errors.list,
            more_errors: errors.more,
            bad_rows: errors.bad_rows,
        });
    }
    Ok(ValidBatch {
        columns: schema.fields.iter().map(|f| f.name.clone()).collect(),
        rows,
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The stored value of `v` for field `f`, or why it does not fit.
fn convert(f: &FieldDef, v: Option<&Value>, is_time: bool) -> Result<SqlValue, String> {
    let v = match v {
        None | Some(Value::Null) if is_time => {
            return Err("missing: every row needs the time field".into())
        }
        None | Some(Value::Null) => return Ok(SqlValue::Null),
        Some(v) => v,
    };
    match (f.field_type, v) {
        (FieldType::Time, Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|x| x.fract() == 0.0 && x.abs() < 9e15)
                    .map(|x| x as i64)
            })
            .map(SqlValue::Integer)
            .ok_or_else(|| "expected whole epoch milliseconds".into()),
        (FieldType::Time, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| SqlValue::Integer(t.timestamp_millis()))
            .map_err(|_| {
                "expected epoch milliseconds or an RFC 3339 time such as 2026-01-31T12:00:00Z"
                    .into()
            }),
        (FieldType::String, Value::String(s)) if s.chars().count() > MAX_STRING_CHARS => {
            Err(format!("longer than {MAX_STRING_CHARS} characters"))
        }
        (FieldType::String, Value::String(s)) => Ok(SqlValue::Text(s.clone())),
        (FieldType::Number, Value::Number(n)) if f.is_integer() => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|x| x.fract() == 0.0 && x.abs() < 9e15)
                    .map(|x| x as i64)
            })
            .map(SqlValue::Integer)
            .ok_or_else(|| "expected a whole number".into()),
        (FieldType::Number, Value::Number(n)) => n
            .as_f64()
            .map(SqlValue::Real)
            .ok_or_else(|| "expected a finite number".into()),
        (FieldType::Boolean, Value::Bool(b)) => Ok(SqlValue::Integer(i64::from(*b))),
        (t, other) => Err(format!(
            "expected {}, got {}",
            match t {
                FieldType::Time => "a time",
                FieldType::String => "a string",
                FieldType::Number => "a number",
                FieldType::Boolean => "true or false",
            },
            type_name(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::demo;
    use serde_json::json;

    const NOW: i64 = 1_800_000_000_000;

    fn sales() -> Dataset {
        demo::datasets().remove(2)
    }

    #[test]
    fn good_rows_become_typed_values_in_field_order() {
        let batch = validate(
            &sales(),
            vec![Ok(
                json!({"ts": NOW - 1000, "region": "north", "revenue": 12.5, "units": 2}),
            )],
            NOW,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(batch.columns[0], "ts");
        assert_eq!(batch.rows[0][0], SqlValue::Integer(NOW - 1000));
        assert_eq!(batch.rows[0][1], SqlValue::Text("north".into()));
        assert_eq!(
            batch.rows[0][2],
            SqlValue::Null,
            "a missing dimension is null"
        );
        assert_eq!(batch.rows[0][5], SqlValue::Integer(2));
    }

    #[test]
    fn every_bad_row_is_listed_with_its_field_and_reason() {
        let err = validate(
            &sales(),
            vec![
                Ok(json!({"ts": NOW, "region": 5})),
                Ok(json!({"region": "north"})),
                Ok(json!({"ts": NOW, "colour": "red"})),
                Ok(json!({"ts": NOW + 2 * MAX_FUTURE_MS})),
                Ok(json!({"ts": NOW - 400 * 86_400_000_i64})),
                Ok(json!({"ts": "2026-13-01"})),
                Ok(json!({"ts": NOW, "units": 1.5})),
                Ok(json!([1])),
                Ok(json!({"ts": NOW})),
            ],
            NOW,
        )
        .err()
        .unwrap();
        assert_eq!(err.bad_rows, 8);
        let fields: Vec<(usize, &str)> = err
            .rows
            .iter()
            .map(|r| (r.index, r.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (0, "region"),
                (1, "ts"),
                (2, "colour"),
                (3, "ts"),
                (4, "ts"),
                (5, "ts"),
                (6, "units"),
                (7, "")
            ]
        );
        assert!(err.rows[0].reason.contains("expected a string"));
        assert!(err.rows[4].reason.contains("retention"));
    }

    #[test]
    fn the_list_is_capped_and_the_rest_counted() {
        let items = (0..MAX_ROW_ERRORS + 5)
            .map(|_| Ok(json!({"ts": NOW, "nope": 1})))
            .collect();
        let err = validate(&sales(), items, NOW).err().unwrap();
        assert_eq!(err.rows.len(), MAX_ROW_ERRORS);
        assert_eq!(err.more_errors, 5);
        assert_eq!(err.bad_rows, MAX_ROW_ERRORS + 5);
    }
}
