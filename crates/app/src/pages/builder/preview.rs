//! [`PreviewCard`]: one widget rendered from a real `POST /query`, as the dashboard will show
//! it. The query re-runs when (and only when) the widget's query or the dashboard's default time
//! range changes; a newer request aborts the older one, and unmounting aborts the last.

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use vantage_contract::{Position, TimeRange, Widget};
use vantage_widgets::{WidgetState, WidgetView};

use super::Builder;
use crate::shell::ChartTheme;

/// Renders `widget` with live data, or `placeholder` when there is no widget to show.
#[component]
pub fn PreviewCard(
    b: Builder,
    #[prop(into)] widget: Signal<Option<Widget>>,
    #[prop(into)] placeholder: Signal<String>,
) -> impl IntoView {
    let theme = use_context::<ChartTheme>().map(|t| t.0);
    let chart_theme = Signal::derive(move || theme.and_then(|t| t.get()));
    let default_range = Memo::new(move |_| b.read(|s| s.doc.time_range).flatten());
    let query = Memo::new(move |_| {
        widget.with(|w| {
            w.as_ref().and_then(|w| w.query.clone()).map(|mut q| {
                // A widget without its own range follows the dashboard's, as the view does.
                if q.time_range.is_none() {
                    q.time_range = default_range.get().or(Some(TimeRange::preset(
                        vantage_contract::TimePreset::Last24h,
                    )));
                }
                q
            })
        })
    });
    // Position does not change what is drawn; leaving it out keeps charts alive while dragging.
    let shown = Memo::new(move |_| {
        widget.with(|w| {
            w.as_ref().map(|w| Widget {
                position: Position {
                    x: 0,
                    y: 0,
                    w: 1,
                    h: 1,
                },
                ..w.clone()
            })
        })
    });
    let state = RwSignal::new(WidgetState::Loading);
    let request = StoredValue::new_local(None::<AbortHandle>);
    let run = move || {
        if let Some(old) = request.get_value() {
            old.abort();
        }
        let Some(q) = query.get_untracked() else {
            state.set(WidgetState::Loading);
            return;
        };
        let (handle, registration) = AbortHandle::new_pair();
        request.set_value(Some(handle));
        state.set(WidgetState::Loading);
        let api = b.api.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(result) = Abortable::new(api.query(&q), registration).await {
                state.set(match result {
                    Ok(data) => WidgetState::ready(data),
                    Err(e) => WidgetState::Error {
                        message: e.user_message(),
                    },
                });
            }
        });
    };
    // Effect: keeps the preview's data in step with its query (the outside world is the API).
    Effect::new(move |_| {
        query.track();
        run();
    });
    on_cleanup(move || {
        if let Some(handle) = request.try_get_value().flatten() {
            handle.abort();
        }
    });
    let retry = Callback::new(move |()| run());
    let alerts: Signal<Vec<vantage_contract::Alert>> = Signal::derive(Vec::new);
    move || match shown.get() {
        None => view! { <div class="builder-preview-empty">{move || placeholder.get()}</div> }
            .into_any(),
        Some(widget) => view! {
            <WidgetView widget=widget state=state on_retry=retry theme=chart_theme alerts=alerts />
        }
        .into_any(),
    }
}
