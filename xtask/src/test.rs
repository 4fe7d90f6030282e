//! `cargo xtask test`: everything CI checks, in one command.
//!
//! Steps run in order and each failure is recorded rather than aborting, so one run shows every
//! problem; the exit code is non-zero if any step failed and the last line is a summary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::artifacts::{build_app, build_sdk};
use crate::server::{self, Profile, StartOptions};
use crate::util::{cargo, describe, repo_root};

struct Outcome {
    name: &'static str,
    result: Result<String, String>,
    seconds: f64,
}

pub fn run(args: &[String]) -> Result<(), String> {
    // `--only TEXT[,TEXT…]` runs just the steps whose names contain a TEXT (for working on a suite;
    // the servers the steps share still start, and a step uses what earlier steps last built:
    // the packages, the app, the example hosts). CI runs every step.
    let only = match args {
        [] => None,
        [flag, text] if flag == "--only" => Some(text.as_str()),
        [arg, ..] => return Err(format!("unknown test option '{arg}' (try --only TEXT)")),
    };
    crate::setup::run()?;
    let mut outcomes = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<String, String>| {
        if only.is_some_and(|texts| !texts.split(',').any(|text| name.contains(text.trim()))) {
            return;
        }
        println!("\n==> {name}");
        let started = Instant::now();
        let result = f();
        if let Err(e) = &result {
            eprintln!("==> {name} FAILED: {e}");
        }
        outcomes.push(Outcome {
            name,
            result,
            seconds: started.elapsed().as_secs_f64(),
        });
    };

    step("format", &mut || cargo_ok(&["fmt", "--all", "--check"]));
    step("clippy (native)", &mut || {
        cargo_ok(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    });
    step("clippy (wasm32)", &mut || {
        cargo_ok(&[
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "vantage-contract",
            "-p",
            "vantage-widgets",
            "-p",
            "vantage-sdk",
            "-p",
            "vantage-app",
            "-p",
            "vantage-wasm-tests",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    });
    step("native tests", &mut || cargo_ok(&["test", "--workspace"]));

    step("browser packages (SDK package and app, split)", &mut || {
        build_sdk()?;
        build_app()?;
        Ok(String::new())
    });
    step("size guards (wasm-opt ran; brotli totals)", &mut || {
        crate::bench::size::check_budgets()
    });
    step(
        "npm package (npm pack, publint, attw) + Vite, React and Vue host examples (tsc + vite build)",
        &mut vite_example,
    );

    // The wasm test page is served by wasm-bindgen-test-runner on its own loopback port; the
    // server must accept that origin (CORS) like any allowed embed host.
    let runner_addr = free_loopback_addr()?;
    let server_binary = server::build(Profile::Dev);
    let server = server_binary
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|binary| {
            server::start(StartOptions {
                binary,
                db: server::scratch_db("test")?,
                database_url: None,
                addr: "127.0.0.1:0",
                extra_args: vec![
                    "--demo".into(),
                    "--demo-days".into(),
                    "3".into(),
                    "--demo-events".into(),
                    "60000".into(),
                    // Browser tests wait for live updates: a fast generator, not the history's
                    // believable rate (the demo's default).
                    "--events-per-sec".into(),
                    "200".into(),
                    "--demo-origin".into(),
                    format!("http://{runner_addr}"),
                    // The webhooks e2e test receives deliveries on a loopback port.
                    "--allow-local-webhooks".into(),
                ],
            })
        });
    let base_url = server.as_ref().map(|s| s.url.clone()).map_err(Clone::clone);
    // A second server the browser tests crash and restart (same port, same database), with
    // short-lived access tokens so token renewal happens within a test.
    let restartable = server_binary
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|binary| {
            server::RestartableServer::start(StartOptions {
                binary,
                db: server::scratch_db("test-restartable")?,
                database_url: None,
                addr: "127.0.0.1:0",
                extra_args: vec![
                    "--demo".into(),
                    "--demo-days".into(),
                    "1".into(),
                    "--demo-events".into(),
                    "5000".into(),
                    "--events-per-sec".into(),
                    "200".into(),
                    "--access-token-ttl".into(),
                    RESTARTABLE_TOKEN_TTL_SECS.to_string(),
                    "--demo-origin".into(),
                    format!("http://{runner_addr}"),
                ],
            })
        });
    if let Err(e) = &restartable {
        eprintln!("the restartable server did not start: {e}");
    }

    step("conformance (reference server)", &mut || match &base_url {
        Ok(url) => crate::report_conformance(url),
        Err(e) => Err(format!("the reference server did not start: {e}")),
    });
    // The same suite through the local cluster (HAProxy, two replicas of the same build on one
    // PostgreSQL database, Redis live bus); the failover browser test below uses it too.
    let cluster = server_binary
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|binary| {
            crate::cluster::start(crate::cluster::ClusterOptions {
                binary,
                addr: "127.0.0.1:0".into(),
                server_args: ["--demo-days", "3", "--demo-events", "60000"]
                    .map(String::from)
                    .to_vec(),
            })
        });
    step(
        "conformance (cluster: HAProxy, 2 replicas, PostgreSQL, Redis)",
        &mut || match &cluster {
            Ok(c) => crate::report_conformance(&c.url),
            Err(e) => Err(format!("the cluster did not start: {e}")),
        },
    );
    step(
        "OpenAPI fuzzing (schemathesis)",
        &mut || match &server_binary {
            Ok(binary) => crate::fuzz::run_against_fresh_server(binary),
            Err(e) => Err(format!("the reference server did not build: {e}")),
        },
    );
    step("wasm tests (headless Chromium)", &mut || {
        wasm_tests(
            base_url.as_deref().ok(),
            restartable.as_ref().ok(),
            &runner_addr,
        )
    });
    step(
        "end-to-end (Playwright + Chromium)",
        &mut || match &base_url {
            Ok(url) => end_to_end(url, server_binary.as_deref().ok(), cluster.as_ref().ok()),
            Err(e) => Err(format!("the reference server did not start: {e}")),
        },
    );
    drop(cluster);
    drop(restartable);
    drop(server);
    // Chromium's profiles and scoped folders (some outlive a killed browser) go here, not /tmp.
    let _ = std::fs::remove_dir_all(browser_tmpdir_path());

    summarise(&outcomes)
}

/// The temporary folder the browser tests' Chromium (launched by Playwright or chromedriver)
/// gets as `TMPDIR`: its profiles and scoped folders land there and the test run removes it.
fn browser_tmpdir_path() -> PathBuf {
    crate::util::target_dir()
        .join("tmp")
        .join(format!("chromium-{}", std::process::id()))
}

/// [`browser_tmpdir_path`], created.
fn browser_tmpdir() -> Result<PathBuf, String> {
    let dir = browser_tmpdir_path();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// A loopback address with a port that was free a moment ago.
fn free_loopback_addr() -> Result<String, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok(addr.to_string())
}

fn cargo_ok(args: &[&str]) -> Result<String, String> {
    crate::util::run(cargo().args(args)).map(|()| String::new())
}

/// Access-token lifetime on the restartable server: short enough that tests see renewals.
const RESTARTABLE_TOKEN_TTL_SECS: u32 = 5;

/// Runs tests/wasm in headless Chromium and reports how many tests ran.
///
/// URLs reach the tests at build time: `VANTAGE_TEST_BASE_URL` (the reference server),
/// `VANTAGE_TEST_RESTARTABLE_URL` and `VANTAGE_TEST_RESTART_CONTROL_URL` (the server the tests
/// crash and restart, and its control endpoint), `VANTAGE_TEST_TOKEN_TTL_SECS`.
fn wasm_tests(
    base_url: Option<&str>,
    restartable: Option<&server::RestartableServer>,
    runner_addr: &str,
) -> Result<String, String> {
    let browser_tmp = browser_tmpdir()?;
    let command = |selection: &[&str]| {
        let mut command = cargo();
        command
            .args([
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "vantage-wasm-tests",
            ])
            .args(selection)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("TMPDIR", &browser_tmp)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
            .env("WASM_BINDGEN_TEST_ADDRESS", runner_addr)
            .env("WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION", "1")
            .env("VANTAGE_TEST_BASE_URL", base_url.unwrap_or(""))
            .env(
                "VANTAGE_TEST_RESTARTABLE_URL",
                restartable.map_or("", |r| r.url.as_str()),
            )
            .env(
                "VANTAGE_TEST_RESTART_CONTROL_URL",
                restartable.map_or("", |r| r.control_url.as_str()),
            )
            .env(
                "VANTAGE_TEST_TOKEN_TTL_SECS",
                RESTARTABLE_TOKEN_TTL_SECS.to_string(),
            )
            .stdout(Stdio::piped());
        command
    };
    // Every test file is its own binary: run them all, so one run lists every failure.
    let (counts, failed) = match run_counting(&mut command(&["--no-fail-fast"])) {
        Ok(counts) => (counts, Vec::new()),
        Err(failure) => {
            let retried = retry_failed(&failure.failures.failed, &command);
            if !retried {
                return Err(failure.message);
            }
            println!("==> wasm tests: every failed test passed when run again (flaky)");
            (Counts::default(), failure.failures.failed)
        }
    };
    if counts.passed == 0 && failed.is_empty() {
        return Err("no browser tests ran".into());
    }
    if failed.is_empty() {
        Ok(format!(
            "{} browser tests passed in Chromium",
            counts.passed
        ))
    } else {
        Ok(format!(
            "browser tests passed in Chromium; FLAKY (failed, then passed when run again): {}",
            failed.join(", ")
        ))
    }
}

/// The most failed tests run again before a failure counts: more than this is a breakage,
/// not a flaky test.
const MAX_RETRIED: usize = 2;

/// Runs each of `failed` once more on its own (its name as the filter, in every test file: cargo
/// prints which file is running on stderr, which is not read here). True when there were at
/// most [`MAX_RETRIED`] and every one passed.
fn retry_failed(failed: &[String], command: &dyn Fn(&[&str]) -> Command) -> bool {
    if failed.is_empty() || failed.len() > MAX_RETRIED {
        return false;
    }
    failed.iter().all(|name| {
        println!("==> running {name} again");
        run_counting(&mut command(&["--no-fail-fast", "--", name]))
            .is_ok_and(|counts| counts.passed > 0)
    })
}

/// The host examples in www/examples the e2e tests open (built into each one's `dist/`), with
/// the type checker each one runs.
const EXAMPLES: [(&str, &str); 3] = [
    ("vite-host", "node_modules/typescript/bin/tsc"),
    ("react-host", "node_modules/typescript/bin/tsc"),
    ("vue-host", "node_modules/vue-tsc/bin/vue-tsc.js"),
];

/// Packs the published package (`npm pack` of `<target>/npm-package`, built beside `pkg/`
/// without the development entry points), lints the tarball (publint, arethetypeswrong), installs it into
/// each of www/examples' hosts (a real install of the tarball, never a symlink; `--no-save`, as
/// the tarball changes with every build) and type-checks and bundles them. The e2e tests then
/// open the bundles.
fn vite_example() -> Result<String, String> {
    let tarball = crate::artifacts::npm::pack(&crate::artifacts::npm_package_dir())?;
    crate::artifacts::npm::lint(&tarball)?;
    for (name, type_checker) in EXAMPLES {
        build_example(
            &repo_root().join("www/examples").join(name),
            type_checker,
            &tarball,
        )?;
    }
    Ok("types check; bundles in www/examples/{vite,react,vue}-host/dist".into())
}

fn build_example(dir: &Path, type_checker: &str, tarball: &Path) -> Result<(), String> {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.package-lock.json");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = modified(&stamp).is_some_and(|s| modified(&lock).is_some_and(|l| s >= l));
    if !fresh {
        // `npm install` (it follows the lock file) rather than `npm ci`: the lock records rollup's
        // platform-specific optional packages only for the platform that wrote it, which
        // `npm ci` rejects as out of sync.
        crate::util::run(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund"])
                .current_dir(dir),
        )?;
    }
    crate::util::run(
        Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .arg(tarball)
            .current_dir(dir),
    )?;
    crate::util::run(
        Command::new("node")
            .args([type_checker, "--noEmit", "-p", "."])
            .current_dir(dir),
    )?;
    crate::util::run(
        Command::new("node")
            .args([
                "node_modules/vite/bin/vite.js",
                "build",
                "--logLevel",
                "warn",
            ])
            .current_dir(dir),
    )
}

/// Runs the browser end-to-end tests in www/e2e (node:test + playwright-core + Debian Chromium).
/// Tests that need a server of their own (onboarding starts one without `--demo`) get its
/// binary and the folders it serves in `VANTAGE_E2E_*`. The failover test (cluster.test.mjs)
/// gets the cluster's URL and its replicas' pids (`VANTAGE_CLUSTER_URL`,
/// `VANTAGE_CLUSTER_REPLICAS=replica1=<pid>,replica2=<pid>`, HAProxy's server names); it kills one.
fn end_to_end(
    base_url: &str,
    server_binary: Option<&Path>,
    cluster: Option<&crate::cluster::Cluster>,
) -> Result<String, String> {
    let artifacts = crate::util::target_dir().join("test-artifacts");
    let browser_tmp = browser_tmpdir()?;
    let command = |files: &[&str], name_pattern: Option<&str>| {
        let mut command = Command::new("node");
        command.current_dir(repo_root().join("www")).args([
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
        ]);
        if let Some(pattern) = name_pattern {
            command.arg(format!("--test-name-pattern={pattern}"));
        }
        command
            .args(files)
            .env("VANTAGE_BASE_URL", base_url)
            .env("TMPDIR", &browser_tmp)
            .env("VANTAGE_ARTIFACTS", &artifacts)
            .env("VANTAGE_E2E_APP_DIR", crate::artifacts::app_dir())
            .env("VANTAGE_E2E_PKG_DIR", crate::artifacts::pkg_dir())
            .env("VANTAGE_E2E_ECHARTS_DIR", crate::artifacts::echarts_dir())
            .stdout(Stdio::piped());
        if let Some(binary) = server_binary {
            command.env("VANTAGE_E2E_SERVER_BIN", binary);
        }
        if let Some(cluster) = cluster {
            let replicas: Vec<String> = cluster
                .pids()
                .iter()
                .enumerate()
                .map(|(i, pid)| format!("replica{}={pid}", i + 1))
                .collect();
            command
                .env("VANTAGE_CLUSTER_URL", &cluster.url)
                .env("VANTAGE_CLUSTER_REPLICAS", replicas.join(","));
        }
        command
    };
    let screenshots = format!("screenshots in {}", artifacts.display());
    let failed = match run_node_tests(&mut command(&["e2e/"], None)) {
        Ok(()) => return Ok(screenshots),
        Err(failed) => failed,
    };
    // A flaky test (the machine is noisy) runs once more on its own; a real breakage fails
    // again, and more than a couple of failures is a breakage, not flakiness.
    let retry = |f: &NodeFailure| {
        println!("==> running \"{}\" ({}) again", f.name, f.file);
        run_node_tests(&mut command(&[&f.file], Some(&exact_pattern(&f.name)))).is_ok()
    };
    let describe_all = |failed: &[NodeFailure]| {
        failed
            .iter()
            .map(NodeFailure::describe)
            .collect::<Vec<_>>()
            .join("; ")
    };
    if failed.is_empty() || failed.len() > MAX_RETRIED || !failed.iter().all(retry) {
        return Err(format!(
            "`node --test e2e/` failed; {}",
            if failed.is_empty() {
                "no failing test named (see the log)".to_owned()
            } else {
                describe_all(&failed)
            }
        ));
    }
    println!("==> end-to-end: every failed test passed when run again (flaky)");
    Ok(format!(
        "{screenshots}; FLAKY (failed, then passed when run again): {}",
        describe_all(&failed)
    ))
}

/// A regular expression matching exactly `name` (node's `--test-name-pattern`).
fn exact_pattern(name: &str) -> String {
    let mut pattern = String::from("^");
    for c in name.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('$');
    pattern
}

/// Runs a node:test command (spec reporter on stdout), streaming its output; on failure, the
/// failing tests its summary lists.
fn run_node_tests(command: &mut Command) -> Result<(), Vec<NodeFailure>> {
    let shown = describe(command);
    println!("$ {shown}");
    let mut child = command.spawn().map_err(|e| {
        println!("cannot start `{shown}`: {e}");
        Vec::new()
    })?;
    let mut reader = NodeFailures::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            reader.read(&line);
        }
    }
    match child.wait() {
        Ok(status) if status.success() => Ok(()),
        _ => Err(reader.failed),
    }
}

/// One failed node:test test: its file, its name and the first line of its error.
#[derive(Debug, PartialEq)]
struct NodeFailure {
    file: String,
    name: String,
    error: String,
}

impl NodeFailure {
    fn describe(&self) -> String {
        let error: String = self.error.chars().take(300).collect();
        format!("{} ({}): {error}", self.name, self.file)
    }
}

/// Reads the spec reporter's closing "failing tests:" section: `test at FILE:LINE:COL`, then
/// `✖ NAME (DURATION)`, then the error, whose first non-empty line and first stack line in the
/// test file are kept.
#[derive(Default)]
struct NodeFailures {
    in_summary: bool,
    failed: Vec<NodeFailure>,
    /// The failure being read has its error's first line (and its location, when found).
    located: bool,
}

impl NodeFailures {
    fn read(&mut self, line: &str) {
        let trimmed = line.trim();
        if trimmed.ends_with("failing tests:") {
            self.in_summary = true;
            return;
        }
        if !self.in_summary || trimmed.is_empty() {
            return;
        }
        if let Some(at) = trimmed.strip_prefix("test at ") {
            // FILE:LINE:COL, the file relative to the working folder.
            let file = at.rsplitn(3, ':').nth(2).unwrap_or(at);
            self.failed.push(NodeFailure {
                file: file.to_owned(),
                name: String::new(),
                error: String::new(),
            });
            self.located = false;
            return;
        }
        let Some(current) = self.failed.last_mut() else {
            return;
        };
        if current.name.is_empty() {
            let name = trimmed.trim_start_matches('\u{2716}').trim();
            // Drop the duration in brackets the reporter appends.
            let name = match name.rfind(" (") {
                Some(i) if name.ends_with("ms)") || name.ends_with("s)") => &name[..i],
                _ => name,
            };
            current.name = name.to_owned();
        } else if current.error.is_empty() {
            current.error = trimmed.to_owned();
        } else if !self.located && trimmed.starts_with("at ") {
            let file_name = current.file.rsplit('/').next().unwrap_or(&current.file);
            if trimmed.contains(file_name) {
                let place = trimmed
                    .rsplit('/')
                    .next()
                    .unwrap_or(trimmed)
                    .trim_end_matches(')');
                current.error = format!("{} [at {place}]", current.error);
                self.located = true;
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    passed: usize,
}

/// A test command that failed: what to report, and what its output said of the failures.
struct Failed {
    message: String,
    failures: Failures,
}

/// Runs a test command, streaming its output, and sums the `N passed` counts it prints. On
/// failure the message names the failed tests and quotes the first panic, so the one-line
/// summary (often all a CI log keeps) says what broke.
fn run_counting(command: &mut Command) -> Result<Counts, Failed> {
    let shown = describe(command);
    println!("$ {shown}");
    let mut child = command.spawn().map_err(|e| Failed {
        message: format!("cannot start `{shown}`: {e}"),
        failures: Failures::default(),
    })?;
    let mut counts = Counts::default();
    let mut failures = Failures::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("test result: ") {
                counts.passed += number_before(rest, " passed").unwrap_or(0);
            }
            failures.read(&line);
        }
    }
    let status = child.wait().map_err(|e| Failed {
        message: e.to_string(),
        failures: Failures::default(),
    })?;
    if status.success() {
        Ok(counts)
    } else {
        Err(Failed {
            message: format!("`{shown}` failed ({status}){}", failures.describe()),
            failures,
        })
    }
}

/// What a libtest or wasm-bindgen-test run printed about its failures.
#[derive(Default)]
struct Failures {
    /// The failed tests' names.
    failed: Vec<String>,
    /// The first panic's location and message lines.
    panic: Vec<String>,
    /// Lines of the first panic still to take.
    taking: usize,
    /// Inside wasm-bindgen-test-runner's report of a test that never finished ("Failed to detect
    /// test as having been run"): the last test its console shows invoked, which is the one.
    hung: Option<Option<String>>,
}

impl Failures {
    const PANIC_LINES: usize = 4;

    fn read(&mut self, line: &str) {
        let trimmed = line.trim();
        // A test that hung until the runner's timeout prints no "... FAILED" line; it is named
        // so that it is run again like any failed test.
        if trimmed.starts_with("Failed to detect test as having been run") {
            self.hung = Some(None);
        }
        if let Some(invoked) = &mut self.hung {
            if let Some(name) = trimmed.strip_prefix("Invoking test: ") {
                *invoked = Some(name.to_owned());
            }
            if trimmed.starts_with("driver status:") {
                if let Some(Some(name)) = self.hung.take() {
                    self.failed.push(name);
                }
            }
        }
        if self.taking > 0 {
            if trimmed.is_empty() || trimmed.starts_with("----") {
                self.taking = 0;
            } else {
                self.panic.push(trimmed.to_owned());
                self.taking -= 1;
            }
        }
        if let Some(name) = trimmed.strip_prefix("test ").and_then(|rest| {
            rest.strip_suffix(" ... FAILED")
                .or(rest.strip_suffix(" ... FAIL"))
        }) {
            self.failed.push(name.to_owned());
        }
        if self.panic.is_empty() && trimmed.contains("panicked at") {
            self.panic.push(trimmed.to_owned());
            self.taking = Self::PANIC_LINES - 1;
        }
    }

    fn describe(&self) -> String {
        let mut text = String::new();
        if !self.failed.is_empty() {
            text.push_str(&format!("; failed: {}", self.failed.join(", ")));
        }
        if !self.panic.is_empty() {
            let quoted: String = self.panic.join(" ").chars().take(600).collect();
            text.push_str(&format!("; first panic: {quoted}"));
        }
        text
    }
}

fn number_before(text: &str, marker: &str) -> Option<usize> {
    let end = text.find(marker)?;
    text[..end]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn summarise(outcomes: &[Outcome]) -> Result<(), String> {
    println!("\n==> summary ({})", repo_root().display());
    for outcome in outcomes {
        let (mark, note) = match &outcome.result {
            Ok(note) => ("ok  ", note.as_str()),
            Err(e) => ("FAIL", e.as_str()),
        };
        println!(
            "  {mark} {:<34} {:>7.1}s  {note}",
            outcome.name, outcome.seconds
        );
    }
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let total = outcomes.len();
    if failed == 0 {
        println!("xtask test: all {total} steps passed");
        Ok(())
    } else {
        println!("xtask test: {failed} of {total} steps FAILED");
        Err(format!("{failed} of {total} test steps failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::number_before;

    /// What [`super::Failures`] makes of `lines`, read in order.
    fn read_all(lines: &[&str]) -> super::Failures {
        let mut failures = super::Failures::default();
        for line in lines {
            failures.read(line);
        }
        failures
    }

    #[test]
    fn names_a_test_that_hung_until_the_runners_timeout() {
        let failures = read_all(&[
            "test mount_gallery_mounts_and_unmounts ... ok",
            "Failed to detect test as having been run. It might have timed out.",
            "console output:",
            "    using deprecated parameters for the initialization function",
            "    Invoking test: mount_gallery_mounts_and_unmounts",
            "    Invoking test: gallery_renders_every_widget_in_light_and_dark",
            "driver status: signal: 9 (SIGKILL)",
            "    Invoking test: not_part_of_the_report",
        ]);
        assert_eq!(
            failures.failed,
            ["gallery_renders_every_widget_in_light_and_dark"]
        );
    }

    #[test]
    fn names_failed_tests_and_quotes_the_first_panic() {
        let failures = read_all(&[
            "test tests::columns ... FAILED",
            "test sdk_restart::resumes ... FAIL",
            "test widgets_view::draws ... ok",
            "---- sdk_restart::resumes output ----",
            "    error output:",
            "        panicked at tests/wasm/tests/sdk_restart.rs:40:9:",
            "        no frame after the restart",
            "",
            "        panicked at elsewhere.rs:1:1:",
        ]);
        assert_eq!(
            failures.describe(),
            "; failed: tests::columns, sdk_restart::resumes; first panic: \
             panicked at tests/wasm/tests/sdk_restart.rs:40:9: no frame after the restart"
        );
        assert_eq!(super::Failures::default().describe(), "");
    }

    #[test]
    fn names_failed_node_tests_with_their_error_and_place() {
        let mut reader = super::NodeFailures::default();
        for line in [
            "\u{2716} builds (with) [brackets] (1.3ms)",
            "  AssertionError [ERR_ASSERTION]: not the summary",
            "\u{2139} fail 2",
            "",
            "\u{2716} failing tests:",
            "",
            "test at e2e/builder.test.mjs:46:1",
            "\u{2716} builds (with) [brackets] (1.3ms)",
            "  AssertionError [ERR_ASSERTION]: The input did not match /Column 5/. Input:",
            "  ",
            "  'Column 4, row 1'",
            "      at TestContext.<anonymous> (file:///w/www/e2e/builder.test.mjs:77:3)",
            "      at Test.run (node:internal/test_runner/test:796:25)",
            "test at e2e/app.test.mjs:9:1",
            "\u{2716} signs in (12s)",
            "  Error: timeout",
        ] {
            reader.read(line);
        }
        let described: Vec<String> = reader.failed.iter().map(|f| f.describe()).collect();
        assert_eq!(
            described,
            [
                "builds (with) [brackets] (e2e/builder.test.mjs): AssertionError [ERR_ASSERTION]: \
                 The input did not match /Column 5/. Input: [at builder.test.mjs:77:3]",
                "signs in (e2e/app.test.mjs): Error: timeout",
            ]
        );
        assert_eq!(
            super::exact_pattern("builds (with) [brackets]"),
            "^builds \\(with\\) \\[brackets\\]$"
        );
    }

    #[test]
    fn reads_passed_counts_from_libtest_summaries() {
        assert_eq!(
            number_before("ok. 12 passed; 0 failed; 0 ignored", " passed"),
            Some(12)
        );
        assert_eq!(
            number_before("FAILED. 0 passed; 1 failed;", " passed"),
            Some(0)
        );
        assert_eq!(number_before("nothing here", " passed"), None);
    }
}
