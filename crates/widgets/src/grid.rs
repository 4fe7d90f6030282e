//! The dashboard grid: 12 columns, widgets placed by their contract [`Position`], one column
//! when the grid's own container is narrow (a CSS container query, so an embed in a sidebar
//! stacks even on a wide screen).
//!
//! Placement is written through the CSSOM (`element.style.setProperty`), which a strict CSP
//! (`style-src 'self'`) allows, unlike `style` attributes in markup.
//!
//! ```ignore
//! view! {
//!     <GridLayout row_height=80>
//!         <GridCell position=Position { x: 0, y: 0, w: 6, h: 4 }>"…"</GridCell>
//!     </GridLayout>
//! }
//! ```

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use vantage_contract::Position;

/// Columns of the grid (the contract's `GRID_COLUMNS`).
pub const COLUMNS: u32 = vantage_contract::dashboard::GRID_COLUMNS;

/// `grid-column` and `grid-row` values for `position`, clamped into the 12 columns.
pub fn placement(position: Position) -> (String, String) {
    let x = position.x.min(COLUMNS - 1);
    let w = position.w.clamp(1, COLUMNS - x);
    let h = position.h.max(1);
    (
        format!("{} / span {w}", x + 1),
        format!("{} / span {h}", position.y + 1),
    )
}

/// A 12-column grid; children are [`GridCell`]s.
#[component]
pub fn GridLayout(
    /// Height of one grid row in CSS pixels (default 80).
    #[prop(into, optional)]
    row_height: MaybeProp<u32>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    // Effect: writes the row height into the grid's CSS custom property.
    Effect::new(move |_| {
        let height = row_height.get().unwrap_or(80).max(8);
        if let Some(element) = node.get() {
            crate::styles::ensure_installed(&element);
            let _ = web_sys::HtmlElement::style(&element)
                .set_property("--vt-row-height", &format!("{height}px"));
        }
    });
    view! {
        <div class="vt-grid-container">
            <div class="vt-grid" part="grid" node_ref=node>{children()}</div>
        </div>
    }
}

/// One widget's cell in a [`GridLayout`].
#[component]
pub fn GridCell(
    /// Columns `x..x+w` of 12 and rows `y..y+h`.
    #[prop(into)]
    position: Signal<Position>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    // Effect: places the cell through the CSSOM (see the module docs).
    Effect::new(move |_| {
        let position = position.get();
        let Some(element) = node.get() else { return };
        let (column, row) = placement(position);
        let style = web_sys::HtmlElement::style(&element);
        let _ = style.set_property("grid-column", &column);
        let _ = style.set_property("grid-row", &row);
        let _ = style.set_property("--vt-h", &position.h.max(1).to_string());
    });
    view! { <div class="vt-grid-cell" node_ref=node>{children()}</div> }
}

/// A cell's content built within the task's view budget ([`crate::echarts::pace`]): when a
/// dashboard's definition arrives, or a page mounts many widgets at once, the contents past the
/// budget are built in later tasks, in order. The [`GridCell`] around it keeps its place in the
/// grid meanwhile, so nothing moves when the content arrives.
///
/// Until then the cell holds an empty `.vt-pending` element: whoever waits for every widget to be
/// built (a test, a screenshot) can wait until none is left.
pub fn paced<V: IntoView + 'static>(
    build: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let admitted = RwSignal::new(false);
    move || {
        if crate::echarts::pace::admit_view(admitted) {
            Either::Left(build())
        } else {
            Either::Right(view! { <div class="vt-pending"></div> })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_is_one_based_and_clamped() {
        let p = |x, y, w, h| placement(Position { x, y, w, h });
        assert_eq!(p(0, 0, 6, 4), ("1 / span 6".into(), "1 / span 4".into()));
        assert_eq!(p(6, 4, 6, 3), ("7 / span 6".into(), "5 / span 3".into()));
        assert_eq!(p(10, 0, 6, 0), ("11 / span 2".into(), "1 / span 1".into()));
        assert_eq!(p(20, 0, 0, 1), ("12 / span 1".into(), "1 / span 1".into()));
    }
}
