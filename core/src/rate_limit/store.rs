//! Where rate-limit counts live: this process, or Redis for several instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A counter per key and window.
pub(crate) enum Store {
    /// In this process: each instance counts on its own.
    Memory(Mutex<HashMap<String, u64>>),
    /// In Redis, shared by every instance that points at it.
    Redis(redis::aio::ConnectionManager),
}

/// Counts up and, on the first count, sets the key to expire with its window.
const INCREMENT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
";

impl Store {
    pub(crate) fn memory() -> Store {
        Store::Memory(Mutex::new(HashMap::new()))
    }

    /// Connects to Redis at `url` (`redis://127.0.0.1:6379`); it reconnects by itself
    /// after a connection is lost.
    pub(crate) async fn redis(url: &str) -> Result<Store, String> {
        let client = redis::Client::open(url).map_err(|e| format!("the Redis URL `{url}`: {e}"))?;
        // A request waits at most a second for its count: past that, it goes through.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2);
        let manager = redis::aio::ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| format!("Redis at `{url}`: {e}"))?;
        Ok(Store::Redis(manager))
    }

    /// The count of `key` after this request. `window` is the key's window index:
    /// the memory store forgets keys of earlier windows.
    pub(crate) async fn increment(
        &self,
        key: &str,
        window: u64,
        length: Duration,
    ) -> Result<u64, String> {
        match self {
            Store::Memory(counts) => {
                let mut counts = counts.lock().map_err(|_| "a poisoned lock".to_owned())?;
                // Keys end in their window index; drop those of past windows now and
                // then, so the map stays as large as one window's callers.
                if counts.len() > 10_000 {
                    let current = format!(":{window}");
                    counts.retain(|k, _| k.ends_with(&current));
                }
                let count = counts.entry(key.to_owned()).or_insert(0);
                *count += 1;
                Ok(*count)
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
