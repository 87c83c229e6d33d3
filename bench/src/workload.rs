//! The measured operations and the requests they send.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::seed::Rows;

/// The list request: a filter, a sort on the filtered field, and a page size.
pub const LIST_QUERY: &str = "price_cents__lt=5000&sort=-price_cents&limit=20";

/// The operations, in the order they run: reads first (the writes change what they
/// would read), creates last (they grow the table).
pub const ALL: [Kind; 4] = [Kind::Get, Kind::List, Kind::Patch, Kind::Create];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Get,
    List,
    Create,
    Patch,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Get => "get",
            Kind::List => "list",
            Kind::Create => "create",
            Kind::Patch => "patch",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        ALL.into_iter().find(|k| k.name() == name)
    }

    /// What the request does, for the table.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Get => "GET /books/{id}",
            Kind::List => "GET /books?price_cents__lt=5000&sort=-price_cents&limit=20",
            Kind::Create => "POST /books (bearer token)",
            Kind::Patch => "PATCH /books/{id} (bearer token)",
        }
    }
}

/// One operation with what its requests need: how many rows exist, the token, and
/// the counter that keeps created ISBNs unique across rounds and servers.
#[derive(Clone)]
pub struct Operation {
    pub kind: Kind,
    pub name: &'static str,
    pub expected_status: u16,
    books: u64,
    authors: u64,
    token: Arc<str>,
    isbns: Arc<AtomicU64>,
}

impl Operation {
    /// `kind` over the seeded `rows`, writing with `token`; created ISBNs count up
    /// from `isbns`.
    pub fn new(kind: Kind, rows: Rows, token: Arc<str>, isbns: Arc<AtomicU64>) -> Self {
        Operation {
            kind,
            name: kind.name(),
            expected_status: if kind == Kind::Create { 201 } else { 200 },
            books: rows.books,
            authors: rows.authors,
            token,
            isbns,
        }
    }

    /// Appends the next request to `out`.
    pub fn write_request(&self, rng: &mut Rng, out: &mut Vec<u8>) {
        // Writing to a Vec cannot fail.
        let _ = match self.kind {
            Kind::Get => write!(
                out,
                "GET /books/{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                1 + rng.below(self.books)
            ),
            Kind::List => write!(
                out,
                "GET /books?{LIST_QUERY} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            ),
            Kind::Create => {
                let isbn = self.isbns.fetch_add(1, Ordering::Relaxed);
                let body = create_body(isbn, rng.below(10_000), 1 + rng.below(self.authors));
                self.write_with_body(out, "POST /books", &body)
            }
            Kind::Patch => {
                let body = format!(r#"{{"price_cents":{}}}"#, rng.below(10_000));
                let target = format!("PATCH /books/{}", 1 + rng.below(self.books));
                self.write_with_body(out, &target, &body)
            }
        };
    }

    fn write_with_body(&self, out: &mut Vec<u8>, target: &str, body: &str) -> std::io::Result<()> {
        write!(
            out,
            "{target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.token,
            body.len()
        )
    }
}

/// A new book; `isbn` is a counter, unique across the run.
pub fn create_body(isbn: u64, price_cents: u64, author_id: u64) -> String {
    format!(
        r#"{{"title":"Benchmarked book {isbn}","isbn":"{:013}","price_cents":{price_cents},"author_id":{author_id},"format":"hardcover","summary":"Written by the load generator."}}"#,
        1_000_000_000_000 + isbn
    )
}

/// xorshift64*: fast, deterministic, and good enough to pick rows.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The bearer token both servers' writes are sent with: an editor of the bookstore.
pub fn editor_token() -> Result<Arc<str>, String> {
    bookstore::token("bench", &["editor"])
        .map(Into::into)
        .map_err(|e| e.to_string())
}
