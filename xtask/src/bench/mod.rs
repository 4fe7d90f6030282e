//! `cargo xtask bench [--filter NAME] [--quick] [--scale-rows N]`: measures what exists and
//! prints one table.
//!
//! It builds the server (`Profile::Server`), starts it on a free loopback port with the full demo
//! data set (≥ 1M events, rate limiting off so the load tools are not throttled), runs every
//! benchmark whose name contains the filter, and prints benchmark | ours | peer | ratio | goal |
//! pass/miss. The run is a measurement, not a test: it exits 0 whatever the figures (it fails
//! only when it cannot measure at all, e.g. the server does not build). The table and the
//! machine it ran on are written to `target/bench/latest.md`; BENCHMARKS.md explains each row.

mod breakdown;
mod browser;
mod client;
mod cluster;
mod columnar;
mod data;
mod fanout;
mod http_ingest;
mod ingest;
mod live;
mod report;
mod scale;
pub mod size;
mod stats;

use crate::server::{build, scratch_db, start, Profile, RunningServer, StartOptions};
use report::Row;
use std::path::Path;

/// Command-line options.
pub struct Options {
    /// Only benchmarks whose group name contains this run (`data`, `fanout`, `ingest`, `size`,
    /// `browser`, `live`, `cluster-storage`, `cluster-fanout`); `scale` (the data endpoint on a
    /// 10M-row dataset) runs only when named exactly, and `cluster-storage` adds the same
    /// dataset on both storages only when the filter starts with `cluster`, since filling it
    /// takes minutes.
    pub filter: Option<String>,
    /// Fewer iterations and shorter windows; skips rebuilding the SDK package.
    pub quick: bool,
    /// Rows of the large dataset (`scale`, `cluster-storage`): 10,000,000 by default,
    /// 1,000,000 with `--quick`; a multiple of 10,000.
    pub scale_rows: Option<usize>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            filter: None,
            quick: false,
            scale_rows: None,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--filter" => {
                    options.filter = Some(
                        rest.next()
                            .ok_or(
                                "--filter needs a name (data, fanout, ingest, size, browser, live, scale, cluster)",
                            )?
                            .clone(),
                    )
                }
                "--scale-rows" => {
                    let rows = rest
                        .next()
                        .and_then(|n| n.replace('_', "").parse::<usize>().ok())
                        .filter(|n| *n > 0 && n % 10_000 == 0)
                        .ok_or("--scale-rows needs a row count, a multiple of 10,000")?;
                    options.scale_rows = Some(rows);
                }
                other => {
                    return Err(format!(
                        "unknown bench option '{other}' (expected --filter NAME, --quick, --scale-rows N)"
                    ))
                }
            }
        }
        Ok(options)
    }

    fn wants(&self, group: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| group.contains(f))
    }

    /// The large dataset's row count.
    fn scale_rows(&self) -> usize {
        self.scale_rows
            .unwrap_or(if self.quick { 1_000_000 } else { 10_000_000 })
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let options = Options::parse(args)?;
    let started = std::time::Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    // Size first: unless --quick it rebuilds pkg/, which the browser benchmarks then load.
    if options.wants("size") {
        rows.extend(size::run(&options));
    }
    if options.wants("cluster-storage") || options.wants("cluster-fanout") {
        rows.extend(cluster::run(&build(Profile::Server)?, &options));
    }
    if ["data", "fanout", "browser", "live", "ingest"]
        .iter()
        .any(|g| options.wants(g))
        || options.filter.as_deref() == Some("scale")
    {
        rows.extend(server_benchmarks(&options)?);
    }
    let table = report::table(&rows);
    println!("\n{table}");
    let written = report::write_latest(&table, &rows, started.elapsed())?;
    println!("written to {}", written.display());
    Ok(())
}

/// Starts the demo server, runs data, fan-out and the browser benchmarks on it, then restarts the same database with the
/// generator at 10,000 events/s for the ingest benchmark.
fn server_benchmarks(options: &Options) -> Result<Vec<Row>, String> {
    let binary = build(Profile::Server)?;
    // The app's cold load needs the app bundle (served at /app/); --quick reuses an existing one.
    let app_bundle = crate::artifacts::app_dir().join("boot.js");
    if options.wants("browser") && (!options.quick || !app_bundle.exists()) {
        if let Err(e) = crate::artifacts::build_app() {
            println!("warning: the app bundle did not build ({e}); the app cold load will not be measured");
        }
    }
    // One log line per request would make the server (and our echo of its output) compete with
    // the load tools for the same cores; keep warnings and the seed summary.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn,vantage_server::seed=info");
    }
    let db = scratch_db("bench")?;
    let mut rows = Vec::new();
    {
        // The generator at 200 events/s, the rate these figures were always measured with (the
        // demo's own default is now the seeded history's much lower rate). The generator
        // follows the demo's daily pattern (×0.4 at night to ×1.6 in the afternoon, UTC), so
        // the rate asked for is scaled to give 200/s at the time of the run: a run at 14:00
        // otherwise had 3.6× the live events of one at 02:00 in the dashboards' last hour, and
        // every query over it (the cross-filter's on both sides) took twice as long.
        let rate = ingest::generator_rate(200);
        let server = start_server(&binary, &db, &["--events-per-sec", &rate])?;
        if options.wants("data") {
            rows.extend(data::run(&server.url, options));
            rows.extend(columnar::run(&server.url, options));
        }
        if options.wants("fanout") {
            rows.extend(fanout::run(&server.url, options));
        }
        if options.wants("browser") {
            rows.extend(browser::run(options, &server.url));
        }
        if options.wants("live") {
            rows.extend(live::run(options, &server.url));
        }
        if options.wants("ingest") {
            rows.extend(http_ingest::run(&server.url, options));
        }
        // Only when asked for by name: filling 10M rows takes minutes.
        if options.filter.as_deref() == Some("scale") {
            rows.extend(scale::run(&server, options));
        }
    }
    if options.wants("ingest") {
        // Same database (≥ 1M events already stored), so the writes land in full-size indexes.
        // Then, unless --quick, a higher rate shows the headroom above the goal.
        let rates: &[u32] = if options.quick {
            &[10_000]
        } else {
            &[10_000, 100_000]
        };
        for rate in rates {
            // The generator's rate follows the demo's daily pattern: ask for what gives `rate` now.
            let asked = ingest::generator_rate(*rate);
            let server = start_server(&binary, &db, &["--events-per-sec", &asked])?;
            rows.extend(ingest::run(&server.url, options, *rate));
        }
    }
    Ok(rows)
}

fn start_server(binary: &Path, db: &Path, extra: &[&str]) -> Result<RunningServer, String> {
    start_server_on(binary, db, None, extra)
}

/// [`start_server`] on `database_url` (`--database-url`) instead of the SQLite file `db`.
fn start_server_on(
    binary: &Path,
    db: &Path,
    database_url: Option<String>,
    extra: &[&str],
) -> Result<RunningServer, String> {
    let mut extra_args = vec!["--demo".to_owned()];
    extra_args.extend(unthrottled());
    extra_args.extend(extra.iter().map(|s| (*s).to_owned()));
    // `VANTAGE_BENCH_ADDR` pins the port (machines where each user has a port range); the
    // default is any free loopback port.
    let addr = std::env::var("VANTAGE_BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let server = start(StartOptions {
        binary,
        db: db.to_path_buf(),
        database_url,
        addr: &addr,
        extra_args,
    })?;
    // The seeded history is rolled up in the background in the first half minute or so;
    // measure after that, as a server that has been running sees it.
    if !server.wait_for_rollups(std::time::Duration::from_secs(180)) {
        println!("warning: the server did not report its rollups up to date within 180 s");
    }
    Ok(server)
}

/// Server flags that turn off the limits meant for the public (request rate, sign-in attempts,
/// live connections per token and address), so the load tools are not throttled.
fn unthrottled() -> Vec<String> {
    [
        "--rate-limit",
        "0",
        "--signin-per-address",
        "0",
        "--signin-per-account",
        "0",
        "--live-connections-per-token",
        "0",
        "--live-connections-per-address",
        "0",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}
