//! The `datasets` table: looking definitions up by `(tenant, id)`, creating a dataset with its
//! events table, changing it (DDL for added/dropped fields) and deleting it with its rows.
//! Every function is blocking and takes the tenant explicitly.

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::sql::{params, Conn, Dialect, OptionalExtension};
use vantage_contract::{Dataset, DatasetInput, FieldDef, FieldType};

/// A dataset and the table behind it.
#[derive(Debug, Clone)]
pub struct Source {
    pub schema: Dataset,
    /// The dataset row's integer key.
    pub pk: i64,
    /// `ev_<pk>`: safe to put in SQL text (built from an integer).
    pub table: String,
    pub tenant_id: String,
}

impl Source {
    /// The quoted column of the time field.
    pub fn time_column(&self) -> String {
        quote(&self.schema.time_field)
    }
}

/// `"name"`: field names are validated identifiers; quoting also keeps SQL keywords usable.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn sql_type(f: &FieldDef) -> &'static str {
    match f.field_type {
        FieldType::Time | FieldType::Boolean => "INTEGER",
        FieldType::String => "TEXT",
        FieldType::Number if f.is_integer() => "INTEGER",
        FieldType::Number => "REAL",
    }
}

/// The column type of `f` in dialect `d`.
pub fn column_type(d: Dialect, f: &FieldDef) -> &'static str {
    match sql_type(f) {
        "INTEGER" => d.integer(),
        "REAL" => d.real(),
        other => other,
    }
}

fn table_of(pk: i64) -> String {
    format!("ev_{pk}")
}

const COLS: &str = "pk, tenant_id, id, body, version";

fn from_row(r: &crate::sql::Row) -> crate::sql::Result<(i64, String, String, String, u64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn build(
    (pk, tenant_id, id, body, version): (i64, String, String, String, u64),
) -> AppResult<Source> {
    let input: DatasetInput = serde_json::from_str(&body)?;
    Ok(Source {
        schema: input.into_dataset(id, version),
        pk,
        table: table_of(pk),
        tenant_id,
    })
}

/// The dataset `id` of `tenant`.
///
/// # Errors
/// Database failures.
pub fn find(c: &Conn, tenant: &str, id: &str) -> AppResult<Option<Source>> {
    let sql = format!("SELECT {COLS} FROM datasets WHERE tenant_id = ?1 AND id = ?2");
    let mut stmt = c.prepare_cached(&sql)?;
    stmt.query_row(params![tenant, id], from_row)
        .optional()?
        .map(build)
        .transpose()
}

/// The dataset whose row key is `pk` (any tenant: for background work).
///
/// # Errors
/// Database failures.
pub fn by_pk(c: &Conn, pk: i64) -> AppResult<Option<Source>> {
    let sql = format!("SELECT {COLS} FROM datasets WHERE pk = ?1");
    let mut stmt = c.prepare_cached(&sql)?;
    stmt.query_row([pk], from_row)
        .optional()?
        .map(build)
        .transpose()
}

/// [`find`], or 404 naming the dataset.
///
/// # Errors
/// 404 when the tenant has no such dataset; database failures.
pub fn require(c: &Conn, tenant: &str, id: &str) -> AppResult<Source> {
    find(c, tenant, id)?.ok_or_else(|| AppError::not_found(format!("no dataset '{id}'")))
}

/// Every dataset of `tenant`, by creation.
///
/// # Errors
/// Database failures.
pub fn list(c: &Conn, tenant: &str) -> AppResult<Vec<Source>> {
    let sql = format!("SELECT {COLS} FROM datasets WHERE tenant_id = ?1 ORDER BY pk");
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map([tenant], from_row)?;
    rows.map(|r| build(r?)).collect()
}

/// Every dataset of every tenant (retention).
///
/// # Errors
/// Database failures.
pub fn all(c: &Conn) -> AppResult<Vec<Source>> {
    let sql = format!("SELECT {COLS} FROM datasets ORDER BY pk");
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map((), from_row)?;
    rows.map(|r| build(r?)).collect()
}

fn body_of(input: &DatasetInput) -> AppResult<String> {
    let mut stored = input.clone();
    stored.id = None;
    Ok(serde_json::to_string(&stored)?)
}

/// Creates dataset `id` with its events table. 409 when the id is taken in the tenant.
///
/// # Errors
/// 409 for a duplicate id; database failures.
pub fn create(
    c: &Conn,
    tenant: &str,
    id: &str,
    input: &DatasetInput,
    now: i64,
) -> AppResult<Source> {
    if find(c, tenant, id)?.is_some() {
        return Err(AppError::conflict(format!(
            "a dataset '{id}' already exists"
        )));
    }
    let pk: i64 = c.query_row(
        "INSERT INTO datasets (tenant_id, id, body, version, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4) RETURNING pk",
        params![tenant, id, body_of(input)?, now],
        |r| r.get(0),
    )?;
    create_table(c, &table_of(pk), input, now)?;
    require(c, tenant, id)
}

fn create_table(c: &Conn, table: &str, input: &DatasetInput, now: i64) -> AppResult<()> {
    let d = c.dialect();
    let mut cols = vec![d.row_id().to_owned()];
    for f in &input.fields {
        let not_null = if f.name == input.time_field {
            " NOT NULL"
        } else {
            ""
        };
        cols.push(format!(
            "{} {}{not_null}",
            quote(&f.name),
            column_type(d, f)
        ));
    }
    super::partitions::create_table(c, table, &cols, &input.time_field, now)
}

/// Replaces the definition of `old` with `input`: new fields become columns, dropped fields
/// are dropped, fields whose type changed are recreated (callers refuse that while rows
/// exist, see [`super::compat`]).
///
/// # Errors
/// Database failures.
pub fn update(c: &Conn, old: &Source, input: &DatasetInput, now: i64) -> AppResult<Source> {
    let table = &old.table;
    if c.dialect() == Dialect::Postgres && old.schema.time_field != input.time_field {
        // The time field is PostgreSQL's partition key, which no ALTER can change; callers
        // allow a new time field only while the table is empty, so it is made again.
        c.execute_batch(&format!("DROP TABLE {table}"))?;
        create_table(c, table, input, now)?;
        return finish_update(c, old, input, now);
    }
    for f in &old.schema.fields {
        let kept = input.fields.iter().find(|n| n.name == f.name);
        if kept.is_none_or(|n| sql_type(n) != sql_type(f) || n.field_type != f.field_type) {
            c.execute_batch(&format!(
                "ALTER TABLE {table} DROP COLUMN {}",
                quote(&f.name)
            ))?;
        }
    }
    for f in &input.fields {
        let existed = old
            .schema
            .field(&f.name)
            .is_some_and(|o| sql_type(o) == sql_type(f) && o.field_type == f.field_type);
        if !existed {
            c.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {} {}",
                quote(&f.name),
                column_type(c.dialect(), f)
            ))?;
        }
    }
    finish_update(c, old, input, now)
}

fn finish_update(c: &Conn, old: &Source, input: &DatasetInput, now: i64) -> AppResult<Source> {
    c.execute(
        "UPDATE datasets SET body = ?3, version = version + 1, updated_at = ?4 WHERE tenant_id = ?1 AND id = ?2",
        params![old.tenant_id, old.schema.id, body_of(input)?, now],
    )?;
    require(c, &old.tenant_id, &old.schema.id)
}

/// Deletes dataset `id` of `tenant` and every row of it. False when there was none.
///
/// # Errors
/// Database failures.
pub fn delete(c: &Conn, tenant: &str, id: &str) -> AppResult<bool> {
    let Some(source) = find(c, tenant, id)? else {
        return Ok(false);
    };
    c.execute_batch(&format!("DROP TABLE IF EXISTS {}", source.table))?;
    super::rollups::drop_all(c, &source)?;
    c.execute(
        "DELETE FROM datasets WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id],
    )?;
    Ok(true)
}

/// Whether the dataset's table holds any row.
///
/// # Errors
/// Database failures.
pub fn has_rows(c: &Conn, source: &Source) -> AppResult<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", source.table);
    Ok(c.query_row(&sql, (), |r| r.get(0))?)
}

/// A tenant's dataset schemas, for validating dashboards and filters against them.
pub struct Catalog {
    items: Vec<Dataset>,
}

impl Catalog {
    /// Loads `tenant`'s datasets.
    ///
    /// # Errors
    /// Database failures.
    pub async fn load(db: &Db, tenant: &str) -> AppResult<Self> {
        let tenant = tenant.to_owned();
        db.read(move |c| Self::load_blocking(c, &tenant)).await
    }

    /// [`Catalog::load`] on the current thread.
    ///
    /// # Errors
    /// Database failures.
    pub fn load_blocking(c: &Conn, tenant: &str) -> AppResult<Self> {
        Ok(Self {
            items: list(c, tenant)?.into_iter().map(|s| s.schema).collect(),
        })
    }

    /// A catalog of the given schemas.
    #[cfg(test)]
    pub fn of(items: Vec<Dataset>) -> Self {
        Self { items }
    }

    /// The schema called `id`.
    pub fn schema(&self, id: &str) -> Option<&Dataset> {
        self.items.iter().find(|d| d.id == id)
    }
}
