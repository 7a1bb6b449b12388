//! A running `flotilla serve` for a browser test: `testkit::Panel` (a free port, killed on
//! drop, its output printed if the test fails) with its log and audit log in the scratch
//! directory, and no credentials or security settings inherited from the environment (only
//! `env` gives them).

use std::path::Path;

pub struct Panel(testkit::Panel);

impl Panel {
    /// Starts `flotilla serve --docker <docker>` and waits for the line with its address.
    /// `name` tells this panel's files in `scratch` apart.
    pub fn start(bin: &Path, site: &Path, docker: &str, scratch: &Path, name: &str) -> Panel {
        Panel::start_with(bin, site, docker, scratch, name, &[], &[])
    }

    /// As `start`, with more arguments and environment (credentials come only from there).
    pub fn start_with(
        bin: &Path,
        site: &Path,
        docker: &str,
        scratch: &Path,
        name: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Panel {
        let audit = scratch.join(format!("audit-{name}.jsonl"));
        let launch = testkit::Panel::launch(bin, docker)
            .arg("--site-root")
            .arg(site)
            .arg("--audit-log")
            .arg(audit)
            .args(args)
            .log(scratch.join(format!("panel-{name}.log")));
        let launch = [
            "FLOTILLA_ADMIN_TOKEN",
            "FLOTILLA_ADMIN_TOKEN_FILE",
            "FLOTILLA_OPERATOR_TOKEN",
            "FLOTILLA_OPERATOR_TOKEN_FILE",
            "FLOTILLA_VIEWER_TOKEN",
            "FLOTILLA_VIEWER_TOKEN_FILE",
            "FLOTILLA_VIEW",
            "FLOTILLA_PUBLIC_URL",
            "FLOTILLA_SESSION_KEY_FILE",
            "FLOTILLA_KIOSK_FILE",
            "FLOTILLA_ALLOW_IMAGES",
        ]
        .into_iter()
        .fold(launch, |launch, name| launch.env_remove(name));
        Panel(launch.envs(env.iter().copied()).start())
    }
}

impl std::ops::Deref for Panel {
    type Target = testkit::Panel;
    fn deref(&self) -> &testkit::Panel {
        &self.0
    }
}
