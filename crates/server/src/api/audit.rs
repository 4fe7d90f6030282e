//! `GET /api/v1/audit` (filtered, paged, newest first) and `GET /api/v1/audit.csv` (the same
//! filters as a CSV download whose cells cannot run as spreadsheet formulas). Readable with
//! `access_audit_log`; a system admin reads another tenant's log with `X-Tenant-Id`.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store::audit::{self, Filter};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use vantage_contract::audit::csv_cell;
use vantage_contract::{AuditAction, AuditEntry, AuditPage, ErrorBody, Permission};

/// Most records in one page.
const PAGE_MAX: u32 = 500;
/// Most records in one CSV export.
const CSV_MAX: u32 = 100_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// One action name, e.g. `sign_in`.
    pub action: Option<String>,
    /// The actor's user id or email.
    pub actor: Option<String>,
    /// Epoch ms, inclusive.
    pub from: Option<i64>,
    /// Epoch ms, exclusive.
    pub to: Option<i64>,
    /// 1..=500 (default 100); ignored by the CSV export, which returns every match (up to 100000).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

impl AuditQuery {
    fn filter(self, default_limit: u32, max: u32) -> AppResult<Filter> {
        let action = self
            .action
            .filter(|a| !a.is_empty())
            .map(|a| {
                AuditAction::parse(&a)
                    .ok_or_else(|| AppError::field("action", format!("unknown action '{a}'")))
            })
            .transpose()?;
        let limit = self.limit.unwrap_or(default_limit);
        if !(1..=max).contains(&limit) {
            return Err(AppError::field("limit", format!("must be 1 to {max}")));
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f > t {
                return Err(AppError::field("from", "must not be after 'to'"));
            }
        }
        let before_id = self
            .cursor
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<i64>().map_err(|_| {
                    AppError::field("cursor", "must be a nextCursor from a previous page")
                })
            })
            .transpose()?;
        Ok(Filter {
            action,
            actor: self.actor.filter(|a| !a.is_empty()),
            from: self.from,
            to: self.to,
            before_id,
            limit,
        })
    }
}

fn parse_query(
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<AuditQuery> {
    q.map(|Query(q)| q)
        .map_err(|e| AppError::bad_request(e.body_text()))
}

fn require_reader(p: &Principal) -> AppResult<()> {
    p.require_user()?;
    p.require(Permission::AccessAuditLog)
}

/// `GET /api/v1/audit`.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<SharedState>,
    p: Principal,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<AuditPage>> {
    require_reader(&p)?;
    let filter = parse_query(q)?.filter(100, PAGE_MAX)?;
    let limit = filter.limit as usize;
    let items = state
        .db
        .read(move |c| audit::query(c, &p.tenant_id, &filter))
        .await?;
    let next_cursor = (items.len() == limit)
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    Ok(Json(AuditPage { items, next_cursor }))
}

/// `GET /api/v1/audit.csv`.
#[utoipa::path(get, path = "/api/v1/audit.csv", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, content_type = "text/csv", description = "id,time,action,actorId,actorEmail,target,details — newest first"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn csv(
    State(state): State<SharedState>,
    p: Principal,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Response> {
    require_reader(&p)?;
    let mut query = parse_query(q)?;
    query.limit = None;
    let filter = query.filter(CSV_MAX, CSV_MAX)?;
    let tenant = p.tenant_id.clone();
    let items = state
        .db
        .read(move |c| audit::query(c, &tenant, &filter))
        .await?;
    let mut r = to_csv(&items).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"audit-{}.csv\"",
        p.tenant_id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// The CSV text: a header row, then one row per record.
fn to_csv(items: &[AuditEntry]) -> String {
    let mut out = String::from("id,time,action,actorId,actorEmail,target,details\r\n");
    for e in items {
        let cells = [
            e.id.to_string(),
            iso_time(e.at),
            e.action.as_str().to_owned(),
            e.actor_id.clone().unwrap_or_default(),
            e.actor_email.clone().unwrap_or_default(),
            e.target.clone().unwrap_or_default(),
            e.details.to_string(),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Epoch ms as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
fn iso_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_utc() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_time(1_798_761_599_000), "2026-12-31T23:59:59.000Z");
    }

    #[test]
    fn csv_rows_escape_and_neutralise_formulas() {
        let e = AuditEntry {
            id: 7,
            at: 0,
            tenant_id: "t".into(),
            action: AuditAction::UserInvited,
            actor_id: Some("u1".into()),
            actor_email: Some("=cmd|' /C calc'!A0".into()),
            target: Some("a,b".into()),
            details: serde_json::json!({ "role": "viewer" }),
        };
        let csv = to_csv(&[e]);
        let row = csv.lines().nth(1).unwrap();
        assert!(
            row.starts_with(
                "7,1970-01-01T00:00:00.000Z,user_invited,u1,'=cmd|' /C calc'!A0,\"a,b\","
            ),
            "{row}"
        );
        assert!(row.ends_with("\"{\"\"role\"\":\"\"viewer\"\"}\""), "{row}");
    }
}
