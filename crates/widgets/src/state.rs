//! The states every data widget can be in. The SDK's store owns one per widget and widgets
//! render all of them: a skeleton while loading, the data (with an "empty" message when there
//! are no rows and a stale badge while live updates are down), or an error with a retry button.

use std::sync::Arc;

use vantage_contract::columnar::DecodedResult;
use vantage_contract::QueryResult;

/// What a widget currently shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum WidgetState {
    /// No data yet: render a skeleton the size of the widget.
    #[default]
    Loading,
    /// Data to render. `stale` is true while the live connection is down: keep the data, add a
    /// badge, never blank.
    Ready { data: Arc<QueryResult>, stale: bool },
    /// The query failed; the message is safe to show to the user.
    Error { message: String },
}

impl WidgetState {
    /// Ready with fresh data.
    pub fn ready(data: QueryResult) -> Self {
        WidgetState::Ready {
            data: Arc::new(data),
            stale: false,
        }
    }

    /// Ready with fresh data decoded from the columnar body: the numeric columns go with it
    /// (see [`crate::charts::packed`]), so charts read them without per-cell conversion.
    pub fn ready_decoded(decoded: DecodedResult) -> Self {
        let data = Arc::new(decoded.result);
        crate::charts::packed::attach(&data, decoded.numbers);
        WidgetState::Ready { data, stale: false }
    }

    /// The data, if any.
    pub fn data(&self) -> Option<&Arc<QueryResult>> {
        match self {
            WidgetState::Ready { data, .. } => Some(data),
            _ => None,
        }
    }

    /// Whether the data is there but has no rows.
    pub fn is_empty(&self) -> bool {
        self.data().is_some_and(|d| d.row_count() == 0)
    }

    /// Whether the data is being kept while live updates are down.
    pub fn is_stale(&self) -> bool {
        matches!(self, WidgetState::Ready { stale: true, .. })
    }

    /// The same state marked stale (or fresh); a no-op for loading and error states.
    pub fn with_stale(&self, stale: bool) -> Self {
        match self {
            WidgetState::Ready { data, .. } => WidgetState::Ready {
                data: Arc::clone(data),
                stale,
            },
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::{Column, ColumnType};

    #[test]
    fn empty_and_stale_are_derived_from_ready_data() {
        let empty = WidgetState::ready(
            QueryResult::new(vec![Column::new("n", ColumnType::Integer)], vec![vec![]]).unwrap(),
        );
        assert!(empty.is_empty());
        assert!(!empty.is_stale());
        assert!(empty.with_stale(true).is_stale());
        assert!(!WidgetState::Loading.with_stale(true).is_stale());
        assert!(!WidgetState::Loading.is_empty());
    }
}
