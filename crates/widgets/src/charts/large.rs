//! The large-data path: long series reach ECharts as one `Float64Array` each instead of an
//! array of `[x, y]` arrays built point by point (which costs an allocation per point on both
//! sides of the wasm boundary).
//!
//! A builder calls [`register`] with a series' points — a line's x and y columns, read in place
//! from a decoded columnar result (no copy), or interleaved `[x0, y0, x1, y1, …]` values — and
//! puts the returned marker in the series `id`; [`super::js::finish_option`] swaps in the data
//! right before `setOption`: all of it as one `Float64Array`, or the M4 pick of a line
//! ([`crate::echarts`]'s decimator keeps the full series in wasm memory). Charming options stay
//! plain serializable values, so builders remain testable natively. Missing values are `NaN`,
//! which ECharts draws as gaps.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::m4::{Points, Shape};
use super::packed::F64Column;

/// Points above which a time series takes the typed-array path (and, when drawn with more
/// than four points per pixel column, M4 decimation; see [`super::m4`]).
pub const LARGE_THRESHOLD: usize = 2_000;
/// Prefix of a series id that names registered data.
pub const MARKER: &str = "vt-typed:";
/// Most values kept across registered series (about 64 MB); the oldest are dropped first.
const BUDGET: usize = 8_000_000;

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
}

#[derive(Default)]
struct Registry {
    next: u64,
    held: usize,
    entries: VecDeque<(String, Rc<LargeData>)>,
}

/// A registered series' points.
pub enum LargeData {
    /// `[x0, y0, x1, y1, …]`.
    Interleaved(Vec<f64>),
    /// x and y columns of equal length (a line's x and one of its measures).
    Columns(F64Column, F64Column),
}

impl LargeData {
    /// The points, read in place.
    pub fn points(&self) -> Points<'_> {
        match self {
            LargeData::Interleaved(flat) => Points::interleaved(flat),
            LargeData::Columns(xs, ys) => Points::columns(xs, ys),
        }
    }

    /// The points' [`Shape`]: from the columns' decoding stats when both have them (no pass
    /// over the points), else worked out.
    pub fn shape(&self) -> Shape {
        if let LargeData::Columns(xs, ys) = self {
            if let (Some(x), Some(y), true) = (xs.stats(), ys.stats(), xs.len() == ys.len()) {
                if let Some(shape) = Shape::from_stats(xs.len(), &x, &y) {
                    return shape;
                }
            }
        }
        Shape::of(self.points())
    }

    /// Values held (two per point).
    fn values(&self) -> usize {
        2 * self.points().len()
    }
}

/// Keeps `data` for the next `setOption` and returns the series id marker that refers to it.
/// Data stays available for re-applying the same option (e.g. on a theme switch) until newer
/// series push it out of the budget.
pub fn register(data: LargeData) -> String {
    REGISTRY.with(|registry| {
        let mut registry = registry.borrow_mut();
        registry.next += 1;
        let id = format!("{MARKER}{}", registry.next);
        registry.held += data.values();
        registry.entries.push_back((id.clone(), Rc::new(data)));
        while registry.held > BUDGET && registry.entries.len() > 1 {
            if let Some((_, old)) = registry.entries.pop_front() {
                registry.held -= old.values();
            }
        }
        id
    })
}

/// The data registered under `id`, if it is still held.
pub fn lookup(id: &str) -> Option<Rc<LargeData>> {
    REGISTRY.with(|registry| {
        registry
            .borrow()
            .entries
            .iter()
            .find(|(key, _)| key == id)
            .map(|(_, data)| Rc::clone(data))
    })
}

/// Interleaves two `f64` columns (`NaN` already marks missing values) into
/// `[x0, y0, x1, y1, …]`.
pub fn interleave_f64(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    Points::columns(xs, ys).to_interleaved()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_data_is_found_by_its_marker() {
        let xs = F64Column::Converted([1.0, 2.0].into());
        let ys = F64Column::Converted([5.0, f64::NAN].into());
        let id = register(LargeData::Columns(xs, ys));
        assert!(id.starts_with(MARKER));
        let data = lookup(&id).expect("held").points().to_interleaved();
        assert_eq!(data[..3], [1.0, 5.0, 2.0]);
        assert!(data[3].is_nan());
        assert!(lookup("vt-typed:nope").is_none());
    }
}
