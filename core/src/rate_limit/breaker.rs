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
    state: Mutex<Phase>,
    failures_to_open: u32,
    back_off: Duration,
    /// Requests that were let through to Redis, for tests that check an open breaker
    /// keeps them away.
    asked: AtomicU64,
}

/// The state, and its generation: a number that changes whenever the breaker opens,
/// lets a probe through or closes. A request's outcome counts only if the breaker is
/// still in the generation that let the request through: a slow success from before
/// an outage must not close the breaker during it, nor a late failure from before
/// the breaker opened pass for the probe's.
#[derive(Debug, Clone, Copy)]
struct Phase {
    state: State,
    generation: u64,
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

/// A request let through to Redis by [`Breaker::allows`]; its outcome goes to
/// [`Breaker::succeeded`] or [`Breaker::failed`].
#[must_use]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admission {
    generation: u64,
}

impl Phase {
    fn enter(&mut self, state: State) {
        self.state = state;
        self.generation += 1;
    }
}

impl Breaker {
    pub(crate) fn new(failures_to_open: u32, back_off: Duration) -> Self {
        Breaker {
            state: Mutex::new(Phase {
                state: State::Closed { failures: 0 },
                generation: 0,
            }),
            failures_to_open,
            back_off,
            asked: AtomicU64::new(0),
        }
    }

    /// Whether this request may ask Redis: `Some` when it may, to report its outcome
    /// with.
    pub(crate) fn allows(&self) -> Option<Admission> {
        let mut phase = self.lock();
        let now = Instant::now();
        match phase.state {
            State::Closed { .. } => {}
            State::Open { until } | State::Probing { until } if now >= until => {
                phase.enter(State::Probing {
                    until: now + self.back_off,
                });
            }
            State::Open { .. } | State::Probing { .. } => return None,
        }
        self.asked.fetch_add(1, Ordering::Relaxed);
        Some(Admission {
            generation: phase.generation,
        })
    }

    /// Counts a success: it resets the count of failures, or closes the breaker when
    /// it was the probe's.
    pub(crate) fn succeeded(&self, admission: Admission) {
        let mut phase = self.lock();
        if admission.generation != phase.generation {
            return;
        }
        match phase.state {
            State::Closed { .. } => phase.state = State::Closed { failures: 0 },
            State::Probing { .. } | State::Open { .. } => {
                phase.enter(State::Closed { failures: 0 });
                tracing::info!("Redis answers again: rate-limit counts are shared again");
            }
        }
    }

    /// Counts a failure; the breaker opens (and says so, once per back-off) at the
    /// `failures_to_open`th in a row, or when the request probing Redis failed.
    pub(crate) fn failed(&self, admission: Admission, error: &str) {
        let mut phase = self.lock();
        if admission.generation != phase.generation {
            return;
        }
        let error = crate::redact::redact(error);
        match phase.state {
            State::Closed { failures } if failures + 1 < self.failures_to_open => {
                phase.state = State::Closed {
                    failures: failures + 1,
                };
                tracing::warn!(%error, "the rate-limit store failed; this request is counted in process");
            }
            State::Closed { .. } | State::Probing { .. } | State::Open { .. } => {
                phase.enter(State::Open {
                    until: Instant::now() + self.back_off,
                });
                tracing::warn!(
                    %error,
                    "Redis is failing: rate limits are counted in this process for {} s, then Redis is asked again",
                    self.back_off.as_secs_f32()
                );
            }
        }
    }

    /// Whether requests are kept away from Redis now (open, or one probing).
    #[cfg(test)]
    pub(crate) fn is_open(&self) -> bool {
        !matches!(self.lock().state, State::Closed { .. })
    }

    /// How many requests were let through to Redis so far.
    #[cfg(test)]
    pub(crate) fn asked(&self) -> u64 {
        self.asked.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Phase> {
        // The state is a plain value, valid whatever a panicking holder did.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::{Breaker, Duration, Instant, State};

    impl Breaker {
        fn state(&self) -> &'static str {
            match self.lock().state {
                State::Closed { .. } => "closed",
                State::Open { .. } => "open",
                State::Probing { .. } => "probing",
            }
        }

        /// Ends the back-off now, without waiting for it.
        fn back_off_passes(&self) {
            let mut phase = self.lock();
            if let State::Open { until } | State::Probing { until } = &mut phase.state {
                *until = Instant::now();
            }
        }
    }

    #[test]
    fn opens_after_failures_in_a_row_and_lets_one_probe_through() {
        let breaker = Breaker::new(3, Duration::from_secs(3600));
        let ask = || breaker.allows().expect("allowed");
        breaker.failed(ask(), "refused");
        breaker.failed(ask(), "refused");
        breaker.succeeded(ask());
        breaker.failed(ask(), "refused");
        breaker.failed(ask(), "refused");
        assert_eq!(
            breaker.state(),
            "closed",
            "a success in between starts the count again"
        );
        breaker.failed(ask(), "refused");
        assert_eq!(breaker.state(), "open");
        let asked = breaker.asked();
        assert!(breaker.allows().is_none() && breaker.allows().is_none());
        assert_eq!(breaker.asked(), asked);
        // Once the back-off has passed, one request probes; the others stay away.
        breaker.back_off_passes();
        let probe = breaker.allows().expect("the probe");
        assert!(breaker.allows().is_none());
        assert_eq!(breaker.state(), "probing");
        breaker.failed(probe, "refused");
        assert_eq!(breaker.state(), "open", "the probe failed");
        breaker.back_off_passes();
        breaker.succeeded(breaker.allows().expect("the next probe"));
        assert_eq!(breaker.state(), "closed");
    }

    /// A slow success from a request let through before the breaker opened does not
    /// close it during the outage.
    #[test]
    fn a_late_success_from_before_the_opening_is_ignored() {
        let breaker = Breaker::new(2, Duration::from_secs(3600));
        let slow = breaker.allows().expect("closed");
        breaker.failed(breaker.allows().unwrap(), "refused");
        breaker.failed(breaker.allows().unwrap(), "refused");
        assert_eq!(breaker.state(), "open");
        breaker.succeeded(slow);
        assert_eq!(breaker.state(), "open");
        assert!(breaker.allows().is_none());
        // Nor while a probe is out, nor does it close the breaker after the probe
        // failed.
        breaker.back_off_passes();
        let probe = breaker.allows().expect("the probe");
        breaker.succeeded(slow);
        assert_eq!(breaker.state(), "probing");
        breaker.failed(probe, "refused");
        breaker.succeeded(slow);
        assert_eq!(breaker.state(), "open");
    }

    /// A late failure from before the opening, arriving while a probe is out, is not
    /// the probe's: the probe's own success closes the breaker.
    #[test]
    fn a_late_failure_is_not_the_probes() {
        let breaker = Breaker::new(1, Duration::from_secs(3600));
        let slow = breaker.allows().expect("closed");
        breaker.failed(breaker.allows().unwrap(), "refused");
        breaker.back_off_passes();
        let probe = breaker.allows().expect("the probe");
        breaker.failed(slow, "timed out");
        assert_eq!(breaker.state(), "probing");
        breaker.succeeded(probe);
        assert_eq!(breaker.state(), "closed");
        // A probe that never reported is replaced after the back-off; its late
        // outcome is then ignored.
        breaker.failed(breaker.allows().unwrap(), "refused");
        breaker.back_off_passes();
        let lost = breaker.allows().expect("a probe");
        breaker.back_off_passes();
        let replacement = breaker.allows().expect("another probe");
        breaker.failed(lost, "timed out");
        assert_eq!(breaker.state(), "probing");
        breaker.succeeded(replacement);
        assert_eq!(breaker.state(), "closed");
    }
}
