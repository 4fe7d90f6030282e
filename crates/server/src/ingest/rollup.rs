//! The live message of an accepted batch: one [`MetricRollup`] for its dataset on the `metrics`
//! channel (same envelope as the demo generator's), with the row count, each measure's sum and
//! row counts per value of each string dimension. Its `ts` is the second of the newest row.
//! Clients refetch (or patch) the widgets over that dataset when it arrives.

use crate::sql::Value as SqlValue;
use std::collections::BTreeMap;
use vantage_contract::{Dataset, FieldRole, FieldType, MetricRollup};

/// Most values counted per dimension in one rollup.
pub const MAX_VALUES_PER_DIMENSION: usize = 100;

/// The rollup of `rows` (values in `schema.fields` order).
pub fn of_rows(schema: &Dataset, rows: &[Vec<SqlValue>]) -> MetricRollup {
    let time_idx = schema
        .fields
        .iter()
        .position(|f| f.name == schema.time_field);
    let newest = rows
        .iter()
        .filter_map(|r| match time_idx.and_then(|i| r.get(i)) {
            Some(SqlValue::Integer(ts)) => Some(*ts),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut m = MetricRollup {
        ts: newest.div_euclid(1000) * 1000,
        dataset: schema.id.clone(),
        total: rows.len() as u64,
        ..MetricRollup::default()
    };
    for (i, f) in schema.fields.iter().enumerate() {
        if f.role == FieldRole::Measure {
            let sum: f64 = rows
                .iter()
                .map(|r| match r.get(i) {
                    Some(SqlValue::Real(x)) => *x,
                    Some(SqlValue::Integer(x)) => *x as f64,
                    _ => 0.0,
                })
                .sum();
            m.sums.insert(f.name.clone(), (sum * 1e6).round() / 1e6);
        } else if f.field_type == FieldType::String && f.name != schema.time_field {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for r in rows {
                if let Some(SqlValue::Text(v)) = r.get(i) {
                    if counts.len() < MAX_VALUES_PER_DIMENSION || counts.contains_key(v) {
                        *counts.entry(v.clone()).or_default() += 1;
                    }
                }
            }
            if !counts.is_empty() {
                m.counts.insert(f.name.clone(), counts);
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::demo;

    #[test]
    fn sums_measures_and_counts_dimension_values() {
        let sales = demo::datasets().remove(2);
        let row = |ts: i64, region: &str, revenue: f64| {
            vec![
                SqlValue::Integer(ts),
                SqlValue::Text(region.into()),
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Real(revenue),
                SqlValue::Integer(1),
            ]
        };
        let m = of_rows(
            &sales,
            &[
                row(1_500, "north", 2.5),
                row(2_700, "north", 1.0),
                row(900, "east", 1.0),
            ],
        );
        assert_eq!((m.ts, m.total, m.dataset.as_str()), (2_000, 3, "sales"));
        assert_eq!(m.sums["revenue"], 4.5);
        assert_eq!(m.sums["units"], 3.0);
        assert_eq!(m.counts["region"]["north"], 2);
        assert_eq!(m.valid + m.invalid, 0, "validation-only fields stay zero");
    }
}
