//! The large-data path: long series reach ECharts as one `Float64Array` each instead of an
//! array of `[x, y]` arrays built point by point (which costs an allocation per point on both
//! sides of the wasm boundary).
//!
//! A builder calls [`register`] with the flat `[x0, y0, x1, y1, …]` values and puts the returned
//! marker in the series `id`; [`super::js::finish_option`] swaps in the typed array right before
//! `setOption`. Charming options stay plain serializable values, so builders remain testable
//! natively. Missing values are `NaN`, which ECharts draws as gaps.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

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
    entries: VecDeque<(String, Rc<Vec<f64>>)>,
}

/// Keeps `flat` for the next `setOption` and returns the series id marker that refers to it.
/// Data stays available for re-applying the same option (e.g. on a theme switch) until newer
/// series push it out of the budget.
pub fn register(flat: Vec<f64>) -> String {
    REGISTRY.with(|registry| {
        let mut registry = registry.borrow_mut();
        registry.next += 1;
        let id = format!("{MARKER}{}", registry.next);
        registry.held += flat.len();
        registry.entries.push_back((id.clone(), Rc::new(flat)));
        while registry.held > BUDGET && registry.entries.len() > 1 {
            if let Some((_, old)) = registry.entries.pop_front() {
                registry.held -= old.len();
            }
        }
        id
    })
}

/// The data registered under `id`, if it is still held.
pub fn lookup(id: &str) -> Option<Rc<Vec<f64>>> {
    REGISTRY.with(|registry| {
        registry
            .borrow()
            .entries
            .iter()
            .find(|(key, _)| key == id)
            .map(|(_, data)| Rc::clone(data))
    })
}

/// Interleaves `xs` and `ys` into `[x0, y0, x1, y1, …]` (`NaN` for missing values).
pub fn interleave(xs: &[Option<f64>], ys: &[Option<f64>]) -> Vec<f64> {
    let mut flat = Vec::with_capacity(xs.len() * 2);
    for (x, y) in xs.iter().zip(ys) {
        flat.push(x.unwrap_or(f64::NAN));
        flat.push(y.unwrap_or(f64::NAN));
    }
    flat
}

/// Interleaves two `f64` columns (`NaN` already marks missing values) into
/// `[x0, y0, x1, y1, …]`.
pub fn interleave_f64(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let mut flat = Vec::with_capacity(xs.len() * 2);
    for (x, y) in xs.iter().zip(ys) {
        flat.push(*x);
        flat.push(*y);
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_data_is_found_by_its_marker() {
        let id = register(interleave(&[Some(1.0), Some(2.0)], &[Some(5.0), None]));
        assert!(id.starts_with(MARKER));
        let data = lookup(&id).expect("held");
        assert_eq!(data[..3], [1.0, 5.0, 2.0]);
        assert!(data[3].is_nan());
        assert!(lookup("vt-typed:nope").is_none());
    }
}
