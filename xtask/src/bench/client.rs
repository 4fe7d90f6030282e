//! Blocking HTTP helpers for the load tools: login and timed JSON posts (ureq, loopback only).

use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The demo password every demo user has.
pub const DEMO_PASSWORD: &str = "vantage-demo";

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_secs(30))
        .build()
}

/// [`agent`] that waits up to 5 minutes for an answer (whole-range queries on 10M rows).
pub fn patient_agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_secs(300))
        .build()
}

/// Logs `email` in and returns the access token.
pub fn login(agent: &ureq::Agent, base: &str, email: &str) -> Result<String, String> {
    let body = json!({ "email": email, "password": DEMO_PASSWORD });
    let resp: Value = agent
        .post(&format!("{base}/api/v1/auth/login"))
        .send_json(body)
        .map_err(|e| format!("login {email}: {e}"))?
        .into_json()
        .map_err(|e| format!("login {email}: {e}"))?;
    resp["accessToken"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("login {email}: no accessToken in {resp}"))
}

/// POSTs `body`, reads the whole response, and returns the wall time in ms and the JSON.
pub fn timed_post(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(f64, Value), String> {
    let started = Instant::now();
    let resp = agent
        .post(url)
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(body.clone())
        .map_err(|e| format!("POST {url}: {e}"))?;
    let text = resp.into_string().map_err(|e| format!("POST {url}: {e}"))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let value = serde_json::from_str(&text).map_err(|e| format!("POST {url}: {e}"))?;
    Ok((ms, value))
}

/// [`timed_post`] as a browser asks (`Accept-Encoding: br, gzip`): the wall time to the last
/// byte on the wire, its sizes, and the JSON (decoded after the clock stops). Fails
/// when the answer is not brotli, so a server that stopped compressing cannot pass as fast.
pub fn timed_post_brotli(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(f64, Compressed, Value), String> {
    use std::io::Read;
    let started = Instant::now();
    let resp = agent
        .post(url)
        .set("Authorization", &format!("Bearer {token}"))
        .set("Accept-Encoding", "br, gzip")
        .send_json(body.clone())
        .map_err(|e| format!("POST {url}: {e}"))?;
    let encoding = resp.header("Content-Encoding").unwrap_or("none").to_owned();
    let mut wire = Vec::new();
    resp.into_reader()
        .read_to_end(&mut wire)
        .map_err(|e| format!("POST {url}: {e}"))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if encoding != "br" {
        return Err(format!(
            "POST {url}: asked for br, gzip and got Content-Encoding {encoding}"
        ));
    }
    let mut text = Vec::new();
    brotli::Decompressor::new(wire.as_slice(), 4096)
        .read_to_end(&mut text)
        .map_err(|e| format!("POST {url}: the brotli body does not decode: {e}"))?;
    let value = serde_json::from_slice(&text).map_err(|e| format!("POST {url}: {e}"))?;
    let sizes = Compressed {
        wire: wire.len(),
        decoded: text.len(),
    };
    Ok((ms, sizes, value))
}

/// A compressed answer's bytes on the wire and decoded.
#[derive(Clone, Copy)]
pub struct Compressed {
    pub wire: usize,
    pub decoded: usize,
}

/// Wall-clock now in whole epoch milliseconds, for event times and unique names.
pub fn epoch_ms() -> i64 {
    now_ms() as i64
}

/// Wall-clock now in epoch milliseconds (fractional), for comparing with server timestamps.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
