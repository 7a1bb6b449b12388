//! The frames sent lately, in order, so a viewer can start from a snapshot frame built a
//! moment ago and catch up with what came after it, rather than have the whole state
//! serialized again for it. At 20,000 tasks a snapshot is 6 MB of JSON and ~70 ms to write;
//! under churn every version is new, so a thousand viewers reconnecting after a restart
//! would each have one built, and hold it while it is sent.

use super::hub::Frame;
use std::collections::VecDeque;

/// How many frames are kept: a few seconds of a busy swarm's changes.
pub const KEPT: usize = 64;

/// The last `KEPT` frames sent, each numbered by `Frame::order`, without a gap.
pub struct Recent {
    frames: VecDeque<Frame>,
    /// The order of the last frame published, kept or not.
    last: u64,
    /// The version (seq) the kept frames start from, when that is known: the state's first
    /// version, a change nobody watched, or the delta that fell out last.
    starts_at: Option<u64>,
}

impl Default for Recent {
    fn default() -> Recent {
        Recent {
            frames: VecDeque::new(),
            last: 0,
            starts_at: Some(0),
        }
    }
}

impl Recent {
    /// A frame was sent to viewers, numbered one past the last.
    pub fn push(&mut self, frame: Frame) {
        debug_assert_eq!(frame.order, self.last + 1, "frames are numbered in order");
        self.last = frame.order;
        if self.frames.len() == KEPT
            && let Some(out) = self.frames.pop_front()
        {
            // A status leaves the version it was sent at unknown: it may have come before.
            self.starts_at = out.is_delta.then_some(out.seq);
        }
        self.frames.push_back(frame);
    }

    /// A change to version `seq` was published and not written (nobody watched): what was
    /// kept no longer leads up to the present. Returns the change's order.
    pub fn skip(&mut self, seq: u64) -> u64 {
        self.frames.clear();
        self.starts_at = Some(seq);
        self.last += 1;
        self.last
    }

    /// The order of the last frame published.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// The frames that take a viewer holding version `seq` to the present: from the delta
    /// that made it (or from where the kept frames start, if that is `seq`) on. A status sent
    /// at `seq` may be one the viewer has: sent again, it changes nothing. None when the
    /// frames that lead on from `seq` are not all kept (or `seq` was never published).
    pub fn after_version(&self, seq: u64) -> Option<Vec<Frame>> {
        let start = match self.frames.iter().position(|f| f.is_delta && f.seq == seq) {
            Some(at) => at + 1,
            None if self.starts_at == Some(seq) => 0,
            None => return None,
        };
        Some(self.frames.iter().skip(start).cloned().collect())
    }

    /// The order the next frame takes.
    pub fn next_order(&self) -> u64 {
        self.last + 1
    }

    /// The frames that take a viewer from the version reached at `order` to the present, or
    /// None if some of them are no longer kept.
    pub fn since(&self, order: u64) -> Option<Vec<Frame>> {
        if order >= self.last {
            return Some(Vec::new());
        }
        let oldest = self.frames.front()?.order;
        (oldest <= order + 1).then(|| {
            let skip = usize::try_from(order + 1 - oldest).unwrap_or(usize::MAX);
            self.frames.iter().skip(skip).cloned().collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(order: u64) -> Frame {
        Frame {
            seq: order,
            order,
            is_delta: true,
            json: format!("{order}").into(),
        }
    }

    fn orders(frames: Option<Vec<Frame>>) -> Option<Vec<u64>> {
        frames.map(|f| f.iter().map(|f| f.order).collect())
    }

    #[test]
    fn a_viewer_catches_up_from_what_is_kept() {
        let mut recent = Recent::default();
        for order in 1..=5 {
            recent.push(frame(order));
        }
        let cases: [(u64, Option<Vec<u64>>); 5] = [
            (0, Some(vec![1, 2, 3, 4, 5])),
            (3, Some(vec![4, 5])),
            (4, Some(vec![5])),
            (5, Some(vec![])),
            (9, Some(vec![])),
        ];
        for (from, expected) in cases {
            assert_eq!(orders(recent.since(from)), expected, "from {from}");
        }
    }

    #[test]
    fn what_fell_out_or_was_skipped_cannot_be_caught_up() {
        let mut recent = Recent::default();
        for order in 1..=(KEPT as u64 + 10) {
            recent.push(frame(order));
        }
        assert_eq!(orders(recent.since(9)), None, "frame 10 fell out");
        assert_eq!(orders(recent.since(10)).map(|f| f.len()), Some(KEPT));

        // Nobody watched one change: nothing before it leads to the present any more.
        let skipped = recent.skip(99);
        assert_eq!(skipped, KEPT as u64 + 11);
        assert_eq!(orders(recent.since(skipped - 1)), None);
        assert_eq!(orders(recent.since(skipped)), Some(vec![]));
        recent.push(frame(recent.next_order()));
        assert_eq!(orders(recent.since(skipped)), Some(vec![skipped + 1]));
    }

    #[test]
    fn a_version_is_resumed_from_the_delta_that_made_it() {
        let status = |order: u64, seq: u64| Frame {
            is_delta: false,
            seq,
            ..frame(order)
        };
        let delta = |order: u64, seq: u64| Frame {
            seq,
            ..frame(order)
        };
        let mut recent = Recent::default();
        // Versions 1 and 2, a status at 2, version 3.
        for f in [delta(1, 1), delta(2, 2), status(3, 2), delta(4, 3)] {
            recent.push(f);
        }
        let cases: [(u64, Option<Vec<u64>>); 5] = [
            (0, Some(vec![1, 2, 3, 4])),
            (1, Some(vec![2, 3, 4])),
            (2, Some(vec![3, 4])),
            (3, Some(vec![])),
            (4, None),
        ];
        for (seq, expected) in cases {
            assert_eq!(
                orders(recent.after_version(seq)),
                expected,
                "from version {seq}"
            );
        }

        // Version 4 made while nobody watched: only it can be resumed.
        recent.skip(4);
        assert_eq!(orders(recent.after_version(3)), None);
        assert_eq!(orders(recent.after_version(4)), Some(vec![]));
        recent.push(delta(recent.next_order(), 5));
        assert_eq!(orders(recent.after_version(4)), Some(vec![6]));

        // Once the delta to version 5 falls out, version 5 is where the kept ones start.
        for seq in 6..(6 + KEPT as u64) {
            recent.push(delta(recent.next_order(), seq));
        }
        assert_eq!(orders(recent.after_version(4)), None);
        assert_eq!(orders(recent.after_version(5)).map(|f| f.len()), Some(KEPT));
    }
}
