//! parse -> model -> check -> expand, with errors stopping the pipeline here and only here.

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::errors::Errors;
use crate::{check, expand, model, parse};

pub fn derive_resource(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let raw = parse::parse_container(input, &mut errors);
    let resource = raw.and_then(|raw| model::Resource::from_raw(raw, &mut errors));
    if let Some(resource) = &resource {
        check::resource(resource, &mut errors);
    }
    match (errors.finish(), resource) {
        (Ok(()), Some(resource)) => expand::resource(&resource),
        (Err(error), _) => {
            let errors = error.to_compile_error();
            let fallback = expand::fallback(input);
            quote::quote!(#errors #fallback)
        }
        (Ok(()), None) => unreachable!("a missing model always comes with an error"),
    }
}

#[cfg(test)]
mod tests {
    /// The bookstore's `Book` expands to wiring and data, O(fields) lines; the CRUD
    /// logic stays in `ferrest`. The bound catches logic creeping into the expansion.
    /// The bound sits a few dozen lines above today's count (654), so wiring a new
    /// declaration key may grow it, while a loop or a query written into the
    /// expansion would not fit.
    #[test]
    fn the_bookstore_book_expands_to_a_small_amount_of_code() {
        let source: syn::File =
            syn::parse_str(include_str!("../../examples/bookstore/src/lib.rs")).unwrap();
        let book = source
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == "Book" => Some(s.clone()),
                _ => None,
            })
            .expect("the bookstore declares Book");
        let input: syn::DeriveInput = syn::parse2(quote::quote!(#book)).unwrap();
        let expanded: syn::File = syn::parse2(super::derive_resource(&input)).unwrap();
        let text = prettyplease::unparse(&expanded);
        let lines = text.lines().count();
        if std::env::var("FERREST_PRINT_EXPANSION").is_ok() {
            println!("{text}");
        }
        println!(
            "Book: {} fields, {lines} lines of expansion",
            book.fields.len()
        );
        assert!(lines < 680, "{lines} lines:\n{text}");
    }
}
