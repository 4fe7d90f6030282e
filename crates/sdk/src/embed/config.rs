//! The `EmbeddedDashboard` configuration object (a JS value), parsed into [`EmbedOptions`] and
//! checked field by field so a host developer
//! gets an error naming the field ("theme: expected \"light\", \"dark\", \"system\" or a
//! Branding object") instead of a failure later.

use std::rc::Rc;

use futures::FutureExt;
use js_sys::{Function, Promise, Reflect};
use vantage_contract::{Branding, ThemeMode};
use vantage_widgets::{EChartsModule, Mode, Theme};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::events::{self, Emitter};
use super::options::{check_base_url, ClickBehavior, EmbedOptions};
use crate::live::LiveMode;
use crate::{SdkError, TokenSource};

/// Which look the embed takes: a colour mode (`"light" | "dark" | "system"`) in the default
/// look, or a white-label brand (which carries its own mode).
#[derive(Debug, Clone, PartialEq)]
pub enum ThemeChoice {
    /// The default look in this mode; `System` follows the viewer's `prefers-color-scheme`.
    Mode(ThemeMode),
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
                "light" => Ok(ThemeChoice::Mode(ThemeMode::Light)),
                "dark" => Ok(ThemeChoice::Mode(ThemeMode::Dark)),
                "system" => Ok(ThemeChoice::Mode(ThemeMode::System)),
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
        let provided: serde_json::Value = crate::json::from_js(value)
            .map_err(|e| config("theme", format!("not a Branding object: {e}")))?;
        // An array or a `Date` is an object to JS, not a Branding.
        let Some(source) = provided.as_object() else {
            return Err(config(
                "theme",
                "expected \"light\", \"dark\", \"system\" or a Branding object",
            ));
        };
        let mut merged =
            serde_json::to_value(&branding).map_err(|e| config("theme", e.to_string()))?;
        if let Some(target) = merged.as_object_mut() {
            for (key, v) in source {
                target.insert(key.clone(), v.clone());
            }
        }
        branding = crate::json::from_value(&merged).map_err(|e| config("theme", e.to_string()))?;
        branding.validate().map_err(|e| SdkError::Config {
            field: "theme",
            message: format!("{}: {}", e.field, e.message),
        })?;
        Ok(ThemeChoice::Brand(Box::new(branding)))
    }

    /// The widget theme for this choice, now (a `system` mode asks the browser).
    pub fn resolve(&self) -> Theme {
        match self {
            ThemeChoice::Mode(mode) => Theme::light().with_mode(Mode::resolve(*mode)),
            ThemeChoice::Brand(b) => Theme::for_branding(b, Mode::resolve(b.mode)),
        }
    }
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

/// The browser's time zone database must know `zone` (`Intl.DateTimeFormat` throws a
/// `RangeError` otherwise), so a typo is a config error here rather than a 422 per request.
fn check_time_zone_known(zone: &str) -> Result<(), SdkError> {
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"timeZone".into(), &zone.into());
    let args = js_sys::Array::of2(&JsValue::UNDEFINED, &options);
    let unknown = || {
        config(
            "timeZone",
            format!("unknown time zone \"{zone}\": use an IANA name such as \"Europe/Berlin\""),
        )
    };
    let constructor: Function = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| Reflect::get(&intl, &"DateTimeFormat".into()))
        .ok()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(unknown)?;
    Reflect::construct(&constructor, &args)
        .map(|_| ())
        .map_err(|_| unknown())
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

/// Parses and checks the host's configuration object into [`EmbedOptions`]; a `fetchToken`
/// becomes a renewing token source that reports a bad answer as `authExpired` on `emitter`.
///
/// # Errors
/// [`SdkError::Config`] naming the first invalid field.
pub fn options_from_js(object: &JsValue, emitter: &Emitter) -> Result<EmbedOptions, SdkError> {
    if !object.is_object() {
        return Err(config(
            "config",
            "pass an object: new EmbeddedDashboard({ baseUrl, dashboardId, token })",
        ));
    }
    let base_url = optional_string(object, "baseUrl")?.unwrap_or_default();
    check_base_url(&base_url)?;
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
        v => crate::json::from_js(&v)
            .map_err(|e| config("filters", format!("expected an array of filters: {e}")))?,
    };
    let live = match optional_string(object, "live")? {
        None => LiveMode::Auto,
        Some(value) => LiveMode::parse(&value).ok_or_else(|| {
            config(
                "live",
                format!("expected \"auto\", \"websocket\", \"sse\" or \"off\", got \"{value}\""),
            )
        })?,
    };
    let echarts = match field(object, "echarts") {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(EChartsModule::from_js(v).map_err(|_| {
            config(
                "echarts",
                "must be the ECharts namespace (an object with init)",
            )
        })?),
    };
    let click_behavior = match optional_string(object, "clickBehavior")? {
        None => ClickBehavior::CrossFilter,
        Some(value) => ClickBehavior::parse(&value)?,
    };
    let shadow = match field(object, "shadow") {
        v if v.is_undefined() || v.is_null() => true,
        v => v
            .as_bool()
            .ok_or_else(|| config("shadow", "must be true or false"))?,
    };
    let locale = optional_string(object, "locale")?;
    let time_zone = optional_string(object, "timeZone")?;
    if let Some(zone) = &time_zone {
        check_time_zone_known(zone)?;
    }
    let options = EmbedOptions {
        base_url,
        dashboard_id,
        widget_id,
        token,
        token_source: fetch_token.map_or(TokenSource::Static, |f| token_source(f, emitter)),
        theme,
        filters,
        locale,
        time_zone,
        live,
        echarts,
        click_behavior,
        shadow,
    };
    options.check()?;
    Ok(options)
}

/// A renewing token source calling the host's `fetchToken`.
fn token_source(fetch: Function, emitter: &Emitter) -> TokenSource {
    let emitter = emitter.clone();
    TokenSource::Renewing(Rc::new(move || {
        let (fetch, emitter) = (fetch.clone(), emitter.clone());
        async move {
            let promise = fetch
                .call0(&JsValue::NULL)
                .map_err(|e| SdkError::AuthExpired(format!("fetchToken threw: {e:?}")))?;
            let value = JsFuture::from(Promise::resolve(&promise))
                .await
                .map_err(|e| SdkError::AuthExpired(format!("fetchToken rejected: {e:?}")))?;
            let token = value
                .as_string()
                .ok_or_else(|| SdkError::AuthExpired("fetchToken must resolve to a string".into()));
            if token.is_err() {
                events::auth_expired(&emitter, "fetchToken must resolve to a string");
            }
            token
        }
        .boxed_local()
    }))
}
