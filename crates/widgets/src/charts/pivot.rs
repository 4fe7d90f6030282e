//! Long-to-wide reshaping for series charts.
//!
//! A query grouped by time *and* a category (e.g. `time, status, count`) arrives "long": one
//! row per (time, status). A line chart needs one series per status, so the category's values
//! become columns: `time, VALID, INVALID, UNKNOWN`. Missing combinations become nulls (gaps).

use std::collections::BTreeMap;

use serde_json::Value;
use vantage_contract::result::value_text;
use vantage_contract::{Column, ColumnType, QueryResult};

/// Pivots `x, category, measure…` into `x, <category value> …`; `None` when the result is not
/// of that shape (second column not a string, or no numeric measure after it).
pub fn pivot_long(result: &QueryResult) -> Option<QueryResult> {
    if result.columns.len() < 3 || result.columns[1].column_type != ColumnType::String {
        return None;
    }
    let measures: Vec<usize> = (2..result.columns.len())
        .filter(|&i| result.columns[i].column_type.is_numeric())
        .collect();
    if measures.is_empty() {
        return None;
    }
    let xs = &result.data[0];
    let categories = result.labels_at(1);
    // Keep x in first-seen order (results arrive sorted by time) and categories sorted.
    let mut x_order: Vec<&Value> = Vec::new();
    let mut x_index: BTreeMap<String, usize> = BTreeMap::new();
    for x in xs {
        let key = value_text(x);
        if let std::collections::btree_map::Entry::Vacant(slot) = x_index.entry(key) {
            slot.insert(x_order.len());
            x_order.push(x);
        }
    }
    let mut names: Vec<String> = categories.clone();
    crate::sort::sort(&mut names);
    names.dedup();
    let mut columns = vec![result.columns[0].clone()];
    let mut data: Vec<Vec<Value>> = vec![x_order.iter().map(|v| (*v).clone()).collect()];
    for &measure in &measures {
        for name in &names {
            let label = if measures.len() > 1 {
                format!("{name} · {}", result.columns[measure].title())
            } else {
                name.clone()
            };
            columns.push(Column::new(label, result.columns[measure].column_type));
            data.push(vec![Value::Null; x_order.len()]);
        }
    }
    for row in 0..result.row_count() {
        let x = x_index[&value_text(&xs[row])];
        let category = names.binary_search(&categories[row]).unwrap_or(0);
        for (m, &measure) in measures.iter().enumerate() {
            data[1 + m * names.len() + category][x] = result.data[measure][row].clone();
        }
    }
    let mut pivoted = QueryResult::new(columns, data).ok()?;
    pivoted.meta = result.meta.clone();
    Some(pivoted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn time_category_measure_becomes_one_column_per_category() {
        let long = QueryResult::new(
            vec![
                Column::new("time", ColumnType::Timestamp),
                Column::new("status", ColumnType::String),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![json!(0), json!(0), json!(60), json!(60), json!(120)],
                vec![
                    json!("VALID"),
                    json!("INVALID"),
                    json!("VALID"),
                    json!("INVALID"),
                    json!("VALID"),
                ],
                vec![json!(5), json!(1), json!(6), json!(2), json!(7)],
            ],
        )
        .unwrap();
        let wide = pivot_long(&long).unwrap();
        let names: Vec<&str> = wide.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["time", "INVALID", "VALID"]);
        assert_eq!(wide.data[0], vec![json!(0), json!(60), json!(120)]);
        assert_eq!(
            wide.data[1],
            vec![json!(1), json!(2), Value::Null],
            "missing combination is a gap"
        );
        assert_eq!(wide.data[2], vec![json!(5), json!(6), json!(7)]);
    }

    #[test]
    fn wide_results_are_left_alone() {
        let wide = QueryResult::new(
            vec![
                Column::new("time", ColumnType::Timestamp),
                Column::new("count", ColumnType::Integer),
            ],
            vec![vec![json!(0)], vec![json!(1)]],
        )
        .unwrap();
        assert!(pivot_long(&wide).is_none());
    }
}
