//! Rules that `ferrest-macros` checks at compile time and `ferrest` applies at run
//! time, written once so the two cannot disagree: what a rate string means
//! (`"100/minute"`) and when two routes are the same route to axum.
//!
//! It is a crate of its own, not a file both crates `include!`, because a published
//! crate carries only the files under its own folder, and because the rules get their
//! own tests and documentation here. It depends on nothing but `std`.
//!
//! ```
//! use ferrest_shared::{Rate, routes_clash};
//! assert_eq!("5/minute".parse(), Ok(Rate { requests: 5, window_secs: 60 }));
//! assert!(routes_clash(("get", "/books/{id}"), ("get", "/books/{book_id}")));
//! ```

mod rate;
mod route;

pub use rate::{InvalidRate, Rate};
pub use route::{route_shape, routes_clash};
