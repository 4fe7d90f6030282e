//! The webhooks section as plain data: the form's content ([`WebhookDraft`]) and its check (the
//! contract's, worded in the viewer's language by [`rule_message`]), where a webhook's latest
//! delivery stands in words ([`Outcome`]), and when a test delivery has an answer to show
//! ([`test_settled`]). The components only wire these (native tests below).

use vantage_contract::{
    DeliveryStatus, FieldError, Rule, Webhook, WebhookDelivery, WebhookEvent, WebhookFormat,
    WebhookInput,
};

use crate::i18n::{tr, trf, W};

/// The events a webhook may ask for, in the form's order (`ping` is sent by a test only).
pub const ALERT_EVENTS: [WebhookEvent; 3] = [
    WebhookEvent::AlertRaised,
    WebhookEvent::AlertAcknowledged,
    WebhookEvent::AlertResolved,
];

/// An event in words, in the viewer's language ("Alert raised").
pub fn event_label(event: WebhookEvent) -> &'static str {
    tr(match event {
        WebhookEvent::AlertRaised => W::EvRaised,
        WebhookEvent::AlertAcknowledged => W::EvAcknowledged,
        WebhookEvent::AlertResolved => W::EvResolved,
        WebhookEvent::Ping => W::EvPing,
    })
}

/// A webhook's events in words, in the form's order ("Alert raised, Alert resolved").
pub fn events_text(events: &[WebhookEvent]) -> String {
    let ordered = ALERT_EVENTS.iter().chain(&[WebhookEvent::Ping]);
    let words: Vec<&str> = ordered
        .filter(|e| events.contains(e))
        .map(|e| event_label(*e))
        .collect();
    words.join(", ")
}

/// A delivery's status in words ("Delivered").
pub fn status_label(status: DeliveryStatus) -> &'static str {
    tr(match status {
        DeliveryStatus::Pending => W::Pending,
        DeliveryStatus::Delivered => W::Delivered,
        DeliveryStatus::Failed => W::Failed,
    })
}

/// The webhook form's content as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDraft {
    pub name: String,
    pub url: String,
    /// The events checked, in [`ALERT_EVENTS`]' order.
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    pub format: WebhookFormat,
}

impl Default for WebhookDraft {
    /// An empty form: every alert event checked, enabled.
    fn default() -> Self {
        Self {
            name: String::new(),
            url: String::new(),
            events: ALERT_EVENTS.to_vec(),
            enabled: true,
            format: WebhookFormat::Event,
        }
    }
}

impl WebhookDraft {
    /// The form filled with a stored webhook, to edit it.
    pub fn from_webhook(webhook: &Webhook) -> Self {
        let mut draft = Self {
            name: webhook.name.clone(),
            url: webhook.url.clone(),
            events: Vec::new(),
            enabled: webhook.enabled,
            format: webhook.format,
        };
        for e in &webhook.events {
            draft.set_event(*e, true);
        }
        draft
    }

    /// Whether `event`'s box is checked.
    pub fn has(&self, event: WebhookEvent) -> bool {
        self.events.contains(&event)
    }

    /// Checks or unchecks `event` (only the alert events are offered).
    pub fn set_event(&mut self, event: WebhookEvent, on: bool) {
        let chosen = ALERT_EVENTS
            .into_iter()
            .filter(|e| if *e == event { on } else { self.has(*e) })
            .collect();
        self.events = chosen;
    }

    /// The request body (name and address trimmed), checked by the rule the server applies, so
    /// a form that breaks it sends nothing.
    ///
    /// # Errors
    /// The contract's first problem, naming the field as the server would (`url`, `events`).
    pub fn to_input(&self) -> Result<WebhookInput, FieldError> {
        let input = WebhookInput {
            name: self.name.trim().to_owned(),
            url: self.url.trim().to_owned(),
            events: self.events.clone(),
            enabled: self.enabled,
            format: self.format,
        };
        input.validate()?;
        Ok(input)
    }
}

/// The form control (`name`, `url`, `events`) that shows a message naming `field`, as the
/// form's own check or the server's 422 names it (`events[1]` is the events' box); `None`: the
/// message is the whole form's.
pub fn control_of(field: &str) -> Option<&'static str> {
    match field {
        "name" => Some("name"),
        "url" => Some("url"),
        f if f == "events" || f.starts_with("events[") => Some("events"),
        _ => None,
    }
}

/// A contract rule the form broke, in the viewer's language; else the contract's English
/// message (an address over 2,000 bytes, an event listed twice: the form cannot make those).
pub fn rule_message(e: &FieldError) -> String {
    match e.rule {
        Some(Rule::Required) => tr(W::RuleRequired).to_owned(),
        Some(Rule::AtMostChars(max)) => trf(W::RuleAtMostChars, &[&max.to_string()]),
        Some(Rule::NoControlCharacters) => tr(W::RuleNoControlChars).to_owned(),
        Some(Rule::WebhookUrl) => tr(W::RuleWebhookUrl).to_owned(),
        Some(Rule::AtLeastOneEvent) => tr(W::RuleAtLeastOneEvent).to_owned(),
        _ => e.message.clone(),
    }
}

/// Where a webhook's latest delivery stands, as its row says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing sent yet.
    Never,
    /// Queued, not tried yet.
    Sending,
    /// Answered 2xx (`at`: the answer's time, epoch ms).
    Delivered { status: Option<u16>, at: i64 },
    /// Tried and refused or unanswered; tried again at `next` (epoch ms).
    Failing {
        status: Option<u16>,
        next: Option<i64>,
    },
    /// Given up.
    Failed { status: Option<u16> },
}

impl Outcome {
    /// The outcome of `last`, a webhook's latest delivery.
    pub fn of(last: Option<&WebhookDelivery>) -> Self {
        let Some(d) = last else {
            return Self::Never;
        };
        let status = d.response_status;
        match d.status {
            DeliveryStatus::Delivered => Self::Delivered {
                status,
                at: d.last_attempt_at.unwrap_or(d.created_at),
            },
            DeliveryStatus::Failed => Self::Failed { status },
            DeliveryStatus::Pending if d.attempts == 0 => Self::Sending,
            DeliveryStatus::Pending => Self::Failing {
                status,
                next: d.next_attempt_at,
            },
        }
    }

    /// In words at `now` (epoch ms): "Delivered · 200 · 2 min ago", "Failing · 500 · next try
    /// in 5 min", "Failed · 500".
    pub fn text(self, now: i64) -> String {
        let code = |s: Option<u16>| s.map(|s| s.to_string());
        let parts: Vec<String> = match self {
            Self::Never => vec![tr(W::NothingSent).into()],
            Self::Sending => vec![tr(W::Sending).into()],
            Self::Delivered { status, at } => [Some(tr(W::Delivered).into()), code(status)]
                .into_iter()
                .flatten()
                .chain([ago(now - at)])
                .collect(),
            Self::Failing { status, next } => {
                let answer = code(status).unwrap_or_else(|| tr(W::NoAnswer).into());
                let retry = next.map(|n| trf(W::NextTry, &[&next_in(n - now)]));
                [Some(tr(W::Failing).into()), Some(answer), retry]
                    .into_iter()
                    .flatten()
                    .collect()
            }
            Self::Failed { status } => [Some(tr(W::Failed).into()), code(status)]
                .into_iter()
                .flatten()
                .collect(),
        };
        parts.join(" · ")
    }

    /// The CSS class that colours it (`ok`, `failing`, `failed`; empty otherwise).
    pub fn class(self) -> &'static str {
        match self {
            Self::Delivered { .. } => "ok",
            Self::Failing { .. } => "failing",
            Self::Failed { .. } => "failed",
            Self::Never | Self::Sending => "",
        }
    }
}

/// A span of `ms` in words, rounded to its largest unit ("45 s", "5 min", "2 h", "3 d").
pub fn span(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1_000;
    let round = |unit: i64| (secs + unit / 2) / unit;
    let (n, key) = if secs < 60 {
        (secs, W::Seconds)
    } else if round(60) < 60 {
        (round(60), W::Minutes)
    } else if round(3_600) < 24 {
        (round(3_600), W::Hours)
    } else {
        (round(86_400), W::Days)
    };
    trf(key, &[&n.to_string()])
}

/// `ms` ago in words ("just now" under ten seconds).
pub fn ago(ms: i64) -> String {
    if ms < 10_000 {
        tr(W::JustNow).into()
    } else {
        trf(W::Ago, &[&span(ms)])
    }
}

/// In `ms` in words ("shortly" once it is due).
fn next_in(ms: i64) -> String {
    if ms <= 0 {
        tr(W::Shortly).into()
    } else {
        trf(W::In, &[&span(ms)])
    }
}

/// Whether the deliveries `list` show delivery `id` with an answer: delivered, failed, or tried
/// at least once (a refused first attempt waits ten seconds for the next).
pub fn test_settled(list: &[WebhookDelivery], id: &str) -> bool {
    list.iter()
        .find(|d| d.id == id)
        .is_some_and(|d| d.status != DeliveryStatus::Pending || d.attempts > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(status: DeliveryStatus, attempts: u32) -> WebhookDelivery {
        WebhookDelivery {
            id: "whd_1".into(),
            event_id: "evt_1".into(),
            event: WebhookEvent::Ping,
            status,
            attempts,
            created_at: 1_000_000,
            last_attempt_at: (attempts > 0).then_some(1_000_000),
            next_attempt_at: None,
            response_status: None,
            error: None,
        }
    }

    #[test]
    fn a_new_form_asks_for_every_alert_event_and_sends_trimmed_text() {
        let mut d = WebhookDraft {
            name: "  On-call pager ".into(),
            url: " https://hooks.example.com/vantage ".into(),
            ..WebhookDraft::default()
        };
        assert!(ALERT_EVENTS.iter().all(|e| d.has(*e)));
        d.set_event(WebhookEvent::AlertAcknowledged, false);
        let input = d.to_input().unwrap();
        assert_eq!(input.name, "On-call pager");
        assert_eq!(input.url, "https://hooks.example.com/vantage");
        assert_eq!(
            input.events,
            [WebhookEvent::AlertRaised, WebhookEvent::AlertResolved]
        );
        assert!(input.enabled);
        // Checked again, it takes its place in the form's order, once.
        d.set_event(WebhookEvent::AlertAcknowledged, true);
        d.set_event(WebhookEvent::AlertAcknowledged, true);
        assert_eq!(d.events, ALERT_EVENTS);
    }

    #[test]
    fn a_stored_webhook_round_trips_through_the_form() {
        let input = WebhookInput {
            name: "Relay".into(),
            url: "http://127.0.0.1:9000/hook".into(),
            events: vec![WebhookEvent::AlertResolved, WebhookEvent::AlertRaised],
            enabled: false,
            format: WebhookFormat::Chat,
        };
        let stored = Webhook {
            id: "wh_1".into(),
            name: input.name.clone(),
            url: input.url.clone(),
            events: input.events.clone(),
            enabled: false,
            format: WebhookFormat::Chat,
            created_at: 1,
            updated_at: 1,
            last_delivery: None,
        };
        let d = WebhookDraft::from_webhook(&stored);
        assert_eq!(
            d.events,
            [WebhookEvent::AlertRaised, WebhookEvent::AlertResolved]
        );
        let back = d.to_input().unwrap();
        assert_eq!(
            (back.name, back.url, back.enabled, back.format),
            (input.name, input.url, false, WebhookFormat::Chat)
        );
        assert_eq!(events_text(&stored.events), "Alert raised, Alert resolved");
    }

    #[test]
    fn the_form_names_the_field_and_words_the_rule_before_sending() {
        let bad = |change: fn(&mut WebhookDraft)| {
            let mut d = WebhookDraft {
                name: "Pager".into(),
                url: "https://example.com/hook".into(),
                ..WebhookDraft::default()
            };
            change(&mut d);
            let e = d.to_input().unwrap_err();
            (control_of(&e.field), rule_message(&e))
        };
        let url_rule = "Enter an address starting with https:// that names a host, without spaces, user name or password";
        assert_eq!(
            bad(|d| d.url = "ftp://x".into()),
            (Some("url"), url_rule.into())
        );
        assert_eq!(
            bad(|d| d.url = "https://a b".into()),
            (Some("url"), url_rule.into())
        );
        assert_eq!(
            bad(|d| d.events.clear()),
            (Some("events"), "Choose at least one event".into())
        );
        assert_eq!(
            bad(|d| d.name = " ".into()),
            (Some("name"), "Required".into())
        );
        assert_eq!(
            bad(|d| d.name = "x".repeat(121)),
            (Some("name"), "At most 120 characters".into())
        );
        // The server's 422 names these too; `events[i]` belongs to the events' box.
        assert_eq!(control_of("events[2]"), Some("events"));
        assert_eq!(control_of("enabled"), None);
    }

    #[test]
    fn the_last_delivery_reads_as_its_outcome() {
        let now = 10_000_000;
        assert_eq!(Outcome::of(None).text(now), "Nothing sent yet");
        assert_eq!(
            Outcome::of(Some(&delivery(DeliveryStatus::Pending, 0))).text(now),
            "Sending…"
        );
        let mut ok = delivery(DeliveryStatus::Delivered, 1);
        ok.response_status = Some(200);
        ok.last_attempt_at = Some(now - 120_000);
        assert_eq!(
            Outcome::of(Some(&ok)).text(now),
            "Delivered · 200 · 2 min ago"
        );
        ok.last_attempt_at = Some(now - 3_000);
        assert_eq!(
            Outcome::of(Some(&ok)).text(now),
            "Delivered · 200 · just now"
        );
        let mut failing = delivery(DeliveryStatus::Pending, 2);
        failing.response_status = Some(500);
        failing.next_attempt_at = Some(now + 299_400);
        let outcome = Outcome::of(Some(&failing));
        assert_eq!(outcome.text(now), "Failing · 500 · next try in 5 min");
        assert_eq!(outcome.class(), "failing");
        failing.response_status = None;
        failing.next_attempt_at = Some(now - 1);
        assert_eq!(
            Outcome::of(Some(&failing)).text(now),
            "Failing · no answer · next try shortly"
        );
        assert_eq!(
            Outcome::of(Some(&delivery(DeliveryStatus::Failed, 7))).text(now),
            "Failed"
        );
    }

    #[test]
    fn spans_round_to_their_largest_unit() {
        assert_eq!(span(9_600), "10 s");
        assert_eq!(span(59_000), "59 s");
        assert_eq!(span(90_000), "2 min");
        assert_eq!(span(3_570_000), "1 h");
        assert_eq!(span(7_200_000), "2 h");
        assert_eq!(span(3 * 86_400_000), "3 d");
        assert_eq!(ago(45_000), "45 s ago");
    }

    #[test]
    fn a_test_has_its_answer_once_delivered_failed_or_tried() {
        let mut list = vec![delivery(DeliveryStatus::Pending, 0)];
        assert!(!test_settled(&list, "whd_1"));
        assert!(!test_settled(&list, "whd_2"));
        list[0].attempts = 1;
        assert!(test_settled(&list, "whd_1"));
        list[0] = delivery(DeliveryStatus::Delivered, 1);
        assert!(test_settled(&list, "whd_1"));
    }
}
