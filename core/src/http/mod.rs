//! The HTTP layer: the generic CRUD handlers and nested lists, the handlers of
//! `#[ferrest::endpoints]` methods, and the middleware every request passes. It reads
//! the layers below (queries, callers, writes); only `app` builds on it.

pub(crate) mod crud;
// Reached by generated code through `__private`: hidden, as that is.
#[doc(hidden)]
pub(crate) mod handlers;
pub(crate) mod middleware;
