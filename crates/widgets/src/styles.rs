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
.vt-root { font-family: var(--vt-font, system-ui, sans-serif); color: var(--vt-text, #111827); }
.vt-echart-wrap, .vt-line-chart, .vt-chart { position: relative; width: 100%; height: 100%; min-height: 160px; }
.vt-echart { position: absolute; inset: 0; }
.vt-widget-error { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 8px;
  height: 100%; min-height: 120px; padding: 16px; text-align: center; color: var(--vt-bad, #b42318); font-size: 13px; }
.vt-widget-error button { font: inherit; }
"#;

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
