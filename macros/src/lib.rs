//! Procedural macros of ferrest. Use them through the `ferrest` crate, which
//! re-exports them; the generated code refers to `::ferrest::__private` only.
//!
//! Every macro runs the same pipeline: `parse` (syntax to raw values, each key once)
//! -> `model` (validated, typed description; no tokens) -> `check` (rules across
//! fields, variants or methods) -> `expand` (tokens). Errors are collected along the
//! way and stop the pipeline in one place, `pipeline.rs`, which then emits the
//! macro's fallback impls. `#[derive(Resource)]` has a folder per stage (`parse/`,
//! `model/`, `check.rs`, `expand/`); the smaller macros have a folder each
//! (`api_error/`, `schema/`, `endpoints/`) with a file per stage.

mod api_error;
mod check;
mod endpoints;
mod errors;
mod expand;
mod model;
mod parse;
mod pipeline;
mod schema;

use proc_macro::TokenStream;

/// An enum of typed errors: each variant answers as a problem with its own status and
/// code, and is documented on the operations that return it.
///
/// See the `ferrest` crate for the attribute reference.
#[proc_macro_derive(ApiError, attributes(rest))]
pub fn derive_api_error(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    pipeline::derive_api_error(&input).into()
}

/// Routes and documents the methods of an impl block that carry
/// `#[rest(get = "/path")]` (or `post`, `put`, `patch`, `delete`).
///
/// See the `ferrest` crate for the attribute reference.
#[proc_macro_attribute]
pub fn endpoints(attr: TokenStream, item: TokenStream) -> TokenStream {
    pipeline::endpoints(attr.into(), item.into()).into()
}

/// A request or response type of a custom endpoint: documented, and serialized with
/// serde through ferrest.
#[proc_macro_derive(Schema, attributes(rest))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    pipeline::derive_schema(&input).into()
}

/// Turns a struct into a served, validated and documented REST resource.
///
/// See the `ferrest` crate for the attribute reference.
#[proc_macro_derive(Resource, attributes(rest))]
pub fn derive_resource(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    pipeline::derive_resource(&input).into()
}
