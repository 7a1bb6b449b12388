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
#[derive(Default)]
pub struct Recent {
    frames: VecDeque<Frame>,
    /// The order of the last frame published, kept or not.
    last: u64,
}

impl Recent {
    /// A frame was sent to viewers, numbered one past the last.
    pub fn push(&mut self, frame: Frame) {
        debug_assert_eq!(frame.order, self.last + 1, "frames are numbered in order");
        self.last = frame.order;
        if self.frames.len() == KEPT {
            self.frames.pop_front();
        }
        self.frames.push_back(frame);
    }

    /// A change was published and not written (nobody watched): what was kept no longer
    /// leads up to the present. Returns the change's order.
    pub fn skip(&mut self) -> u64 {
        self.frames.clear();
        self.last += 1;
        self.last
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
        let skipped = recent.skip();
        assert_eq!(skipped, KEPT as u64 + 11);
        assert_eq!(orders(recent.since(skipped - 1)), None);
        assert_eq!(orders(recent.since(skipped)), Some(vec![]));
        recent.push(frame(recent.next_order()));
        assert_eq!(orders(recent.since(skipped)), Some(vec![skipped + 1]));
    }
}
