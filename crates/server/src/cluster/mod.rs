//! Running several replicas (`--bus-url redis://…`): the shared live bus
//! ([`crate::live::bus::RedisBus`]), the work lease ([`lease`]) and the signals between replicas
//! ([`control`]). The replicas share one SQLite database file (WAL, writers wait on each other
//! through `busy_timeout`); a PostgreSQL storage backend does not exist yet. Without `--bus-url`
//! the server is one process: in-process bus, the lease always held, no signals.

pub mod control;
pub mod lease;

use crate::live::bus::{redis_client, Bus, LocalBus, RedisBus};
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

/// What a server runs with: its bus, its lease, and (in a cluster) the Redis parts the
/// background tasks need.
pub struct Setup {
    pub bus: Bus,
    pub lease: lease::Lease,
    pub control: control::Control,
    pub redis: Option<RedisParts>,
}

/// The Redis handles of a replica.
pub struct RedisParts {
    pub client: ::redis::Client,
    pub conn: ConnectionManager,
    /// This replica's name in the lease and signals.
    pub me: String,
    pub outgoing: tokio::sync::mpsc::UnboundedReceiver<control::Signal>,
}

/// Builds the bus and lease from `--bus-url` (`None`: one process).
///
/// # Errors
/// A malformed URL, with a message naming the flag. Redis being unreachable is not an error:
/// the replica starts, reports itself not ready and recovers when Redis answers.
pub fn setup(bus_url: Option<&str>, epoch: u64, live_buffer: usize) -> Result<Setup, String> {
    let Some(url) = bus_url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(Setup {
            bus: Bus::Local(LocalBus::new(epoch, live_buffer)),
            lease: lease::Lease::local(),
            control: control::Control::default(),
            redis: None,
        });
    };
    let client = redis_client(url).map_err(|e| format!("--bus-url (VANTAGE_BUS_URL): {e}"))?;
    let bus = RedisBus::new(client.clone(), live_buffer)
        .map_err(|e| format!("--bus-url (VANTAGE_BUS_URL): {e}"))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(500));
    let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
        .map_err(|e| format!("--bus-url (VANTAGE_BUS_URL): {e}"))?;
    let me = format!(
        "{}-{}-{}",
        std::process::id(),
        epoch,
        crate::auth::random_token(6)
    );
    let (control, outgoing) = control::channel();
    Ok(Setup {
        bus: Bus::Redis(bus),
        lease: lease::Lease::redis(conn.clone(), me.clone()),
        control,
        redis: Some(RedisParts {
            client,
            conn,
            me,
            outgoing,
        }),
    })
}
