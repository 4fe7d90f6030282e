//! Columnar query results: what `POST /api/v1/query` and the dashboard data endpoint return.
//!
//! Data is stored per column (`data[c][r]`), which is how charts consume it (a measure column
//! becomes a series) and keeps large numeric columns compact. Timestamps are integer
//! milliseconds since the Unix epoch, UTC; clients format them in the viewer's time zone.
//!
//! On the wire this is JSON (the OpenAPI document's only body), or, for a client that asks with
//! `Accept: application/vnd.vantage.columnar`, the compact binary body of [`crate::columnar`],
//! which decodes to exactly the same value.
//!
//! ```
//! use vantage_contract::{Column, ColumnType, QueryResult};
//! let r = QueryResult::new(
//!     vec![Column::new("minute", ColumnType::Timestamp), Column::new("errors", ColumnType::Integer)],
//!     vec![vec![0.into(), 60_000.into()], vec![3.into(), 5.into()]],
//! ).unwrap();
//! assert_eq!(r.row_count(), 2);
//! assert_eq!(r.numbers("errors").unwrap(), vec![Some(3.0), Some(5.0)]);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::unit_enum;

unit_enum! {
    /// The logical type of a result column.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase")]
    pub enum ColumnType {
        String,
        Integer,
        Float,
        /// Milliseconds since the Unix epoch (UTC), as a JSON number.
        Timestamp,
        Boolean,
    }
}

impl ColumnType {
    /// Whether values of this type are numbers on the wire.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ColumnType::Integer | ColumnType::Float | ColumnType::Timestamp
        )
    }
}

/// One column's name and type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// What to show instead of `name` ("Cost (total)" for `sum_cost_usd`), from the dataset's
    /// field labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Display unit of the values (`USD`, `ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Column {
    pub fn new(name: impl Into<String>, column_type: ColumnType) -> Self {
        Self {
            name: name.into(),
            column_type,
            label: None,
            unit: None,
        }
    }

    /// This column with a display label and unit.
    pub fn with_label(mut self, label: impl Into<String>, unit: Option<String>) -> Self {
        self.label = Some(label.into());
        self.unit = unit;
        self
    }

    /// The label, else the name.
    pub fn display_label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// What a person reads for this column: the label with the unit (`Cost (total) (USD)`),
    /// never the storage name unless the column has no label.
    pub fn title(&self) -> String {
        match &self.unit {
            Some(unit) => format!("{} ({unit})", self.display_label()),
            None => self.display_label().to_owned(),
        }
    }
}

/// Execution metadata reported with every result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QueryMeta {
    pub execution_ms: f64,
    /// Rows the query produced before `limit` was applied.
    pub total_rows: u64,
    /// True when `limit` (or the server's cap) cut rows off.
    pub truncated: bool,
    /// Fields of the viewer's filters and cross-filters this widget's dataset does not have
    /// (so its data is not filtered by them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unapplied_filters: Vec<String>,
}

/// A columnar result set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QueryResult {
    pub columns: Vec<Column>,
    /// `data[c]` holds every value of `columns[c]`, one per row.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::columnar_data))]
    pub data: Vec<Vec<Value>>,
    #[serde(default)]
    pub meta: QueryMeta,
}

/// Why a result set is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryResultError {
    #[error("result has {columns} columns but {data} data arrays")]
    ColumnCountMismatch { columns: usize, data: usize },
    #[error("column '{column}' has {actual} values, expected {expected}")]
    RaggedColumn {
        column: String,
        expected: usize,
        actual: usize,
    },
    #[error("no column named '{0}'")]
    UnknownColumn(String),
}

impl QueryResult {
    /// Builds a result and checks that the columns line up.
    ///
    /// # Errors
    /// When `data` does not hold one equally long array per column.
    pub fn new(columns: Vec<Column>, data: Vec<Vec<Value>>) -> Result<Self, QueryResultError> {
        let result = Self {
            columns,
            data,
            meta: QueryMeta::default(),
        };
        result.validate()?;
        Ok(result)
    }

    /// Checks the invariants a client relies on before rendering.
    ///
    /// # Errors
    /// Column/data count mismatch or columns of different lengths.
    pub fn validate(&self) -> Result<(), QueryResultError> {
        if self.columns.len() != self.data.len() {
            return Err(QueryResultError::ColumnCountMismatch {
                columns: self.columns.len(),
                data: self.data.len(),
            });
        }
        let expected = self.data.first().map_or(0, Vec::len);
        for (column, values) in self.columns.iter().zip(&self.data) {
            if values.len() != expected {
                return Err(QueryResultError::RaggedColumn {
                    column: column.name.clone(),
                    expected,
                    actual: values.len(),
                });
            }
        }
        Ok(())
    }

    /// Number of rows.
    pub fn row_count(&self) -> usize {
        self.data.first().map_or(0, Vec::len)
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The values of column `name` as numbers (`None` for null or non-numeric cells).
    ///
    /// # Errors
    /// When there is no such column.
    pub fn numbers(&self, name: &str) -> Result<Vec<Option<f64>>, QueryResultError> {
        let index = self
            .column_index(name)
            .ok_or_else(|| QueryResultError::UnknownColumn(name.to_owned()))?;
        Ok(self.numbers_at(index))
    }

    /// The values of column `index` as numbers (`None` for null or non-numeric cells).
    pub fn numbers_at(&self, index: usize) -> Vec<Option<f64>> {
        self.data.get(index).map_or_else(Vec::new, |values| {
            values.iter().map(Value::as_f64).collect()
        })
    }

    /// The values of column `index` as display text (`""` for null).
    pub fn labels_at(&self, index: usize) -> Vec<String> {
        self.data
            .get(index)
            .map_or_else(Vec::new, |values| values.iter().map(value_text).collect())
    }
}

/// Plain-text rendering of a JSON cell, without quotes around strings.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("intent", ColumnType::String),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![json!("billing"), json!(null)],
                vec![json!(7), json!("x")],
            ],
        )
        .unwrap()
    }

    #[test]
    fn serializes_columnar_camel_case() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            json["columns"][1],
            json!({"name": "count", "type": "integer"})
        );
        assert_eq!(json["data"][0], json!(["billing", null]));
        assert_eq!(
            json["meta"],
            json!({"executionMs": 0.0, "totalRows": 0, "truncated": false})
        );
    }

    #[test]
    fn rejects_ragged_and_mismatched_columns() {
        let err =
            QueryResult::new(vec![Column::new("a", ColumnType::Integer)], vec![]).unwrap_err();
        assert_eq!(
            err,
            QueryResultError::ColumnCountMismatch {
                columns: 1,
                data: 0
            }
        );
        let err = QueryResult::new(
            vec![
                Column::new("a", ColumnType::Integer),
                Column::new("b", ColumnType::Integer),
            ],
            vec![vec![json!(1)], vec![]],
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "column 'b' has 0 values, expected 1");
    }

    #[test]
    fn extracts_numbers_and_labels() {
        let r = sample();
        assert_eq!(r.row_count(), 2);
        assert_eq!(r.numbers("count").unwrap(), vec![Some(7.0), None]);
        assert_eq!(r.labels_at(0), vec!["billing".to_string(), String::new()]);
        assert!(matches!(
            r.numbers("nope"),
            Err(QueryResultError::UnknownColumn(_))
        ));
    }
}
