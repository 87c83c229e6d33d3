//! A typed client for the bookstore, generated at build time by progenitor from
//! `examples/bookstore/openapi-3.0.json`, the document ferrest renders for 3.0
//! generators. `Client::new("http://127.0.0.1:3000")` calls the bookstore; each
//! operation is a method named after its `operationId` (`create_book`, `list_books`,
//! ...), with typed bodies, parameters and errors.

#![allow(
    clippy::all,
    missing_docs,
    unused_imports,
    unreachable_pub,
    unreachable_patterns
)]

include!(concat!(env!("OUT_DIR"), "/bookstore_client.rs"));
