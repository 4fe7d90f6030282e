//! Pacing of chart drawing: a dashboard's first draw or a burst of updates is no long task.
//!
//! When a dashboard's data arrives every chart's effect runs in the same task: each one creates
//! its ECharts instance and draws (10–30 ms each on a laptop, several times that on a throttled
//! phone), so seven charts made one task of 130–200 ms, which blocks input and counts in Total
//! Blocking Time. Here, once chart creation has taken [`BUDGET_MS`] of the current task, the
//! next chart waits for a later task (`setTimeout(0)`), so the browser can paint and handle
//! input between them; the charts still appear in document order, one task after another. The
//! budget is small because a chart's first draw alone can take 20–40 ms: with a larger one, two
//! charts in a task already pass the 50 ms that makes a long task (BENCHMARKS.md, "App cold
//! load").
//!
//! Updates of existing charts (new data, live patches) are paced too, with a larger budget
//! ([`UPDATE_BUDGET_MS`]): a live tick that redraws three charts of a dashboard costs 20–50 ms
//! per chart on a throttled phone, so together they made a 60–240 ms task every second while
//! the page loaded; with the budget each such chart is drawn in a task of its own.
//!
//! Except the answer to the viewer's own change — a filter, a cross-filter, the time range, a
//! refresh ([`draw_together`]): its chart updates are all drawn in the task it arrives in, as a
//! page drawing with ECharts directly does. The person is waiting for the whole picture; where
//! the updates passed the budget (a throttled phone, a loaded machine), pacing them could show
//! it for a frame or more half old and half new, some charts filtered and some not. A live
//! tick, a background reload and the first load stay paced.
//!
//! A query result's task does more than draw: decoding it and building the widgets' views
//! comes first (≈ 150 ms of the embed demo's 540 ms data task on the mobile profile). The
//! store marks when that began ([`task_began`]), so the first chart's budget counts from there
//! and a first chart after a long start waits for the next task.
//!
//! Views are paced the same way ([`admit_view`], [`VIEW_BUDGET_MS`]): a grid cell's content
//! (`crate::paced`: a dashboard's definition arriving, the gallery mounting 32 cards) and a
//! widget's body for its first data are built while the task has spent less than the budget,
//! the rest in later tasks, in document order. The store marks the definition's arrival too.

use std::cell::{Cell, RefCell};

use leptos::prelude::{Get, RwSignal, Set, UpdateUntracked};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Chart creation time one task may spend before the next chart waits for a later task.
pub const BUDGET_MS: f64 = 12.0;

/// Chart drawing time (creation and updates) one task may spend before the next update of an
/// existing chart waits for a later task.
pub const UPDATE_BUDGET_MS: f64 = 30.0;

/// Time one task may spend building widgets' bodies for their data (and drawing) before the
/// next widget's body waits for a later task (`WidgetView`): a dashboard's result reaches all
/// its widgets in one task, and building seven bodies there took 100–180 ms of one task on the
/// mobile profile.
pub const VIEW_BUDGET_MS: f64 = 30.0;

/// Whether a chart may be created now, given when chart creation began in this task.
#[derive(Debug, Default)]
pub struct Pacer {
    /// When the first chart of the current task started (`performance.now()`), if any.
    task_start: Option<f64>,
    /// The current task applies the viewer's own change: its updates are not paced.
    together: bool,
}

/// What [`Pacer::admit`] decides.
#[derive(Debug, PartialEq, Eq)]
pub enum Admit {
    /// The first chart of this task: go, and mark the task's end (call [`Pacer::task_ended`]
    /// from the next task).
    First,
    /// Within the budget: go.
    Yes,
    /// Over the budget: create it from a later task.
    Later,
}

impl Pacer {
    /// Decides for a chart about to be drawn at `now` (milliseconds), allowed `budget`
    /// milliseconds of drawing per task ([`BUDGET_MS`] for a new chart, [`UPDATE_BUDGET_MS`]
    /// for an update).
    pub fn admit(&mut self, now: f64, budget: f64) -> Admit {
        match self.task_start {
            None => {
                self.task_start = Some(now);
                Admit::First
            }
            Some(start) if now - start < budget => Admit::Yes,
            Some(_) => Admit::Later,
        }
    }

    /// The current task began work that leads to charts at `now` (a query result arriving):
    /// the charts drawn later in this task count their budget from then, so the first of them
    /// is not drawn in a task that has already spent its budget decoding and building views.
    pub fn begin(&mut self, now: f64) {
        self.task_start.get_or_insert(now);
    }

    /// The current task applies the answer to the viewer's own change at `now`: every chart
    /// update in it goes ahead ([`Pacer::admit_update`]); creation and views stay paced.
    pub fn together(&mut self, now: f64) {
        self.begin(now);
        self.together = true;
    }

    /// Decides for an update of an existing chart at `now`: [`Admit::Yes`] in a task that
    /// applies the viewer's change, else as [`Pacer::admit`] with [`UPDATE_BUDGET_MS`].
    pub fn admit_update(&mut self, now: f64) -> Admit {
        if self.together {
            return Admit::Yes;
        }
        self.admit(now, UPDATE_BUDGET_MS)
    }

    /// The task that created charts has ended.
    pub fn task_ended(&mut self) {
        self.task_start = None;
        self.together = false;
    }
}

thread_local! {
    static PACER: RefCell<Pacer> = RefCell::new(Pacer::default());
    static END_SCHEDULED: Cell<bool> = const { Cell::new(false) };
    static DEFERRED: Cell<usize> = const { Cell::new(0) };
}

/// Charts whose drawing (creation or update), widgets whose body and grid cells whose content
/// ([`crate::paced`]) is waiting for a later task. Whoever reports "drawn" (the embed's
/// `rendered` event) waits until this is 0: a deferred chart has not been drawn yet.
pub fn pending() -> usize {
    DEFERRED.with(Cell::get)
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs `run` from a later task (`setTimeout(0)`).
pub(crate) fn next_task(run: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(run);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0);
    }
}

/// The current task has begun work whose outcome is drawn in charts (a query result arrived):
/// charts drawn later in this task count their budget from now ([`Pacer::begin`]).
pub fn task_began() {
    PACER.with(|p| p.borrow_mut().begin(now()));
    end_with_this_task();
}

/// The current task applies the answer to the viewer's own change (a filter, a cross-filter,
/// the time range, a refresh): every chart update in it is drawn in it, not paced
/// ([`Pacer::together`]). Like [`task_began`] for the charts created and the views built in it.
pub fn draw_together() {
    PACER.with(|p| p.borrow_mut().together(now()));
    end_with_this_task();
}

/// Resets the pacer from the next task (once per task).
fn end_with_this_task() {
    if !END_SCHEDULED.with(|s| s.replace(true)) {
        next_task(|| {
            END_SCHEDULED.with(|s| s.set(false));
            PACER.with(|p| p.borrow_mut().task_ended());
        });
    }
}

/// Whether a chart may be drawn (or a widget's body built) in this task, given its kind's
/// `budget` ([`BUDGET_MS`], [`UPDATE_BUDGET_MS`] or [`VIEW_BUDGET_MS`]). When it returns false,
/// `retry` is called from a later task (the caller draws then).
pub(crate) fn may_draw(budget: f64, retry: impl FnOnce() + 'static) -> bool {
    admitted(PACER.with(|p| p.borrow_mut().admit(now(), budget)), retry)
}

/// Whether an existing chart's update may be drawn in this task ([`Pacer::admit_update`]);
/// when it returns false, `retry` is called from a later task.
pub(crate) fn may_update(retry: impl FnOnce() + 'static) -> bool {
    admitted(PACER.with(|p| p.borrow_mut().admit_update(now())), retry)
}

fn admitted(admit: Admit, retry: impl FnOnce() + 'static) -> bool {
    match admit {
        Admit::First => {
            end_with_this_task();
            true
        }
        Admit::Yes => true,
        Admit::Later => {
            DEFERRED.with(|d| d.set(d.get() + 1));
            next_task(move || {
                // The retry creates the chart in this task's microtasks (or defers it again,
                // counting it again), before any frame this count is read in.
                DEFERRED.with(|d| d.set(d.get().saturating_sub(1)));
                retry();
            });
            false
        }
    }
}

/// Whether the view that `admitted` guards may be built now (read in a reactive closure, which
/// it subscribes to `admitted`): yes once admitted; else the pacer decides with
/// [`VIEW_BUDGET_MS`], and a view it defers is admitted from a later task (which re-runs the
/// closure). A widget's body and a grid cell's content are built this way, so a result or a
/// definition that reaches many widgets at once is built over several tasks.
pub fn admit_view(admitted: RwSignal<bool>) -> bool {
    if admitted.get() {
        return true;
    }
    let now = may_draw(VIEW_BUDGET_MS, move || {
        // The view is built in this later task: a chart in it counts its budget from here, so
        // its first draw (ECharts' costliest call) gets a task of its own.
        task_began();
        admitted.try_set(true);
    });
    if now {
        admitted.update_untracked(|a| *a = true);
    }
    now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_past_the_budget_wait_for_the_next_task() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.admit(100.0, BUDGET_MS), Admit::First);
        assert_eq!(pacer.admit(110.0, BUDGET_MS), Admit::Yes);
        assert_eq!(pacer.admit(100.0 + BUDGET_MS - 1.0, BUDGET_MS), Admit::Yes);
        assert_eq!(pacer.admit(100.0 + BUDGET_MS, BUDGET_MS), Admit::Later);
        assert_eq!(
            pacer.admit(200.0, BUDGET_MS),
            Admit::Later,
            "still the same task"
        );
        pacer.task_ended();
        assert_eq!(
            pacer.admit(210.0, BUDGET_MS),
            Admit::First,
            "a new task starts a new budget"
        );
        assert_eq!(pacer.admit(215.0, BUDGET_MS), Admit::Yes);
    }

    #[test]
    fn a_task_that_began_earlier_counts_from_then() {
        let mut pacer = Pacer::default();
        pacer.begin(0.0);
        pacer.begin(5.0); // a second begin in the same task keeps the first start
        assert_eq!(
            pacer.admit(BUDGET_MS + 1.0, BUDGET_MS),
            Admit::Later,
            "decoding and views took the budget: even the first chart waits"
        );
        assert_eq!(pacer.admit(BUDGET_MS + 1.0, UPDATE_BUDGET_MS), Admit::Yes);
        pacer.task_ended();
        assert_eq!(pacer.admit(100.0, BUDGET_MS), Admit::First);
    }

    #[test]
    fn updates_share_the_task_with_a_larger_budget() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.admit(0.0, UPDATE_BUDGET_MS), Admit::First);
        // A new chart past its own budget waits; an update at the same moment still goes.
        assert_eq!(pacer.admit(BUDGET_MS + 1.0, BUDGET_MS), Admit::Later);
        assert_eq!(pacer.admit(BUDGET_MS + 1.0, UPDATE_BUDGET_MS), Admit::Yes);
        assert_eq!(
            pacer.admit(UPDATE_BUDGET_MS, UPDATE_BUDGET_MS),
            Admit::Later
        );
    }

    #[test]
    fn the_answer_to_the_viewers_change_updates_every_chart_in_its_task() {
        let mut pacer = Pacer::default();
        pacer.together(0.0);
        // Every update goes, however long the task has run.
        assert_eq!(pacer.admit_update(1.0), Admit::Yes);
        assert_eq!(pacer.admit_update(UPDATE_BUDGET_MS * 4.0), Admit::Yes);
        // Creating a chart and building a view stay paced, counted from the answer's arrival.
        assert_eq!(pacer.admit(BUDGET_MS + 1.0, BUDGET_MS), Admit::Later);
        assert_eq!(
            pacer.admit(VIEW_BUDGET_MS + 1.0, VIEW_BUDGET_MS),
            Admit::Later
        );
        // The next task paces updates again.
        pacer.task_ended();
        assert_eq!(pacer.admit_update(100.0), Admit::First);
        assert_eq!(pacer.admit_update(100.0 + UPDATE_BUDGET_MS), Admit::Later);
    }
}
