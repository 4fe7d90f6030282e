//! Streaming: bounded sliding windows of `[x, y]` points, one per series, and the option for
//! a streaming line chart.
//!
//! [`SlidingWindow`] keeps at most `capacity` points per series (the oldest drop out first)
//! in one interleaved ring buffer per series, so appending is O(points appended) whatever the
//! window size. [`super::EChartsHandle::push_window`] hands the windows to ECharts with a
//! merge-mode `setOption` that carries nothing but each series' `data` — the axes, styles,
//! legend and tooltip are never rebuilt or re-sent. Windows above
//! [`crate::charts::large::LARGE_THRESHOLD`] points go over as one `Float64Array` per series
//! (`[x0, y0, x1, y1, …]`), smaller ones as arrays of `[x, y]` pairs.
//!
//! [`streaming_line_option`] builds the chart to append to: time axis, no symbols, animation
//! off (a streaming chart redraws many times a second). No LTTB sampling: windows with more
//! than four points per pixel column are sent M4-decimated, which draws the same picture as
//! every point (see [`crate::charts::m4`]).

use std::collections::VecDeque;

use crate::charts::Chart;
use charming::element::{AxisType, Trigger};
use charming::series::Line;

use crate::charts::large::LARGE_THRESHOLD;
use crate::charts::m4::Points;
use crate::WidgetError;

/// Bounded windows of `[x, y]` points, one per series.
#[derive(Debug, Clone)]
pub struct SlidingWindow {
    capacity: usize,
    /// Per series: interleaved `x, y` values, oldest first; at most `2 × capacity` values.
    series: Vec<VecDeque<f64>>,
    /// Per series: how its window departs from "no value missing, x never going back".
    order: Vec<Order>,
}

/// Counts kept up to date as points come and go, so a window's pick knows without a pass over
/// it whether it can take M4's dense path ([`Shape::dense_ascending`](crate::charts::m4::Shape::dense_ascending)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Order {
    /// Points with a missing x or y.
    missing: usize,
    /// Neighbouring points whose x goes back.
    descents: usize,
}

impl Order {
    fn is_dense(&self) -> bool {
        self.missing == 0 && self.descents == 0
    }

    /// Counts point `point`, which follows `before` (if any).
    fn add(&mut self, before: Option<(f64, f64)>, point: (f64, f64)) {
        self.missing += usize::from(point.0.is_nan() || point.1.is_nan());
        self.descents += usize::from(before.is_some_and(|b| point.0 < b.0));
    }

    /// Uncounts the oldest point `point`, followed by `after`.
    fn remove(&mut self, point: (f64, f64), after: (f64, f64)) {
        self.missing -= usize::from(point.0.is_nan() || point.1.is_nan());
        self.descents -= usize::from(after.0 < point.0);
    }
}

impl SlidingWindow {
    /// `series` windows of at most `capacity` points each.
    ///
    /// # Errors
    /// [`WidgetError::Data`] naming `series` or `capacity` when either is zero.
    pub fn new(series: usize, capacity: usize) -> Result<Self, WidgetError> {
        if series == 0 {
            return Err(WidgetError::Data(
                "series: a sliding window needs at least one series".into(),
            ));
        }
        if capacity == 0 {
            return Err(WidgetError::Data(
                "capacity: a sliding window must hold at least one point".into(),
            ));
        }
        Ok(Self {
            capacity,
            series: (0..series)
                .map(|_| VecDeque::with_capacity(2 * capacity))
                .collect(),
            order: vec![Order::default(); series],
        })
    }

    /// Most points kept per series.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of series.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// Points currently held for `series` (0 for an unknown series).
    pub fn len(&self, series: usize) -> usize {
        self.series.get(series).map_or(0, |s| s.len() / 2)
    }

    /// Whether every series is empty.
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(VecDeque::is_empty)
    }

    /// Appends interleaved `[x0, y0, x1, y1, …]` values to `series`, dropping the oldest points
    /// beyond the capacity. Only the last `capacity` points of a long batch are copied.
    ///
    /// # Errors
    /// [`WidgetError::Data`] for an unknown series or an odd number of values.
    pub fn push_flat(&mut self, series: usize, flat: &[f64]) -> Result<(), WidgetError> {
        if flat.len() % 2 != 0 {
            return Err(WidgetError::Data(format!(
                "points: expected interleaved x, y values, got an odd count ({})",
                flat.len()
            )));
        }
        let count = self.series.len();
        let capacity = self.capacity;
        let window = self.series.get_mut(series).ok_or_else(|| {
            WidgetError::Data(format!(
                "series: index {series} is out of range (the window has {count} series)"
            ))
        })?;
        let keep = flat.len().min(2 * capacity);
        let fresh = &flat[flat.len() - keep..];
        let overflow = (window.len() + fresh.len()).saturating_sub(2 * capacity);
        // The counts, over the old points followed by the fresh ones: each fresh point with
        // the one before it, then each dropped point with the one after it.
        let old = window.len() / 2;
        let point = |i: usize| {
            if i < old {
                (window[2 * i], window[2 * i + 1])
            } else {
                let i = i - old;
                (fresh[2 * i], fresh[2 * i + 1])
            }
        };
        let order = &mut self.order[series];
        for i in old..old + fresh.len() / 2 {
            order.add(i.checked_sub(1).map(point), point(i));
        }
        for i in 0..overflow / 2 {
            order.remove(point(i), point(i + 1));
        }
        window.drain(..overflow);
        window.extend(fresh.iter().copied());
        Ok(())
    }

    /// Appends `(x, y)` points to `series` (see [`Self::push_flat`]).
    ///
    /// # Errors
    /// [`WidgetError::Data`] for an unknown series.
    pub fn push(&mut self, series: usize, points: &[(f64, f64)]) -> Result<(), WidgetError> {
        let flat: Vec<f64> = points.iter().flat_map(|&(x, y)| [x, y]).collect();
        self.push_flat(series, &flat)
    }

    /// The newest point of `series`.
    pub fn latest(&self, series: usize) -> Option<(f64, f64)> {
        let window = self.series.get(series)?;
        let n = window.len();
        (n >= 2).then(|| (window[n - 2], window[n - 1]))
    }

    /// The two contiguous parts of `series`' interleaved values, oldest first.
    pub fn as_slices(&self, series: usize) -> (&[f64], &[f64]) {
        self.series
            .get(series)
            .map_or((&[][..], &[][..]), VecDeque::as_slices)
    }

    /// The points of `series`, oldest first, as the ring buffer holds them.
    pub(crate) fn points(&self, series: usize) -> Option<Points<'_>> {
        let (front, back) = self.series.get(series)?.as_slices();
        Some(Points::split(front, back))
    }

    /// Whether `series` has no value missing and its x never goes back (then its pick needs no
    /// pass to learn its shape, see [`Shape::dense_ascending`](crate::charts::m4::Shape::dense_ascending)).
    pub(crate) fn is_dense(&self, series: usize) -> bool {
        self.order.get(series).is_some_and(Order::is_dense)
    }

    /// Whether `series` goes to ECharts as a typed array (above the large-data threshold).
    pub fn is_large(&self, series: usize) -> bool {
        self.len(series) > LARGE_THRESHOLD
    }
}

/// The option of a streaming line chart with one series per name: time x axis, no symbols,
/// animation off. Append to it with [`super::EChartsHandle::push_window`].
pub fn streaming_line_option(names: &[&str]) -> Chart {
    let mut chart = crate::charts::common::base_chart(Trigger::Axis, &serde_json::Value::Null)
        .animation(false)
        .grid(crate::charts::common::grid())
        .x_axis(charming::component::Axis::new().type_(AxisType::Time))
        .y_axis(
            charming::component::Axis::new()
                .type_(AxisType::Value)
                .scale(true),
        );
    chart = crate::charts::common::legend_if(chart, names.len());
    for name in names {
        chart = chart.series(
            Line::new()
                .name(*name)
                .show_symbol(false)
                .data(Vec::<charming::datatype::DataPoint>::new()),
        );
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appending_beyond_the_capacity_keeps_the_newest_points() {
        let mut window = SlidingWindow::new(2, 3).unwrap();
        window.push(0, &[(1.0, 10.0), (2.0, 20.0)]).unwrap();
        assert_eq!(window.len(0), 2);
        window.push(0, &[(3.0, 30.0), (4.0, 40.0)]).unwrap();
        assert_eq!(window.len(0), 3);
        assert_eq!(window.latest(0), Some((4.0, 40.0)));
        let (a, b) = window.as_slices(0);
        let all: Vec<f64> = a.iter().chain(b).copied().collect();
        assert_eq!(all, [2.0, 20.0, 3.0, 30.0, 4.0, 40.0]);
        assert_eq!(window.len(1), 0, "series are independent");
        assert_eq!(window.latest(1), None);
    }

    #[test]
    fn the_window_knows_when_it_is_dense_as_points_come_and_go() {
        // Batches of every size (longer than the window too) with now and then a missing
        // value or an x going back; after each one the counts must say what a look at the
        // whole window says.
        let mut window = SlidingWindow::new(2, 50).unwrap();
        let (mut s, mut x) = (2_463_534_242_u32, 0.0);
        let mut seen = [false, false];
        for step in 0..3_000 {
            let mut random = || {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s
            };
            let len = [1, 2, 7, 49, 50, 51, 120][random() as usize % 7];
            let mut batch = Vec::new();
            for _ in 0..len {
                x += 1.0;
                let roll = random() % 200;
                let px = match roll {
                    0 => f64::NAN,
                    1 => x - 5.5,
                    _ => x,
                };
                let py = if roll == 2 { f64::NAN } else { f64::from(roll) };
                batch.extend([px, py]);
            }
            let series = step % 2;
            window.push_flat(series, &batch).unwrap();
            let (front, back) = window.as_slices(series);
            let values: Vec<f64> = [front, back].concat();
            let dense = values.iter().all(|v| !v.is_nan())
                && values
                    .chunks(2)
                    .zip(values.chunks(2).skip(1))
                    .all(|(a, b)| b[0] >= a[0]);
            assert_eq!(window.is_dense(series), dense, "step {step}");
            seen[usize::from(dense)] = true;
        }
        assert_eq!(seen, [true, true], "both cases came up");
    }

    #[test]
    fn a_batch_longer_than_the_window_keeps_only_its_tail() {
        let mut window = SlidingWindow::new(1, 2).unwrap();
        window
            .push_flat(0, &[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0])
            .unwrap();
        assert_eq!(window.len(0), 2);
        assert_eq!(window.latest(0), Some((5.0, 5.0)));
        let (a, b) = window.as_slices(0);
        assert_eq!([a, b].concat(), [4.0, 4.0, 5.0, 5.0]);
    }

    #[test]
    fn bad_input_names_the_field() {
        assert!(SlidingWindow::new(0, 5)
            .unwrap_err()
            .to_string()
            .contains("series"));
        assert!(SlidingWindow::new(1, 0)
            .unwrap_err()
            .to_string()
            .contains("capacity"));
        let mut window = SlidingWindow::new(1, 5).unwrap();
        assert!(window
            .push_flat(0, &[1.0])
            .unwrap_err()
            .to_string()
            .contains("points"));
        assert!(window
            .push(3, &[(1.0, 1.0)])
            .unwrap_err()
            .to_string()
            .contains("series: index 3"));
    }

    #[test]
    fn large_windows_take_the_typed_array_path() {
        let mut window = SlidingWindow::new(1, LARGE_THRESHOLD + 10).unwrap();
        let flat: Vec<f64> = (0..2 * (LARGE_THRESHOLD + 1)).map(|i| i as f64).collect();
        window.push_flat(0, &flat).unwrap();
        assert!(window.is_large(0));
    }

    #[test]
    fn streaming_option_has_one_empty_unsampled_series_per_name() {
        let option =
            serde_json::to_value(streaming_line_option(&["a", "b", "c"])).expect("serializes");
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 3);
        assert_eq!(series[2]["name"], "c");
        assert!(
            series[0].get("sampling").is_none(),
            "decimated by M4, not LTTB"
        );
        assert_eq!(series[0]["showSymbol"], false);
        assert_eq!(option["animation"], false);
        assert_eq!(option["xAxis"]["type"], "time");
    }
}
