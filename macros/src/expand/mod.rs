//! Stage 3: model to tokens, one file per artifact. Everything generated for one
//! resource sits in one `const _: () = { ... };` block except the items users name:
//! the entity module and the `BookCreate`/`BookUpdate` DTOs.

mod access;
mod dto;
mod entity;
mod fallback;
mod resource_impl;
mod spec;
mod types;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::model::Resource;

pub(crate) use access::{permission, rate_limit};
pub use fallback::fallback;
pub(crate) use resource_impl::typed_check;
pub(crate) use spec::rule_tokens;

pub fn resource(resource: &Resource) -> TokenStream {
    let entity = entity::entity_module(resource);
    let dtos = dto::dtos(resource);
    let spec = spec::spec_static(resource);
    let resource_impl = resource_impl::resource_impl(resource);
    let relation_impl = entity::relation_impl(resource);
    quote! {
        #entity
        #dtos
        const _: () = {
            #spec
            #resource_impl
            #relation_impl
        };
    }
}

/// `__ferrest_entity_book`: the generated sea-orm entity module of `Book`.
fn entity_module_ident(resource: &Resource) -> Ident {
    format_ident!(
        "__ferrest_entity_{}",
        crate::model::snake_case(&resource.ident.to_string())
    )
}

fn create_ident(resource: &Resource) -> Ident {
    format_ident!("{}Create", resource.ident)
}

fn update_ident(resource: &Resource) -> Ident {
    format_ident!("{}Update", resource.ident)
}
