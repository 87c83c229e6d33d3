//! The server on a real socket: graceful shutdown answers the request in flight, then
//! stops accepting.

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
