//! Where a chart's plot will be, worked out before ECharts lays the chart out.
//!
//! A decimated line ([`super::decimate`]) is picked for the plot's pixel columns, and with
//! `grid.containLabel` (every cartesian chart of ours) the plot starts right of the widest
//! y-axis label, so its columns are only known once ECharts has placed the labels. Asking
//! ECharts first (a `setOption` with the points that set the axes' extents, then another with
//! the pick) costs a whole second ECharts update, ≈ 6 ms of a 1M-point chart's first draw.
//!
//! [`predict`] works the columns out the way ECharts' `containLabel` layout does, for the
//! common chart (one grid with pixel margins, one time x axis, one value y axis on the left,
//! no zoom, no stacks): the time axis spans the data's x range; the value axis' ticks come from
//! ECharts' own `echarts.helper.createScale` (the public helper its extensions use); each tick's
//! label is the axis' own formatter's text, measured with `echarts.format.getTextRect` in the
//! font ECharts measures it in (the label's own font settings, else 12px sans-serif); the
//! plot starts the widest label plus its margin right of the grid's left edge. Anything else
//! answers `None` and the chart is laid out first, as before.
//!
//! A prediction is never trusted: after the single update the decimator reads the laid-out
//! columns and picks again if they differ ([`super::decimate::Decimator::refresh`]), so an
//! ECharts version that lays out differently costs the second update, never a wrong picture.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::binding::{call, function, set, EChartsInstance, EChartsModule};
use crate::charts::m4::PixelColumns;

/// The data the chart's series span: x (a time axis) and y (a value axis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DataExtent {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// ECharts' default gap between an axis and its labels, in CSS pixels.
const LABEL_MARGIN: f64 = 8.0;
/// ECharts' default tick split for a value axis.
const SPLIT_NUMBER: f64 = 5.0;
/// Above this many ticks ECharts measures every n-th label only (`estimateLabelUnionRect`).
const MEASURED_TICKS: usize = 40;

/// The plot's device-pixel columns for `option` on `instance`, whose series (`series` of
/// them, every one decimated and unstacked) span `data`; `None` when the chart is not the
/// common kind described in the module docs.
pub(crate) fn predict(
    module: &EChartsModule,
    instance: &EChartsInstance,
    option: &JsValue,
    series: usize,
    data: DataExtent,
    ratio: f64,
) -> Option<PixelColumns> {
    let grid = single(&get(option, "grid"))?;
    let x_axis = single(&get(option, "xAxis"))?;
    let y_axis = single(&get(option, "yAxis"))?;
    let plain = get(&grid, "containLabel").is_truthy()
        && ["width", "outerBounds"].iter().all(|k| absent(&grid, k))
        && string(&x_axis, "type").as_deref() == Some("time")
        && ["min", "max", "inverse"].iter().all(|k| absent(&x_axis, k))
        && matches!(string(&y_axis, "type").as_deref(), None | Some("value"))
        && matches!(string(&y_axis, "position").as_deref(), None | Some("left"))
        && ["min", "max", "offset"].iter().all(|k| absent(&y_axis, k))
        && get(option, "dataZoom")
            .dyn_into::<Array>()
            .map_or(absent(option, "dataZoom"), |zooms| zooms.length() == 0)
        && get(option, "series").dyn_into::<Array>().is_ok_and(|all| {
            all.length() as usize == series && all.iter().all(|s| on_first_axes(&s))
        });
    if !plain {
        return None;
    }
    let left = number(&grid, "left")?;
    let right = number(&grid, "right")?;
    let width = instance_width(instance)?;
    let labels = y_label_space(module, &y_axis, data.y)?;
    // As ECharts' `getLayoutRect` and legacy `containLabel` layout compute it, in this order.
    let mut plot_width = width - right - left;
    let plot_left = left + labels;
    plot_width -= labels;
    let columns = PixelColumns {
        start: data.x.0,
        end: data.x.1,
        left: plot_left * ratio,
        right: (plot_left + plot_width) * ratio,
    };
    columns.is_usable().then_some(columns)
}

/// Whether laid-out columns `actual` are the predicted `columns` (edges within a millionth of
/// a pixel: the same floating-point steps in another order).
pub(crate) fn same_columns(columns: &PixelColumns, actual: &PixelColumns) -> bool {
    columns.start == actual.start
        && columns.end == actual.end
        && (columns.left - actual.left).abs() < 1e-6
        && (columns.right - actual.right).abs() < 1e-6
}

/// The horizontal space `containLabel` gives the y axis' labels (widest label plus margin),
/// in CSS pixels; `None` for labels this does not model (inside, rotated, padded, rich).
fn y_label_space(module: &EChartsModule, y_axis: &JsValue, data: (f64, f64)) -> Option<f64> {
    let label = get(y_axis, "axisLabel");
    if get(&label, "show") == JsValue::FALSE {
        return Some(0.0);
    }
    let unmodelled = [
        "padding",
        "rich",
        "width",
        "height",
        "overflow",
        "lineHeight",
    ];
    let upright = absent(&label, "rotate") || number(&label, "rotate") == Some(0.0);
    if get(&label, "inside").is_truthy()
        || !upright
        || unmodelled.iter().any(|k| !absent(&label, k))
    {
        return None;
    }
    let margin = match get(&label, "margin") {
        m if m.is_undefined() || m.is_null() => LABEL_MARGIN,
        m => m.as_f64()?,
    };
    let helper = get(module.as_js(), "helper");
    let format = get(module.as_js(), "format");
    let create_scale = function(&helper, "createScale")?;
    let text_rect = function(&format, "getTextRect")?;
    let scale = create_scale
        .call2(
            &helper,
            &Array::of2(&data.0.into(), &data.1.into()),
            &scale_model(y_axis),
        )
        .ok()?;
    let ticks: Array = call(&scale, "getTicks", &Array::new())?.dyn_into().ok()?;
    let count = ticks.length() as usize;
    let step = if count > MEASURED_TICKS {
        count.div_ceil(MEASURED_TICKS)
    } else {
        1
    };
    let formatter = get(&label, "formatter");
    let font: JsValue = font(&label)?.into();
    let mut widest: Option<f64> = None;
    for i in (0..count).step_by(step) {
        let tick = ticks.get(i as u32);
        let text = if let Some(format) = formatter.dyn_ref::<Function>() {
            let value = get(&tick, "value");
            format
                .call3(&JsValue::NULL, &value, &(i as u32).into(), &JsValue::NULL)
                .ok()?
        } else {
            let text = call(&scale, "getLabel", &Array::of1(&tick))?;
            match formatter.as_string() {
                Some(template) => {
                    let text = text.as_string().unwrap_or_default();
                    template.replacen("{value}", &text, 1).into()
                }
                None if formatter.is_undefined() || formatter.is_null() => text,
                None => return None,
            }
        };
        // ECharts draws what a formatter returns as text; ours return strings.
        let text: js_sys::JsString = text.dyn_into().ok()?;
        let rect = text_rect.call2(&format, &text, &font).ok()?;
        let width = number(&rect, "width")?;
        widest = Some(widest.map_or(width, |w| w.max(width)));
    }
    // No tick (a blank scale): ECharts leaves the grid as it is.
    Some(widest.map_or(0.0, |w| w + margin))
}

/// What `createScale` reads from the y axis' option, with the value axis' defaults ECharts
/// merges in (a plain option object has none of them).
fn scale_model(y_axis: &JsValue) -> Object {
    let model = Object::new();
    set(&model, "type", &"value".into());
    set(&model, "splitNumber", &SPLIT_NUMBER.into());
    set(&model, "boundaryGap", &Array::of2(&0.into(), &0.into()));
    for key in [
        "scale",
        "splitNumber",
        "minInterval",
        "maxInterval",
        "interval",
        "boundaryGap",
    ] {
        let value = get(y_axis, key);
        if !(value.is_undefined() || value.is_null()) {
            set(&model, key, &value);
        }
    }
    model
}

/// The font ECharts measures an axis label in: the label's own settings, else zrender's
/// default (12px sans-serif) — not the chart's text style, which only the drawn labels use.
fn font(label: &JsValue) -> Option<String> {
    let size = match get(label, "fontSize") {
        s if s.is_undefined() || s.is_null() => "12px".to_owned(),
        s => match (s.as_f64(), s.as_string()) {
            (Some(n), _) => format!("{n}px"),
            (_, Some(text)) if text.ends_with("px") => text,
            _ => return None,
        },
    };
    let part = |key: &str| string(label, key).unwrap_or_default();
    let family = string(label, "fontFamily").unwrap_or_else(|| "sans-serif".to_owned());
    let font = format!(
        "{} {} {size} {family}",
        part("fontStyle"),
        part("fontWeight")
    );
    Some(font.trim().to_owned())
}

/// Whether a series is drawn on the first x and y axes of the first grid.
fn on_first_axes(series: &JsValue) -> bool {
    ["xAxisIndex", "yAxisIndex", "gridIndex"]
        .iter()
        .all(|k| absent(series, k) || number(series, k) == Some(0.0))
}

/// The one component of an option entry (an object, or an array of exactly one).
fn single(value: &JsValue) -> Option<JsValue> {
    match value.dyn_ref::<Array>() {
        Some(items) if items.length() == 1 => Some(items.get(0)),
        Some(_) => None,
        None => value.is_object().then(|| value.clone()),
    }
}

fn instance_width(instance: &EChartsInstance) -> Option<f64> {
    call(instance, "getWidth", &Array::new())?.as_f64()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn absent(target: &JsValue, key: &str) -> bool {
    let value = get(target, key);
    value.is_undefined() || value.is_null()
}

fn number(target: &JsValue, key: &str) -> Option<f64> {
    get(target, key).as_f64()
}

fn string(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}
