//! XLSX export: a minimal Office Open XML (SpreadsheetML) workbook written by hand.
//!
//! Each exported widget becomes one worksheet. Cells are typed: integer and float columns are
//! numeric cells, timestamp columns (milliseconds since the Unix epoch, UTC) are Excel date serials
//! (days since 1899-12-30) with a `yyyy-mm-dd hh:mm:ss` number format, booleans are boolean cells
//! and everything else is an inline string. Strings are never formulas in OOXML, so no formula
//! guard is needed here (unlike CSV). Sheet names are sanitised to Excel's rules (no
//! `[ ] : * ? / \`, no leading/trailing `'`, 1–31 characters) and made unique case-insensitively.
//!
//! The package is a zip archive; its entries are compressed with DEFLATE by `miniz_oxide` and the
//! zip container (local headers, central directory, CRC-32) is written here.
//!
//! Why not a crate: measured on this machine for `wasm32-unknown-unknown` with the release
//! profile (`opt-level = "z"`, LTO), a probe cdylib that only writes a three-column workbook with
//! `rust_xlsxwriter` 0.102 (`default-features = false, features = ["wasm"]`) is 1,229 KB raw /
//! 298 KB brotli: on its own twice the package's 150 KB budget (its `zip` dependency pulls in both
//! zopfli and zlib-rs). A probe writing a deflated archive with the `zip` crate 9.8
//! (`deflate-flate2` + flate2's `rust_backend`) is 157 KB raw / 62 KB brotli. This module with
//! `miniz_oxide` directly added 31 KB raw / 12 KB brotli to the package (wasm + glue after
//! wasm-opt: 1,231 → 1,263 KB raw, 363.6 → 375.7 KB brotli), most of it miniz_oxide's compressor.
//! The few OOXML parts a data export needs are simple to write correctly, and the unit tests
//! inflate every entry back and check its CRC; the e2e tests open the workbook with openpyxl.
//! (The browser's `CompressionStream("deflate-raw")` could replace miniz_oxide for about 10 KB
//! brotli more, at the cost of an async, browser-only code path.)

use std::fmt::Write as _;

use serde_json::Value;
use vantage_contract::{ColumnType, QueryResult};

/// Excel's sheet-name length limit (characters).
const SHEET_NAME_MAX: usize = 31;
/// Milliseconds per day.
const MS_PER_DAY: f64 = 86_400_000.0;
/// Excel serial of 1970-01-01 in the 1900 date system.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;

/// Builds a workbook with one sheet per `(name, result)`; names are sanitised and made unique.
pub fn workbook(sheets: &[(&str, &QueryResult)]) -> Vec<u8> {
    let names = sheet_names(sheets.iter().map(|(name, _)| *name));
    let mut zip = ZipWriter::default();
    zip.add("[Content_Types].xml", &content_types(sheets.len()));
    zip.add("_rels/.rels", RELS);
    zip.add("docProps/app.xml", APP);
    zip.add("xl/workbook.xml", &workbook_xml(&names));
    zip.add("xl/_rels/workbook.xml.rels", &workbook_rels(sheets.len()));
    zip.add("xl/styles.xml", STYLES);
    for (i, (_, result)) in sheets.iter().enumerate() {
        zip.add(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            &sheet_xml(result),
        );
    }
    zip.finish()
}

/// Excel-valid, unique (case-insensitive) sheet names, ≤ 31 characters each.
pub fn sheet_names<'a>(wanted: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, name) in wanted.enumerate() {
        let cleaned: String = name
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect();
        let cleaned = cleaned.trim().trim_matches('\'').trim();
        let base = if cleaned.is_empty() {
            format!("Sheet{}", i + 1)
        } else {
            cleaned.to_owned()
        };
        let truncate =
            |s: &str, n: usize| s.chars().take(n).collect::<String>().trim_end().to_owned();
        let taken = |candidate: &str| {
            out.iter()
                .any(|n| n.to_lowercase() == candidate.to_lowercase())
        };
        let mut candidate = truncate(&base, SHEET_NAME_MAX);
        let mut n = 2;
        while taken(&candidate) || candidate.eq_ignore_ascii_case("history") {
            let suffix = format!(" ({n})");
            candidate = format!(
                "{}{suffix}",
                truncate(&base, SHEET_NAME_MAX - suffix.chars().count())
            );
            n += 1;
        }
        out.push(candidate);
    }
    out
}

/// `A`, `B`, … `Z`, `AA`, … for a zero-based column index.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Escapes XML text and drops characters XML 1.0 cannot carry.
fn xml_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

fn string_cell(out: &mut String, reference: &str, text: &str, style: u8) {
    let _ = write!(out, "<c r=\"{reference}\" t=\"inlineStr\"");
    if style > 0 {
        let _ = write!(out, " s=\"{style}\"");
    }
    out.push_str("><is><t xml:space=\"preserve\">");
    xml_text(out, text);
    out.push_str("</t></is></c>");
}

fn cell(out: &mut String, reference: &str, kind: ColumnType, value: &Value) {
    match (kind, value) {
        (_, Value::Null) => {}
        (ColumnType::Timestamp, Value::Number(n)) => {
            if let Some(ms) = n.as_f64() {
                let serial = ms / MS_PER_DAY + UNIX_EPOCH_SERIAL;
                let _ = write!(out, "<c r=\"{reference}\" s=\"1\"><v>{serial}</v></c>");
            }
        }
        (_, Value::Number(n)) => {
            let _ = write!(out, "<c r=\"{reference}\"><v>{n}</v></c>");
        }
        (_, Value::Bool(b)) => {
            let _ = write!(
                out,
                "<c r=\"{reference}\" t=\"b\"><v>{}</v></c>",
                u8::from(*b)
            );
        }
        (_, Value::String(s)) => string_cell(out, reference, s, 0),
        (_, other) => string_cell(out, reference, &other.to_string(), 0),
    }
}

fn sheet_xml(result: &QueryResult) -> String {
    let mut out = String::from(XML_HEAD);
    out.push_str(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" \
         activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>",
    );
    let letters: Vec<String> = (0..result.columns.len()).map(column_letters).collect();
    if !result.columns.is_empty() {
        out.push_str("<cols>");
        for (i, column) in result.columns.iter().enumerate() {
            let width = if column.column_type == ColumnType::Timestamp {
                20
            } else {
                (column.name.chars().count() + 2).clamp(10, 40)
            };
            let _ = write!(
                out,
                "<col min=\"{n}\" max=\"{n}\" width=\"{width}\" customWidth=\"1\"/>",
                n = i + 1
            );
        }
        out.push_str("</cols>");
    }
    out.push_str("<sheetData><row r=\"1\">");
    for (column, letter) in result.columns.iter().zip(&letters) {
        string_cell(&mut out, &format!("{letter}1"), &column.name, 2);
    }
    out.push_str("</row>");
    for row in 0..result.row_count() {
        let r = row + 2;
        let _ = write!(out, "<row r=\"{r}\">");
        for ((column, data), letter) in result.columns.iter().zip(&result.data).zip(&letters) {
            if let Some(value) = data.get(row) {
                cell(&mut out, &format!("{letter}{r}"), column.column_type, value);
            }
        }
        out.push_str("</row>");
    }
    out.push_str("</sheetData></worksheet>");
    out
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>vantage-embed</Application></Properties>";

/// Styles: 0 default, 1 date-time (custom format 164), 2 bold header.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\\ hh:mm:ss\"/></numFmts>\
<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>\
<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

fn content_types(sheets: usize) -> String {
    let mut out = String::from(XML_HEAD);
    out.push_str(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
    );
    for i in 1..=sheets {
        let _ = write!(
            out,
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    out.push_str("</Types>");
    out
}

fn workbook_xml(names: &[String]) -> String {
    let mut out = String::from(XML_HEAD);
    out.push_str(
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>",
    );
    for (i, name) in names.iter().enumerate() {
        out.push_str("<sheet name=\"");
        xml_text(&mut out, name);
        let _ = write!(out, "\" sheetId=\"{n}\" r:id=\"rId{n}\"/>", n = i + 1);
    }
    out.push_str("</sheets></workbook>");
    out
}

fn workbook_rels(sheets: usize) -> String {
    let mut out = String::from(XML_HEAD);
    out.push_str(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for i in 1..=sheets {
        let _ = write!(
            out,
            "<Relationship Id=\"rId{i}\" \
             Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" \
             Target=\"worksheets/sheet{i}.xml\"/>"
        );
    }
    let _ = write!(
        out,
        "<Relationship Id=\"rId{}\" \
         Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" \
         Target=\"styles.xml\"/></Relationships>",
        sheets + 1
    );
    out
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as zip requires.
fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    !data.iter().fold(!0u32, |crc, &b| {
        table[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8)
    })
}

/// A zip archive writer for small in-memory entries (no zip64: exports stay far below 4 GB).
#[derive(Default)]
struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// 1980-01-01 00:00 in MS-DOS date/time fields (zip's epoch; exports carry no file times).
const DOS_DATE: u16 = (1 << 5) | 1;
/// General-purpose flag 11: names are UTF-8.
const UTF8_FLAG: u16 = 1 << 11;

impl ZipWriter {
    fn add(&mut self, name: &str, text: &str) {
        let data = text.as_bytes();
        let compressed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let crc = crc32(data);
        let offset = self.out.len() as u32;
        let header = |out: &mut Vec<u8>, central: bool| {
            let put16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
            let put32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
            put32(out, if central { 0x0201_4b50 } else { 0x0403_4b50 });
            if central {
                put16(out, 20); // version made by
            }
            put16(out, 20); // version needed: DEFLATE
            put16(out, UTF8_FLAG);
            put16(out, 8); // method: DEFLATE
            put16(out, 0); // time
            put16(out, DOS_DATE);
            put32(out, crc);
            put32(out, compressed.len() as u32);
            put32(out, data.len() as u32);
            put16(out, name.len() as u16);
            put16(out, 0); // extra field length
            if central {
                put16(out, 0); // comment length
                put16(out, 0); // disk number
                put16(out, 0); // internal attributes
                put32(out, 0); // external attributes
                put32(out, offset);
            }
            out.extend_from_slice(name.as_bytes());
        };
        header(&mut self.out, false);
        self.out.extend_from_slice(&compressed);
        header(&mut self.central, true);
        self.entries += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let offset = self.out.len() as u32;
        let size = self.central.len() as u32;
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&[0, 0, 0, 0]); // disk numbers
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&[0, 0]); // comment length
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::Column;

    fn result() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("ts", ColumnType::Timestamp),
                Column::new("intent", ColumnType::String),
                Column::new("n", ColumnType::Integer),
                Column::new("ok", ColumnType::Boolean),
            ],
            vec![
                vec![json!(0), json!(1_700_000_000_000i64)],
                vec![json!("a<b & \"c\""), json!(null)],
                vec![json!(3), json!(-4.5)],
                vec![json!(true), json!(false)],
            ],
        )
        .unwrap()
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn column_letters_go_past_z() {
        let got: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(got, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn sheet_names_are_sanitised_truncated_and_unique() {
        let names = sheet_names(
            [
                "by/intent?",
                "By_intent_",
                "a very long widget identifier that exceeds the limit",
                "a very long widget identifier that exceeds the limit",
                "'quoted'",
                "",
                "History",
            ]
            .into_iter(),
        );
        assert_eq!(names[0], "by_intent_");
        assert_eq!(names[1], "By_intent_ (2)");
        assert_eq!(names[2], "a very long widget identifier t");
        assert_eq!(names[3], "a very long widget identifi (2)");
        assert_eq!(names[4], "quoted");
        assert_eq!(names[5], "Sheet6");
        assert_eq!(names[6], "History (2)");
        assert!(names.iter().all(|n| n.chars().count() <= 31));
    }

    #[test]
    fn cells_are_typed() {
        let xml = sheet_xml(&result());
        assert!(
            xml.contains("<c r=\"A2\" s=\"1\"><v>25569</v></c>"),
            "{xml}"
        );
        // 2023-11-14T22:13:20Z
        assert!(xml.contains("<c r=\"A3\" s=\"1\"><v>45244.92592592593</v></c>"));
        assert!(xml.contains("<t xml:space=\"preserve\">a&lt;b &amp; &quot;c&quot;</t>"));
        assert!(!xml.contains("r=\"B3\""), "nulls are empty cells");
        assert!(xml.contains("<c r=\"C3\"><v>-4.5</v></c>"));
        assert!(xml.contains("<c r=\"D2\" t=\"b\"><v>1</v></c>"));
        assert!(xml.contains("<c r=\"A1\" t=\"inlineStr\" s=\"2\">"));
    }

    #[test]
    fn the_archive_has_every_part_and_inflates_back() {
        let bytes = workbook(&[("one", &result()), ("two", &result())]);
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        let eocd = bytes.len() - 22;
        assert_eq!(&bytes[eocd..eocd + 4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([bytes[eocd + 10], bytes[eocd + 11]]), 8);
        // Walk the local headers and inflate each entry.
        let mut at = 0;
        let mut names = Vec::new();
        while bytes[at..at + 4] == *b"PK\x03\x04" {
            let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
            let u32_at =
                |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
            let (crc, size, raw) = (u32_at(at + 14), u32_at(at + 18) as usize, u32_at(at + 22));
            let name_len = u16_at(at + 26);
            let name = std::str::from_utf8(&bytes[at + 30..at + 30 + name_len]).unwrap();
            let start = at + 30 + name_len;
            let data =
                miniz_oxide::inflate::decompress_to_vec(&bytes[start..start + size]).unwrap();
            assert_eq!(data.len(), raw as usize);
            assert_eq!(crc32(&data), crc, "{name}");
            names.push(name.to_owned());
            at = start + size;
        }
        assert!(names.contains(&"xl/worksheets/sheet2.xml".to_owned()));
        assert!(names.contains(&"[Content_Types].xml".to_owned()));
        assert_eq!(names.len(), 8);
    }
}
