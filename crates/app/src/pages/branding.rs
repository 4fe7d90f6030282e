//! Branding (tenant admins): product name, logo, favicon, colours, font, default mode and chart
//! palette, validated per field as you type (the contract's rules, the same the server applies),
//! with a live preview of a real dashboard in the new brand. Saving applies it everywhere: app
//! chrome, charts and embeds.

use leptos::prelude::*;
use vantage_contract::{Branding, Permission, ThemeMode};
use vantage_sdk::live::{LiveMode, LiveOptions};
use vantage_sdk::{DashboardStore, DashboardView, FilterSet, SdkError};
use vantage_widgets::Mode;

use super::require_login;
use crate::brand::{theme_for, use_brand, use_page_title};
use crate::i18n::{tr, trf, P, T};
use crate::session::use_session;
use crate::shell::can;

/// The form's text fields: (contract field name, label, hint).
const TEXT_FIELDS: [(&str, P, P); 4] = [
    ("productName", P::ProductName, P::ProductNameHint),
    ("logoUrl", P::LogoUrl, P::LogoUrlHint),
    ("faviconUrl", P::FaviconUrl, P::FaviconUrlHint),
    ("fontFamily", P::FontFamily, P::FontFamilyHint),
];

fn get_text(b: &Branding, field: &str) -> String {
    match field {
        "productName" => b.product_name.clone(),
        "logoUrl" => b.logo_url.clone().unwrap_or_default(),
        "faviconUrl" => b.favicon_url.clone().unwrap_or_default(),
        "fontFamily" => b.font_family.clone(),
        _ => String::new(),
    }
}

fn set_text(b: &mut Branding, field: &str, value: String) {
    let optional = |v: String| (!v.trim().is_empty()).then_some(v);
    match field {
        "productName" => b.product_name = value,
        "logoUrl" => b.logo_url = optional(value),
        "faviconUrl" => b.favicon_url = optional(value),
        "fontFamily" => b.font_family = value,
        _ => {}
    }
}

/// The error field a server/contract message belongs to (`chartPalette[2]` → `chartPalette`).
fn error_field(field: &str) -> String {
    field.split('[').next().unwrap_or(field).to_owned()
}

#[component]
pub fn BrandingPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(T::Branding).into());
    let allowed = can(Permission::ManageUsers);
    view! {
        {move || if allowed.get() {
            view! { <BrandingEditor /> }.into_any()
        } else {
            view! { <section class="page"><h1>{move || tr(T::Branding)}</h1><p class="notice">{move || tr(P::BrandingAdminsOnly)}</p></section> }.into_any()
        }}
    }
}

#[component]
fn BrandingEditor() -> impl IntoView {
    let session = use_session();
    let brand = use_brand();
    let draft = RwSignal::new(
        brand
            .tenant
            .with_untracked(|t| t.as_ref().map(|t| t.branding.clone()))
            .unwrap_or_default(),
    );
    let loaded = RwSignal::new(brand.tenant.with_untracked(Option::is_some));
    // Effect: takes the tenant's branding as the starting draft once it has loaded.
    Effect::new(move |_| {
        if let Some(t) = brand.tenant.get() {
            if !loaded.get_untracked() {
                draft.set(t.branding);
                loaded.set(true);
            }
        }
    });
    let palette_text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if loaded.get() {
            palette_text.set(draft.with_untracked(|d| d.chart_palette.join(", ")));
        }
    });
    let validation = Memo::new(move |_| draft.with(Branding::validate).err());
    let server_error = RwSignal::new(None::<(String, String)>);
    let saved = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let field_error = move |field: &'static str| {
        let local = validation
            .get()
            .filter(|e| error_field(&e.field) == field)
            .map(|e| rule_message(&e));
        local.or_else(|| {
            server_error
                .get()
                .filter(|(f, _)| f == field)
                .map(|(_, m)| m)
        })
    };
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if validation.get_untracked().is_some() {
            return;
        }
        let api = (*api).clone();
        let branding = draft.get_untracked();
        saving.set(true);
        saved.set(false);
        server_error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match api.set_branding(&branding).await {
                Ok(tenant) => {
                    brand.tenant.set(Some(tenant));
                    saved.set(true);
                }
                Err(SdkError::Api {
                    message, details, ..
                }) => {
                    let field = details
                        .as_ref()
                        .and_then(|d| d.get("field"))
                        .and_then(|f| f.as_str())
                        .map(error_field)
                        .unwrap_or_default();
                    server_error.set(Some((field, message)));
                }
                Err(e) => server_error.set(Some((String::new(), e.user_message()))),
            }
            saving.set(false);
        });
    };
    let text_inputs = TEXT_FIELDS
        .into_iter()
        .map(|(field, label, hint)| {
            view! {
                <label class="field">
                    <span>{move || tr(label)}</span>
                    <input type="text" name=field prop:value=move || draft.with(|d| get_text(d, field))
                        aria-invalid=move || field_error(field).is_some().to_string()
                        on:input=move |ev| { saved.set(false); draft.update(|d| set_text(d, field, event_target_value(&ev))) } />
                    <small class="muted">{move || tr(hint)}</small>
                    {move || field_error(field).map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
                </label>
            }
        })
        .collect_view();
    let colour = move |field: &'static str, label: P| {
        let get = move |d: &Branding| {
            if field == "primaryColor" {
                d.primary_color.clone()
            } else {
                d.secondary_color.clone()
            }
        };
        let set = move |d: &mut Branding, v: String| {
            if field == "primaryColor" {
                d.primary_color = v
            } else {
                d.secondary_color = v
            }
        };
        view! {
            <label class="field">
                <span>{move || tr(label)}</span>
                <div class="colour-input">
                    <input type="color" aria-label=move || trf(P::ColourPicker, &[tr(label)])
                        prop:value=move || draft.with(|d| { let c = get(d); if c.len() == 7 { c } else { "#000000".into() } })
                        on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev))) />
                    <input type="text" name=field prop:value=move || draft.with(get)
                        aria-invalid=move || field_error(field).is_some().to_string()
                        on:input=move |ev| { saved.set(false); draft.update(|d| set(d, event_target_value(&ev))) } />
                </div>
                {move || field_error(field).map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
            </label>
        }
    };
    view! {
        <section class="page branding-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(T::Branding)}</h1>
                    <p class="muted">{move || tr(P::BrandingIntro)}</p>
                </div>
            </div>
            <div class="branding-layout">
                <form class="card branding-form" on:submit=save novalidate=true>
                    {text_inputs}
                    {colour("primaryColor", P::PrimaryColour)}
                    {colour("secondaryColor", P::SecondaryColour)}
                    <label class="field">
                        <span>{move || tr(P::ChartPalette)}</span>
                        <input type="text" name="chartPalette" prop:value=palette_text
                            aria-invalid=move || field_error("chartPalette").is_some().to_string()
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                palette_text.set(text.clone());
                                saved.set(false);
                                draft.update(|d| d.chart_palette = text.split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect());
                            } />
                        <small class="muted">{move || tr(P::ChartPaletteHint)}</small>
                        {move || field_error("chartPalette").map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
                    </label>
                    <label class="field">
                        <span>{move || tr(P::DefaultMode)}</span>
                        <select name="mode" prop:value=move || draft.with(|d| mode_name(d.mode))
                            on:change=move |ev| draft.update(|d| d.mode = parse_mode(&event_target_value(&ev)))>
                            <option value="system">{move || tr(P::FollowViewerSystem)}</option>
                            <option value="light">{move || tr(T::ModeLight)}</option>
                            <option value="dark">{move || tr(T::ModeDark)}</option>
                        </select>
                    </label>
                    {move || server_error.get().filter(|(f, _)| f.is_empty()).map(|(_, m)| view! { <p class="form-error" role="alert">{m}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="app-button primary" disabled=move || saving.get() || validation.get().is_some()>
                            {move || tr(if saving.get() { P::Saving } else { P::SaveBranding })}
                        </button>
                        {move || saved.get().then(|| view! { <span class="saved" role="status">{move || tr(P::SavedEverywhere)}</span> })}
                    </div>
                </form>
                <BrandPreview draft=draft />
            </div>
        </section>
    }
}

fn mode_name(mode: ThemeMode) -> &'static str {
    match mode {
        ThemeMode::Light => "light",
        ThemeMode::Dark => "dark",
        ThemeMode::System => "system",
    }
}

fn parse_mode(value: &str) -> ThemeMode {
    match value {
        "light" => ThemeMode::Light,
        "dark" => ThemeMode::Dark,
        _ => ThemeMode::System,
    }
}

/// A real dashboard of the tenant rendered in the draft brand, scoped to the preview box.
#[component]
fn BrandPreview(draft: RwSignal<Branding>) -> impl IntoView {
    let session = use_session();
    let node = NodeRef::<leptos::html::Div>::new();
    let store = RwSignal::new_local(None::<DashboardStore>);
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    // Loads the first dashboard of the tenant for the preview (live off: a still picture).
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(list) = api.dashboards().await {
            if let Some(first) = list.items.iter().min_by_key(|d| d.name.to_lowercase()) {
                let options = LiveOptions {
                    mode: LiveMode::Off,
                    ..LiveOptions::default()
                };
                let s = DashboardStore::new(
                    (*api).clone(),
                    first.id.clone(),
                    FilterSet::default(),
                    options,
                );
                s.load();
                store.set(Some(s));
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some(s)) = store.try_get_untracked() {
            s.close();
        }
    });
    // Effect: applies the draft's theme to the preview box only (CSS variables are scoped to it).
    let theme_name = Memo::new(move |_| {
        let branding = draft.get();
        branding.validate().ok()?;
        let element = node.get()?;
        let mode = match branding.mode {
            ThemeMode::Dark => Mode::Dark,
            _ => Mode::Light,
        };
        vantage_widgets::styles::apply_theme(&element, &theme_for(&branding, mode), None)
    });
    let logo = move || draft.with(|d| d.logo_url.clone());
    view! {
        <div class="brand-preview" node_ref=node aria-label=move || tr(P::Preview)>
            <div class="brand-preview-bar">
                {move || match logo() {
                    Some(src) => view! { <img class="app-logo-img" src=src alt="" /> }.into_any(),
                    None => view! { <span class="app-logo" aria-hidden="true"></span> }.into_any(),
                }}
                <strong>{move || draft.with(|d| d.product_name.clone())}</strong>
                <span class="muted small">{move || tr(P::Preview)}</span>
            </div>
            {move || store.get().map(|s| view! {
                <DashboardView store=s theme=Signal::derive(move || theme_name.get()) />
            })}
        </div>
    }
}

/// The branding rule `e` reports in the active language ([`vantage_contract::Rule`]), else the
/// English message every backend uses (the image URL and font character rules).
fn rule_message(e: &vantage_contract::FieldError) -> String {
    use vantage_contract::Rule;
    match e.rule {
        Some(Rule::OneToChars(max)) => trf(P::RuleOneToChars, &[&max.to_string()]),
        Some(Rule::HexColour) => tr(P::RuleHexColour).to_owned(),
        Some(Rule::AtMostColours(max)) => trf(P::RuleAtMostColours, &[&max.to_string()]),
        Some(Rule::NoControlCharacters) => tr(P::RuleNoControlChars).to_owned(),
        _ => e.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branding rules the catalog words come out, in English, exactly as the contract says
    /// them; the others keep the contract's message.
    #[test]
    fn branding_rules_are_worded_by_the_catalog_as_the_contract_says_them_in_english() {
        let base = Branding::default();
        type Change = fn(&mut Branding);
        let cases: [(Change, bool); 6] = [
            (|b| b.product_name = "  ".into(), true),
            (|b| b.product_name = "Tab\there".into(), true),
            (|b| b.primary_color = "blue".into(), true),
            (|b| b.chart_palette = vec!["#123456".into(); 100], true),
            (|b| b.font_family = String::new(), true),
            (|b| b.font_family = "Inter; color: red".into(), false),
        ];
        for (change, worded) in cases {
            let mut b = base.clone();
            change(&mut b);
            let e = b.validate().unwrap_err();
            assert_eq!(e.rule.is_some(), worded, "{e}");
            assert_eq!(rule_message(&e), e.message, "{e}");
        }
    }
}
