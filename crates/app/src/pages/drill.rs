//! Drill-down: the raw rows behind a datum (`/drill?dataset=…&from=…&to=…&filters=[…]`), a page at
//! a time (newest first, cursor pagination), sortable within the page, exportable as CSV.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use vantage_contract::{Filter, QueryResult};
use vantage_widgets::format::{format_time, TimeStyle};
use vantage_widgets::messages::Msg;
use vantage_widgets::DataTable;

use super::require_login;
use crate::brand::use_page_title;
use crate::download::{download_bytes, download_xlsx, file_stem};
use crate::i18n::{tr, trf, tw, P, T};
use crate::session::use_session;

const PAGE_SIZE: u32 = 100;

/// The drill-down request as read from the URL.
#[derive(Clone, PartialEq)]
struct Request {
    dataset: String,
    from: Option<i64>,
    to: Option<i64>,
    filters: Result<Vec<Filter>, String>,
}

impl Request {
    fn params(&self, cursor: Option<&str>) -> String {
        let mut params = vec![format!("limit={PAGE_SIZE}")];
        if let (Some(from), Some(to)) = (self.from, self.to) {
            params.push(format!("from={from}&to={to}"));
        }
        if let Ok(filters) = &self.filters {
            if !filters.is_empty() {
                let json = serde_json::to_string(filters).unwrap_or_default();
                params.push(format!("filters={}", js_sys::encode_uri_component(&json)));
            }
        }
        if let Some(cursor) = cursor {
            params.push(format!("cursor={}", js_sys::encode_uri_component(cursor)));
        }
        params.join("&")
    }
}

#[component]
pub fn DrillPage() -> impl IntoView {
    require_login();
    let session = use_session();
    let query = use_query_map();
    let request = Memo::new(move |_| {
        query.with(|q| Request {
            dataset: q.get("dataset").unwrap_or_default(),
            from: q.get("from").and_then(|v| v.parse().ok()),
            to: q.get("to").and_then(|v| v.parse().ok()),
            filters: match q.get("filters") {
                None => Ok(Vec::new()),
                Some(json) => serde_json::from_slice(json.as_bytes())
                    .map_err(|_| tr(P::LinkFiltersInvalid).to_owned()),
            },
        })
    });
    let title = move || {
        query
            .with(|q| q.get("title"))
            .unwrap_or_else(|| tr(P::Rows).into())
    };
    let back = move || {
        query
            .with(|q| q.get("back"))
            .filter(|b| crate::redirect::same_origin_path(b).is_some())
    };
    use_page_title(move || trf(P::DrillDownOf, &[&title()]));
    // Cursors of the pages before the current one (for "Previous").
    let history = RwSignal::new(Vec::<Option<String>>::new());
    let cursor = RwSignal::new(None::<String>);
    let page = RwSignal::new(None::<Result<(Arc<QueryResult>, Option<String>), String>>);
    // Bumped by Retry: the fetch runs again.
    let attempt = RwSignal::new(0_u32);
    // Whether an error shown is the server's answer (or no answer), which Retry may change, rather
    // than the link's own fault (its filters unreadable, no dataset), which it cannot.
    let fetched = Memo::new(move |_| request.with(|r| r.filters.is_ok() && !r.dataset.is_empty()));
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let user = session.user;
    // Effect: fetches the page for the current request and cursor.
    Effect::new(move |_| {
        let request = request.get();
        let cursor = cursor.get();
        attempt.track();
        if user.with(Option::is_none) {
            return;
        }
        if let Err(message) = &request.filters {
            page.set(Some(Err(message.clone())));
            return;
        }
        if request.dataset.is_empty() {
            page.set(Some(Err(tr(P::PickAPoint).into())));
            return;
        }
        page.set(None);
        let api = (*api).clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = api
                .rows(&request.dataset, &request.params(cursor.as_deref()))
                .await
                .map(|p| (Arc::new(p.result), p.next_cursor))
                .map_err(|e| e.user_message());
            page.set(Some(result));
        });
    });
    let next = move |_| {
        if let Some(Ok((_, Some(next)))) = page.get_untracked() {
            history.update(|h| h.push(cursor.get_untracked()));
            cursor.set(Some(next));
        }
    };
    let previous = move |_| {
        let mut stack = history.get_untracked();
        if let Some(prev) = stack.pop() {
            history.set(stack);
            cursor.set(prev);
        }
    };
    let export = move |_| {
        if let Some(Ok((result, _))) = page.get_untracked() {
            let csv = vantage_sdk::export::to_csv(&result, Default::default());
            let name = format!("{}-rows.csv", file_stem(&title()));
            let _ = download_bytes(&name, "text/csv;charset=utf-8", csv.as_bytes());
        }
    };
    let export_problem = RwSignal::new(None::<String>);
    let export_xlsx = move |_| {
        if let Some(Ok((result, _))) = page.get_untracked() {
            let name = format!("{}-rows.xlsx", file_stem(&title()));
            let sheet = untrack(|| tr(P::Rows).to_owned());
            download_xlsx(name, sheet, result, export_problem);
        }
    };
    let window_text = move || {
        let r = request.get();
        match (r.from, r.to) {
            (Some(from), Some(to)) => format!(
                "{} – {}",
                format_time(from as f64, TimeStyle::DateTime),
                format_time(to as f64, TimeStyle::DateTime)
            ),
            _ => tr(P::DefaultWindow).into(),
        }
    };
    let filter_chips = move || {
        request
            .get()
            .filters
            .unwrap_or_default()
            .into_iter()
            .map(|f| view! { <span class="chip">{move || super::filter_rows::filter_text(&f, None)}</span> })
            .collect_view()
    };
    let table: Signal<Arc<QueryResult>> = Signal::derive(move || match page.get() {
        Some(Ok((result, _))) => result,
        _ => Arc::new(QueryResult::default()),
    });
    view! {
        <section class="page drill-page">
            <div class="page-head">
                <div>
                    {move || back().map(|b| {
                        let to = if b.starts_with("/alerts") { P::BackToAlerts } else { P::BackToDashboard };
                        view! { <a class="back-link" href=b>{move || tr(to)}</a> }
                    })}
                    <h1>{title}</h1>
                    <p class="muted">{move || request.get().dataset} " · " {window_text}</p>
                    <div class="chips">{filter_chips}</div>
                </div>
                <div class="page-tools">
                    <button type="button" class="app-button" on:click=export
                        disabled=move || !matches!(page.get(), Some(Ok(_)))>{move || tr(T::ExportCsv)}</button>
                    <button type="button" class="app-button" on:click=export_xlsx
                        disabled=move || !matches!(page.get(), Some(Ok(_)))>{move || tr(T::ExportXlsx)}</button>
                    {move || export_problem.get().map(|m| view! { <p class="export-problem" role="alert">{m}</p> })}
                </div>
            </div>
            {move || match page.get() {
                None => view! { <div class="table-skeleton skeleton" aria-busy="true"></div> }.into_any(),
                Some(Err(message)) if fetched.get() => {
                    super::load_failed(message, Callback::new(move |()| attempt.update(|n| *n += 1)))
                }
                Some(Err(message)) => view! { <div class="app-error" role="alert"><p>{message}</p></div> }.into_any(),
                Some(Ok((result, _))) if result.row_count() == 0 => view! {
                    <p class="app-empty">{move || tr(P::NoRowsInWindow)}</p>
                }.into_any(),
                Some(Ok(_)) => view! {
                    <div class="card table-card">
                        <DataTable result=table options=serde_json::json!({ "pageSize": PAGE_SIZE }) label=Signal::derive(|| tr(P::Rows).to_owned()) />
                    </div>
                }.into_any(),
            }}
            <div class="pager">
                <button type="button" class="app-button" on:click=previous
                    disabled=move || history.with(Vec::is_empty)>{move || tw(Msg::PreviousPage)}</button>
                <span class="muted">{move || trf(P::PageNumber, &[&(history.with(Vec::len) + 1).to_string()])}</span>
                <button type="button" class="app-button" on:click=next
                    disabled=move || !matches!(page.get(), Some(Ok((_, Some(_)))))>{move || tw(Msg::NextPage)}</button>
            </div>
        </section>
    }
}
