//! The server on a real socket: graceful shutdown answers the request in flight, then
//! stops accepting; request heads past the limits get problems where hyper lets them
//! through.

use std::time::Duration;

use ferrest::testing::{Backend, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight() {
    let db = TestDb::create(Backend::Sqlite).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bookstore::app().database_url(db.url()).serve_with(
        listener,
        async move {
            let _ = stopped.await;
        },
    ));

    // A first exchange proves the connection is accepted and being served; the second
    // request on it is then stopped in the middle: the server has read its head and
    // asked for the body (`100 Continue`, sent when the handler first reads the body),
    // which has not arrived when the shutdown begins.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /authors HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let first = read_response(&mut stream).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");

    let body = br#"{"name": "Ada Lovelace", "email": "ada@example.org"}"#;
    let head = format!(
        "POST /authors HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let interim = read_response(&mut stream).await;
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");

    stop.send(()).unwrap();
    stream.write_all(body).await.unwrap();
    let second = read_response(&mut stream).await;
    assert!(second.starts_with("HTTP/1.1 201"), "{second}");
    assert!(second.contains("ada@example.org"), "{second}");

    // The server then stops by itself and accepts nothing more.
    tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the server stops after the last response")
        .unwrap()
        .unwrap();
    assert!(TcpStream::connect(addr).await.is_err());
    db.drop().await;
}

/// Heads over ferrest's limits but under hyper's reach ferrest and get problem+json;
/// past hyper's, and malformed ones, get hyper's own empty answer (the guide lists
/// them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_heads_are_answered() {
    let db = TestDb::create(Backend::Sqlite).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bookstore::app().database_url(db.url()).serve_with(
        listener,
        async move {
            let _ = stopped.await;
        },
    ));
    let exchange = |head: Vec<u8>| async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(&head).await.unwrap();
        read_response(&mut stream).await
    };
    let get = |target: &str, headers: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: test\r\n{headers}\r\n").into_bytes()
    };
    let problem = |response: &str, status: u16, code: &str| {
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{response}"
        );
        assert!(
            response.contains("content-type: application/problem+json"),
            "{response}"
        );
        assert!(
            response.contains(&format!("\"code\":\"{code}\"")),
            "{response}"
        );
    };

    // 10,000 parameters: a 40 KB target, over ferrest's 8 KiB.
    let many = format!("/books?{}", "a=1&".repeat(10_000));
    problem(&exchange(get(&many, "")).await, 414, "uri_too_long");
    let long = format!("/books?title={}", "x".repeat(ferrest::MAX_URI_BYTES));
    problem(&exchange(get(&long, "")).await, 414, "uri_too_long");
    // 150 header fields, and 255 (with `Host`, the most hyper lets through).
    for count in [ferrest::MAX_HEADERS + 50, 255] {
        let headers: String = (0..count).map(|i| format!("x-h{i}: v\r\n")).collect();
        let response = exchange(get("/books", &headers)).await;
        problem(&response, 431, "header_fields_too_large");
    }
    let big = format!("x-big: {}\r\n", "v".repeat(ferrest::MAX_HEADER_BYTES));
    problem(
        &exchange(get("/books", &big)).await,
        431,
        "header_fields_too_large",
    );
    // Percent-encoded bytes that are not UTF-8, in a resource's filter and in the
    // query of any route.
    let response = exchange(get("/books?title=%FF%FE", "")).await;
    problem(&response, 400, "invalid_parameter");
    assert!(response.contains("\"parameter\":\"title\""), "{response}");
    let response = exchange(get("/nowhere?q=%C0%AF", "")).await;
    problem(&response, 400, "invalid_parameter");
    // Under the limits, answered as usual.
    let fine = exchange(get("/books?title=%C3%A9", "x-one: 1\r\n")).await;
    assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");

    // What hyper refuses before ferrest sees it: more than 256 header fields, a target
    // over 64 KB (the most an `http::Uri` holds), raw bytes that are not ASCII in the
    // target, a NUL in a header.
    for count in [256, 2_000] {
        let headers: String = (0..count).map(|i| format!("x-h{i}: v\r\n")).collect();
        let bare = exchange(get("/books", &headers)).await;
        assert!(bare.starts_with("HTTP/1.1 431 "), "{bare}");
        assert!(!bare.contains("problem+json"), "{bare}");
    }
    let huge = format!("/books?title={}", "x".repeat(100 * 1024));
    let bare = exchange(get(&huge, "")).await;
    assert!(bare.starts_with("HTTP/1.1 414 "), "{bare}");
    let mut raw = b"GET /books?title=".to_vec();
    raw.extend_from_slice(b"\xff\xfe HTTP/1.1\r\nHost: test\r\n\r\n");
    assert!(exchange(raw).await.starts_with("HTTP/1.1 400 "));
    let nul = get("/books", "x-nul: a\0b\r\n");
    assert!(exchange(nul).await.starts_with("HTTP/1.1 400 "));

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    db.drop().await;
}

/// A client that sends half a request head, nothing, or part of the HTTP/2 preface,
/// is disconnected once the header read timeout has passed, rather than holding its
/// connection for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stalls_in_its_head_is_disconnected() {
    let db = TestDb::create(Backend::Sqlite).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = bookstore::app()
        .database_url(db.url())
        .header_read_timeout(Duration::from_millis(300));
    let server = tokio::spawn(app.serve_with(listener, async move {
        let _ = stopped.await;
    }));
    let starts: [&[u8]; 3] = [b"GET /books HTTP/1.1\r\nHost: te", b"", b"PRI * HTTP/2"];
    for start in starts {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(start).await.unwrap();
        // The failure signal is the generous bound; the server closes after 300 ms.
        tokio::time::timeout(Duration::from_secs(20), until_closed(&mut stream))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "a client that sent {:?} is still connected",
                    String::from_utf8_lossy(start)
                )
            });
    }
    // A whole head in time is answered as usual.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /books HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    db.drop().await;
}

/// A shutdown waits for the connections still open until its deadline, no longer:
/// a client stalled in the middle of a head does not keep the server running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_the_connections_left_at_its_deadline() {
    let db = TestDb::create(Backend::Sqlite).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = bookstore::app()
        .database_url(db.url())
        .header_read_timeout(Duration::from_secs(3600))
        .shutdown_deadline(Duration::from_millis(300));
    let server = tokio::spawn(app.serve_with(listener, async move {
        let _ = stopped.await;
    }));
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /books HTTP/1.1\r\nHost: te")
        .await
        .unwrap();
    // The server has the connection: another one is answered meanwhile.
    let mut other = TcpStream::connect(addr).await.unwrap();
    other
        .write_all(b"GET /books HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut other).await.starts_with("HTTP/1.1 200"));
    drop(other);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .expect("the server stops at its shutdown deadline")
        .unwrap()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), until_closed(&mut stalled))
        .await
        .expect("the stalled connection is closed");
    db.drop().await;
}

/// Reads until the server closes the connection (or resets it).
async fn until_closed(stream: &mut TcpStream) {
    let mut chunk = [0_u8; 1024];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            return;
        }
    }
}

/// Reads one response with a `content-length` body.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "connection closed early: {}",
            String::from_utf8_lossy(&buffer)
        );
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return text;
            }
        }
    }
}
