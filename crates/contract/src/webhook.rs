//! Webhooks: a tenant's alerts sent to its own systems (`/api/v1/webhooks`). When an alert is
//! raised, acknowledged or resolved, the server POSTs a [`WebhookPayload`] to every enabled
//! webhook of the tenant that asked for that event, signed with the webhook's secret, and
//! tries again with growing pauses until the receiver answers 2xx (see [`RETRY_AFTER_SECS`]).
//!
//! # Signature
//! Every delivery carries `Vantage-Signature: t=<unix seconds>,v1=<hex>`, where `<hex>` is the
//! HMAC-SHA256, keyed with the webhook's secret (the whole `whsec_…` string as bytes), of
//! `<t>.<body>` — the timestamp, a dot and the request body exactly as received. A receiver
//! recomputes it, compares in constant time, and refuses a `t` more than a few minutes old
//! (a replayed request). `Vantage-Event-Id` is the same on every attempt of one event, so a
//! receiver that saw it already can answer 2xx and do nothing.

use serde::{Deserialize, Serialize};

use crate::wire::unit_enum;
use crate::{Alert, FieldError, Rule, Validated};

/// At most this many webhooks per tenant.
pub const MAX_WEBHOOKS: usize = 20;
/// A webhook's address is at most this many bytes.
pub const MAX_URL_BYTES: usize = 2_000;
/// A webhook's name is at most this many characters.
pub const MAX_WEBHOOK_NAME_CHARS: usize = 120;
/// The pause before each further attempt of a delivery, in seconds: an event is tried once
/// and then up to six more times over about seven hours, then given up (`failed`).
pub const RETRY_AFTER_SECS: [u32; 6] = [10, 60, 300, 1_800, 7_200, 14_400];

unit_enum! {
    /// What happened, as `Vantage-Event-Type` and the payload's `type` say it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum WebhookEvent {
        /// A rule raised an alert (its status is `open`).
        #[serde(rename = "alert.raised")]
        AlertRaised,
        /// Someone acknowledged an open alert.
        #[serde(rename = "alert.acknowledged")]
        AlertAcknowledged,
        /// An alert was resolved: by someone, because its rule's condition no longer holds, or
        /// because its rule was disabled or deleted.
        #[serde(rename = "alert.resolved")]
        AlertResolved,
        /// Sent only by `POST /api/v1/webhooks/{id}/test`, whatever the webhook's events.
        #[serde(rename = "ping")]
        Ping,
    }
}

impl WebhookEvent {
    /// The wire name (`alert.raised`, …).
    pub fn as_str(self) -> &'static str {
        crate::wire::name_of(&self)
    }
}

unit_enum! {
    /// How a delivery's body is written. Either way it is POSTed as JSON with the same
    /// headers and signature.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum WebhookFormat {
        /// The event as data ([`WebhookPayload`]): for a receiver of your own.
        #[default]
        Event,
        /// `{"text": "…"}`, one message a person reads ("Critical: Big EU orders — Sum of
        /// amount was 1300 …"), the body Slack's incoming webhooks take, as do Google Chat,
        /// Mattermost, Rocket.Chat and Discord's Slack-compatible address.
        Chat,
    }
}

/// What `POST` and `PUT /api/v1/webhooks` take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookInput {
    /// What receives it ("On-call pager", "Ops Slack relay").
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// Where deliveries are POSTed: an `https://` address (a server started with
    /// `--allow-local-webhooks` also takes `http://` and private-network addresses).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub url: String,
    /// The events to send, at least one (`ping` is not one to choose: a test sends it).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 3))]
    pub events: Vec<WebhookEvent>,
    /// A disabled webhook is kept but sent nothing.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `event` (the default) or `chat`.
    #[serde(default)]
    pub format: WebhookFormat,
}

fn yes() -> bool {
    true
}

impl WebhookInput {
    /// Name 1..=120 characters without control characters; the address an absolute
    /// `https://` (or `http://`) URL of at most 2,000 bytes with a host and without a user
    /// name, password or spaces; 1 to 3 distinct events, not `ping`. Whether the address may
    /// be private is the server's call (it resolves the host).
    ///
    /// # Errors
    /// The first problem, naming the field.
    pub fn validate(&self) -> Validated {
        crate::setup::validate_name(&self.name, "name", MAX_WEBHOOK_NAME_CHARS)?;
        validate_url(&self.url)?;
        if self.events.is_empty() {
            return Err(FieldError::new("events", "choose at least one event")
                .with_rule(Rule::AtLeastOneEvent));
        }
        for (i, e) in self.events.iter().enumerate() {
            if *e == WebhookEvent::Ping {
                return Err(FieldError::new(
                    format!("events[{i}]"),
                    "ping is sent by a test only; choose alert events",
                ));
            }
            if self.events[..i].contains(e) {
                return Err(FieldError::new(
                    format!("events[{i}]"),
                    format!("{} is listed twice", e.as_str()),
                ));
            }
        }
        Ok(())
    }
}

/// The address checks of [`WebhookInput::validate`].
fn validate_url(url: &str) -> Validated {
    let bad = |message: &str| Err(FieldError::new("url", message).with_rule(Rule::WebhookUrl));
    if url.len() > MAX_URL_BYTES {
        return Err(FieldError::new(
            "url",
            format!("must be at most {MAX_URL_BYTES} bytes"),
        ));
    }
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        r
    } else {
        return bad("must be an address starting with https://");
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not contain spaces or control characters");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return bad("must not contain a user name or password");
    }
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| &h[1..])
    } else {
        authority.split(':').next()
    };
    if host.is_none_or(str::is_empty) {
        return bad("must name a host");
    }
    Ok(())
}

/// A webhook as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    pub format: WebhookFormat,
    /// Epoch ms, as every time here.
    pub created_at: i64,
    pub updated_at: i64,
    /// The latest delivery's outcome, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<WebhookDelivery>,
}

/// `201` answer of `POST /api/v1/webhooks` and answer of `POST …/{id}/secret`: the only time
/// the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    /// `whsec_…`: the key of every delivery's `Vantage-Signature`. Shown only now; a new
    /// one (`POST …/{id}/secret`) replaces it at once.
    pub secret: String,
}

/// `GET /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

unit_enum! {
    /// Where a delivery stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum DeliveryStatus {
        /// Not sent yet, or to be tried again at `nextAttemptAt`.
        Pending,
        /// The receiver answered 2xx.
        Delivered,
        /// Every attempt failed, or the webhook was disabled before it could be sent.
        Failed,
    }
}

/// One event sent (or to be sent) to one webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub id: String,
    /// The payload's `id` and `Vantage-Event-Id`: the same on every attempt.
    pub event_id: String,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the event happened (epoch ms, as every time here).
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<i64>,
    /// When it is tried next (pending deliveries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<i64>,
    /// The receiver's HTTP status on the last attempt, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// Why the last attempt failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/v1/webhooks/{id}/deliveries`: the latest first (at most 50, kept 30 days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryList {
    pub items: Vec<WebhookDelivery>,
}

/// What a delivery's body holds (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    /// The event's id (`evt_…`), also in `Vantage-Event-Id`.
    pub id: String,
    #[serde(rename = "type")]
    pub event: WebhookEvent,
    /// When the event happened (epoch ms).
    pub created_at: i64,
    /// The tenant whose alert it is.
    pub tenant: String,
    /// The alert as it is after the event (`ping`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<Alert>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str) -> WebhookInput {
        WebhookInput {
            name: "Pager".into(),
            url: url.into(),
            events: vec![WebhookEvent::AlertRaised],
            enabled: true,
            format: WebhookFormat::Event,
        }
    }

    #[test]
    fn addresses() {
        for ok in [
            "https://hooks.example.com/vantage",
            "https://hooks.example.com:8443/a?b=c#d",
            "http://127.0.0.1:9000/hook",
            "https://[::1]:9000/hook",
        ] {
            assert_eq!(input(ok).validate(), Ok(()), "{ok}");
        }
        for (bad, says) in [
            ("ftp://example.com", "https://"),
            ("hooks.example.com", "https://"),
            ("https://", "host"),
            ("https:///path", "host"),
            ("https://user:pw@example.com/", "user name"),
            ("https://exa mple.com/", "spaces"),
            ("https://example.com/\n", "spaces"),
            ("https://[]/", "host"),
        ] {
            let e = input(bad).validate().unwrap_err();
            assert_eq!(e.field, "url", "{bad}");
            assert!(e.message.contains(says), "{bad}: {}", e.message);
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(input(&long).validate().unwrap_err().field, "url");
    }

    #[test]
    fn events_and_name() {
        let mut w = input("https://example.com");
        w.events.clear();
        assert_eq!(w.validate().unwrap_err().field, "events");
        w.events = vec![WebhookEvent::AlertResolved, WebhookEvent::AlertResolved];
        assert_eq!(w.validate().unwrap_err().field, "events[1]");
        w.events = vec![WebhookEvent::Ping];
        assert_eq!(w.validate().unwrap_err().field, "events[0]");
        w.events = vec![WebhookEvent::AlertRaised];
        w.name = "  ".into();
        assert_eq!(w.validate().unwrap_err().field, "name");
    }

    #[test]
    fn wire_names() {
        let p = WebhookPayload {
            id: "evt_1".into(),
            event: WebhookEvent::AlertAcknowledged,
            created_at: 5,
            tenant: "t".into(),
            alert: None,
        };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"id":"evt_1","type":"alert.acknowledged","createdAt":5,"tenant":"t"}"#
        );
        assert_eq!(
            serde_json::from_slice::<WebhookPayload>(json.as_bytes()).unwrap(),
            p
        );
        let input: WebhookInput = serde_json::from_slice(
            br#"{"name":"a","url":"https://x.io","events":["alert.raised"]}"#,
        )
        .unwrap();
        assert!(input.enabled);
        assert_eq!(input.format, WebhookFormat::Event);
        let chat: WebhookInput = serde_json::from_slice(
            br#"{"name":"a","url":"https://x.io","events":["alert.raised"],"format":"chat"}"#,
        )
        .unwrap();
        assert_eq!(chat.format, WebhookFormat::Chat);
    }
}
