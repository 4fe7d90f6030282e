//! [`BuilderState`]: the dashboard being edited, as plain data with undo/redo.
//!
//! Every edit goes through a method that records one undo step, then places widgets so none
//! overlap: the widget being moved, resized or added keeps its spot and whatever it lands on is
//! pushed down (the way grid dashboards behave). No IO and no signals here, so the whole editing
//! model is tested natively.
//!
//! ```ignore
//! let mut state = BuilderState::blank("Untitled dashboard");
//! let a = state.add_widget(WidgetKind::Kpi, "Total", None, Default::default(), 4, 2);
//! let b = state.add_widget(WidgetKind::Kpi, "Errors", None, Default::default(), 4, 2);
//! assert_eq!(state.widget(&b).map(|w| w.position.x), Some(4));
//! state.move_to(&b, 0, 0);
//! assert_eq!(state.widget(&a).map(|w| w.position.y), Some(2)); // pushed down
//! state.undo();
//! assert_eq!(state.widget(&a).map(|w| w.position.y), Some(0));
//! ```

use vantage_contract::dashboard::GRID_COLUMNS;
use vantage_contract::{
    Dashboard, DashboardInput, Layout, Position, Query, TimePreset, TimeRange, Widget, WidgetKind,
};

/// Most undo steps kept.
pub const HISTORY_LIMIT: usize = 100;
/// Tallest widget, in grid rows (the contract's limit).
pub const MAX_HEIGHT: u32 = 50;

/// Which text field an edit touched, so consecutive keystrokes become one undo step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Name,
    Description,
}

/// The dashboard under edit plus its history and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct BuilderState {
    /// What would be saved now (`version` is filled in by [`BuilderState::to_input`]).
    pub doc: DashboardInput,
    /// The stored dashboard's id; `None` until first saved.
    pub dashboard_id: Option<String>,
    /// The version the edit is based on (sent with PUT).
    pub base_version: Option<u64>,
    /// The last saved or loaded document, to tell whether there are unsaved changes.
    saved: DashboardInput,
    undo: Vec<DashboardInput>,
    redo: Vec<DashboardInput>,
    last_text_edit: Option<TextField>,
}

impl BuilderState {
    /// A new, empty dashboard called `name` (default range: last 24 hours).
    pub fn blank(name: &str) -> Self {
        let doc = DashboardInput {
            name: name.to_owned(),
            description: String::new(),
            layout: Layout::default(),
            widgets: Vec::new(),
            filters: Vec::new(),
            time_range: Some(TimeRange::preset(TimePreset::Last24h)),
            refresh_interval_sec: 0,
            version: None,
        };
        Self::with_doc(doc, None, None)
    }

    /// Editing a stored dashboard.
    pub fn from_dashboard(dashboard: &Dashboard) -> Self {
        Self::with_doc(
            input_of(dashboard),
            Some(dashboard.id.clone()),
            Some(dashboard.version),
        )
    }

    /// A state restored from a local draft: `doc` on top of `base` (the stored dashboard, or a
    /// blank one), so the draft counts as unsaved changes.
    pub fn restored(
        base: Self,
        doc: DashboardInput,
        dashboard_id: Option<String>,
        base_version: Option<u64>,
    ) -> Self {
        let mut state = base;
        state.dashboard_id = dashboard_id.or(state.dashboard_id);
        state.base_version = base_version.or(state.base_version);
        state.record();
        state.doc = DashboardInput {
            version: None,
            ..doc
        };
        state.place_all();
        state
    }

    fn with_doc(doc: DashboardInput, id: Option<String>, version: Option<u64>) -> Self {
        let doc = DashboardInput {
            version: None,
            ..doc
        };
        Self {
            saved: doc.clone(),
            doc,
            dashboard_id: id,
            base_version: version,
            undo: Vec::new(),
            redo: Vec::new(),
            last_text_edit: None,
        }
    }

    /// Whether there is anything not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.doc != self.saved
    }

    /// The request body for save: PUT bodies carry the base version.
    pub fn to_input(&self) -> DashboardInput {
        DashboardInput {
            version: self.dashboard_id.as_ref().and(self.base_version),
            ..self.doc.clone()
        }
    }

    /// Records a successful save (or a fresh load): the document is clean again.
    pub fn mark_saved(&mut self, dashboard: &Dashboard) {
        self.dashboard_id = Some(dashboard.id.clone());
        self.base_version = Some(dashboard.version);
        self.saved = input_of(dashboard);
    }

    /// Replaces the document with someone else's stored version, as one undoable step (so the
    /// edits it replaces stay reachable with Undo).
    pub fn take_theirs(&mut self, dashboard: &Dashboard) {
        self.record();
        self.doc = input_of(dashboard);
        self.mark_saved(dashboard);
    }

    /// Rebases the edit on a newer stored version without changing the document ("overwrite
    /// theirs with mine").
    pub fn rebase_on(&mut self, version: u64) {
        self.base_version = Some(version);
    }

    /// One widget by id.
    pub fn widget(&self, id: &str) -> Option<&Widget> {
        self.doc.widgets.iter().find(|w| w.id == id)
    }

    /// Sets the name or description; keystrokes in a row are one undo step.
    pub fn set_text(&mut self, field: TextField, value: String) {
        if self.last_text_edit != Some(field) {
            self.record();
        }
        match field {
            TextField::Name => self.doc.name = value,
            TextField::Description => self.doc.description = value,
        }
        self.last_text_edit = Some(field);
    }

    /// Adds a widget of `w × h` cells at the first free spot (top to bottom, left to right);
    /// returns its new id.
    pub fn add_widget(
        &mut self,
        kind: WidgetKind,
        title: &str,
        query: Option<Query>,
        options: serde_json::Value,
        w: u32,
        h: u32,
    ) -> String {
        self.record();
        let id = self.next_id();
        let (w, h) = (w.clamp(1, GRID_COLUMNS), h.clamp(1, MAX_HEIGHT));
        let (x, y) = free_spot(&self.doc.widgets, w, h);
        self.doc.widgets.push(Widget {
            id: id.clone(),
            kind,
            title: title.to_owned(),
            position: Position { x, y, w, h },
            query,
            options,
        });
        id
    }

    /// Replaces a widget's kind, title, query and options (its id and position stay).
    /// Returns false when there is no such widget.
    pub fn update_widget(&mut self, edited: Widget) -> bool {
        let Some(index) = self.index(&edited.id) else {
            return false;
        };
        if self.doc.widgets[index] == edited {
            return true;
        }
        self.record();
        let position = self.doc.widgets[index].position;
        self.doc.widgets[index] = Widget { position, ..edited };
        true
    }

    /// Moves a widget's top-left corner to column `x`, row `y` (clamped into the grid).
    pub fn move_to(&mut self, id: &str, x: u32, y: u32) {
        self.set_position(id, |p| Position {
            x: x.min(GRID_COLUMNS - p.w),
            y: y.min(1000),
            ..p
        });
    }

    /// Resizes a widget to `w × h` cells (clamped so it stays inside the 12 columns).
    pub fn resize(&mut self, id: &str, w: u32, h: u32) {
        self.set_position(id, |p| Position {
            w: w.clamp(1, GRID_COLUMNS - p.x),
            h: h.clamp(1, MAX_HEIGHT),
            ..p
        });
    }

    /// Moves by whole cells (arrow keys).
    pub fn nudge(&mut self, id: &str, dx: i32, dy: i32) {
        if let Some(p) = self.widget(id).map(|w| w.position) {
            self.move_to(id, offset(p.x, dx), offset(p.y, dy));
        }
    }

    /// Grows or shrinks by whole cells (shift + arrow keys).
    pub fn grow(&mut self, id: &str, dw: i32, dh: i32) {
        if let Some(p) = self.widget(id).map(|w| w.position) {
            self.resize(id, offset(p.w, dw), offset(p.h, dh));
        }
    }

    /// Deletes a widget. Returns false when there is no such widget.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(index) = self.index(id) else {
            return false;
        };
        self.record();
        self.doc.widgets.remove(index);
        true
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Steps back one edit. Returns false when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        let Some(previous) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.doc, previous));
        self.last_text_edit = None;
        true
    }

    /// Re-applies the last undone edit. Returns false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.doc, next));
        self.last_text_edit = None;
        true
    }

    fn set_position(&mut self, id: &str, change: impl FnOnce(Position) -> Position) {
        let Some(index) = self.index(id) else { return };
        let before = self.doc.widgets[index].position;
        let after = change(before);
        if after == before {
            return;
        }
        self.record();
        self.doc.widgets[index].position = after;
        resolve_collisions(&mut self.doc.widgets, index);
    }

    /// Makes any overlapping layout (e.g. from an old draft) collision-free, first widget first.
    fn place_all(&mut self) {
        for index in 0..self.doc.widgets.len() {
            resolve_collisions(&mut self.doc.widgets, index);
        }
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.doc.widgets.iter().position(|w| w.id == id)
    }

    fn next_id(&self) -> String {
        (1..)
            .map(|n| format!("w{n}"))
            .find(|id| self.widget(id).is_none())
            .unwrap_or_default()
    }

    /// Pushes the current document onto the undo stack (and forgets the redo branch).
    fn record(&mut self) {
        self.undo.push(self.doc.clone());
        if self.undo.len() > HISTORY_LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.last_text_edit = None;
    }
}

/// The editable part of a stored dashboard.
pub fn input_of(d: &Dashboard) -> DashboardInput {
    DashboardInput {
        name: d.name.clone(),
        description: d.description.clone(),
        layout: d.layout,
        widgets: d.widgets.clone(),
        filters: d.filters.clone(),
        time_range: d.time_range,
        refresh_interval_sec: d.refresh_interval_sec,
        version: None,
    }
}

fn offset(value: u32, by: i32) -> u32 {
    value.saturating_add_signed(by)
}

/// Whether two cells share any area.
pub fn overlaps(a: Position, b: Position) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/// The first spot (top to bottom, left to right) where a `w × h` widget overlaps nothing.
pub fn free_spot(widgets: &[Widget], w: u32, h: u32) -> (u32, u32) {
    let w = w.clamp(1, GRID_COLUMNS);
    let bottom = widgets
        .iter()
        .map(|x| x.position.y + x.position.h)
        .max()
        .unwrap_or(0);
    for y in 0..=bottom {
        for x in 0..=(GRID_COLUMNS - w) {
            let candidate = Position { x, y, w, h };
            if widgets.iter().all(|o| !overlaps(o.position, candidate)) {
                return (x, y);
            }
        }
    }
    (0, bottom)
}

/// Keeps `widgets[fixed]` where it is and pushes every widget it (transitively) lands on
/// straight down until nothing overlaps. Widgets are settled top to bottom, so the result does
/// not depend on the vector's order.
fn resolve_collisions(widgets: &mut [Widget], fixed: usize) {
    let mut order: Vec<usize> = (0..widgets.len()).filter(|&i| i != fixed).collect();
    vantage_widgets::sort::sort_by_key(&mut order, |&i| {
        (widgets[i].position.y, widgets[i].position.x)
    });
    let mut settled = vec![widgets[fixed].position];
    for i in order {
        let mut p = widgets[i].position;
        while let Some(bottom) = settled
            .iter()
            .filter(|s| overlaps(**s, p))
            .map(|s| s.y + s.h)
            .max()
        {
            p.y = bottom;
        }
        widgets[i].position = p;
        settled.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const UNTITLED: &str = "Untitled dashboard";

    fn pos(state: &BuilderState, id: &str) -> (u32, u32, u32, u32) {
        let p = state.widget(id).unwrap().position;
        (p.x, p.y, p.w, p.h)
    }

    fn no_overlaps(state: &BuilderState) -> bool {
        let ws = &state.doc.widgets;
        ws.iter().enumerate().all(|(i, a)| {
            ws[i + 1..]
                .iter()
                .all(|b| !overlaps(a.position, b.position))
        })
    }

    fn add(state: &mut BuilderState, w: u32, h: u32) -> String {
        state.add_widget(WidgetKind::Bar, "t", None, json!({}), w, h)
    }

    #[test]
    fn adding_fills_the_first_free_spot_left_to_right_then_down() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 6, 3);
        let b = add(&mut s, 6, 3);
        let c = add(&mut s, 8, 2);
        let d = add(&mut s, 4, 2);
        assert_eq!(pos(&s, &a), (0, 0, 6, 3));
        assert_eq!(pos(&s, &b), (6, 0, 6, 3));
        assert_eq!(pos(&s, &c), (0, 3, 8, 2));
        assert_eq!(pos(&s, &d), (8, 3, 4, 2));
        assert_eq!([a, b, c, d], ["w1", "w2", "w3", "w4"]);
        // Oversized requests are clamped into the grid.
        let e = add(&mut s, 40, 0);
        assert_eq!(pos(&s, &e), (0, 5, 12, 1));
        assert!(no_overlaps(&s));
    }

    #[test]
    fn ids_are_reused_only_when_free() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 2, 2);
        let b = add(&mut s, 2, 2);
        s.remove(&a);
        assert_eq!(add(&mut s, 2, 2), "w1");
        assert_ne!(add(&mut s, 2, 2), b);
    }

    #[test]
    fn moving_onto_a_widget_pushes_it_down_transitively() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 6, 2); // (0,0)
        let b = add(&mut s, 6, 2); // (6,0)
        let c = add(&mut s, 6, 2); // (0,2)
        s.move_to(&b, 0, 0);
        assert_eq!(pos(&s, &b), (0, 0, 6, 2));
        assert_eq!(pos(&s, &a), (0, 2, 6, 2));
        assert_eq!(pos(&s, &c), (0, 4, 6, 2));
        assert!(no_overlaps(&s));
    }

    #[test]
    fn moves_and_resizes_stay_inside_the_twelve_columns() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 4, 2);
        s.move_to(&a, 11, 0);
        assert_eq!(pos(&s, &a), (8, 0, 4, 2));
        s.resize(&a, 9, 0);
        assert_eq!(pos(&s, &a), (8, 0, 4, 1));
        s.nudge(&a, -20, -3);
        assert_eq!(pos(&s, &a), (0, 0, 4, 1));
        s.grow(&a, 3, 2);
        assert_eq!(pos(&s, &a), (0, 0, 7, 3));
        s.grow(&a, -10, -10);
        assert_eq!(pos(&s, &a), (0, 0, 1, 1));
    }

    #[test]
    fn resizing_pushes_neighbours_below() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 6, 2);
        let b = add(&mut s, 6, 2);
        s.resize(&a, 12, 2);
        assert_eq!(pos(&s, &b), (6, 2, 6, 2));
        assert!(no_overlaps(&s));
    }

    #[test]
    fn undo_and_redo_walk_the_history() {
        let mut s = BuilderState::blank(UNTITLED);
        assert!(!s.can_undo() && !s.is_dirty());
        let a = add(&mut s, 6, 2);
        s.move_to(&a, 3, 1);
        s.remove(&a);
        assert!(s.widget(&a).is_none());
        assert!(s.undo());
        assert_eq!(pos(&s, &a), (3, 1, 6, 2));
        assert!(s.undo());
        assert_eq!(pos(&s, &a), (0, 0, 6, 2));
        assert!(s.redo());
        assert_eq!(pos(&s, &a), (3, 1, 6, 2));
        // A new edit drops the redo branch.
        s.nudge(&a, 1, 0);
        assert!(!s.can_redo());
        assert!(s.undo() && s.undo() && s.undo());
        assert!(!s.undo());
        assert!(!s.is_dirty());
    }

    #[test]
    fn typing_is_one_undo_step_per_field() {
        let mut s = BuilderState::blank(UNTITLED);
        for name in ["S", "Sa", "Sal", "Sales"] {
            s.set_text(TextField::Name, name.into());
        }
        s.set_text(TextField::Description, "d".into());
        s.set_text(TextField::Name, "Sales 2".into());
        s.undo();
        assert_eq!(s.doc.name, "Sales");
        s.undo();
        assert_eq!(s.doc.description, "");
        s.undo();
        assert_eq!(s.doc.name, UNTITLED);
    }

    #[test]
    fn no_op_edits_record_nothing() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 6, 2);
        let steps = s.undo.len();
        s.move_to(&a, 0, 0);
        s.resize(&a, 6, 2);
        let same = s.widget(&a).cloned().unwrap();
        assert!(s.update_widget(same));
        assert_eq!(s.undo.len(), steps);
        assert!(!s.remove("nope"));
    }

    #[test]
    fn updating_a_widget_keeps_its_place() {
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 6, 2);
        s.move_to(&a, 2, 0);
        let mut edited = s.widget(&a).cloned().unwrap();
        edited.title = "Renamed".into();
        edited.kind = WidgetKind::Line;
        edited.position = Position {
            x: 0,
            y: 9,
            w: 1,
            h: 1,
        };
        assert!(s.update_widget(edited));
        let w = s.widget(&a).unwrap();
        assert_eq!((w.title.as_str(), w.kind), ("Renamed", WidgetKind::Line));
        assert_eq!(pos(&s, &a), (2, 0, 6, 2));
    }

    fn stored(version: u64, name: &str) -> Dashboard {
        let input = BuilderState::blank(UNTITLED).doc;
        Dashboard {
            id: "d1".into(),
            name: name.into(),
            description: input.description,
            layout: input.layout,
            widgets: vec![],
            filters: vec![],
            time_range: input.time_range,
            refresh_interval_sec: 0,
            version,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn saving_tracks_the_version_and_cleans_the_document() {
        let mut s = BuilderState::blank(UNTITLED);
        add(&mut s, 6, 2);
        assert!(s.is_dirty());
        assert_eq!(s.to_input().version, None); // create: POST has no version
        let mut saved = stored(1, UNTITLED);
        saved.widgets = s.doc.widgets.clone();
        s.mark_saved(&saved);
        assert!(!s.is_dirty());
        s.set_text(TextField::Name, "Mine".into());
        assert_eq!(s.to_input().version, Some(1));
        s.rebase_on(4);
        assert_eq!(s.to_input().version, Some(4));
        assert_eq!(s.to_input().name, "Mine");
    }

    #[test]
    fn taking_theirs_keeps_mine_reachable_with_undo() {
        let mut s = BuilderState::from_dashboard(&stored(1, "Base"));
        s.set_text(TextField::Name, "Mine".into());
        s.take_theirs(&stored(2, "Theirs"));
        assert_eq!((s.doc.name.as_str(), s.base_version), ("Theirs", Some(2)));
        assert!(!s.is_dirty());
        s.undo();
        assert_eq!(s.doc.name, "Mine");
        assert!(s.is_dirty());
    }

    #[test]
    fn a_restored_draft_is_unsaved_and_collision_free() {
        let base = stored(3, "Base");
        let mut doc = input_of(&base);
        doc.name = "Draft".into();
        let mut s = BuilderState::blank(UNTITLED);
        let a = add(&mut s, 6, 2);
        let b = add(&mut s, 6, 2);
        doc.widgets = s.doc.widgets.clone();
        doc.widgets[1].position.x = 2; // overlaps `a`
        let s = BuilderState::restored(BuilderState::from_dashboard(&base), doc, None, None);
        assert!(s.is_dirty() && s.can_undo());
        assert_eq!(s.base_version, Some(3));
        assert_eq!(s.dashboard_id.as_deref(), Some("d1"));
        assert_eq!(pos(&s, &a), (0, 0, 6, 2));
        assert_eq!(pos(&s, &b), (2, 2, 6, 2));
    }
}
