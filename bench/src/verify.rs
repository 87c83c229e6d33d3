//! Before measuring, the harness asks both servers the same questions and requires the
//! same answers: equal bytes for reads, equal bodies up to ids and timestamps for
//! writes. A baseline that answered less would be measured doing less.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use crate::load::{Answer, Connection};
use crate::workload::{LIST_QUERY, create_body};

/// Both servers' answers to the measured operations agree.
pub async fn same_answers(
    ferrest: SocketAddr,
    baseline: SocketAddr,
    token: &str,
    books: u64,
    isbns: &AtomicU64,
) -> Result<(), String> {
    let mut f = Connection::open(ferrest).await.map_err(|e| e.to_string())?;
    let mut b = Connection::open(baseline)
        .await
        .map_err(|e| e.to_string())?;
    let middle = (books / 2).max(1);
    for target in [
        "/books/1".to_owned(),
        format!("/books/{middle}"),
        format!("/books?{LIST_QUERY}"),
        "/books?price_cents__gte=9990&sort=-price_cents,title&limit=5&offset=5".to_owned(),
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        let (fa, ba) = ask(&mut f, &mut b, request.as_bytes(), request.as_bytes()).await?;
        expect(&target, 200, &fa, &ba)?;
        if fa.body != ba.body {
            return Err(differ(&target, &fa, &ba));
        }
        if fa.header("link") != ba.header("link") {
            return Err(format!(
                "{target}: the Link headers differ:\nferrest:  {:?}\nbaseline: {:?}",
                fa.header("link"),
                ba.header("link")
            ));
        }
    }
    // Creates: equal but for the ids, the ISBN and title (unique per request) and the
    // timestamps.
    let bodies: Vec<String> = (0..2)
        .map(|_| create_body(isbns.fetch_add(1, Ordering::Relaxed), 1999, 1))
        .collect();
    let (fa, ba) = ask(
        &mut f,
        &mut b,
        &with_body("POST /books", token, &bodies[0]),
        &with_body("POST /books", token, &bodies[1]),
    )
    .await?;
    expect("POST /books", 201, &fa, &ba)?;
    let unstable = ["id", "isbn", "title", "created_at", "updated_at"];
    if without(&fa, &unstable)? != without(&ba, &unstable)? {
        return Err(differ("POST /books", &fa, &ba));
    }
    for answer in [&fa, &ba] {
        let id = json(answer)?["id"].as_i64().unwrap_or_default();
        if answer.header("location") != Some(format!("/books/{id}").as_str()) {
            return Err(format!(
                "POST /books: Location is {:?}, not /books/{id}",
                answer.header("location")
            ));
        }
    }
    // Patches of one row: equal but for `updated_at`.
    let target = format!("PATCH /books/{middle}");
    let patch = with_body(&target, token, r#"{"price_cents":4321}"#);
    let (fa, ba) = ask(&mut f, &mut b, &patch, &patch).await?;
    expect(&target, 200, &fa, &ba)?;
    if without(&fa, &["updated_at"])? != without(&ba, &["updated_at"])? {
        return Err(differ(&target, &fa, &ba));
    }
    Ok(())
}

async fn ask(
    f: &mut Connection,
    b: &mut Connection,
    to_ferrest: &[u8],
    to_baseline: &[u8],
) -> Result<(Answer, Answer), String> {
    let fa = f
        .exchange(to_ferrest, true)
        .await
        .map_err(|e| e.to_string())?;
    let ba = b
        .exchange(to_baseline, true)
        .await
        .map_err(|e| e.to_string())?;
    Ok((fa, ba))
}

fn with_body(target: &str, token: &str, body: &str) -> Vec<u8> {
    format!(
        "{target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn expect(what: &str, status: u16, fa: &Answer, ba: &Answer) -> Result<(), String> {
    if fa.status != status || ba.status != status {
        return Err(format!(
            "{what}: expected {status}, ferrest answered {} and the baseline {}\nferrest:  {}\nbaseline: {}",
            fa.status,
            ba.status,
            String::from_utf8_lossy(&fa.body),
            String::from_utf8_lossy(&ba.body)
        ));
    }
    if fa.header("content-type") != ba.header("content-type") {
        return Err(format!(
            "{what}: Content-Type {:?} (ferrest) and {:?} (baseline)",
            fa.header("content-type"),
            ba.header("content-type")
        ));
    }
    Ok(())
}

fn json(answer: &Answer) -> Result<Value, String> {
    serde_json::from_slice(&answer.body).map_err(|e| format!("not JSON: {e}"))
}

fn without(answer: &Answer, keys: &[&str]) -> Result<Value, String> {
    let mut value = json(answer)?;
    if let Some(object) = value.as_object_mut() {
        for key in keys {
            object.remove(*key);
        }
    }
    Ok(value)
}

fn differ(what: &str, fa: &Answer, ba: &Answer) -> String {
    format!(
        "{what}: the answers differ\nferrest:  {}\nbaseline: {}",
        String::from_utf8_lossy(&fa.body),
        String::from_utf8_lossy(&ba.body)
    )
}
