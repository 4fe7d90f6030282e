//! The result table and `target/bench/latest.md` (table + the machine it was measured on).

use crate::util::{output, repo_root};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// What a figure must reach.
#[derive(Clone, Copy)]
pub enum Goal {
    /// Lower is better: pass when ours ≤ this.
    AtMost(f64),
    /// Higher is better: pass when ours ≥ this.
    AtLeast(f64),
    /// Relative to the peer measured in the same run: pass when ours ÷ peer ≤ this.
    RatioAtMost(f64),
    /// Informational row.
    None,
}

/// One row of the table. `ours`/`peer` are `None` when not measured; `note` says why.
pub struct Row {
    pub name: String,
    pub unit: &'static str,
    pub ours: Option<f64>,
    pub peer: Option<f64>,
    pub goal: Goal,
    pub note: String,
}

impl Row {
    pub fn new(name: impl Into<String>, unit: &'static str, goal: Goal) -> Self {
        Self {
            name: name.into(),
            unit,
            ours: None,
            peer: None,
            goal,
            note: String::new(),
        }
    }

    pub fn ours(mut self, value: f64) -> Self {
        self.ours = Some(value);
        self
    }

    pub fn peer(mut self, value: Option<f64>) -> Self {
        self.peer = value;
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// A row for a benchmark that could not run, with the reason.
    pub fn failed(name: impl Into<String>, unit: &'static str, goal: Goal, why: &str) -> Self {
        Self::new(name, unit, goal).note(format!("not measured: {why}"))
    }

    fn verdict(&self) -> &'static str {
        match (self.ours, self.goal) {
            (None, Goal::None) | (None, _) => "not measured",
            (Some(_), Goal::None) => "—",
            (Some(v), Goal::AtMost(g)) if v <= g => "pass",
            (Some(v), Goal::AtLeast(g)) if v >= g => "pass",
            (Some(v), Goal::RatioAtMost(g)) => match self.peer {
                Some(p) if p > 0.0 && v / p <= g => "pass",
                Some(p) if p > 0.0 => "MISS",
                _ => "no peer",
            },
            (Some(_), _) => "MISS",
        }
    }
}

/// Formats a value with its unit, choosing a sensible precision.
pub fn show(value: f64, unit: &str) -> String {
    let number = if value.abs() >= 1000.0 {
        group_thousands(value.round() as i64)
    } else if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn goal_text(goal: Goal, unit: &str) -> String {
    match goal {
        Goal::AtMost(g) => format!("≤ {}", show(g, unit)),
        Goal::AtLeast(g) => format!("≥ {}", show(g, unit)),
        Goal::RatioAtMost(g) => format!("ratio ≤ {g:.2}×"),
        Goal::None => "—".into(),
    }
}

/// The Markdown table printed to the terminal and written to latest.md.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| benchmark | ours | peer | ratio | goal | pass/miss |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for row in rows {
        let ours = row
            .ours
            .map_or_else(|| "not measured".into(), |v| show(v, row.unit));
        let peer = row.peer.map_or_else(|| "—".into(), |v| show(v, row.unit));
        let ratio = match (row.ours, row.peer) {
            (Some(o), Some(p)) if p != 0.0 => format!("{:.2}×", o / p),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.name,
            ours,
            peer,
            ratio,
            goal_text(row.goal, row.unit),
            row.verdict()
        );
    }
    let notes: Vec<&Row> = rows.iter().filter(|r| !r.note.is_empty()).collect();
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for row in notes {
            let _ = writeln!(out, "- {}: {}", row.name, row.note);
        }
    }
    out
}

/// CPU model, core count, memory, OS, Chromium and Node versions, date.
pub fn machine() -> Vec<(&'static str, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or_else(
            || "unknown".into(),
            |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
        );
    let tool = |program: &str, arg: &str| {
        output(Command::new(program).arg(arg)).unwrap_or_else(|| "not installed".into())
    };
    vec![
        ("date (UTC)", tool("date", "-u")),
        ("CPU", cpu),
        ("cores", cores.to_string()),
        ("load average at the end (1/5/15 min)", load_average()),
        ("memory", mem),
        ("kernel", tool("uname", "-sr")),
        ("Chromium", tool("/usr/bin/chromium", "--version")),
        ("Node", tool("node", "--version")),
        ("rustc", tool("rustc", "--version")),
    ]
}

/// Other work on the machine skews every figure; the load average says how busy it was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// Writes `target/bench/latest.md` under the repository root and returns its path.
pub fn write_latest(table: &str, rows: &[Row], took: Duration) -> Result<PathBuf, String> {
    let dir = repo_root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut text = String::from("# cargo xtask bench — latest run\n\n");
    for (key, value) in machine() {
        let _ = writeln!(text, "- {key}: {value}");
    }
    let _ = writeln!(
        text,
        "- run took: {:.0} s, {} rows\n",
        took.as_secs_f64(),
        rows.len()
    );
    text.push_str(table);
    let path = dir.join("latest.md");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
