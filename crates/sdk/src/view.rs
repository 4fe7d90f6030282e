//! [`DashboardView`]: renders a [`DashboardStore`] with the widget library, in the dashboard's
//! 12-column grid, under a chip bar of the active cross-filters ([`CrossFilterBar`]). One
//! failing widget shows its own error; a failing dashboard shows one error with a retry button;
//! nothing blanks while data reloads.

use leptos::prelude::*;
use vantage_contract::Widget;
use vantage_widgets::messages::{t, tf, Msg};
use vantage_widgets::{paced, ChartClick, ChartRegistry, GridCell, GridLayout, WidgetView};

use crate::DashboardStore;

/// Renders every widget of the store's dashboard.
#[component]
pub fn DashboardView(
    store: DashboardStore,
    /// Registered ECharts theme name for the charts.
    #[prop(into, optional)]
    theme: MaybeProp<String>,
    /// Called when a chart datum or a table row is clicked (the app and the embed cross-filter
    /// from it; see [`DashboardStore::toggle_cross_filter`]).
    #[prop(optional)]
    on_data_click: Option<Callback<(Widget, ChartClick)>>,
    /// Render only this widget, filling the view (single-widget embeds).
    #[prop(into, optional)]
    only_widget: Option<String>,
    /// Extra controls drawn in each widget's corner (the app's per-widget menu).
    #[prop(optional)]
    widget_actions: Option<Callback<Widget, AnyView>>,
) -> impl IntoView {
    // Memos, so the grid (and every chart in it) is rebuilt only when the definition or the
    // whole-dashboard failure really changes — not on each data load or live re-query.
    let definition = store.definition();
    let definition = Memo::new(move |_| definition.get());
    let load_error = store.load_error();
    let load_error = Memo::new(move |_| {
        vantage_widgets::locale::track();
        load_error.get().map(|e| e.user_message())
    });
    let alerts = store.alerts();
    let retry_store = store.clone();
    let chips = store.clone();
    let retry = Callback::new(move |()| retry_store.refresh());
    // Image exports reach the charts through this registry (the embed provides its own).
    use_context::<ChartRegistry>().unwrap_or_default().provide();
    let body = move || {
        // A locale change (`setLocale`) re-renders the widgets with the new formats and text.
        vantage_widgets::locale::track();
        if let Some(message) = load_error.get() {
            return view! {
                <div class="vt-dashboard-error" role="alert">
                    <p>{message}</p>
                    <button type="button" on:click=move |_| retry.run(())>{t(Msg::Retry)}</button>
                </div>
            }
            .into_any();
        }
        let Some(dashboard) = definition.get() else {
            return view! { <div class="vt-dashboard-loading" aria-busy="true">{t(Msg::LoadingDashboard)}</div> }
                .into_any();
        };
        let row_height = dashboard.layout.row_height;
        let single = only_widget.clone().filter(|id| !id.is_empty());
        let cells = dashboard
            .widgets
            .into_iter()
            .filter(|w| single.as_ref().is_none_or(|id| &w.id == id))
            .map(|widget| {
                let state = store.widget_state(&widget.id);
                let position = if single.is_some() {
                    vantage_contract::Position {
                        x: 0,
                        y: 0,
                        w: 12,
                        h: widget.position.h,
                    }
                } else {
                    widget.position
                };
                let widget_id = widget.id.clone();
                let on_click = on_data_click.map(|callback| {
                    let widget = widget.clone();
                    Callback::new(move |click: ChartClick| callback.run((widget.clone(), click)))
                });
                let alerts: Signal<Vec<vantage_contract::Alert>> = alerts.into();
                // Built within the task's budget: a definition's cells past it come in a later
                // task (the cell keeps its place meanwhile).
                let content = paced(move || {
                    let actions = widget_actions.map(|actions| {
                        let view = actions.run(widget.clone());
                        view! { <div class="vt-cell-actions">{view}</div> }
                    });
                    view! {
                        {actions}
                        <WidgetView
                            widget=widget.clone()
                            state=state
                            on_retry=retry
                            on_click=on_click.unwrap_or_else(|| Callback::new(|_| {}))
                            theme=theme
                            alerts=alerts
                        />
                    }
                });
                view! {
                    <GridCell position=position attr:data-widget-id=widget_id>
                        {content}
                    </GridCell>
                }
            })
            .collect_view();
        view! { <GridLayout row_height=row_height>{cells}</GridLayout> }.into_any()
    };
    view! {
        <div class="vt-dashboard">
            <CrossFilterBar store=chips />
            {body}
        </div>
    }
}

/// The active cross-filters as chips, each with a clear button, and "Clear all" when there are
/// several; nothing when none is set.
#[component]
pub fn CrossFilterBar(store: DashboardStore) -> impl IntoView {
    let cross = store.cross_filters();
    let definition = store.definition();
    move || {
        vantage_widgets::locale::track();
        let items = cross.with(|c| c.items().to_vec());
        if items.is_empty() {
            return None;
        }
        let several = items.len() > 1;
        let chips = items
            .into_iter()
            .map(|pick| {
                let text = chip_text(&pick);
                let source = definition.with(|d| {
                    d.as_ref()
                        .and_then(|d| d.widgets.iter().find(|w| w.id == pick.widget_id))
                        .map(|w| w.title.clone())
                });
                let title = source.map(|title| tf(Msg::SetByClick, &[&title]));
                let clear_label = tf(Msg::ClearCrossFilter, &[&text]);
                let (store, id) = (store.clone(), pick.widget_id.clone());
                view! {
                    <span class="vt-chip" data-cross-filter=pick.widget_id.clone() title=title>
                        <span class="vt-chip-text">{text}</span>
                        <button type="button" class="vt-chip-clear" aria-label=clear_label
                            on:click=move |_| store.remove_cross_filter(&id)>"×"</button>
                    </span>
                }
            })
            .collect_view();
        let clear_all = several.then(|| {
            let store = store.clone();
            view! {
                <button type="button" class="vt-button" on:click=move |_| store.set_cross_filters(Vec::new())>{t(Msg::ClearAll)}</button>
            }
        });
        Some(view! {
            <div class="vt-crossfilters" part="cross-filters" role="group" aria-label=t(Msg::CrossFilters)>
                <span class="vt-crossfilters-label">{t(Msg::FilteredBy)}</span>
                {chips}
                {clear_all}
            </div>
        })
    }
}

/// A chip's text: the values, then the time window in the viewer's locale.
fn chip_text(pick: &vantage_contract::CrossFilter) -> String {
    let values = crate::crossfilter::values_label(pick);
    let window = crate::crossfilter::window_of(pick).map(|(from, to)| {
        use vantage_widgets::format::{format_time, TimeStyle};
        format!(
            "time: {} – {}",
            format_time(from as f64, TimeStyle::DateTime),
            format_time(to as f64, TimeStyle::Time)
        )
    });
    match (values.is_empty(), window) {
        (_, None) => values,
        (true, Some(w)) => w,
        (false, Some(w)) => format!("{values} · {w}"),
    }
}
