//! `flotilla health`: asks a running panel's `/healthz`, for a container's `HEALTHCHECK` (the
//! image has no shell and no curl). Exit 0 when it answers 200; otherwise 1, with one line
//! saying why.

use crate::http_client;
use anyhow::{anyhow, bail};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// The panel's liveness route (served by `web`): 200 while the process is up.
pub const PATH: &str = "/healthz";

#[derive(clap::Args, Clone, Debug)]
pub struct HealthOptions {
    /// The panel's listen address, as given to `serve` (the same variable): 0.0.0.0 and [::]
    /// are asked on 127.0.0.1.
    #[arg(long, env = "FLOTILLA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// How long the whole check may take (connecting and the answer).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout_secs: u64,
}

/// Where to ask: the listen address itself, or IPv4 loopback for a wildcard address (a panel
/// on [::] accepts IPv4 too on Linux, and a container may have no IPv6 loopback).
pub fn target(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    }
}

pub async fn run(options: &HealthOptions) -> anyhow::Result<()> {
    if options.addr.port() == 0 {
        bail!(
            "--addr {}: give the port the panel listens on",
            options.addr
        );
    }
    let target = target(options.addr);
    let url = format!("http://{target}{PATH}");
    // The panel refuses Host names it does not answer as (421); its listen address, and
    // 127.0.0.1 with its port, it always answers as.
    let host = target.to_string();
    let timeout = Duration::from_secs(options.timeout_secs);
    // The error's own text already ends with its causes ("Connection refused"): as context,
    // anyhow would print them a second time.
    let (status, body) = http_client::get_as(&url, Some(&host), timeout)
        .await
        .map_err(|e| anyhow!("unhealthy: {e}"))?;
    if status != 200 {
        bail!("unhealthy: GET {url} answered {status}{}", excerpt(&body));
    }
    println!("healthy: GET {url} answered 200");
    Ok(())
}

/// The start of a refusal's body on the same line: the reason must stay one line.
fn excerpt(body: &str) -> String {
    let line: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(120)
        .collect();
    if line.is_empty() {
        String::new()
    } else {
        format!(": {line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;

    /// A loopback stand-in for the panel: `/healthz` answers `status` and echoes the Host it
    /// was sent.
    async fn panel(status: StatusCode) -> SocketAddr {
        let app = Router::new().route(
            PATH,
            get(move |headers: HeaderMap| async move {
                let host = headers
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("none")
                    .to_string();
                (status, format!("host {host}\nsecond line"))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    fn options(addr: SocketAddr, timeout_secs: u64) -> HealthOptions {
        HealthOptions { addr, timeout_secs }
    }

    #[test]
    fn wildcard_addresses_are_asked_on_loopback() {
        let cases = [
            ("0.0.0.0:8080", "127.0.0.1:8080"),
            ("[::]:9000", "127.0.0.1:9000"),
            ("127.0.0.1:8080", "127.0.0.1:8080"),
            ("[::1]:8080", "[::1]:8080"),
            ("10.1.2.3:80", "10.1.2.3:80"),
        ];
        for (given, asked) in cases {
            let given: SocketAddr = given.parse().expect("address");
            assert_eq!(target(given).to_string(), asked, "{given}");
        }
    }

    #[tokio::test]
    async fn healthy_only_on_200() {
        let up = panel(StatusCode::OK).await;
        run(&options(up, 3)).await.expect("200 is healthy");
        // A wildcard listen address is asked on loopback, with 127.0.0.1:<port> as its Host.
        let wildcard = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), up.port());
        run(&options(wildcard, 3)).await.expect("asked on loopback");

        let down = panel(StatusCode::SERVICE_UNAVAILABLE).await;
        let error = format!("{:#}", run(&options(down, 3)).await.expect_err("503"));
        assert_eq!(
            error,
            format!("unhealthy: GET http://{down}/healthz answered 503: host {down} second line")
        );
    }

    #[tokio::test]
    async fn sends_the_host_the_panel_answers_as() {
        let up = panel(StatusCode::IM_A_TEAPOT).await;
        let wildcard = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), up.port());
        let error = format!("{:#}", run(&options(wildcard, 3)).await.expect_err("418"));
        assert!(
            error.ends_with(&format!(
                "answered 418: host 127.0.0.1:{} second line",
                up.port()
            )),
            "{error}"
        );
    }

    #[tokio::test]
    async fn refused_silent_and_portless_are_unhealthy_in_one_line() {
        // Nothing listens: a port just bound, then released.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind")
            .local_addr()
            .expect("addr");
        let refused = format!("{:#}", run(&options(closed, 3)).await.expect_err("closed"));
        assert!(
            refused.starts_with("unhealthy: GET http://") && refused.contains("refused"),
            "{refused}"
        );
        assert_eq!(refused.matches("refused").count(), 1, "{refused}");

        // Accepts, never answers: cut at the timeout.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = silent.local_addr().expect("addr");
        let held = tokio::spawn(async move {
            let mut kept = Vec::new();
            while let Ok((stream, _)) = silent.accept().await {
                kept.push(stream);
            }
        });
        let timed_out = format!("{:#}", run(&options(addr, 1)).await.expect_err("silent"));
        assert!(timed_out.ends_with("no answer within 1s"), "{timed_out}");
        held.abort();

        let portless: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let error = format!(
            "{:#}",
            run(&options(portless, 3)).await.expect_err("port 0")
        );
        assert!(error.contains("give the port"), "{error}");

        for error in [refused, timed_out, error] {
            assert!(!error.contains('\n'), "one line: {error}");
        }
    }
}
