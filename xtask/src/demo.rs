//! `cargo xtask demo`: build everything the browser needs and run the reference server with demo
//! data until Ctrl-C.

use crate::artifacts::{build_app, build_sdk};
use crate::server::{build, start, Profile, StartOptions};
use crate::util::target_dir;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut addr = "127.0.0.1:8080".to_owned();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--addr" => {
                addr = rest
                    .next()
                    .ok_or("--addr needs a value like 127.0.0.1:8080")?
                    .clone()
            }
            other => {
                return Err(format!(
                    "unknown demo option '{other}' (expected --addr ADDR)"
                ))
            }
        }
    }
    crate::setup::run()?;
    build_sdk()?;
    build_app()?;
    let binary = build(Profile::Server)?;
    let data_dir = target_dir().join("demo");
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let server = start(StartOptions {
        binary: &binary,
        db: data_dir.join("vantage.db"),
        database_url: None,
        addr: &addr,
        // On a developer's machine: webhooks may be tried with a receiver on this machine.
        extra_args: vec!["--demo".into(), "--allow-local-webhooks".into()],
    })?;
    let url = server.url.clone();
    println!();
    println!("Vantage is running (Ctrl-C to stop):");
    println!("  app          {url}/");
    println!("  embed demo   {url}/embed.html");
    println!("  gallery      {url}/gallery.html");
    println!("  API          {url}/api/v1/health   (OpenAPI: {url}/api/v1/openapi.json)");
    println!("  sign in as   analyst@healthco.test / vantage-demo");
    println!();
    server.wait()
}
