//! Who may call an operation and how often: the model's `Permission`, `Access` and
//! `Rate` as the runtime's values.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Access, Permission, Rate};

/// `::ferrest::auth::Permission::Role(&["admin"])`.
pub fn permission(permission: &Permission) -> TokenStream {
    let path = quote!(::ferrest::auth::Permission);
    match permission {
        Permission::Public => quote!(#path::Public),
        Permission::Authenticated => quote!(#path::Authenticated),
        Permission::Role(names) => quote!(#path::Role(&[#(#names),*])),
        Permission::Scope(names) => quote!(#path::Scope(&[#(#names),*])),
    }
}

/// `::ferrest::auth::Access { list: ..., ... }`.
pub fn access(access: &Access) -> TokenStream {
    let [list, get, create, update, delete] = [
        &access.list,
        &access.get,
        &access.create,
        &access.update,
        &access.delete,
    ]
    .map(permission);
    quote! {
        ::ferrest::auth::Access {
            list: #list, get: #get, create: #create, update: #update, delete: #delete,
        }
    }
}

/// `Some(RateLimit { .. })` or `None`.
pub fn rate_limit(rate: Option<Rate>) -> TokenStream {
    match rate {
        Some(Rate {
            requests,
            window_secs,
        }) => quote! {
            ::core::option::Option::Some(::ferrest::rate_limit::RateLimit {
                requests: #requests,
                window_secs: #window_secs,
            })
        },
        None => quote!(::core::option::Option::None),
    }
}
