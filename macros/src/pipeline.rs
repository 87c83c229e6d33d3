//! parse -> model -> check -> expand for every macro, with errors stopping the
//! pipeline here and only here: with any error, the output is the errors and the
//! macro's fallback, a stand-in of its impls that keeps the user's other code
//! type-checking.

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::errors::Errors;
use crate::{api_error, check, expand, model, parse, schema};

pub fn derive_resource(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let raw = parse::parse_container(input, &mut errors);
    let resource = raw.and_then(|raw| model::Resource::from_raw(raw, &mut errors));
    if let Some(resource) = &resource {
        check::resource(resource, &mut errors);
    }
    finish(errors, resource, expand::resource, |_| {
        expand::fallback(input)
    })
}

pub fn derive_api_error(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let raw = api_error::parse(input, &mut errors);
    let errors_enum = raw.map(|raw| api_error::ErrorEnum::from_raw(raw, &mut errors));
    if let Some(errors_enum) = &errors_enum {
        api_error::check(errors_enum, &mut errors);
    }
    finish(errors, errors_enum, api_error::expand, |_| {
        api_error::fallback(input)
    })
}

pub fn derive_schema(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let raw = schema::parse(input, &mut errors);
    let schema = raw.map(|raw| schema::Schema::from_raw(raw, &mut errors));
    if let Some(schema) = &schema {
        schema::check(schema, &mut errors);
    }
    finish(errors, schema, schema::expand, |_| schema::fallback(input))
}

/// `#[ferrest::endpoints]`: an item that is not a plain inherent impl gets its error
/// alone; otherwise the block is emitted as written (minus `#[rest]`), with its
/// `impl Endpoints` or the fallback's empty one.
pub fn endpoints(attr: TokenStream, item: TokenStream) -> TokenStream {
    use crate::endpoints;
    let mut errors = Errors::new();
    let raw = endpoints::parse(attr, item, &mut errors);
    let block = raw.map(|raw| endpoints::Block::from_raw(raw, &mut errors));
    if let Some(block) = &block {
        endpoints::check(block, &mut errors);
    }
    finish(errors, block, endpoints::expand, |block| {
        block.map(|b| endpoints::fallback(&b)).unwrap_or_default()
    })
}

/// The expansion of a model without errors, else the errors and the fallback.
fn finish<M>(
    errors: Errors,
    model: Option<M>,
    expand: impl FnOnce(&M) -> TokenStream,
    fallback: impl FnOnce(Option<M>) -> TokenStream,
) -> TokenStream {
    match (errors.finish(), model) {
        (Ok(()), Some(model)) => expand(&model),
        (Err(error), model) => {
            let errors = error.to_compile_error();
            let fallback = fallback(model);
            quote::quote!(#errors #fallback)
        }
        (Ok(()), None) => unreachable!("a missing model always comes with an error"),
    }
}

#[cfg(test)]
mod tests {
    /// The bookstore's `Book` expands to wiring and data, O(fields) lines; the CRUD
    /// logic stays in `ferrest`. The bound catches logic creeping into the expansion.
    /// Today `Book` takes about 214 lines of wiring plus 40 a field (654 lines for 11
    /// fields, 694 for 12); the bound sits a little above that line, so a new field
    /// or wiring a new declaration key may grow the expansion, while a loop or a query
    /// written into it would not fit.
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
        let bound = 240 + 42 * book.fields.len();
        assert!(lines < bound, "{lines} lines, over {bound}:\n{text}");
    }
}
