//! Chart widgets: contract query results in, ECharts options out.
//!
//! Each chart kind is a pure `*_option` function (tested natively) plus a thin component that
//! feeds it to [`crate::EChart`].

pub mod line;
