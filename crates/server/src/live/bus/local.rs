//! The in-process live bus (the default): one stream per tenant with a strictly increasing `seq`
//! within the process's `epoch`, a ring buffer for resume (kept for at least five minutes and at
//! least `capacity` messages), and a broadcast channel for connected subscribers.
//!
//! Subscribing and computing the replay happen under the same lock as publishing, so a resuming
//! client sees every message exactly once.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use vantage_contract::{LiveCursor, LiveEnvelope, LiveKind};

const KEEP_FOR: Duration = Duration::from_secs(300);
const HARD_CAP: usize = 500_000;

use super::{Msg, Start, Subscription};

/// One process's streams.
pub struct LocalBus {
    epoch: u64,
    capacity: usize,
    streams: Mutex<HashMap<String, Stream>>,
}

struct Stream {
    seq: u64,
    buffer: VecDeque<(Instant, Msg)>,
    tx: broadcast::Sender<Msg>,
}

impl Stream {
    fn new() -> Self {
        Self {
            seq: 0,
            buffer: VecDeque::new(),
            tx: broadcast::channel(8192).0,
        }
    }
}

impl LocalBus {
    pub fn new(epoch: u64, capacity: usize) -> Self {
        Self {
            epoch,
            capacity: capacity.max(10_000),
            streams: Mutex::new(HashMap::new()),
        }
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Publishes on `tenant`'s stream and returns the envelope.
    pub fn publish(
        &self,
        tenant: &str,
        channel: &str,
        kind: LiveKind,
        data: serde_json::Value,
    ) -> Msg {
        let mut streams = self
            .streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let s = streams.entry(tenant.to_owned()).or_insert_with(Stream::new);
        s.seq += 1;
        let msg = crate::live::bus::msg(LiveEnvelope {
            epoch: self.epoch,
            seq: s.seq,
            channel: channel.to_owned(),
            kind,
            data,
        });
        let now = Instant::now();
        s.buffer.push_back((now, msg.clone()));
        while let Some((t, _)) = s.buffer.front() {
            let too_many = s.buffer.len() > self.capacity;
            let too_old = now.duration_since(*t) > KEEP_FOR;
            if (too_many && too_old) || s.buffer.len() > HARD_CAP {
                s.buffer.pop_front();
            } else {
                break;
            }
        }
        let _ = s.tx.send(msg.clone());
        msg
    }

    /// The current cursor of `tenant`'s stream.
    pub fn cursor(&self, tenant: &str) -> LiveCursor {
        let streams = self
            .streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        LiveCursor {
            epoch: self.epoch,
            seq: streams.get(tenant).map_or(0, |s| s.seq),
        }
    }

    /// Subscribes to `tenant`'s stream, replaying what came after `since`.
    pub fn subscribe(&self, tenant: &str, since: Option<LiveCursor>) -> Subscription {
        let mut streams = self
            .streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let s = streams.entry(tenant.to_owned()).or_insert_with(Stream::new);
        let rx = s.tx.subscribe();
        let cursor = LiveCursor {
            epoch: self.epoch,
            seq: s.seq,
        };
        let start = match since {
            None => Start::Replay(vec![]),
            Some(c) if c.epoch != self.epoch => Start::Reset("epoch changed"),
            Some(c) if c.seq > s.seq => Start::Reset("cursor is ahead of the stream"),
            Some(c) if c.seq == s.seq => Start::Replay(vec![]),
            Some(c) => {
                let oldest = s.buffer.front().map_or(s.seq + 1, |(_, m)| m.seq);
                if c.seq + 1 < oldest {
                    Start::Reset("cursor too old")
                } else {
                    Start::Replay(
                        s.buffer
                            .iter()
                            .filter(|(_, m)| m.seq > c.seq)
                            .map(|(_, m)| m.clone())
                            .collect(),
                    )
                }
            }
        };
        Subscription { start, rx, cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seq_increases_per_tenant_and_replays_exactly_the_missed() {
        let bus = LocalBus::new(7, 10_000);
        for i in 0..5 {
            bus.publish("a", "metrics", LiveKind::Metric, json!(i));
        }
        bus.publish("b", "metrics", LiveKind::Metric, json!(0));
        assert_eq!(bus.cursor("a"), LiveCursor { epoch: 7, seq: 5 });
        assert_eq!(bus.cursor("b").seq, 1);
        let sub = bus.subscribe("a", Some(LiveCursor { epoch: 7, seq: 2 }));
        let Start::Replay(msgs) = sub.start else {
            panic!("expected replay")
        };
        assert_eq!(
            msgs.iter().map(|m| m.seq).collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
        assert!(matches!(
            bus.subscribe("a", Some(LiveCursor { epoch: 6, seq: 2 }))
                .start,
            Start::Reset(_)
        ));
        assert!(matches!(
            bus.subscribe("a", Some(LiveCursor { epoch: 7, seq: 9 }))
                .start,
            Start::Reset(_)
        ));
    }

    #[test]
    fn live_messages_follow_the_replay_without_gaps() {
        let bus = LocalBus::new(1, 10_000);
        bus.publish("a", "m", LiveKind::Metric, json!(1));
        let mut sub = bus.subscribe("a", Some(LiveCursor { epoch: 1, seq: 0 }));
        bus.publish("a", "m", LiveKind::Metric, json!(2));
        let Start::Replay(r) = sub.start else {
            panic!()
        };
        assert_eq!(r[0].seq, 1);
        assert_eq!(sub.rx.try_recv().unwrap().seq, 2);
    }
}
