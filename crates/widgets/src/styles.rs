//! The widgets' stylesheet and how it reaches the page.
//!
//! Styles ship inside the wasm so an embed needs no extra file, and they are installed as a
//! constructable stylesheet (`adoptedStyleSheets`) on the document or the shadow root that holds
//! the widget. That works under a strict CSP (`style-src 'self'`), where `<style>` elements and
//! inline style attributes are refused. Colours come from `--vt-*` custom properties set by
//! [`crate::Theme`]; the fallbacks below are the light theme.

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Node};

/// Marker property set on a document/shadow root once our sheet is adopted there.
const MARKER: &str = "__vantageWidgetStyles";

/// The stylesheet for every widget.
pub const WIDGETS_CSS: &str = r#"
/* An embed's shadow host (<vantage-embed>): host-page rules that reach it (`*`, a tag, an
   attribute selector) lose to these, as `!important` declarations of a shadow tree beat the
   page's; the page's inherited properties stop here too. `all` leaves `--vt-*` alone. */
:host { all: initial !important; display: block !important; }
.vt-root { font-family: var(--vt-font, system-ui, sans-serif); color: var(--vt-text, #111827); }
.vt-echart-wrap, .vt-line-chart, .vt-chart { position: relative; width: 100%; height: 100%; min-height: 160px; }
.vt-echart { position: absolute; inset: 0; }
.vt-widget-error { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 10px;
  height: 100%; min-height: 120px; padding: 16px; text-align: center; color: var(--vt-bad, #b42318); font-size: 13px; }
.vt-widget-error button { font: inherit; }
/* Over the chart's own (absolutely placed) element, so its Retry button takes the click. */
.vt-echart-wrap > .vt-widget-error { position: absolute; inset: 0; z-index: 1; box-sizing: border-box;
  background: var(--vt-surface, #ffffff); }

/* Card */
.vt-card { box-sizing: border-box; display: flex; flex-direction: column; height: 100%; min-height: 0; min-width: 0;
  background: var(--vt-surface, #ffffff); color: var(--vt-text, #111827); border: 1px solid var(--vt-border, #e4e7ec);
  border-radius: 10px; padding: 12px 14px; font-family: var(--vt-font, system-ui, sans-serif);
  box-shadow: 0 1px 2px rgb(16 24 40 / 0.04); }
.vt-card-header { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; min-height: 20px; margin-bottom: 8px; }
.vt-card-title { margin: 0; flex: 1 1 auto; min-width: 0; font-size: 13px; font-weight: 600; line-height: 20px; color: var(--vt-muted, #667085);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; letter-spacing: 0.01em; }
.vt-card-body { position: relative; flex: 1; min-height: 0; display: flex; flex-direction: column; }
.vt-card-body > * { flex: 1; min-height: 0; }
.vt-badge { display: inline-flex; align-items: center; height: 18px; padding: 0 7px; border-radius: 9px; font-size: 11px;
  font-weight: 600; line-height: 18px; border: 1px solid currentColor; }
.vt-badge-stale { color: var(--vt-warn, #b54708); }
.vt-badge-unfiltered { color: var(--vt-muted, #667085); border-style: dashed; font-weight: 500; max-width: 100%;
  box-sizing: border-box;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; display: inline-block; }
.vt-clickable tbody tr { cursor: pointer; }
.vt-clickable tbody tr:hover td { background: var(--vt-skeleton, #eef0f3); }

/* Cross-filter chips */
.vt-crossfilters { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 0 0 10px; font-size: 12px; }
.vt-crossfilters-label { color: var(--vt-muted, #667085); font-weight: 600; }
.vt-chip { display: inline-flex; align-items: center; gap: 2px; max-width: 100%; min-height: 26px; padding: 0 2px 0 10px;
  border-radius: 13px; background: var(--vt-surface, #ffffff); color: var(--vt-text, #111827);
  border: 1px solid var(--vt-primary, #2563eb); }
.vt-chip-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.vt-chip-clear { font: inherit; font-size: 15px; line-height: 1; width: 22px; height: 22px; border: 0; border-radius: 11px;
  background: transparent; color: var(--vt-muted, #667085); cursor: pointer; }
.vt-chip-clear:hover { background: var(--vt-skeleton, #eef0f3); color: var(--vt-text, #111827); }
.vt-crossfilters :focus-visible { outline: 2px solid var(--vt-primary, #2563eb); outline-offset: 2px; }
.vt-empty { display: flex; align-items: center; justify-content: center; height: 100%; min-height: 80px; padding: 12px;
  color: var(--vt-muted, #667085); font-size: 13px; text-align: center; }

/* Buttons and focus */
.vt-button { font: inherit; font-size: 12px; font-weight: 500; line-height: 18px; padding: 4px 10px; border-radius: 6px; cursor: pointer;
  color: var(--vt-text, #111827); background: var(--vt-surface, #ffffff); border: 1px solid var(--vt-border, #d0d5dd); }
.vt-button:hover:not(:disabled) { border-color: var(--vt-primary, #2563eb); }
.vt-button:disabled { opacity: 0.45; cursor: default; }
.vt-button.vt-selected, .vt-button[aria-pressed="true"] { background: var(--vt-primary, #2563eb); color: var(--vt-on-primary, #ffffff);
  border-color: var(--vt-primary, #2563eb); }
.vt-card :focus-visible, .vt-filters :focus-visible, .vt-status:focus-visible { outline: 2px solid var(--vt-primary, #2563eb); outline-offset: 2px; }

/* Skeleton */
.vt-skeleton { display: flex; flex-direction: column; gap: 10px; height: 100%; }
.vt-skeleton-bar, .vt-skeleton-block { border-radius: 6px;
  background: linear-gradient(90deg, var(--vt-skeleton, #eef0f3) 0%, var(--vt-border, #e4e7ec) 50%, var(--vt-skeleton, #eef0f3) 100%);
  background-size: 200% 100%; animation: vt-shimmer 1.4s ease-in-out infinite; }
.vt-skeleton-bar { height: 14px; width: 60%; flex: none; }
.vt-skeleton-bar.vt-short { width: 35%; }
.vt-skeleton-block { flex: 1; min-height: 40px; }
@keyframes vt-shimmer { 0% { background-position: 100% 0; } 100% { background-position: -100% 0; } }
@media (prefers-reduced-motion: reduce) { .vt-skeleton-bar, .vt-skeleton-block { animation: none; } }

/* KPI */
.vt-kpi { display: flex; flex-direction: column; justify-content: center; gap: 6px; height: 100%; min-height: 0; }
.vt-kpi-value { font-size: 30px; font-weight: 650; line-height: 1.1; color: var(--vt-text, #111827); font-variant-numeric: tabular-nums;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.vt-kpi-meta { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; font-size: 12px; color: var(--vt-muted, #667085); }
.vt-kpi-delta { font-weight: 600; font-variant-numeric: tabular-nums; }
.vt-good { color: var(--vt-good, #067647); }
.vt-bad { color: var(--vt-bad, #b42318); }
.vt-neutral { color: var(--vt-muted, #667085); }
.vt-sparkline { width: 100%; height: 32px; flex: none; overflow: visible; }
.vt-sparkline polyline { fill: none; stroke: var(--vt-primary, #2563eb); stroke-width: 1.75; vector-effect: non-scaling-stroke;
  stroke-linejoin: round; stroke-linecap: round; }

/* Table */
.vt-table { display: flex; flex-direction: column; height: 100%; min-height: 0; font-size: 13px; }
.vt-table-scroll { flex: 1; min-height: 0; overflow: auto; border: 1px solid var(--vt-border, #e4e7ec); border-radius: 6px; }
.vt-table table { width: 100%; border-collapse: separate; border-spacing: 0; font-variant-numeric: tabular-nums; }
.vt-table th { position: sticky; top: 0; z-index: 1; background: var(--vt-surface, #ffffff); text-align: left; font-weight: 600;
  color: var(--vt-muted, #667085); border-bottom: 1px solid var(--vt-border, #e4e7ec); padding: 0; white-space: nowrap; }
.vt-table td { padding: 6px 10px; border-bottom: 1px solid var(--vt-skeleton, #f2f4f7); white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; max-width: 320px; }
.vt-table .vt-num { text-align: right; }
.vt-table tr.vt-active td { background: color-mix(in srgb, var(--vt-primary, #2563eb) 10%, transparent); }
.vt-sort { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 7px 10px; cursor: pointer; }
.vt-table .vt-num .vt-sort { text-align: right; }
.vt-sort:hover { color: var(--vt-text, #111827); }
.vt-table-footer { display: flex; align-items: center; justify-content: flex-end; gap: 6px; padding-top: 8px; flex: none; }
.vt-table-status { margin-right: auto; color: var(--vt-muted, #667085); font-size: 12px; }

/* Alerts */
.vt-alerts { height: 100%; overflow: auto; }
.vt-alert-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.vt-alert { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 8px 10px; border-radius: 6px; border: 1px solid var(--vt-border, #e4e7ec);
  border-left: 4px solid var(--vt-sev, var(--vt-muted, #667085)); font-size: 13px; }
.vt-sev-info { --vt-sev: var(--vt-primary-text, #2563eb); }
.vt-sev-warning { --vt-sev: var(--vt-warn, #b54708); }
.vt-sev-critical { --vt-sev: var(--vt-bad, #b42318); }
/* Resolved: quieter by colour, not by opacity (faded text fails 4.5:1 contrast). */
.vt-alert.vt-resolved { --vt-sev: var(--vt-muted, #667085); }
.vt-alert.vt-resolved .vt-alert-title { font-weight: 500; }
.vt-alert-main { display: flex; flex-direction: column; gap: 2px; flex: 1 1 14em; min-width: 0; overflow-wrap: anywhere; }
.vt-alert-severity { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vt-sev); }
.vt-alert-title { font-weight: 600; }
.vt-alert-message, .vt-alert-meta { color: var(--vt-muted, #667085); font-size: 12px; }
.vt-alert-actions { display: flex; flex-wrap: wrap; gap: 6px; flex: 0 1 auto; min-width: 0; }

.vt-alert-banner { display: flex; align-items: center; gap: 12px; padding: 8px 12px; border-radius: 8px; font-size: 13px;
  font-weight: 600; color: var(--vt-text, #111827); background: var(--vt-surface, #ffffff); border: 1px solid var(--vt-border, #e4e7ec);
  border-left: 4px solid var(--vt-sev, var(--vt-warn, #b54708)); }
.vt-alert-banner-text { flex: 1; }

/* Status badge */
.vt-status { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 500; color: var(--vt-muted, #667085); }
.vt-status-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--vt-muted, #667085); }
.vt-status-live .vt-status-dot { background: var(--vt-good, #067647); }
.vt-status-connecting .vt-status-dot { background: var(--vt-warn, #b54708); }
.vt-status-offline .vt-status-dot { background: var(--vt-bad, #b42318); }

/* Filters */
.vt-filters { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; font-family: var(--vt-font, system-ui, sans-serif);
  color: var(--vt-text, #111827); font-size: 13px; }
.vt-filter { display: inline-flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.vt-filter-label { font-size: 12px; font-weight: 600; color: var(--vt-muted, #667085); }
.vt-input { font: inherit; font-size: 13px; padding: 4px 8px; border-radius: 6px; color: var(--vt-text, #111827);
  background: var(--vt-surface, #ffffff); border: 1px solid var(--vt-border, #d0d5dd); }
.vt-segmented { display: inline-flex; gap: 4px; }
.vt-multiselect { position: relative; display: inline-flex; flex-direction: column; align-items: stretch; gap: 4px; font-size: 13px; }
.vt-options input { accent-color: var(--vt-primary, #2563eb); margin: 0; }
.vt-options { max-height: 180px; overflow: auto; margin: 0; padding: 4px; list-style: none; border: 1px solid var(--vt-border, #e4e7ec);
  border-radius: 6px; background: var(--vt-surface, #ffffff); min-width: 180px; }
.vt-options label { display: flex; align-items: center; gap: 6px; padding: 3px 4px; cursor: pointer; }

.vt-theme-scope { background: var(--vt-bg, #f6f7f9); color: var(--vt-text, #111827); }
.vt-gallery { padding: 16px; display: flex; flex-direction: column; gap: 12px; }
.vt-gallery-toolbar { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 12px; }
.vt-gallery-toolbar > .vt-alert-banner { flex: 1; min-width: 240px; }
.vt-gallery-filter { height: auto; }

/* Grid: 12 columns; one column when the grid's own container is narrow. */
.vt-grid-container { container-type: inline-size; width: 100%; }
.vt-grid { display: grid; grid-template-columns: repeat(12, minmax(0, 1fr)); grid-auto-rows: var(--vt-row-height, 80px); gap: 12px; }
.vt-grid-cell { min-width: 0; min-height: 0; }
/* A grid cell's height is its rows': a chart fills its card's body there, even one shorter than
   the 160 px a chart gets in a container with no height of its own (it ran under the next row). */
.vt-grid-cell .vt-echart-wrap, .vt-grid-cell .vt-line-chart, .vt-grid-cell .vt-chart { min-height: 0; }
@container (max-width: 640px) {
  .vt-grid { grid-template-columns: minmax(0, 1fr); }
  .vt-grid > .vt-grid-cell { grid-column: 1 / -1 !important; grid-row: auto / span var(--vt-h, 4) !important; }
}
"#;

/// Installs [`WIDGETS_CSS`] on the root of `node`'s element once it is mounted (an effect), for a
/// component whose own classes need it before any widget has installed it.
pub fn install_when_mounted(node: leptos::prelude::NodeRef<leptos::html::Div>) {
    use leptos::prelude::{Effect, Get};
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            ensure_installed(&element);
        }
    });
}

/// Installs [`WIDGETS_CSS`] on the document or shadow root containing `node`, once per root.
pub fn ensure_installed(node: &Node) {
    let root: JsValue = node.get_root_node().into();
    if Reflect::get(&root, &MARKER.into())
        .map(|v| v.is_truthy())
        .unwrap_or(false)
    {
        return;
    }
    let Ok(sheets) = Reflect::get(&root, &"adoptedStyleSheets".into()) else {
        return;
    };
    let Some(sheets) = sheets.dyn_ref::<Array>() else {
        return;
    };
    let Ok(sheet) = CssStyleSheet::new() else {
        return;
    };
    if sheet.replace_sync(WIDGETS_CSS).is_err() {
        return;
    }
    let updated = Array::from(sheets);
    updated.push(&sheet);
    let _ = Reflect::set(&root, &"adoptedStyleSheets".into(), &updated);
    let _ = Reflect::set(&root, &MARKER.into(), &JsValue::TRUE);
}

/// Applies `theme` to `root`: its `--vt-*` custom properties through the CSSOM (allowed under a
/// strict CSP, unlike `style` attributes), `data-mode="light|dark"`, and its ECharts theme
/// registered with `module` (or `globalThis.echarts`). Returns the ECharts theme name to pass to
/// charts, or `None` when ECharts is not loaded (called from a memo or effect, that runs again
/// when the page's ECharts loader has loaded it; see [`crate::echarts::loader`]).
pub fn apply_theme(
    root: &web_sys::HtmlElement,
    theme: &crate::Theme,
    module: Option<&crate::EChartsModule>,
) -> Option<String> {
    let style = root.style();
    for (name, value) in theme.css_variables() {
        let _ = style.set_property(name, &value);
    }
    let mode = if theme.mode == crate::Mode::Dark {
        "dark"
    } else {
        "light"
    };
    let _ = root.set_attribute("data-mode", mode);
    let module = module.cloned().or_else(crate::echarts::loader::present)?;
    let name = theme.echarts_name();
    let definition = crate::to_js(&theme.echarts_theme()).ok()?;
    module.register_theme(&name, &definition).ok()?;
    Some(name)
}
