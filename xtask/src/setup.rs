//! `cargo xtask setup`: installs every tool the project needs, only where it is missing.
//!
//! Everything comes from the registries this project's machines can reach: rustup for the wasm
//! target, Debian for Chromium/ChromeDriver/binaryen/Redis/HAProxy/PostgreSQL, crates.io for wasm-bindgen-cli, npm
//! for ECharts and the browser test tools, PyPI (pip) for openpyxl, which the
//! end-to-end tests use to read XLSX exports, and schemathesis, which fuzzes the API from
//! `openapi.json`. Nothing downloads browsers or binaries.

use std::fs;
use std::process::Command;
use std::time::SystemTime;

use crate::util::{cargo, on_path, output, repo_root, run as exec};

/// `(Debian package, a file it installs)`: installed where the file is missing. Redis,
/// HAProxy and PostgreSQL 15 run the local cluster (`cargo xtask cluster`) and its tests (the
/// system service is not used: the cluster and tests run their own `pg_ctl`).
const APT_PACKAGES: [(&str, &str); 6] = [
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("binaryen", "/usr/bin/wasm-opt"),
    ("redis-server", "/usr/bin/redis-server"),
    ("haproxy", "/usr/sbin/haproxy"),
    ("postgresql", "/usr/lib/postgresql/15/bin/initdb"),
];

/// Runs every setup step and prints what it installed.
pub fn run() -> Result<(), String> {
    let mut installed = Vec::new();
    wasm_target(&mut installed)?;
    apt_packages(&mut installed)?;
    wasm_bindgen_cli(&mut installed)?;
    npm_packages(&mut installed)?;
    python_packages(&mut installed)?;
    if installed.is_empty() {
        println!("setup: everything is present");
    } else {
        println!("setup: installed {}", installed.join(", "));
    }
    Ok(())
}

fn wasm_target(installed: &mut Vec<String>) -> Result<(), String> {
    let targets = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or("`rustup target list --installed` failed: is rustup installed?")?;
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        exec(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
            .map_err(|e| format!("could not add the wasm32 target: {e}"))?;
        installed.push("rust target wasm32-unknown-unknown".into());
    }
    Ok(())
}

fn apt_packages(installed: &mut Vec<String>) -> Result<(), String> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(_, binary)| !std::path::Path::new(binary).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let as_root = output(Command::new("id").arg("-u")).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut command = if as_root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    exec(&mut apt(&["update", "-q"])).map_err(|e| {
        format!("apt-get update failed ({e}); Debian packages {missing:?} are needed")
    })?;
    let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
    install.args(&missing);
    exec(&mut install)
        .map_err(|e| format!("could not install Debian packages {missing:?}: {e}"))?;
    installed.extend(missing.iter().map(|p| format!("apt:{p}")));
    Ok(())
}

/// The `wasm-bindgen` version Cargo.lock resolves; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = fs::read_to_string(repo_root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn wasm_bindgen_cli(installed: &mut Vec<String>) -> Result<(), String> {
    let wanted = locked_wasm_bindgen_version()?;
    let current = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner_ok = on_path("wasm-bindgen-test-runner");
    if current.split_whitespace().nth(1) == Some(wanted.as_str()) && runner_ok {
        return Ok(());
    }
    // No --locked: the registry mirror lacks a crate pinned by the CLI's own lock file.
    exec(cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--force",
        "--version",
        &wanted,
    ]))
    .map_err(|e| format!("could not install wasm-bindgen-cli {wanted}: {e}"))?;
    installed.push(format!("wasm-bindgen-cli {wanted}"));
    Ok(())
}

fn npm_packages(installed: &mut Vec<String>) -> Result<(), String> {
    let www = repo_root().join("www");
    let lock = www.join("package-lock.json");
    let stamp = www.join("node_modules/.package-lock.json");
    if modified(&stamp).is_some_and(|s| modified(&lock).is_some_and(|l| s >= l)) {
        return Ok(());
    }
    exec(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&www)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
    .map_err(|e| format!("npm ci in www/ failed: {e}"))?;
    installed.push("npm packages (www/)".into());
    Ok(())
}

/// Python tools, each pinned: openpyxl (the end-to-end tests open the SDK's XLSX export with
/// it, a standard reader) and schemathesis (the OpenAPI fuzz step, `xtask/src/fuzz.rs`).
/// Each is `(package, version)`; the package imports under the same name, and an empty version
/// takes any.
const PYTHON_PACKAGES: [(&str, &str); 2] =
    [("openpyxl", ""), ("schemathesis", SCHEMATHESIS_VERSION)];

/// The schemathesis release the fuzz step and `xtask/schemathesis.toml` are written for (its
/// configuration keys and checks change between releases).
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Installs [`PYTHON_PACKAGES`] for the current `python3` (pyenv's on these machines) with its
/// own pip, where missing or at another version.
fn python_packages(installed: &mut Vec<String>) -> Result<(), String> {
    let present = |module: &str, version: &str| {
        let probe = if version.is_empty() {
            format!("import {module}")
        } else {
            format!("import importlib.metadata as m; assert m.version('{module}') == '{version}'")
        };
        Command::new("python3")
            .args(["-c", &probe])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let missing: Vec<String> = PYTHON_PACKAGES
        .iter()
        .filter(|(package, version)| !present(package, version))
        .map(|(package, version)| match *version {
            "" => (*package).to_owned(),
            v => format!("{package}=={v}"),
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if output(Command::new("python3").arg("--version")).is_none() {
        return Err(format!(
            "python3 is needed to install {missing:?} (e2e tests, fuzzing)"
        ));
    }
    exec(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(&missing),
    )
    .map_err(|e| format!("pip install {missing:?} failed: {e}"))?;
    installed.extend(missing.iter().map(|p| format!("python: {p}")));
    Ok(())
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}
