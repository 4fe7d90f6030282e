//! Report view: a print-friendly page for one dashboard and period — title, period, every KPI and
//! chart of the dashboard, and a table of the top failures — whose print stylesheet (in
//! `vantage.css`) makes the browser's "Save as PDF" produce a clean multi-page report.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use vantage_contract::{
    Aggregation, Filter, Measure, Query, QueryResult, Sort, SortDir, TimePreset, TimeRange,
};
use vantage_sdk::live::{LiveMode, LiveOptions};
use vantage_sdk::{DashboardStore, DashboardView, FilterChange, FilterSet};
use vantage_widgets::format::{format_time, TimeStyle};
use vantage_widgets::messages::Msg;
use vantage_widgets::DataTable;

use super::dashboard::UrlState;
use super::require_login;
use crate::brand::{use_brand, use_page_title};
use crate::i18n::{tr, trf, tw, P, T};
use crate::session::use_session;
use crate::shell::ChartTheme;

/// The "top failures" query of a report: the most frequent invalid answers by error type and
/// intent (validations), or the largest groups of the first dimension for other datasets.
pub fn top_query(
    dataset: &str,
    first_dimension: Option<&str>,
    range: TimeRange,
    filters: Vec<Filter>,
) -> Option<Query> {
    let mut query = Query::new(dataset, vec![Measure::new("*", Aggregation::Count)]);
    if dataset == "validations" {
        query.dimensions = vec!["error_type".into(), "intent".into()];
        query.filters.push(Filter::eq("status", "INVALID"));
    } else {
        query.dimensions = vec![first_dimension?.to_owned()];
    }
    query.filters.extend(filters);
    query.time_range = Some(range);
    query.sort = vec![Sort {
        field: "count".into(),
        dir: SortDir::Desc,
    }];
    query.limit = Some(10);
    Some(query)
}

#[component]
pub fn ReportPage() -> impl IntoView {
    require_login();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    view! { {move || { let id = id(); view! { <Report id=id /> } }} }
}

#[component]
fn Report(id: String) -> impl IntoView {
    let session = use_session();
    let brand = use_brand();
    let query = use_query_map();
    let url = query.with_untracked(UrlState::read);
    let theme = use_context::<ChartTheme>().map(|t| t.0);
    let options = LiveOptions {
        mode: LiveMode::Off,
        ..LiveOptions::default()
    };
    let ops: Vec<FilterChange> = url
        .filters
        .iter()
        .map(|(f, v)| FilterChange::Set(Filter::eq(f.clone(), v.clone())))
        .collect();
    let mut filters = FilterSet::default();
    let _ = filters.apply_all(ops);
    let store = DashboardStore::new(session.api.clone(), id.clone(), filters, options)
        .with_time_range(url.range);
    store.load();
    let definition = store.definition();
    use_page_title(move || {
        let name = definition.get().map(|d| d.name).unwrap_or_default();
        trf(P::ReportOf, &[&name])
    });
    let cleanup = send_wrapper::SendWrapper::new(store.clone());
    on_cleanup(move || cleanup.close());
    let generated = js_sys::Date::now();
    let range = move || {
        url.range
            .or_else(|| definition.get().and_then(|d| d.time_range))
            .unwrap_or(TimeRange::preset(TimePreset::Last24h))
    };
    let period = move || {
        let (from, to) = range().resolve(generated as i64);
        format!(
            "{} – {}",
            format_time(from as f64, TimeStyle::DateTime),
            format_time(to as f64, TimeStyle::DateTime)
        )
    };
    let top = RwSignal::new(None::<Result<Arc<QueryResult>, String>>);
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let filters = url.filters.clone();
    // Effect: runs the top-failures query once the dashboard (and its dataset) is known.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(dashboard) = definition.get() else {
            return false;
        };
        let Some(dataset) = dashboard
            .widgets
            .iter()
            .find_map(|w| w.query.as_ref())
            .map(|q| q.dataset.clone())
        else {
            return true;
        };
        let first_dimension = dashboard
            .widgets
            .iter()
            .filter_map(|w| w.query.as_ref())
            .filter(|q| q.dataset == dataset)
            .find_map(|q| q.dimensions.first().cloned());
        let extra = filters
            .iter()
            .map(|(f, v)| Filter::eq(f.clone(), v.clone()))
            .collect();
        let api = (*api).clone();
        let range = range();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(q) = top_query(&dataset, first_dimension.as_deref(), range, extra) {
                top.set(Some(
                    api.query(&q)
                        .await
                        .map(Arc::new)
                        .map_err(|e| e.user_message()),
                ));
            }
        });
        true
    });
    let chart_theme = Signal::derive(move || theme.and_then(|t| t.get()));
    let top_result: Signal<Arc<QueryResult>> = Signal::derive(move || match top.get() {
        Some(Ok(r)) => r,
        _ => Arc::new(QueryResult::default()),
    });
    let print = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let back = format!(
        "/dashboards/{}?{}",
        js_sys::encode_uri_component(&id),
        url.to_query()
    );
    view! {
        <article class="report">
            <div class="report-tools no-print">
                <a class="back-link" href=back>{move || tr(P::BackToDashboard)}</a>
                <button type="button" class="app-button primary" on:click=print>{move || tr(P::PrintOrPdf)}</button>
            </div>
            <header class="report-head">
                <p class="report-product">{move || brand.product_name()}</p>
                <h1>{move || definition.get().map(|d| d.name).unwrap_or_else(|| tr(T::Report).into())}</h1>
                <p class="muted">{move || definition.get().map(|d| d.description).unwrap_or_default()}</p>
                <dl class="report-meta">
                    <dt>{move || tr(P::Period)}</dt><dd class="report-period">{period}</dd>
                    <dt>{move || tr(P::Generated)}</dt><dd>{format_time(generated, TimeStyle::DateTime)}</dd>
                    {(!url.filters.is_empty()).then(|| view! {
                        <dt>{move || tr(P::Filters)}</dt>
                        <dd>{url.filters.iter().map(|(f, v)| format!("{f} = {v}")).collect::<Vec<_>>().join(", ")}</dd>
                    })}
                </dl>
            </header>
            <DashboardView store=store theme=chart_theme />
            <section class="report-top">
                <h2>{move || tr(P::TopFailures)}</h2>
                {move || match top.get() {
                    None => view! { <p class="muted">{move || tw(Msg::Loading)}</p> }.into_any(),
                    Some(Err(m)) => view! { <p class="app-error" role="alert">{m}</p> }.into_any(),
                    Some(Ok(r)) if r.row_count() == 0 => view! { <p class="muted">{move || tr(P::NoneInPeriod)}</p> }.into_any(),
                    Some(Ok(_)) => view! { <DataTable result=top_result label=Signal::derive(|| tr(P::TopFailures).to_owned()) options=serde_json::json!({ "pageSize": 10 }) /> }.into_any(),
                }}
            </section>
        </article>
    }
}
