//! One dashboard, live. Everything a link should carry lives in the query string: the time range
//! (`range=last24h` or `from=…&to=…`), dimension filters (`f.<field>=<value>`), cross-filters
//! (`xf=<JSON>`, see [`vantage_sdk::crossfilter`]), the auto-refresh interval (`refresh=60`) and
//! kiosk mode (`kiosk=1`), so back/forward and shared links work.
//!
//! A click on a chart datum or table row cross-filters the other widgets (a second click on the
//! same value clears it). Per widget, in its menu: view the data as a table, export CSV or PNG,
//! full size, and drill down to the rows (narrowed by the active cross-filters).

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use vantage_contract::{ColumnType, Dataset, Filter, Permission, TimePreset, TimeRange, Widget};
use vantage_sdk::crossfilter::CrossFilterSet;
use vantage_sdk::live::{LiveOptions, LiveStatus};
use vantage_sdk::{DashboardStore, DashboardView, FilterChange, FilterSet};
use vantage_widgets::{ChartClick, ChartRegistry, DataTable, TimeRangePicker};

use super::require_login;
use crate::brand::use_page_title;
use crate::download::{download_bytes, download_xlsx, file_stem};
use crate::drill::{drill_target, with_cross_filters};
use crate::i18n::{tr, trf, tw, T};
use crate::session::use_session;
use crate::shell::{can, ChartTheme};
use vantage_widgets::messages::Msg;

/// Auto-refresh choices for non-live data, in seconds (0 = off).
const REFRESH_CHOICES: [(u32, T); 5] = [
    (0, T::RefreshOff),
    (30, T::Every30s),
    (60, T::EveryMinute),
    (300, T::Every5Minutes),
    (900, T::Every15Minutes),
];
/// Dimension filters offered in the filter bar (the first string dimensions of the dataset).
const FILTER_DIMENSIONS: usize = 3;

fn preset(value: &str) -> Option<TimePreset> {
    vantage_sdk::json::from_wire_name(value)
}

fn preset_name(preset: TimePreset) -> String {
    serde_json::to_value(preset)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The dashboard's URL state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct UrlState {
    pub range: Option<TimeRange>,
    pub filters: Vec<(String, String)>,
    pub cross: CrossFilterSet,
    pub refresh: u32,
    pub kiosk: bool,
}

impl UrlState {
    pub fn read(query: &leptos_router::params::ParamsMap) -> Self {
        let absolute = match (
            query.get("from").and_then(|v| v.parse::<i64>().ok()),
            query.get("to").and_then(|v| v.parse::<i64>().ok()),
        ) {
            (Some(from), Some(to)) if from < to => Some(TimeRange::absolute(from, to)),
            _ => None,
        };
        let range = absolute.or_else(|| {
            query
                .get("range")
                .as_deref()
                .and_then(preset)
                .map(TimeRange::preset)
        });
        let mut filters: Vec<(String, String)> = query
            .into_iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("f.")?.to_owned(), v.to_owned())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        vantage_widgets::sort::sort(&mut filters);
        Self {
            range,
            filters,
            cross: CrossFilterSet::from_param(&query.get("xf").unwrap_or_default()),
            refresh: query
                .get("refresh")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            kiosk: query.get("kiosk").as_deref() == Some("1"),
        }
    }

    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        match self.range {
            Some(TimeRange {
                preset: Some(p), ..
            }) => parts.push(format!("range={}", preset_name(p))),
            Some(TimeRange {
                from: Some(f),
                to: Some(t),
                ..
            }) => parts.push(format!("from={f}&to={t}")),
            _ => {}
        }
        for (field, value) in &self.filters {
            parts.push(format!(
                "f.{}={}",
                js_sys::encode_uri_component(field),
                js_sys::encode_uri_component(value)
            ));
        }
        if !self.cross.is_empty() {
            parts.push(format!(
                "xf={}",
                js_sys::encode_uri_component(&self.cross.to_param())
            ));
        }
        if self.refresh > 0 {
            parts.push(format!("refresh={}", self.refresh));
        }
        if self.kiosk {
            parts.push("kiosk=1".into());
        }
        parts.join("&")
    }

    fn filter_ops(&self) -> Vec<FilterChange> {
        let mut ops = vec![FilterChange::Clear];
        ops.extend(
            self.filters
                .iter()
                .map(|(field, value)| FilterChange::Set(Filter::eq(field.clone(), value.clone()))),
        );
        ops
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    require_login();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    view! { {move || { let id = id(); view! { <DashboardScreen id=id /> } }} }
}

#[component]
fn DashboardScreen(id: String) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let theme = use_context::<ChartTheme>().map(|t| t.0);
    let url = Memo::new(move |_| query.with(UrlState::read));
    let initial = url.get_untracked();
    let mut filters = FilterSet::default();
    let _ = filters.apply_all(initial.filter_ops());
    // The user's time zone (account page) buckets days and `today` on the server.
    // Before a reload has restored the user, the choice in force is theirs.
    let time_zone = session
        .user
        .with_untracked(|u| u.as_ref().map(|u| crate::preferences::load(&u.id)))
        .unwrap_or_else(crate::preferences::current)
        .time_zone;
    let store = DashboardStore::new(
        session.api.clone(),
        id.clone(),
        filters,
        LiveOptions::default(),
    )
    .with_time_zone(time_zone)
    .with_time_range(initial.range)
    .with_cross_filters(initial.cross.items().to_vec());
    store.load();
    // Effect: follows the URL (back/forward included) into the store.
    let follow = store.clone();
    Effect::new(move |previous: Option<UrlState>| {
        let current = url.get();
        if let Some(previous) = previous {
            if previous.range != current.range || previous.filters != current.filters {
                let _ = follow.set_view(current.range, current.filter_ops());
            }
            if previous.cross != current.cross {
                follow.set_cross_filters(current.cross.items().to_vec());
            }
        }
        current
    });
    let path = format!("/dashboards/{}", js_sys::encode_uri_component(&id));
    let go = {
        let path = path.clone();
        move |state: UrlState| {
            let q = state.to_query();
            let sep = if q.is_empty() { "" } else { "?" };
            navigate(&format!("{path}{sep}{q}"), NavigateOptions::default());
        }
    };
    let go = StoredValue::new(go);
    let update = move |f: &dyn Fn(&mut UrlState)| {
        let mut state = url.get_untracked();
        f(&mut state);
        go.with_value(|go| go(state));
    };
    // Effect: a click or a chip's clear button changed the store's cross-filters; the URL
    // follows (and the URL effect above finds nothing left to do).
    let cross = store.cross_filters();
    Effect::new(move |_| {
        let current = cross.get();
        if url.with_untracked(|u| u.cross != current) {
            update(&|s| s.cross = current.clone());
        }
    });
    // Effect: auto-refresh timer for non-live data (a wall display: nobody is waiting, so the
    // charts' redraws are paced like live updates); the interval handle is dropped (cleared)
    // when the interval changes or the page goes away.
    let refresher = send_wrapper::SendWrapper::new(store.clone());
    Effect::new(
        move |previous: Option<Option<send_wrapper::SendWrapper<IntervalHandle>>>| {
            if let Some(Some(handle)) = previous {
                handle.clear();
            }
            let seconds = url.with(|u| u.refresh);
            (seconds > 0)
                .then(|| {
                    let store = refresher.clone();
                    set_interval_with_handle(
                        move || store.reload_in_background(),
                        Duration::from_secs(seconds.into()),
                    )
                    .ok()
                    .map(send_wrapper::SendWrapper::new)
                })
                .flatten()
        },
    );
    let definition = store.definition();
    use_page_title(move || {
        definition
            .get()
            .map(|d| d.name)
            .unwrap_or_else(|| tr(T::Dashboard).into())
    });
    let status = store.live_status();
    let cleanup = send_wrapper::SendWrapper::new(store.clone());
    on_cleanup(move || cleanup.close());
    let chart_theme = Signal::derive(move || theme.and_then(|t| t.get()));
    let here = {
        let path = path.clone();
        move || {
            let q = url.get_untracked().to_query();
            if q.is_empty() {
                path.clone()
            } else {
                format!("{path}?{q}")
            }
        }
    };
    let here = StoredValue::new(here);
    // A click cross-filters the other widgets (drill-down is in the widget menu).
    let click_store = send_wrapper::SendWrapper::new(store.clone());
    let on_click = Callback::new(move |(widget, click): (Widget, ChartClick)| {
        if let Some(pick) = click_store.click_selection(&widget, &click) {
            click_store.toggle_cross_filter(pick);
        }
    });
    let data_view = RwSignal::new(None::<Widget>);
    let actions_store = send_wrapper::SendWrapper::new(store.clone());
    let may_export = can(Permission::ExportData);
    let widget_actions = Callback::new(move |widget: Widget| {
        let store = (*actions_store).clone();
        let back = here.with_value(|h| h());
        view! { <WidgetMenu widget=widget store=store data_view=data_view may_export=may_export back=back /> }.into_any()
    });
    let may_edit = can(Permission::EditDashboards);
    let may_report = can(Permission::GenerateReports);
    let kiosk = Memo::new(move |_| url.with(|u| u.kiosk));
    // Effect: kiosk mode hides the app chrome (a class on <html>).
    Effect::new(move |_| {
        let on = kiosk.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.class_list().toggle_with_force("kiosk", on);
        }
    });
    on_cleanup(|| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.class_list().remove_1("kiosk");
        }
    });
    let report_href = {
        let path = path.clone();
        move || {
            let q = url.get().to_query();
            format!("{path}/report?{q}")
        }
    };
    let edit_href = format!("{path}/edit");
    let dataset_store = send_wrapper::SendWrapper::new(store.clone());
    view! {
        <section class="page dashboard-page">
            <div class="page-head">
                <div>
                    <h1>{move || definition.get().map(|d| d.name).unwrap_or_else(|| tr(T::Dashboard).into())}</h1>
                    <p class="muted">{move || definition.get().map(|d| d.description).unwrap_or_default()}</p>
                </div>
                <div class="page-tools">
                    <LiveBadge status=status />
                    <select aria-label=move || tr(T::AutoRefresh) prop:value=move || url.with(|u| u.refresh.to_string())
                        on:change=move |ev| {
                            let seconds = event_target_value(&ev).parse().unwrap_or(0);
                            update(&|s| s.refresh = seconds);
                        }>
                        {REFRESH_CHOICES.iter().map(|(s, label)| { let label = *label; view! { <option value=s.to_string()>{move || tr(label)}</option> } }).collect_view()}
                    </select>
                    <Show when=move || may_report.get()>
                        <a class="app-button" href=report_href.clone()>{move || tr(T::Report)}</a>
                    </Show>
                    <Show when=move || may_edit.get()>
                        <a class="app-button" href=edit_href.clone()>{move || tr(T::Edit)}</a>
                    </Show>
                    <button type="button" class="app-button" aria-pressed=move || kiosk.get().to_string()
                        on:click=move |_| {
                            let on = !kiosk.get_untracked();
                            update(&|s| s.kiosk = on);
                        }>
                        {move || tr(if kiosk.get() { T::ExitFullScreen } else { T::FullScreen })}
                    </button>
                </div>
            </div>
            <div class="filter-bar">
                <TimeRangePicker value=Signal::derive(move || url.with(|u| u.range))
                    on_change=Callback::new(move |range: TimeRange| update(&|s| s.range = Some(range))) />
                <DimensionFilters store=(*dataset_store).clone() url=url
                    on_change=Callback::new(move |(field, value): (String, String)| update(&|s| {
                        s.filters.retain(|(f, _)| *f != field);
                        if !value.is_empty() {
                            s.filters.push((field.clone(), value.clone()));
                            vantage_widgets::sort::sort(&mut s.filters);
                        }
                    })) />
                <Show when=move || url.with(|u| u.range.is_some() || !u.filters.is_empty() || !u.cross.is_empty())>
                    <button type="button" class="app-button ghost" on:click=move |_| update(&|s| {
                        s.range = None;
                        s.filters.clear();
                        s.cross.clear();
                    })>{move || tr(T::ResetFilters)}</button>
                </Show>
            </div>
            <DashboardView store=store.clone() theme=chart_theme on_data_click=on_click widget_actions=widget_actions />
            <DataDialog widget=data_view store=store />
        </section>
    }
}

/// The window a widget's drill-down should use: its own range, else the dashboard's.
fn current_window(store: &DashboardStore, widget: &Widget) -> (i64, i64) {
    let now = js_sys::Date::now() as i64;
    let dashboard_default = store
        .definition()
        .with_untracked(|d| d.as_ref().and_then(|d| d.time_range));
    let range = widget
        .effective_time_range(store.time_range().get_untracked(), dashboard_default)
        .unwrap_or(TimeRange::preset(TimePreset::Last24h));
    range.resolve(now)
}

/// Select boxes for the dashboard dataset's first string dimensions.
#[component]
fn DimensionFilters(
    store: DashboardStore,
    url: Memo<UrlState>,
    on_change: Callback<(String, String)>,
) -> impl IntoView {
    let dataset = RwSignal::new(None::<Dataset>);
    // Until the dataset's schema has arrived (or failed), invisible placeholders hold the
    // filters' place: on a phone they take a row of their own, and the dashboard below would
    // move down when they appear (layout shift).
    let pending = RwSignal::new(true);
    let api = send_wrapper::SendWrapper::new(store.api().clone());
    let definition = store.definition();
    // A dashboard that did not load has no filters to wait for.
    let failed = store.load_error();
    let waiting = move || pending.get() && failed.with(Option::is_none);
    // Effect: loads the schema of the dataset most of the widgets use.
    Effect::new(move |loaded: Option<bool>| {
        if loaded == Some(true) {
            return true;
        }
        let Some(found) = definition.with(|d| d.as_ref().map(main_dataset)) else {
            return false;
        };
        let Some(id) = found else {
            pending.set(false);
            return true;
        };
        let api = (*api).clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(d) = api.dataset(&id).await {
                dataset.set(Some(d));
            }
            pending.set(false);
        });
        true
    });
    let filters = move || {
        if waiting() {
            return (0..FILTER_DIMENSIONS)
                .map(|_| {
                    view! {
                        <span class="dim-filter dim-placeholder" aria-hidden="true">
                            <span>"\u{a0}"</span>
                            <select disabled tabindex="-1"></select>
                        </span>
                    }
                })
                .collect_view()
                .into_any();
        }
        dataset.get().map(|d| {
            d.dimensions
                .into_iter()
                .filter(offered)
                .take(FILTER_DIMENSIONS)
                .map(|dim| {
                    let field = dim.name.clone();
                    let field2 = dim.name.clone();
                    let current = move || {
                        url.with(|u| u.filters.iter().find(|(f, _)| *f == field2).map(|(_, v)| v.clone()))
                            .unwrap_or_default()
                    };
                    view! {
                        <label class="dim-filter">
                            <span>{dim.label.clone()}</span>
                            <select prop:value=current on:change=move |ev| on_change.run((field.clone(), event_target_value(&ev)))>
                                <option value="">{move || tr(T::Any)}</option>
                                {dim.values.iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    }
                })
                .collect_view()
        })
        .into_any()
    };
    let none = move || {
        !waiting() && dataset.with(|d| d.as_ref().is_none_or(|d| !d.dimensions.iter().any(offered)))
    };
    view! { <div class="dim-filters" class:dim-none=none>{filters}</div> }
}

/// Whether the filter bar offers `dim`: a string dimension with known values.
fn offered(dim: &vantage_contract::DimensionDef) -> bool {
    dim.column_type == ColumnType::String && !dim.values.is_empty()
}

/// The dataset most widgets of `dashboard` query.
fn main_dataset(dashboard: &vantage_contract::Dashboard) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for q in dashboard.widgets.iter().filter_map(|w| w.query.as_ref()) {
        match counts.iter_mut().find(|(d, _)| *d == q.dataset) {
            Some((_, n)) => *n += 1,
            None => counts.push((q.dataset.clone(), 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(d, _)| d)
}

/// The per-widget menu (a disclosure button with actions).
#[component]
fn WidgetMenu(
    widget: Widget,
    store: DashboardStore,
    data_view: RwSignal<Option<Widget>>,
    may_export: Signal<bool>,
    back: String,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let state = store.widget_state(&widget.id);
    let id = widget.id.clone();
    let title = widget.title.clone();
    let has_query = widget.query.is_some();
    let is_chart = vantage_widgets::charts::is_chart(widget.kind);
    let cell = {
        let id = id.clone();
        move || {
            web_sys::window()?
                .document()?
                .query_selector(&format!("[data-widget-id=\"{}\"]", id.replace('"', "")))
                .ok()?
        }
    };
    let cell = StoredValue::new_local(cell);
    let csv_title = title.clone();
    let export_csv = move |_| {
        open.set(false);
        if let Some(result) = state.get_untracked().data().cloned() {
            let csv = vantage_sdk::export::to_csv(&result, Default::default());
            let _ = download_bytes(
                &format!("{}.csv", file_stem(&csv_title)),
                "text/csv;charset=utf-8",
                csv.as_bytes(),
            );
        }
    };
    let xlsx_title = title.clone();
    let export_problem = RwSignal::new(None::<String>);
    let export_xlsx = move |_| {
        open.set(false);
        if let Some(result) = state.get_untracked().data().cloned() {
            let file = format!("{}.xlsx", file_stem(&xlsx_title));
            download_xlsx(file, xlsx_title.clone(), result, export_problem);
        }
    };
    let png_title = title.clone();
    // The chart is reached through the view's registry (the `EChart` that owns it).
    let charts = use_context::<ChartRegistry>();
    let export_png = move |_| {
        open.set(false);
        let png = cell
            .with_value(|c| c())
            .zip(charts.clone())
            .and_then(|(cell, charts)| charts.chart_in(&cell))
            .and_then(|chart| chart.to_png().ok());
        if let Some(bytes) = png {
            let _ = download_bytes(
                &format!("{}.png", file_stem(&png_title)),
                "image/png",
                &bytes,
            );
        }
    };
    let full = move |_| {
        open.set(false);
        if let Some(cell) = cell.with_value(|c| c()) {
            let _ = cell.class_list().toggle("vt-cell-full");
        }
    };
    let rows_widget = widget.clone();
    let rows_store = send_wrapper::SendWrapper::new(store.clone());
    let navigate = use_navigate();
    let rows = move |_| {
        open.set(false);
        let window = current_window(&rows_store, &rows_widget);
        let filters = rows_store.filters().with_untracked(FilterSet::effective);
        let all = ChartClick {
            series_name: None,
            name: None,
            data_index: None,
            value: serde_json::Value::Null,
        };
        // The rows behind what the widget shows, narrowed by the cross-filters (its own
        // selection included) on the fields its dataset has.
        let cross = rows_store
            .cross_filters()
            .with_untracked(|c| c.items().to_vec());
        let unapplied = state.with_untracked(|s| {
            s.data()
                .map(|d| d.meta.unapplied_filters.clone())
                .unwrap_or_default()
        });
        if let Some(target) = drill_target(&rows_widget, &all, window, &filters) {
            let target = with_cross_filters(target, &cross, &unapplied);
            navigate(&target.url(&back), NavigateOptions::default());
        }
    };
    let view_widget = widget.clone();
    let label = move || trf(T::ActionsFor, &[&title]);
    view! {
        <div class="widget-menu">
            <button type="button" class="widget-menu-button" aria-haspopup="menu" aria-label=label
                aria-expanded=move || open.get().to_string() on:click=move |_| {
                    // A new look at the menu retires an export problem shown under it.
                    export_problem.set(None);
                    open.update(|o| *o = !*o);
                }>"⋯"</button>
            <Show when=move || open.get()>
                <div class="widget-menu-list" role="menu">
                    {has_query.then(|| {
                        let view_widget = view_widget.clone();
                        view! {
                            <button type="button" role="menuitem" on:click=move |_| { open.set(false); data_view.set(Some(view_widget.clone())); }>{move || tr(T::ViewDataAsTable)}</button>
                        }
                    })}
                    {has_query.then(|| view! {
                        <button type="button" role="menuitem" on:click=export_csv.clone() disabled=move || !may_export.get()
                            title=move || (!may_export.get()).then(|| tr(T::ExportNeedsAnalyst))>{move || tr(T::ExportCsv)}</button>
                    })}
                    {has_query.then(|| view! {
                        <button type="button" role="menuitem" on:click=export_xlsx.clone() disabled=move || !may_export.get()
                            title=move || (!may_export.get()).then(|| tr(T::ExportNeedsAnalyst))>{move || tr(T::ExportXlsx)}</button>
                    })}
                    {is_chart.then(|| view! {
                        <button type="button" role="menuitem" on:click=export_png.clone() disabled=move || !may_export.get()
                            title=move || (!may_export.get()).then(|| tr(T::ExportNeedsAnalyst))>{move || tr(T::ExportPng)}</button>
                    })}
                    {has_query.then(|| view! { <button type="button" role="menuitem" on:click=rows.clone()>{move || tr(T::DrillDown)}</button> })}
                    <button type="button" role="menuitem" on:click=full>{move || tr(T::ToggleFullSize)}</button>
                </div>
            </Show>
            {move || export_problem.get().map(|m| view! {
                <p class="export-problem" role="alert">
                    {m}
                    <button type="button" class="link-button" on:click=move |_| export_problem.set(None)>{move || tr(T::Dismiss)}</button>
                </p>
            })}
        </div>
    }
}

/// A dialog showing one widget's current data as a table.
#[component]
fn DataDialog(widget: RwSignal<Option<Widget>>, store: DashboardStore) -> impl IntoView {
    let store = send_wrapper::SendWrapper::new(store);
    move || {
        widget.get().map(|w| {
            let state = store.widget_state(&w.id);
            let result: Signal<Arc<vantage_contract::QueryResult>> =
                Signal::derive(move || state.get().data().cloned().unwrap_or_default());
            view! {
                <div class="dialog-backdrop" on:click=move |_| widget.set(None)>
                    <div class="dialog" role="dialog" aria-modal="true" aria-label=trf(T::DataOf, &[&w.title])
                        on:click=|ev| ev.stop_propagation()>
                        <div class="dialog-head">
                            <h2>{w.title.clone()}</h2>
                            <button type="button" class="app-button" on:click=move |_| widget.set(None)>{move || tr(T::Close)}</button>
                        </div>
                        <DataTable result=result label=w.title.clone() />
                    </div>
                </div>
            }
        })
    }
}

#[component]
fn LiveBadge(status: ReadSignal<LiveStatus>) -> impl IntoView {
    // The connection opens after the first data: until it has been open once, "closed" means
    // "about to connect", not "offline".
    let opened = Memo::new(move |was: Option<&bool>| {
        was.copied().unwrap_or(false) || matches!(status.get(), LiveStatus::Open(_))
    });
    let shown = move || match status.get() {
        LiveStatus::Closed if !opened.get() => LiveStatus::Connecting,
        other => other,
    };
    let text = move || match shown() {
        LiveStatus::Open(_) => tw(Msg::Live).to_owned(),
        LiveStatus::Connecting => tw(Msg::Connecting).to_owned(),
        LiveStatus::Reconnecting { next_delay_ms, .. } => trf(
            T::ReconnectingIn,
            &[&next_delay_ms.div_ceil(1000).to_string()],
        ),
        LiveStatus::Paused => tw(Msg::Paused).to_owned(),
        LiveStatus::Closed => tw(Msg::Offline).to_owned(),
        LiveStatus::Failed(_) => tr(T::OfflineLastData).to_owned(),
    };
    let class = move || format!("live-badge {}", shown().name());
    view! { <span class=class role="status" aria-live="polite">{text}</span> }
}
