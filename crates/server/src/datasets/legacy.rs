//! One-time upgrade of databases created before datasets were data: the demo's rows lived in
//! three fixed tables shared by all tenants (`validations`, `agent_events`, `sales`, plus an
//! unused `validations_1m` rollup). Each tenant that has rows there gets the demo datasets as
//! ordinary definitions, the rows are copied into their events tables, and the old tables are
//! dropped. Runs inside the schema migration's transaction.

use super::{catalog, demo};
use crate::db::now_ms;
use crate::error::AppResult;
use crate::sql::Conn;

/// Copies the legacy tables into datasets and drops them.
///
/// # Errors
/// Database failures (the migration then rolls back).
pub fn import(c: &Conn) -> AppResult<()> {
    let legacy: i64 = c.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('validations', 'agent_events', 'sales')", (),
        |r| r.get(0),
    )?;
    if legacy < 3 {
        return Ok(());
    }
    let tenants: Vec<String> = {
        let mut stmt = c.prepare(
            "SELECT tenant_id FROM validations UNION SELECT tenant_id FROM agent_events UNION SELECT tenant_id FROM sales",
        )?;
        let rows = stmt.query_map((), |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let now = now_ms();
    for tenant in &tenants {
        for (id, def) in demo::definitions() {
            let source = catalog::create(c, tenant, id, &def, now)?;
            let cols: Vec<String> = def.fields.iter().map(|f| catalog::quote(&f.name)).collect();
            let cols = cols.join(", ");
            c.execute(
                &format!(
                    "INSERT INTO {} ({cols}) SELECT {cols} FROM {id} WHERE tenant_id = ?1 ORDER BY ts",
                    source.table
                ),
                [tenant],
            )?;
        }
    }
    c.execute_batch(
        "DROP TABLE IF EXISTS validations_1m; DROP TABLE validations; DROP TABLE agent_events; DROP TABLE sales;",
    )?;
    Ok(())
}
