//! The signed-in session: API client, current user, refresh token kept in `localStorage` so a
//! reload keeps the session; logout or a failed renewal clears it.

use std::rc::Rc;

use futures::FutureExt;
use leptos::prelude::*;
use vantage_contract::{TokenResponse, User};
use vantage_sdk::{ApiClient, ClientConfig, SdkError, TokenSource, TokenStore};

const REFRESH_KEY: &str = "vantage.refreshToken";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn stored_refresh_token() -> Option<String> {
    storage()?.get_item(REFRESH_KEY).ok()?
}

fn store_refresh_token(token: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match token {
            Some(token) => storage.set_item(REFRESH_KEY, token),
            None => storage.remove_item(REFRESH_KEY),
        };
    }
}

/// Exchanges the stored refresh token for new tokens (rotating the stored one); a refused or
/// failed exchange forgets it, so the next page asks to sign in.
async fn refresh_stored(anonymous: &ApiClient) -> Result<TokenResponse, SdkError> {
    let refresh =
        stored_refresh_token().ok_or_else(|| SdkError::AuthExpired("not signed in".into()))?;
    match anonymous.refresh(&refresh).await {
        Ok(tokens) => {
            store_refresh_token(Some(&tokens.refresh_token));
            Ok(tokens)
        }
        Err(error) => {
            store_refresh_token(None);
            Err(error)
        }
    }
}

/// App-wide session state, provided as context.
#[derive(Clone)]
pub struct Session {
    pub api: ApiClient,
    pub user: RwSignal<Option<User>>,
    /// True once a stored session was tried (so pages know whether to redirect to login).
    pub restored: RwSignal<bool>,
}

impl Session {
    /// A session against the page's own origin, renewing access tokens with the refresh token.
    pub fn new() -> Self {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let anonymous = ApiClient::new(
            ClientConfig::new(origin.clone()),
            TokenStore::new(None, TokenSource::Anonymous),
        );
        let user = RwSignal::new(None::<User>);
        // Every exchange's answer carries the current user: keep it (a renamed user or a
        // changed role shows at the next renewal; unchanged, nothing re-renders).
        let renew = Rc::new(move || {
            let anonymous = anonymous.clone();
            async move {
                let tokens = refresh_stored(&anonymous).await?;
                if user.with_untracked(|u| u.as_ref() != Some(&tokens.user)) {
                    user.set(Some(tokens.user));
                }
                Ok(tokens.access_token)
            }
            .boxed_local()
        });
        let tokens = TokenStore::new(None, TokenSource::Renewing(renew));
        Self {
            api: ApiClient::new(ClientConfig::new(origin), tokens),
            user,
            restored: RwSignal::new(false),
        }
    }

    /// Restores a stored session (if any): one token renewal, whose answer carries the current
    /// user too (no separate `auth/me` round trip before the first page's requests). It goes
    /// through the client's token store, so a request made meanwhile shares it.
    pub fn restore(&self) {
        let session = self.clone();
        if stored_refresh_token().is_none() {
            self.restored.set(true);
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            // The renewal sets `user`; a failure leaves it empty (the sign-in page).
            let _ = session.api.tokens().renew().await;
            session.restored.set(true);
        });
    }

    /// Signs in.
    ///
    /// # Errors
    /// The backend's message (e.g. wrong password) to show inline.
    pub async fn login(&self, email: &str, password: &str) -> Result<(), SdkError> {
        let tokens = self.api.login(email, password).await?;
        self.sign_in_with(tokens);
        Ok(())
    }

    /// Signs in with tokens the backend answered elsewhere (setup, an accepted invitation).
    pub fn sign_in_with(&self, tokens: TokenResponse) {
        store_refresh_token(Some(&tokens.refresh_token));
        self.api.tokens().set(tokens.access_token);
        self.user.set(Some(tokens.user));
    }

    /// The API client acting in `tenant` (a system admin managing another tenant; `None` or the
    /// user's own tenant: the plain client).
    pub fn api_for(&self, tenant: Option<&str>) -> ApiClient {
        let own = self
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.tenant_id.clone()));
        match tenant {
            Some(t) if Some(t) != own.as_deref() => self.api.with_tenant(Some(t)),
            _ => self.api.clone(),
        }
    }

    /// Signs out: ends the session on the server (so a copied refresh token stops working),
    /// then forgets it locally even if the server could not be reached.
    pub async fn sign_out(&self) {
        if self.user.get_untracked().is_some() {
            let _ = self.api.logout().await;
        }
        self.logout();
    }

    /// Signs out locally.
    pub fn logout(&self) {
        store_refresh_token(None);
        self.api.tokens().clear();
        self.user.set(None);
    }
}

/// The session from context.
pub fn use_session() -> Session {
    use_context::<send_wrapper::SendWrapper<Session>>()
        .map(|s| (*s).clone())
        .unwrap_or_else(Session::new)
}

/// Provides the session to the app.
pub fn provide_session(session: Session) {
    provide_context(send_wrapper::SendWrapper::new(session));
}
