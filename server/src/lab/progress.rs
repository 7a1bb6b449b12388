//! Progress lines for long lab work: which step, what it did, how long it took.

use std::time::Instant;

pub struct Progress {
    started: Instant,
    step_started: Instant,
    steps: usize,
    step: usize,
    /// Steps that changed something; zero at the end means the lab was already as wanted.
    pub changes: usize,
}

impl Progress {
    pub fn new(steps: usize) -> Progress {
        let now = Instant::now();
        Progress {
            started: now,
            step_started: now,
            steps,
            step: 0,
            changes: 0,
        }
    }

    pub fn step(&mut self, title: &str) {
        self.step += 1;
        self.step_started = Instant::now();
        println!("[{}/{}] {title}", self.step, self.steps);
    }

    /// A line inside the current step.
    pub fn note(&self, text: &str) {
        println!("      {text}");
    }

    /// Ends the step; `changed` says whether it altered anything.
    pub fn done(&mut self, outcome: &str, changed: bool) {
        if changed {
            self.changes += 1;
        }
        println!(
            "      {outcome} ({:.1}s)",
            self.step_started.elapsed().as_secs_f64()
        );
    }

    pub fn total_secs(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}
