//! A running `flotilla serve` of this package's binary: `testkit::Panel` (a free port, its own
//! audit log unless the test gives `--audit-log`, its output printed if the test fails,
//! killed on drop), started the way these tests always have.

pub struct Panel(testkit::Panel);

impl Panel {
    /// Starts the panel for `docker` and waits for the address it prints.
    pub fn start(docker: &str, extra: &[&str]) -> Panel {
        Panel::start_with_env(docker, extra, &[])
    }

    pub fn start_with_env(docker: &str, extra: &[&str], env: &[(&str, &str)]) -> Panel {
        Panel(
            testkit::Panel::launch(env!("CARGO_BIN_EXE_flotilla"), docker)
                .arg("--site-root")
                .arg(testkit::site_root())
                .args(extra)
                .envs(env.iter().copied())
                .start(),
        )
    }
}

impl std::ops::DerefMut for Panel {
    fn deref_mut(&mut self) -> &mut testkit::Panel {
        &mut self.0
    }
}

impl std::ops::Deref for Panel {
    type Target = testkit::Panel;
    fn deref(&self) -> &testkit::Panel {
        &self.0
    }
}
