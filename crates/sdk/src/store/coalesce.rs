//! One update per animation frame: live messages queue up and are applied together when the
//! browser is about to paint (`requestAnimationFrame`), so a burst of messages costs one render.
//!
//! [`FrameQueue`] is the pure bookkeeping (natively tested); the store owns the actual frame
//! request and cancels it when dropped.

/// Items waiting for the next frame.
#[derive(Debug)]
pub struct FrameQueue<T> {
    pending: Vec<T>,
    frame_requested: bool,
}

impl<T> Default for FrameQueue<T> {
    fn default() -> Self {
        Self {
            pending: Vec::new(),
            frame_requested: false,
        }
    }
}

impl<T> FrameQueue<T> {
    /// Queues `item`; returns `true` when the caller must request a frame (the first item since
    /// the last flush), `false` when one is already pending.
    pub fn push(&mut self, item: T) -> bool {
        self.pending.push(item);
        !std::mem::replace(&mut self.frame_requested, true)
    }

    /// The frame arrived: everything queued, in arrival order.
    pub fn flush(&mut self) -> Vec<T> {
        self.frame_requested = false;
        std::mem::take(&mut self.pending)
    }

    /// Forgets queued items (a snapshot replaces the data they would update).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_requests_one_frame_and_flushes_in_order() {
        let mut queue = FrameQueue::default();
        let requests: Vec<bool> = (0..10).map(|i| queue.push(i)).collect();
        assert_eq!(
            requests.iter().filter(|r| **r).count(),
            1,
            "one frame per burst"
        );
        assert!(requests[0]);
        assert_eq!(queue.flush(), (0..10).collect::<Vec<_>>());
        assert!(queue.is_empty());
        assert!(
            queue.push(10),
            "the next message after a frame asks for a new one"
        );
        assert!(!queue.push(11));
        queue.clear();
        assert_eq!(queue.len(), 0);
        assert!(queue.flush().is_empty());
        assert!(queue.push(12));
    }
}
