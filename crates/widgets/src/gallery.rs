//! A gallery of every widget with demo data, in one theme: what `www/gallery.html` shows (in
//! light and dark) and what the visual checks screenshot.
//!
//! [`ThemeScope`] applies a [`Theme`] to its subtree: CSS custom properties on its root (through
//! the CSSOM, CSP-safe) and the theme registered with ECharts under [`Theme::echarts_name`].

use leptos::html;
use leptos::prelude::*;
use serde_json::{json, Value};
use vantage_contract::{
    Alert, AlertStatus, Column, ColumnType, Position, QueryResult, Severity, Widget, WidgetKind,
};

use vantage_contract::{TimePreset, TimeRange};

use crate::{
    paced, AlertBanner, EChartsModule, GridCell, GridLayout, MultiSelect, StatusBadge, TextFilter,
    Theme, TimeRangePicker, WidgetState, WidgetView,
};

/// Applies `theme` to everything inside: `--vt-*` variables and the ECharts theme.
#[component]
pub fn ThemeScope(#[prop(into)] theme: Signal<Theme>, children: Children) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    // Effect: writes the theme's variables onto the root element and registers its ECharts theme.
    Effect::new(move |_| {
        let theme = theme.get();
        let Some(element) = node.get() else { return };
        crate::styles::ensure_installed(&element);
        let style = web_sys::HtmlElement::style(&element);
        for (name, value) in theme.css_variables() {
            let _ = style.set_property(name, &value);
        }
        if let (Ok(module), Ok(definition)) = (
            EChartsModule::global(),
            crate::to_js(&theme.echarts_theme()),
        ) {
            let _ = module.register_theme(&theme.echarts_name(), &definition);
        }
    });
    view! { <div class="vt-root vt-theme-scope" node_ref=node>{children()}</div> }
}

/// Demo data: `n` minutes of validations.
pub fn demo_series(n: usize) -> QueryResult {
    let start = 1_700_000_000_000_i64;
    let column = |f: &dyn Fn(usize) -> f64| (0..n).map(|i| json!(f(i))).collect::<Vec<Value>>();
    result(
        &[
            ("minute", ColumnType::Timestamp),
            ("valid", ColumnType::Integer),
            ("invalid", ColumnType::Integer),
        ],
        vec![
            (0..n).map(|i| json!(start + i as i64 * 60_000)).collect(),
            column(&|i| (120.0 + 40.0 * (i as f64 / 6.0).sin() + (i % 7) as f64 * 3.0).round()),
            column(&|i| (18.0 + 8.0 * (i as f64 / 4.0).cos()).round()),
        ],
    )
}

fn result(columns: &[(&str, ColumnType)], data: Vec<Vec<Value>>) -> QueryResult {
    QueryResult::new(
        columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(),
        data,
    )
    .unwrap_or_default()
}

fn by_intent() -> QueryResult {
    let intents = ["billing", "claims", "enrolment", "pharmacy", "referrals"];
    result(
        &[
            ("intent", ColumnType::String),
            ("valid", ColumnType::Integer),
            ("invalid", ColumnType::Integer),
        ],
        vec![
            intents.iter().map(|s| json!(s)).collect(),
            vec![json!(420), json!(310), json!(260), json!(190), json!(120)],
            vec![json!(40), json!(22), json!(35), json!(12), json!(9)],
        ],
    )
}

/// Values on a narrow range (confidence 0.81–0.82): the axis must show 0.812, 0.815…, not a
/// repeated 0.81, 0.82.
fn confidence_by_model() -> QueryResult {
    result(
        &[
            ("model", ColumnType::String),
            ("avg_latency_ms", ColumnType::Float),
            ("avg_confidence", ColumnType::Float),
        ],
        vec![
            [
                "gpt-small",
                "gpt-large",
                "claims-tuned",
                "router",
                "fallback",
            ]
            .iter()
            .map(|s| json!(s))
            .collect(),
            vec![
                json!(412.0),
                json!(655.5),
                json!(520.2),
                json!(301.7),
                json!(780.9),
            ],
            vec![
                json!(0.8123),
                json!(0.8191),
                json!(0.8167),
                json!(0.8114),
                json!(0.8202),
            ],
        ],
    )
}

fn heat() -> QueryResult {
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (mut hours, mut weekdays, mut counts) = (vec![], vec![], vec![]);
    for (d, day) in days.iter().enumerate() {
        for hour in 0..24 {
            hours.push(json!(hour));
            weekdays.push(json!(day));
            let work = if (8..18).contains(&hour) && d < 5 {
                60.0
            } else {
                8.0
            };
            counts.push(json!((work + ((hour * 7 + d * 13) % 17) as f64).round()));
        }
    }
    result(
        &[
            ("hour", ColumnType::Integer),
            ("weekday", ColumnType::String),
            ("count", ColumnType::Integer),
        ],
        vec![hours, weekdays, counts],
    )
}

fn table_rows() -> QueryResult {
    let n = 500;
    result(
        &[
            ("validated_at", ColumnType::Timestamp),
            ("intent", ColumnType::String),
            ("latency_ms", ColumnType::Float),
            ("valid", ColumnType::Boolean),
        ],
        vec![
            (0..n)
                .map(|i| json!(1_700_000_000_000_i64 + i * 37_000))
                .collect(),
            (0..n)
                .map(|i| {
                    json!(["billing", "claims", "<img src=x onerror=alert(1)>"][i as usize % 3])
                })
                .collect(),
            (0..n)
                .map(|i| json!(40.0 + ((i * 37) % 400) as f64 / 3.0))
                .collect(),
            (0..n).map(|i| json!(i % 9 != 0)).collect(),
        ],
    )
}

/// Demo alerts.
pub fn demo_alerts() -> Vec<Alert> {
    let alert = |id: &str, severity, status, title: &str, message: &str| Alert {
        id: id.into(),
        rule: "error_rate".into(),
        severity,
        status,
        title: title.into(),
        message: message.into(),
        dataset: "validations".into(),
        value: 0.12,
        threshold: 0.05,
        created_at: 1_700_000_000_000,
        acknowledged_at: None,
        acknowledged_by: None,
        acknowledged_by_name: None,
        resolved_at: None,
    };
    vec![
        alert(
            "a1",
            Severity::Critical,
            AlertStatus::Open,
            "Error rate above 5%",
            "12% of validations failed in the last 15 minutes",
        ),
        alert(
            "a2",
            Severity::Warning,
            AlertStatus::Acknowledged,
            "p95 latency rising",
            "p95 latency 840 ms (threshold 800 ms)",
        ),
        alert(
            "a3",
            Severity::Info,
            AlertStatus::Resolved,
            "Ingest resumed",
            "Events are flowing again",
        ),
    ]
}

fn widget(
    kind: WidgetKind,
    title: &str,
    (x, y, w, h): (u32, u32, u32, u32),
    options: Value,
) -> Widget {
    Widget {
        id: title.to_lowercase().replace(' ', "-"),
        kind,
        title: title.into(),
        position: Position { x, y, w, h },
        query: None,
        options,
    }
}

/// Every widget kind and state with demo data, laid out on a [`GridLayout`].
#[component]
pub fn WidgetGallery(
    /// The theme (light, dark or branded) the gallery is drawn in.
    #[prop(into)]
    theme: Signal<Theme>,
) -> impl IntoView {
    let theme_name = Signal::derive(move || Some(theme.get().echarts_name()));
    let kpi = result(
        &[
            ("p95_latency", ColumnType::Float),
            ("p95_latency_previous", ColumnType::Float),
        ],
        vec![vec![json!(612.0)], vec![json!(540.0)]],
    );
    let kpi_trend = demo_series(30);
    let gauge = result(
        &[("success_rate", ColumnType::Float)],
        vec![vec![json!(0.934)]],
    );
    let ready = |r: QueryResult| Signal::stored(WidgetState::ready(r));
    let cells: Vec<(Widget, Signal<WidgetState>)> = vec![
        (
            widget(
                WidgetKind::Kpi,
                "p95 latency",
                (0, 0, 3, 3),
                json!({"format": "ms", "goodDirection": "down"}),
            ),
            ready(kpi),
        ),
        (
            widget(WidgetKind::Kpi, "Valid per minute", (3, 0, 3, 3), json!({})),
            ready(kpi_trend),
        ),
        (
            widget(
                WidgetKind::Gauge,
                "Success rate",
                (6, 0, 3, 3),
                json!({"format": "percent"}),
            ),
            ready(gauge),
        ),
        (
            widget(
                WidgetKind::Pie,
                "Share by intent",
                (9, 0, 3, 3),
                json!({"donut": true}),
            ),
            ready(by_intent()),
        ),
        (
            widget(
                WidgetKind::Line,
                "Validations per minute",
                (0, 3, 6, 4),
                json!({}),
            ),
            ready(demo_series(90)),
        ),
        (
            widget(
                WidgetKind::Area,
                "Stacked validations",
                (6, 3, 6, 4),
                json!({}),
            ),
            ready(demo_series(90)),
        ),
        (
            widget(
                WidgetKind::Bar,
                "By intent",
                (0, 7, 4, 4),
                json!({"stacked": true}),
            ),
            ready(by_intent()),
        ),
        (
            widget(
                WidgetKind::Bar,
                "By intent (horizontal)",
                (4, 7, 4, 4),
                json!({"horizontal": true}),
            ),
            ready(by_intent()),
        ),
        (
            widget(
                WidgetKind::Scatter,
                "Latency vs confidence",
                (8, 7, 4, 4),
                json!({}),
            ),
            ready(confidence_by_model()),
        ),
        (
            widget(
                WidgetKind::Heatmap,
                "Hour × weekday",
                (0, 11, 8, 4),
                json!({}),
            ),
            ready(heat()),
        ),
        (
            widget(WidgetKind::Alerts, "Alerts", (8, 11, 4, 4), json!({})),
            ready(QueryResult::default()),
        ),
        (
            widget(
                WidgetKind::Table,
                "Recent validations",
                (0, 15, 8, 5),
                json!({"columns": {"latency_ms": {"format": "ms"}}}),
            ),
            ready(table_rows()),
        ),
        (
            widget(WidgetKind::Line, "Loading", (8, 15, 4, 2), json!({})),
            Signal::stored(WidgetState::Loading),
        ),
        (
            widget(WidgetKind::Bar, "Empty", (8, 17, 2, 3), json!({})),
            ready(by_intent().with_no_rows()),
        ),
        (
            widget(WidgetKind::Line, "Error", (10, 17, 2, 3), json!({})),
            Signal::stored(WidgetState::Error {
                message: "The query timed out".into(),
            }),
        ),
        (
            widget(WidgetKind::Line, "Stale", (0, 20, 12, 3), json!({})),
            Signal::stored(WidgetState::ready(demo_series(60)).with_stale(true)),
        ),
    ];
    let alerts = Signal::stored(demo_alerts());
    view! {
        <ThemeScope theme=theme>
            <div class="vt-gallery">
                <div class="vt-gallery-toolbar vt-filters">
                    <TimeRangePicker value=TimeRange::preset(TimePreset::Last24h) on_change=Callback::new(|_| {}) />
                    <TextFilter field="intent" label="Intent contains" on_change=Callback::new(|_| {}) />
                    <StatusBadge status="open".to_string() />
                    <StatusBadge status="reconnecting".to_string() />
                </div>
                <div class="vt-gallery-toolbar">
                    <div class="vt-card vt-gallery-filter">
                        <MultiSelect field="status" label="Status"
                            options=vec!["valid".to_string(), "invalid".to_string(), "timeout".to_string()]
                            initial=vec!["valid".to_string()]
                            on_change=Callback::new(|_| {}) />
                    </div>
                    <AlertBanner alerts=alerts on_view=Callback::new(|()| {}) />
                </div>
                <GridLayout row_height=72>
                    {cells
                        .into_iter()
                        .map(|(w, state)| {
                            let position = w.position;
                            // 16 cards in each of two themes: built over several tasks.
                            let card = paced(move || view! {
                                <WidgetView widget=w.clone() state=state theme=theme_name alerts=alerts
                                    on_retry=Callback::new(|()| {})
                                    on_alert_action=Callback::new(|_| {}) />
                            });
                            view! { <GridCell position=position>{card}</GridCell> }
                        })
                        .collect_view()}
                </GridLayout>
            </div>
        </ThemeScope>
    }
}

trait NoRows {
    fn with_no_rows(self) -> Self;
}

impl NoRows for QueryResult {
    fn with_no_rows(mut self) -> Self {
        self.data.iter_mut().for_each(Vec::clear);
        self
    }
}

/// Mounts a [`WidgetGallery`] in `mode` into `element` (for `www/gallery.html`, through the
/// SDK's `mountGallery` export). Dropping the returned handle unmounts it.
pub fn mount_gallery(element: web_sys::HtmlElement, mode: crate::Mode) -> Box<dyn std::any::Any> {
    let theme = match mode {
        crate::Mode::Light => Theme::light(),
        crate::Mode::Dark => Theme::dark(),
    };
    // The locale data loads in tasks of its own, and the cards are built in later tasks
    // within the pacer's budget, counted from here (the gallery's frame comes first).
    crate::format::warm_up_soon();
    crate::echarts::pace::task_began();
    Box::new(leptos::mount::mount_to(element, move || {
        view! { <WidgetGallery theme=theme.clone() /> }
    }))
}
