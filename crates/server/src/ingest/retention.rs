//! Retention: every minute, rows older than their dataset's `retentionDays` are deleted (in
//! slices, so ingest and saves never wait long for the writer) and idempotency records older
//! than 24 hours are forgotten.

use super::idempotency;
use crate::datasets::{catalog, rows};
use crate::db::now_ms;
use crate::error::AppResult;
use crate::state::SharedState;
use crate::ticks::Ticks;
use std::time::Duration;
use tokio::time::MissedTickBehavior;

/// Rows deleted per write transaction.
const SLICE: u32 = 20_000;

/// One pass over every dataset; returns the rows deleted.
///
/// # Errors
/// Database failures.
pub async fn sweep(state: &SharedState) -> AppResult<u64> {
    let now = now_ms();
    let sources = state.db.read(catalog::all).await?;
    let mut total = 0;
    for source in sources {
        total += sweep_dataset(state, &source.tenant_id, &source.schema.id).await?;
    }
    state.db.write(move |c| idempotency::purge(c, now)).await?;
    Ok(total)
}

/// Deletes the rows of one dataset that are older than its retention (also called right after
/// an admin shortens the retention); returns how many.
///
/// # Errors
/// Database failures.
pub async fn sweep_dataset(state: &SharedState, tenant: &str, id: &str) -> AppResult<u64> {
    let mut total = 0;
    loop {
        let (t, d) = (tenant.to_owned(), id.to_owned());
        let n = state
            .db
            .write(move |c| {
                // The dataset may have been deleted or changed since the caller looked.
                match catalog::find(c, &t, &d)? {
                    Some(s) => {
                        let before = now_ms() - i64::from(s.schema.retention_days) * 86_400_000;
                        rows::delete_older(c, &s, before, SLICE)
                    }
                    None => Ok(0),
                }
            })
            .await?;
        total += n;
        if n < u64::from(SLICE) {
            return Ok(total);
        }
    }
}

/// Runs [`sweep`] every minute until shutdown.
pub async fn run(state: SharedState) {
    let mut ticks = Ticks::new(
        Duration::from_secs(60),
        MissedTickBehavior::Delay,
        state.shutdown.clone(),
    );
    while ticks.next().await {
        // Once per cluster: only the replica holding the work lease sweeps.
        if !state.lease.held() {
            continue;
        }
        match sweep(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "retention deleted old rows"),
            Err(e) => tracing::warn!("retention failed: {e}"),
        }
    }
}
