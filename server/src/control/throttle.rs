//! Login brute force, bounded: failed logins are counted per client and over all clients in
//! a window; past the limit a client is locked out (answered 429 even with the right token)
//! for a lockout that doubles with each repeat. Pure: the caller passes the time in.

use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Failures one client may make in a window before it is locked out.
    pub per_client: u32,
    /// Failures all clients together may make in a window before every login waits.
    pub global: u32,
    pub window: Duration,
    /// The longest lockout, however often a client comes back.
    pub max_lockout: Duration,
    /// Clients remembered at once; past it the oldest quiet ones are forgotten, so a flood
    /// of addresses cannot grow memory (the global limit still holds them).
    pub max_clients: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_client: 5,
            global: 100,
            window: Duration::from_secs(60),
            max_lockout: Duration::from_secs(3600),
            max_clients: 10_000,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Strikes {
    window_start: Instant,
    failures: u32,
    /// Lockouts so far: each one lasts twice the last.
    lockouts: u32,
    locked_until: Option<Instant>,
    last_seen: Instant,
}

#[derive(Debug)]
pub struct Throttle {
    limits: Limits,
    clients: HashMap<String, Strikes>,
    global_start: Option<Instant>,
    global_failures: u32,
}

/// What a failed login leads to, and whether it deserves an audit line: the first failure
/// in a window and the start of a lockout are written; the tries in between are not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Counted; `audit` for the first of its window.
    Counted { audit: bool },
    /// This failure started a lockout of this length.
    LockedOut(Duration),
}

impl Throttle {
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits,
            clients: HashMap::new(),
            global_start: None,
            global_failures: 0,
        }
    }

    /// Before a login is tried: Err(how long to wait) while this client, or everyone, is
    /// locked out.
    pub fn check(&mut self, client: &str, now: Instant) -> Result<(), Duration> {
        let window = self.limits.window;
        if let Some(start) = self.global_start {
            if now >= start + window {
                self.global_start = None;
                self.global_failures = 0;
            } else if self.global_failures >= self.limits.global {
                return Err(start + window - now);
            }
        }
        match self.clients.get(client).and_then(|s| s.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// A wrong token from `client`.
    pub fn failed(&mut self, client: &str, now: Instant) -> Failure {
        let window = self.limits.window;
        let start = *self.global_start.get_or_insert(now);
        if now >= start + window {
            self.global_start = Some(now);
            self.global_failures = 0;
        }
        self.global_failures = self.global_failures.saturating_add(1);
        if !self.clients.contains_key(client) && self.clients.len() >= self.limits.max_clients {
            self.forget_quiet(now);
        }
        let strikes = self.clients.entry(client.to_string()).or_insert(Strikes {
            window_start: now,
            failures: 0,
            lockouts: 0,
            locked_until: None,
            last_seen: now,
        });
        // A long quiet spell after the last lockout ended forgives earlier lockouts.
        let quiet_since = strikes
            .locked_until
            .map_or(strikes.last_seen, |u| u.max(strikes.last_seen));
        if now.saturating_duration_since(quiet_since) >= self.limits.max_lockout {
            strikes.lockouts = 0;
        }
        strikes.last_seen = now;
        if now >= strikes.window_start + window {
            strikes.window_start = now;
            strikes.failures = 0;
        }
        strikes.failures += 1;
        if strikes.failures < self.limits.per_client {
            return Failure::Counted {
                audit: strikes.failures == 1,
            };
        }
        let lockout = window
            .saturating_mul(1 << strikes.lockouts.min(16))
            .min(self.limits.max_lockout);
        strikes.lockouts += 1;
        strikes.failures = 0;
        strikes.window_start = now + lockout;
        strikes.locked_until = Some(now + lockout);
        Failure::LockedOut(lockout)
    }

    /// A login that worked: the client starts afresh.
    pub fn succeeded(&mut self, client: &str) {
        self.clients.remove(client);
    }

    /// Drops clients neither locked out nor seen within a window; if none qualifies, the
    /// one seen longest ago.
    fn forget_quiet(&mut self, now: Instant) {
        let window = self.limits.window;
        self.clients.retain(|_, s| {
            s.locked_until.is_some_and(|u| u > now) || now.duration_since(s.last_seen) < window
        });
        if self.clients.len() >= self.limits.max_clients {
            let oldest = self
                .clients
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone());
            oldest.map(|k| self.clients.remove(&k));
        }
    }

    #[cfg(test)]
    pub fn clients(&self) -> usize {
        self.clients.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_client_is_locked_out_after_the_limit_with_a_growing_lockout() {
        let mut throttle = Throttle::new(Limits::default());
        let t0 = Instant::now();
        let mut audited = 0;
        for i in 0..4 {
            assert_eq!(throttle.check("a", t0), Ok(()), "try {i}");
            match throttle.failed("a", t0) {
                Failure::Counted { audit } => audited += usize::from(audit),
                other => panic!("try {i}: {other:?}"),
            }
        }
        assert_eq!(audited, 1, "one audit line for the window's first failure");
        assert_eq!(throttle.failed("a", t0), Failure::LockedOut(MINUTE));
        // Locked: even the right token waits (the caller checks before verifying).
        assert_eq!(
            throttle.check("a", t0 + Duration::from_secs(10)),
            Err(Duration::from_secs(50))
        );
        assert_eq!(
            throttle.check("b", t0),
            Ok(()),
            "other clients are not affected"
        );
        // The window passes: allowed again; five more failures lock it out twice as long.
        let t1 = t0 + MINUTE;
        assert_eq!(throttle.check("a", t1), Ok(()));
        for _ in 0..4 {
            assert!(matches!(throttle.failed("a", t1), Failure::Counted { .. }));
        }
        assert_eq!(throttle.failed("a", t1), Failure::LockedOut(2 * MINUTE));
        assert_eq!(throttle.check("a", t1 + MINUTE), Err(MINUTE));
        throttle.succeeded("a");
        assert_eq!(throttle.check("a", t1 + MINUTE), Ok(()));
    }

    #[test]
    fn lockouts_are_capped() {
        let limits = Limits {
            per_client: 1,
            ..Limits::default()
        };
        let mut throttle = Throttle::new(limits);
        let mut now = Instant::now();
        let mut last = Duration::ZERO;
        for _ in 0..20 {
            match throttle.failed("a", now) {
                Failure::LockedOut(d) => last = d,
                other => panic!("{other:?}"),
            }
            now += last;
        }
        assert_eq!(last, limits.max_lockout);
    }

    #[test]
    fn the_global_limit_holds_many_clients_back() {
        let limits = Limits {
            global: 10,
            ..Limits::default()
        };
        let mut throttle = Throttle::new(limits);
        let t0 = Instant::now();
        for i in 0..10 {
            throttle.failed(&format!("10.0.0.{i}"), t0);
        }
        assert_eq!(
            throttle.check("fresh", t0 + Duration::from_secs(1)),
            Err(Duration::from_secs(59))
        );
        assert_eq!(throttle.check("fresh", t0 + MINUTE), Ok(()));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_addresses() {
        let limits = Limits {
            max_clients: 100,
            global: u32::MAX,
            ..Limits::default()
        };
        let mut throttle = Throttle::new(limits);
        let t0 = Instant::now();
        for i in 0..10_000u32 {
            throttle.failed(
                &format!("client-{i}"),
                t0 + Duration::from_millis(u64::from(i)),
            );
        }
        assert!(throttle.clients() <= 100, "{}", throttle.clients());
    }
}
