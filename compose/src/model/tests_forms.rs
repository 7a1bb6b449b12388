//! Table tests for the forms the CLI reads one way: durations, sizes, shell splitting, ports,
//! volumes, Go number text.

use super::ports::parse_short as port;
use super::shell::shell_split;
use super::units::{format_duration, go_float, parse_duration, parse_ram_bytes};
use super::volumes::parse_short as volume;

#[test]
fn durations_parse_as_go() {
    let s = 1_000_000_000i64;
    for (text, want) in [
        ("10s", Some(10 * s)),
        ("1m30s", Some(90 * s)),
        ("500ms", Some(500_000_000)),
        ("1.5h", Some(5400 * s)),
        ("1h2m3.5s", Some(3723 * s + s / 2)),
        ("2us", Some(2_000)),
        ("3µs", Some(3_000)),
        ("7ns", Some(7)),
        ("0", Some(0)),
        ("-1s", Some(-s)),
        ("+2s", Some(2 * s)),
        (".5s", Some(s / 2)),
        ("1.s", Some(s)),
        ("10", None),
        ("", None),
        ("1d", None),
        ("s", None),
        (".s", None),
        ("9999999999h", None),
    ] {
        assert_eq!(parse_duration(text).ok(), want, "{text}");
    }
}

#[test]
fn durations_format_as_go() {
    let s = 1_000_000_000i64;
    for (d, want) in [
        (0, "0s"),
        (90 * s, "1m30s"),
        (3600 * s, "1h0m0s"),
        (s / 2, "500ms"),
        (1_500, "1.5µs"),
        (7, "7ns"),
        (3723 * s + s / 2, "1h2m3.5s"),
        (-s, "-1s"),
    ] {
        assert_eq!(format_duration(d), want);
    }
}

#[test]
fn sizes_parse_as_go_units() {
    for (text, want) in [
        ("512M", Some(512 << 20)),
        ("1g", Some(1 << 30)),
        ("1G", Some(1 << 30)),
        ("1gb", Some(1 << 30)),
        ("1GiB", Some(1 << 30)),
        ("1.5k", Some(1536)),
        ("100", Some(100)),
        ("100b", Some(100)),
        ("2 MB", Some(2 << 20)),
        ("1x", None),
        ("1kbb", None),
        ("1kib2", None),
        ("m", None),
        ("-1", None),
        ("", None),
    ] {
        assert_eq!(parse_ram_bytes(text).ok(), want, "{text}");
    }
}

#[test]
fn shell_split_as_google_shlex() {
    let ok = |t: &str| shell_split(t).unwrap_or_else(|e| panic!("{t}: {e}"));
    assert_eq!(ok("echo hello world"), ["echo", "hello", "world"]);
    assert_eq!(ok(r#"sh -c "echo \"a b\"""#), ["sh", "-c", r#"echo "a b""#]);
    assert_eq!(ok("sh -c 'echo $HOME'"), ["sh", "-c", "echo $HOME"]);
    assert_eq!(ok(r"a\ b c"), ["a b", "c"]);
    assert_eq!(ok("a '' b"), ["a", "", "b"]);
    assert_eq!(ok("run # a comment"), ["run"]);
    assert_eq!(ok("a#b"), ["a#b"]);
    assert_eq!(ok("  "), Vec::<String>::new());
    // google/shlex drops a backslash before any character inside double quotes.
    assert_eq!(ok(r#""a\b""#), ["ab"]);
    assert!(shell_split("'open").is_err());
    assert!(shell_split("end\\").is_err());
}

#[test]
fn go_floats() {
    for (f, want) in [
        (1.0, "1"),
        (0.5, "0.5"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
    ] {
        assert_eq!(go_float(f), want);
    }
}

#[test]
fn short_ports() {
    let p = |t: &str| {
        port(t)
            .unwrap_or_else(|e| panic!("{t}: {e}"))
            .into_iter()
            .map(|p| {
                (
                    p.published,
                    p.target,
                    p.protocol.unwrap_or_default(),
                    p.mode.unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>()
    };
    let ing = |pb: Option<u32>, t: u32, pr: &str| (pb, t, pr.to_string(), "ingress".to_string());
    assert_eq!(p("8080:80"), [ing(Some(8080), 80, "tcp")]);
    assert_eq!(p("80"), [ing(None, 80, "tcp")]);
    assert_eq!(p("53:53/udp"), [ing(Some(53), 53, "udp")]);
    assert_eq!(p("53:53/UDP"), [ing(Some(53), 53, "udp")]);
    assert_eq!(p("127.0.0.1:80:80"), [ing(Some(80), 80, "tcp")]);
    assert_eq!(p("[::1]:80:80"), [ing(Some(80), 80, "tcp")]);
    assert_eq!(
        p("9000-9002:9000-9002"),
        [
            ing(Some(9000), 9000, "tcp"),
            ing(Some(9001), 9001, "tcp"),
            ing(Some(9002), 9002, "tcp")
        ]
    );
    assert_eq!(
        p("8000-8001:80"),
        [ing(Some(8000), 80, "tcp"), ing(Some(8001), 80, "tcp")]
    );
    // Sorted as the CLI sorts its "port/proto" keys: as strings.
    assert_eq!(p("9-10"), [ing(None, 10, "tcp"), ing(None, 9, "tcp")]);
    for bad in [
        "99999",
        "80:99999",
        "a:80",
        "80/xtp",
        "8080:80-81",
        "1.2.3:80:80",
        "",
        "80-70",
        "1:2:3:4",
    ] {
        assert!(port(bad).is_err(), "{bad}");
    }
}

#[test]
fn short_volumes() {
    let v = |t: &str| volume(t).unwrap_or_else(|e| panic!("{t}: {e}"));
    let d = v("data:/var/lib/data:ro");
    assert_eq!(
        (
            d.kind.as_str(),
            d.source.as_deref(),
            d.target.as_str(),
            d.read_only
        ),
        ("volume", Some("data"), "/var/lib/data", true)
    );
    let b = v("/var/run/docker.sock:/var/run/docker.sock");
    assert_eq!(
        (b.kind.as_str(), b.source.as_deref()),
        ("bind", Some("/var/run/docker.sock"))
    );
    let a = v("/anon");
    assert_eq!(
        (a.kind.as_str(), a.source, a.target.as_str()),
        ("volume", None, "/anon")
    );
    let r = v("./rel:/x:rw,rshared");
    assert_eq!(r.kind, "bind");
    assert_eq!(
        r.bind.and_then(|b| b.propagation).as_deref(),
        Some("rshared")
    );
    let n = v("data:/x:nocopy");
    assert!(n.volume.is_some_and(|o| o.nocopy));
    assert_eq!(v("C:\\data:/x").kind, "bind");
    assert_eq!(v("ab").target, "ab");
    // "a:" reads as a Windows drive, as in the CLI.
    assert_eq!(v("a::b").source.as_deref(), Some("a:"));
    for bad in ["", "/a::b", "/a:/b:ro:x"] {
        assert!(volume(bad).is_err(), "{bad}");
    }
}
