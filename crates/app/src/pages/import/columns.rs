//! [`ImportPlan`]: what a CSV file becomes — one column per header with a field name, label,
//! unit, type and role guessed from the first rows (and changed by the person importing), plus
//! which column is the time field. It makes the [`DatasetInput`] to create and turns each record
//! into the JSON row the ingest API takes. No IO, tested natively.

use serde_json::{Map, Value};
use vantage_contract::dataset::{is_identifier, DatasetInput, FieldDef, RESERVED_FIELD_NAMES};
use vantage_contract::{FieldRole, FieldType};

use super::values::{self, convert, looks_like};
use crate::i18n::{tr, trf, I};

/// Rows looked at to guess types.
pub const SAMPLE_ROWS: usize = 200;

/// One CSV column and the field it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    /// The header as written in the file.
    pub header: String,
    /// Storage name (`[a-z][a-z0-9_]*`).
    pub name: String,
    /// What people read: the header without a trailing `(unit)`.
    pub label: String,
    pub unit: Option<String>,
    pub field_type: FieldType,
    pub role: FieldRole,
    /// False: the column is left out of the dataset.
    pub include: bool,
}

/// A problem with one row: the field (empty for the whole row) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub field: String,
    pub reason: String,
}

/// The whole import: columns and the time field.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub columns: Vec<ColumnPlan>,
    /// Index into `columns` of the time field.
    pub time_column: Option<usize>,
}

impl ImportPlan {
    /// Guesses the plan from the header and the first rows.
    pub fn infer(headers: &[String], sample: &[Vec<String>]) -> Self {
        let mut taken = Vec::new();
        let columns: Vec<ColumnPlan> = headers
            .iter()
            .enumerate()
            .map(|(i, header)| {
                let cells: Vec<&str> = sample
                    .iter()
                    .take(SAMPLE_ROWS)
                    .filter_map(|row| row.get(i).map(|c| c.trim()))
                    .filter(|c| !c.is_empty())
                    .collect();
                let (label, unit) = split_unit(header);
                let name = unique(field_name(&label, i), &mut taken);
                // The header's own words, before a reserved name is renamed (`time` → `time_value`).
                let hint = label.to_ascii_lowercase().replace([' ', '-'], "_");
                let field_type = infer_type(&hint, &cells);
                ColumnPlan {
                    header: header.clone(),
                    name,
                    label: if label.is_empty() {
                        trf(I::ColumnNumber, &[&(i + 1).to_string()])
                    } else {
                        label
                    },
                    unit,
                    field_type,
                    role: if field_type == FieldType::Number {
                        FieldRole::Measure
                    } else {
                        FieldRole::Dimension
                    },
                    include: true,
                }
            })
            .collect();
        let time_column = columns.iter().position(|c| c.field_type == FieldType::Time);
        Self {
            columns,
            time_column,
        }
    }

    /// Changes column `i`'s type; a non-number stops being a measure, and the time field moves
    /// off a column that is no longer a time.
    pub fn set_type(&mut self, i: usize, field_type: FieldType) {
        let Some(c) = self.columns.get_mut(i) else {
            return;
        };
        c.field_type = field_type;
        if field_type != FieldType::Number {
            c.role = FieldRole::Dimension;
        }
        if field_type == FieldType::Time && self.time_column.is_none() {
            self.time_column = Some(i);
        }
        if field_type != FieldType::Time && self.time_column == Some(i) {
            self.time_column = self
                .columns
                .iter()
                .position(|c| c.field_type == FieldType::Time);
        }
    }

    /// Makes column `i` the time field (and a time column, included).
    pub fn set_time_column(&mut self, i: usize) {
        if let Some(c) = self.columns.get_mut(i) {
            c.field_type = FieldType::Time;
            c.role = FieldRole::Dimension;
            c.include = true;
            self.time_column = Some(i);
        }
    }

    /// The CSV header of the field called `name` (what a person recognises in a refusal), or
    /// `name` itself when no column has it.
    pub fn header_of(&self, name: &str) -> String {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map_or_else(|| name.to_owned(), |c| c.header.trim().to_owned())
    }

    /// What is wrong with the plan before anything can be created, if anything.
    pub fn problem(&self) -> Option<String> {
        match self.time_column {
            None => Some(tr(I::PickTimeColumn).into()),
            Some(_) if !self.columns.iter().any(|c| c.include) => {
                Some(tr(I::IncludeOneColumn).into())
            }
            Some(_) => None,
        }
    }

    /// The dataset to create, with id `id` and name `name`.
    pub fn dataset_input(&self, id: &str, name: &str, retention_days: u32) -> DatasetInput {
        let time = self.time_column.and_then(|i| self.columns.get(i));
        DatasetInput {
            id: Some(id.to_owned()),
            name: name.to_owned(),
            description: String::new(),
            time_field: time.map(|c| c.name.clone()).unwrap_or_default(),
            fields: self
                .columns
                .iter()
                .filter(|c| c.include)
                .map(|c| FieldDef {
                    unit: c.unit.clone(),
                    ..FieldDef::new(&c.name, c.field_type, c.role, &c.label)
                })
                .collect(),
            retention_days,
        }
    }

    /// The JSON row for `fields` (one CSV record), or every problem found in it.
    ///
    /// # Errors
    /// The row's problems: a field count that differs from the header, a cell that does not fit
    /// its type, a missing time.
    pub fn row(&self, fields: &[String]) -> Result<Value, Vec<RowProblem>> {
        if fields.len() != self.columns.len() {
            return Err(vec![RowProblem {
                field: String::new(),
                reason: trf(
                    I::WrongValueCount,
                    &[&fields.len().to_string(), &self.columns.len().to_string()],
                ),
            }]);
        }
        let mut row = Map::new();
        let mut problems = Vec::new();
        for (i, (c, cell)) in self.columns.iter().zip(fields).enumerate() {
            if !c.include {
                continue;
            }
            match convert(cell, c.field_type) {
                Ok(Some(v)) => {
                    row.insert(c.name.clone(), v);
                }
                Ok(None) if self.time_column == Some(i) => problems.push(RowProblem {
                    field: c.name.clone(),
                    reason: tr(I::MissingTime).into(),
                }),
                Ok(None) => {}
                Err(reason) => problems.push(RowProblem {
                    field: c.name.clone(),
                    reason,
                }),
            }
        }
        if problems.is_empty() {
            Ok(Value::Object(row))
        } else {
            Err(problems)
        }
    }
}

/// `Cost (USD)` → (`Cost`, `USD`); `Region` → (`Region`, none).
fn split_unit(header: &str) -> (String, Option<String>) {
    let header = header.trim();
    if let Some(inner) = header.strip_suffix(')').and_then(|h| h.rsplit_once('(')) {
        let (label, unit) = (inner.0.trim(), inner.1.trim());
        if !label.is_empty() && !unit.is_empty() && unit.chars().count() <= 32 {
            return (label.chars().take(120).collect(), Some(unit.to_owned()));
        }
    }
    (header.chars().take(120).collect(), None)
}

/// A storage name from a label: `Order Total` → `order_total`, `2024 sales` → `f_2024_sales`.
pub fn field_name(label: &str, index: usize) -> String {
    let mut name = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let mut name = name.trim_end_matches('_').to_owned();
    if name.is_empty() {
        name = format!("column_{}", index + 1);
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "f_");
    }
    name.truncate(56);
    let name = name.trim_end_matches('_').to_owned();
    if RESERVED_FIELD_NAMES.contains(&name.as_str()) {
        format!("{name}_value")
    } else {
        name
    }
}

/// `name`, or `name_2`, `name_3`… when already taken.
fn unique(name: String, taken: &mut Vec<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    debug_assert!(is_identifier(&candidate));
    taken.push(candidate.clone());
    candidate
}

/// The narrowest type (nearly) every sampled cell fits; columns of large whole numbers whose
/// header reads like a time (`time`, `ts`, `created_at`, `timestamp`…) are epoch times.
fn infer_type(name: &str, cells: &[&str]) -> FieldType {
    if cells.is_empty() {
        return FieldType::String;
    }
    // A type fits when at least 95% of the cells do: a stray bad value in the sample is refused
    // with its line, rather than turning a number column into text.
    let all = |t| cells.iter().filter(|c| looks_like(c, t)).count() * 20 >= cells.len() * 19;
    if all(FieldType::Boolean) {
        FieldType::Boolean
    } else if all(FieldType::Number) {
        let time_name = ["time", "date", "timestamp", "ts"].contains(&name)
            || name.ends_with("_at")
            || name.ends_with("_time")
            || name.ends_with("_ts");
        let epoch = cells
            .iter()
            .filter(|c| looks_like(c, FieldType::Number))
            .all(|c| {
                c.bytes().all(|b| b.is_ascii_digit())
                    && values::parse_time(c).is_some_and(|t| t > 946_684_800_000)
            });
        if time_name && epoch {
            FieldType::Time
        } else {
            FieldType::Number
        }
    } else if all(FieldType::Time) {
        FieldType::Time
    } else {
        FieldType::String
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn plan() -> ImportPlan {
        ImportPlan::infer(
            &strings(&["Time", "Region", "Amount (USD)", "Paid", "id", "ts"]),
            &[
                strings(&[
                    "2026-01-31T12:00:00Z",
                    "north",
                    "12.5",
                    "yes",
                    "7",
                    "1769860800000",
                ]),
                strings(&["2026-01-31 13:00", "south", "3", "no", "8", "1769860800001"]),
            ],
        )
    }

    #[test]
    fn types_roles_names_and_units_are_guessed_from_the_header_and_rows() {
        let p = plan();
        let got: Vec<_> = p
            .columns
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.label.as_str(),
                    c.unit.as_deref(),
                    c.field_type,
                    c.role,
                )
            })
            .collect();
        use FieldRole::*;
        use FieldType::*;
        assert_eq!(
            got,
            [
                ("time_value", "Time", None, Time, Dimension),
                ("region", "Region", None, String, Dimension),
                ("amount", "Amount", Some("USD"), Number, Measure),
                ("paid", "Paid", None, Boolean, Dimension),
                ("id_value", "id", None, Number, Measure),
                ("ts", "ts", None, Time, Dimension),
            ]
        );
        assert_eq!(p.time_column, Some(0));
    }

    #[test]
    fn the_plan_makes_a_valid_dataset() {
        let input = plan().dataset_input("sales", "Sales", 365);
        assert_eq!(input.validate(), Ok(()));
        assert_eq!(input.time_field, "time_value");
    }

    #[test]
    fn epoch_milliseconds_under_a_time_header_are_times() {
        let rows = [strings(&["1769860800000", "5"])];
        let p = ImportPlan::infer(&strings(&["time", "Created at"]), &rows);
        assert_eq!(p.columns[0].field_type, FieldType::Time);
        assert_eq!(p.columns[0].name, "time_value");
        assert_eq!(
            p.columns[1].field_type,
            FieldType::Number,
            "5 is not an epoch time"
        );
    }

    #[test]
    fn a_stray_bad_value_does_not_turn_a_number_column_into_text() {
        let mut rows: Vec<Vec<String>> = (0..40).map(|i| strings(&[&i.to_string()])).collect();
        rows[7] = strings(&["lots"]);
        assert_eq!(
            ImportPlan::infer(&strings(&["n"]), &rows).columns[0].field_type,
            FieldType::Number
        );
        rows[8] = strings(&["many"]);
        rows[9] = strings(&["some"]);
        assert_eq!(
            ImportPlan::infer(&strings(&["n"]), &rows).columns[0].field_type,
            FieldType::String
        );
    }

    #[test]
    fn names_are_identifiers_and_unique() {
        let p = ImportPlan::infer(
            &strings(&["Order total", "order-total", "2024 €", "", "ÄÖ"]),
            &[],
        );
        let names: Vec<_> = p.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "order_total",
                "order_total_2",
                "f_2024",
                "column_4",
                "column_5"
            ]
        );
        assert!(names.iter().all(|n| is_identifier(n)));
    }

    #[test]
    fn a_row_becomes_json_or_lists_every_problem() {
        let p = plan();
        let row = p
            .row(&strings(&[
                "2026-01-31",
                "west",
                "",
                "no",
                "1",
                "1769860800000",
            ]))
            .unwrap();
        assert_eq!(
            row,
            json!({"time_value": 1_769_817_600_000_i64, "region": "west", "paid": false, "id_value": 1.0, "ts": 1_769_860_800_000_i64})
        );
        let problems = p
            .row(&strings(&["", "x", "lots", "no", "1", "1"]))
            .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["time_value", "amount"]);
        assert!(p.row(&strings(&["a", "b"])).unwrap_err()[0]
            .reason
            .contains("has 2 values"));
    }

    #[test]
    fn excluded_columns_are_neither_defined_nor_sent() {
        let mut p = plan();
        p.columns[4].include = false;
        assert!(!p
            .dataset_input("s", "S", 30)
            .fields
            .iter()
            .any(|f| f.name == "id_value"));
        let row = p
            .row(&strings(&[
                "2026-01-31",
                "w",
                "1",
                "no",
                "not a number",
                "1769860800000",
            ]))
            .unwrap();
        assert!(row.get("id_value").is_none());
    }

    #[test]
    fn changing_types_keeps_roles_and_the_time_field_consistent() {
        let mut p = plan();
        p.set_type(0, FieldType::String);
        assert_eq!(
            p.time_column,
            Some(5),
            "the time field moves to the other time column"
        );
        p.set_type(2, FieldType::String);
        assert_eq!(p.columns[2].role, FieldRole::Dimension);
        p.set_type(5, FieldType::Number);
        assert_eq!(p.time_column, None);
        assert!(p.problem().is_some());
        p.set_time_column(1);
        assert_eq!(
            (p.time_column, p.columns[1].field_type),
            (Some(1), FieldType::Time)
        );
        assert_eq!(p.problem(), None);
    }
}
