//! Drawing large line and area series with [M4](crate::charts::m4): the browser side.
//!
//! A line or area series on the large-data path (see [`crate::charts::large`]) with more than
//! four points per pixel column of its chart reaches ECharts reduced to the points M4 keeps for
//! the plot's current pixel columns. The full series stays in wasm memory here, so the pick is
//! redone whenever the columns change: after the first layout when the plot's columns could not
//! be worked out before it ([`super::layout`]; otherwise its exact width is only known once
//! ECharts has laid out the axes), on resize, on `datazoom` (only the visible window
//! is picked) and with every new option or streamed window. Updates are merge-mode `setOption`
//! calls that carry only the series' `data`, so legend selection, zoom and an open tooltip stay.
//!
//! M4 keeps true points, so tooltips show real values; event parameters get the index of the
//! point in the full series back ([`Decimator::restore_index`]). Series stacked on each other
//! keep the union of their picks (ECharts stacks points with the same x), taken on the stacked
//! values. Smooth lines, category axes and non-monotone x are drawn in full.

use std::rc::Rc;

use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::binding::{call, js_error, set, EChartsInstance, EChartsModule};
use super::layout::{self, DataExtent};
use crate::charts::js::series_type;
use crate::charts::large::LargeData;
use crate::charts::m4::{self, PixelColumns, Points, Shape};
use crate::WidgetError;

/// Points per pixel column above which a line is decimated.
pub const POINTS_PER_COLUMN: usize = 4;

/// One decimated series: where it is in the option, all of its points, and their shape
/// (worked out once, reused by every pick).
struct Member {
    series: usize,
    id: JsValue,
    full: Rc<LargeData>,
    shape: Shape,
}

impl Member {
    fn points(&self) -> Points<'_> {
        self.full.points()
    }
}

/// Series decimated together: a single series, or the series of one stack.
struct Group {
    stack: Option<String>,
    members: Vec<Member>,
    /// Indices (into every member's full series) of the points drawn now.
    kept: Vec<u32>,
}

/// The decimated series of one chart and the columns they were last picked for.
#[derive(Default)]
pub(crate) struct Decimator {
    groups: Vec<Group>,
    columns: Option<PixelColumns>,
    /// Until the first layout: the data's x range over the whole element, for a chart whose
    /// axis cannot say where its plot is (see [`Self::refresh`]).
    fallback: Option<PixelColumns>,
}

impl Decimator {
    /// Whether `series` (an option's series object) with `points` points is worth decimating on
    /// a chart `width` CSS pixels wide.
    pub(crate) fn wants(series: &JsValue, points: usize, width: f64) -> bool {
        let is_line = series_type(series).as_deref() == Some("line");
        let smooth = Reflect::get(series, &"smooth".into()).is_ok_and(|s| s.is_truthy());
        let columns = (width * device_pixel_ratio()).max(0.0) as usize;
        is_line && !smooth && columns > 0 && points > POINTS_PER_COLUMN * columns
    }

    /// Takes over the decimated series of `option` (`(index, series object, points)`),
    /// dropping the previous ones, and puts a first pick into each series object: for the
    /// current layout; before the first layout, for the layout ECharts will make when that
    /// can be worked out ([`layout::predict`]), else the points that set the axes' extents.
    pub(crate) fn replace(
        &mut self,
        series: Vec<(usize, JsValue, Rc<LargeData>)>,
        option: &JsValue,
        module: &EChartsModule,
        instance: &EChartsInstance,
        element: &HtmlElement,
    ) {
        self.groups.clear();
        self.columns = None;
        self.fallback = None;
        let mut objects = Vec::new();
        for (index, object, full) in series {
            objects.push((index, object.clone()));
            let stack = Reflect::get(&object, &"stack".into())
                .ok()
                .and_then(|s| s.as_string());
            let id = Reflect::get(&object, &"id".into()).unwrap_or(JsValue::UNDEFINED);
            let shape = full.shape();
            let member = Member {
                series: index,
                id,
                full,
                shape,
            };
            let joins = self.groups.iter().position(|g| {
                stack.is_some()
                    && g.stack == stack
                    && g.members[0].points().len() == member.points().len()
            });
            match joins {
                Some(at) => self.groups[at].members.push(member),
                None => self.groups.push(Group {
                    stack,
                    members: vec![member],
                    kept: Vec::new(),
                }),
            }
        }
        let predicted = || {
            let extent = self.data_extent()?;
            let series = self.groups.len();
            layout::predict(
                module,
                instance,
                option,
                series,
                extent,
                device_pixel_ratio(),
            )
        };
        match axis_columns(instance).or_else(predicted) {
            // The chart already has a layout (new data for a drawn chart), or the one it will
            // get is known: the final pick (`refresh` checks it against the layout made).
            Some(columns) => self.pick(columns),
            // Before the first layout: only the points that set the axes' extents, so ECharts
            // lays the axes out exactly as for every point; `refresh` then picks for the plot's
            // real pixel columns in the same task, so this is never on screen.
            None => {
                for group in &mut self.groups {
                    group.kept = group_select(&group.members, |_, shape| shape.extent());
                }
                self.fallback = Some(self.element_columns(element));
            }
        }
        for group in &self.groups {
            for member in &group.members {
                if let Some((_, object)) = objects.iter().find(|(i, _)| *i == member.series) {
                    let _ = Reflect::set(object, &"data".into(), &drawn(member, &group.kept));
                }
            }
        }
    }

    /// Makes the next [`Self::refresh`] pick again even if the columns look the same (the
    /// instance was re-created).
    pub(crate) fn forget_columns(&mut self) {
        self.columns = None;
    }

    /// Whether any series is decimated.
    pub(crate) fn is_active(&self) -> bool {
        !self.groups.is_empty()
    }

    /// Picks again for the chart's current layout if its columns changed, and sends the new
    /// picks as a merge-mode update (series matched by id, nothing but `data`), drawn `when`.
    ///
    /// # Errors
    /// When ECharts rejects the update.
    pub(crate) fn refresh(
        &mut self,
        instance: &EChartsInstance,
        when: Draw,
    ) -> Result<(), WidgetError> {
        if self.groups.is_empty() || instance.is_disposed() {
            return Ok(());
        }
        // No axis to read (not a time or value axis): the first pick spans the element.
        let Some(columns) = axis_columns(instance).or_else(|| self.fallback.take()) else {
            return Ok(());
        };
        if self
            .columns
            .is_some_and(|picked| layout::same_columns(&picked, &columns))
        {
            return Ok(());
        }
        self.pick(columns);
        let series = Array::new();
        for group in &self.groups {
            for member in &group.members {
                let item = Object::new();
                set(&item, "id", &member.id);
                set(&item, "data", &drawn(member, &group.kept));
                series.push(&item);
            }
        }
        set_series_data(instance, &series, when)
    }

    /// Turns `dataIndex` in event parameters (a click, a hover) from an index into the drawn
    /// points back into the index of that point in the full series.
    pub(crate) fn restore_index(&self, params: &JsValue) {
        let number = |key: &str| Reflect::get(params, &key.into()).ok()?.as_f64();
        let (Some(series), Some(index)) = (number("seriesIndex"), number("dataIndex")) else {
            return;
        };
        if let Some(original) = self.original_index(series as usize, index as usize) {
            let _ = Reflect::set(params, &"dataIndex".into(), &original.into());
        }
    }

    /// The full series' index of drawn point `index` of option series `series`, if decimated.
    fn original_index(&self, series: usize, index: usize) -> Option<u32> {
        let group = self
            .groups
            .iter()
            .find(|g| g.members.iter().any(|m| m.series == series))?;
        group.kept.get(index).copied()
    }

    /// The x and y range of every decimated series, when each is alone (not stacked) and
    /// its x never goes back: what a time x axis and a value y axis span.
    fn data_extent(&self) -> Option<DataExtent> {
        let mut extent: Option<DataExtent> = None;
        for group in &self.groups {
            let [member] = group.members.as_slice() else {
                return None;
            };
            if !member.shape.is_monotone() {
                return None;
            }
            let points = member.points();
            let (x, y) = (points.x_extent()?, member.shape.y_extent(points)?);
            let union = |a: (f64, f64), b: (f64, f64)| (a.0.min(b.0), a.1.max(b.1));
            extent = Some(match extent {
                Some(e) => DataExtent {
                    x: union(e.x, x),
                    y: union(e.y, y),
                },
                None => DataExtent { x, y },
            });
        }
        extent
    }

    /// The data's x range over the whole element.
    fn element_columns(&self, element: &HtmlElement) -> PixelColumns {
        let (start, end) = self
            .groups
            .iter()
            .flat_map(|g| &g.members)
            .filter_map(|m| m.points().x_extent())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                (lo.min(a), hi.max(b))
            });
        PixelColumns {
            start,
            end,
            left: 0.0,
            right: f64::from(element.client_width()) * device_pixel_ratio(),
        }
    }

    fn pick(&mut self, columns: PixelColumns) {
        for group in &mut self.groups {
            group.kept = group_pick(&group.members, &columns);
        }
        self.columns = Some(columns);
    }
}

/// M4 over one series, or over the stacked values of a stack's series, merged.
fn group_pick(members: &[Member], columns: &PixelColumns) -> Vec<u32> {
    group_select(members, |values, shape| {
        m4::m4_shaped(values, shape, columns)
    })
}

/// `select` over one series (with its shape), or over the stacked values of a stack's series
/// (their x from the first member), merged.
fn group_select(members: &[Member], select: impl Fn(Points<'_>, &Shape) -> Vec<u32>) -> Vec<u32> {
    let first = &members[0];
    let mut kept = select(first.points(), &first.shape);
    if members.len() == 1 {
        return kept;
    }
    let points = first.points();
    let xs: Vec<f64> = (0..points.len()).map(|i| points.x(i)).collect();
    let mut stacked: Vec<f64> = (0..points.len()).map(|i| points.y(i)).collect();
    for member in &members[1..] {
        let values = member.points();
        for (i, below) in stacked.iter_mut().enumerate() {
            let y = values.y(i);
            if !y.is_nan() {
                *below = if below.is_nan() { y } else { *below + y };
            }
        }
        let top = Points::columns(&xs, &stacked);
        kept = m4::union(&kept, &select(top, &Shape::of(top)));
    }
    kept
}

fn drawn(member: &Member, kept: &[u32]) -> JsValue {
    Float64Array::from(m4::gather(member.points(), kept).as_slice()).into()
}

/// The first x axis' visible range and where it is drawn, in device pixels, from the chart's
/// current layout; `None` before the first layout or for a category axis.
pub(crate) fn axis_columns(instance: &EChartsInstance) -> Option<PixelColumns> {
    // `getModel()` and the axis' `scale`/`getGlobalExtent()` are how ECharts' own components
    // read an axis; the public `convertToPixel` cannot say which range is visible.
    let model = call(instance, "getModel", &Array::new())?;
    let axis_model = call(
        &model,
        "getComponent",
        &Array::of2(&"xAxis".into(), &0.into()),
    )?;
    let axis = Reflect::get(&axis_model, &"axis".into()).ok()?;
    let kind = Reflect::get(&axis, &"type".into()).ok()?.as_string()?;
    if kind != "time" && kind != "value" {
        return None;
    }
    let scale = Reflect::get(&axis, &"scale".into()).ok()?;
    let pair = |value: JsValue| -> Option<(f64, f64)> {
        let array = value.dyn_into::<Array>().ok()?;
        Some((array.get(0).as_f64()?, array.get(1).as_f64()?))
    };
    let (start, end) = pair(call(&scale, "getExtent", &Array::new())?)?;
    let (left, right) = pair(call(&axis, "getGlobalExtent", &Array::new())?)?;
    let ratio = device_pixel_ratio();
    let columns = PixelColumns {
        start,
        end,
        left: left * ratio,
        right: right * ratio,
    };
    columns.is_usable().then_some(columns)
}

/// When an update is laid out and drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Draw {
    /// In this task: the final pick right after a chart's first layout, so both land in one
    /// frame.
    Now,
    /// With the next frame (`lazyUpdate`): updates in one frame (a resize, a zoom, several
    /// streamed appends) draw once.
    NextFrame,
}

/// Merges `series` (items carrying an `id` or position and their new `data`) into the chart's
/// option, drawn `when`, without events: the update keeps legend, zoom and tooltip.
pub(crate) fn set_series_data(
    instance: &EChartsInstance,
    series: &Array,
    when: Draw,
) -> Result<(), WidgetError> {
    let option = Object::new();
    set(&option, "series", series);
    let opts = Object::new();
    set(&opts, "lazyUpdate", &(when == Draw::NextFrame).into());
    set(&opts, "silent", &true.into());
    instance.set_option(&option, &opts).map_err(js_error)
}

pub(crate) fn device_pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio())
}

/// Schedules `run` as a microtask: after the current ECharts event has been handled (ECharts
/// refuses `setOption` from inside its own update) and before the next frame is drawn. The
/// callback is a one-shot JS function that owns `run` and frees it after the call, so nothing
/// the caller drops meanwhile can be invoked.
pub(crate) fn soon(run: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(run);
    if let Some(window) = web_sys::window() {
        window.queue_microtask(callback.unchecked_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(series: usize, ys: &[f64]) -> Member {
        let full = ys.iter().enumerate().flat_map(|(i, y)| [i as f64, *y]);
        let full = Rc::new(LargeData::Interleaved(full.collect()));
        Member {
            series,
            id: JsValue::UNDEFINED,
            shape: Shape::of(full.points()),
            full,
        }
    }

    #[test]
    fn stacked_series_keep_the_same_points_and_the_stacked_extremes() {
        // Two series stacked; in the column of points 222..=332 the top edge (a + b) peaks at
        // 309, which is neither series' own first, last, lowest or highest point there.
        let n = 1_000;
        let a: Vec<f64> = (0..n).map(|i| (i % 5) as f64).collect();
        let b: Vec<f64> = (0..n)
            .map(|i| match i {
                309 => 1.5,
                250 => 3.0,
                _ => 1.0,
            })
            .collect();
        let members = [member(0, &a), member(1, &b)];
        let columns = PixelColumns {
            start: 0.0,
            end: (n - 1) as f64,
            left: 0.0,
            right: 9.0,
        };
        let alone = m4::union(
            &m4::m4(members[0].points(), &columns),
            &m4::m4(members[1].points(), &columns),
        );
        assert!(
            !alone.contains(&309),
            "the series' own picks miss the stack's peak"
        );
        let kept = group_pick(&members, &columns);
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        assert!(kept.len() <= 2 * 4 * columns.count());
        assert!(kept.contains(&309), "{kept:?}");
    }

    #[test]
    fn an_event_on_a_drawn_point_maps_to_the_full_series() {
        let decimator = Decimator {
            groups: vec![Group {
                stack: None,
                members: vec![member(2, &[0.0; 10])],
                kept: vec![0, 4, 7, 9],
            }],
            columns: None,
            fallback: None,
        };
        assert_eq!(decimator.original_index(2, 2), Some(7));
        assert_eq!(decimator.original_index(2, 9), None, "not a drawn point");
        assert_eq!(
            decimator.original_index(0, 1),
            None,
            "series 0 is drawn in full"
        );
    }
}
