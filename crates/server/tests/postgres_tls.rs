//! TLS to PostgreSQL: `--database-url …?sslmode=require&sslrootcert=CA.pem`. A real PostgreSQL 15
//! with `ssl = on` and a `pg_hba.conf` that admits TLS connections only (`hostssl`), its
//! certificate issued for 127.0.0.1 by a throwaway CA that `openssl` makes in the temporary
//! folder. Skips with a message when PostgreSQL or openssl is not installed.

mod common;

use common::postgres::Postgres;
use common::Server;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ca.pem` (a CA) and `server.crt`/`server.key` (issued by it for IP 127.0.0.1) in `dir`.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.pem"],
            &["-days", "2", "-subj", "/CN=vantage test CA"],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &["-keyout", "server.key", "-out", "server.csr"],
            &["-subj", "/CN=127.0.0.1"],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
}

/// A PostgreSQL that speaks TLS with `certs`' server certificate and refuses plain connections.
fn tls_only_postgres(certs: &Path) -> Postgres {
    Postgres::start_configured(common::free_port(), |data| {
        for name in ["server.crt", "server.key"] {
            std::fs::copy(certs.join(name), data.join(name)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).unwrap();
        text.push_str("\nssl = on\n");
        std::fs::write(conf, text).unwrap();
        // Local socket for the admin tools; TCP only over TLS.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
    })
}

fn available() -> bool {
    let ok = Postgres::available() && Command::new("openssl").arg("version").output().is_ok();
    if !ok {
        eprintln!("SKIPPED: PostgreSQL 15 or openssl is not installed (run `cargo xtask setup`)");
    }
    ok
}

fn ready(server: &Server) -> u16 {
    server.call("GET", "/api/v1/ready", None, None, None).status
}

#[test]
fn with_sslmode_require_the_server_talks_to_postgres_over_verified_tls() {
    if !available() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    let pg = tls_only_postgres(certs.path());
    let ca = certs.path().join("ca.pem");
    let url = format!("{}?sslmode=require&sslrootcert={}", pg.url(), ca.display());
    let server = Server::start_on(&url, &[]);
    let started = Instant::now();
    while ready(&server) != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never ready over TLS"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The demo was seeded through it, and its connections are encrypted.
    let token = server.token("analyst@healthco.test");
    assert_eq!(server.get("/api/v1/dashboards", &token).0, 200);
    let encrypted = pg.query(
        "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
         WHERE ssl AND application_name = 'vantage-server'",
    );
    assert!(encrypted.parse::<u32>().unwrap() > 0, "{encrypted}");
}

#[test]
fn a_certificate_that_does_not_verify_or_plain_text_is_refused_with_503() {
    if !available() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    let pg = tls_only_postgres(certs.path());
    // No sslrootcert: the system's roots do not know the test CA. No sslmode: plain text,
    // which this PostgreSQL refuses. Neither may ever become ready.
    for url in [format!("{}?sslmode=require", pg.url()), pg.url()] {
        let server = Server::start_on(&url, &[]);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(4) {
            assert_eq!(ready(&server), 503, "{url}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

#[test]
fn a_root_certificate_file_that_cannot_be_read_stops_start_up_naming_the_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .args([
            "--database-url",
            "postgres://vantage@127.0.0.1:1/x?sslmode=require&sslrootcert=/nonexistent/ca.pem",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("VANTAGE_JWT_SECRET", common::TEST_JWT_SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--database-url") && stderr.contains("/nonexistent/ca.pem"),
        "{stderr}"
    );
}
