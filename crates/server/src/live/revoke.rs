//! Revocation signals for open live connections: when a tenant is deactivated, a user is
//! deactivated, a session ends or an embed token is revoked, every stream belonging to it ends
//! at once (the SSE response
//! finishes, the WebSocket is closed), and reconnecting fails authentication.

use std::sync::Arc;
use tokio::sync::broadcast;

/// What was revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// Every user and embed token of the tenant.
    Tenant(String),
    /// Every session of the user.
    User(String),
    /// One sign-in session.
    Session(String),
    /// One embed token (its `jti`).
    Embed(String),
}

/// The broadcast of [`Revoked`] events.
pub struct Revocations {
    tx: broadcast::Sender<Arc<Revoked>>,
}

impl Default for Revocations {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(256).0,
        }
    }
}

impl Revocations {
    /// Tells every open stream.
    pub fn publish(&self, r: Revoked) {
        let _ = self.tx.send(Arc::new(r));
    }

    /// A receiver for streams to watch.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Revoked>> {
        self.tx.subscribe()
    }
}

/// Whose stream it is, to match against [`Revoked`] events.
#[derive(Debug, Clone, Default)]
pub struct Owner {
    pub tenant: String,
    /// The signed-in user (`None` for embed tokens).
    pub user: Option<String>,
    pub session: Option<String>,
    /// The embed token's `jti` (`None` for user tokens).
    pub embed: Option<String>,
}

impl Owner {
    /// Whether `r` ends this owner's streams.
    pub fn is_revoked_by(&self, r: &Revoked) -> bool {
        match r {
            Revoked::Tenant(t) => *t == self.tenant,
            Revoked::User(u) => self.user.as_ref() == Some(u),
            Revoked::Session(s) => self.session.as_ref() == Some(s),
            Revoked::Embed(j) => self.embed.as_ref() == Some(j),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocations_match_only_their_owner() {
        let o = Owner {
            tenant: "a".into(),
            user: Some("u1".into()),
            session: Some("s1".into()),
            embed: None,
        };
        assert!(o.is_revoked_by(&Revoked::Tenant("a".into())));
        assert!(!o.is_revoked_by(&Revoked::Tenant("b".into())));
        assert!(o.is_revoked_by(&Revoked::User("u1".into())));
        assert!(!o.is_revoked_by(&Revoked::User("u2".into())));
        assert!(o.is_revoked_by(&Revoked::Session("s1".into())));
        let embed = Owner {
            tenant: "a".into(),
            embed: Some("j1".into()),
            ..Owner::default()
        };
        assert!(!embed.is_revoked_by(&Revoked::User("u1".into())));
        assert!(embed.is_revoked_by(&Revoked::Embed("j1".into())));
        assert!(!embed.is_revoked_by(&Revoked::Embed("j2".into())));
        assert!(!o.is_revoked_by(&Revoked::Embed("j1".into())));
    }
}
