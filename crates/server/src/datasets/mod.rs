//! Datasets are data, not code: each tenant's dataset is a row of the `datasets` table (its
//! [`DatasetInput`](vantage_contract::DatasetInput) as JSON) plus one events table created from
//! that definition. The demo's `validations`, `agent_events` and `sales` are ordinary rows
//! created by the seed ([`demo`]); nothing in the query engine knows their names.
//!
//! ## Storage layout, and why
//! Every dataset gets its own table `ev_<pk>` (`pk` is the dataset row's integer key) with an
//! `id INTEGER PRIMARY KEY`, one typed column per field (time → INTEGER epoch ms, string → TEXT,
//! number → REAL or INTEGER with `format: "integer"`, boolean → INTEGER 0/1) and an index on the
//! time column. Compared with a generic `(dataset, ts, json)` table this keeps SQLite doing
//! what made the demo fast before: aggregates read native columns (no `json_extract` per row
//! and field), rows are narrow (no tenant or dataset column repeated per row), and a time range
//! is one index range scan. Measured against the previous shared tables on a loaded machine the
//! data endpoint was not faster (BENCHMARKS.md, "Datasets as data": p95 74 → 101 ms, noisy; to be
//! re-measured on a quiet machine). The price is DDL on definition changes: adding a field is
//! `ALTER TABLE … ADD COLUMN` (instant in SQLite), dropping one is `DROP COLUMN`, and type
//! changes are refused while the table has rows ([`compat`]).
//!
//! Beside it, `ev_<pk>_rh` and `ev_<pk>_rd` hold the rows pre-aggregated per hour and per day
//! ([`rollups`]), which long time ranges read instead of every row.
//!
//! Tenant isolation: a table is only ever reached through [`catalog::find`], which looks the
//! dataset up by `(tenant, id)`; field names are validated identifiers and are still quoted in
//! every statement; all values are bound parameters.

pub mod catalog;
pub mod compat;
pub mod demo;
pub mod legacy;
pub mod partitions;
pub mod rollups;
pub mod rows;

pub use catalog::Catalog;
