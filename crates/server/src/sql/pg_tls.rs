//! TLS to PostgreSQL (rustls with the `ring` provider, through `tokio-postgres-rustls`).
//!
//! `sslmode=require` in `--database-url` turns it on. The server's certificate is verified — its
//! chain against the CA certificates in `sslrootcert=FILE` (PEM) when the URL names one, else
//! against the system's roots (`/etc/ssl/certs/ca-certificates.crt`), and its name against the
//! URL's host. That is stricter than libpq's `require`, which encrypts without verifying: a
//! certificate that does not verify fails the connection (requests answer 503 `unavailable`,
//! the log says why). Without `sslmode`, and with `disable` or `prefer`, the server connects
//! without TLS as before.
//!
//! ```text
//! postgres://vantage@db.internal:5432/vantage?sslmode=require&sslrootcert=/etc/vantage/db-ca.pem
//! ```

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::sync::Arc;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The system's CA bundle on Debian (package `ca-certificates`).
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A parsed PostgreSQL URL and how to connect to it.
pub struct PgTarget {
    pub config: tokio_postgres::Config,
    /// `Some` when the URL asks for TLS (`sslmode=require`).
    pub tls: Option<MakeRustlsConnect>,
}

/// Parses `url`: libpq's `sslrootcert` (which tokio-postgres does not know) is taken out of the
/// query first, then the rest is tokio-postgres' URL syntax.
///
/// # Errors
/// A malformed URL, or `sslmode=require` with a root certificate file that cannot be read or
/// holds no certificate (the message says which).
pub fn parse(url: &str) -> Result<PgTarget, String> {
    let (url, root_cert) = split_root_cert(url);
    let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
    let tls = match config.get_ssl_mode() {
        SslMode::Require => Some(connector(root_cert.as_deref())?),
        _ => None,
    };
    Ok(PgTarget { config, tls })
}

/// `url` without its `sslrootcert=…` query parameter, and that parameter's (percent-decoded)
/// value.
fn split_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut root = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(value) => {
                root = Some(percent_decode(value));
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A rustls connector trusting the CA certificates in `root_cert` (PEM), or the system's.
fn connector(root_cert: Option<&str>) -> Result<MakeRustlsConnect, String> {
    let path = root_cert.unwrap_or(SYSTEM_ROOTS);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect())
        .map_err(|e| format!("sslrootcert {path:?}: {e}"))?;
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(format!("sslrootcert {path:?}: no CA certificate in it"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_certificate_is_taken_out_of_the_url() {
        let (url, root) = split_root_cert(
            "postgres://u@h:5/db?sslmode=require&sslrootcert=%2Ftmp%2Fca.pem&application_name=x",
        );
        assert_eq!(
            url,
            "postgres://u@h:5/db?sslmode=require&application_name=x"
        );
        assert_eq!(root.as_deref(), Some("/tmp/ca.pem"));
        let (url, root) = split_root_cert("postgres://u@h:5/db?sslrootcert=/a.pem");
        assert_eq!(
            (url.as_str(), root),
            ("postgres://u@h:5/db", Some("/a.pem".into()))
        );
        assert_eq!(split_root_cert("postgres://u@h/db").1, None);
    }

    #[test]
    fn only_sslmode_require_asks_for_tls() {
        assert!(parse("postgres://u@h/db").unwrap().tls.is_none());
        assert!(parse("postgres://u@h/db?sslmode=disable")
            .unwrap()
            .tls
            .is_none());
        assert!(parse("postgres://u@h/db?sslmode=prefer")
            .unwrap()
            .tls
            .is_none());
        if std::path::Path::new(SYSTEM_ROOTS).exists() {
            assert!(parse("postgres://u@h/db?sslmode=require")
                .unwrap()
                .tls
                .is_some());
        }
    }

    #[test]
    fn an_unreadable_root_certificate_is_named() {
        let err = parse("postgres://u@h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem")
            .err()
            .unwrap();
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    }
}
