//! The `EmbeddedDashboard` configuration object, checked field by field so a host developer
//! gets an error naming the field ("theme: expected \"light\", \"dark\", \"system\" or a
//! Branding object") instead of a failure later.

use js_sys::{Function, Reflect};
use vantage_contract::{Branding, Filter, ThemeMode};
use vantage_widgets::{Mode, Theme};
use wasm_bindgen::{JsCast, JsValue};

use crate::live::LiveMode;
use crate::SdkError;

/// Which look the embed takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ThemeChoice {
    Light,
    Dark,
    /// Follows the viewer's `prefers-color-scheme`.
    System,
    /// A white-label brand.
    Brand(Box<Branding>),
}

impl ThemeChoice {
    /// Parses `"light" | "dark" | "system" | Branding`.
    ///
    /// # Errors
    /// [`SdkError::Config`] naming `theme` (or the invalid branding field).
    pub fn from_js(value: &JsValue) -> Result<Self, SdkError> {
        if let Some(name) = value.as_string() {
            return match name.as_str() {
                "light" => Ok(ThemeChoice::Light),
                "dark" => Ok(ThemeChoice::Dark),
                "system" => Ok(ThemeChoice::System),
                other => Err(config("theme", format!("expected \"light\", \"dark\", \"system\" or a Branding object, got \"{other}\""))),
            };
        }
        if !value.is_object() {
            return Err(config(
                "theme",
                "expected \"light\", \"dark\", \"system\" or a Branding object",
            ));
        }
        let mut branding = Branding::default();
        let provided: serde_json::Value = serde_wasm_bindgen::from_value(value.clone())
            .map_err(|e| config("theme", format!("not a Branding object: {e}")))?;
        let mut merged =
            serde_json::to_value(&branding).map_err(|e| config("theme", e.to_string()))?;
        if let (Some(target), Some(source)) = (merged.as_object_mut(), provided.as_object()) {
            for (key, v) in source {
                target.insert(key.clone(), v.clone());
            }
        }
        branding = serde_json::from_value(merged).map_err(|e| config("theme", e.to_string()))?;
        branding.validate().map_err(|e| SdkError::Config {
            field: "theme",
            message: format!("{}: {}", e.field, e.message),
        })?;
        Ok(ThemeChoice::Brand(Box::new(branding)))
    }

    /// The widget theme for this choice.
    pub fn resolve(&self) -> Theme {
        let prefers_dark = || {
            web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches())
        };
        match self {
            ThemeChoice::Light => Theme::light(),
            ThemeChoice::Dark => Theme::dark(),
            ThemeChoice::System => {
                if prefers_dark() {
                    Theme::dark()
                } else {
                    Theme::light()
                }
            }
            ThemeChoice::Brand(b) => {
                let mode = match b.mode {
                    ThemeMode::Light => Mode::Light,
                    ThemeMode::Dark => Mode::Dark,
                    ThemeMode::System => {
                        if prefers_dark() {
                            Mode::Dark
                        } else {
                            Mode::Light
                        }
                    }
                };
                Theme::branded(
                    mode,
                    &b.primary_color,
                    &b.secondary_color,
                    Some(&b.font_family),
                    &b.chart_palette,
                )
                .unwrap_or_else(|_| Theme::light().with_mode(mode))
            }
        }
    }
}

/// The parsed configuration.
#[derive(Clone)]
pub struct EmbedConfig {
    pub base_url: String,
    pub dashboard_id: Option<String>,
    pub widget_id: Option<String>,
    pub token: Option<String>,
    pub fetch_token: Option<Function>,
    /// `None` when the host passed no theme: the embed token's tenant brand applies (light for
    /// a user token). An explicit `"light"`, `"dark"`, `"system"` or brand always wins.
    pub theme: Option<ThemeChoice>,
    pub filters: Vec<Filter>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    pub live: LiveMode,
    pub echarts: Option<JsValue>,
}

fn config(field: &'static str, message: impl Into<String>) -> SdkError {
    SdkError::Config {
        field,
        message: message.into(),
    }
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn optional_string(object: &JsValue, name: &'static str) -> Result<Option<String>, SdkError> {
    let value = field(object, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_string() {
        Some(s) if !s.trim().is_empty() => Ok(Some(s)),
        Some(_) => Err(config(name, "must not be empty")),
        None => Err(config(name, "must be a string")),
    }
}

impl EmbedConfig {
    /// Parses and checks the host's configuration object.
    ///
    /// # Errors
    /// [`SdkError::Config`] naming the first invalid field.
    pub fn from_js(object: &JsValue) -> Result<Self, SdkError> {
        if !object.is_object() {
            return Err(config(
                "config",
                "pass an object: new EmbeddedDashboard({ baseUrl, dashboardId, token })",
            ));
        }
        let base_url = optional_string(object, "baseUrl")?.ok_or_else(|| {
            config(
                "baseUrl",
                "is required, e.g. \"https://analytics.example.com\"",
            )
        })?;
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(config(
                "baseUrl",
                format!("must be an http(s) URL, got \"{base_url}\""),
            ));
        }
        let dashboard_id = optional_string(object, "dashboardId")?;
        let widget_id = optional_string(object, "widgetId")?;
        if dashboard_id.is_none() && widget_id.is_none() {
            return Err(config(
                "dashboardId",
                "is required (or widgetId for a single-widget embed)",
            ));
        }
        let token = optional_string(object, "token")?;
        let fetch_token = match field(object, "fetchToken") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(v.dyn_into::<Function>().map_err(|_| {
                config(
                    "fetchToken",
                    "must be a function returning a Promise<string>",
                )
            })?),
        };
        if token.is_none() && fetch_token.is_none() {
            return Err(config("token", "pass token or fetchToken"));
        }
        let theme = match field(object, "theme") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(ThemeChoice::from_js(&v)?),
        };
        let filters = match field(object, "filters") {
            v if v.is_undefined() || v.is_null() => Vec::new(),
            v => serde_wasm_bindgen::from_value(v)
                .map_err(|e| config("filters", format!("expected an array of filters: {e}")))?,
        };
        let live = match optional_string(object, "live")? {
            None => LiveMode::Auto,
            Some(value) => LiveMode::parse(&value).ok_or_else(|| {
                config(
                    "live",
                    format!(
                        "expected \"auto\", \"websocket\", \"sse\" or \"off\", got \"{value}\""
                    ),
                )
            })?,
        };
        let echarts = match field(object, "echarts") {
            v if v.is_undefined() || v.is_null() => None,
            v => {
                vantage_widgets::EChartsModule::from_js(v.clone()).map_err(|_| {
                    config(
                        "echarts",
                        "must be the ECharts namespace (an object with init)",
                    )
                })?;
                Some(v)
            }
        };
        Ok(Self {
            base_url,
            dashboard_id,
            widget_id,
            token,
            fetch_token,
            theme,
            filters,
            locale: optional_string(object, "locale")?,
            time_zone: optional_string(object, "timeZone")?,
            live,
            echarts,
        })
    }
}
