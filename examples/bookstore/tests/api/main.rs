//! Behaviour tests of the bookstore: the real router against real databases
//! (SQLite always; PostgreSQL and MariaDB when their URL variables are set).

mod support;

mod cli;
mod crud;
mod docs;
mod endpoints;
mod errors;
mod openapi;
mod query;
mod relations;
mod server;
mod startup;
mod validation;
