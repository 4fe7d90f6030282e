//! Tokens and passwords: HS256 JWTs for users and embeds, argon2 password hashes, rotating
//! refresh tokens, and the [`Principal`] extractor every protected handler takes.

use crate::db::{get_setting, now_ms};
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use vantage_contract::{Filter, Permission, Role};

/// The JWT claims of both token types.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id (user tokens) or issuing user id (embed tokens).
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    pub role: Role,
    /// `access` or `embed`.
    pub typ: String,
    pub iat: u64,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perms: Option<Vec<Permission>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origins: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<Vec<Filter>>,
}

/// Signing keys derived from the JWT secret.
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
}

impl JwtKeys {
    /// Secret from `VANTAGE_JWT_SECRET`, else the one stored in the database (generated once).
    ///
    /// # Errors
    /// Database failures.
    pub fn load(db: &crate::db::Db) -> AppResult<Self> {
        let secret = match std::env::var("VANTAGE_JWT_SECRET") {
            Ok(s) if s.len() >= 16 => s,
            _ => db.write_blocking(|c| {
                if let Some(s) = get_setting(c, "jwt_secret")? {
                    return Ok(s);
                }
                let s = random_token(48);
                c.execute(
                    "INSERT INTO settings (key, value) VALUES ('jwt_secret', ?1)",
                    [&s],
                )?;
                Ok(s)
            })?,
        };
        Ok(Self {
            enc: EncodingKey::from_secret(secret.as_bytes()),
            dec: DecodingKey::from_secret(secret.as_bytes()),
        })
    }

    pub fn sign(&self, claims: &Claims) -> AppResult<String> {
        jsonwebtoken::encode(&Header::default(), claims, &self.enc).map_err(AppError::internal)
    }

    /// Verifies signature and expiry.
    ///
    /// # Errors
    /// 401 for anything wrong with the token.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let mut v = Validation::new(jsonwebtoken::Algorithm::HS256);
        v.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.dec, &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::unauthenticated("token expired")
                }
                _ => AppError::unauthenticated("invalid token"),
            })
    }
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 of a refresh token, hex (only hashes are stored).
pub fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Argon2id hash of a password.
pub fn hash_password(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(AppError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Current time in whole seconds.
pub fn now_secs() -> u64 {
    (now_ms() / 1000) as u64
}

/// Who is calling: a signed-in user or an embed.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: String,
    pub user_id: String,
    pub role: Role,
    pub embed: Option<EmbedScope>,
    pub expires_at: u64,
}

/// What an embed token may see.
#[derive(Debug, Clone)]
pub struct EmbedScope {
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

/// The bearer token of a request: `Authorization: Bearer …`, else `?access_token=…`.
pub fn bearer_token(parts: &Parts) -> Option<String> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_owned());
    }
    parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("access_token=").map(str::to_owned))
    })
}

/// Turns verified claims into a principal, checking an embed token's origin.
///
/// # Errors
/// 401 for a wrong token type, 403 for an embed request from a foreign origin.
pub fn principal_from_claims(claims: Claims, origin: Option<&str>) -> AppResult<Principal> {
    let embed = match claims.typ.as_str() {
        "access" => None,
        "embed" => {
            let scope = EmbedScope {
                dashboard_id: claims.dash.clone().unwrap_or_default(),
                permissions: claims.perms.clone().unwrap_or_default(),
                origins: claims.origins.clone().unwrap_or_default(),
                locked_filters: claims.locked.clone().unwrap_or_default(),
            };
            if let Some(origin) = origin {
                if !scope.origins.iter().any(|o| o == origin) {
                    return Err(AppError::forbidden(
                        "origin not allowed for this embed token",
                    ));
                }
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
    })
}

impl FromRequestParts<SharedState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> AppResult<Self> {
        let token =
            bearer_token(parts).ok_or_else(|| AppError::unauthenticated("missing bearer token"))?;
        let claims = state.keys.verify(&token)?;
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        let mut principal = principal_from_claims(claims, origin)?;
        if principal.role == Role::SystemAdmin && principal.embed.is_none() {
            if let Some(t) = parts
                .headers
                .get("x-tenant-id")
                .and_then(|v| v.to_str().ok())
            {
                principal.tenant_id = t.to_owned();
            }
        }
        state.limiter.check(&token)?;
        Ok(principal)
    }
}
