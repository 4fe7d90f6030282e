//! [`EmbedOptions`]: what an embed needs to mount, as plain Rust values, and the pure rules for
//! checking them. The JS façade parses the host's object into these (`config.rs`); the app's
//! embed page builds them directly. Everything here runs natively, so it is tested natively.

use vantage_contract::Filter;
use vantage_widgets::EChartsModule;

use super::config::ThemeChoice;
use crate::filters::FilterChange;
use crate::live::LiveMode;
use crate::{SdkError, TokenSource};

/// How to mount an embed (see [`super::Embed::mount`]).
#[derive(Clone)]
pub struct EmbedOptions {
    /// The backend origin (`http(s)://…`).
    pub base_url: String,
    /// The dashboard; optional with an embed token (it names its dashboard).
    pub dashboard_id: Option<String>,
    /// Show only this widget.
    pub widget_id: Option<String>,
    /// The initial token (`None` when `token_source` fetches it).
    pub token: Option<String>,
    /// Where renewed tokens come from.
    pub token_source: TokenSource,
    /// `None`: the embed token's tenant brand (light for a user token).
    pub theme: Option<ThemeChoice>,
    /// Initial viewer filters.
    pub filters: Vec<Filter>,
    /// A BCP 47 tag: the root's `lang`, the `Intl` locale of numbers and dates and the UI
    /// text's catalog (`None`: the browser's).
    pub locale: Option<String>,
    /// IANA time zone sent with every data request: time buckets and `today` are computed
    /// there by the server (`None`: UTC).
    pub time_zone: Option<String>,
    /// Live transport.
    pub live: LiveMode,
    /// The ECharts namespace; `None` = `globalThis.echarts`.
    pub echarts: Option<EChartsModule>,
    /// What a click on a datum does after `dataClick` (unless a handler prevented it).
    pub click_behavior: ClickBehavior,
    /// Render inside a shadow root (default), so host CSS cannot restyle the embed and the
    /// embed's CSS cannot leak out; `false` keeps the light DOM for hosts that restyle it.
    pub shadow: bool,
}

/// The default action of a click on a chart datum or table row (`clickBehavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClickBehavior {
    /// Filter the other widgets on the clicked value (a second click clears it).
    #[default]
    CrossFilter,
    /// Nothing beyond the `dataClick` event.
    None,
}

impl ClickBehavior {
    /// Parses `"crossFilter" | "none"`.
    ///
    /// # Errors
    /// [`SdkError::Config`] naming `clickBehavior`; `"drill"` is refused with its own reason.
    pub fn parse(value: &str) -> Result<Self, SdkError> {
        match value {
            "crossFilter" => Ok(Self::CrossFilter),
            "none" => Ok(Self::None),
            "drill" => Err(config(
                "clickBehavior",
                "\"drill\" is not supported by the embed; use \"crossFilter\" or \"none\" (and handle dataClick to drill in your page)",
            )),
            other => Err(config(
                "clickBehavior",
                format!("expected \"crossFilter\" or \"none\", got \"{other}\""),
            )),
        }
    }
}

impl EmbedOptions {
    /// Options for `dashboard_id` on `base_url` with a fixed `token`.
    pub fn new(
        base_url: impl Into<String>,
        dashboard_id: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            dashboard_id: Some(dashboard_id.into()),
            widget_id: None,
            token: Some(token.into()),
            token_source: TokenSource::Static,
            theme: None,
            filters: Vec::new(),
            locale: None,
            time_zone: None,
            live: LiveMode::Auto,
            echarts: None,
            click_behavior: ClickBehavior::CrossFilter,
            shadow: true,
        }
    }

    /// Checks the rules every embed needs, naming the first field that breaks one.
    ///
    /// # Errors
    /// [`SdkError::Config`] naming `baseUrl`, `dashboardId` or `token`.
    pub fn check(&self) -> Result<(), SdkError> {
        check_base_url(&self.base_url)?;
        if self.dashboard_id.is_none() && self.widget_id.is_none() {
            return Err(config(
                "dashboardId",
                "is required (or widgetId for a single-widget embed)",
            ));
        }
        let renews = matches!(self.token_source, TokenSource::Renewing(_));
        if self.token.is_none() && !renews {
            return Err(config("token", "pass token or fetchToken"));
        }
        if let Some(zone) = &self.time_zone {
            vantage_contract::validate_time_zone(zone)
                .map_err(|e| config("timeZone", format!("\"{zone}\" {}", e.message)))?;
        }
        Ok(())
    }
}

pub(super) fn config(field: &'static str, message: impl Into<String>) -> SdkError {
    SdkError::Config {
        field,
        message: message.into(),
    }
}

/// `baseUrl` must be an absolute http(s) URL.
///
/// # Errors
/// [`SdkError::Config`] naming `baseUrl`.
pub fn check_base_url(base_url: &str) -> Result<(), SdkError> {
    if base_url.trim().is_empty() {
        return Err(config(
            "baseUrl",
            "is required, e.g. \"https://analytics.example.com\"",
        ));
    }
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(config(
            "baseUrl",
            format!("must be an http(s) URL, got \"{base_url}\""),
        ));
    }
    Ok(())
}

/// The `setFilters` argument: an array of filters (replacing the viewer's filters) or of
/// operations `{op: "set", filter}`, `{op: "remove", field}`, `{op: "clear"}`.
///
/// # Errors
/// [`SdkError::Config`] naming `filters` and the offending item.
pub fn filter_ops(items: Vec<serde_json::Value>) -> Result<Vec<FilterChange>, SdkError> {
    let bad = |message: String| SdkError::Config {
        field: "filters",
        message,
    };
    // Filters have an `op` too (eq, in…); operations are the ones whose op is set/remove/clear.
    let is_op = items.iter().any(|i| {
        matches!(
            i.get("op").and_then(|o| o.as_str()),
            Some("set" | "remove" | "clear")
        )
    });
    if !is_op {
        let filters: Vec<Filter> = crate::json::from_value(&serde_json::Value::Array(items))
            .map_err(|e| bad(e.to_string()))?;
        return Ok(replace_all(filters));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item.get("op").and_then(|o| o.as_str()) {
            Some("set") => {
                crate::json::from_value(item.get("filter").unwrap_or(&serde_json::Value::Null))
                    .map(FilterChange::Set)
                    .map_err(|e| bad(format!("[{i}].filter: {e}")))
            }
            Some("remove") => item
                .get("field")
                .and_then(|f| f.as_str())
                .map(|f| FilterChange::Remove(f.to_owned()))
                .ok_or_else(|| bad(format!("[{i}].field is required for remove"))),
            Some("clear") => Ok(FilterChange::Clear),
            other => Err(bad(format!(
                "[{i}].op must be \"set\", \"remove\" or \"clear\", got {other:?}"
            ))),
        })
        .collect()
}

/// Operations that replace the viewer's filters with `filters`.
pub fn replace_all(filters: Vec<Filter>) -> Vec<FilterChange> {
    let mut ops = vec![FilterChange::Clear];
    ops.extend(filters.into_iter().map(FilterChange::Set));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(error: SdkError) -> &'static str {
        match error {
            SdkError::Config { field, .. } => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn options_need_an_http_base_url_a_dashboard_and_a_token() {
        let ok = EmbedOptions::new("https://a.example", "d", "t");
        assert!(ok.check().is_ok());
        let mut no_url = ok.clone();
        no_url.base_url = "ftp://a.example".into();
        assert_eq!(field_of(no_url.check().unwrap_err()), "baseUrl");
        let mut no_dashboard = ok.clone();
        no_dashboard.dashboard_id = None;
        assert_eq!(field_of(no_dashboard.check().unwrap_err()), "dashboardId");
        no_dashboard.widget_id = Some("w".into());
        assert!(no_dashboard.check().is_ok(), "a single widget is enough");
        let mut no_token = ok;
        no_token.token = None;
        assert_eq!(field_of(no_token.check().unwrap_err()), "token");
    }

    #[test]
    fn click_behavior_is_cross_filter_or_none_and_drill_is_refused_by_name() {
        assert_eq!(
            ClickBehavior::parse("crossFilter").unwrap(),
            ClickBehavior::CrossFilter
        );
        assert_eq!(ClickBehavior::parse("none").unwrap(), ClickBehavior::None);
        assert_eq!(ClickBehavior::default(), ClickBehavior::CrossFilter);
        let drill = ClickBehavior::parse("drill").unwrap_err().to_string();
        assert!(
            drill.starts_with("clickBehavior: \"drill\" is not supported"),
            "{drill}"
        );
        let other = ClickBehavior::parse("filter").unwrap_err().to_string();
        assert_eq!(
            other,
            "clickBehavior: expected \"crossFilter\" or \"none\", got \"filter\""
        );
    }

    #[test]
    fn base_url_errors_say_what_is_expected() {
        let missing = check_base_url("").unwrap_err().to_string();
        assert!(missing.starts_with("baseUrl: is required"), "{missing}");
        let wrong = check_base_url("example.com").unwrap_err().to_string();
        assert!(wrong.contains("must be an http(s) URL"), "{wrong}");
    }

    #[test]
    fn a_filter_array_replaces_the_viewers_filters() {
        let ops = filter_ops(vec![
            json!({"field": "intent", "op": "eq", "value": "billing"}),
        ])
        .unwrap();
        assert_eq!(
            ops,
            vec![
                FilterChange::Clear,
                FilterChange::Set(Filter::eq("intent", json!("billing")))
            ]
        );
        assert_eq!(filter_ops(vec![]).unwrap(), vec![FilterChange::Clear]);
    }

    #[test]
    fn operations_are_parsed_and_bad_ones_name_their_index() {
        let ops = filter_ops(vec![
            json!({"op": "set", "filter": {"field": "a", "op": "eq", "value": 1}}),
            json!({"op": "remove", "field": "b"}),
            json!({"op": "clear"}),
        ])
        .unwrap();
        assert_eq!(ops[1], FilterChange::Remove("b".into()));
        assert_eq!(ops[2], FilterChange::Clear);
        let error = filter_ops(vec![json!({"op": "clear"}), json!({"op": "remove"})])
            .unwrap_err()
            .to_string();
        assert_eq!(error, "filters: [1].field is required for remove");
        let error = filter_ops(vec![json!({"op": "set"}), json!({"op": "drop"})])
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("filters: [0].filter:"), "{error}");
    }

    #[test]
    fn embeds_render_in_a_shadow_root_unless_told_otherwise() {
        assert!(EmbedOptions::new("https://a.example", "d", "t").shadow);
    }
}
