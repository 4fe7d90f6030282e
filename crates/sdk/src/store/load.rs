//! [`LoadTracker`]: the store's bookkeeping of its data loads, kept pure so its transitions are
//! tested natively without a browser or a server.
//!
//! Rules: the newest full load wins (starting one aborts whatever is in flight); a partial load
//! (live re-query of some widgets) is skipped while a full one is in flight, since that load
//! covers it; whoever awaits [`LoadTracker::wait`] is answered by the next load that completes
//! (success or failure), or at once when nothing is in flight and a load has completed; closing
//! aborts the in-flight load and answers every waiter with [`StoreError::Closed`].

use futures::channel::oneshot;
use futures::future::{AbortHandle, AbortRegistration};

use super::StoreError;

/// The outcome a waiter receives.
pub type LoadOutcome = Result<(), StoreError>;

/// What a caller awaiting the next load gets.
pub enum Waiting {
    /// Nothing is in flight: the last load's outcome.
    Done(LoadOutcome),
    /// Resolved by the next completed load (dropped, i.e. `Canceled`, when the store closes).
    Pending(oneshot::Receiver<LoadOutcome>),
}

/// In-flight load, completed-load count and waiters of one store.
#[derive(Default)]
pub struct LoadTracker {
    in_flight: Option<(AbortHandle, bool)>,
    waiters: Vec<oneshot::Sender<LoadOutcome>>,
    completed: u64,
    last: Option<LoadOutcome>,
    closed: bool,
}

impl LoadTracker {
    /// Starts a load (`full` = every widget). Returns the registration that aborts it, or `None`
    /// when it is skipped (a partial load while a full one is in flight, or a closed store).
    pub fn begin(&mut self, full: bool) -> Option<AbortRegistration> {
        if self.closed || (!full && self.in_flight.as_ref().is_some_and(|(_, f)| *f)) {
            return None;
        }
        if let Some((previous, _)) = self.in_flight.take() {
            previous.abort();
        }
        let (handle, registration) = AbortHandle::new_pair();
        self.in_flight = Some((handle, full));
        Some(registration)
    }

    /// Records that the current load finished with `outcome` and answers every waiter.
    pub fn finish(&mut self, outcome: LoadOutcome) {
        self.in_flight = None;
        self.completed += 1;
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(outcome.clone());
        }
        self.last = Some(outcome);
    }

    /// Registers interest in the next completed load (see the module docs).
    pub fn wait(&mut self) -> Waiting {
        if self.closed {
            return Waiting::Done(Err(StoreError::Closed));
        }
        match (&self.in_flight, &self.last) {
            (None, Some(last)) => Waiting::Done(last.clone()),
            _ => {
                let (sender, receiver) = oneshot::channel();
                self.waiters.push(sender);
                Waiting::Pending(receiver)
            }
        }
    }

    /// Whether a load is in flight.
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Loads completed so far.
    pub fn completed(&self) -> u64 {
        self.completed
    }

    /// Aborts the in-flight load and answers every waiter with [`StoreError::Closed`].
    pub fn close(&mut self) {
        self.closed = true;
        if let Some((handle, _)) = self.in_flight.take() {
            handle.abort();
        }
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(Err(StoreError::Closed));
        }
    }
}

impl Drop for LoadTracker {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SdkError;
    use futures::future::Abortable;
    use futures::FutureExt;

    fn pending(waiting: Waiting) -> oneshot::Receiver<LoadOutcome> {
        match waiting {
            Waiting::Pending(receiver) => receiver,
            Waiting::Done(outcome) => panic!("expected a pending wait, got {outcome:?}"),
        }
    }

    #[test]
    fn a_waiter_is_answered_by_the_next_completed_load() {
        let mut loads = LoadTracker::default();
        let mut waiter = pending(loads.wait());
        assert!(loads.begin(true).is_some());
        assert_eq!(waiter.try_recv(), Ok(None), "not answered while loading");
        loads.finish(Ok(()));
        assert_eq!(waiter.try_recv(), Ok(Some(Ok(()))));
        assert_eq!(loads.completed(), 1);
        assert!(!loads.busy());
    }

    #[test]
    fn waiting_while_idle_after_a_load_returns_its_outcome_at_once() {
        let mut loads = LoadTracker::default();
        let _ = loads.begin(true);
        let failure = StoreError::Load(SdkError::Network("offline".into()));
        loads.finish(Err(failure.clone()));
        match loads.wait() {
            Waiting::Done(outcome) => assert_eq!(outcome, Err(failure)),
            Waiting::Pending(_) => panic!("nothing is in flight"),
        }
    }

    #[test]
    fn a_newer_full_load_aborts_the_older_and_waiters_wait_for_the_newest() {
        let mut loads = LoadTracker::default();
        let first = loads.begin(true).expect("first load starts");
        let older = Abortable::new(async {}, first);
        let mut waiter = pending(loads.wait());
        let _second = loads.begin(true).expect("second load starts");
        assert!(
            matches!(older.now_or_never(), Some(Err(_))),
            "the older request is aborted"
        );
        assert_eq!(waiter.try_recv(), Ok(None));
        loads.finish(Ok(()));
        assert_eq!(waiter.try_recv(), Ok(Some(Ok(()))));
    }

    #[test]
    fn a_partial_load_is_skipped_while_a_full_load_is_in_flight() {
        let mut loads = LoadTracker::default();
        let _full = loads.begin(true).expect("full load starts");
        assert!(loads.begin(false).is_none(), "the full load covers it");
        loads.finish(Ok(()));
        let partial = loads.begin(false).expect("a partial load starts when idle");
        assert!(
            loads.begin(true).is_some(),
            "a full load replaces a partial one"
        );
        assert!(Abortable::new(async {}, partial)
            .now_or_never()
            .unwrap()
            .is_err());
    }

    #[test]
    fn closing_aborts_the_load_and_answers_waiters_with_closed() {
        let mut loads = LoadTracker::default();
        let registration = loads.begin(true).expect("starts");
        let mut waiter = pending(loads.wait());
        loads.close();
        assert_eq!(waiter.try_recv(), Ok(Some(Err(StoreError::Closed))));
        assert!(Abortable::new(async {}, registration)
            .now_or_never()
            .unwrap()
            .is_err());
        assert!(loads.begin(true).is_none(), "a closed store loads nothing");
        assert!(matches!(
            loads.wait(),
            Waiting::Done(Err(StoreError::Closed))
        ));
    }
}
