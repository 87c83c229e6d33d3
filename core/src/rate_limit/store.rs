//! Where rate-limit counts live: this process, or Redis for several instances, with
//! this process's counts standing in while Redis fails.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

#[cfg(feature = "redis")]
use super::breaker::{BACK_OFF, Breaker, FAILURES_TO_OPEN};

/// A counter per key and window.
pub(crate) enum Store {
    /// In this process: each instance counts on its own.
    Memory(Mutex<Counts>),
    /// In Redis, shared by every instance that points at it.
    #[cfg(feature = "redis")]
    Redis(Box<Shared>),
}

#[cfg(feature = "redis")]
/// The Redis store: while its breaker is open, or a request's count fails, requests
/// are counted in `fallback`, so limits still hold (per instance) during an outage.
pub(crate) struct Shared {
    manager: redis::aio::ConnectionManager,
    pub(super) breaker: Breaker,
    fallback: Mutex<Counts>,
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

#[cfg(feature = "redis")]
/// Counts up and, on the first count, sets the key to expire with its window.
const INCREMENT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
";

impl Store {
    pub(crate) fn memory() -> Store {
        Store::Memory(Mutex::new(Counts::new()))
    }

    #[cfg(feature = "redis")]
    /// Connects to Redis at `url` (`redis://127.0.0.1:6379`); it reconnects by itself
    /// after a connection is lost.
    pub(crate) async fn redis(url: &str) -> Result<Store, String> {
        Store::redis_with(url, Breaker::new(FAILURES_TO_OPEN, BACK_OFF)).await
    }

    #[cfg(feature = "redis")]
    async fn redis_with(url: &str, breaker: Breaker) -> Result<Store, String> {
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
        Ok(Store::Redis(Box::new(Shared {
            manager,
            breaker,
            fallback: Mutex::new(Counts::new()),
        })))
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
            #[cfg(feature = "redis")]
            Store::Redis(shared) => {
                if let Some(admission) = shared.breaker.allows() {
                    let mut connection = shared.manager.clone();
                    let counted = redis::Script::new(INCREMENT)
                        .key(key)
                        .arg(length.as_millis() as u64)
                        .invoke_async(&mut connection)
                        .await;
                    match counted {
                        Ok(count) => {
                            shared.breaker.succeeded(admission);
                            return Ok(count);
                        }
                        Err(error) => shared.breaker.failed(admission, &error.to_string()),
                    }
                }
                let mut counts = shared
                    .fallback
                    .lock()
                    .map_err(|_| "a poisoned lock".to_owned())?;
                Ok(counts.increment(key, ends_ms, length))
            }
        }
    }
}

impl Counts {
    fn new() -> Counts {
        Counts {
            counts: HashMap::new(),
            sweep_at: SWEEP_AT_LEAST,
        }
    }

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
    #[cfg(feature = "redis")]
    use super::{Breaker, Store};
    use super::{Counts, SWEEP_AT_LEAST};
    #[cfg(feature = "redis")]
    use crate::testing::OwnRedis;
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

    #[cfg(feature = "redis")]
    /// Increments until the breaker is in the state `open`, at most `tries` times;
    /// gives the last count.
    async fn increment_until(store: &Store, key: &str, open: bool, tries: usize) -> u64 {
        let Store::Redis(shared) = store else {
            unreachable!()
        };
        let day = Duration::from_secs(86_400);
        for _ in 0..tries {
            let count = store.increment(key, u64::MAX, day).await.unwrap();
            if shared.breaker.is_open() == open {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the breaker never became {}",
            if open { "open" } else { "closed" }
        );
    }

    #[cfg(feature = "redis")]
    /// Redis hanging, then refusing connections: after the failures that open the
    /// breaker, requests are counted in process without asking Redis, and the breaker
    /// closes by itself once Redis answers again.
    #[tokio::test]
    async fn an_open_breaker_keeps_requests_away_from_a_failing_redis() {
        let redis = OwnRedis::start(OwnRedis::free_port());
        let breaker = Breaker::new(2, Duration::from_secs(3));
        let store = Store::redis_with(&redis.url(), breaker)
            .await
            .expect("connects");
        let Store::Redis(shared) = &store else {
            unreachable!()
        };
        let day = Duration::from_secs(86_400);
        let count = |key: &'static str| store.increment(key, u64::MAX, day);
        assert_eq!(count("kept").await, Ok(1));

        // Hanging: the process is frozen, connections open but nothing answers.
        redis.signal("-STOP");
        counted_in_process_without_asking(&store, "while hanging").await;
        redis.signal("-CONT");
        increment_until(&store, "poll", false, 200).await;
        assert_eq!(count("kept").await, Ok(2), "the count is Redis's again");

        // Refusing: the server is gone, then a new one starts on its port.
        let port = redis.kill();
        counted_in_process_without_asking(&store, "while refused").await;
        let _redis = OwnRedis::start(port);
        increment_until(&store, "poll", false, 200).await;
        assert_eq!(
            count("while refused").await,
            Ok(1),
            "counted in the new Redis, not in process"
        );
        assert!(!shared.breaker.is_open());
    }

    #[cfg(feature = "redis")]
    /// Opens the breaker by failing; then counts `key` with the breaker open and
    /// checks that Redis was not asked and the counts went on in process.
    async fn counted_in_process_without_asking(store: &Store, key: &'static str) {
        let Store::Redis(shared) = store else {
            unreachable!()
        };
        let day = Duration::from_secs(86_400);
        let opened = increment_until(store, key, true, 10).await;
        let asked = shared.breaker.asked();
        let counts: Vec<u64> =
            futures_util::future::join_all((0..5).map(|_| store.increment(key, u64::MAX, day)))
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
        assert!(shared.breaker.is_open(), "{key}");
        assert_eq!(shared.breaker.asked(), asked, "{key}: Redis was asked");
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (opened + 1..=opened + 5).collect::<Vec<_>>(),
            "{key}: {counts:?}"
        );
    }
}
