//! [`StoreError`]: why a store intent or load did not succeed.

use crate::filters::FilterError;
use crate::SdkError;

/// A failed store operation: a load that failed, a refused filter change, or a closed store.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The dashboard's definition or data could not be loaded.
    #[error(transparent)]
    Load(#[from] SdkError),
    /// A filter change touched a locked filter; nothing changed.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// The store was closed (its view destroyed) before the awaited load completed.
    #[error("the dashboard was closed before its data loaded")]
    Closed,
}
