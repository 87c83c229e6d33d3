//! `#[derive(ApiError)]`: an enum of typed errors, one problem per variant.
//!
//! parse (`#[rest(status = 404, code = "...", detail = "...")]` per variant) -> check
//! (status range, code spelling, unique codes) -> expand (`Display`, `From<E> for
//! ApiError`, `IntoResponse`, and the `ErrorResponses` the document lists).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitInt, LitStr};

use crate::errors::{Errors, unknown_key_message};
use crate::parse::keys;

struct Variant {
    ident: Ident,
    /// Named fields, bound by name so `detail` can interpolate them.
    fields: Vec<Ident>,
    status: u16,
    code: String,
    detail: Option<LitStr>,
    doc: Option<String>,
}

pub fn derive_api_error(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let variants = parse(input, &mut errors);
    match errors.finish() {
        Ok(()) => expand(input, &variants),
        Err(error) => error.to_compile_error(),
    }
}

fn parse(input: &DeriveInput, errors: &mut Errors) -> Vec<Variant> {
    let syn::Data::Enum(data) = &input.data else {
        errors.at(
            input.ident.span(),
            "`#[derive(ApiError)]` applies to enums, one variant per error, like `enum BookError { NotFound }`",
        );
        return Vec::new();
    };
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(ApiError)]` does not support generic parameters",
        );
    }
    if data.variants.is_empty() {
        errors.at(
            input.ident.span(),
            "declare at least one error variant, like `NotFound`",
        );
    }
    let mut variants: Vec<Variant> = Vec::new();
    for variant in &data.variants {
        let fields = match &variant.fields {
            syn::Fields::Unit => Vec::new(),
            syn::Fields::Named(named) => {
                named.named.iter().filter_map(|f| f.ident.clone()).collect()
            }
            syn::Fields::Unnamed(unnamed) => {
                errors.spanned(
                    unnamed,
                    "give the fields names, like `NotFound { id: i64 }`, so `detail` can name them",
                );
                Vec::new()
            }
        };
        let reported_before = errors.count();
        let mut status: Option<(u16, Span)> = None;
        let mut code: Option<LitStr> = None;
        let mut detail: Option<LitStr> = None;
        for attr in variant
            .attrs
            .iter()
            .filter(|a| a.path().is_ident(keys::REST))
        {
            let parsed = attr.parse_nested_meta(|meta| {
                let key = crate::parse::key_of(&meta);
                let span = meta.path.span();
                match key.as_str() {
                    keys::STATUS => {
                        let lit: LitInt = meta.value()?.parse()?;
                        match lit.base10_parse::<u16>() {
                            Ok(n) if (400..=599).contains(&n) => status = Some((n, lit.span())),
                            _ => errors.at(
                                lit.span(),
                                "`status` must be an error status from 400 to 599",
                            ),
                        }
                    }
                    keys::CODE => code = Some(meta.value()?.parse()?),
                    keys::DETAIL => detail = Some(meta.value()?.parse()?),
                    other => {
                        errors.at(
                            span,
                            unknown_key_message("error key", other, keys::ERROR_KEYS),
                        );
                        crate::parse::skip_value(&meta)?;
                    }
                }
                Ok(())
            });
            if let Err(e) = parsed {
                errors.push(e);
            }
        }
        let Some((status, _)) = status else {
            // A misspelled or refused `status` is reported already.
            if errors.count() == reported_before {
                errors.at(
                    variant.ident.span(),
                    format!(
                        "`{}` needs a status: add `#[rest(status = 404)]` (any status from 400 to 599)",
                        variant.ident
                    ),
                );
            }
            continue;
        };
        let code_text = match &code {
            Some(lit) => {
                let text = lit.value();
                if text.is_empty()
                    || !text
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    errors.at(
                        lit.span(),
                        "`code` is snake_case, like `\"already_published\"`: clients match on it",
                    );
                }
                text
            }
            None => crate::model::snake_case(&variant.ident.to_string()),
        };
        if let Some(earlier) = variants.iter().find(|v| v.code == code_text) {
            errors.at(
                code.as_ref().map_or(variant.ident.span(), LitStr::span),
                format!(
                    "`{}` has the code `{code_text}` of `{}`; each variant needs its own",
                    variant.ident, earlier.ident
                ),
            );
        }
        variants.push(Variant {
            ident: variant.ident.clone(),
            fields,
            status,
            code: code_text,
            detail,
            doc: crate::parse::doc_comment(&variant.attrs),
        });
    }
    variants
}

fn expand(input: &DeriveInput, variants: &[Variant]) -> TokenStream {
    let name = &input.ident;
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
