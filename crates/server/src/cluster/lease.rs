//! The work lease: the demo generator, alert evaluation and retention run on one replica of a
//! cluster at a time.
//!
//! With Redis, the replica holding `vantage:lease:work` (`SET key me NX PX ttl`) renews it every
//! [`RENEW`] with a compare-and-extend script; a replica that cannot renew stops working before its
//! lease can have expired, and when the holder dies the key expires and another replica takes it
//! within [`TTL`] + [`RENEW`]. A replica that stops cleanly gives the lease back at once. Without
//! `--bus-url` the only process always holds it.

use crate::ticks::Ticks;
use ::redis::aio::ConnectionManager;
use ::redis::Script;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// How long a lease lasts without renewal.
pub const TTL: Duration = Duration::from_secs(5);
/// How often the holder renews and the others try to take it.
pub const RENEW: Duration = Duration::from_millis(1500);

/// Extends the lease if `ARGV[1]` holds it.
const EXTEND: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Deletes the lease if `ARGV[1]` holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Whether this replica may do the once-per-cluster work now.
pub struct Lease {
    /// `None`: no cluster, always held.
    redis: Option<RedisLease>,
}

struct RedisLease {
    conn: ConnectionManager,
    key: String,
    me: String,
    /// Until when the lease is surely ours (a margin before Redis would let it expire).
    until: Mutex<Option<Instant>>,
}

impl Lease {
    /// The lease of a single process: always held.
    pub fn local() -> Self {
        Self { redis: None }
    }

    /// A lease in Redis, not held until [`Lease::run`] takes it.
    pub fn redis(conn: ConnectionManager, me: String) -> Self {
        Self {
            redis: Some(RedisLease {
                conn,
                key: "vantage:lease:work".into(),
                me,
                until: Mutex::new(None),
            }),
        }
    }

    /// Whether this replica holds the lease now.
    pub fn held(&self) -> bool {
        match &self.redis {
            None => true,
            Some(r) => r.until().is_some_and(|u| Instant::now() < u),
        }
    }

    /// Takes and renews the lease until `shutdown`, then gives it back.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) {
        let Some(r) = &self.redis else { return };
        let mut ticks = Ticks::new(RENEW, MissedTickBehavior::Delay, shutdown);
        while ticks.next().await {
            let was = self.held();
            let asked = Instant::now();
            let answer = r.try_hold().await;
            if let Ok(mut u) = r.until.lock() {
                match answer {
                    Some(true) => *u = Some(asked + TTL - RENEW),
                    Some(false) => *u = None,
                    // Redis did not answer: the lease stays ours until it may have expired.
                    None => {}
                }
            }
            match (was, self.held()) {
                (false, true) => tracing::info!(
                    replica = r.me,
                    "this replica holds the work lease (generator, alerts, retention)"
                ),
                (true, false) => tracing::warn!(replica = r.me, "this replica lost the work lease"),
                _ => {}
            }
        }
        r.release().await;
    }
}

impl RedisLease {
    fn until(&self) -> Option<Instant> {
        self.until.lock().ok().and_then(|u| *u)
    }

    /// Takes or extends the lease: `Some(false)` if another replica holds it, `None` if Redis
    /// does not answer.
    async fn try_hold(&self) -> Option<bool> {
        let mut conn = self.conn.clone();
        let ttl = TTL.as_millis() as u64;
        let held = self.until().is_some();
        let call = async {
            if held {
                let extended: i64 = Script::new(EXTEND)
                    .key(&self.key)
                    .arg(&self.me)
                    .arg(ttl)
                    .invoke_async(&mut conn)
                    .await?;
                if extended == 1 {
                    return Ok(true);
                }
            }
            let set: Option<String> = ::redis::cmd("SET")
                .arg(&self.key)
                .arg(&self.me)
                .arg("NX")
                .arg("PX")
                .arg(ttl)
                .query_async(&mut conn)
                .await?;
            Ok::<_, ::redis::RedisError>(set.is_some())
        };
        match tokio::time::timeout(RENEW, call).await {
            Ok(Ok(got)) => Some(got),
            Ok(Err(e)) => {
                tracing::debug!("work lease: {e}");
                None
            }
            Err(_) => None,
        }
    }

    async fn release(&self) {
        let mut conn = self.conn.clone();
        let script = Script::new(RELEASE);
        let mut call = script.key(&self.key);
        call.arg(&self.me);
        let _ =
            tokio::time::timeout(Duration::from_secs(1), call.invoke_async::<i64>(&mut conn)).await;
        if let Ok(mut u) = self.until.lock() {
            *u = None;
        }
    }
}
