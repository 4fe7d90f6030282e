//! Client-side downloads: text exports (CSV, JSON) and chart images (bytes from the widgets' chart
//! handle), from data already in the page. Files are handed to the browser through a `Blob` object URL and a temporary `<a download>`.

use std::sync::Arc;

use leptos::prelude::{untrack, RwSignal, Set};
use vantage_contract::QueryResult;
use wasm_bindgen::JsCast;

use crate::i18n::{tr, P};

/// A failure's text in the viewer's language. Untracked: downloads run in handlers and tasks,
/// and the caller shows the text as it was when the download failed.
fn failure(key: P) -> String {
    untrack(|| tr(key).to_owned())
}

/// Offers `bytes` to the user as a file named `filename`.
pub fn download_bytes(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| failure(P::BrowserRefusedFile))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| failure(P::BrowserRefusedFile))?;
    let result = download_url(filename, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
    result
}

/// The XLSX media type.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Offers `result` as an XLSX file named `filename` (one sheet, `sheet`), in a task of its own:
/// the first export fetches the XLSX writer's module ([`crate::lazy::xlsx_workbook`]).
/// `problem` is cleared when the export starts and holds the text to show where it was asked
/// for when it fails.
pub fn download_xlsx(
    filename: String,
    sheet: String,
    result: Arc<QueryResult>,
    problem: RwSignal<Option<String>>,
) {
    problem.set(None);
    leptos::task::spawn_local(async move {
        let done = match crate::lazy::xlsx_workbook(sheet, result).await {
            Ok(book) => download_bytes(&filename, XLSX, &book),
            Err(_) => Err(failure(P::ExporterDidNotLoad)),
        };
        if let Err(m) = done {
            problem.set(Some(m));
        }
    });
}

/// Offers `url` (an object or data URL) as a download named `filename`.
pub fn download_url(filename: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| failure(P::NoDocument))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| failure(P::CannotCreateLink))?
        .unchecked_into();
    anchor.set_href(url);
    anchor.set_download(filename);
    let body = document.body().ok_or_else(|| failure(P::NoBody))?;
    body.append_child(&anchor)
        .map_err(|_| failure(P::CannotAttachLink))?;
    anchor.click();
    anchor.remove();
    Ok(())
}

/// A file-name-safe version of `name` (letters, digits, `-`, `_`).
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "export".into()
    } else {
        stem
    }
}
