//! A minimal HTTP/1.0 GET over TCP, enough to ask the lab registry whether it is up and
//! what it holds, without pulling an HTTP client into the binary.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Returns (status code, body). Responses are bounded: the registry's answers are small.
pub async fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    const LIMIT: u64 = 1 << 20;
    let fetch = async {
        let mut stream = TcpStream::connect(addr).await?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.take(LIMIT).read_to_end(&mut raw).await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(5), fetch)
        .await
        .map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("GET {path} on {addr}"),
            )
        })??;
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("GET {path} on {addr}: not HTTP"),
        )
    })
}

fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::parse_response;

    #[test]
    fn parses_status_and_body() {
        type Case<'a> = (&'a [u8], Option<(u16, &'a str)>);
        let cases: [Case; 4] = [
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                Some((200, "{}")),
            ),
            (b"HTTP/1.0 404 Not Found\r\n\r\n", Some((404, ""))),
            (b"garbage", None),
            (b"HTTP/1.1 abc\r\n\r\n", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_response(raw), want.map(|(s, b)| (s, b.to_string())));
        }
    }
}
