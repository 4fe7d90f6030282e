//! `EmbeddedDashboard`: the `vantage-embed` JS API.
//!
//! ```js
//! import init, { EmbeddedDashboard } from "vantage-embed";
//! await init();
//! const dash = new EmbeddedDashboard({ baseUrl, dashboardId, token });
//! dash.on("ready", (e) => console.log(e.name));
//! await dash.render("#analytics");
//! ```
//!
//! Lifetime: `destroy()` unmounts the view (disposing every ECharts instance and reactive
//! owner), closes the live connection, aborts requests, drops event handlers and removes the
//! embed's root element, and disposes the reactive owner that holds the store's signals (the
//! loaded data), so wasm memory is reused by the next embed. Until `destroy()` the embed keeps it.

mod config;
mod events;
pub mod export;
mod types;
pub mod xlsx;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::FutureExt;
use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::prelude::*;
use vantage_contract::{Filter, TimeRange};
use vantage_widgets::{provide_echarts, ChartClick, EChartsModule};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::HtmlElement;

pub use config::{EmbedConfig, ThemeChoice};
pub use events::{Emitter, EVENTS};

use crate::filters::{FilterOp, FilterSet};
use crate::live::{LiveOptions, LiveStatus};
use crate::{
    ApiClient, ClientConfig, DashboardStore, DashboardView, SdkError, TokenSource, TokenStore,
};

struct Mounted {
    /// Owns the store's signals and the view's: cleaned up by `destroy()`. Signals created
    /// outside any owner live in leptos' arena for the page's lifetime, which leaked every
    /// embed's dashboard data (≈ 40 KiB of wasm memory per mount/destroy cycle).
    owner: Owner,
    _handle: Box<dyn Any>,
    store: DashboardStore,
    root: HtmlElement,
    chart_theme: RwSignal<Option<String>>,
    /// The theme in effect (the host's, or the tenant brand when it passed none).
    theme: RefCell<ThemeChoice>,
    /// Re-applies a `"system"` theme (or a brand in system mode) when the viewer's colour
    /// scheme changes; removed by `destroy()`.
    scheme_listener: Option<(web_sys::MediaQueryList, Closure<dyn Fn()>)>,
}

/// Applies the mounted embed's current theme to its root and charts.
fn apply_mounted_theme(inner: &Inner) {
    let module = inner
        .config
        .borrow()
        .echarts
        .clone()
        .and_then(|m| EChartsModule::from_js(m).ok());
    if let Some(mounted) = inner.mounted.borrow().as_ref() {
        let theme = mounted.theme.borrow().resolve();
        let name = vantage_widgets::styles::apply_theme(&mounted.root, &theme, module.as_ref());
        mounted.chart_theme.set(name);
    }
}

/// Listens for `prefers-color-scheme` changes and re-applies the theme of the embed.
fn watch_color_scheme(inner: &Rc<Inner>) -> Option<(web_sys::MediaQueryList, Closure<dyn Fn()>)> {
    let query = web_sys::window()?
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()?;
    let weak = Rc::downgrade(inner);
    let listener = Closure::<dyn Fn()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            apply_mounted_theme(&inner);
        }
    });
    query
        .add_event_listener_with_callback("change", listener.as_ref().unchecked_ref())
        .ok()?;
    Some((query, listener))
}

struct Inner {
    config: RefCell<EmbedConfig>,
    api: ApiClient,
    emitter: Rc<Emitter>,
    mounted: RefCell<Option<Mounted>>,
    rendering: Cell<bool>,
}

/// An embedded dashboard (or single widget) in a host page. See the module docs.
#[wasm_bindgen]
pub struct EmbeddedDashboard {
    inner: Rc<Inner>,
}

fn js_error(error: impl std::fmt::Display) -> JsValue {
    JsError::new(&error.to_string()).into()
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

fn token_source(config: &EmbedConfig, emitter: &Rc<Emitter>) -> TokenSource {
    let Some(fetch) = config.fetch_token.clone() else {
        return TokenSource::Static;
    };
    let emitter = Rc::clone(emitter);
    TokenSource::Renewing(Rc::new(move || {
        let (fetch, emitter) = (fetch.clone(), Rc::clone(&emitter));
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
                emitter.emit(
                    "authExpired",
                    &object(&[("message", "fetchToken must resolve to a string".into())]),
                );
            }
            token
        }
        .boxed_local()
    }))
}

fn resolve_container(container: &JsValue) -> Result<HtmlElement, SdkError> {
    if let Some(selector) = container.as_string() {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| SdkError::Config {
                field: "container",
                message: "no document: render() must run in a browser".into(),
            })?;
        let found = document.query_selector(&selector).ok().flatten();
        return found
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            .ok_or_else(|| SdkError::Config {
                field: "container",
                message: format!("container '{selector}' not found"),
            });
    }
    container
        .clone()
        .dyn_into::<HtmlElement>()
        .map_err(|_| SdkError::Config {
            field: "container",
            message: "must be a CSS selector or an HTMLElement".into(),
        })
}

#[wasm_bindgen]
impl EmbeddedDashboard {
    /// Checks the configuration; nothing is fetched until `render`.
    ///
    /// # Errors
    /// An error naming the invalid field (`baseUrl`, `dashboardId`, `theme`, `fetchToken`…).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EmbedConfig")] config: JsValue,
    ) -> Result<EmbeddedDashboard, JsError> {
        let config = EmbedConfig::from_js(&config).map_err(|e| JsError::new(&e.to_string()))?;
        let emitter = Rc::new(Emitter::default());
        let tokens = TokenStore::new(config.token.clone(), token_source(&config, &emitter));
        {
            let emitter = Rc::clone(&emitter);
            tokens.on_renewed(move |_| emitter.emit("tokenRefreshed", &object(&[])));
        }
        let api = ApiClient::new(ClientConfig::new(config.base_url.clone()), tokens);
        Ok(Self {
            inner: Rc::new(Inner {
                config: RefCell::new(config),
                api,
                emitter,
                mounted: RefCell::new(None),
                rendering: Cell::new(false),
            }),
        })
    }

    /// Renders into `container` (a CSS selector or an element). Resolves once the dashboard
    /// definition is loaded; rejects with a readable message otherwise.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn render(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | HTMLElement")] container: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            render(inner, container)
                .await
                .map(|()| JsValue::UNDEFINED)
                .map_err(js_error)
        })
    }

    /// Adds an event handler (`ready`, `rendered`, `error`, `filtersChanged`, `dataClick`,
    /// `liveStatus`, `tokenRefreshed`, `authExpired`).
    ///
    /// # Errors
    /// For an unknown event name.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, event: &str, handler: Function) -> Result<(), JsError> {
        self.inner
            .emitter
            .on(event, handler)
            .map_err(|e| JsError::new(&e))
    }

    /// Removes an event handler.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, event: &str, handler: &Function) {
        self.inner.emitter.off(event, handler);
    }

    /// Changes filters. `ops` is an array of filters (replacing the viewer's filters) or of
    /// operations `{op: "set", filter}`, `{op: "remove", field}`, `{op: "clear"}`.
    /// Rejects, changing nothing, when an operation touches a filter locked by the embed token.
    #[wasm_bindgen(js_name = setFilters, unchecked_return_type = "Promise<void>")]
    pub fn set_filters(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Filter[] | FilterOp[]")] ops: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let ops = parse_filter_ops(&ops).map_err(js_error)?;
            let store = store_of(&inner).map_err(js_error)?;
            store.set_filters(ops).map_err(js_error)?;
            let filters = serde_wasm_bindgen::to_value(&store.filters.get_untracked().effective())
                .unwrap_or(JsValue::NULL);
            inner
                .emitter
                .emit("filtersChanged", &object(&[("filters", filters)]));
            wait_for_load(&store).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The filters in effect (locked first), as contract `Filter` objects.
    #[wasm_bindgen(js_name = getFilters, unchecked_return_type = "Filter[]")]
    pub fn get_filters(&self) -> Result<JsValue, JsError> {
        let store = store_of(&self.inner).map_err(|e| JsError::new(&e.to_string()))?;
        serde_wasm_bindgen::to_value(&store.filters.get_untracked().effective())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Re-queries every widget; resolves when the new data is in.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn refresh(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let store = store_of(&inner).map_err(js_error)?;
            store.refetch();
            wait_for_load(&store).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Exports data already loaded, as a `Blob`: `{ widgetId?, format: "csv" | "json" | "xlsx", bom? }`.
    /// XLSX has one sheet per widget (only the given widget with `widgetId`).
    #[wasm_bindgen(js_name = exportData, unchecked_return_type = "Promise<Blob>")]
    pub fn export_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportDataOptions")] options: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { export_data(&inner, &options).map_err(js_error) })
    }

    /// Exports a chart as an image `Blob`: `{ widgetId, format: "png" | "svg" }` (PNG at twice the
    /// chart's size; SVG re-rendered by ECharts' SVG renderer).
    #[wasm_bindgen(js_name = exportImage, unchecked_return_type = "Promise<Blob>")]
    pub fn export_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImageOptions")] options: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { export_image(&inner, &options).await.map_err(js_error) })
    }

    /// Switches theme at run time (`"light" | "dark" | "system" | Branding`) without reloading data.
    ///
    /// # Errors
    /// An error naming the invalid theme field.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Theme")] theme: JsValue,
    ) -> Result<(), JsError> {
        let choice = ThemeChoice::from_js(&theme).map_err(|e| JsError::new(&e.to_string()))?;
        self.inner.config.borrow_mut().theme = Some(choice.clone());
        if let Some(mounted) = self.inner.mounted.borrow().as_ref() {
            *mounted.theme.borrow_mut() = choice;
        }
        apply_mounted_theme(&self.inner);
        Ok(())
    }

    /// Sets the locale used for formatting (a BCP 47 tag such as `"de-DE"`).
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, locale: String) {
        self.inner.config.borrow_mut().locale = Some(locale.clone());
        if let Some(mounted) = self.inner.mounted.borrow().as_ref() {
            let _ = mounted.root.set_attribute("lang", &locale);
        }
    }

    /// `{ filters, timeRange }` for deep links; feed it back to `setState`.
    #[wasm_bindgen(js_name = getState, unchecked_return_type = "EmbedState")]
    pub fn get_state(&self) -> Result<JsValue, JsError> {
        let store = store_of(&self.inner).map_err(|e| JsError::new(&e.to_string()))?;
        let state = serde_json::json!({
            "filters": store.filters.get_untracked().user(),
            "timeRange": store.time_range.get_untracked(),
        });
        vantage_widgets::to_js(&state).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Restores `{ filters?, timeRange? }` from `getState`; resolves when the data is in.
    #[wasm_bindgen(js_name = setState, unchecked_return_type = "Promise<void>")]
    pub fn set_state(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EmbedState")] state: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let store = store_of(&inner).map_err(js_error)?;
            let filters: Option<Vec<Filter>> = serde_wasm_bindgen::from_value(
                Reflect::get(&state, &"filters".into()).unwrap_or(JsValue::UNDEFINED),
            )
            .map_err(|e| js_error(format!("state.filters: {e}")))?;
            let range: Option<TimeRange> = serde_wasm_bindgen::from_value(
                Reflect::get(&state, &"timeRange".into()).unwrap_or(JsValue::UNDEFINED),
            )
            .map_err(|e| js_error(format!("state.timeRange: {e}")))?;
            if let Some(filters) = filters {
                let mut ops = vec![FilterOp::Clear];
                ops.extend(filters.into_iter().map(FilterOp::Set));
                let mut next = store.filters.get_untracked();
                next.apply_all(ops).map_err(js_error)?;
                store.filters.set(next);
            }
            store.set_time_range(range);
            wait_for_load(&store).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Releases everything: DOM, charts, live connection, timers, handlers.
    pub fn destroy(&self) {
        let mounted = self.inner.mounted.borrow_mut().take();
        if let Some(mounted) = mounted {
            mounted.store.close();
            if let Some((query, listener)) = &mounted.scheme_listener {
                let _ = query.remove_event_listener_with_callback(
                    "change",
                    listener.as_ref().unchecked_ref(),
                );
            }
            let (root, owner) = (mounted.root.clone(), mounted.owner.clone());
            drop(mounted);
            // Disposes the store's signals (and with them the loaded data).
            owner.cleanup();
            root.remove();
        }
        self.inner.emitter.clear();
        release(&self.inner);
    }

    /// Number of registered event handlers (for leak checks in tests and host apps).
    #[wasm_bindgen(getter, js_name = handlerCount)]
    pub fn handler_count(&self) -> usize {
        self.inner.emitter.count()
    }
}

fn store_of(inner: &Inner) -> Result<DashboardStore, SdkError> {
    inner
        .mounted
        .borrow()
        .as_ref()
        .map(|m| m.store.clone())
        .ok_or(SdkError::Config {
            field: "render",
            message: "call render(container) first".into(),
        })
}

/// Resolves after the next completed load of `store`.
/// Also returns once the embed is destroyed (its signals disposed) meanwhile.
async fn wait_for_load(store: &DashboardStore) {
    let Some(start) = store.loads.try_get_untracked() else {
        return;
    };
    while store.loads.try_get_untracked() == Some(start) {
        gloo_timers::future::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn parse_filter_ops(value: &JsValue) -> Result<Vec<FilterOp>, SdkError> {
    let bad = |message: String| SdkError::Config {
        field: "filters",
        message,
    };
    let items: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(value.clone())
        .map_err(|e| bad(format!("expected an array: {e}")))?;
    // Filters have an `op` too (eq, in…); operations are the ones whose op is set/remove/clear.
    let is_op = items.iter().any(|i| {
        matches!(
            i.get("op").and_then(|o| o.as_str()),
            Some("set" | "remove" | "clear")
        )
    });
    if !is_op {
        let filters: Vec<Filter> = serde_json::from_value(serde_json::Value::Array(items))
            .map_err(|e| bad(e.to_string()))?;
        let mut ops = vec![FilterOp::Clear];
        ops.extend(filters.into_iter().map(FilterOp::Set));
        return Ok(ops);
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item.get("op").and_then(|o| o.as_str()) {
            Some("set") => serde_json::from_value(item.get("filter").cloned().unwrap_or_default())
                .map(FilterOp::Set)
                .map_err(|e| bad(format!("[{i}].filter: {e}"))),
            Some("remove") => item
                .get("field")
                .and_then(|f| f.as_str())
                .map(|f| FilterOp::Remove(f.to_owned()))
                .ok_or_else(|| bad(format!("[{i}].field is required for remove"))),
            Some("clear") => Ok(FilterOp::Clear),
            other => Err(bad(format!(
                "[{i}].op must be \"set\", \"remove\" or \"clear\", got {other:?}"
            ))),
        })
        .collect()
}

thread_local! {
    /// Rendered embeds, kept alive until `destroy()`.
    ///
    /// A host commonly writes `const dash = new EmbeddedDashboard(…); await dash.render(…)` at
    /// the top of a module and never touches `dash` again. The engine may then collect the JS
    /// wrapper, and wasm-bindgen's finaliser would drop the embed under the user's eyes (its
    /// requests aborted, its DOM emptied). A rendered embed therefore lives until `destroy()`,
    /// which is also the documented way to release it.
    static RENDERED: RefCell<Vec<Rc<Inner>>> = const { RefCell::new(Vec::new()) };
}

fn keep_alive(inner: &Rc<Inner>) {
    RENDERED.with(|r| r.borrow_mut().push(Rc::clone(inner)));
}

fn release(inner: &Rc<Inner>) {
    RENDERED.with(|r| r.borrow_mut().retain(|kept| !Rc::ptr_eq(kept, inner)));
}

async fn render(inner: Rc<Inner>, container: JsValue) -> Result<(), SdkError> {
    if inner.mounted.borrow().is_some() || inner.rendering.get() {
        return Err(SdkError::Config {
            field: "render",
            message: "already rendered; call destroy() first".into(),
        });
    }
    let host = resolve_container(&container)?;
    inner.rendering.set(true);
    keep_alive(&inner);
    let outcome = mount(&inner, &host).await;
    inner.rendering.set(false);
    if inner.mounted.borrow().is_none() {
        // destroy() ran while rendering.
        release(&inner);
    }
    outcome
}

async fn mount(inner: &Rc<Inner>, host: &HtmlElement) -> Result<(), SdkError> {
    let config = inner.config.borrow().clone();
    let module = match &config.echarts {
        Some(m) => EChartsModule::from_js(m.clone()).ok(),
        None => EChartsModule::global().ok(),
    };
    let token = inner.api.tokens().current().await?;
    let is_embed_token = token
        .as_deref()
        .and_then(crate::auth::jwt_claims)
        .is_some_and(|c| c.get("typ").and_then(|t| t.as_str()) == Some("embed"));
    let (mut dashboard_id, mut locked, mut tenant_brand) =
        (config.dashboard_id.clone(), Vec::new(), None);
    if is_embed_token {
        let embed = inner.api.embed_dashboard().await?;
        dashboard_id = dashboard_id.or(Some(embed.dashboard.id.clone()));
        locked = embed.locked_filters;
        tenant_brand = Some(embed.branding);
    }
    let dashboard_id = dashboard_id.ok_or(SdkError::Config {
        field: "dashboardId",
        message: "is required with a user token".into(),
    })?;
    // An explicit theme (in the config or from setTheme() while loading) wins; with none, an
    // embed token's tenant brand applies, else light.
    let theme = inner.config.borrow().theme.clone();
    let theme = theme.unwrap_or_else(|| match tenant_brand {
        Some(brand) => ThemeChoice::Brand(Box::new(brand)),
        None => ThemeChoice::Light,
    });
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(SdkError::Config {
            field: "container",
            message: "no document".into(),
        })?;
    let root: HtmlElement = document
        .create_element("div")
        .map_err(|_| SdkError::Decode("cannot create element".into()))?
        .unchecked_into();
    root.set_class_name("vt-root vt-embed");
    if let Some(locale) = &config.locale {
        let _ = root.set_attribute("lang", locale);
    }
    let _ = host.append_child(&root);
    vantage_widgets::styles::ensure_installed(&root);
    let theme_name = vantage_widgets::styles::apply_theme(&root, &theme.resolve(), module.as_ref());

    let filters = FilterSet::new(locked, config.filters.clone());
    let live = LiveOptions {
        mode: config.live,
        ..LiveOptions::default()
    };
    let owner = Owner::new();
    let (store, chart_theme) = owner.with(|| {
        (
            DashboardStore::new(inner.api.clone(), dashboard_id, filters, live),
            RwSignal::new(theme_name),
        )
    });
    let emitter = Rc::clone(&inner.emitter);
    let view_store = store.clone();
    let only_widget = config.widget_id.clone();
    let handle = {
        let root = root.clone();
        let emitter = send_wrapper::SendWrapper::new(emitter);
        let view_store = send_wrapper::SendWrapper::new(view_store);
        owner.with(|| {
            leptos::mount::mount_to(root, move || {
                if let Some(module) = module.clone() {
                    provide_echarts(module);
                }
                wire_events(&view_store, &emitter);
                let emitter = emitter.clone();
                let on_click = Callback::new(
                    move |(widget, click): (vantage_contract::Widget, ChartClick)| {
                        emit_data_click(&emitter, &widget.id, &click);
                    },
                );
                view! {
                    <DashboardView
                        store=(*view_store).clone()
                        theme=Signal::derive(move || chart_theme.get())
                        on_data_click=on_click
                        only_widget=only_widget.clone().unwrap_or_default()
                    />
                }
            })
        })
    };
    *inner.mounted.borrow_mut() = Some(Mounted {
        owner,
        theme: RefCell::new(theme),
        scheme_listener: watch_color_scheme(inner),
        _handle: Box::new(handle),
        store: store.clone(),
        root,
        chart_theme,
    });
    store.load();
    // `try_` reads: destroy() may dispose the signals while this waits.
    let destroyed = || SdkError::Config {
        field: "render",
        message: "destroy() was called before the dashboard loaded".into(),
    };
    loop {
        let loaded = store
            .definition
            .try_with_untracked(Option::is_some)
            .ok_or_else(destroyed)?;
        let failed = store.load_error.try_get_untracked().ok_or_else(destroyed)?;
        if let Some(message) = failed {
            return Err(SdkError::Decode(message));
        }
        if loaded {
            return Ok(());
        }
        gloo_timers::future::sleep(std::time::Duration::from_millis(15)).await;
    }
}

fn emit_data_click(emitter: &Emitter, widget_id: &str, click: &ChartClick) {
    let prevented = Rc::new(Cell::new(false));
    let prevent = {
        let prevented = Rc::clone(&prevented);
        Closure::once_into_js(move || prevented.set(true))
    };
    let payload = object(&[
        ("widgetId", widget_id.into()),
        (
            "seriesName",
            click
                .series_name
                .clone()
                .map_or(JsValue::NULL, JsValue::from),
        ),
        (
            "name",
            click.name.clone().map_or(JsValue::NULL, JsValue::from),
        ),
        (
            "dataIndex",
            click.data_index.map_or(JsValue::NULL, JsValue::from),
        ),
        (
            "value",
            vantage_widgets::to_js(&click.value).unwrap_or(JsValue::NULL),
        ),
        ("preventDefault", prevent),
    ]);
    emitter.emit("dataClick", &payload);
    // The embed has no built-in drill-down yet: `prevented` is honoured by the app's handler.
    let _ = prevented.get();
}

/// Each widget's state signal, by id.
type WidgetSignals = Rc<RefCell<Vec<(String, Signal<vantage_widgets::WidgetState>)>>>;

/// Effects: mirror store changes into host events.
fn wire_events(store: &DashboardStore, emitter: &Rc<Emitter>) {
    // A widget whose query failed (the rest of the dashboard loaded): one `error` event with its
    // `widgetId` each time its error message changes. The widgets' state signals are looked up
    // once, under the view's owner (so they are disposed with it, not with each effect run).
    let e = send_wrapper::SendWrapper::new(Rc::clone(emitter));
    let widgets_store = send_wrapper::SendWrapper::new(store.clone());
    let view_owner = Owner::current();
    let states: send_wrapper::SendWrapper<WidgetSignals> =
        send_wrapper::SendWrapper::new(Rc::default());
    let definition_signal = store.definition;
    Effect::new(move |previous: Option<Vec<(String, String)>>| {
        definition_signal.with(|d| {
            let mut cache = states.borrow_mut();
            if cache.is_empty() {
                if let (Some(d), Some(owner)) = (d, view_owner.as_ref()) {
                    *cache = owner.with(|| {
                        d.widgets
                            .iter()
                            .map(|w| (w.id.clone(), widgets_store.widget_state(&w.id)))
                            .collect()
                    });
                }
            }
        });
        let failed: Vec<(String, String)> = states
            .borrow()
            .iter()
            .filter_map(|(id, state)| match state.try_get() {
                Some(vantage_widgets::WidgetState::Error { message }) => {
                    Some((id.clone(), message))
                }
                _ => None,
            })
            .collect();
        for (id, message) in &failed {
            let known = previous
                .as_ref()
                .is_some_and(|p| p.iter().any(|(i, m)| i == id && m == message));
            if !known {
                e.emit(
                    "error",
                    &object(&[
                        ("code", "widget".into()),
                        ("message", message.as_str().into()),
                        ("widgetId", id.as_str().into()),
                    ]),
                );
            }
        }
        failed
    });
    let (definition, loads, load_error, error_code, live_status) = (
        store.definition,
        store.loads,
        store.load_error,
        store.error_code,
        store.live_status,
    );
    let e = send_wrapper::SendWrapper::new(Rc::clone(emitter));
    Effect::new(move |fired: Option<bool>| {
        if fired == Some(true) {
            return true;
        }
        let Some(d) = definition.get() else {
            return false;
        };
        let ids: Array = d
            .widgets
            .iter()
            .map(|w| JsValue::from(w.id.as_str()))
            .collect();
        e.emit(
            "ready",
            &object(&[
                ("dashboardId", d.id.as_str().into()),
                ("name", d.name.as_str().into()),
                ("widgets", ids.into()),
            ]),
        );
        true
    });
    let e = send_wrapper::SendWrapper::new(Rc::clone(emitter));
    Effect::new(move |fired: Option<bool>| {
        let n = loads.get();
        if fired == Some(true) || n == 0 {
            return fired.unwrap_or(false);
        }
        // Two frames: the charts' own effects run, then the browser paints.
        let e = e.clone();
        let _ = request_frame(Box::new(move || {
            let e = e.clone();
            let _ = request_frame(Box::new(move || e.emit("rendered", &object(&[]))));
        }));
        true
    });
    let e = send_wrapper::SendWrapper::new(Rc::clone(emitter));
    Effect::new(move |_| {
        if let Some(message) = load_error.get() {
            let code = error_code.get_untracked().unwrap_or_else(|| "error".into());
            if code == "authExpired" {
                e.emit(
                    "authExpired",
                    &object(&[("message", message.as_str().into())]),
                );
            }
            e.emit(
                "error",
                &object(&[("code", code.into()), ("message", message.into())]),
            );
        }
    });
    let e = send_wrapper::SendWrapper::new(Rc::clone(emitter));
    Effect::new(move |_| {
        let status = live_status.get();
        let mut pairs = vec![("status", JsValue::from(status.name()))];
        if let LiveStatus::Reconnecting {
            attempt,
            next_delay_ms,
        } = status
        {
            pairs.push(("attempt", attempt.into()));
            pairs.push(("nextDelayMs", next_delay_ms.into()));
        }
        e.emit("liveStatus", &object(&pairs));
    });
}

fn request_frame(f: Box<dyn FnOnce()>) -> Option<i32> {
    let callback = Closure::once_into_js(f);
    web_sys::window()?
        .request_animation_frame(callback.unchecked_ref())
        .ok()
}

fn widget_results(
    inner: &Inner,
    widget_id: Option<&str>,
) -> Result<Vec<(String, std::sync::Arc<vantage_contract::QueryResult>)>, SdkError> {
    let store = store_of(inner)?;
    let definition = store.definition.get_untracked().ok_or(SdkError::Config {
        field: "exportData",
        message: "the dashboard has not loaded yet".into(),
    })?;
    let mut out = Vec::new();
    for widget in definition
        .widgets
        .iter()
        .filter(|w| widget_id.is_none_or(|id| id == w.id))
    {
        if let Some(data) = store
            .widget_state(&widget.id)
            .get_untracked()
            .data()
            .cloned()
        {
            out.push((widget.id.clone(), data));
        }
    }
    if out.is_empty() {
        let message = match widget_id {
            Some(id) => format!("no loaded data for widget '{id}'"),
            None => "no loaded data to export".into(),
        };
        return Err(SdkError::Config {
            field: "widgetId",
            message,
        });
    }
    Ok(out)
}

fn blob(parts: &str, mime: &str) -> Result<JsValue, SdkError> {
    let array = Array::of1(&JsValue::from_str(parts));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&array, &options)
        .map(Into::into)
        .map_err(|_| SdkError::Decode("cannot create a Blob".into()))
}

fn bytes_blob(bytes: &[u8], mime: &str) -> Result<JsValue, SdkError> {
    let array = Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options)
        .map(Into::into)
        .map_err(|_| SdkError::Decode("cannot create a Blob".into()))
}

fn export_data(inner: &Inner, options: &JsValue) -> Result<JsValue, SdkError> {
    let get = |key: &str| {
        Reflect::get(options, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let format = get("format").unwrap_or_else(|| "csv".into());
    let widget_id = get("widgetId");
    let results = widget_results(inner, widget_id.as_deref())?;
    match format.as_str() {
        "csv" => {
            let bom = Reflect::get(options, &"bom".into())
                .map(|v| v.is_truthy())
                .unwrap_or(false);
            let mut text = String::new();
            for (i, (id, result)) in results.iter().enumerate() {
                if results.len() > 1 {
                    if i > 0 {
                        text.push_str("\r\n");
                    }
                    text.push_str(&format!("# {id}\r\n"));
                }
                text.push_str(&export::to_csv(
                    result,
                    export::CsvOptions { bom: bom && i == 0 },
                ));
            }
            blob(&text, "text/csv;charset=utf-8")
        }
        "json" => {
            let value = if widget_id.is_some() {
                export::to_json(&results[0].1)
            } else {
                serde_json::Value::Object(
                    results
                        .iter()
                        .map(|(id, r)| (id.clone(), export::to_json(r)))
                        .collect(),
                )
            };
            blob(&value.to_string(), "application/json")
        }
        "xlsx" => {
            let sheets: Vec<(&str, &vantage_contract::QueryResult)> = results
                .iter()
                .map(|(id, result)| (id.as_str(), result.as_ref()))
                .collect();
            let bytes = xlsx::workbook(&sheets);
            bytes_blob(
                &bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        }
        other => Err(SdkError::Config {
            field: "format",
            message: format!("expected \"csv\", \"json\" or \"xlsx\", got \"{other}\""),
        }),
    }
}

async fn export_image(inner: &Inner, options: &JsValue) -> Result<JsValue, SdkError> {
    let get = |key: &str| {
        Reflect::get(options, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let widget_id = get("widgetId").ok_or(SdkError::Config {
        field: "widgetId",
        message: "is required for exportImage".into(),
    })?;
    let format = get("format").unwrap_or_else(|| "png".into());
    if format != "png" && format != "svg" {
        return Err(SdkError::Config {
            field: "format",
            message: format!("expected \"png\" or \"svg\", got \"{format}\""),
        });
    }
    let (root, chart_theme) = inner
        .mounted
        .borrow()
        .as_ref()
        .map(|m| (m.root.clone(), m.chart_theme.try_get_untracked().flatten()))
        .ok_or(SdkError::Config {
            field: "render",
            message: "call render(container) first".into(),
        })?;
    let selector = format!(
        "[data-widget-id=\"{}\"] .vt-echart",
        widget_id.replace(['"', '\\'], "")
    );
    let element: HtmlElement = root
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| SdkError::Config {
            field: "widgetId",
            message: format!("widget '{widget_id}' has no chart"),
        })?;
    let module = match inner.config.borrow().echarts.clone() {
        Some(m) => EChartsModule::from_js(m).ok(),
        None => EChartsModule::global().ok(),
    }
    .ok_or(SdkError::Config {
        field: "echarts",
        message: "ECharts is not loaded".into(),
    })?;
    let instance = module
        .instance_by_dom(&element)
        .ok_or_else(|| SdkError::Config {
            field: "widgetId",
            message: format!("widget '{widget_id}' has no chart"),
        })?;
    if format == "svg" {
        return svg_image(&module, &instance, chart_theme);
    }
    let opts = object(&[
        ("type", "png".into()),
        ("pixelRatio", 2.into()),
        ("backgroundColor", "#ffffff".into()),
    ]);
    let get_url: Function = Reflect::get(&instance, &"getDataURL".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(SdkError::Decode("getDataURL missing".into()))?;
    let url = get_url
        .call1(&instance, &opts)
        .map_err(|e| SdkError::Decode(format!("{e:?}")))?;
    // Decoded here rather than fetch()ed: a strict CSP's `connect-src 'self'` blocks data: URLs.
    let url = url.as_string().unwrap_or_default();
    let encoded = url
        .strip_prefix("data:image/png;base64,")
        .ok_or_else(|| SdkError::Decode("getDataURL did not return a PNG data URL".into()))?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
        .map_err(|e| SdkError::Decode(format!("PNG data URL: {e}")))?;
    bytes_blob(&bytes, "image/png")
}

/// Calls `target[name](...args)`.
fn call_method(target: &JsValue, name: &str, args: &Array) -> Result<JsValue, SdkError> {
    let function: Function = Reflect::get(target, &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| SdkError::Decode(format!("ECharts has no {name}()")))?;
    Reflect::apply(&function, target, args).map_err(|e| SdkError::Decode(format!("{name}: {e:?}")))
}

/// Renders the chart's current option again with ECharts' server-side SVG renderer (same size
/// and theme) and returns the SVG document as a `Blob`.
fn svg_image(
    module: &EChartsModule,
    instance: &JsValue,
    theme: Option<String>,
) -> Result<JsValue, SdkError> {
    let option = call_method(instance, "getOption", &Array::new())?;
    let width = call_method(instance, "getWidth", &Array::new())?;
    let height = call_method(instance, "getHeight", &Array::new())?;
    let opts = object(&[
        ("renderer", "svg".into()),
        ("ssr", true.into()),
        ("width", width),
        ("height", height),
    ]);
    let theme = theme.map_or(JsValue::NULL, JsValue::from);
    let needs_svg = || SdkError::Config {
        field: "format",
        message:
            "\"svg\" needs ECharts' SVG renderer: the dist build has it; with echarts/core add \
                  SVGRenderer to echarts.use([...])"
                .into(),
    };
    let chart = call_method(
        module.as_js(),
        "init",
        &Array::of3(&JsValue::NULL, &theme, &opts),
    )
    .map_err(|_| needs_svg())?;
    let svg = call_method(&chart, "setOption", &Array::of1(&option))
        .and_then(|_| call_method(&chart, "renderToSVGString", &Array::new()));
    let _ = call_method(&chart, "dispose", &Array::new());
    let svg = svg
        .ok()
        .and_then(|s| s.as_string())
        .filter(|s| s.contains("<svg"))
        .ok_or_else(needs_svg)?;
    blob(&svg, "image/svg+xml")
}

#[wasm_bindgen(module = "/js/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = defineVantageDashboard)]
    fn define_vantage_dashboard(tag: &str, create: &Function) -> bool;
}

/// Registers the `<vantage-dashboard base-url dashboard-id theme live>` custom element (or
/// `tag`). Give it a token through its `token` property or by answering its bubbling
/// `vantage-token-request` event (`event.detail.respondWith(tokenOrPromise)`); its events are
/// re-dispatched as `vantage-<name>` DOM events; removing it from the page destroys the embed.
/// Returns false where there is no DOM.
#[wasm_bindgen(js_name = defineElement)]
pub fn define_element(tag: Option<String>) -> bool {
    let create = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(|config: JsValue| {
        EmbeddedDashboard::new(config)
            .map(JsValue::from)
            .map_err(JsValue::from)
    });
    let defined = define_vantage_dashboard(
        tag.as_deref().unwrap_or("vantage-dashboard"),
        create.as_ref().unchecked_ref(),
    );
    // The element class keeps calling the factory for the page's lifetime.
    create.forget();
    defined
}

/// A mounted widget gallery; `destroy()` unmounts it.
#[wasm_bindgen]
pub struct GalleryHandle {
    mounted: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl GalleryHandle {
    /// Unmounts the gallery and disposes its charts.
    pub fn destroy(&mut self) {
        self.mounted.take();
    }
}

/// Mounts the widget gallery (every widget with sample data) into `element` in `mode`
/// (`"light"` or `"dark"`): the visual catalogue used by `www/gallery.html`.
///
/// # Errors
/// For an unknown mode.
#[wasm_bindgen(js_name = mountGallery)]
pub fn mount_gallery(element: HtmlElement, mode: &str) -> Result<GalleryHandle, JsError> {
    let mode = match mode {
        "light" => vantage_widgets::Mode::Light,
        "dark" => vantage_widgets::Mode::Dark,
        other => {
            return Err(JsError::new(&format!(
                "mode: expected \"light\" or \"dark\", got \"{other}\""
            )))
        }
    };
    Ok(GalleryHandle {
        mounted: Some(vantage_widgets::gallery::mount_gallery(element, mode)),
    })
}
