//! Numeric columns as `f64` slices, straight from the columnar body (see
//! [`vantage_contract::columnar`]), so the large-data path hands them to ECharts as a
//! `Float64Array` without converting cell by cell from JSON values.
//!
//! The SDK's store decodes a result and its [`NumericColumns`] together and makes the widget's
//! state with [`WidgetState::ready_decoded`](crate::WidgetState::ready_decoded), which
//! [`attach`]es the columns to the result's `Arc`. Chart builders call [`f64_column`], which
//! finds them by the result's address, else converts the cells (results from a JSON body, the
//! live patch or a pivot).
//!
//! Why a side table rather than a field of `QueryResult`: the result type is built in many
//! places (the server's query engine among them), and a stale copy must be impossible. Entries
//! hold a `Weak` to the `Arc<QueryResult>`: while it exists the allocation cannot be reused for
//! another result, and an `Arc`'s contents cannot change (`Arc::get_mut` refuses while a `Weak`
//! exists; `Arc::make_mut` moves the value to a new address). So a hit is always the same,
//! unchanged result.

use std::cell::RefCell;
use std::ops::Deref;
use std::sync::{Arc, Weak};

use vantage_contract::columnar::{ColumnStats, NumericColumns};
use vantage_contract::QueryResult;

thread_local! {
    static TABLE: RefCell<Vec<(Weak<QueryResult>, Arc<NumericColumns>)>> =
        const { RefCell::new(Vec::new()) };
}

/// Remembers `numbers` as the numeric columns of `result` for as long as `result` lives.
pub fn attach(result: &Arc<QueryResult>, numbers: NumericColumns) {
    if numbers.0.iter().all(Option::is_none) {
        return;
    }
    TABLE.with(|table| {
        let mut table = table.borrow_mut();
        table.retain(|(weak, _)| weak.strong_count() > 0);
        table.push((Arc::downgrade(result), Arc::new(numbers)));
    });
}

/// The numeric columns attached to `result`, if any.
fn attached(result: &QueryResult) -> Option<Arc<NumericColumns>> {
    TABLE.with(|table| {
        table
            .borrow()
            .iter()
            .find(|(weak, _)| std::ptr::eq(weak.as_ptr(), result) && weak.strong_count() > 0)
            .map(|(_, numbers)| Arc::clone(numbers))
    })
}

/// Column `index` of `result` as `f64` values (`NaN` for null or non-numeric cells): the
/// attached slice when there is one (no copy, no per-cell work), else converted from the cells.
pub fn f64_column(result: &QueryResult, index: usize) -> F64Column {
    match attached(result).filter(|n| n.column(index).is_some()) {
        Some(numbers) => F64Column::Attached(numbers, index),
        None => {
            let cells = result.data.get(index).map_or(&[][..], Vec::as_slice);
            let values = cells.iter().map(|v| v.as_f64().unwrap_or(f64::NAN));
            F64Column::Converted(values.collect())
        }
    }
}

/// One numeric column's values; dereferences to `[f64]`. Cheap to clone (shared, not copied).
#[derive(Clone)]
pub enum F64Column {
    Attached(Arc<NumericColumns>, usize),
    Converted(Arc<[f64]>),
}

impl F64Column {
    /// What decoding learnt about the values (order, gaps, extremes), for a column attached from
    /// a columnar body; `None` for converted cells (then a chart works it out itself).
    pub fn stats(&self) -> Option<ColumnStats> {
        match self {
            F64Column::Attached(numbers, index) => numbers.stats(*index),
            F64Column::Converted(_) => None,
        }
    }
}

impl Deref for F64Column {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match self {
            F64Column::Attached(numbers, index) => numbers.column(*index).unwrap_or(&[]),
            F64Column::Converted(values) => values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{columnar, Column, ColumnType};

    fn sample() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("t", ColumnType::Timestamp),
                Column::new("v", ColumnType::Float),
            ],
            vec![vec![json!(1), json!(2)], vec![json!(0.5), json!(null)]],
        )
        .unwrap()
    }

    #[test]
    fn decoded_columns_are_found_and_cells_are_the_fallback() {
        let decoded = columnar::decode_result(&columnar::encode_result(&sample())).unwrap();
        let result = Arc::new(decoded.result);
        attach(&result, decoded.numbers);
        assert!(attached(&result).is_some());
        let v = f64_column(&result, 1);
        assert_eq!(v[0], 0.5);
        assert!(v[1].is_nan());
        assert_eq!(v.stats(), Some(ColumnStats::of(&v)));
        assert!(f64_column(&sample(), 1).stats().is_none());
        let plain = sample();
        assert!(attached(&plain).is_none(), "a result from JSON has none");
        assert_eq!(f64_column(&plain, 0)[..], [1.0, 2.0]);
    }

    #[test]
    fn a_changed_copy_never_sees_the_original_columns() {
        let decoded = columnar::decode_result(&columnar::encode_result(&sample())).unwrap();
        let mut result = Arc::new(decoded.result);
        attach(&result, decoded.numbers);
        Arc::make_mut(&mut result).data[1][0] = json!(9.0);
        assert!(attached(&result).is_none());
        assert_eq!(f64_column(&result, 1)[0], 9.0);
    }
}
