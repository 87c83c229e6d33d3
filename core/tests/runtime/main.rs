//! Runtime tests of ferrest with resources declared here: every value kind on every
//! backend, schema evolution, operation selection.

mod auth;
mod concurrency;
mod contract;
mod cursor;
mod evolution;
mod features;
mod field_access;
mod hooks;
mod idempotency;
mod kinds;
mod middleware;
mod migrate_drift;
mod migrate_engine;
mod migrate_generate;
mod migrate_snapshots;
mod migrate_startup;
mod operations;
mod ownership;
mod rate_limit;
mod relations;
mod sqlite_log;
mod typed_checks;
