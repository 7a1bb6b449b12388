//! Reconnect delays: capped exponential with jitter, shared by the server (Docker engine)
//! and the browser (websocket). Pure: the caller supplies the random number.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    pub const DEFAULT: Backoff = Backoff {
        base: Duration::from_millis(500),
        cap: Duration::from_secs(30),
    };

    /// The wait before retry number `attempt` (0 for the first retry). `jitter` in [0, 1]
    /// picks a point in the upper half of the exponential step, so waits never collapse to
    /// zero yet many clients do not retry in lockstep.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let step = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(31)))
            .min(self.cap);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        step / 2 + step.mul_f64(jitter / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_doubles_and_caps() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        };
        let cases = [
            (0, 0.0, 50),
            (0, 1.0, 100),
            (1, 0.0, 100),
            (1, 1.0, 200),
            (3, 0.5, 600),
            (5, 1.0, 2000), // 3.2 s capped at 2 s
            (5, 0.0, 1000),
            (40, 1.0, 2000), // no overflow
            (u32::MAX, 1.0, 2000),
        ];
        for (attempt, jitter, ms) in cases {
            assert_eq!(
                b.delay(attempt, jitter),
                Duration::from_millis(ms),
                "attempt {attempt} jitter {jitter}"
            );
        }
    }

    #[test]
    fn jitter_out_of_range_is_clamped() {
        let b = Backoff::DEFAULT;
        assert_eq!(b.delay(0, -3.0), Duration::from_millis(250));
        assert_eq!(b.delay(0, 7.0), Duration::from_millis(500));
        assert_eq!(b.delay(0, f64::NAN), Duration::from_millis(250));
    }

    #[test]
    fn never_exceeds_the_cap() {
        let b = Backoff::DEFAULT;
        for attempt in 0..64 {
            for jitter in [0.0, 0.3, 0.99, 1.0] {
                assert!(b.delay(attempt, jitter) <= b.cap);
            }
        }
    }
}
