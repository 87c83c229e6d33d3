//! `Display`, `From<E> for ApiError`, `IntoResponse`, `ErrorResponses` and
//! `TypedError` for an `ApiError` enum.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use super::model::ErrorEnum;

pub fn expand(errors_enum: &ErrorEnum) -> TokenStream {
    let name = &errors_enum.ident;
    let variants = &errors_enum.variants;
    let display = variants.iter().map(|v| {
        let ident = &v.ident;
        let fields = &v.fields;
        let text = match (&v.detail, &v.doc) {
            (Some(detail), _) => quote!(#detail),
            (None, Some(doc)) => {
                let first = doc.lines().next().unwrap_or_default().trim_end_matches('.');
                let first = first.replace('{', "{{").replace('}', "}}");
                quote!(#first)
            }
            (None, None) => {
                let words = v.code.replace('_', " ");
                quote!(#words)
            }
        };
        quote! {
            #[allow(unused_variables)]
            #name::#ident { #(#fields,)* .. } => ::core::write!(__ferrest_f, #text)
        }
    });
    let status = variants.iter().map(|v| {
        let (ident, status, code) = (&v.ident, v.status, &v.code);
        quote!(#name::#ident { .. } => (#status, #code))
    });
    let responses = variants.iter().map(|v| {
        let (status, code) = (v.status, &v.code);
        let description = v.doc.clone().unwrap_or_else(|| v.code.replace('_', " "));
        quote! {
            ::ferrest::ErrorResponse { status: #status, code: #code, description: #description }
        }
    });
    let private = quote!(::ferrest::__private);
    quote! {
        const _: () = {
            impl ::core::fmt::Display for #name {
                fn fmt(&self, __ferrest_f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    match self { #(#display,)* }
                }
            }

            impl ::core::convert::From<#name> for ::ferrest::ApiError {
                fn from(error: #name) -> Self {
                    let (status, code): (u16, &'static str) = match &error { #(#status,)* };
                    ::ferrest::ApiError::new(
                        #private::axum::http::StatusCode::from_u16(status)
                            .unwrap_or(#private::axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                        code,
                        ::std::string::ToString::to_string(&error),
                    )
                }
            }

            impl #private::axum::response::IntoResponse for #name {
                fn into_response(self) -> #private::axum::response::Response {
                    #private::axum::response::IntoResponse::into_response(
                        <::ferrest::ApiError as ::core::convert::From<#name>>::from(self),
                    )
                }
            }

            impl ::ferrest::ErrorResponses for #name {
                fn responses() -> ::std::vec::Vec<::ferrest::ErrorResponse> {
                    ::std::vec![#(#responses),*]
                }
            }

            impl #private::TypedError for #name {
                fn into_problem(self) -> ::ferrest::ApiError {
                    ::core::convert::From::from(self)
                }
            }
        };
    }
}

/// The same impls, never called, beside compile errors: code that returns or converts
/// the enum keeps type-checking, so the macro's errors are the only ones.
pub fn fallback(input: &DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let name = &input.ident;
    let private = quote!(::ferrest::__private);
    quote! {
        const _: () = {
            impl ::core::fmt::Display for #name {
                fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::unreachable!()
                }
            }
            impl ::core::convert::From<#name> for ::ferrest::ApiError {
                fn from(_: #name) -> Self {
                    ::core::unreachable!()
                }
            }
            impl #private::axum::response::IntoResponse for #name {
                fn into_response(self) -> #private::axum::response::Response {
                    ::core::unreachable!()
                }
            }
            impl ::ferrest::ErrorResponses for #name {
                fn responses() -> ::std::vec::Vec<::ferrest::ErrorResponse> {
                    ::std::vec::Vec::new()
                }
            }
            impl #private::TypedError for #name {
                fn into_problem(self) -> ::ferrest::ApiError {
                    ::core::unreachable!()
                }
            }
        };
    }
}
