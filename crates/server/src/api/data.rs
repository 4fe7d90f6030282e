//! `POST /query`, `POST /dashboards/{id}/data` and drill-down rows (dataset definitions are in
//! `datasets.rs`, ingest in `ingest.rs`).

use super::columnar::{Negotiated, WantsColumnar};
use super::json::ApiJson;
use crate::auth::Principal;
use crate::datasets::catalog::quote;
use crate::datasets::{catalog, Catalog};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::query::{self, json_value, where_clause};
use crate::state::SharedState;
use crate::store;
use crate::zone;
use axum::extract::{Path, Query as QueryParams, State};
use axum::Json;
use base64::Engine;
use futures_util::{StreamExt, TryStreamExt};
use serde::Deserialize;
use std::collections::BTreeMap;
use vantage_contract::query::MAX_FILTERS;
use vantage_contract::rows::MAX_PAGE;
use vantage_contract::{
    Column, ColumnType, CrossFilter, DashboardData, DashboardDataRequest, ErrorBody, ErrorCode,
    Filter, Permission, Query, QueryMeta, QueryResult, RowsPage, TimePreset, TimeRange, Widget,
    WidgetData, WidgetKind,
};

/// `POST /api/v1/query`. A query still running at the server's time limit for one query is
/// stopped and answered `422` naming `timeRange` (narrow the range or add filters).
// Answers the columnar body when `Accept` asks for it (`columnar.rs`); a plain comment, so the
// OpenAPI document (generated from the doc comments, JSON only) stays as it is.
#[utoipa::path(post, path = "/api/v1/query", tag = "data", security(("bearer" = [])), request_body = Query,
    responses((status = 200, body = QueryResult), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn run_query(
    State(state): State<SharedState>,
    p: Principal,
    wants: WantsColumnar,
    ApiJson(q): ApiJson<Query>,
) -> AppResult<Negotiated<QueryResult>> {
    p.require_user()?;
    let limit = state.config.query_timeout;
    let result = state
        .db
        .read_within(limit, move |c| {
            query::run(c, &p.tenant_id, &q, &[], now_ms())
        })
        .await?;
    Ok(Negotiated {
        body: result,
        wants,
    })
}

/// The recent alerts as a table (the `alerts` widget).
fn alerts_result(c: &crate::sql::Conn, tenant: &str) -> AppResult<QueryResult> {
    let started = std::time::Instant::now();
    let alerts = store::alerts(c, tenant, None, None, 50)?;
    let columns = vec![
        Column::new("id", ColumnType::String),
        Column::new("severity", ColumnType::String),
        Column::new("status", ColumnType::String),
        Column::new("title", ColumnType::String),
        Column::new("createdAt", ColumnType::Timestamp),
    ];
    let mut data = vec![Vec::new(); 5];
    for a in &alerts {
        data[0].push(a.id.clone().into());
        data[1].push(store::enum_str(a.severity).into());
        data[2].push(store::enum_str(a.status).into());
        data[3].push(a.title.clone().into());
        data[4].push(a.created_at.into());
    }
    let meta = QueryMeta {
        execution_ms: started.elapsed().as_secs_f64() * 1000.0,
        total_rows: alerts.len() as u64,
        truncated: false,
        unapplied_filters: Vec::new(),
    };
    Ok(QueryResult {
        columns,
        data,
        meta,
    })
}

/// The filters one widget runs with: `base` (dashboard, viewer and locked filters) plus the
/// cross-filters of the other widgets, with each cross-filter time window turned into a
/// `between` on the widget's dataset time field. Also the viewer and cross-filter fields the
/// widget's dataset lacks (reported in `meta.unappliedFilters`).
fn widget_filters(
    w: &Widget,
    schema: Option<&vantage_contract::Dataset>,
    base: &[Filter],
    viewer: &[Filter],
    cross: &[CrossFilter],
) -> (Vec<Filter>, Vec<String>) {
    let mut filters = base.to_vec();
    let mut unapplied: Vec<String> = Vec::new();
    let has = |field: &str| schema.is_some_and(|d| d.field_type(field).is_some());
    let note = |field: &str, unapplied: &mut Vec<String>| {
        if !has(field) && !unapplied.iter().any(|f| f == field) {
            unapplied.push(field.to_owned());
        }
    };
    for f in viewer {
        note(&f.field, &mut unapplied);
    }
    for c in cross.iter().filter(|c| c.widget_id != w.id) {
        for f in &c.filters {
            note(&f.field, &mut unapplied);
            filters.push(f.clone());
        }
        if let Some(TimeRange {
            from: Some(from),
            to: Some(to),
            ..
        }) = c.time_window
        {
            match schema {
                Some(d) => filters.push(Filter {
                    field: d.time_field.clone(),
                    op: vantage_contract::FilterOp::Between,
                    value: None,
                    values: Some(vec![from.into(), (to - 1).into()]),
                }),
                None => note("time", &mut unapplied),
            }
        }
    }
    (filters, unapplied)
}

/// Widget queries of one dashboard request run at once, each on its own reader connection
/// (SQLite keeps eight pooled; PostgreSQL's pool is larger): enough to use the cores of a small
/// machine, few enough that concurrent requests do not crowd the pool.
const WIDGET_QUERIES_AT_ONCE: usize = 4;

fn widget_data(
    c: &crate::sql::Conn,
    tenant: &str,
    w: &Widget,
    (default_range, zone): (Option<TimeRange>, Option<&str>),
    filters: &[Filter],
    unapplied: Vec<String>,
    now: i64,
) -> WidgetData {
    let result = match (&w.query, w.kind) {
        (None, WidgetKind::Alerts) => alerts_result(c, tenant),
        (None, _) => Err(AppError::field("query", "widget has no query")),
        (Some(q), _) => {
            let mut q = q.clone();
            if let Some(tr) = default_range {
                q.time_range = Some(tr);
            }
            if let Some(zone) = zone {
                q.time_zone = Some(zone.to_owned());
            }
            query::run(c, tenant, &q, filters, now)
        }
    };
    match result {
        Ok(mut r) => {
            r.meta.unapplied_filters = unapplied;
            WidgetData::Result(r)
        }
        Err(e) => WidgetData::Error {
            error: e.to_api_error(),
        },
    }
}

/// Why a widget cannot be shown under an embed token's `locked` filters, if it cannot: the
/// alerts widget (alerts carry no dimensions) and widgets over a dataset without a locked field
/// answer `locked_filter_unsupported` rather than unfiltered data. Decided on the dashboard as
/// it is now, so adding such a widget later does not widen what the token sees.
fn locked_out(w: &Widget, locked: &[Filter], catalog: &Catalog) -> Option<AppError> {
    let first = locked.first()?;
    let error = |field: &str, message: String| {
        AppError::new(ErrorCode::LockedFilterUnsupported, message)
            .with_details(serde_json::json!({ "field": field }))
    };
    match &w.query {
        None => Some(error(
            &first.field,
            format!(
                "alerts carry no dimensions, so '{}' cannot apply the embed token's locked filters",
                w.title
            ),
        )),
        Some(q) => {
            let schema = catalog.schema(&q.dataset);
            locked
                .iter()
                .find(|f| schema.is_none_or(|d| d.field_type(&f.field).is_none()))
                .map(|f| {
                    error(
                        &f.field,
                        format!(
                            "dataset '{}' has no field '{}', which the embed token locks",
                            q.dataset, f.field
                        ),
                    )
                })
        }
    }
}

/// 422 on `filters` beyond [`MAX_FILTERS`], the same cap as a structured query's: each filter
/// is a SQL condition on every widget's query.
fn check_filter_count(n: usize) -> AppResult<()> {
    if n > MAX_FILTERS {
        return Err(AppError::field(
            "filters",
            format!("at most {MAX_FILTERS} filters"),
        ));
    }
    Ok(())
}

/// `POST /api/v1/dashboards/{id}/data`: every widget's result in one round trip; a failing
/// widget gets `{error}` in its slot without failing the response (a widget whose query ran
/// past the server's time limit for one query: `422` naming `timeRange`). An embed token's locked
/// filters apply to every widget; one that cannot apply them gets `locked_filter_unsupported`.
// Answers the columnar body when `Accept` asks for it (`columnar.rs`).
#[utoipa::path(post, path = "/api/v1/dashboards/{id}/data", tag = "dashboards", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DashboardDataRequest,
    responses((status = 200, body = DashboardData), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard_data(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    wants: WantsColumnar,
    body: axum::body::Bytes,
) -> AppResult<Negotiated<DashboardData>> {
    let req: DashboardDataRequest = if body.iter().all(u8::is_ascii_whitespace) {
        DashboardDataRequest::default()
    } else {
        super::json::parse(&body)?
    };
    if let Some(tr) = &req.time_range {
        tr.validate().map_err(|e| e.within("timeRange"))?;
    }
    zone::parse(req.time_zone.as_deref())?;
    let cross_count: usize = req
        .cross_filters
        .iter()
        .map(|c| c.filters.len() + usize::from(c.time_window.is_some()))
        .sum();
    check_filter_count(req.filters.len() + cross_count)?;
    let dashboard = super::dashboards::load(&state, &p, id).await?;
    let catalog = Catalog::load(&state.db, &p.tenant_id).await?;
    let check_filter = |f: &Filter, at: String| -> AppResult<()> {
        let known = dashboard
            .widgets
            .iter()
            .filter_map(|w| w.query.as_ref())
            .filter_map(|q| catalog.schema(&q.dataset))
            .find(|d| d.field_type(&f.field).is_some());
        match known {
            Some(d) => f.validate(d).map_err(|e| e.within(&at).into()),
            None => Err(AppError::field(
                format!("{at}.field"),
                format!("no widget's dataset has field '{}'", f.field),
            )),
        }
    };
    for (i, f) in req.filters.iter().enumerate() {
        check_filter(f, format!("filters[{i}]"))?;
    }
    for (i, c) in req.cross_filters.iter().enumerate() {
        let at = format!("crossFilters[{i}]");
        c.validate().map_err(|e| e.within(&at))?;
        if !dashboard.widgets.iter().any(|w| w.id == c.widget_id) {
            return Err(AppError::field(
                format!("{at}.widgetId"),
                format!("the dashboard has no widget '{}'", c.widget_id),
            ));
        }
        for (j, f) in c.filters.iter().enumerate() {
            check_filter(f, format!("{at}.filters[{j}]"))?;
        }
    }
    let cursor = state.bus.cursor(&p.tenant_id).await;
    let mut filters = dashboard.filters.clone();
    filters.extend(req.filters.iter().cloned());
    let locked = p.embed.as_ref().map_or(&[][..], |e| &e.locked_filters[..]);
    filters.extend(locked.iter().cloned());
    let mut refused: BTreeMap<String, AppError> = dashboard
        .widgets
        .iter()
        .filter_map(|w| Some((w.id.clone(), locked_out(w, locked, &catalog)?)))
        .collect();
    let per_widget: BTreeMap<String, (Vec<Filter>, Vec<String>)> = dashboard
        .widgets
        .iter()
        .map(|w| {
            let schema = w.query.as_ref().and_then(|q| catalog.schema(&q.dataset));
            let computed = widget_filters(w, schema, &filters, &req.filters, &req.cross_filters);
            (w.id.clone(), computed)
        })
        .collect();
    // Every widget's query on its own reader connection, a few at once (they are independent;
    // one after another, a six-widget dashboard waited for the sum of six queries).
    let now = now_ms();
    let limit = state.config.query_timeout;
    let dash_range = dashboard.time_range;
    let zone = req.time_zone.clone();
    let queries = dashboard
        .widgets
        .iter()
        .filter(|w| {
            req.widget_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&w.id))
        })
        .map(|w| {
            let range = req.time_range.or_else(|| {
                if w.query.as_ref().is_some_and(|q| q.time_range.is_some()) {
                    None
                } else {
                    dash_range
                }
            });
            let refusal = refused.remove(&w.id);
            let (filters, unapplied) = per_widget.get(&w.id).cloned().unwrap_or_default();
            let (db, tenant, zone, w) = (
                state.db.clone(),
                p.tenant_id.clone(),
                zone.clone(),
                w.clone(),
            );
            async move {
                let id = w.id.clone();
                let data = match refusal {
                    Some(e) => WidgetData::Error {
                        error: e.to_api_error(),
                    },
                    None => {
                        db.read_within(limit, move |c| {
                            let range = (range, zone.as_deref());
                            Ok(widget_data(c, &tenant, &w, range, &filters, unapplied, now))
                        })
                        .await?
                    }
                };
                AppResult::Ok((id, data))
            }
        })
        .collect::<Vec<_>>();
    let widgets: BTreeMap<String, WidgetData> = futures_util::stream::iter(queries)
        .buffer_unordered(WIDGET_QUERIES_AT_ONCE)
        .try_collect()
        .await?;
    let body = DashboardData {
        dashboard_id: dashboard.id,
        version: dashboard.version,
        widgets,
        generated_at: now,
        live_cursor: cursor.to_string(),
    };
    Ok(Negotiated { body, wants })
}

/// Query parameters of the rows endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RowsParams {
    /// 1..=1000, default 100.
    pub limit: Option<u32>,
    /// From a previous page's `nextCursor`.
    pub cursor: Option<String>,
    /// JSON array of filters.
    pub filters: Option<String>,
    pub preset: Option<TimePreset>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// IANA time zone in which `preset=today` starts (default UTC).
    #[serde(rename = "timeZone")]
    #[param(rename = "timeZone")]
    pub time_zone: Option<String>,
}

fn decode_cursor(s: &str) -> AppResult<(i64, i64)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| AppError::field("cursor", "malformed cursor"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| AppError::field("cursor", "malformed cursor"))?;
    let (ts, id) = text
        .split_once(':')
        .ok_or_else(|| AppError::field("cursor", "malformed cursor"))?;
    Ok((
        ts.parse()
            .map_err(|_| AppError::field("cursor", "malformed cursor"))?,
        id.parse()
            .map_err(|_| AppError::field("cursor", "malformed cursor"))?,
    ))
}

/// `GET /api/v1/datasets/{id}/rows`: raw rows newest first, keyset-paginated. A page still
/// being read at the server's time limit for one query (a filter few rows match) is stopped and
/// answered `422` naming `timeRange`.
#[utoipa::path(get, path = "/api/v1/datasets/{id}/rows", tag = "data", security(("bearer" = [])),
    params(("id" = String, Path), RowsParams),
    responses((status = 200, body = RowsPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rows(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    params: Result<QueryParams<RowsParams>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<RowsPage>> {
    p.require_user()?;
    p.require(Permission::ViewDashboard)?;
    let QueryParams(params) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let tenant = p.tenant_id.clone();
    let source = state
        .db
        .read(move |c| catalog::require(c, &tenant, &id))
        .await?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::field("limit", format!("must be 1 to {MAX_PAGE}")));
    }
    let filters: Vec<Filter> = match &params.filters {
        Some(s) => serde_json::from_str(s).map_err(|e| {
            AppError::field("filters", format!("must be a JSON array of filters: {e}"))
        })?,
        None => vec![],
    };
    check_filter_count(filters.len())?;
    for (i, f) in filters.iter().enumerate() {
        f.validate(&source.schema)
            .map_err(|e| e.within(&format!("filters[{i}]")))?;
    }
    let tz = zone::parse(params.time_zone.as_deref())?;
    let range = match (params.preset, params.from, params.to) {
        (None, None, None) => None,
        (preset, from, to) => {
            let tr = TimeRange { preset, from, to };
            tr.validate()?;
            Some(tr.resolve_with(now_ms(), |n| zone::day_start(tz, n)))
        }
    };
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    // A page is at most MAX_PAGE rows, but a filter few rows match reads many to fill it.
    let time_limit = state.config.query_timeout;
    let page = state
        .db
        .read_within(time_limit, move |c| {
            rows_page(c, &source, range, &filters, after, limit)
        })
        .await?;
    Ok(Json(page))
}

fn rows_page(
    c: &crate::sql::Conn,
    source: &catalog::Source,
    range: Option<(i64, i64)>,
    filters: &[Filter],
    after: Option<(i64, i64)>,
    limit: u32,
) -> AppResult<RowsPage> {
    let started = std::time::Instant::now();
    let schema = &source.schema;
    let refs: Vec<&Filter> = filters.iter().collect();
    let time = source.time_column();
    let mut w = where_clause(source, range, &refs);
    if let Some((ts, id)) = after {
        w.sql
            .push_str(&format!(" AND ({time} < ? OR ({time} = ? AND id < ?))"));
        w.params.extend([ts.into(), ts.into(), id.into()]);
    }
    let time_label = schema
        .field(&schema.time_field)
        .map_or("Time", |f| f.display_label());
    let mut columns = vec![
        Column::new("id", ColumnType::Integer).with_label("Row", None),
        Column::new(schema.time_field.clone(), ColumnType::Timestamp).with_label(time_label, None),
    ];
    columns.extend(
        schema
            .dimensions
            .iter()
            .map(|d| Column::new(d.name.clone(), d.column_type).with_label(d.label.clone(), None)),
    );
    columns.extend(schema.measures.iter().map(|m| {
        Column::new(m.name.clone(), m.column_type).with_label(m.label.clone(), m.unit.clone())
    }));
    let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {time} DESC, id DESC LIMIT {}",
        names.join(", "),
        source.table,
        w.sql,
        limit + 1
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let mut data: Vec<Vec<serde_json::Value>> = vec![Vec::new(); columns.len()];
    let mut rows = stmt.query(crate::sql::params_from_iter(w.params.iter()))?;
    let mut n = 0;
    let mut next_cursor = None;
    while let Some(row) = rows.next()? {
        if n == limit {
            let last = data[0].len() - 1;
            let (id, ts) = (
                data[0][last].as_i64().unwrap_or(0),
                data[1][last].as_i64().unwrap_or(0),
            );
            next_cursor =
                Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{ts}:{id}")));
            break;
        }
        for (i, col) in data.iter_mut().enumerate() {
            col.push(json_value(row.get_ref(i)?));
        }
        n += 1;
    }
    query::booleans_as_json(&columns, &mut data);
    let meta = QueryMeta {
        execution_ms: started.elapsed().as_secs_f64() * 1000.0,
        total_rows: u64::from(n),
        truncated: next_cursor.is_some(),
        unapplied_filters: Vec::new(),
    };
    Ok(RowsPage {
        result: QueryResult {
            columns,
            data,
            meta,
        },
        next_cursor,
    })
}
