//! The Redis live bus (`--bus-url redis://…`): one Redis stream per tenant, shared by every
//! replica.
//!
//! - Publishing runs one Lua script that takes the cluster's `epoch` (set once, when missing, to
//!   the publisher's clock), increments the tenant's `seq` counter and `XADD`s the message with
//!   the stream ID `<seq>-0` (trimmed with `MAXLEN ~ capacity`). Every replica therefore reads
//!   the same messages with the same `epoch:seq`, and a cursor is a stream ID.
//! - Each replica runs one reader per tenant that has subscribers here (`XREAD BLOCK` on its own
//!   connection) and fans the messages out to a local broadcast channel.
//! - Subscribing takes the broadcast receiver first, then reads the stream's state and the
//!   missed range (`XRANGE since+1 .. seq`): anything newer arrives on the receiver, anything
//!   older is in the replay, so a client resuming here after another replica got every message
//!   once. A range that no longer starts right after the cursor (trimmed) or another epoch
//!   (Redis lost its data) is a `reset`.
//! - When a reader loses Redis it drops its channel: open streams end, clients reconnect and
//!   resume — or get `reset` if Redis came back empty with a new epoch. Every Redis call has a
//!   deadline, so a request never hangs on a dead Redis.

use super::{Msg, Start, Subscription};
use crate::db::now_ms;
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use ::redis::streams::{StreamId, StreamRangeReply, StreamReadOptions, StreamReadReply};
use ::redis::{AsyncCommands, AsyncConnectionConfig, Client, RedisError, Script};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Mutex};
use vantage_contract::{LiveCursor, LiveEnvelope, LiveKind};

/// Deadline of one Redis call from a request.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one `XREAD` waits for new messages.
const BLOCK_MS: usize = 5_000;

/// Sets the epoch when missing and returns `{epoch, seq}` of `KEYS[2]`'s counter.
const STATE: &str = r"
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1], 'NX')
  epoch = redis.call('GET', KEYS[1])
end
local seq = redis.call('GET', KEYS[2]) or '0'
return {epoch, seq}
";

/// `KEYS`: epoch, seq counter, stream; `ARGV`: fallback epoch, capacity, body.
const PUBLISH: &str = r"
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  epoch = ARGV[1]
end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'epoch', epoch, 'body', ARGV[3])
return {epoch, tostring(seq)}
";

/// What can go wrong talking to Redis.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
    #[error("unexpected data in redis: {0}")]
    Corrupt(String),
}

/// A message as stored in the stream (its `epoch` and `seq` are the entry's).
#[derive(Serialize, Deserialize)]
struct Body {
    channel: String,
    kind: LiveKind,
    data: serde_json::Value,
}

/// The shared live bus on Redis.
pub struct RedisBus {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    conn: ConnectionManager,
    prefix: String,
    capacity: usize,
    /// The last epoch Redis told us (0: not yet known).
    epoch: AtomicU64,
    /// Per tenant: the channel its reader feeds (present while the reader runs).
    readers: Mutex<HashMap<String, broadcast::Sender<Msg>>>,
    state: Script,
    publish: Script,
}

/// Runs `f` with [`CALL_TIMEOUT`].
async fn timed<T>(f: impl Future<Output = Result<T, RedisError>>) -> Result<T, BusError> {
    tokio::time::timeout(CALL_TIMEOUT, f)
        .await
        .map_err(|_| BusError::Timeout(CALL_TIMEOUT))?
        .map_err(BusError::from)
}

fn number(s: &str) -> Result<u64, BusError> {
    s.parse()
        .map_err(|_| BusError::Corrupt(format!("'{s}' is not a number")))
}

/// Parses the client part of a `--bus-url`.
///
/// # Errors
/// A message naming what is wrong with the URL.
pub fn parse_url(url: &str) -> Result<Client, String> {
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(format!(
            "'{url}' is not a Redis URL (expected redis://host:port[/db])"
        ));
    }
    Client::open(url).map_err(|e| format!("'{url}': {e}"))
}

impl RedisBus {
    /// A bus on `client` (see [`parse_url`]). Does not wait for Redis: while it is unreachable
    /// the bus reports itself down and recovers by itself when Redis answers.
    ///
    /// # Errors
    /// The connection manager cannot be set up (not a connection failure).
    pub fn new(client: Client, capacity: usize) -> Result<Self, String> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                conn,
                prefix: "vantage:live:".into(),
                capacity: capacity.max(10_000),
                epoch: AtomicU64::new(0),
                readers: Mutex::new(HashMap::new()),
                state: Script::new(STATE),
                publish: Script::new(PUBLISH),
            }),
        })
    }

    /// The cluster epoch last seen (0 before Redis first answered).
    pub fn epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::Relaxed)
    }

    /// Asks Redis for the epoch (and sets it on a fresh Redis).
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn ping(&self) -> Result<(), BusError> {
        self.inner.state("").await.map(drop)
    }

    /// Publishes on `tenant`'s stream and returns the envelope as every replica will see it.
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn publish(
        &self,
        tenant: &str,
        channel: &str,
        kind: LiveKind,
        data: serde_json::Value,
    ) -> Result<Msg, BusError> {
        let inner = &self.inner;
        let body = Body {
            channel: channel.to_owned(),
            kind,
            data,
        };
        let json = serde_json::to_string(&body).map_err(|e| BusError::Corrupt(e.to_string()))?;
        let mut conn = inner.conn.clone();
        let mut call = inner.publish.key(inner.epoch_key());
        call.key(inner.seq_key(tenant))
            .key(inner.stream_key(tenant))
            .arg(now_ms())
            .arg(inner.capacity)
            .arg(json);
        let (epoch, seq): (String, String) = timed(call.invoke_async(&mut conn)).await?;
        let epoch = number(&epoch)?;
        inner.epoch.store(epoch, Ordering::Relaxed);
        Ok(crate::live::bus::msg(LiveEnvelope {
            epoch,
            seq: number(&seq)?,
            channel: body.channel,
            kind: body.kind,
            data: body.data,
        }))
    }

    /// The current cursor of `tenant`'s stream.
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn cursor(&self, tenant: &str) -> Result<LiveCursor, BusError> {
        self.inner.state(tenant).await
    }

    /// Subscribes to `tenant`'s stream, replaying what came after `since`.
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn subscribe(
        &self,
        tenant: &str,
        since: Option<LiveCursor>,
    ) -> Result<Subscription, BusError> {
        let rx = self.inner.clone().receiver(tenant).await?;
        let now = self.inner.state(tenant).await?;
        let start = match since {
            None => Start::Replay(vec![]),
            Some(c) if c.epoch != now.epoch => Start::Reset("epoch changed"),
            Some(c) if c.seq > now.seq => Start::Reset("cursor is ahead of the stream"),
            Some(c) if c.seq == now.seq => Start::Replay(vec![]),
            Some(c) => {
                let missed = self.inner.range(tenant, c.seq + 1, now.seq).await?;
                match missed.first() {
                    Some(m) if m.seq == c.seq + 1 && m.epoch == now.epoch => Start::Replay(missed),
                    _ => Start::Reset("cursor too old"),
                }
            }
        };
        Ok(Subscription {
            start,
            rx,
            cursor: now,
        })
    }
}

impl Inner {
    fn epoch_key(&self) -> String {
        format!("{}epoch", self.prefix)
    }

    fn seq_key(&self, tenant: &str) -> String {
        format!("{}{tenant}:seq", self.prefix)
    }

    fn stream_key(&self, tenant: &str) -> String {
        format!("{}{tenant}:stream", self.prefix)
    }

    /// The epoch and `tenant`'s last seq (setting the epoch on a fresh Redis).
    async fn state(&self, tenant: &str) -> Result<LiveCursor, BusError> {
        let mut conn = self.conn.clone();
        let mut call = self.state.key(self.epoch_key());
        call.key(self.seq_key(tenant)).arg(now_ms());
        let (epoch, seq): (String, String) = timed(call.invoke_async(&mut conn)).await?;
        let cursor = LiveCursor {
            epoch: number(&epoch)?,
            seq: number(&seq)?,
        };
        self.epoch.store(cursor.epoch, Ordering::Relaxed);
        Ok(cursor)
    }

    /// Messages `from..=to` of `tenant`'s stream still kept.
    async fn range(&self, tenant: &str, from: u64, to: u64) -> Result<Vec<Msg>, BusError> {
        let mut conn = self.conn.clone();
        let key = self.stream_key(tenant);
        let reply: StreamRangeReply =
            timed(conn.xrange(&key, format!("{from}-0"), format!("{to}-0"))).await?;
        reply.ids.iter().map(decode).collect()
    }

    /// A receiver of `tenant`'s live messages, starting the tenant's reader if none runs.
    async fn receiver(self: Arc<Self>, tenant: &str) -> Result<broadcast::Receiver<Msg>, BusError> {
        let mut readers = self.readers.lock().await;
        if let Some(tx) = readers.get(tenant) {
            return Ok(tx.subscribe());
        }
        // The reader starts at the stream's present, read before any subscriber of it reads
        // its own cursor: no subscriber can miss a message between its cursor and the reader.
        let from = self.state(tenant).await?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_millis(BLOCK_MS as u64 * 2)));
        let conn = timed(
            self.client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await?;
        let tx = broadcast::channel(8192).0;
        let rx = tx.subscribe();
        readers.insert(tenant.to_owned(), tx.clone());
        drop(readers);
        tokio::spawn(self.clone().read(tenant.to_owned(), tx, conn, from));
        Ok(rx)
    }

    /// Feeds `tx` from the stream until Redis fails, the epoch changes or no one listens.
    async fn read(
        self: Arc<Self>,
        tenant: String,
        tx: broadcast::Sender<Msg>,
        mut conn: MultiplexedConnection,
        from: LiveCursor,
    ) {
        let key = self.stream_key(&tenant);
        let options = StreamReadOptions::default().block(BLOCK_MS).count(1000);
        let mut last = from.seq;
        let ended = loop {
            let id = format!("{last}-0");
            let reply: Result<Option<StreamReadReply>, _> = conn
                .xread_options(&[key.as_str()], &[id.as_str()], &options)
                .await;
            let entries = match reply {
                Ok(r) => r.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids),
                Err(e) => break format!("reading the stream failed: {e}"),
            };
            let mut wrong = None;
            for entry in entries {
                match decode(&entry) {
                    // Trimmed before this reader read it (it fell behind by the whole buffer):
                    // the streams end, and their clients resume or get `reset`.
                    Ok(m) if m.seq != last + 1 => {
                        wrong = Some(format!("missed messages {}..{}", last + 1, m.seq));
                        break;
                    }
                    Ok(m) if m.epoch == from.epoch => {
                        last = m.seq;
                        let _ = tx.send(m);
                    }
                    Ok(m) => {
                        wrong = Some(format!("the epoch changed to {}", m.epoch));
                        break;
                    }
                    Err(e) => {
                        wrong = Some(e.to_string());
                        break;
                    }
                }
            }
            if let Some(reason) = wrong {
                break reason;
            }
            if tx.receiver_count() == 0 {
                let mut readers = self.readers.lock().await;
                if tx.receiver_count() == 0 {
                    remove_if_same(&mut readers, &tenant, &tx);
                    return;
                }
            }
        };
        tracing::warn!(tenant, "live reader stopped, closing its streams: {ended}");
        remove_if_same(&mut *self.readers.lock().await, &tenant, &tx);
    }
}

fn remove_if_same(
    readers: &mut HashMap<String, broadcast::Sender<Msg>>,
    tenant: &str,
    tx: &broadcast::Sender<Msg>,
) {
    if readers.get(tenant).is_some_and(|t| t.same_channel(tx)) {
        readers.remove(tenant);
    }
}

/// A stream entry as an envelope.
fn decode(entry: &StreamId) -> Result<Msg, BusError> {
    let seq = entry
        .id
        .split_once('-')
        .map_or(entry.id.as_str(), |(ms, _)| ms);
    let epoch: String = entry
        .get("epoch")
        .ok_or_else(|| BusError::Corrupt(format!("entry {} has no epoch", entry.id)))?;
    let body: String = entry
        .get("body")
        .ok_or_else(|| BusError::Corrupt(format!("entry {} has no body", entry.id)))?;
    let body: Body = serde_json::from_str(&body).map_err(|e| BusError::Corrupt(e.to_string()))?;
    Ok(crate::live::bus::msg(LiveEnvelope {
        epoch: number(&epoch)?,
        seq: number(seq)?,
        channel: body.channel,
        kind: body.kind,
        data: body.data,
    }))
}
