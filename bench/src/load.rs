//! The load generator: a fixed number of keep-alive HTTP/1.1 connections, each sending
//! its next request as soon as the previous answer is in (a closed loop), for a fixed
//! time. Requests are written and answers parsed directly on the socket (`httparse`),
//! which keeps the client's own cost small and the same for both servers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::workload::{Operation, Rng};

/// What one round measured.
#[derive(Debug, Default)]
pub struct Round {
    /// Answers with the expected status.
    pub ok: u64,
    /// Answers with another status, and the first of them.
    pub failed: u64,
    pub first_failure: Option<String>,
    pub elapsed: Duration,
    /// The latency of every successful request, in microseconds.
    pub latencies: Vec<u32>,
}

impl Round {
    pub fn requests_per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile of the latencies, in milliseconds.
    pub fn quantile_ms(&mut self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        self.latencies.sort_unstable();
        let at = ((self.latencies.len() - 1) as f64 * q).round() as usize;
        f64::from(self.latencies[at]) / 1000.0
    }
}

/// Drives `addr` with `concurrency` connections for `duration`. The clock starts once
/// every connection is open.
pub async fn run(
    addr: SocketAddr,
    operation: &Operation,
    concurrency: usize,
    duration: Duration,
    seed: u64,
) -> std::io::Result<Round> {
    let mut connections = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        connections.push(Connection::open(addr).await?);
    }
    let start = Instant::now();
    let deadline = start + duration;
    let mut workers = tokio::task::JoinSet::new();
    for (i, connection) in connections.into_iter().enumerate() {
        let operation = operation.clone();
        let rng = Rng::new(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        workers.spawn(worker(addr, connection, operation, rng, deadline));
    }
    let mut round = Round::default();
    while let Some(result) = workers.join_next().await {
        let part = result.map_err(std::io::Error::other)??;
        round.ok += part.ok;
        round.failed += part.failed;
        round.first_failure = round.first_failure.or(part.first_failure);
        round.latencies.extend(part.latencies);
    }
    round.elapsed = start.elapsed();
    Ok(round)
}

async fn worker(
    addr: SocketAddr,
    mut connection: Connection,
    operation: Operation,
    mut rng: Rng,
    deadline: Instant,
) -> std::io::Result<Round> {
    let mut round = Round {
        latencies: Vec::with_capacity(64 * 1024),
        ..Round::default()
    };
    let mut request = Vec::with_capacity(1024);
    while Instant::now() < deadline {
        request.clear();
        operation.write_request(&mut rng, &mut request);
        let sent = Instant::now();
        let answer = match connection.exchange(&request, false).await {
            Ok(answer) => answer,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                // The server closed the connection (it may after an error): reopen.
                connection = Connection::open(addr).await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let latency = sent.elapsed();
        if answer.status == operation.expected_status {
            round.ok += 1;
            round
                .latencies
                .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        } else {
            round.failed += 1;
            if round.first_failure.is_none() {
                round.first_failure = Some(format!(
                    "{} {}: {}",
                    operation.name,
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ));
            }
        }
        if answer.close {
            connection = Connection::open(addr).await?;
        }
    }
    Ok(round)
}

/// One answer: its status, body, and whether the server closes the connection.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub close: bool,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A keep-alive connection and its read buffer.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buffer: Vec::with_capacity(64 * 1024),
        })
    }

    /// Sends one request and reads its whole answer. Only `Content-Length` bodies are
    /// read: neither server streams or compresses for this client (it sends no
    /// `Accept-Encoding`).
    /// With `keep_headers` the answer's headers are kept too (the load loop skips them:
    /// ferrest sends more headers, and copying them would charge it client time).
    pub async fn exchange(
        &mut self,
        request: &[u8],
        keep_headers: bool,
    ) -> std::io::Result<Answer> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        loop {
            if let Some(answer) = self.parse(keep_headers)? {
                return Ok(answer);
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }

    /// The answer in the buffer, once it is complete.
    fn parse(&mut self, keep_headers: bool) -> std::io::Result<Option<Answer>> {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        let head = match response.parse(&self.buffer) {
            Ok(httparse::Status::Complete(head)) => head,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(std::io::Error::other(format!("malformed answer: {e}"))),
        };
        let mut length = 0;
        let mut close = false;
        let mut kept = Vec::new();
        for header in response.headers.iter() {
            if header.name.eq_ignore_ascii_case("content-length") {
                length = std::str::from_utf8(header.value)
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or_else(|| std::io::Error::other("bad content-length"))?;
            } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(std::io::Error::other("chunked answers are not supported"));
            } else if header.name.eq_ignore_ascii_case("connection") {
                close = header.value.eq_ignore_ascii_case(b"close");
            }
            if keep_headers {
                let value = String::from_utf8_lossy(header.value).into_owned();
                kept.push((header.name.to_owned(), value));
            }
        }
        if self.buffer.len() < head + length {
            return Ok(None);
        }
        let status = response.code.unwrap_or(0);
        Ok(Some(Answer {
            status,
            headers: kept,
            body: self.buffer[head..head + length].to_vec(),
            close,
        }))
    }
}
