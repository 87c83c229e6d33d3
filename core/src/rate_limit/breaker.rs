//! The circuit breaker in front of Redis: after a few failures in a row the rate
//! limiter stops asking Redis for a while and counts in this process instead, so an
//! outage costs each request nothing rather than a refused connection's retries (about
//! half a second) or a hanging server's timeout (a second). When the back-off has
//! passed, one request asks Redis again; its success closes the breaker.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Failures in a row that open the breaker.
pub(crate) const FAILURES_TO_OPEN: u32 = 3;

/// How long an open breaker keeps requests away from Redis before one tries again.
pub(crate) const BACK_OFF: Duration = Duration::from_secs(5);

pub(crate) struct Breaker {
    state: Mutex<State>,
    failures_to_open: u32,
    back_off: Duration,
    /// Requests that were let through to Redis, for tests that check an open breaker
    /// keeps them away.
    asked: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Redis answers: every request asks it.
    Closed { failures: u32 },
    /// Redis failed: no request asks it until `until`.
    Open { until: Instant },
    /// One request is asking Redis whether it is back; the others count in process.
    /// Should that request never report (dropped by a timeout), another asks after
    /// `until`.
    Probing { until: Instant },
}

impl Breaker {
    pub(crate) fn new(failures_to_open: u32, back_off: Duration) -> Self {
        Breaker {
            state: Mutex::new(State::Closed { failures: 0 }),
            failures_to_open,
            back_off,
            asked: AtomicU64::new(0),
        }
    }

    /// Whether this request may ask Redis; its outcome must then be reported to
    /// [`Breaker::succeeded`] or [`Breaker::failed`].
    pub(crate) fn allows(&self) -> bool {
        let mut state = self.lock();
        let now = Instant::now();
        let allowed = match *state {
            State::Closed { .. } => true,
            State::Open { until } | State::Probing { until } if now >= until => {
                *state = State::Probing {
                    until: now + self.back_off,
                };
                true
            }
            State::Open { .. } | State::Probing { .. } => false,
        };
        if allowed {
            self.asked.fetch_add(1, Ordering::Relaxed);
        }
        allowed
    }

    pub(crate) fn succeeded(&self) {
        let previous = std::mem::replace(&mut *self.lock(), State::Closed { failures: 0 });
        if !matches!(previous, State::Closed { .. }) {
            tracing::info!("Redis answers again: rate-limit counts are shared again");
        }
    }

    /// Counts a failure; the breaker opens (and says so, once per back-off) at the
    /// `failures_to_open`th in a row, or when the request probing Redis failed.
    pub(crate) fn failed(&self, error: &str) {
        let mut state = self.lock();
        let error = crate::redact::redact(error);
        match *state {
            State::Closed { failures } if failures + 1 < self.failures_to_open => {
                *state = State::Closed {
                    failures: failures + 1,
                };
                tracing::warn!(%error, "the rate-limit store failed; this request is counted in process");
            }
            State::Closed { .. } | State::Probing { .. } => {
                *state = State::Open {
                    until: Instant::now() + self.back_off,
                };
                tracing::warn!(
                    %error,
                    "Redis is failing: rate limits are counted in this process for {} s, then Redis is asked again",
                    self.back_off.as_secs_f32()
                );
            }
            // A request that asked before the breaker opened.
            State::Open { .. } => {}
        }
    }

    /// Whether requests are kept away from Redis now (open, or one probing).
    #[cfg(test)]
    pub(crate) fn is_open(&self) -> bool {
        !matches!(*self.lock(), State::Closed { .. })
    }

    /// How many requests were let through to Redis so far.
    #[cfg(test)]
    pub(crate) fn asked(&self) -> u64 {
        self.asked.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a plain value, valid whatever a panicking holder did.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::{Breaker, Duration};

    #[test]
    fn opens_after_failures_in_a_row_and_lets_one_probe_through() {
        let breaker = Breaker::new(3, Duration::ZERO);
        assert!(breaker.allows());
        breaker.failed("refused");
        breaker.failed("refused");
        breaker.succeeded();
        breaker.failed("refused");
        breaker.failed("refused");
        assert!(
            !breaker.is_open(),
            "a success in between starts the count again"
        );
        breaker.failed("refused");
        assert!(breaker.is_open());
        // With no back-off left, one request probes; the others stay away meanwhile.
        assert!(breaker.allows());
        let breaker = Breaker::new(1, Duration::from_secs(3600));
        breaker.failed("refused");
        let asked = breaker.asked();
        assert!(!breaker.allows() && !breaker.allows());
        assert_eq!(breaker.asked(), asked);
    }
}
