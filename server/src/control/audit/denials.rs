//! Counting repeated denials instead of writing each one: a client refused in a loop, or a
//! scanner walking paths, would otherwise fill the disk with near-identical lines. Pure: the
//! caller passes the time, so the rules are tested without clocks or sleeps.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// What to do with one denial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<K> {
    /// The first for its key in this window: write it now.
    Write,
    /// Its key was seen already in this window: counted, not written.
    Counted,
    /// The key's previous window ended with this many denials counted but not written: write
    /// a summary for the key, then this denial, which opens a new window. The key is the one
    /// counted, which is the overflow key when the table was full.
    SummaryThenWrite(K, u64),
}

struct Slot {
    /// When the denial that was written arrived: the window runs from here.
    since: Instant,
    /// Denials after that one, in the window, not written.
    count: u64,
}

/// Per key, a window that starts with a written denial and counts the ones after it.
pub struct Denials<K> {
    window: Duration,
    max_keys: usize,
    /// Where denials go once `max_keys` distinct keys are held, so memory stays bounded
    /// however many distinct keys a client invents.
    overflow: K,
    slots: HashMap<K, Slot>,
}

impl<K: Hash + Eq + Clone> Denials<K> {
    pub fn new(window: Duration, max_keys: usize, overflow: K) -> Denials<K> {
        Denials {
            window,
            max_keys,
            overflow,
            slots: HashMap::new(),
        }
    }

    /// One denial for `key` at `now`.
    pub fn see(&mut self, key: K, now: Instant) -> Verdict<K> {
        let key = self.admit(key);
        let window = self.window;
        match self.slots.get_mut(&key) {
            None => {
                self.slots.insert(
                    key,
                    Slot {
                        since: now,
                        count: 0,
                    },
                );
                Verdict::Write
            }
            Some(slot) if now.saturating_duration_since(slot.since) < window => {
                slot.count += 1;
                Verdict::Counted
            }
            Some(slot) => {
                let ended = std::mem::replace(
                    slot,
                    Slot {
                        since: now,
                        count: 0,
                    },
                );
                match ended.count {
                    0 => Verdict::Write,
                    count => Verdict::SummaryThenWrite(key, count),
                }
            }
        }
    }

    /// The keys whose window has ended by `now` with denials counted, and how many, oldest
    /// window first. Every ended window is forgotten, which frees its key.
    pub fn due(&mut self, now: Instant) -> Vec<(K, u64)> {
        let window = self.window;
        let mut due = Vec::new();
        self.slots.retain(|key, slot| {
            if now.saturating_duration_since(slot.since) < window {
                return true;
            }
            if slot.count > 0 {
                due.push((slot.since, key.clone(), slot.count));
            }
            false
        });
        due.sort_by_key(|(since, _, _)| *since);
        due.into_iter()
            .map(|(_, key, count)| (key, count))
            .collect()
    }

    /// Every count still held, whether or not its window ended: for when the log closes.
    pub fn drain(&mut self) -> Vec<(K, u64)> {
        let mut all: Vec<_> = self.slots.drain().filter(|(_, s)| s.count > 0).collect();
        all.sort_by_key(|(_, slot)| slot.since);
        all.into_iter()
            .map(|(key, slot)| (key, slot.count))
            .collect()
    }

    /// How many keys are held, the overflow key included.
    #[cfg(test)]
    pub fn keys(&self) -> usize {
        self.slots.len()
    }

    /// The key to count under: its own while there is room or it is already held.
    fn admit(&self, key: K) -> K {
        let held = self.slots.len() - usize::from(self.slots.contains_key(&self.overflow));
        if held < self.max_keys || self.slots.contains_key(&key) {
            key
        } else {
            self.overflow.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    enum Step {
        /// A denial for a key at a second, and the verdict expected.
        See(&'static str, u64, Verdict<&'static str>),
        /// `due` at a second, and what it should return (in any order).
        Due(u64, &'static [(&'static str, u64)]),
    }
    use Step::{Due, See};
    use Verdict::{Counted, SummaryThenWrite, Write};

    #[test]
    fn denials_are_written_once_per_window_and_counted() {
        // (name, window in seconds, max keys, steps); the overflow key is "*".
        let cases: Vec<(&str, u64, usize, Vec<Step>)> = vec![
            (
                "repeats in the window are counted, summarized once it ends",
                60,
                10,
                vec![
                    See("a", 0, Write),
                    See("a", 1, Counted),
                    See("a", 59, Counted),
                    Due(59, &[]),
                    Due(60, &[("a", 2)]),
                    Due(61, &[]),
                    See("a", 61, Write),
                ],
            ),
            (
                "a repeat after the window summarizes the last one, then is written",
                60,
                10,
                vec![
                    See("a", 0, Write),
                    See("a", 30, Counted),
                    See("a", 90, SummaryThenWrite("a", 1)),
                    See("a", 100, Counted),
                    Due(149, &[]),
                    Due(150, &[("a", 1)]),
                ],
            ),
            (
                "a lone denial leaves no summary",
                60,
                10,
                vec![See("a", 0, Write), See("a", 60, Write), Due(500, &[])],
            ),
            (
                "keys are counted apart",
                60,
                10,
                vec![
                    See("a", 0, Write),
                    See("b", 0, Write),
                    See("a", 1, Counted),
                    See("b", 1, Counted),
                    See("b", 2, Counted),
                    Due(60, &[("a", 1), ("b", 2)]),
                ],
            ),
            (
                "beyond the key limit, denials count under the overflow key",
                60,
                2,
                vec![
                    See("a", 0, Write),
                    See("b", 0, Write),
                    See("c", 0, Write),
                    See("d", 1, Counted),
                    See("e", 2, Counted),
                    See("a", 3, Counted),
                    Due(60, &[("a", 1), ("*", 2)]),
                    See("f", 61, Write),
                ],
            ),
            (
                "a zero window writes every denial",
                0,
                10,
                vec![See("a", 0, Write), See("a", 0, Write), Due(0, &[])],
            ),
        ];
        for (name, window, max_keys, steps) in cases {
            let start = Instant::now();
            let at = |s: u64| start + Duration::from_secs(s);
            let mut denials = Denials::new(Duration::from_secs(window), max_keys, "*");
            for (i, step) in steps.into_iter().enumerate() {
                match step {
                    See(key, s, want) => assert_eq!(denials.see(key, at(s)), want, "{name}: #{i}"),
                    Due(s, want) => {
                        let mut got = denials.due(at(s));
                        got.sort();
                        let mut want = want.to_vec();
                        want.sort();
                        assert_eq!(got, want, "{name}: #{i}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_flood_of_distinct_keys_holds_bounded_memory() {
        let start = Instant::now();
        let mut denials = Denials::new(Duration::from_secs(60), 1000, usize::MAX);
        let written = (0..100_000)
            .filter(|&k| denials.see(k, start) == Verdict::Write)
            .count();
        assert_eq!(denials.keys(), 1001, "1,000 keys and the overflow key");
        assert_eq!(written, 1001);
        assert_eq!(
            denials.drain(),
            vec![(usize::MAX, 100_000 - 1001)],
            "the rest are counted under the overflow key"
        );
        assert_eq!(denials.keys(), 0);
    }
}
