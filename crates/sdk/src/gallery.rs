//! The widget gallery as a JS entry point (`mountGallery`), for `www/gallery.html`: a
//! development page, so this is only built with the `dev-entry-points` feature.

use std::any::Any;

use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// A mounted widget gallery; `destroy()` unmounts it.
#[wasm_bindgen]
pub struct GalleryHandle {
    mounted: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl GalleryHandle {
    /// Unmounts the gallery and disposes its charts.
    pub fn destroy(&mut self) {
        self.mounted.take();
    }
}

/// Mounts the widget gallery (every widget with sample data) into `element` in `mode`
/// (`"light"` or `"dark"`): the visual catalogue used by `www/gallery.html`.
///
/// # Errors
/// For an unknown mode.
#[wasm_bindgen(js_name = mountGallery)]
pub fn mount_gallery(element: HtmlElement, mode: &str) -> Result<GalleryHandle, JsError> {
    let mode = match mode {
        "light" => vantage_widgets::Mode::Light,
        "dark" => vantage_widgets::Mode::Dark,
        other => {
            return Err(JsError::new(&format!(
                "mode: expected \"light\" or \"dark\", got \"{other}\""
            )))
        }
    };
    Ok(GalleryHandle {
        mounted: Some(vantage_widgets::gallery::mount_gallery(element, mode)),
    })
}
