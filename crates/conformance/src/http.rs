//! A tiny blocking HTTP client over `ureq` that never treats a status as an error.

use serde_json::Value;
use std::time::Duration;

/// One response: status, parsed JSON body (or `Null`), and selected headers.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The contract error code, when the body is an ErrorBody.
    pub fn error_code(&self) -> Option<&str> {
        self.body.pointer("/error/code").and_then(Value::as_str)
    }

    /// Whether the body is a well-formed contract ErrorBody.
    pub fn is_error_body(&self) -> bool {
        self.error_code().is_some()
            && self
                .body
                .pointer("/error/message")
                .is_some_and(Value::is_string)
            && self
                .body
                .pointer("/error/requestId")
                .is_some_and(Value::is_string)
    }
}

/// A response whose body is kept as bytes.
#[derive(Debug, Clone)]
pub struct RawResp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
}

impl RawResp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout_read(Duration::from_secs(20))
            .redirects(0)
            .build();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    #[allow(dead_code)] // used by the server crate's copy of the suite
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// Sends a request; `body` is sent as-is with `Content-Type: application/json`.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Resp, String> {
        let url = format!("{}{}", self.base, path);
        let mut req = self.agent.request(method, &url);
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match body {
            Some(b) => req.set("Content-Type", "application/json").send_string(b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(format!("{method} {path}: {e}")),
        };
        let status = resp.status();
        let headers = header_pairs(&resp);
        let text = resp.into_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            body,
            text,
            headers,
        })
    }

    /// Announces a body of `declared_len` bytes and sends only the headers, then reads the
    /// answer. A server that enforces a body limit answers 413 before reading the body; sending
    /// the body itself would race with the server closing the connection.
    pub fn oversize_probe(
        &self,
        path: &str,
        token: &str,
        declared_len: usize,
    ) -> Result<Resp, String> {
        use std::io::{Read, Write};
        let hostport = host_port(&self.base);
        let mut s = std::net::TcpStream::connect(&hostport).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {declared_len}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                Err(_) if !raw.is_empty() => break,
                Err(e) => return Err(e.to_string()),
            }
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                if len.is_some_and(|len| raw.len() >= end + 4 + len) {
                    break;
                }
            }
        }
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("no HTTP status in {text:?}"))?;
        let body_text = text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_owned();
        Ok(Resp {
            status,
            body: serde_json::from_str(&body_text).unwrap_or(Value::Null),
            text: body_text,
            headers: vec![],
        })
    }

    /// `POST path` with a JSON body and extra headers, answered as raw bytes (binary bodies):
    /// status, headers and the body.
    pub fn post_bytes(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Result<RawResp, String> {
        use std::io::Read;
        let url = format!("{}{}", self.base, path);
        let mut req = self
            .agent
            .post(&url)
            .set("Content-Type", "application/json");
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let resp = match req.send_string(&body.to_string()) {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(format!("POST {path}: {e}")),
        };
        let status = resp.status();
        let headers = header_pairs(&resp);
        let mut bytes = Vec::new();
        resp.into_reader()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("POST {path}: reading the body: {e}"))?;
        Ok(RawResp {
            status,
            headers,
            bytes,
        })
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Result<Resp, String> {
        self.call("GET", path, token, None, &[])
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Result<Resp, String> {
        self.call("POST", path, token, Some(&body.to_string()), &[])
    }

    pub fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Result<Resp, String> {
        self.call("PUT", path, token, Some(&body.to_string()), &[])
    }
}

/// `host:port` of a base URL (`http://127.0.0.1:8080/x` → `127.0.0.1:8080`), for raw sockets.
pub fn host_port(base: &str) -> String {
    let rest = base.split("://").nth(1).unwrap_or(base);
    rest.split('/').next().unwrap_or(rest).to_owned()
}

/// Every response header as (name, value), for [`Resp`].
fn header_pairs(resp: &ureq::Response) -> Vec<(String, String)> {
    resp.headers_names()
        .into_iter()
        .filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_owned())))
        .collect()
}
