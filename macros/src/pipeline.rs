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
        (Err(error), _) => error.to_compile_error(),
        (Ok(()), None) => unreachable!("a missing model always comes with an error"),
    }
}
