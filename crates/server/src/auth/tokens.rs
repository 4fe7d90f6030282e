//! Pure token code: HS256 JWT claims for user and embed tokens, signing and verification, and
//! the random secrets (refresh tokens, one-time links) that are stored only as SHA-256 hashes.
//!
//! Every token names this server as issuer ([`ISSUER`]) and the Vantage API as audience
//! ([`AUDIENCE`]); verification requires both (and `exp`), so a token minted for another
//! service with the same secret is refused. The secret itself comes from
//! [`crate::secret`], never from the data database.

use crate::error::{AppError, AppResult};
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use vantage_contract::{Filter, Permission, Role};

/// `iss` of every token this server signs.
pub const ISSUER: &str = "vantage-server";
/// `aud` of every token this server signs.
pub const AUDIENCE: &str = "vantage-api";

/// The JWT claims of both token types.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Always [`ISSUER`].
    #[serde(default)]
    pub iss: String,
    /// Always [`AUDIENCE`].
    #[serde(default)]
    pub aud: String,
    /// The token id of an embed token (listed and revoked by its tenant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// User id (user tokens) or issuing user id (embed tokens).
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    pub role: Role,
    /// `access` or `embed`.
    pub typ: String,
    pub iat: u64,
    pub exp: u64,
    /// The sign-in session (refresh-token family) of a user token; ending it ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perms: Option<Vec<Permission>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origins: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<Vec<Filter>>,
}

impl Claims {
    /// A user access token's claims in session `sid`.
    pub fn access(sub: &str, tid: &str, role: Role, sid: &str, iat: u64, exp: u64) -> Self {
        Self {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: None,
            sub: sub.into(),
            tid: tid.into(),
            role,
            typ: "access".into(),
            iat,
            exp,
            sid: Some(sid.into()),
            dash: None,
            perms: None,
            origins: None,
            locked: None,
        }
    }
}

/// Signing keys derived from the JWT secret.
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
}

impl JwtKeys {
    /// Keys for an HMAC secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            enc: EncodingKey::from_secret(secret),
            dec: DecodingKey::from_secret(secret),
        }
    }

    /// Signs `claims`.
    ///
    /// # Errors
    /// Serialisation failures (500).
    pub fn sign(&self, claims: &Claims) -> AppResult<String> {
        jsonwebtoken::encode(&Header::default(), claims, &self.enc).map_err(AppError::internal)
    }

    /// Verifies signature, expiry, issuer and audience.
    ///
    /// # Errors
    /// 401 for anything wrong with the token.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let mut v = Validation::new(jsonwebtoken::Algorithm::HS256);
        v.leeway = 0;
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
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

/// SHA-256 of a secret token, hex (only hashes are stored).
pub fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Current time in whole seconds.
pub fn now_secs() -> u64 {
    (crate::db::now_ms() / 1000) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: u64) -> Claims {
        Claims::access("u", "t", Role::Viewer, "s", now_secs(), exp)
    }

    #[test]
    fn tokens_for_another_issuer_or_audience_are_refused() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123");
        let exp = now_secs() + 60;
        for (iss, aud) in [("other", AUDIENCE), (ISSUER, "other"), ("", "")] {
            let mut c = claims(exp);
            c.iss = iss.into();
            c.aud = aud.into();
            let t = keys.sign(&c).unwrap();
            assert_eq!(
                keys.verify(&t).unwrap_err().message,
                "invalid token",
                "{iss}/{aud}"
            );
        }
        // A token without the claims at all (as issued before they existed).
        let bare = serde_json::json!({ "sub": "u", "tid": "t", "role": "viewer", "typ": "access",
            "iat": now_secs(), "exp": exp, "sid": "s" });
        let t = jsonwebtoken::encode(&Header::default(), &bare, &keys.enc).unwrap();
        assert!(keys.verify(&t).is_err());
        assert!(keys.verify(&keys.sign(&claims(exp)).unwrap()).is_ok());
    }

    #[test]
    fn signed_tokens_verify_only_with_the_same_secret() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123");
        let t = keys.sign(&claims(now_secs() + 60)).unwrap();
        assert_eq!(keys.verify(&t).unwrap().sid.as_deref(), Some("s"));
        let other = JwtKeys::from_secret(b"another-secret-of-length");
        assert_eq!(other.verify(&t).unwrap_err().message, "invalid token");
    }

    #[test]
    fn expired_tokens_say_so() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123");
        let t = keys.sign(&claims(now_secs() - 5)).unwrap();
        assert_eq!(keys.verify(&t).unwrap_err().message, "token expired");
    }

    #[test]
    fn random_tokens_differ_and_hashes_are_hex() {
        assert_ne!(random_token(16), random_token(16));
        let h = token_hash("x");
        assert_eq!(h.len(), 64);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
