//! Where rate-limit counts live: this process, or Redis for several instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A counter per key and window.
pub(crate) enum Store {
    /// In this process: each instance counts on its own.
    Memory(Mutex<Counts>),
    /// In Redis, shared by every instance that points at it.
    Redis(redis::aio::ConnectionManager),
}

/// The memory store's counts: per key, the count and when its window ends (ms since
/// the epoch).
pub(crate) struct Counts {
    counts: HashMap<String, (u64, u64)>,
    /// The size at which ended windows are next swept out: twice the live keys of the
    /// last sweep, so sweeping stays amortised O(1) per request however many callers
    /// one window holds.
    sweep_at: usize,
}

/// The smallest `sweep_at`.
const SWEEP_AT_LEAST: usize = 10_000;

/// Counts up and, on the first count, sets the key to expire with its window.
const INCREMENT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
";

impl Store {
    pub(crate) fn memory() -> Store {
        Store::Memory(Mutex::new(Counts {
            counts: HashMap::new(),
            sweep_at: SWEEP_AT_LEAST,
        }))
    }

    /// Connects to Redis at `url` (`redis://127.0.0.1:6379`); it reconnects by itself
    /// after a connection is lost.
    pub(crate) async fn redis(url: &str) -> Result<Store, String> {
        let shown = crate::redact::redact(url);
        let client =
            redis::Client::open(url).map_err(|e| format!("the Redis URL `{shown}`: {e}"))?;
        // A request waits at most a second for its count: past that, it goes through.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2);
        let manager = redis::aio::ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| format!("Redis at `{shown}`: {e}"))?;
        Ok(Store::Redis(manager))
    }

    /// The count of `key` after this request; the key's window ends at `ends_ms` (ms
    /// since the epoch) and lasts `length`.
    pub(crate) async fn increment(
        &self,
        key: &str,
        ends_ms: u64,
        length: Duration,
    ) -> Result<u64, String> {
        match self {
            Store::Memory(counts) => {
                let mut counts = counts.lock().map_err(|_| "a poisoned lock".to_owned())?;
                Ok(counts.increment(key, ends_ms, length))
            }
            Store::Redis(manager) => {
                let mut connection = manager.clone();
                redis::Script::new(INCREMENT)
                    .key(key)
                    .arg(length.as_millis() as u64)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

impl Counts {
    fn increment(&mut self, key: &str, ends_ms: u64, length: Duration) -> u64 {
        let starts_ms = ends_ms.saturating_sub(length.as_millis() as u64);
        if self.counts.len() >= self.sweep_at {
            // Windows of every length end at their own time: keep what has not ended.
            self.counts.retain(|_, (_, ends)| *ends > starts_ms);
            self.sweep_at = (self.counts.len() * 2).max(SWEEP_AT_LEAST);
        }
        // Keys name their window, so one key always has the same end.
        let (count, _) = self.counts.entry(key.to_owned()).or_insert((0, ends_ms));
        *count += 1;
        *count
    }
}

#[cfg(test)]
mod tests {
    use super::{Counts, SWEEP_AT_LEAST};
    use std::collections::HashMap;
    use std::time::Duration;

    #[test]
    fn sweeping_keeps_the_windows_that_have_not_ended() {
        let mut counts = Counts {
            counts: HashMap::new(),
            sweep_at: SWEEP_AT_LEAST,
        };
        let hour = Duration::from_secs(3600);
        let second = Duration::from_secs(1);
        // An hourly count that is still running, and many per-second ones that ended.
        assert_eq!(counts.increment("hourly", 3_600_000, hour), 1);
        for n in 0..SWEEP_AT_LEAST as u64 {
            counts.increment(&format!("caller{n}"), 1_000 + n, second);
        }
        // The sweep on the way dropped the ended windows only.
        assert_eq!(counts.increment("hourly", 3_600_000, hour), 2);
        assert!(counts.counts.len() < 1_100, "{}", counts.counts.len());
    }
}
