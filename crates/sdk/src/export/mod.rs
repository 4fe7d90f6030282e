//! Client-side export of data already on screen, as files: CSV ([`csv`]), JSON and XLSX
//! ([`xlsx`]). Pure: it turns query results into bytes with a MIME type; the embed wraps them
//! in a `Blob`, the app offers them as a download. Chart images come from the chart itself
//! (`vantage_widgets::EChartsHandle::to_png` / `to_svg`).

pub mod csv;
pub mod xlsx;

use std::sync::Arc;

use vantage_contract::QueryResult;

pub use csv::{to_csv, to_json, CsvOptions};

/// MIME type of an XLSX workbook.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A data export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// RFC 4180 CSV; several widgets become `# id` sections.
    Csv,
    /// `{columns, rows}` per widget (an object by widget id for several).
    Json,
    /// One worksheet per widget.
    Xlsx,
}

impl DataFormat {
    /// Parses `"csv" | "json" | "xlsx"`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "csv" => Some(DataFormat::Csv),
            "json" => Some(DataFormat::Json),
            "xlsx" => Some(DataFormat::Xlsx),
            _ => None,
        }
    }
}

/// An exported file: its bytes and MIME type.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// Exports `results` (widget id, data) as one file. `single` keeps one widget's shape (a JSON
/// table rather than an object by id); `bom` prefixes CSV with a UTF-8 byte-order mark.
pub fn export_results(
    results: &[(String, Arc<QueryResult>)],
    format: DataFormat,
    single: bool,
    bom: bool,
) -> ExportFile {
    match format {
        DataFormat::Csv => {
            // The byte-order mark starts the file (before any `# id` section line).
            let mut text = if bom {
                "\u{feff}".to_owned()
            } else {
                String::new()
            };
            for (i, (id, result)) in results.iter().enumerate() {
                if results.len() > 1 {
                    if i > 0 {
                        text.push_str("\r\n");
                    }
                    text.push_str(&format!("# {id}\r\n"));
                }
                text.push_str(&to_csv(result, CsvOptions { bom: false }));
            }
            ExportFile {
                bytes: text.into_bytes(),
                mime: "text/csv;charset=utf-8",
            }
        }
        DataFormat::Json => {
            let value = match results {
                [(_, only)] if single => to_json(only),
                _ => serde_json::Value::Object(
                    results
                        .iter()
                        .map(|(id, r)| (id.clone(), to_json(r)))
                        .collect(),
                ),
            };
            ExportFile {
                bytes: value.to_string().into_bytes(),
                mime: "application/json",
            }
        }
        DataFormat::Xlsx => {
            let sheets: Vec<(&str, &QueryResult)> = results
                .iter()
                .map(|(id, result)| (id.as_str(), result.as_ref()))
                .collect();
            ExportFile {
                bytes: xlsx::workbook(&sheets),
                mime: XLSX_MIME,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    fn table(n: i64) -> Arc<QueryResult> {
        Arc::new(
            QueryResult::new(
                vec![Column::new("n", ColumnType::Integer)],
                vec![vec![json!(n)]],
            )
            .unwrap(),
        )
    }

    #[test]
    fn several_widgets_become_csv_sections_with_one_bom() {
        let file = export_results(
            &[("a".into(), table(1)), ("b".into(), table(2))],
            DataFormat::Csv,
            false,
            true,
        );
        let text = String::from_utf8(file.bytes).unwrap();
        assert_eq!(text, "\u{feff}# a\r\nn\r\n1\r\n\r\n# b\r\nn\r\n2\r\n");
        assert_eq!(file.mime, "text/csv;charset=utf-8");
    }

    #[test]
    fn json_is_one_table_for_a_single_widget_and_an_object_by_id_otherwise() {
        let one = export_results(&[("a".into(), table(1))], DataFormat::Json, true, false);
        let one: serde_json::Value = serde_json::from_slice(&one.bytes).unwrap();
        assert_eq!(one["rows"], json!([[1]]));
        let all = export_results(&[("a".into(), table(1))], DataFormat::Json, false, false);
        let all: serde_json::Value = serde_json::from_slice(&all.bytes).unwrap();
        assert_eq!(all["a"]["rows"], json!([[1]]));
    }

    #[test]
    fn xlsx_is_a_zip_and_formats_parse() {
        let file = export_results(&[("a".into(), table(1))], DataFormat::Xlsx, false, false);
        assert_eq!(&file.bytes[..2], b"PK");
        assert_eq!(file.mime, XLSX_MIME);
        assert_eq!(DataFormat::parse("xlsx"), Some(DataFormat::Xlsx));
        assert_eq!(DataFormat::parse("pdf"), None);
    }
}
