//! The widget gallery (every widget kind and state, light and dark) renders without errors.
//!
//! Build with `VT_GALLERY_HOLD=60` and run the test runner with `NO_HEADLESS=1` to keep the
//! page up for screenshots.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use leptos::prelude::*;
use vantage_wasm_tests::{
    ensure_echarts, fresh_container, scroll_through_charts, sleep, wait_until,
};
use vantage_widgets::{Theme, WidgetGallery};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("selector")
        .length()
}

#[wasm_bindgen_test]
async fn gallery_renders_every_widget_in_light_and_dark() {
    ensure_echarts();
    let container = fresh_container(1280, 2200);
    container
        .style()
        .set_property("height", "auto")
        .expect("auto height");
    let _mount = leptos::mount::mount_to(container.clone(), || {
        view! {
            <WidgetGallery theme=Theme::light() />
            <WidgetGallery theme=Theme::dark() />
        }
    });
    let root: Element = container.clone().unchecked_into();
    wait_until("the first chart to draw", Duration::from_secs(10), || {
        count(&root, "canvas") >= 1
    })
    .await;
    // The cards are built over several tasks; then the dark gallery is far below the fold: its
    // charts wait until they come near the view.
    wait_until("every card", Duration::from_secs(10), || {
        count(&root, ".vt-grid .vt-card") == 2 * 16 && count(&root, ".vt-pending") == 0
    })
    .await;
    scroll_through_charts(&root).await;
    wait_until("every chart to draw", Duration::from_secs(10), || {
        count(&root, "canvas") >= 2 * 9
    })
    .await;
    assert_eq!(count(&root, ".vt-grid .vt-card"), 2 * 16);
    assert_eq!(
        count(&root, ".vt-grid .vt-card[aria-busy=true]"),
        2,
        "only the widget in the loading state is busy once every card is built"
    );
    assert_eq!(
        count(&root, ".vt-grid [role=alert]"),
        2,
        "only the widget in the error state shows an error"
    );
    assert_eq!(count(&root, ".vt-kpi-value"), 4);
    assert_eq!(count(&root, ".vt-alert"), 6);
    assert_eq!(count(&root, ".vt-badge-stale"), 2);
    assert_eq!(
        count(&root, "img"),
        0,
        "the XSS row in the table stays text"
    );

    if let Some(seconds) = option_env!("VT_GALLERY_HOLD").and_then(|s| s.parse::<u64>().ok()) {
        sleep(Duration::from_secs(seconds)).await;
    }
}

#[wasm_bindgen_test]
async fn mount_gallery_mounts_and_unmounts() {
    ensure_echarts();
    let container = fresh_container(1280, 1800);
    let handle = vantage_widgets::mount_gallery(container.clone(), vantage_widgets::Mode::Dark);
    let root: Element = container.clone().unchecked_into();
    wait_until("cards", Duration::from_secs(10), || {
        count(&root, ".vt-grid .vt-card") == 16
    })
    .await;
    drop(handle);
    assert_eq!(
        count(&root, ".vt-grid .vt-card"),
        0,
        "dropping the handle unmounts"
    );
}
