//! `docker stack deploy` parity on the real swarm (issue 9, "Tests and figures"): every compose
//! file in tests/stacks/, in ../shared/compose/ and in $FLOTILLA_PARITY_DIR (the hidden corpus)
//! is deployed with the docker CLI as `cli<N>` and with `flotilla stack deploy` as `fl<N>`;
//! every service, network, secret and config of both stacks is read back from the engine,
//! normalized (support/stacks.rs) and compared field by field. Then the flotilla stack is
//! redeployed unchanged: no service may change version. Prints deploy wall times of both
//! tools and their ratio; asserts no timing.
//!
//! - A corpus file the docker CLI refuses is skipped with the reason; one the CLI accepts and
//!   flotilla refuses is a failure. Our own fixtures must deploy with the CLI.
//! - FLOTILLA_PARITY_ONLY=03,webapp runs only the files whose name contains one of those.
//! - FLOTILLA_PARITY_SECOND=docker deploys the second stack with the docker CLI too: the
//!   harness's self-check (normalization must make two CLI deployments equal).
//!
//! Both stacks of a file exist together unless the first publishes ports or names an object
//! with `name:`; then the CLI's stack is removed before flotilla's is deployed.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;
use support::stacks::{self, Tool};
use support::swarm::SingleNodeSwarm;

/// Variables in the environment of both tools (interpolation, null environment entries).
const VARS: &[(&str, &str)] = &[
    ("PARITY_IMG", "flotilla-test/busybox:latest"),
    ("PARITY_NAME", "flotilla"),
    ("PARITY_EMPTY", ""),
    ("PARITY_N", "3"),
    ("PARITY_VERSION", "1.2.3"),
    ("NULL_FROM_PROCESS", "from-process"),
    ("BARE_FROM_PROCESS", "bare-from-process"),
];
/// Variables the fixtures expect unset (defaults, empty strings).
const UNSET: &[&str] = &[
    "PARITY_UNSET",
    "PARITY_NOT_SET_ANYWHERE",
    "PARITY_IMG_UNSET",
    "PARITY_REPLICAS_UNSET",
    "PARITY_PORT",
    "PARITY_URL",
    "PARITY_HOST_PORT",
    "NULL_UNSET",
    "BARE_UNSET",
];

/// Objects the fixtures (and ../shared/compose/ch03-webapi.yml) name as external.
const EXTERNAL_NETWORKS: &[&str] = &["parity_ext", "ch03"];
const EXTERNAL_SECRET: &str = "parity_ext_secret";
const EXTERNAL_CONFIG: &str = "parity_ext_config";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// tests/stacks/ and ../shared/compose/: the CLI must accept them.
    Ours,
    /// $FLOTILLA_PARITY_DIR: skipped when the CLI refuses them.
    Corpus,
}

struct Entry {
    path: PathBuf,
    origin: Origin,
}

enum Verdict {
    Equal,
    Skipped(String),
    Failed(Vec<String>),
}

struct Outcome {
    file: String,
    verdict: Verdict,
    times: Option<(Duration, Duration)>,
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(
                            p.extension().and_then(|e| e.to_str()),
                            Some("yml") | Some("yaml")
                        )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn entries() -> Vec<Entry> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut entries = Vec::new();
    let own = yaml_files(&manifest.join("tests/stacks"));
    assert!(
        own.len() >= 16,
        "tests/stacks/ holds {} fixtures",
        own.len()
    );
    entries.extend(own.into_iter().map(|path| Entry {
        path,
        origin: Origin::Ours,
    }));
    let shared = manifest.join("../../shared/compose");
    if shared.is_dir() {
        entries.extend(yaml_files(&shared).into_iter().map(|path| Entry {
            path,
            origin: Origin::Ours,
        }));
    } else {
        println!(
            "note: {} not found; the shared compose files are not run",
            shared.display()
        );
    }
    if let Some(dir) = std::env::var_os("FLOTILLA_PARITY_DIR") {
        let dir = PathBuf::from(dir);
        let corpus = yaml_files(&dir);
        println!("corpus: {} files in {}", corpus.len(), dir.display());
        entries.extend(corpus.into_iter().map(|path| Entry {
            path,
            origin: Origin::Corpus,
        }));
    }
    if let Ok(only) = std::env::var("FLOTILLA_PARITY_ONLY") {
        let wanted: Vec<&str> = only.split(',').filter(|s| !s.is_empty()).collect();
        entries.retain(|e| {
            let name = e.path.to_string_lossy();
            wanted.iter().any(|w| name.contains(w))
        });
    }
    entries
}

fn last_lines(text: &str, n: usize) -> String {
    // Less the CLI's notice about --detach, which says nothing about the file.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("--detach=false"))
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// Externals the fixtures need, created when missing; those created here are removed at the end.
#[derive(Default)]
struct Externals {
    networks: Vec<String>,
    secret: bool,
    config: bool,
}

async fn run_docker(args: &[&str], input: Option<&Path>) -> Result<(), String> {
    let mut command = stacks::docker_cli();
    command.args(args);
    if let Some(file) = input {
        command.arg(file);
    }
    let out = command
        .output()
        .await
        .map_err(|e| format!("docker {args:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

async fn create_externals() -> Externals {
    let mut made = Externals::default();
    for network in EXTERNAL_NETWORKS {
        let (status, _) = stacks::engine("GET", &format!("/networks/{network}"))
            .await
            .expect("engine");
        if status == 404 {
            run_docker(
                &[
                    "network",
                    "create",
                    "--driver",
                    "overlay",
                    "--attachable",
                    network,
                ],
                None,
            )
            .await
            .expect("external network");
            made.networks.push(network.to_string());
        }
    }
    let content = std::env::temp_dir().join(format!("flotilla-parity-{}.txt", std::process::id()));
    std::fs::write(&content, "external content\n").expect("temp file");
    if stacks::engine("GET", &format!("/secrets/{EXTERNAL_SECRET}"))
        .await
        .expect("engine")
        .0
        == 404
    {
        run_docker(&["secret", "create", EXTERNAL_SECRET], Some(&content))
            .await
            .expect("external secret");
        made.secret = true;
    }
    if stacks::engine("GET", &format!("/configs/{EXTERNAL_CONFIG}"))
        .await
        .expect("engine")
        .0
        == 404
    {
        run_docker(&["config", "create", EXTERNAL_CONFIG], Some(&content))
            .await
            .expect("external config");
        made.config = true;
    }
    let _ = std::fs::remove_file(&content);
    made
}

/// Made by the tasks of 04-volumes.yml (the local driver creates an external volume that
/// is missing); no stack label, so the sweep of the stacks' volumes does not see it.
const EXTERNAL_VOLUME: &str = "parity-external-volume";

async fn remove_externals(made: &Externals) {
    let _ = stacks::engine("DELETE", &format!("/volumes/{EXTERNAL_VOLUME}")).await;
    if made.secret {
        let _ = stacks::engine("DELETE", &format!("/secrets/{EXTERNAL_SECRET}")).await;
    }
    if made.config {
        let _ = stacks::engine("DELETE", &format!("/configs/{EXTERNAL_CONFIG}")).await;
    }
    let networks = made.networks.clone();
    support::wait_until(
        "the external networks to be removed",
        Duration::from_secs(120),
        || {
            let networks = networks.clone();
            async move {
                let mut left = Vec::new();
                for network in networks {
                    let (status, body) =
                        stacks::engine("DELETE", &format!("/networks/{network}")).await?;
                    if status != 204 && status != 404 {
                        left.push(format!("{network}: {status} {}", body.trim()));
                    }
                }
                if left.is_empty() {
                    Ok(())
                } else {
                    Err(left.join("; "))
                }
            }
        },
    )
    .await;
}

/// Best effort if the test panics half-way: the stacks it made go (the `rm` is all that Drop
/// can do without a runtime; the next run clears leftovers by name).
struct StackGuard(Vec<String>);

impl Drop for StackGuard {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let _ = std::process::Command::new("docker")
                .args(["--host", stacks::DOCKER_URL, "stack", "rm"])
                .args(&self.0)
                .output();
        }
    }
}

/// How the second stack's values are named in reports ("cli-2nd" in the self-check).
fn second_label(second: Tool) -> &'static str {
    match second {
        Tool::DockerCli => "cli-2nd",
        Tool::Flotilla => "flotilla",
    }
}

async fn run_one(n: usize, entry: &Entry, second: Tool, guard: &mut StackGuard) -> Outcome {
    let file = entry.path.display().to_string();
    let short = entry
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let (cli, fl) = (format!("cli{n:02}"), format!("fl{n:02}"));
    let both = vec![cli.clone(), fl.clone()];
    let labels = ("cli", second_label(second));
    println!("\n== {short} ({cli} vs {fl}) {file}");
    stacks::clear_stacks(&both).await;
    guard.0 = both.clone();
    let outcome = |verdict, times| Outcome {
        file: short.clone(),
        verdict,
        times,
    };
    let text = match std::fs::read_to_string(&entry.path) {
        Ok(text) => text,
        Err(e) => return outcome(Verdict::Failed(vec![format!("read {file}: {e}")]), None),
    };

    let a = stacks::deploy(Tool::DockerCli, &entry.path, &cli, VARS, UNSET).await;
    if !a.ok {
        stacks::remove_stacks(&both).await;
        let reason = format!("the docker CLI refuses it: {}", last_lines(&a.output, 3));
        println!("  {reason}");
        return match entry.origin {
            Origin::Corpus => outcome(Verdict::Skipped(reason), None),
            Origin::Ours => outcome(Verdict::Failed(vec![reason]), None),
        };
    }
    let before = match stacks::snapshot(&cli, &text).await {
        Ok(s) => s,
        Err(e) => {
            stacks::remove_stacks(&both).await;
            return outcome(Verdict::Failed(vec![format!("reading {cli}: {e}")]), None);
        }
    };
    let conflicts = before.conflicts();
    if !conflicts.is_empty() {
        println!(
            "  {cli} removed before {fl} is deployed: {}",
            conflicts.join("; ")
        );
        stacks::remove_stacks(std::slice::from_ref(&cli)).await;
    }

    let b = stacks::deploy(second, &entry.path, &fl, VARS, UNSET).await;
    let times = Some((a.took, b.took));
    println!(
        "  deploy wall time: cli {:.2}s, {} {:.2}s",
        a.took.as_secs_f64(),
        second_label(second),
        b.took.as_secs_f64()
    );
    if !b.ok {
        stacks::remove_stacks(&both).await;
        let problem = format!(
            "{} refuses what the docker CLI deploys: {}",
            second_label(second),
            b.output
        );
        println!("  FAIL {problem}");
        return outcome(Verdict::Failed(vec![problem]), times);
    }
    let mut problems = match stacks::snapshot(&fl, &text).await {
        Ok(after) => stacks::compare(&before, &after, labels),
        Err(e) => vec![format!("reading {fl}: {e}")],
    };
    for problem in &problems {
        println!("  DIFF {problem}");
    }

    // Redeploy unchanged: no service may be updated.
    stacks::services_allocated(&fl).await;
    let versions = stacks::service_versions(&fl).await;
    let again = stacks::deploy(second, &entry.path, &fl, VARS, UNSET).await;
    let after = stacks::service_versions(&fl).await;
    match (versions, after, again.ok) {
        (Ok(versions), Ok(after), true) => {
            let updated: Vec<String> = versions
                .iter()
                .filter(|(name, v)| after.get(*name) != Some(v))
                .map(|(name, v)| format!("{name} {v}->{:?}", after.get(name)))
                .chain(
                    after
                        .keys()
                        .filter(|k| !versions.contains_key(*k))
                        .map(|k| format!("{k} appeared")),
                )
                .collect();
            println!(
                "  redeploy unchanged ({} {:.2}s): {} of {} services updated{}",
                second_label(second),
                again.took.as_secs_f64(),
                updated.len(),
                versions.len(),
                if updated.is_empty() {
                    String::new()
                } else {
                    format!(": {}", updated.join(", "))
                }
            );
            if !updated.is_empty() {
                if second == Tool::Flotilla {
                    problems.push(format!(
                        "an unchanged redeploy updated {} service(s): {}",
                        updated.len(),
                        updated.join(", ")
                    ));
                } else {
                    println!(
                        "  (the docker CLI updates every service on a redeploy; not asserted for it)"
                    );
                }
            }
        }
        (_, _, false) if second == Tool::DockerCli => println!(
            "  the docker CLI's own redeploy failed (not asserted for it): {}",
            last_lines(&again.output, 1)
        ),
        (versions, after, ok) => problems.push(format!(
            "redeploy unchanged: {}",
            if ok {
                format!("reading versions: {:?} {:?}", versions.err(), after.err())
            } else {
                format!("{} failed: {}", second_label(second), again.output)
            }
        )),
    }

    stacks::remove_stacks(&both).await;
    guard.0.clear();
    if problems.is_empty() {
        println!("  equal: {} objects", before.objects.len());
        outcome(Verdict::Equal, times)
    } else {
        outcome(Verdict::Failed(problems), times)
    }
}

#[tokio::test]
async fn stacks_deploy_like_the_docker_cli() {
    let swarm = SingleNodeSwarm::acquire().await;
    support::image::ensure_test_image(&swarm.docker).await;
    let second = match std::env::var("FLOTILLA_PARITY_SECOND").as_deref() {
        Ok("docker") => Tool::DockerCli,
        _ => Tool::Flotilla,
    };
    println!(
        "reference: docker CLI {}",
        stacks::docker_cli_identity().await
    );
    if second == Tool::DockerCli {
        println!("SELF-CHECK: the second stack is deployed with the docker CLI too");
    }
    let made = create_externals().await;
    let entries = entries();
    let mut guard = StackGuard(Vec::new());
    let mut outcomes = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        outcomes.push(run_one(i + 1, entry, second, &mut guard).await);
    }
    let names: Vec<String> = (1..=entries.len())
        .flat_map(|n| [format!("cli{n:02}"), format!("fl{n:02}")])
        .collect();
    stacks::sweep(&names).await;
    remove_externals(&made).await;

    println!(
        "\n== summary ({} files; second tool: {})",
        outcomes.len(),
        second_label(second)
    );
    let (mut cli_total, mut second_total) = (Duration::ZERO, Duration::ZERO);
    let mut largest: Option<(u64, String)> = None;
    for (o, e) in outcomes.iter().zip(&entries) {
        let verdict = match &o.verdict {
            Verdict::Equal => "equal".to_string(),
            Verdict::Skipped(why) => format!("skipped ({why})"),
            Verdict::Failed(p) => format!("FAILED ({} problems)", p.len()),
        };
        let times = o
            .times
            .map(|(a, b)| {
                cli_total += a;
                second_total += b;
                format!(
                    "cli {:>6.2}s  {} {:>6.2}s",
                    a.as_secs_f64(),
                    second_label(second),
                    b.as_secs_f64()
                )
            })
            .unwrap_or_default();
        println!("  {:<28} {:<34} {verdict}", o.file, times);
        let size = std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
        if o.times.is_some() && largest.as_ref().is_none_or(|(s, _)| size > *s) {
            let (a, b) = o.times.unwrap_or_default();
            largest = Some((
                size,
                format!(
                    "{} ({size} bytes): cli {:.2}s, {} {:.2}s",
                    o.file,
                    a.as_secs_f64(),
                    second_label(second),
                    b.as_secs_f64()
                ),
            ));
        }
    }
    if !cli_total.is_zero() {
        println!(
            "deploy wall time, total: cli {:.2}s, {} {:.2}s, ratio {}/cli = {:.2}",
            cli_total.as_secs_f64(),
            second_label(second),
            second_total.as_secs_f64(),
            second_label(second),
            second_total.as_secs_f64() / cli_total.as_secs_f64()
        );
    }
    if let Some((_, line)) = largest {
        println!("largest file deployed: {line}");
    }

    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| match &o.verdict {
            Verdict::Failed(problems) => {
                Some(format!("{}:\n    {}", o.file, problems.join("\n    ")))
            }
            _ => None,
        })
        .collect();
    drop(swarm);
    assert!(
        failures.is_empty(),
        "{} of {} files differ from the docker CLI:\n  {}",
        failures.len(),
        outcomes.len(),
        failures.join("\n  ")
    );
}
