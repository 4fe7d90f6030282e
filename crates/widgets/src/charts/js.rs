//! The last step before an option reaches ECharts in the browser: make the tooltip safe and
//! turn formatter markers (see [`super::common`]) into functions.
//!
//! ECharts' default tooltip writes series and category names into the page as HTML. Data is
//! text, never markup, so every tooltip is switched to `renderMode: "richText"`, which draws it
//! on the canvas: `<img src=x onerror=alert(1)>` shows literally and executes nothing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Float64Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::common::{decode_marker, MARKER};
use super::large::{self, LargeData};

thread_local! {
    /// One function per marker, so repeated updates reuse closures instead of leaking new ones.
    static FORMATTERS: RefCell<HashMap<String, Function>> = RefCell::new(HashMap::new());
}

/// Makes `option` safe and functional for ECharts (see the module docs). Large `data` arrays
/// are not walked; registered large series get all of their points as one `Float64Array`.
pub fn finish_option(option: &JsValue) {
    finish_option_with(option, &mut |_, _, _| false);
}

/// As [`finish_option`], but every registered large line series gets its [M4](super::m4) pick
/// for `columns` as its data — the work a chart does in wasm before and after ECharts lays it
/// out, without the layout (the SDK's handoff benchmark times it).
pub fn finish_option_picked(option: &JsValue, columns: &super::m4::PixelColumns) {
    finish_option_with(option, &mut |_, series, data| {
        let is_line = series_type(series).as_deref() == Some("line");
        if is_line {
            let points = data.points();
            let kept = super::m4::m4_shaped(points, &data.shape(), columns);
            let drawn = Float64Array::from(super::m4::gather(points, &kept).as_slice());
            let _ = Reflect::set(series, &"data".into(), &drawn);
        }
        is_line
    });
}

/// A series object's ECharts `type` (`"line"`, `"pie"`, …).
pub(crate) fn series_type(series: &JsValue) -> Option<String> {
    Reflect::get(series, &"type".into()).ok()?.as_string()
}

/// Registered large data, offered to a caller: `(series index, series object, points)`;
/// returning `true` means the caller puts the series' `data` in itself (a decimated pick).
pub(crate) type TakeLarge<'a> = dyn FnMut(usize, &JsValue, Rc<LargeData>) -> bool + 'a;

/// As [`finish_option`], but every registered large series is first offered to `take`.
pub(crate) fn finish_option_with(option: &JsValue, take: &mut TakeLarge<'_>) {
    secure_tooltip(&Reflect::get(option, &"tooltip".into()).unwrap_or(JsValue::UNDEFINED));
    if let Ok(series) = Reflect::get(option, &"series".into()) {
        if let Some(series) = series.dyn_ref::<Array>() {
            let mut ids: Vec<String> = Vec::new();
            for (index, item) in series.iter().enumerate() {
                secure_tooltip(
                    &Reflect::get(&item, &"tooltip".into()).unwrap_or(JsValue::UNDEFINED),
                );
                attach_typed_data(&item, index, take);
                assign_series_id(&item, index, &mut ids);
                fit_pie_labels(&item);
                fit_gauge_detail(&item);
            }
        }
    }
    replace_markers(option, 0);
    hide_overlapping_labels(option);
}

/// Gives a series without an `id` one from its name (its index when it has none, or when the
/// name is taken), so an update merged with `replaceMerge: ["series"]` (see
/// [`crate::echarts::Merge::Update`]) keeps each series it still has, with its drawn elements
/// and hover state, and removes only the ones that are gone.
fn assign_series_id(item: &JsValue, index: usize, ids: &mut Vec<String>) {
    if !item.is_object() {
        return;
    }
    let existing = Reflect::get(item, &"id".into()).unwrap_or(JsValue::UNDEFINED);
    if !existing.is_undefined() && !existing.is_null() {
        return;
    }
    let name = Reflect::get(item, &"name".into())
        .ok()
        .and_then(|n| n.as_string());
    let id = match name {
        Some(name) if !ids.contains(&name) => name,
        _ => format!("\u{1}series-{index}"),
    };
    let _ = Reflect::set(item, &"id".into(), &JsValue::from_str(&id));
    ids.push(id);
}

/// A pie's in-slice percentages fit their slice: whole percents (ECharts rounds them so they
/// still add up to 100) and no label on a slice narrower than 15° (its share is in the
/// tooltip), through `percentPrecision` and `minShowLabelAngle`, which charming's `Pie` lacks.
fn fit_pie_labels(series: &JsValue) {
    if series_type(series).as_deref() == Some("pie") {
        let _ = Reflect::set(series, &"percentPrecision".into(), &JsValue::from(0));
        let _ = Reflect::set(series, &"minShowLabelAngle".into(), &JsValue::from(15));
    }
}

/// A gauge's number in the middle of its ring (`detail.offsetCenter: [0, 0]`, which charming's
/// `GaugeDetail` lacks) rather than ECharts' default 40% of the radius below it, where a value
/// with a unit ran into the ends of the arc in a short card.
fn fit_gauge_detail(series: &JsValue) {
    if series_type(series).as_deref() != Some("gauge") {
        return;
    }
    let detail = Reflect::get(series, &"detail".into()).unwrap_or(JsValue::UNDEFINED);
    if detail.is_object() {
        let centre = Array::of2(&JsValue::from(0), &JsValue::from(0));
        let _ = Reflect::set(&detail, &"offsetCenter".into(), &centre);
    }
}

/// The largest and smallest font size (px) of a gauge's number.
const GAUGE_FONT_MAX: f64 = 20.0;
const GAUGE_FONT_MIN: f64 = 10.0;

/// Sizes each gauge's number (`detail.fontSize`) to fit inside its ring on a chart `width` ×
/// `height` px, from the text its formatter writes (so after [`finish_option`]): in a short
/// card, "1,125 ms" at 20 px was wider than the ring's hole and the ring cut it to ",125 m".
/// `false` when the option has no gauge.
pub(crate) fn fit_gauge_numbers(option: &JsValue, width: f64, height: f64) -> bool {
    let Ok(series) = Reflect::get(option, &"series".into()) else {
        return false;
    };
    let Some(series) = series.dyn_ref::<Array>() else {
        return false;
    };
    let mut any = false;
    for item in series.iter() {
        if series_type(&item).as_deref() != Some("gauge") {
            continue;
        }
        any = true;
        let detail = Reflect::get(&item, &"detail".into()).unwrap_or(JsValue::UNDEFINED);
        if detail.is_object() {
            let chars = gauge_text(&item, &detail).chars().count();
            let size = gauge_font_size(chars, width, height);
            let _ = Reflect::set(&detail, &"fontSize".into(), &size.into());
        }
    }
    any
}

/// The text a gauge's `detail` shows: its formatter applied to the first data item's value.
fn gauge_text(series: &JsValue, detail: &JsValue) -> String {
    let first = Reflect::get(series, &"data".into())
        .ok()
        .and_then(|data| data.dyn_into::<Array>().ok())
        .map_or(JsValue::UNDEFINED, |data| data.get(0));
    let value = if first.is_object() {
        Reflect::get(&first, &"value".into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        first
    };
    Reflect::get(detail, &"formatter".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&JsValue::UNDEFINED, &value).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| String::from(js_sys::JsString::from(value)))
}

/// The font size (px) at which a gauge's number of `chars` characters fits inside its ring on
/// a chart `width` × `height` px: the ring's radius is 90% of half the smaller side (the
/// gauge's `radius`), less the 12 px progress band, and a bold character is about 0.65 em wide
/// (DejaVu Sans Bold's digits 0.7, a comma or a space under 0.4).
/// 20 px where it fits (and for a chart with no size yet), never under 10.
pub fn gauge_font_size(chars: usize, width: f64, height: f64) -> f64 {
    if !(width > 0.0 && height > 0.0) {
        return GAUGE_FONT_MAX;
    }
    let hole = 2.0 * (0.45 * width.min(height) - 12.0) - 8.0;
    (hole / (0.65 * chars.max(1) as f64))
        .floor()
        .clamp(GAUGE_FONT_MIN, GAUGE_FONT_MAX)
}

/// Axis labels that would overlap are dropped rather than drawn over each other (narrow cells,
/// phones), through ECharts' `axisLabel.hideOverlap`, which charming's `AxisLabel` lacks.
fn hide_overlapping_labels(option: &JsValue) {
    for key in ["xAxis", "yAxis"] {
        let Ok(axes) = Reflect::get(option, &key.into()) else {
            continue;
        };
        let axes: Vec<JsValue> = match axes.dyn_ref::<Array>() {
            Some(list) => list.iter().collect(),
            None if axes.is_object() => vec![axes],
            None => continue,
        };
        for axis in axes {
            let label = Reflect::get(&axis, &"axisLabel".into()).unwrap_or(JsValue::UNDEFINED);
            let label = if label.is_object() {
                label
            } else {
                let created: JsValue = Object::new().into();
                let _ = Reflect::set(&axis, &"axisLabel".into(), &created);
                created
            };
            let _ = Reflect::set(&label, &"hideOverlap".into(), &JsValue::TRUE);
        }
    }
}

/// Puts registered large data (see [`super::large`]) into a series as a `Float64Array`, unless
/// `take` takes it.
fn attach_typed_data(series: &JsValue, index: usize, take: &mut TakeLarge<'_>) {
    let Some(id) = Reflect::get(series, &"id".into())
        .ok()
        .and_then(|v| v.as_string())
    else {
        return;
    };
    if !id.starts_with(large::MARKER) {
        return;
    }
    if let Some(data) = large::lookup(&id) {
        if take(index, series, Rc::clone(&data)) {
            return;
        }
        // One copy out of wasm memory; ECharts reads it as [x0, y0, x1, y1, …].
        let typed = match &*data {
            LargeData::Interleaved(flat) => Float64Array::from(flat.as_slice()),
            LargeData::Columns(..) => Float64Array::from(data.points().to_interleaved().as_slice()),
        };
        let _ = Reflect::set(series, &"data".into(), &typed);
        // Scatter's large mode draws many points in one path (ECharts `series-scatter.large`);
        // charming's `Scatter` has no setter for it.
        if series_type(series).as_deref() == Some("scatter") {
            let _ = Reflect::set(series, &"large".into(), &JsValue::TRUE);
            let threshold = JsValue::from(super::scatter::LARGE_SCATTER as f64);
            let _ = Reflect::set(series, &"largeThreshold".into(), &threshold);
        }
    }
}

fn secure_tooltip(tooltip: &JsValue) {
    if tooltip.is_object() {
        let _ = Reflect::set(tooltip, &"renderMode".into(), &"richText".into());
        let _ = Reflect::set(tooltip, &"confine".into(), &JsValue::TRUE);
    }
}

fn replace_markers(value: &JsValue, depth: u32) {
    if depth > 6 {
        return;
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        for item in array.iter() {
            replace_markers(&item, depth + 1);
        }
        return;
    }
    if !value.is_object() {
        return;
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        if name == "data" {
            continue;
        }
        let Ok(child) = Reflect::get(value, &key) else {
            continue;
        };
        match child.as_string() {
            Some(text) if text.starts_with(MARKER) => {
                if let Some(function) = formatter(&text) {
                    let _ = Reflect::set(value, &key, &function);
                }
            }
            Some(_) => {}
            None => replace_markers(&child, depth + 1),
        }
    }
}

fn formatter(marker: &str) -> Option<Function> {
    FORMATTERS.with(|cache| {
        if let Some(function) = cache.borrow().get(marker) {
            return Some(function.clone());
        }
        let format = decode_marker(marker)?;
        let closure = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |value: JsValue| {
            // Multi-dimensional items ([time, value]) arrive as arrays: format the last one.
            let value = match value.dyn_ref::<Array>() {
                Some(array) => array.get(array.length().saturating_sub(1)),
                None => value,
            };
            // Category axes hand over their labels as strings ("1795363200000" for a time bucket).
            let number = value
                .as_f64()
                .or_else(|| value.as_string().and_then(|s| s.trim().parse::<f64>().ok()));
            match number {
                Some(number) => JsValue::from(format(number)),
                None => JsValue::from(value.as_string().unwrap_or_else(|| "–".into())),
            }
        });
        let function: Function = closure.into_js_value().unchecked_into();
        cache
            .borrow_mut()
            .insert(marker.to_owned(), function.clone());
        Some(function)
    })
}
