//! Gap-free, duplicate-free delivery across reconnects.
//!
//! Every live message carries `(epoch, seq)`: `seq` strictly increases within a server `epoch`.
//! The client remembers the last position it applied and resumes from it. [`ResumeTracker::accept`]
//! decides what to do with each arriving message:
//!
//! - next in sequence → apply it;
//! - at or before the cursor → a duplicate from a replay: drop it;
//! - past the next one → a gap: something was lost, refetch a snapshot;
//! - another epoch (server restarted, buffer lost) or an explicit `reset` → refetch a snapshot.
//!
//! After a snapshot the cursor jumps to the position the snapshot reflects.

pub use vantage_contract::LiveCursor;

/// What to do with an arriving message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In order: apply it.
    Apply,
    /// Already applied (replay overlap): drop it.
    Duplicate,
    /// Messages are missing or the server lost our place: refetch a snapshot.
    Resync,
}

/// The last applied position, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResumeTracker {
    last: Option<LiveCursor>,
}

impl ResumeTracker {
    /// Where to resume from, if anything was applied yet.
    pub fn position(&self) -> Option<LiveCursor> {
        self.last
    }

    /// Classifies `message` and advances the cursor when it is applied.
    ///
    /// The first message of a session (no cursor yet) is applied and anchors the cursor. A
    /// [`Delivery::Resync`] also anchors the cursor at `message`: the snapshot that follows
    /// reflects at least that position.
    pub fn accept(&mut self, message: LiveCursor) -> Delivery {
        let Some(last) = self.last else {
            self.last = Some(message);
            return Delivery::Apply;
        };
        if message.epoch != last.epoch {
            self.last = Some(message);
            return Delivery::Resync;
        }
        if message.seq <= last.seq {
            return Delivery::Duplicate;
        }
        self.last = Some(message);
        if message.seq == last.seq + 1 {
            Delivery::Apply
        } else {
            Delivery::Resync
        }
    }

    /// A `heartbeat` at `position`: everything up to it meant for this subscriber has been sent
    /// (the server held the rest back: other channels, or outside an embed token's scope), so
    /// the cursor moves there and the next message is not taken for a gap. Ignored before the
    /// first message and across epochs (the next message decides those).
    pub fn skip_to(&mut self, position: LiveCursor) {
        if let Some(last) = self.last {
            if last.epoch == position.epoch && position.seq > last.seq {
                self.last = Some(position);
            }
        }
    }

    /// The server said `reset` at `position`: our place is gone; a snapshot follows.
    pub fn reset_to(&mut self, position: LiveCursor) {
        self.last = Some(position);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(epoch: u64, seq: u64) -> LiveCursor {
        LiveCursor { epoch, seq }
    }

    #[test]
    fn in_order_messages_apply_and_replayed_ones_are_dropped() {
        let mut cursor = ResumeTracker::default();
        assert_eq!(cursor.accept(at(7, 10)), Delivery::Apply);
        assert_eq!(cursor.accept(at(7, 11)), Delivery::Apply);
        // A reconnect replays from our cursor with some overlap.
        assert_eq!(cursor.accept(at(7, 10)), Delivery::Duplicate);
        assert_eq!(cursor.accept(at(7, 11)), Delivery::Duplicate);
        assert_eq!(cursor.accept(at(7, 12)), Delivery::Apply);
        assert_eq!(cursor.position(), Some(at(7, 12)));
    }

    #[test]
    fn a_heartbeat_skips_over_messages_held_back_from_this_subscriber() {
        let mut cursor = ResumeTracker::default();
        cursor.skip_to(at(1, 9));
        assert_eq!(
            cursor.position(),
            None,
            "no anchor before the first message"
        );
        assert_eq!(cursor.accept(at(1, 3)), Delivery::Apply);
        cursor.skip_to(at(1, 6));
        assert_eq!(cursor.accept(at(1, 7)), Delivery::Apply);
        cursor.skip_to(at(1, 5));
        assert_eq!(cursor.position(), Some(at(1, 7)), "never backwards");
        cursor.skip_to(at(2, 50));
        assert_eq!(
            cursor.accept(at(2, 51)),
            Delivery::Resync,
            "a new epoch still resyncs"
        );
    }

    #[test]
    fn a_gap_or_a_new_epoch_asks_for_a_snapshot() {
        let mut cursor = ResumeTracker::default();
        cursor.accept(at(1, 5));
        assert_eq!(
            cursor.accept(at(1, 8)),
            Delivery::Resync,
            "6 and 7 are missing"
        );
        assert_eq!(
            cursor.accept(at(1, 9)),
            Delivery::Apply,
            "continues after the snapshot"
        );
        assert_eq!(
            cursor.accept(at(2, 1)),
            Delivery::Resync,
            "server restarted"
        );
        assert_eq!(cursor.accept(at(2, 2)), Delivery::Apply);
    }
}
