//! `WidgetView`: one dashboard widget — a card with a title bar and a body that shows the
//! widget's kind (chart, KPI, table, alerts) in whatever state its data is in.
//!
//! - Loading: a shimmering skeleton that fills the card (no layout shift when data arrives).
//!   The body for new data is built within the task's budget ([`crate::echarts::pace`]): when
//!   one result reaches many widgets at once, the cards past the budget keep their skeleton
//!   for one more task, so no task builds them all.
//! - Ready with no rows: "No data for this period".
//! - Error: the message and a Retry button (when `on_retry` is given).
//! - Stale: the data stays, a small badge says live updates are paused.
//!
//! Bad data never panics: builders return [`crate::WidgetError`], shown in this widget only.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use vantage_contract::{Alert, QueryResult, Widget, WidgetKind};

use crate::alerts::{AlertAction, AlertList};
use crate::charts::{is_chart, ChartView};
use crate::echarts::pace;
use crate::kpi::KpiCard;
use crate::locale;
use crate::messages::{t, tf, Msg};
use crate::table::DataTable;
use crate::{ChartClick, WidgetState};

/// Which body a state calls for (the data itself is passed separately, so new data does not
/// rebuild the body).
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    Empty,
    Ready,
    Error(String),
}

impl Phase {
    fn of(state: &WidgetState) -> Self {
        match state {
            WidgetState::Loading => Phase::Loading,
            WidgetState::Error { message } => Phase::Error(message.clone()),
            WidgetState::Ready { data, .. } if data.row_count() == 0 => Phase::Empty,
            WidgetState::Ready { .. } => Phase::Ready,
        }
    }
}

fn kind_class(kind: WidgetKind) -> &'static str {
    match kind {
        WidgetKind::Line => "vt-card vt-kind-line",
        WidgetKind::Area => "vt-card vt-kind-area",
        WidgetKind::Bar => "vt-card vt-kind-bar",
        WidgetKind::Pie => "vt-card vt-kind-pie",
        WidgetKind::Scatter => "vt-card vt-kind-scatter",
        WidgetKind::Heatmap => "vt-card vt-kind-heatmap",
        WidgetKind::Gauge => "vt-card vt-kind-gauge",
        WidgetKind::Kpi => "vt-card vt-kind-kpi",
        WidgetKind::Table => "vt-card vt-kind-table",
        WidgetKind::Alerts => "vt-card vt-kind-alerts",
    }
}

/// One dashboard widget in a card.
#[component]
pub fn WidgetView(
    /// Kind, title and options of the widget.
    widget: Widget,
    /// The data state, owned by the store.
    #[prop(into)]
    state: Signal<WidgetState>,
    /// The error state's Retry button calls this; without it there is no button.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
    /// Called when a chart item is clicked (drill-down).
    #[prop(optional)]
    on_click: Option<Callback<ChartClick>>,
    /// Name of a registered ECharts theme.
    #[prop(into, optional)]
    theme: MaybeProp<String>,
    /// The alerts to list, for `kind = alerts`.
    #[prop(into, optional)]
    alerts: Option<Signal<Vec<Alert>>>,
    /// Acknowledge/resolve requests from the alerts list.
    #[prop(optional)]
    on_alert_action: Option<Callback<(String, AlertAction)>>,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    // The widget stylesheet, adopted by this card's document or shadow root.
    crate::styles::install_when_mounted(node);
    let kind = widget.kind;
    let title = widget.title.clone();
    let phase = Memo::new(move |_| state.with(Phase::of));
    let data: Signal<Arc<QueryResult>> =
        Signal::derive(move || state.with(|s| s.data().cloned().unwrap_or_default()));
    let stale = Memo::new(move |_| state.with(WidgetState::is_stale));
    // Viewer filters and cross-filters on fields this widget's dataset lacks (the server
    // reports them): the data is not narrowed by them, and the card says so.
    let unfiltered = Memo::new(move |_| {
        state.with(|s| {
            s.data()
                .map(|d| d.meta.unapplied_filters.clone())
                .unwrap_or_default()
        })
    });
    let options = widget.options.clone();
    let label = widget.title.clone();
    // Whether the body for data may be built: admitted by the pacer in this task, or by its
    // retry in a later one. Once built, new data flows into it without a rebuild.
    let admitted = RwSignal::new(false);
    // Whether the body waits for its turn with the data there (`aria-busy` says so). Set from
    // the body's closure, which does not read it: the pacer admits a body without notifying.
    let waiting = RwSignal::new(false);

    let body = move || {
        // A locale change re-renders the body, so numbers, dates and text follow it.
        locale::track();
        // The alert list, unless the backend refused the widget (e.g. an embed token's locked
        // filters cannot apply to alerts): then its error shows like any widget's.
        if kind == WidgetKind::Alerts && !matches!(phase.get(), Phase::Error(_)) {
            if let Some(alerts) = alerts {
                return view! { <AlertList alerts=alerts on_action=on_alert_action.unwrap_or_else(|| Callback::new(|_| {})) /> }
                    .into_any();
            }
        }
        let phase = phase.get();
        let wait = phase == Phase::Ready && !pace::admit_view(admitted);
        if waiting.get_untracked() != wait {
            waiting.set(wait);
        }
        match phase {
            Phase::Loading => skeleton(false),
            Phase::Ready if wait => skeleton(true),
            Phase::Empty => view! { <div class="vt-empty">{t(Msg::NoData)}</div> }.into_any(),
            Phase::Error(message) => view! {
                <div class="vt-widget-error" role="alert">
                    <span>{message}</span>
                    {on_retry.map(|retry| view! {
                        <button type="button" class="vt-button" on:click=move |_| retry.run(())>{t(Msg::Retry)}</button>
                    })}
                </div>
            }
            .into_any(),
            Phase::Ready => ready_body(kind, data, options.clone(), label.clone(), theme, on_click),
        }
    };

    view! {
        <div class=kind_class(kind) part="card" node_ref=node aria-busy=move || (phase.get() == Phase::Loading || waiting.get()).to_string()>
            <div class="vt-card-header">
                <h2 class="vt-card-title" part="card-title">{title}</h2>
                {move || {
                    locale::track();
                    let fields = unfiltered.get();
                    (!fields.is_empty()).then(|| {
                        let names = fields.join(", ");
                        let text = tf(Msg::NotFilteredBy, &[&names]);
                        let title = tf(Msg::NotFilteredByTitle, &[&names]);
                        view! { <span class="vt-badge vt-badge-unfiltered" title=title>{text}</span> }
                    })
                }}
                {move || { locale::track(); stale.get().then(|| view! {
                    <span class="vt-badge vt-badge-stale" title=t(Msg::StaleTitle)>{t(Msg::Stale)}</span>
                })}}
            </div>
            <div class="vt-card-body">{body}</div>
        </div>
    }
}

/// The loading placeholder: shimmering bars the size of the card's body; marked `vt-pending`
/// while the data is there and only the body's building waits (see `crate::paced`).
fn skeleton(pending: bool) -> AnyView {
    let class = if pending {
        "vt-skeleton vt-pending"
    } else {
        "vt-skeleton"
    };
    view! {
        <div class=class role="status" aria-label=t(Msg::Loading)>
            <div class="vt-skeleton-bar"></div>
            <div class="vt-skeleton-bar vt-short"></div>
            <div class="vt-skeleton-block"></div>
        </div>
    }
    .into_any()
}

fn ready_body(
    kind: WidgetKind,
    data: Signal<Arc<QueryResult>>,
    options: serde_json::Value,
    label: String,
    theme: MaybeProp<String>,
    on_click: Option<Callback<ChartClick>>,
) -> AnyView {
    match kind {
        WidgetKind::Kpi => view! { <KpiCard result=data options=options /> }.into_any(),
        WidgetKind::Table => {
            // A row click reports the row (in the result's order) as a click on its datum.
            let on_row = on_click.map(|callback| {
                Callback::new(move |row: usize| {
                    callback.run(ChartClick {
                        series_name: None,
                        name: None,
                        data_index: u32::try_from(row).ok(),
                        value: serde_json::Value::Null,
                    })
                })
            });
            match on_row {
                Some(on_row) => view! { <DataTable result=data options=options label=label on_row_click=on_row /> }.into_any(),
                None => view! { <DataTable result=data options=options label=label /> }.into_any(),
            }
        }
        WidgetKind::Alerts => view! { <div class="vt-empty">{t(Msg::NoAlerts)}</div> }.into_any(),
        kind if is_chart(kind) => match on_click {
            Some(callback) => view! {
                <ChartView kind=kind result=data options=options label=label theme=theme on_click=callback />
            }
            .into_any(),
            None => view! { <ChartView kind=kind result=data options=options label=label theme=theme /> }
                .into_any(),
        },
        _ => view! { <div class="vt-empty">{t(Msg::Unsupported)}</div> }.into_any(),
    }
}
