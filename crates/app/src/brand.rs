//! White-label: the tenant's branding applied to the whole app (product name in the header and the
//! document title, logo, favicon, colours, font, chart theme) and the viewer's light/dark/system
//! choice, remembered per user in `localStorage`.
//!
//! Branding is validated by the contract before it is applied; values reach the page only through
//! the CSSOM (`--vt-*` custom properties), `textContent` and attribute setters — never as HTML.

use crate::i18n::{tr, T};
use leptos::prelude::*;
use vantage_contract::{Branding, Tenant, ThemeMode};
use vantage_widgets::{Mode, Theme};

/// The viewer's colour-mode choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    Light,
    Dark,
    System,
}

impl ModeChoice {
    pub const ALL: [ModeChoice; 3] = [ModeChoice::Light, ModeChoice::Dark, ModeChoice::System];

    pub fn as_str(self) -> &'static str {
        match self {
            ModeChoice::Light => "light",
            ModeChoice::Dark => "dark",
            ModeChoice::System => "system",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ModeChoice::Light => tr(T::ModeLight),
            ModeChoice::Dark => tr(T::ModeDark),
            ModeChoice::System => tr(T::ModeSystem),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }

    fn from_branding(mode: ThemeMode) -> Self {
        match mode {
            ThemeMode::Light => ModeChoice::Light,
            ThemeMode::Dark => ModeChoice::Dark,
            ThemeMode::System => ModeChoice::System,
        }
    }

    /// The concrete mode, asking the browser when the choice is "system".
    pub fn resolve(self) -> Mode {
        Mode::resolve(match self {
            ModeChoice::Light => ThemeMode::Light,
            ModeChoice::Dark => ThemeMode::Dark,
            ModeChoice::System => ThemeMode::System,
        })
    }
}

/// A theme for `branding` in `mode`; invalid branding (which the server never stores) falls back
/// to the default look rather than failing the page.
pub fn theme_for(branding: &Branding, mode: Mode) -> Theme {
    Theme::for_branding(branding, mode)
}

/// App-wide brand state, provided as context.
#[derive(Clone, Copy)]
pub struct Brand {
    /// The signed-in user's tenant (with its branding), once loaded.
    pub tenant: RwSignal<Option<Tenant>>,
    /// The viewer's explicit choice; `None` follows the tenant's default mode.
    pub choice: RwSignal<Option<ModeChoice>>,
    /// The registered ECharts theme name for charts.
    pub chart_theme: Memo<Option<String>>,
}

impl Brand {
    pub fn new() -> Self {
        let tenant = RwSignal::new(None::<Tenant>);
        // The choice of the user who was signed in when this browser last ran the app, applied
        // before the session has restored so a reload never flashes the other mode.
        let choice = RwSignal::new(
            storage()
                .and_then(|s| s.get_item(LAST_USER_KEY).ok().flatten())
                .and_then(|user_id| stored_choice(&user_id)),
        );
        // Applies the theme to the document and returns the chart theme name; the app keeps it
        // evaluated with an effect (see `shell::App`), so pages without charts are themed too.
        let chart_theme = Memo::new(move |_| {
            let branding = tenant.with(|t| t.as_ref().map(|t| t.branding.clone()));
            let branding = branding.unwrap_or_default();
            let mode = choice
                .get()
                .unwrap_or_else(|| ModeChoice::from_branding(branding.mode))
                .resolve();
            apply_to_document(&branding, &theme_for(&branding, mode))
        });
        Self {
            tenant,
            choice,
            chart_theme,
        }
    }

    /// The product name to show (tenant's white-label name, or "Vantage").
    pub fn product_name(&self) -> String {
        self.tenant
            .with(|t| t.as_ref().map(|t| t.branding.product_name.clone()))
            .unwrap_or_else(|| "Vantage".into())
    }

    /// The effective choice (explicit, else the tenant default).
    pub fn effective_choice(&self) -> ModeChoice {
        self.choice.get().unwrap_or_else(|| {
            self.tenant
                .with(|t| {
                    t.as_ref()
                        .map(|t| ModeChoice::from_branding(t.branding.mode))
                })
                .unwrap_or(ModeChoice::System)
        })
    }

    /// Remembers `choice` for `user_id` and applies it.
    pub fn choose(&self, user_id: &str, choice: ModeChoice) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(&mode_key(user_id), choice.as_str());
        }
        self.choice.set(Some(choice));
    }

    /// Loads the remembered choice of `user_id` (if any) and remembers that this user is the one
    /// signed in, for the next start.
    pub fn restore_choice(&self, user_id: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(LAST_USER_KEY, user_id);
        }
        self.choice.set(stored_choice(user_id));
    }

    /// Forgets the signed-in user's choice (sign-out): the next start follows the tenant default.
    pub fn forget_choice(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(LAST_USER_KEY);
        }
        self.choice.set(None);
    }
}

/// Which user's choice applies at startup (the one signed in last).
const LAST_USER_KEY: &str = "vantage.mode.user";

fn mode_key(user_id: &str) -> String {
    format!("vantage.mode.{user_id}")
}

fn stored_choice(user_id: &str) -> Option<ModeChoice> {
    storage()?
        .get_item(&mode_key(user_id))
        .ok()
        .flatten()
        .and_then(|v| ModeChoice::parse(&v))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Applies the theme to `<html>`, the product name to the document title and the favicon.
fn apply_to_document(branding: &Branding, theme: &Theme) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let favicon = branding.favicon_url.as_deref().unwrap_or("/favicon.svg");
    if let Ok(Some(link)) = document.query_selector("link[rel='icon']") {
        let _ = link.set_attribute("href", favicon);
        if branding.favicon_url.is_some() {
            let _ = link.remove_attribute("type");
        }
    }
    let root = document.document_element()?;
    let root = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&root)?;
    vantage_widgets::styles::apply_theme(root, theme, None)
}

/// Sets the document title to "`page` · product" (or the product alone).
pub fn set_page_title(document: &web_sys::Document, product: &str, page: Option<&str>) {
    match page {
        Some(page) => document.set_title(&format!("{page} · {product}")),
        None => document.set_title(product),
    }
}

/// Sets the document title to "`page` · product name" while the calling component lives.
pub fn use_page_title(page: impl Fn() -> String + Send + Sync + 'static) {
    let brand = use_brand();
    Effect::new(move |_| {
        let product = brand.product_name();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            set_page_title(&document, &product, Some(&page()));
        }
    });
}

/// The brand from context.
pub fn use_brand() -> Brand {
    use_context::<Brand>().unwrap_or_else(Brand::new)
}
