//! What an import did: rows stored, rows refused (with their CSV line, field and reason) and
//! whether it finished, was cancelled or stopped on an error — and the refusals as a CSV file
//! to download. Also maps the server's `422` row list (indices into a batch) back to CSV lines.

use vantage_contract::BatchErrorDetails;

use vantage_widgets::format;

use super::columns::RowProblem;
use crate::i18n::{trf, I};

/// One refused row's problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based CSV line the row starts on.
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// How the import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Finished,
    /// Cancelled by the person importing; nothing after `last_line` was sent.
    Cancelled,
    /// Stopped by an error the import cannot get past (network, permissions).
    Failed(String),
}

/// The running tally and, once over, the result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    /// Data rows read from the file so far (the header excluded).
    pub rows_read: u64,
    pub rows_stored: u64,
    /// Distinct rows refused.
    pub rows_refused: u64,
    pub refusals: Vec<Refusal>,
    pub bytes_read: u64,
    pub bytes_total: u64,
    /// The last CSV line stored (or refused) so far.
    pub last_line: u64,
}

/// Refusals kept for the summary (the count goes on past it).
pub const MAX_REFUSALS_KEPT: usize = 10_000;

impl Tally {
    /// Records that the row on `line` was refused for `problems`.
    pub fn refuse(&mut self, line: u64, problems: impl IntoIterator<Item = RowProblem>) {
        self.rows_refused += 1;
        self.last_line = self.last_line.max(line);
        for p in problems {
            if self.refusals.len() < MAX_REFUSALS_KEPT {
                self.refusals.push(Refusal {
                    line,
                    field: p.field,
                    reason: p.reason,
                });
            }
        }
    }

    /// Records that a batch was stored (`lines` were its rows' lines).
    pub fn stored(&mut self, lines: &[u64]) {
        self.rows_stored += lines.len() as u64;
        if let Some(last) = lines.iter().max() {
            self.last_line = self.last_line.max(*last);
        }
    }

    /// Progress in percent of bytes read.
    pub fn percent(&self) -> u32 {
        if self.bytes_total == 0 {
            return 0;
        }
        u32::try_from(self.bytes_read.saturating_mul(100) / self.bytes_total)
            .unwrap_or(100)
            .min(100)
    }

    /// The refusals sorted by line, as CSV (`line,column,reason`).
    pub fn refusals_csv(&self) -> String {
        let mut refusals = self.refusals.clone();
        vantage_widgets::sort::sort_by_key(&mut refusals, |r| r.line);
        let mut out = String::from("line,column,reason\n");
        for r in &refusals {
            out.push_str(&format!(
                "{},{},{}\n",
                r.line,
                csv_cell(&r.field),
                csv_cell(&r.reason)
            ));
        }
        out
    }

    /// One sentence saying what happened, in the active language.
    pub fn sentence(&self, ending: &Ending) -> String {
        let stored = stored_rows(self.rows_stored);
        let refused = refused_rows(self.rows_refused);
        let line = self.last_line.to_string();
        match ending {
            Ending::Finished => trf(I::ImportFinished, &[&stored, &refused]),
            Ending::Cancelled => trf(I::ImportCancelled, &[&stored, &line, &refused]),
            Ending::Failed(e) => trf(I::ImportStopped, &[e, &stored, &line, &refused]),
        }
    }
}

/// `1 row stored`, `1,234 rows stored` (grouped the locale's way).
pub fn stored_rows(n: u64) -> String {
    count(n, I::StoredOne, I::StoredMany)
}

/// `1 row refused`, `1,234 rows refused`.
pub fn refused_rows(n: u64) -> String {
    count(n, I::RefusedOne, I::RefusedMany)
}

fn count(n: u64, one: I, many: I) -> String {
    let grouped = format::group(n as f64, 0);
    trf(if n == 1 { one } else { many }, &[&grouped])
}

/// A CSV cell, quoted when needed; a leading `=+-@` is prefixed with `'` so a spreadsheet
/// does not run it as a formula.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The rows of a batch the server refused, as (position in the batch, problems). Positions
/// outside the batch are ignored. Empty when the answer listed no row (the caller must then
/// give up on the batch rather than resend it unchanged).
pub fn refused_positions(
    details: &BatchErrorDetails,
    batch_len: usize,
) -> Vec<(usize, Vec<RowProblem>)> {
    let mut out: Vec<(usize, Vec<RowProblem>)> = Vec::new();
    for e in details.rows.iter().filter(|e| e.index < batch_len) {
        let problem = RowProblem {
            field: e.field.clone(),
            reason: e.reason.clone(),
        };
        match out.iter_mut().find(|(i, _)| *i == e.index) {
            Some((_, problems)) => problems.push(problem),
            None => out.push((e.index, vec![problem])),
        }
    }
    vantage_widgets::sort::sort_by_key(&mut out, |(i, _)| *i);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::RowError;

    fn problem(field: &str, reason: &str) -> RowProblem {
        RowProblem {
            field: field.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn the_summary_csv_is_sorted_quoted_and_formula_safe() {
        let mut t = Tally::default();
        t.refuse(9, [problem("amount", "expected a number, got \"x,y\"")]);
        t.refuse(3, [problem("", "=cmd|' /C calc'!A0")]);
        assert_eq!(
            t.refusals_csv(),
            "line,column,reason\n3,,'=cmd|' /C calc'!A0\n9,amount,\"expected a number, got \"\"x,y\"\"\"\n"
        );
    }

    #[test]
    fn counts_and_sentences_say_exactly_what_was_stored() {
        let mut t = Tally::default();
        t.stored(&[2, 3, 4]);
        t.refuse(5, [problem("a", "x"), problem("b", "y")]);
        assert_eq!((t.rows_stored, t.rows_refused, t.refusals.len()), (3, 1, 2));
        assert_eq!(
            t.sentence(&Ending::Finished),
            "Import finished: 3 rows stored, 1 row refused."
        );
        assert!(t
            .sentence(&Ending::Cancelled)
            .starts_with("Import cancelled: exactly 3 rows stored (through line 5)"));
        assert_eq!(stored_rows(1_234_567), "1,234,567 rows stored");
        assert_eq!(refused_rows(1), "1 row refused");
    }

    #[test]
    fn server_refusals_are_grouped_per_row_and_bounded_to_the_batch() {
        let details = BatchErrorDetails {
            rows: vec![
                RowError {
                    index: 4,
                    field: "ts".into(),
                    reason: "old".into(),
                },
                RowError {
                    index: 1,
                    field: "a".into(),
                    reason: "x".into(),
                },
                RowError {
                    index: 4,
                    field: "b".into(),
                    reason: "y".into(),
                },
                RowError {
                    index: 99,
                    field: "c".into(),
                    reason: "z".into(),
                },
            ],
            more_errors: 0,
            bad_rows: 2,
        };
        let got = refused_positions(&details, 10);
        assert_eq!(
            got.iter().map(|(i, p)| (*i, p.len())).collect::<Vec<_>>(),
            [(1, 1), (4, 2)]
        );
    }

    #[test]
    fn progress_is_a_bounded_percentage() {
        let t = Tally {
            bytes_read: 50,
            bytes_total: 200,
            ..Tally::default()
        };
        assert_eq!(t.percent(), 25);
        assert_eq!(Tally::default().percent(), 0);
    }
}
