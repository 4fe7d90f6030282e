//! Client-side export of data already on screen: CSV (RFC 4180) and JSON.
//!
//! CSV cells are quoted when they contain a comma, quote, CR or LF, quotes are doubled, and
//! cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
//! are prefixed with `'` (OWASP's CSV-injection guard) unless they are plain numbers.

use serde_json::{json, Value};
use vantage_contract::result::value_text;
use vantage_contract::QueryResult;

/// CSV options.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Prefix a UTF-8 byte-order mark (helps Excel detect UTF-8).
    pub bom: bool,
}

fn is_number(text: &str) -> bool {
    text.parse::<f64>().is_ok()
}

fn csv_cell(text: &str) -> String {
    let guarded = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_number(text) => format!("'{text}"),
        _ => text.to_owned(),
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// Renders `result` as CSV with a header row; lines end with CRLF as RFC 4180 says.
pub fn to_csv(result: &QueryResult, options: CsvOptions) -> String {
    let mut out = String::new();
    if options.bom {
        out.push('\u{feff}');
    }
    let header: Vec<String> = result.columns.iter().map(|c| csv_cell(&c.name)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in 0..result.row_count() {
        let cells: Vec<String> = result
            .data
            .iter()
            .map(|column| csv_cell(&column.get(row).map(value_text).unwrap_or_default()))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `{ columns: [{name, type}], rows: [[…], …] }` — row-oriented for hosts that want records.
pub fn to_json(result: &QueryResult) -> Value {
    let rows: Vec<Value> = (0..result.row_count())
        .map(|row| {
            Value::Array(
                result
                    .data
                    .iter()
                    .map(|c| c.get(row).cloned().unwrap_or(Value::Null))
                    .collect(),
            )
        })
        .collect();
    json!({ "columns": result.columns, "rows": rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::{Column, ColumnType};

    fn result() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("intent", ColumnType::String),
                Column::new("n", ColumnType::Integer),
            ],
            vec![
                vec![
                    json!("a,b"),
                    json!("say \"hi\"\nbye"),
                    json!("=HYPERLINK(\"x\")"),
                    json!("-3"),
                    json!(null),
                ],
                vec![json!(1), json!(2), json!(3), json!(-4), json!(5)],
            ],
        )
        .unwrap()
    }

    #[test]
    fn csv_quotes_escapes_and_guards_formulas() {
        let csv = to_csv(&result(), CsvOptions::default());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "intent,n");
        assert_eq!(lines[1], "\"a,b\",1");
        assert_eq!(lines[2], "\"say \"\"hi\"\"\nbye\",2");
        assert_eq!(lines[3], "\"'=HYPERLINK(\"\"x\"\")\",3");
        assert_eq!(lines[4], "-3,-4", "negative numbers are not formulas");
        assert_eq!(lines[5], ",5");
        assert!(to_csv(&result(), CsvOptions { bom: true }).starts_with('\u{feff}'));
    }

    #[test]
    fn json_export_is_row_oriented_with_typed_columns() {
        let value = to_json(&result());
        assert_eq!(value["columns"][1], json!({"name": "n", "type": "integer"}));
        assert_eq!(value["rows"][0], json!(["a,b", 1]));
        assert_eq!(value["rows"].as_array().unwrap().len(), 5);
    }
}
