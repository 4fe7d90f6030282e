//! Dashboards list with search and sorting.

use leptos::prelude::*;
use leptos_router::components::A;
use vantage_contract::Dashboard;

use super::require_login;
use crate::i18n::{tr, trf, T};
use crate::session::use_session;

#[component]
pub fn DashboardsPage() -> impl IntoView {
    require_login();
    crate::brand::use_page_title(|| tr(T::Dashboards).into());
    let session = use_session();
    let items = RwSignal::new(None::<Result<Vec<Dashboard>, String>>);
    let search = RwSignal::new(String::new());
    let sort_by_updated = RwSignal::new(false);
    let load = send_wrapper::SendWrapper::new({
        let session = session.clone();
        move || {
            let api = session.api.clone();
            wasm_bindgen_futures::spawn_local(async move {
                items.set(Some(
                    api.dashboards()
                        .await
                        .map(|l| l.items)
                        .map_err(|e| e.user_message()),
                ));
            });
        }
    });
    let user = session.user;
    let may_create = crate::shell::can(vantage_contract::Permission::EditDashboards);
    let started = StoredValue::new(false);
    let load_once = load.clone();
    Effect::new(move |_| {
        if user.get().is_some() && !started.get_value() {
            started.set_value(true);
            (*load_once)();
        }
    });
    let visible = move || {
        let needle = search.get().to_lowercase();
        items.get().map(|r| {
            r.map(|mut list| {
                list.retain(|d| {
                    d.name.to_lowercase().contains(&needle)
                        || d.description.to_lowercase().contains(&needle)
                });
                if sort_by_updated.get() {
                    vantage_widgets::sort::sort_by_key(&mut list, |d| {
                        std::cmp::Reverse(d.updated_at)
                    });
                } else {
                    vantage_widgets::sort::sort_by_key(&mut list, |d| d.name.to_lowercase());
                }
                list
            })
        })
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || tr(T::Dashboards)}</h1>
                <div class="page-tools">
                    <input type="search" placeholder=move || tr(T::SearchDashboards) aria-label=move || tr(T::SearchDashboards) bind:value=search />
                    <select aria-label=move || tr(T::Sort) on:change=move |ev| sort_by_updated.set(event_target_value(&ev) == "updated")>
                        <option value="name">{move || tr(T::SortByName)}</option>
                        <option value="updated">{move || tr(T::RecentlyUpdated)}</option>
                    </select>
                    <Show when=move || may_create.get()>
                        <A href="/builder/new" attr:class="app-button primary">{move || tr(T::NewDashboard)}</A>
                    </Show>
                </div>
            </div>
            {move || match visible() {
                None => view! { <div class="card-grid">{(0..4).map(|_| view! { <div class="card skeleton"></div> }).collect_view()}</div> }.into_any(),
                Some(Err(message)) => {
                    let retry = load.clone();
                    super::load_failed(message, Callback::new(move |()| (*retry)()))
                }
                Some(Ok(list)) if list.is_empty() => view! { <p class="app-empty">{move || tr(T::NoDashboardsMatch)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="card-grid">
                        {list.into_iter().map(|d| view! {
                            <A href=format!("/dashboards/{}", d.id) attr:class="card dash-card">
                                <h2>{d.name.clone()}</h2>
                                <p class="muted">{d.description.clone()}</p>
                                <span class="muted small">{let n = d.widgets.len().to_string(); move || trf(T::WidgetCount, &[&n])}</span>
                            </A>
                        }).collect_view()}
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
