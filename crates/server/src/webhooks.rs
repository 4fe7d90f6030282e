//! Sends webhook deliveries (`store::webhooks` is the outbox). Every second the replica
//! holding the work lease reads what is due, takes each delivery for one attempt
//! ([`webhooks::claim`], so a replica taking over the lease mid-round sends nothing twice)
//! and POSTs it, up to [`AT_ONCE`] at a time, signed as `vantage_contract::webhook` documents.
//! A 2xx answer delivers it; anything else (another status, a refused connection, no answer
//! within [`TIMEOUT`]) is tried again after the next pause of
//! [`RETRY_AFTER_SECS`], and given up after the last.
//!
//! # Where deliveries may go
//! A webhook's address is chosen by a tenant admin, so the server must not become a way into
//! the network it runs in (SSRF). Unless started with `--allow-local-webhooks`, only
//! `https://` addresses are sent to, and a host that is, or resolves to, a loopback,
//! private, link-local, shared, documentation or otherwise non-public address is refused:
//! names are resolved by [`PublicOnly`], the HTTP client's own resolver, so the address
//! checked is the address connected to (a name that resolves differently a second later
//! gains nothing). Redirects are not followed.
//!
//! A webhook whose format is `chat` is sent `{"text": "…"}` ([`chat_text`]) instead of the
//! event, made from the stored event when it is sent and signed the same way.
//!
//! The client is `reqwest` (rustls on the ring provider, Mozilla's and the system's roots).

use crate::db::now_ms;
use crate::error::AppResult;
use crate::state::SharedState;
use crate::store::webhooks::{self, Due};
use crate::ticks::Ticks;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::MissedTickBehavior;
use vantage_contract::webhook::RETRY_AFTER_SECS;
use vantage_contract::{Severity, WebhookEvent, WebhookFormat, WebhookPayload};

/// Deliveries sent at once.
pub const AT_ONCE: usize = 8;
/// Deliveries read per round.
const PER_ROUND: usize = 64;
/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a delivery taken for an attempt is left alone (longer than an attempt can take).
const CLAIM_MS: i64 = 60_000;

/// Who may be sent to: see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `--allow-local-webhooks`: plain `http://` and non-public addresses too.
    pub allow_local: bool,
}

/// The HTTP client deliveries go through.
///
/// # Errors
/// If the TLS roots cannot be loaded.
pub fn client(policy: Policy) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("Vantage-Webhooks/", env!("CARGO_PKG_VERSION")))
        .https_only(!policy.allow_local)
        .dns_resolver(Arc::new(PublicOnly(policy)))
        .build()
}

/// Runs until shutdown.
pub async fn run(state: SharedState) {
    let mut ticks = Ticks::new(
        Duration::from_secs(1),
        MissedTickBehavior::Delay,
        state.shutdown.clone(),
    );
    let mut prune_at = 0;
    while ticks.next().await {
        if !state.lease.held() {
            continue;
        }
        let now = now_ms();
        if now >= prune_at {
            prune_at = now + 3_600_000;
            let before = now - webhooks::KEEP_DELIVERIES_MS;
            if let Err(e) = state.db.write(move |c| webhooks::prune(c, before)).await {
                tracing::warn!("old webhook deliveries not deleted: {e}");
            }
        }
        if let Err(e) = round(&state, &ticks).await {
            tracing::warn!("webhook deliveries not sent: {e}");
        }
    }
}

/// Sends what is due now.
///
/// # Errors
/// Database failures reading what is due (one delivery's failure is recorded on it).
pub async fn round(state: &SharedState, ticks: &Ticks) -> AppResult<()> {
    let now = now_ms();
    let due = state
        .db
        .read(move |c| webhooks::due(c, now, PER_ROUND))
        .await?;
    futures_util::stream::iter(due)
        .for_each_concurrent(AT_ONCE, |d| async move {
            if ticks.shutting_down() {
                return;
            }
            if let Err(e) = attempt(state, d).await {
                tracing::warn!("webhook delivery not recorded: {e}");
            }
        })
        .await;
    Ok(())
}

/// One attempt of one delivery: claimed, sent, recorded.
async fn attempt(state: &SharedState, d: Due) -> AppResult<()> {
    let now = now_ms();
    let claimed = {
        let d = d.clone();
        state
            .db
            .write(move |c| webhooks::claim(c, &d, now, now + CLAIM_MS))
            .await?
    };
    if !claimed {
        return Ok(());
    }
    let policy = Policy {
        allow_local: state.config.allow_local_webhooks,
    };
    let body = match d.format {
        WebhookFormat::Event => d.body.clone(),
        WebhookFormat::Chat => chat_body(&d.body, state.config.public_url.as_deref())?,
    };
    let outcome = send(&state.webhooks, policy, &d, &body, now).await;
    let attempts = d.attempts + 1;
    let next = usize::try_from(attempts)
        .ok()
        .and_then(|a| RETRY_AFTER_SECS.get(a - 1))
        .map(|s| now_ms() + i64::from(*s) * 1000);
    match &outcome {
        Ok(status) => tracing::debug!(
            tenant = d.tenant,
            webhook = d.webhook,
            status,
            "webhook delivered"
        ),
        Err((status, error)) => tracing::info!(
            tenant = d.tenant,
            webhook = d.webhook,
            attempts,
            status,
            "webhook delivery failed: {error}"
        ),
    }
    let id = d.id.clone();
    state
        .db
        .write(move |c| match outcome {
            Ok(status) => webhooks::record(c, &id, true, Some(status), None, None),
            Err((status, error)) => webhooks::record(c, &id, false, status, Some(&error), next),
        })
        .await
}

/// A stored event as a chat message: `{"text": "…"}` ([`chat_text`]).
///
/// # Errors
/// If the stored event does not read back (it was written by this server).
pub fn chat_body(event: &str, public_url: Option<&str>) -> AppResult<String> {
    let payload: WebhookPayload = serde_json::from_str(event)?;
    Ok(serde_json::json!({ "text": chat_text(&payload, public_url) }).to_string())
}

/// One line a person reads in a chat (English, like the server's alert messages), and the
/// alerts page's address on a second line when the server knows its public URL.
pub fn chat_text(p: &WebhookPayload, public_url: Option<&str>) -> String {
    let Some(a) = &p.alert else {
        return "Vantage test message: this webhook works.".into();
    };
    let severity = match a.severity {
        Severity::Critical => "🔴 Critical",
        Severity::Warning => "🟠 Warning",
        Severity::Info => "🔵 Info",
    };
    let mut text = match p.event {
        WebhookEvent::AlertAcknowledged => format!("👀 Acknowledged: {} ({severity})", a.title),
        WebhookEvent::AlertResolved => format!("✅ Resolved: {} ({severity})", a.title),
        _ => format!("{severity}: {} — {}", a.title, a.message),
    };
    if let Some(base) = public_url {
        text.push('\n');
        text.push_str(base);
        text.push_str("/alerts");
    }
    text
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`.
pub fn signature(secret: &str, unix_secs: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(unix_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={unix_secs},v1={hex}")
}

/// POSTs the delivery: the receiver's 2xx status, or the status it answered (if any) and
/// why the attempt failed, in words a tenant admin can act on.
async fn send(
    client: &reqwest::Client,
    policy: Policy,
    d: &Due,
    body: &str,
    now: i64,
) -> Result<u16, (Option<u16>, String)> {
    let url = reqwest::Url::parse(&d.url).map_err(|e| (None, format!("bad address: {e}")))?;
    match url.host() {
        Some(url::Host::Ipv4(ip)) => allowed(IpAddr::V4(ip), policy).map_err(|e| (None, e))?,
        Some(url::Host::Ipv6(ip)) => allowed(IpAddr::V6(ip), policy).map_err(|e| (None, e))?,
        Some(url::Host::Domain(_)) => {}
        None => return Err((None, "the address has no host".into())),
    }
    if url.scheme() != "https" && !policy.allow_local {
        return Err((None, "only https:// addresses are sent to".into()));
    }
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Vantage-Signature", signature(&d.secret, now / 1000, body))
        .header("Vantage-Event-Id", &d.event_id)
        .header("Vantage-Event-Type", &d.event)
        .header("Vantage-Delivery-Id", &d.id)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| (None, describe(&e)))?;
    let status = response.status();
    if status.is_success() {
        Ok(status.as_u16())
    } else if status.is_redirection() {
        Err((
            Some(status.as_u16()),
            format!("the receiver answered {status} (redirects are not followed)"),
        ))
    } else {
        Err((
            Some(status.as_u16()),
            format!("the receiver answered {status}"),
        ))
    }
}

/// A client error in words: the innermost cause says the most ("connection refused",
/// "refused address 10.0.0.1: a private network").
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    let mut source: &dyn std::error::Error = e;
    while let Some(inner) = source.source() {
        source = inner;
    }
    let inner = source.to_string();
    if e.is_connect() {
        format!("could not connect: {inner}")
    } else {
        inner
    }
}

/// The client's resolver: the system's, refusing non-public addresses unless allowed.
struct PublicOnly(Policy);

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            // Every address the name has must be allowed, not just the first: the client
            // tries them in turn.
            for a in &found {
                allowed(a.ip(), policy)?;
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// `Ok` when deliveries may go to `ip`.
///
/// # Errors
/// Which kind of address it is, when it may not.
pub fn allowed(ip: IpAddr, policy: Policy) -> Result<(), String> {
    if policy.allow_local {
        return Ok(());
    }
    match non_public(ip) {
        None => Ok(()),
        Some(kind) => Err(format!(
            "refused address {ip}: {kind} (webhooks go to public addresses only)"
        )),
    }
}

/// What kind of non-public address `ip` is, if it is one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => non_public_v4(v4),
            None => non_public_v6(v6),
        },
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_unspecified() || a == 0 => "unspecified",
        _ if ip.is_private() => "a private network",
        _ if ip.is_link_local() => "link-local (cloud metadata lives here)",
        (100, 64..=127, _) => "shared address space (carrier-grade NAT)",
        (192, 0, 0) => "IETF protocol assignments",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        _ if ip.is_multicast() => "multicast",
        _ if a >= 240 => "reserved",
        _ => return None,
    })
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    Some(match s[0] {
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_unspecified() => "unspecified",
        x if x & 0xfe00 == 0xfc00 => "a private network (unique local)",
        x if x & 0xffc0 == 0xfe80 => "link-local",
        x if x & 0xff00 == 0xff00 => "multicast",
        0x2001 if s[1] == 0x0db8 => "documentation",
        // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
        0x0064 if s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] => {
            let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
            return non_public_v4(v4);
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_not() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.2.5",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(non_public(ip).is_some(), "{ip} should not be public");
            assert!(allowed(ip, Policy { allow_local: false }).is_err());
            assert!(allowed(ip, Policy { allow_local: true }).is_ok());
        }
        for ip in [
            "1.1.1.1",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn signature_is_hmac_sha256_of_time_dot_body() {
        // Computed independently with
        // `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test`.
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn chat_messages() {
        let alert: vantage_contract::Alert = serde_json::from_value(serde_json::json!({
            "id": "a_1", "rule": "r_1", "severity": "critical", "status": "open",
            "title": "Big EU orders",
            "message": "Sum of amount was 1300 over the last 60 min, above the threshold 1000",
            "dataset": "orders", "value": 1300.0, "threshold": 1000.0, "createdAt": 1
        }))
        .unwrap();
        let mut p = WebhookPayload {
            id: "evt_1".into(),
            event: WebhookEvent::AlertRaised,
            created_at: 1,
            tenant: "t".into(),
            alert: Some(alert),
        };
        assert_eq!(
            chat_text(&p, Some("https://vantage.example.com")),
            "🔴 Critical: Big EU orders — Sum of amount was 1300 over the last 60 min, above the \
             threshold 1000\nhttps://vantage.example.com/alerts"
        );
        p.event = WebhookEvent::AlertResolved;
        assert_eq!(
            chat_text(&p, None),
            "✅ Resolved: Big EU orders (🔴 Critical)"
        );
        let body = chat_body(&serde_json::to_string(&p).unwrap(), None).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({ "text": "✅ Resolved: Big EU orders (🔴 Critical)" })
        );
        p.alert = None;
        p.event = WebhookEvent::Ping;
        assert_eq!(
            chat_text(&p, None),
            "Vantage test message: this webhook works."
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_name_of_a_private_address() {
        let r = PublicOnly(Policy { allow_local: false });
        let e = match r.resolve("localhost".parse().unwrap()).await {
            Ok(_) => panic!("localhost resolved"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("loopback"), "{e}");
        let r = PublicOnly(Policy { allow_local: true });
        assert!(r.resolve("localhost".parse().unwrap()).await.is_ok());
    }
}
