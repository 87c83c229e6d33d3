//! The stand-in `impl Resource` (and `Generated`) emitted next to compile errors (see
//! `ferrest::__private::fallback`): code that uses the resource keeps type-checking, so
//! the macro's own errors are the only ones the user reads.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn fallback(input: &DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let name = &input.ident;
    let fallback = quote!(::ferrest::__private::fallback);
    quote! {
        const _: () = {
            impl ::ferrest::Resource for #name {
                type Entity = #fallback::Entity;
                type Model = #fallback::Model;
                type Create = ();
                type Update = ();
                type Id = i64;
                fn spec() -> &'static ::ferrest::__private::spec::ResourceSpec {
                    ::core::unreachable!()
                }
            }
            impl ::ferrest::__private::Generated<#fallback::Model, (), ()> for #name {
                type ActiveModel = #fallback::ActiveModel;
                fn from_model(_: #fallback::Model) -> Self {
                    ::core::unreachable!()
                }
                fn id_of(_: &#fallback::Model) -> ::std::string::String {
                    ::core::unreachable!()
                }
                fn new_row(_: ()) -> #fallback::ActiveModel {
                    ::core::unreachable!()
                }
                fn apply_update(_: (), _: &mut #fallback::ActiveModel) {}
            }
        };
    }
}
