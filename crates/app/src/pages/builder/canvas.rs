//! The editing canvas: the dashboard's widgets on the 12-column grid, each with live data.
//!
//! Pointer: drag a card to move it, drag its corner handle to resize it (pointer capture keeps
//! the gesture alive outside the card). While dragging only a ghost position changes; the
//! layout is committed once, on release, so a drag is one undo step.
//! Keyboard: focus a card (Tab), arrows move it one cell, Shift+arrows resize it, Enter edits,
//! Delete removes.

use leptos::prelude::*;
use vantage_contract::dashboard::GRID_COLUMNS;
use vantage_contract::Position;
use vantage_widgets::{GridCell, GridLayout};
use wasm_bindgen::JsCast;

use super::form::WidgetForm;
use super::preview::PreviewCard;
use super::Builder;
use crate::i18n::{tr, trf, B, T};

/// The grid's gap in CSS pixels (`.vt-grid` in `vantage_widgets::styles`).
const GAP: f64 = 12.0;

/// A pointer gesture in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Gesture {
    resize: bool,
    start_x: f64,
    start_y: f64,
    start: Position,
    /// Pixels per grid column and per grid row (gap included).
    column: f64,
    row: f64,
}

impl Gesture {
    /// Where the widget lands for a pointer at (`x`, `y`), in whole cells.
    fn target(&self, x: f64, y: f64) -> Position {
        let dx = ((x - self.start_x) / self.column).round() as i32;
        let dy = ((y - self.start_y) / self.row).round() as i32;
        let p = self.start;
        if self.resize {
            let w = p.w.saturating_add_signed(dx).clamp(1, GRID_COLUMNS - p.x);
            let h =
                p.h.saturating_add_signed(dy)
                    .clamp(1, super::state::MAX_HEIGHT);
            Position { w, h, ..p }
        } else {
            let x = p.x.saturating_add_signed(dx).min(GRID_COLUMNS - p.w);
            let y = p.y.saturating_add_signed(dy);
            Position { x, y, ..p }
        }
    }
}

/// All widgets of the document, editable.
#[component]
pub fn Canvas(b: Builder) -> impl IntoView {
    let ids = move || {
        b.read(|s| {
            s.doc
                .widgets
                .iter()
                .map(|w| w.id.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let row_height = move || b.read(|s| s.doc.layout.row_height).unwrap_or(80);
    let empty = Memo::new(move |_| b.read(|s| s.doc.widgets.is_empty()).unwrap_or(true));
    view! {
        <div class="builder-canvas" aria-label=move || tr(B::DashboardLayout)>
            {move || empty.get().then(|| view! {
                <p class="builder-empty">{move || tr(B::NoWidgetsYet)}</p>
            })}
            <GridLayout row_height=Signal::derive(row_height)>
                <For each=ids key=|id| id.clone() let:id>
                    <CanvasCard b=b id=id />
                </For>
            </GridLayout>
            <p class="builder-hint muted small">{move || tr(B::CanvasHint)}</p>
        </div>
    }
}

#[component]
fn CanvasCard(b: Builder, id: String) -> impl IntoView {
    let id = StoredValue::new(id);
    let widget = Memo::new(move |_| b.read(|s| s.widget(&id.get_value()).cloned()).flatten());
    let position = Signal::derive(move || {
        let ghost = b.ghost.with(|g| {
            g.as_ref()
                .filter(|(g, _)| *g == id.get_value())
                .map(|(_, p)| *p)
        });
        ghost
            .or_else(|| widget.with(|w| w.as_ref().map(|w| w.position)))
            .unwrap_or(Position {
                x: 0,
                y: 0,
                w: 1,
                h: 1,
            })
    });
    let gesture = StoredValue::new(None::<Gesture>);
    let dragging = move || {
        b.ghost
            .with(|g| g.as_ref().is_some_and(|(g, _)| *g == id.get_value()))
    };
    let title = move || widget.with(|w| w.as_ref().map(|w| w.title.clone()).unwrap_or_default());
    let edit = move || {
        if let Some(w) = widget.get_untracked() {
            b.editing.set(Some(WidgetForm::from_widget(&w)));
        }
    };
    let remove = move || {
        b.edit(|s| {
            s.remove(&id.get_value());
        });
        b.announce.set(tr(B::WidgetDeleted).into());
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.target() != ev.current_target() {
            return; // keys inside the card's buttons keep their meaning
        }
        let (dx, dy) = match ev.key().as_str() {
            "ArrowLeft" => (-1, 0),
            "ArrowRight" => (1, 0),
            "ArrowUp" => (0, -1),
            "ArrowDown" => (0, 1),
            "Enter" => {
                ev.prevent_default();
                edit();
                return;
            }
            "Delete" | "Backspace" => {
                ev.prevent_default();
                remove();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        let id = id.get_value();
        if ev.shift_key() {
            b.edit(|s| s.grow(&id, dx, dy));
        } else {
            b.edit(|s| s.nudge(&id, dx, dy));
        }
        if let Some(p) = b.read(|s| s.widget(&id).map(|w| w.position)).flatten() {
            b.announce.set(describe(p));
        }
    };
    let start = move |ev: leptos::ev::PointerEvent, resize: bool| {
        if ev.button() != 0 {
            return;
        }
        let Some(g) = begin(&ev, resize, position.get_untracked()) else {
            return;
        };
        ev.prevent_default();
        ev.stop_propagation();
        gesture.set_value(Some(g));
        b.ghost.set(Some((id.get_value(), g.start)));
    };
    let moved = move |ev: leptos::ev::PointerEvent| {
        if let Some(g) = gesture.get_value() {
            let target = g.target(f64::from(ev.client_x()), f64::from(ev.client_y()));
            if b.ghost.with_untracked(|gh| gh.as_ref().map(|(_, p)| *p)) != Some(target) {
                b.ghost.set(Some((id.get_value(), target)));
            }
        }
    };
    let end = move |_ev: leptos::ev::PointerEvent| {
        let Some(g) = gesture.get_value() else { return };
        gesture.set_value(None);
        let target = b.ghost.get_untracked().map(|(_, p)| p).unwrap_or(g.start);
        b.ghost.set(None);
        let id = id.get_value();
        b.edit(|s| {
            if g.resize {
                s.resize(&id, target.w, target.h);
            } else {
                s.move_to(&id, target.x, target.y);
            }
        });
        if target != g.start {
            b.announce.set(describe(target));
        }
    };
    let card_class = move || {
        if dragging() {
            "builder-card dragging"
        } else {
            "builder-card"
        }
    };
    view! {
        <GridCell position=position>
            <div
                class=card_class
                tabindex="0"
                role="group"
                aria-roledescription=move || tr(B::MovableWidget)
                aria-label=move || format!("{} — {}", title(), describe(position.get()))
                data-widget-id=id.get_value()
                on:keydown=on_key
                on:pointerdown=move |ev| start(ev, false)
                on:pointermove=moved
                on:pointerup=end
                on:pointercancel=end
            >
                <div class="builder-card-tools">
                    <button type="button" class="app-button ghost small" on:pointerdown=|ev| ev.stop_propagation()
                        on:click=move |_| edit()>{move || tr(T::Edit)}</button>
                    <button type="button" class="app-button ghost small danger" on:pointerdown=|ev| ev.stop_propagation()
                        aria-label=move || trf(B::DeleteWidget, &[&title()])
                        on:click=move |_| remove()>{move || tr(B::Delete)}</button>
                </div>
                <div class="builder-card-body">
                    <PreviewCard b=b widget=widget placeholder=String::new() />
                    // Charts would take the pointer; the shield makes the whole card a drag handle.
                    <div class="builder-card-shield" aria-hidden="true"></div>
                </div>
                <div
                    class="builder-resize"
                    aria-hidden="true"
                    title=move || tr(B::DragToResize)
                    on:pointerdown=move |ev| start(ev, true)
                ></div>
            </div>
        </GridCell>
    }
}

/// Measures the grid under the card and captures the pointer.
fn begin(ev: &leptos::ev::PointerEvent, resize: bool, start: Position) -> Option<Gesture> {
    let target = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
    let card = target.closest(".builder-card").ok()??;
    let grid = card.closest(".vt-grid").ok()??;
    let width = grid.get_bounding_client_rect().width();
    // The cell spans `h` rows and `h - 1` gaps.
    let cell_height = card.get_bounding_client_rect().height();
    let row = (cell_height + GAP) / f64::from(start.h.max(1));
    let _ = card.set_pointer_capture(ev.pointer_id());
    Some(Gesture {
        resize,
        start_x: f64::from(ev.client_x()),
        start_y: f64::from(ev.client_y()),
        start,
        column: (width + GAP) / f64::from(GRID_COLUMNS),
        row,
    })
}

/// "Column 3, row 1, 6 wide, 3 high" (1-based, for people).
fn describe(p: Position) -> String {
    let [x, y, w, h] = [p.x + 1, p.y + 1, p.w, p.h].map(|n| n.to_string());
    trf(B::CellPosition, &[&x, &y, &w, &h])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gestures_snap_to_whole_cells_inside_the_grid() {
        let g = Gesture {
            resize: false,
            start_x: 100.0,
            start_y: 100.0,
            start: Position {
                x: 2,
                y: 1,
                w: 4,
                h: 2,
            },
            column: 50.0,
            row: 92.0,
        };
        assert_eq!(
            g.target(176.0, 100.0),
            Position {
                x: 4,
                y: 1,
                w: 4,
                h: 2
            }
        );
        assert_eq!(
            g.target(-900.0, -900.0),
            Position {
                x: 0,
                y: 0,
                w: 4,
                h: 2
            }
        );
        assert_eq!(
            g.target(9000.0, 284.0),
            Position {
                x: 8,
                y: 3,
                w: 4,
                h: 2
            }
        );
        let r = Gesture { resize: true, ..g };
        assert_eq!(
            r.target(200.0, 192.0),
            Position {
                x: 2,
                y: 1,
                w: 6,
                h: 3
            }
        );
        assert_eq!(
            r.target(-900.0, -900.0),
            Position {
                x: 2,
                y: 1,
                w: 1,
                h: 1
            }
        );
        assert_eq!(
            r.target(9000.0, 100.0),
            Position {
                x: 2,
                y: 1,
                w: 10,
                h: 2
            }
        );
    }
}
