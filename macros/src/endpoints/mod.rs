//! `#[ferrest::endpoints]` on an impl block: each method with `#[rest(get = "/path")]`
//! (or `post`, `put`, `patch`, `delete`) becomes a route and an operation.
//!
//! Methods with `#[rest(before_create)]` (and the other hook kinds) are the
//! resource's lifecycle hooks instead.
//!
//! parse (`parse.rs`: the methods, the hooks and their attributes) -> check
//! (`check.rs`: async, path parameters against `Path` arguments, the body last, one
//! method per route, each hook's arguments) -> expand (`expand.rs`: `impl Endpoints`,
//! a check per argument that it is an extractor, spanned at its type, and the hooks'
//! wrappers).

mod check;
mod expand;
mod parse;

use proc_macro2::TokenStream;

use crate::errors::Errors;

pub fn endpoints(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let mut block: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(block) => block,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                "`#[ferrest::endpoints]` applies to an impl block, like `impl Book { ... }`",
            );
            return error.to_compile_error();
        }
    };
    if !block.generics.params.is_empty() || block.trait_.is_some() {
        let error = syn::Error::new(
            block.impl_token.span,
            "`#[ferrest::endpoints]` applies to an inherent impl of a type without generic parameters, like `impl Book { ... }`; one block per type",
        );
        return error.to_compile_error();
    }
    let options = parse::options(attr, &mut errors);
    let (methods, hooks) = parse::methods(&mut block, &mut errors);
    check::methods(&methods, &mut errors);
    let resource = match expand::type_name(&block.self_ty) {
        name if name.is_empty() => "Self".to_owned(),
        name => name,
    };
    check::hooks(&hooks, &resource, &mut errors);
    match errors.finish() {
        Ok(()) => expand::endpoints(&block, &options, &methods, &hooks),
        // The block is emitted as written (minus `#[rest]`) with an empty `Endpoints`
        // impl, so its methods and `App::endpoints::<T>()` stay usable and only the
        // macro's errors show.
        Err(error) => {
            let error = error.to_compile_error();
            let fallback = expand::fallback(&block);
            quote::quote!(#error #block #fallback)
        }
    }
}
