//! [`Embed`]: the embed's Rust core. Mounting a dashboard into a host element, its intents
//! (filters, state, theme, refresh), exports and teardown, in plain Rust types. The JS façade
//! (`facade.rs`) and the app's embed page both use it.
//!
//! ```ignore
//! let handle = Embed::mount(host, EmbedOptions::new(base_url, "sales", token)).await?;
//! handle.set_filters(vec![FilterChange::Clear]).await?;
//! drop(handle); // destroys the embed
//! ```

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use vantage_contract::{CrossFilter, Filter, QueryResult, ThemeMode, TimeRange};
use vantage_widgets::locale::Locale;
use vantage_widgets::{provide_echarts, ChartClick, ChartRegistry, EChartsModule, WidgetError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::config::ThemeChoice;
use super::events::{self, Emitter};
use super::options::{config, replace_all, ClickBehavior, EmbedOptions};
use crate::export::ExportFile;
use crate::filters::{FilterChange, FilterSet};
use crate::live::LiveOptions;
use crate::store::StoreError;
use crate::{ApiClient, ClientConfig, DashboardStore, DashboardView, SdkError, TokenStore};

/// An image export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG at twice the chart's size.
    Png,
    /// SVG re-rendered by ECharts' SVG renderer.
    Svg,
}

/// Filters, cross-filters and time range, for deep links (`getState`/`setState`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedState {
    /// The viewer's filters (locked ones excluded).
    pub filters: Vec<Filter>,
    /// The time range override.
    pub time_range: Option<TimeRange>,
    /// The active cross-filters (set by clicks).
    pub cross_filters: Vec<CrossFilter>,
}

struct Mounted {
    /// Owns the store's signals and the view's: cleaned up by `destroy()`. Signals created
    /// outside any owner live in leptos' arena for the page's lifetime, which leaked every
    /// embed's dashboard data (≈ 40 KiB of wasm memory per mount/destroy cycle).
    owner: Owner,
    _handle: Box<dyn Any>,
    store: DashboardStore,
    /// What `destroy()` removes from the host: the shadow host, or `root` in light DOM.
    outer: web_sys::Element,
    root: HtmlElement,
    charts: ChartRegistry,
    chart_theme: RwSignal<Option<String>>,
    /// The theme in effect (the host's, or the tenant brand when it passed none).
    theme: RefCell<ThemeChoice>,
    /// Re-applies a `"system"` theme (or a brand in system mode) when the viewer's colour
    /// scheme changes; removed by `destroy()`.
    scheme_listener: Option<(web_sys::MediaQueryList, Closure<dyn Fn()>)>,
}

struct Core {
    options: RefCell<EmbedOptions>,
    api: ApiClient,
    emitter: Emitter,
    mounted: RefCell<Option<Mounted>>,
    rendering: Cell<bool>,
    /// Bumped by `destroy()`: a `render()` still waiting (for ECharts, the token, the embed
    /// token's dashboard) sees it changed after each wait and mounts nothing.
    generation: Cell<u64>,
}

/// An embedded dashboard (or single widget): created with options, rendered into a host
/// element, destroyed explicitly. Cheap to clone (clones share the embed).
#[derive(Clone)]
pub struct Embed {
    core: Rc<Core>,
}

/// A mounted [`Embed`] that destroys it when dropped.
pub struct EmbedHandle {
    embed: Embed,
}

impl std::ops::Deref for EmbedHandle {
    type Target = Embed;
    fn deref(&self) -> &Embed {
        &self.embed
    }
}

impl Drop for EmbedHandle {
    fn drop(&mut self) {
        self.embed.destroy();
    }
}

impl Embed {
    /// Checks `options` and prepares the API client; nothing is fetched until
    /// [`Embed::render`].
    ///
    /// # Errors
    /// [`SdkError::Config`] naming the invalid option.
    pub fn new(options: EmbedOptions) -> Result<Self, SdkError> {
        Self::with_emitter(options, Emitter::default())
    }

    /// Mounts a dashboard into `host` and resolves once its definition and data are loaded.
    ///
    /// # Errors
    /// An invalid option, or the load failing (the embed is destroyed then).
    pub async fn mount(host: HtmlElement, options: EmbedOptions) -> Result<EmbedHandle, SdkError> {
        let handle = EmbedHandle {
            embed: Self::new(options)?,
        };
        handle.render(&host).await?;
        Ok(handle)
    }

    /// Like [`Embed::new`], emitting events on `emitter` (the façade's host handlers).
    pub(crate) fn with_emitter(options: EmbedOptions, emitter: Emitter) -> Result<Self, SdkError> {
        options.check()?;
        let tokens = TokenStore::new(options.token.clone(), options.token_source.clone());
        {
            let emitter = emitter.clone();
            tokens.on_renewed(move |_| emitter.emit("tokenRefreshed", &events::object(&[])));
        }
        let api = ApiClient::new(ClientConfig::new(options.base_url.clone()), tokens);
        Ok(Self {
            core: Rc::new(Core {
                options: RefCell::new(options),
                api,
                emitter,
                mounted: RefCell::new(None),
                rendering: Cell::new(false),
                generation: Cell::new(0),
            }),
        })
    }

    /// The host's event handlers.
    pub fn events(&self) -> &Emitter {
        &self.core.emitter
    }

    /// Whether two values are the same embed.
    pub fn same(&self, other: &Embed) -> bool {
        Rc::ptr_eq(&self.core, &other.core)
    }

    /// The store of the rendered dashboard.
    ///
    /// # Errors
    /// [`SdkError::Config`] naming `render` before [`Embed::render`].
    pub fn store(&self) -> Result<DashboardStore, SdkError> {
        self.core
            .mounted
            .borrow()
            .as_ref()
            .map(|m| m.store.clone())
            .ok_or_else(|| config("render", "call render(container) first"))
    }

    /// Renders into `host`; resolves once the dashboard definition and its first data are
    /// loaded (a widget whose data failed shows its error; that does not reject).
    ///
    /// # Errors
    /// Already rendered, the load failing (e.g. `not_found`), or [`SdkError::Destroyed`] when
    /// [`Embed::destroy`] ran meanwhile (nothing is mounted then).
    pub async fn render(&self, host: &HtmlElement) -> Result<(), SdkError> {
        self.render_asked_at(host, self.generation()).await
    }

    /// Counts [`Embed::destroy`] calls: what [`Embed::render_asked_at`] compares.
    pub(crate) fn generation(&self) -> u64 {
        self.core.generation.get()
    }

    /// [`Embed::render`] as asked for when [`Embed::generation`] was `generation`: the façade's
    /// promise starts after the host's call returns, and a `destroy()` in between counts.
    pub(crate) async fn render_asked_at(
        &self,
        host: &HtmlElement,
        generation: u64,
    ) -> Result<(), SdkError> {
        self.still_wanted(generation)?;
        if self.core.mounted.borrow().is_some() || self.core.rendering.get() {
            return Err(config("render", "already rendered; call destroy() first"));
        }
        self.core.rendering.set(true);
        // While the token and the definition travel (`DashboardStore::load` asks too, for the
        // app; once per page).
        vantage_widgets::format::warm_up_soon();
        let outcome = self.mount_into(host, generation).await;
        if self.still_wanted(generation).is_ok() {
            // Else destroy() cleared it, and a later render() may have set it again.
            self.core.rendering.set(false);
        }
        let store = match outcome {
            Ok(store) => store,
            Err(error) => {
                // Nothing is mounted, so no store reports it: hosts that only listen to events
                // (the custom element) learn it here, as well as from the rejection.
                if !matches!(error, SdkError::Destroyed) {
                    events::load_failed(&self.core.emitter, &error);
                }
                return Err(error);
            }
        };
        let loaded = store.loaded().await;
        self.still_wanted(generation)?;
        match loaded {
            Ok(()) => Ok(()),
            // The definition loaded but the data did not: the widgets show their errors.
            Err(StoreError::Load(_))
                if store.definition().try_with_untracked(Option::is_some) == Some(true) =>
            {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// [`SdkError::Destroyed`] unless this render (started at `generation`) is still wanted.
    fn still_wanted(&self, generation: u64) -> Result<(), SdkError> {
        if self.core.generation.get() == generation {
            Ok(())
        } else {
            Err(SdkError::Destroyed)
        }
    }

    async fn mount_into(
        &self,
        host: &HtmlElement,
        generation: u64,
    ) -> Result<DashboardStore, SdkError> {
        let options = self.core.options.borrow().clone();
        let module = match &options.echarts {
            Some(m) => Some(m.clone()),
            // A page with an ECharts loader (the app's boot script) may not have loaded it yet.
            None => vantage_widgets::echarts::loader::loaded().await.ok(),
        };
        self.still_wanted(generation)?;
        let api = &self.core.api;
        let token = api.tokens().current().await;
        self.still_wanted(generation)?;
        let token = token?;
        let is_embed_token = token
            .as_deref()
            .and_then(crate::auth::jwt_claims)
            .is_some_and(|c| c.get("typ").and_then(|t| t.as_str()) == Some("embed"));
        let (mut dashboard_id, mut locked, mut tenant_brand) =
            (options.dashboard_id.clone(), Vec::new(), None);
        if is_embed_token {
            let embed = api.embed_dashboard().await;
            self.still_wanted(generation)?;
            let embed = embed?;
            dashboard_id = dashboard_id.or(Some(embed.dashboard.id.clone()));
            locked = embed.locked_filters;
            tenant_brand = Some(embed.branding);
        }
        let dashboard_id =
            dashboard_id.ok_or_else(|| config("dashboardId", "is required with a user token"))?;
        vantage_widgets::locale::set_active(Locale {
            tag: options.locale.clone(),
            time_zone: options.time_zone.clone(),
        });
        let filters = FilterSet::new(locked, options.filters.clone());
        let live = LiveOptions {
            mode: options.live,
            ..LiveOptions::default()
        };
        let owner = Owner::new();
        let store = owner.with(|| {
            DashboardStore::new(api.clone(), dashboard_id, filters, live)
                .with_time_zone(options.time_zone.clone())
        });
        // The definition and data requests leave first; the shell (root, styles, theme, the
        // grid's skeleton) is built in the next task, while they travel: on a throttled phone
        // that work took 140–200 ms, and in the same task as the requests it was one long task.
        store.load();
        gloo_timers::future::sleep(std::time::Duration::ZERO).await;
        let shell = self
            .still_wanted(generation)
            .and_then(|()| create_root(host, options.locale.as_deref(), options.shadow));
        let (outer, root) = match shell {
            Ok(shell) => shell,
            Err(error) => {
                store.close();
                owner.cleanup();
                return Err(error);
            }
        };
        // An explicit theme (in the options or from set_theme() while loading) wins; with none,
        // an embed token's tenant brand applies, else light.
        let theme = self.core.options.borrow().theme.clone();
        let theme = theme.unwrap_or_else(|| match tenant_brand {
            Some(brand) => ThemeChoice::Brand(Box::new(brand)),
            None => ThemeChoice::Mode(ThemeMode::Light),
        });
        let theme_name =
            vantage_widgets::styles::apply_theme(&root, &theme.resolve(), module.as_ref());
        let chart_theme = owner.with(|| RwSignal::new(theme_name));
        let charts = ChartRegistry::default();
        let handle = owner.with(|| {
            let view = View {
                store: store.clone(),
                emitter: self.core.emitter.clone(),
                charts: charts.clone(),
                module,
                only_widget: options.widget_id.clone().unwrap_or_default(),
                chart_theme,
                click_behavior: options.click_behavior,
            };
            leptos::mount::mount_to(root.clone(), move || view.render())
        });
        *self.core.mounted.borrow_mut() = Some(Mounted {
            owner,
            theme: RefCell::new(theme),
            scheme_listener: watch_color_scheme(&self.core),
            _handle: Box::new(handle),
            store: store.clone(),
            outer,
            root,
            charts,
            chart_theme,
        });
        Ok(store)
    }

    /// Applies filter operations (see [`FilterChange`]), emits `filtersChanged` and resolves when
    /// the new data is in.
    ///
    /// # Errors
    /// [`SdkError::Filter`] when an operation touches a locked filter (nothing changes).
    pub async fn set_filters(&self, ops: Vec<FilterChange>) -> Result<(), SdkError> {
        let store = self.store()?;
        store.set_filters(ops)?;
        let cross = store.cross_filters().with_untracked(|c| c.items().to_vec());
        events::filters_changed(&self.core.emitter, &self.filters()?, &cross);
        // A failed load shows in the widgets and as `error` events, not as a rejection here.
        let _ = store.loaded().await;
        Ok(())
    }

    /// The filters in effect, locked first.
    ///
    /// # Errors
    /// Before [`Embed::render`].
    pub fn filters(&self) -> Result<Vec<Filter>, SdkError> {
        Ok(self.store()?.filters().with_untracked(FilterSet::effective))
    }

    /// Re-queries every widget; resolves when the new data is in.
    ///
    /// # Errors
    /// Before [`Embed::render`].
    pub async fn refresh(&self) -> Result<(), SdkError> {
        let store = self.store()?;
        store.refresh();
        let _ = store.loaded().await;
        Ok(())
    }

    /// The viewer's filters and time range, for deep links.
    ///
    /// # Errors
    /// Before [`Embed::render`].
    pub fn state(&self) -> Result<EmbedState, SdkError> {
        let store = self.store()?;
        Ok(EmbedState {
            filters: store.filters().with_untracked(|f| f.user().to_vec()),
            time_range: store.time_range().get_untracked(),
            cross_filters: store.cross_filters().with_untracked(|c| c.items().to_vec()),
        })
    }

    /// Restores filters and cross-filters (each when given) and the time range from
    /// [`Embed::state`]; resolves when the data is in.
    ///
    /// # Errors
    /// Before [`Embed::render`], or a locked filter (nothing changes).
    pub async fn set_state(
        &self,
        filters: Option<Vec<Filter>>,
        time_range: Option<TimeRange>,
        cross_filters: Option<Vec<CrossFilter>>,
    ) -> Result<(), SdkError> {
        let store = self.store()?;
        store.set_view(time_range, filters.map(replace_all).unwrap_or_default())?;
        if let Some(cross_filters) = cross_filters {
            // set_view started a load; this one (when they changed) replaces it.
            store.set_cross_filters(cross_filters);
        }
        let _ = store.loaded().await;
        Ok(())
    }

    /// Switches the theme at run time without reloading data.
    pub fn set_theme(&self, choice: ThemeChoice) {
        self.core.options.borrow_mut().theme = Some(choice.clone());
        if let Some(mounted) = self.core.mounted.borrow().as_ref() {
            *mounted.theme.borrow_mut() = choice;
        }
        apply_theme(&self.core);
    }

    /// Switches the locale (a BCP 47 tag) at run time: the root's `lang`, number and date
    /// formats and UI text follow without reloading data. The setting is page-wide (see
    /// [`vantage_widgets::locale`]).
    pub fn set_locale(&self, locale: String) {
        if let Some(mounted) = self.core.mounted.borrow().as_ref() {
            let _ = mounted.root.set_attribute("lang", &locale);
        }
        let time_zone = {
            let mut options = self.core.options.borrow_mut();
            options.locale = Some(locale.clone());
            options.time_zone.clone()
        };
        vantage_widgets::locale::set_active(Locale {
            tag: Some(locale),
            time_zone,
        });
    }

    /// The loaded data to export: one widget's, or every widget's (the exporters themselves
    /// are fetched on the first export, [`crate::lazy::export`]).
    ///
    /// # Errors
    /// Before the dashboard loaded, or when there is no loaded data (naming `widgetId`).
    pub fn widget_results(
        &self,
        widget_id: Option<&str>,
    ) -> Result<Vec<(String, Arc<QueryResult>)>, SdkError> {
        let store = self.store()?;
        let definition = store
            .definition()
            .get_untracked()
            .ok_or_else(|| config("exportData", "the dashboard has not loaded yet"))?;
        let out: Vec<_> = definition
            .widgets
            .iter()
            .filter(|w| widget_id.is_none_or(|id| id == w.id))
            .filter_map(|w| {
                let data = store.widget_state(&w.id).get_untracked().data().cloned()?;
                Some((w.id.clone(), data))
            })
            .collect();
        if out.is_empty() {
            let message = match widget_id {
                Some(id) => format!("no loaded data for widget '{id}'"),
                None => "no loaded data to export".into(),
            };
            return Err(config("widgetId", message));
        }
        Ok(out)
    }

    /// Exports widget `widget_id`'s chart as an image, through the chart that draws it.
    ///
    /// # Errors
    /// Before [`Embed::render`], a widget without a chart, or ECharts failing to export.
    pub fn export_image(
        &self,
        widget_id: &str,
        format: ImageFormat,
    ) -> Result<ExportFile, SdkError> {
        let chart = {
            let mounted = self.core.mounted.borrow();
            let mounted = mounted
                .as_ref()
                .ok_or_else(|| config("render", "call render(container) first"))?;
            let selector = format!(
                "[data-widget-id=\"{}\"]",
                widget_id.replace(['"', '\\'], "")
            );
            mounted
                .root
                .query_selector(&selector)
                .ok()
                .flatten()
                .and_then(|cell| mounted.charts.chart_in(&cell))
        }
        .ok_or_else(|| config("widgetId", format!("widget '{widget_id}' has no chart")))?;
        let svg_missing = |e: WidgetError| match e {
            WidgetError::SvgRendererMissing => config("format", e.to_string()),
            other => SdkError::Chart(other),
        };
        match format {
            ImageFormat::Png => Ok(ExportFile {
                bytes: chart.to_png()?,
                mime: "image/png",
            }),
            ImageFormat::Svg => Ok(ExportFile {
                bytes: chart.to_svg().map_err(svg_missing)?.into_bytes(),
                mime: "image/svg+xml",
            }),
        }
    }

    /// Releases everything: DOM, charts, live connection, timers, handlers. Pending calls
    /// resolve with [`SdkError::Destroyed`].
    pub fn destroy(&self) {
        self.core.generation.set(self.core.generation.get() + 1);
        self.core.rendering.set(false);
        let mounted = self.core.mounted.borrow_mut().take();
        if let Some(mounted) = mounted {
            mounted.store.close();
            if let Some((query, listener)) = &mounted.scheme_listener {
                let _ = query.remove_event_listener_with_callback(
                    "change",
                    listener.as_ref().unchecked_ref(),
                );
            }
            let (outer, owner) = (mounted.outer.clone(), mounted.owner.clone());
            drop(mounted);
            // Disposes the store's signals (and with them the loaded data).
            owner.cleanup();
            outer.remove();
        }
        self.core.emitter.clear();
    }
}

/// What the mounted view needs, moved into `mount_to`.
struct View {
    store: DashboardStore,
    emitter: Emitter,
    charts: ChartRegistry,
    module: Option<EChartsModule>,
    only_widget: String,
    chart_theme: RwSignal<Option<String>>,
    click_behavior: ClickBehavior,
}

impl View {
    fn render(self) -> impl IntoView {
        if let Some(module) = self.module {
            provide_echarts(module);
        }
        self.charts.provide();
        events::wire(&self.store, &self.emitter);
        let (emitter, store, behavior) = (self.emitter, self.store.clone(), self.click_behavior);
        // `dataClick` first; its handlers may preventDefault() the cross-filter.
        let on_click = Callback::new(
            move |(widget, click): (vantage_contract::Widget, ChartClick)| {
                let pick = store.click_selection(&widget, &click);
                let prevented = events::data_click(&emitter, &widget.id, &click, pick.as_ref());
                if prevented || behavior == ClickBehavior::None {
                    return;
                }
                // `filtersChanged` follows from the store (see `events::wire`).
                if let Some(pick) = pick {
                    store.toggle_cross_filter(pick);
                }
            },
        );
        let chart_theme = self.chart_theme;
        view! {
            <DashboardView
                store=self.store
                theme=Signal::derive(move || chart_theme.get())
                on_data_click=on_click
                only_widget=self.only_widget
            />
        }
    }
}

/// The embed's root element with the widget styles installed, and what holds it in `host`:
/// with `shadow`, a `<vantage-embed>` element whose open shadow root holds the root (the styles
/// are adopted by that shadow root: host CSS stops at its boundary, ours never leaves it);
/// without, the root itself in the light DOM.
fn create_root(
    host: &HtmlElement,
    locale: Option<&str>,
    shadow: bool,
) -> Result<(web_sys::Element, HtmlElement), SdkError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| config("container", "no document"))?;
    let browser = |what: &str| SdkError::Browser(format!("cannot create the embed's {what}"));
    let root: HtmlElement = document
        .create_element("div")
        .map_err(|_| browser("root element"))?
        .unchecked_into();
    root.set_class_name("vt-root vt-embed");
    let _ = root.set_attribute("part", "root");
    if let Some(locale) = locale {
        let _ = root.set_attribute("lang", locale);
    }
    let outer: web_sys::Element = if shadow {
        let outer = document
            .create_element("vantage-embed")
            .map_err(|_| browser("shadow host"))?;
        let shadow_root = outer
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .map_err(|_| browser("shadow root"))?;
        let _ = shadow_root.append_child(&root);
        outer
    } else {
        root.clone().into()
    };
    let _ = host.append_child(&outer);
    vantage_widgets::styles::ensure_installed(&root);
    Ok((outer, root))
}

/// Applies the mounted embed's current theme to its root and charts.
fn apply_theme(core: &Core) {
    let module = core.options.borrow().echarts.clone();
    if let Some(mounted) = core.mounted.borrow().as_ref() {
        let theme = mounted.theme.borrow().resolve();
        let name = vantage_widgets::styles::apply_theme(&mounted.root, &theme, module.as_ref());
        mounted.chart_theme.set(name);
    }
}

/// Listens for `prefers-color-scheme` changes and re-applies the theme of the embed.
fn watch_color_scheme(core: &Rc<Core>) -> Option<(web_sys::MediaQueryList, Closure<dyn Fn()>)> {
    let query = web_sys::window()?
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()?;
    let weak = Rc::downgrade(core);
    let listener = Closure::<dyn Fn()>::new(move || {
        if let Some(core) = weak.upgrade() {
            apply_theme(&core);
        }
    });
    query
        .add_event_listener_with_callback("change", listener.as_ref().unchecked_ref())
        .ok()?;
    Some((query, listener))
}
