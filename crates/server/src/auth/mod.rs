//! Who is calling. [`Principal`] is the extractor every protected handler takes: it verifies
//! the bearer token, applies the per-token rate limit and checks the token against the database
//! ([`check_current`]: user active, session not ended, current role, tenant active), reading
//! what it needs from the application state through [`AuthState`] (`FromRef`), so this module
//! does not depend on `state`. The pure parts live in [`tokens`] (JWTs, random secrets) and
//! [`password`] (argon2).
//!
//! Token scopes: a user token (`typ: access`) reaches what its user's *current* role allows in
//! its tenant (a system admin: any existing tenant via `X-Tenant-Id`) while its sign-in session
//! lasts; an embed token (`typ: embed`) reaches one dashboard of one tenant with the
//! permissions, origins and locked filters it was issued with, only from one of its origins,
//! only while its tenant is active and until its tenant revokes it (its `jti`). The crate docs
//! (`main.rs`) list what each scope can reach.

pub mod password;
pub mod throttle;
pub mod tokens;

pub use password::{dummy_hash, hash_password, verify_password};
pub use tokens::{now_secs, random_token, token_hash, Claims, JwtKeys};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ratelimit::RateLimiter;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::sync::Arc;
use vantage_contract::{Filter, Permission, Role};

/// What the [`Principal`] extractor needs from the application state.
#[derive(Clone)]
pub struct AuthState {
    pub keys: Arc<JwtKeys>,
    pub limiter: Arc<RateLimiter>,
    pub db: Db,
    /// `--public-url` (no trailing slash): the app's own origin behind a proxy.
    pub public_url: Option<String>,
}

/// Who is calling: a signed-in user or an embed.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: String,
    pub user_id: String,
    pub role: Role,
    pub embed: Option<EmbedScope>,
    pub expires_at: u64,
    /// The sign-in session of a user token (`None` for embed tokens).
    pub session_id: Option<String>,
    /// The user's email (user tokens, once checked against the database).
    pub email: Option<String>,
}

/// What an embed token may see.
#[derive(Debug, Clone)]
pub struct EmbedScope {
    /// The token id (`jti`): revocation ends it.
    pub jti: String,
    pub dashboard_id: String,
    pub permissions: Vec<Permission>,
    pub origins: Vec<String>,
    pub locked_filters: Vec<Filter>,
}

impl Principal {
    /// 403 unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        let ok = match &self.embed {
            Some(e) => {
                permission == Permission::ViewDashboard || e.permissions.contains(&permission)
            }
            None => self.role.can(permission),
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "missing permission {permission:?}"
            )))
        }
    }

    /// 403 for embed tokens (endpoints only signed-in users may use).
    pub fn require_user(&self) -> AppResult<()> {
        match self.embed {
            Some(_) => Err(AppError::forbidden("not available to embed tokens")),
            None => Ok(()),
        }
    }

    /// 403 unless the caller's role is at least `role` (user tokens only).
    pub fn require_role(&self, role: Role) -> AppResult<()> {
        self.require_user()?;
        if self.role.at_least(role) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "requires role {}",
                role.as_str()
            )))
        }
    }

    /// For embed tokens: 403 unless `dashboard_id` is the token's dashboard.
    pub fn check_dashboard(&self, dashboard_id: &str) -> AppResult<()> {
        match &self.embed {
            Some(e) if e.dashboard_id != dashboard_id => {
                Err(AppError::forbidden("embed token is for another dashboard"))
            }
            _ => Ok(()),
        }
    }
}

/// The only paths that accept `?access_token=` (EventSource cannot send headers; the
/// WebSocket endpoint authenticates in its first message but tolerates the parameter).
pub const URL_TOKEN_PATHS: [&str; 2] = ["/api/v1/live/sse", "/api/v1/live/ws"];

/// Whether `path` (the full request path, before any router nesting) accepts a token in the URL.
pub fn url_token_allowed(path: &str) -> bool {
    URL_TOKEN_PATHS.contains(&path)
}

/// The `access_token` query parameter of `query`, if any.
fn query_token(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("access_token="))
}

/// The bearer token of a request: `Authorization: Bearer …`, else `?access_token=…` on the
/// live endpoints only. Tokens in URLs end up in logs, histories and `Referer` headers, so
/// every other endpoint refuses one.
///
/// # Errors
/// 401 when a URL token is sent to an endpoint other than [`URL_TOKEN_PATHS`].
pub fn bearer_token(parts: &Parts) -> AppResult<Option<String>> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return Ok(v.strip_prefix("Bearer ").map(|t| t.trim().to_owned()));
    }
    let Some(token) = parts.uri.query().and_then(query_token) else {
        return Ok(None);
    };
    // Nested routers see a stripped URI; the original one names the endpoint.
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path(), |u| u.0.path());
    if url_token_allowed(path) {
        Ok(Some(token.to_owned()))
    } else {
        Err(AppError::unauthenticated(
            "access_token in the URL is accepted only on /api/v1/live/sse and /api/v1/live/ws; \
             send it as 'Authorization: Bearer <token>'",
        ))
    }
}

/// Where a request comes from, as far as embed origin binding is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerOrigin {
    /// The `Origin` header.
    Origin(String),
    /// No `Origin`, but a browser said `Sec-Fetch-Site: same-origin`: browsers leave `Origin`
    /// off same-origin `GET`s (fetch and EventSource), so the request's own `Host` stands in.
    SameOrigin { host: String },
    /// Neither: not a browser request from an allowed page.
    Unknown,
}

impl CallerOrigin {
    /// Reads `Origin`, else `Sec-Fetch-Site: same-origin` + `Host`.
    pub fn of(headers: &axum::http::HeaderMap) -> Self {
        let get = |name| {
            headers
                .get(name)
                .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
        };
        if let Some(o) = get(header::ORIGIN.as_str()) {
            return Self::Origin(o.to_owned());
        }
        match (get("sec-fetch-site"), get(header::HOST.as_str())) {
            (Some("same-origin"), Some(host)) => Self::SameOrigin {
                host: host.to_ascii_lowercase(),
            },
            _ => Self::Unknown,
        }
    }

    /// Whether one of `allowed` (`scheme://host[:port]`) is this caller's origin.
    pub fn is_one_of(&self, allowed: &[String]) -> bool {
        match self {
            Self::Origin(o) => allowed.iter().any(|a| a == o),
            Self::SameOrigin { host } => allowed.iter().any(|a| {
                a.split_once("://")
                    .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
            }),
            Self::Unknown => false,
        }
    }
}

/// Whether a *user* token may be used from `origin` (CORS per tenant): no `Origin` (not a
/// cross-origin browser request), the server's own origin (`Origin` naming the `Host` it was
/// sent to, or `--public-url`), or one of the user's tenant's embed origins. An origin another
/// tenant allows is not enough: a page of tenant A's cannot drive tenant B's sessions.
pub fn user_origin_ok(
    origin: Option<&str>,
    host: Option<&str>,
    public_url: Option<&str>,
    tenant_origins: &[String],
) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, authority)| host.is_some_and(|h| authority.eq_ignore_ascii_case(h)));
    same_host || public_url == Some(origin) || tenant_origins.iter().any(|o| o == origin)
}

/// 403 unless a user principal may act from `origin` ([`user_origin_ok`]); embed tokens are
/// bound to their own origins by [`principal_from_claims`].
///
/// # Errors
/// 403 for an origin the principal's tenant does not allow; database failures.
pub async fn check_user_origin(
    db: &Db,
    p: &Principal,
    origin: Option<&str>,
    host: Option<&str>,
    public_url: Option<&str>,
) -> AppResult<()> {
    if p.embed.is_some() || user_origin_ok(origin, host, public_url, &[]) {
        return Ok(());
    }
    let tenant = p.tenant_id.clone();
    let origins = db
        .read(move |c| Ok(crate::store::tenant(c, &tenant)?.map(|t| t.embed_origins)))
        .await?
        .unwrap_or_default();
    if user_origin_ok(origin, host, public_url, &origins) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "this origin is not one of your tenant's embed origins",
        ))
    }
}

/// Turns verified claims into a principal, checking an embed token's origin binding: an embed
/// request must come from one of the token's origins ([`CallerOrigin`]); a request with no
/// `Origin` (and not a same-origin browser request) is refused like a foreign one.
///
/// # Errors
/// 401 for a wrong token type or an embed token without a `jti`, 403 for an embed request from
/// a foreign or unknown origin.
pub fn principal_from_claims(claims: Claims, origin: &CallerOrigin) -> AppResult<Principal> {
    let embed = match claims.typ.as_str() {
        "access" => None,
        "embed" => {
            let scope = EmbedScope {
                jti: claims
                    .jti
                    .clone()
                    .ok_or_else(|| AppError::unauthenticated("invalid token"))?,
                dashboard_id: claims.dash.clone().unwrap_or_default(),
                permissions: claims.perms.clone().unwrap_or_default(),
                origins: claims.origins.clone().unwrap_or_default(),
                locked_filters: claims.locked.clone().unwrap_or_default(),
            };
            if !origin.is_one_of(&scope.origins) {
                return Err(AppError::forbidden(match origin {
                    CallerOrigin::Unknown => {
                        "this embed token is bound to its allowed origins; the request has no Origin header"
                    }
                    _ => "origin not allowed for this embed token",
                }));
            }
            Some(scope)
        }
        _ => return Err(AppError::unauthenticated("invalid token")),
    };
    Ok(Principal {
        tenant_id: claims.tid,
        user_id: claims.sub,
        role: claims.role,
        embed,
        expires_at: claims.exp,
        session_id: claims.sid,
        email: None,
    })
}

/// Checks a verified principal against the database: the user still exists and is active,
/// their session has not ended, and the role is the current one (a role change applies on the
/// next request); an embed token has not been revoked; the tenant is active (system admins
/// excepted). A system admin's `acting`
/// tenant (`X-Tenant-Id`) must exist and becomes the principal's tenant.
///
/// # Errors
/// 401 for a deleted or deactivated user, an ended session or a revoked embed token, 403 for a
/// deactivated tenant,
/// 404 for an unknown `X-Tenant-Id`.
pub async fn check_current(
    db: &Db,
    mut p: Principal,
    acting: Option<String>,
) -> AppResult<Principal> {
    let (user_id, sid, home) = (p.user_id.clone(), p.session_id.clone(), p.tenant_id.clone());
    let embed = p.embed.is_some();
    let jti = p.embed.as_ref().map(|e| e.jti.clone());
    let acting_q = acting.clone();
    let (status, home_active, acting_exists, embed_live) = db
        .read(move |c| {
            use crate::store::accounts::{tenant_active, user_status};
            let status = if embed {
                None
            } else {
                user_status(c, &user_id, sid.as_deref())?
            };
            let embed_live = match &jti {
                Some(j) => crate::store::embed_tokens::is_live(c, &home, j)?,
                None => true,
            };
            let acting_exists = match &acting_q {
                Some(t) => tenant_active(c, t)?.is_some(),
                None => false,
            };
            Ok((status, tenant_active(c, &home)?, acting_exists, embed_live))
        })
        .await?;
    if !embed_live {
        return Err(AppError::unauthenticated(
            "this embed token has been revoked",
        ));
    }
    if !embed {
        let s = status.ok_or_else(|| AppError::unauthenticated("user no longer exists"))?;
        if !s.active || !s.session_active {
            return Err(AppError::unauthenticated("session ended; sign in again"));
        }
        p.role = s.role;
        p.email = Some(s.email);
    }
    if !embed && p.role == Role::SystemAdmin {
        if let Some(t) = acting {
            if !acting_exists {
                return Err(AppError::not_found("no such tenant (X-Tenant-Id)"));
            }
            p.tenant_id = t;
        }
    } else if home_active != Some(true) {
        return Err(AppError::forbidden("this tenant is deactivated"));
    }
    Ok(p)
}

impl<S> FromRequestParts<S> for Principal
where
    AuthState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Self> {
        let state = AuthState::from_ref(state);
        let token = bearer_token(parts)?
            .ok_or_else(|| AppError::unauthenticated("missing bearer token"))?;
        if crate::ingest::auth::is_ingest_key(&token) {
            return Err(AppError::forbidden(
                "an ingest key can only send events (POST /api/v1/datasets/{id}/events)",
            ));
        }
        let claims = state.keys.verify(&token)?;
        let principal = principal_from_claims(claims, &CallerOrigin::of(&parts.headers))?;
        state.limiter.check(&token)?;
        let acting = parts
            .headers
            .get("x-tenant-id")
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let p = check_current(&state.db, principal, acting).await?;
        let header = |name: header::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        check_user_origin(
            &state.db,
            &p,
            header(header::ORIGIN).as_deref(),
            header(header::HOST).as_deref(),
            state.public_url.as_deref(),
        )
        .await?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, auth: Option<&str>) -> Parts {
        let mut b = axum::http::Request::builder().uri(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        match b.body(()) {
            Ok(r) => r.into_parts().0,
            Err(e) => panic!("request: {e}"),
        }
    }

    #[test]
    fn url_token_only_on_live_endpoints() {
        let sse = parts("/api/v1/live/sse?channels=metrics&access_token=abc", None);
        assert_eq!(bearer_token(&sse).ok().flatten().as_deref(), Some("abc"));
        let ws = parts("/api/v1/live/ws?access_token=abc", None);
        assert_eq!(bearer_token(&ws).ok().flatten().as_deref(), Some("abc"));
        for uri in [
            "/api/v1/dashboards?access_token=abc",
            "/api/v1/live/sse/x?access_token=abc",
            "/api/v1/auth/me?x=1&access_token=abc",
        ] {
            assert!(bearer_token(&parts(uri, None)).is_err(), "{uri}");
        }
    }

    #[test]
    fn header_token_anywhere_and_none_without_one() {
        let p = parts("/api/v1/dashboards", Some("Bearer  tok "));
        assert_eq!(bearer_token(&p).ok().flatten().as_deref(), Some("tok"));
        // The header wins; the URL parameter is then ignored.
        let p = parts("/api/v1/dashboards?access_token=x", Some("Bearer tok"));
        assert_eq!(bearer_token(&p).ok().flatten().as_deref(), Some("tok"));
        assert!(matches!(
            bearer_token(&parts("/api/v1/dashboards", None)),
            Ok(None)
        ));
    }

    fn headers(pairs: &[(&str, &str)]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                v.parse().expect("value"),
            );
        }
        h
    }

    #[test]
    fn embed_origin_binding_needs_an_allowed_origin_or_a_same_origin_browser_request() {
        let allowed = vec!["http://127.0.0.1:8080".to_owned()];
        let of = |pairs: &[(&str, &str)]| CallerOrigin::of(&headers(pairs));
        assert!(of(&[("origin", "http://127.0.0.1:8080")]).is_one_of(&allowed));
        assert!(!of(&[("origin", "https://evil.example")]).is_one_of(&allowed));
        // Origin wins over the same-origin fallback.
        assert!(!of(&[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "same-origin"),
            ("host", "127.0.0.1:8080")
        ])
        .is_one_of(&allowed));
        assert!(of(&[
            ("sec-fetch-site", "same-origin"),
            ("host", "127.0.0.1:8080")
        ])
        .is_one_of(&allowed));
        assert!(
            !of(&[("sec-fetch-site", "cross-site"), ("host", "127.0.0.1:8080")])
                .is_one_of(&allowed)
        );
        assert!(!of(&[
            ("sec-fetch-site", "same-origin"),
            ("host", "127.0.0.1:9999")
        ])
        .is_one_of(&allowed));
        assert_eq!(of(&[("host", "127.0.0.1:8080")]), CallerOrigin::Unknown);
        assert!(!CallerOrigin::Unknown.is_one_of(&allowed));
    }

    #[test]
    fn user_tokens_work_from_their_own_server_or_their_tenants_origins_only() {
        let host = Some("127.0.0.1:8080");
        let tenant = vec!["https://a-host.example".to_owned()];
        assert!(user_origin_ok(None, host, None, &[]));
        assert!(user_origin_ok(
            Some("http://127.0.0.1:8080"),
            host,
            None,
            &[]
        ));
        assert!(user_origin_ok(
            Some("https://vantage.example"),
            Some("10.0.0.5:8080"),
            Some("https://vantage.example"),
            &[]
        ));
        assert!(user_origin_ok(
            Some("https://a-host.example"),
            host,
            None,
            &tenant
        ));
        assert!(!user_origin_ok(
            Some("https://b-host.example"),
            host,
            None,
            &tenant
        ));
        assert!(!user_origin_ok(
            Some("http://127.0.0.1:9999"),
            host,
            None,
            &[]
        ));
    }

    #[test]
    fn nested_router_uses_the_original_path() {
        let mut p = parts("/dashboards?access_token=abc", None);
        p.extensions.insert(axum::extract::OriginalUri(
            "/api/v1/dashboards?access_token=abc".parse().expect("uri"),
        ));
        assert!(bearer_token(&p).is_err());
        let mut p = parts("/live/sse?access_token=abc", None);
        p.extensions.insert(axum::extract::OriginalUri(
            "/api/v1/live/sse?access_token=abc".parse().expect("uri"),
        ));
        assert_eq!(bearer_token(&p).ok().flatten().as_deref(), Some("abc"));
    }
}
