//! Filter controls. They hold only what the user is typing; every change is emitted as a
//! contract value ([`TimeRange`], [`Filter`]) through a callback, and the store decides what to
//! query. `None` means "this control no longer filters".

use crate::locale;
use crate::messages::{t, tf, Msg};
use leptos::prelude::*;
use serde_json::Value;
use vantage_contract::{Filter, FilterOp, TimePreset, TimeRange};

/// The presets offered, in order, with their button labels.
pub const PRESETS: [(TimePreset, &str); 5] = [
    (TimePreset::Last15m, "15m"),
    (TimePreset::Last1h, "1h"),
    (TimePreset::Last24h, "24h"),
    (TimePreset::Last7d, "7d"),
    (TimePreset::Last30d, "30d"),
];

/// `field in [values]`, or `None` when nothing is selected.
pub fn in_filter(field: &str, selected: &[String]) -> Option<Filter> {
    (!selected.is_empty()).then(|| Filter {
        field: field.to_owned(),
        op: FilterOp::In,
        value: None,
        values: Some(selected.iter().cloned().map(Value::String).collect()),
    })
}

/// `field contains text` (trimmed), or `None` for blank text.
pub fn contains_filter(field: &str, text: &str) -> Option<Filter> {
    let text = text.trim();
    (!text.is_empty()).then(|| Filter {
        field: field.to_owned(),
        op: FilterOp::Contains,
        value: Some(Value::String(text.to_owned())),
        values: None,
    })
}

/// A custom range from two instants (epoch ms).
///
/// # Errors
/// A message for the user when a bound is missing or `from` is not before `to`.
pub fn custom_range(from: Option<f64>, to: Option<f64>) -> Result<TimeRange, String> {
    match (from, to) {
        (Some(from), Some(to)) if from.is_finite() && to.is_finite() && from < to => {
            Ok(TimeRange::absolute(from as i64, to as i64))
        }
        (Some(_), Some(_)) => Err("'From' must be before 'To'".into()),
        _ => Err(t(Msg::ChooseFromAndTo).into()),
    }
}

/// Options whose text contains `query` (case-insensitive).
pub fn matching(options: &[String], query: &str) -> Vec<String> {
    let query = query.trim().to_lowercase();
    options
        .iter()
        .filter(|o| query.is_empty() || o.to_lowercase().contains(&query))
        .cloned()
        .collect()
}

/// Epoch ms of a `datetime-local` input value, read in the viewer's time zone.
fn local_ms(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&text.into()).get_time();
    ms.is_finite().then_some(ms)
}

/// Preset buttons (last 15m/1h/24h/7d/30d) plus a custom from–to range.
#[component]
pub fn TimeRangePicker(
    /// The range currently applied (highlights its preset).
    #[prop(into, optional)]
    value: MaybeProp<TimeRange>,
    /// Called with the range the user picked.
    on_change: Callback<TimeRange>,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    // The widget stylesheet styles these buttons; a page may show the picker before any widget
    // has installed it (the app's filter bar above a loading dashboard), and unstyled buttons
    // would change its height once it arrives.
    crate::styles::install_when_mounted(node);
    let (custom_open, set_custom_open) = signal(false);
    let (from, set_from) = signal(String::new());
    let (to, set_to) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let buttons = PRESETS
        .iter()
        .map(|&(preset, text)| {
            let pressed = move || value.get().and_then(|v| v.preset) == Some(preset);
            view! {
                <button type="button" class="vt-button" aria-pressed=move || pressed().to_string()
                    on:click=move |_| {
                        set_custom_open.set(false);
                        on_change.run(TimeRange::preset(preset));
                    }>{text}</button>
            }
        })
        .collect_view();
    let apply = move |_| match custom_range(local_ms(&from.get()), local_ms(&to.get())) {
        Ok(range) => {
            set_error.set(None);
            on_change.run(range);
        }
        Err(message) => set_error.set(Some(message)),
    };
    view! {
        <div class="vt-filter vt-time-range" node_ref=node role="group" aria-label=move || { locale::track(); t(Msg::TimeRange) }>
            <div class="vt-segmented">
                {buttons}
                <button type="button" class="vt-button"
                    aria-pressed=move || (custom_open.get() || value.get().is_some_and(|v| v.preset.is_none())).to_string()
                    aria-expanded=move || custom_open.get().to_string()
                    on:click=move |_| set_custom_open.update(|o| *o = !*o)>{move || { locale::track(); t(Msg::Custom) }}</button>
            </div>
            {move || custom_open.get().then(|| view! {
                <div class="vt-filter vt-custom-range">
                    <label class="vt-filter-label">{t(Msg::From)}" "
                        <input class="vt-input" type="datetime-local" name="from" prop:value=from
                            on:input=move |ev| set_from.set(event_target_value(&ev)) />
                    </label>
                    <label class="vt-filter-label">{t(Msg::To)}" "
                        <input class="vt-input" type="datetime-local" name="to" prop:value=to
                            on:input=move |ev| set_to.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="vt-button" on:click=apply>{t(Msg::Apply)}</button>
                    {move || error.get().map(|e| view! { <span class="vt-bad" role="alert">{e}</span> })}
                </div>
            })}
        </div>
    }
}

/// A searchable multi-select emitting `field in [...]` (or `None` when cleared).
#[component]
pub fn MultiSelect(
    /// The dataset field filtered.
    #[prop(into)]
    field: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// The values to choose from.
    #[prop(into)]
    options: Signal<Vec<String>>,
    /// Initially selected values.
    #[prop(optional)]
    initial: Vec<String>,
    /// Called with the new filter after every change.
    on_change: Callback<Option<Filter>>,
) -> impl IntoView {
    let (query, set_query) = signal(String::new());
    let (selected, set_selected) = signal(initial);
    let field = StoredValue::new(field);
    let toggle = move |option: String, on: bool| {
        set_selected.update(|s| {
            s.retain(|v| *v != option);
            if on {
                s.push(option);
            }
        });
        on_change.run(in_filter(&field.get_value(), &selected.get_untracked()));
    };
    let list = move || {
        options
            .with(|all| matching(all, &query.get()))
            .into_iter()
            .map(|option| {
                let checked = selected.with(|s| s.contains(&option));
                let value = option.clone();
                view! {
                    <li><label>
                        <input type="checkbox" prop:checked=checked
                            on:change=move |ev| toggle(value.clone(), event_target_checked(&ev)) />
                        <span>{option}</span>
                    </label></li>
                }
            })
            .collect_view()
    };
    let summary = move || match selected.with(Vec::len) {
        0 => {
            locale::track();
            t(Msg::All).to_owned()
        }
        n => format!("{n} selected"),
    };
    view! {
        <div class="vt-filter vt-multiselect" role="group" aria-label=label.clone()>
            <span class="vt-filter-label">{label.clone()} ": " {summary}</span>
            <input class="vt-input" type="search" placeholder=t(Msg::Search) aria-label=tf(Msg::SearchField, &[&label])
                prop:value=query on:input=move |ev| set_query.set(event_target_value(&ev)) />
            <ul class="vt-options">{list}</ul>
        </div>
    }
}

/// A text box emitting `field contains text` when the user presses Enter or leaves the box.
#[component]
pub fn TextFilter(
    /// The dataset field filtered.
    #[prop(into)]
    field: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// Called with the new filter (`None` for blank text).
    on_change: Callback<Option<Filter>>,
) -> impl IntoView {
    let field = StoredValue::new(field);
    view! {
        <label class="vt-filter vt-text-filter">
            <span class="vt-filter-label">{label}</span>
            <input class="vt-input" type="search"
                on:change=move |ev| on_change.run(contains_filter(&field.get_value(), &event_target_value(&ev))) />
        </label>
    }
}

/// The live connection's state as a dot and a word. `status` takes the SDK's lower-camel
/// names (`connecting`, `open`, `reconnecting`, `paused`, `closed`, `failed`).
#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<String>) -> impl IntoView {
    let class = move || match status.get().as_str() {
        "open" | "live" => "vt-status vt-status-live",
        "connecting" | "reconnecting" | "paused" => "vt-status vt-status-connecting",
        _ => "vt-status vt-status-offline",
    };
    let text = move || {
        locale::track();
        t(match status.get().as_str() {
            "open" | "live" => Msg::Live,
            "connecting" => Msg::Connecting,
            "reconnecting" => Msg::Reconnecting,
            "paused" => Msg::Paused,
            "closed" => Msg::Offline,
            _ => Msg::Disconnected,
        })
    };
    view! {
        <span class=class role="status">
            <span class="vt-status-dot" aria-hidden="true"></span>
            {text}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selections_become_in_filters() {
        let f = in_filter("status", &["valid".into(), "timeout".into()]).unwrap();
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"field": "status", "op": "in", "values": ["valid", "timeout"]})
        );
        assert_eq!(in_filter("status", &[]), None);
    }

    #[test]
    fn text_becomes_a_trimmed_contains_filter() {
        let f = contains_filter("intent", "  bill ").unwrap();
        assert_eq!(f.op, FilterOp::Contains);
        assert_eq!(f.value, Some(json!("bill")));
        assert_eq!(contains_filter("intent", "   "), None);
    }

    #[test]
    fn custom_ranges_need_ordered_bounds() {
        assert_eq!(
            custom_range(Some(1.0), Some(2.0)),
            Ok(TimeRange::absolute(1, 2))
        );
        assert!(custom_range(Some(2.0), Some(1.0)).is_err());
        assert!(custom_range(None, Some(1.0)).is_err());
    }

    #[test]
    fn search_matches_case_insensitively() {
        let all = vec!["Billing".to_owned(), "claims".to_owned()];
        assert_eq!(matching(&all, "BILL"), vec!["Billing".to_owned()]);
        assert_eq!(matching(&all, ""), all);
    }
}
