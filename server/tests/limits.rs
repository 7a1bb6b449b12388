//! Nothing a client does is unbounded: viewers are capped in all and per address (refused
//! with a reason, their seats given back when they go), a viewer may not send more than a
//! few KiB, and a client that trickles its request headers, or says nothing, is hung up on.
//! None of this needs a swarm: the panel serves its feed and API with the engine unreachable.

mod support;

use std::net::IpAddr;
use std::time::Duration;
use support::panel::Panel;
use support::viewer::Viewer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Nothing listens there: the panel starts anyway and shows the engine as unreachable.
const NO_ENGINE: &str = "tcp://127.0.0.1:1";
const LIMIT: Duration = Duration::from_secs(5);

fn local(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

async fn refused(addr: &str, from: IpAddr) -> (u16, String) {
    match Viewer::try_connect_from(addr, from).await {
        Ok(_) => panic!("a viewer past the cap was served"),
        Err(close) => close,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_past_the_cap_is_refused_and_a_seat_given_back_is_reused() {
    let panel = Panel::start(NO_ENGINE, &["--max-viewers", "5"]);
    let mut viewers = Vec::new();
    for n in 0..5 {
        // Spread over addresses: only the overall cap is at work here.
        let viewer = Viewer::try_connect_from(&panel.addr, local(1 + n % 2)).await;
        viewers.push(viewer.expect("a viewer under the cap"));
    }
    let (code, reason) = refused(&panel.addr, local(3)).await;
    assert_eq!(code, 1013, "try again later");
    assert_eq!(reason, "too many viewers: the panel serves at most 5");

    drop(viewers.pop());
    let again = support::wait_until("a freed seat", LIMIT, || async {
        Viewer::try_connect_from(&panel.addr, local(3)).await.ok()
    })
    .await;
    assert_eq!(again.snapshots, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_1001st_viewer_is_refused_at_the_default_cap() {
    let panel = Panel::start(NO_ENGINE, &["--max-viewers-per-ip", "2000"]);
    let mut viewers = Vec::with_capacity(1000);
    for _ in 0..1000 {
        viewers.push(Viewer::connect(&panel.addr).await);
    }
    let (code, reason) = refused(&panel.addr, local(1)).await;
    assert_eq!(code, 1013);
    assert_eq!(reason, "too many viewers: the panel serves at most 1000");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_is_capped_while_others_are_served() {
    let panel = Panel::start(NO_ENGINE, &["--max-viewers-per-ip", "3"]);
    let mut viewers = Vec::new();
    for _ in 0..3 {
        let viewer = Viewer::try_connect_from(&panel.addr, local(1)).await;
        viewers.push(viewer.expect("a viewer under the per-address cap"));
    }
    let (code, reason) = refused(&panel.addr, local(1)).await;
    assert_eq!(code, 1008, "a policy refusal");
    assert_eq!(
        reason,
        "too many viewers from one address: the panel serves at most 3 per address"
    );
    let other = Viewer::try_connect_from(&panel.addr, local(2)).await;
    assert!(other.is_ok(), "another address is still served");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_sending_8_kib_is_closed_and_the_others_carry_on() {
    let panel = Panel::start(NO_ENGINE, &["--beat-secs", "1"]);
    let mut talker = Viewer::connect(&panel.addr).await;
    let mut bystander = Viewer::connect(&panel.addr).await;

    // A small message is ignored: the talker is still fed (a beat arrives after it).
    assert!(talker.send_text("x".repeat(1024)).await);
    let beats = talker.beats;
    talker
        .until("a beat after 1 KiB", LIMIT, |v| v.beats > beats)
        .await;

    assert!(talker.send_text("x".repeat(8 * 1024)).await);
    let closed = tokio::time::timeout(LIMIT, async { while talker.read_one().await {} }).await;
    assert!(closed.is_ok(), "still open after sending 8 KiB");
    if let Some((code, reason)) = &talker.close {
        assert_eq!(*code, 1008, "{reason}");
    }

    let beats = bystander.beats;
    bystander
        .until("a beat for the other viewer", LIMIT, |v| v.beats > beats)
        .await;
}

/// Reads until the panel hangs up: Some(what it sent) if it did so within `LIMIT`. While
/// waiting, trickles `request` one byte every 200 ms, as a slowloris client does.
async fn hung_up_on(stream: TcpStream, request: &[u8]) -> Option<Vec<u8>> {
    let (mut reader, mut writer) = stream.into_split();
    let trickle = async {
        for byte in request {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await
    };
    let hang_up = async {
        let mut received = Vec::new();
        let mut buffer = [0; 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => return received,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    let either = async {
        tokio::select! {
            received = hang_up => received,
            () = trickle => unreachable!("the trickle never ends"),
        }
    };
    tokio::time::timeout(LIMIT, either).await.ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_trickles_its_headers_or_says_nothing_is_hung_up_on() {
    let panel = Panel::start(NO_ENGINE, &["--header-timeout-secs", "1"]);
    // 40 bytes at 5 a second: the header is nowhere near complete when the timeout strikes.
    let slow = b"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: trickle\r\n";
    let stream = TcpStream::connect(&panel.addr).await.expect("connect");
    let answer = hung_up_on(stream, slow).await;
    let answer = answer.expect("a slowloris client was still connected after 5 s");
    assert!(
        !String::from_utf8_lossy(&answer).contains(" 200 "),
        "an incomplete request was answered"
    );

    let silent = TcpStream::connect(&panel.addr).await.expect("connect");
    let answer = hung_up_on(silent, b"").await;
    assert!(
        answer.is_some(),
        "a silent client was still connected after 5 s"
    );

    let (status, body) = support::http_get(&panel.addr, "/api/me")
        .await
        .expect("a plain GET");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"role\""), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_past_the_cap_are_closed_until_one_goes() {
    // A long header timeout: the idle connections below stay open, holding both slots.
    let args = ["--max-connections", "2", "--header-timeout-secs", "60"];
    let panel = Panel::start(NO_ENGINE, &args);
    let first = TcpStream::connect(&panel.addr).await.expect("connect");
    let _second = TcpStream::connect(&panel.addr).await.expect("connect");
    let third = TcpStream::connect(&panel.addr).await.expect("connect");
    let answer = hung_up_on(third, b"").await;
    assert_eq!(answer, Some(Vec::new()), "the third connection was kept");

    drop(first);
    let (status, _) = support::wait_until("a slot given back", LIMIT, || async {
        let answer = support::http_get(&panel.addr, "/api/me").await.ok();
        answer.filter(|(status, _)| *status == 200)
    })
    .await;
    assert_eq!(status, 200);
}
