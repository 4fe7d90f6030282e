//! The JWT signing secret. It is never kept in the data database (a copy of the database file
//! must not let anyone mint tokens). Where it comes from:
//!
//! - `--jwt-secret-file PATH` (`VANTAGE_JWT_SECRET_FILE`): the file's contents, trimmed;
//! - else `VANTAGE_JWT_SECRET`: the variable's value (there is deliberately no flag for the
//!   value itself: command lines are visible to every local user in `ps`);
//! - else, with `--demo` only: a file next to the database (`<db>.jwt-secret`), generated on
//!   first start (mode 0600) and reused after, so a demo needs no extra flags.
//!
//! Outside `--demo` the server refuses to start without a strong secret ([`check`]): at least
//! [`MIN_BYTES`] bytes with some variety, and says how to make one ([`HOW_TO`]).

use crate::auth::random_token;
use std::path::{Path, PathBuf};

/// Shortest accepted secret, in bytes.
pub const MIN_BYTES: usize = 32;
/// Fewest distinct bytes a secret must have (refuses `aaaa…` and `0101…`).
const MIN_DISTINCT: usize = 10;

/// How to make a secret, for error messages and `--help`.
pub const HOW_TO: &str = "create one with `openssl rand -base64 48 > /etc/vantage/jwt-secret && \
chmod 600 /etc/vantage/jwt-secret` and start with `--jwt-secret-file /etc/vantage/jwt-secret` \
(or set VANTAGE_JWT_SECRET to such a value). Keep it across restarts: changing it signs \
everyone out and invalidates every embed token";

/// Checks that `secret` is strong enough.
///
/// # Errors
/// What is wrong with it, and [`HOW_TO`] make a good one.
pub fn check(secret: &[u8], source: &str) -> Result<(), String> {
    let mut distinct = [false; 256];
    for b in secret {
        distinct[usize::from(*b)] = true;
    }
    let variety = distinct.iter().filter(|d| **d).count();
    if secret.len() < MIN_BYTES || variety < MIN_DISTINCT {
        return Err(format!(
            "the JWT signing secret from {source} is too weak (at least {MIN_BYTES} bytes of \
             random data are needed); {HOW_TO}"
        ));
    }
    Ok(())
}

/// The demo's secret file for the database at `db`.
pub fn demo_file(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".jwt-secret");
    PathBuf::from(name)
}

/// Reads a secret file (trimmed).
fn read(path: &Path) -> Result<Vec<u8>, String> {
    let raw = std::fs::read(path)
        .map_err(|e| format!("reading the JWT secret file {}: {e}", path.display()))?;
    Ok(raw.trim_ascii().to_vec())
}

/// Reads the demo secret next to `db`, creating it (owner-only) when missing.
fn demo_secret(db: &Path) -> Result<Vec<u8>, String> {
    let path = demo_file(db);
    if path.exists() {
        return read(&path);
    }
    let secret = random_token(48);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .map_err(|e| format!("creating the demo JWT secret {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, secret.as_bytes())
        .map_err(|e| format!("writing the demo JWT secret {}: {e}", path.display()))?;
    Ok(secret.into_bytes())
}

/// The secret for a server with these settings (`env` is `VANTAGE_JWT_SECRET`).
///
/// # Errors
/// No secret outside `--demo`, a weak one, or an unreadable file — each saying what to do.
pub fn load(
    file: Option<&Path>,
    env: Option<String>,
    demo: bool,
    db: Option<&Path>,
) -> Result<Vec<u8>, String> {
    let (secret, source) = match (file, env.filter(|s| !s.is_empty())) {
        (Some(path), _) => (read(path)?, format!("{}", path.display())),
        (None, Some(value)) => (value.into_bytes(), "VANTAGE_JWT_SECRET".to_owned()),
        (None, None) if demo => match db {
            Some(db) => (demo_secret(db)?, format!("{}", demo_file(db).display())),
            None => {
                return Err(format!(
                    "no JWT signing secret: with --database-url postgres://… the replicas share one, even with --demo; {HOW_TO}"
                ))
            }
        },
        (None, None) => {
            return Err(format!(
                "no JWT signing secret: outside --demo the server needs one; {HOW_TO}"
            ))
        }
    };
    check(&secret, &source)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_secrets_are_refused_with_instructions() {
        for weak in [
            &b""[..],
            b"short-secret",
            &[b'a'; 64],
            b"01010101010101010101010101010101",
        ] {
            let e = check(weak, "test").unwrap_err();
            assert!(e.contains("openssl rand"), "{e}");
        }
        assert!(check(random_token(48).as_bytes(), "test").is_ok());
    }

    #[test]
    fn outside_demo_a_secret_is_required() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v.db");
        let e = load(None, None, false, Some(&db)).unwrap_err();
        assert!(
            e.contains("--jwt-secret-file") && e.contains("VANTAGE_JWT_SECRET"),
            "{e}"
        );
        assert!(!demo_file(&db).exists());
        let good = random_token(48);
        assert_eq!(
            load(None, Some(good.clone()), false, Some(&db)).unwrap(),
            good.as_bytes()
        );
        let file = dir.path().join("secret");
        std::fs::write(&file, format!("{good}\n")).unwrap();
        assert_eq!(
            load(Some(&file), None, false, Some(&db)).unwrap(),
            good.as_bytes()
        );
        assert!(load(None, Some("too-short".into()), false, Some(&db)).is_err());
    }

    #[test]
    fn demo_generates_a_secret_file_once_and_reuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        let first = load(None, None, true, Some(&db)).unwrap();
        assert!(demo_file(&db).exists());
        assert_eq!(load(None, None, true, Some(&db)).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(demo_file(&db))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "owner-only");
        }
    }
}
