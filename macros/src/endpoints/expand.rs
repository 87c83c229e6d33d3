//! `impl Endpoints`: the routes and the recorded operations of the block.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{Method, Options};

pub fn endpoints(block: &syn::ItemImpl, options: &Options, methods: &[Method]) -> TokenStream {
    let self_ty = &block.self_ty;
    let private = quote!(::ferrest::__private);
    let type_name = match &**self_ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
    .unwrap_or_default();
    let default_tag = options
        .tag
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| crate::model::plural(&type_name));
    let routes = methods.iter().map(|m| {
        let (ident, path) = (&m.ident, &m.path);
        let verb = format_ident!("{}", m.verb);
        let handler = format_ident!("handler_{}", m.args.len());
        // The argument types, written out with the user's spans: an argument that is
        // not an extractor is then reported at its type.
        let types = m.args.iter().map(|a| &a.ty);
        let generics = if m.args.is_empty() {
            quote!()
        } else {
            quote!(::<_, _, _, #(#types),*>)
        };
        quote! {
            let router = router.route(#path, #private::axum::routing::#verb(#private::#handler #generics(Self::#ident)));
        }
    });
    let records = methods.iter().map(|m| record(m, &default_tag, &type_name));
    quote! {
        #block

        impl ::ferrest::Endpoints for #self_ty {
            fn routes() -> #private::axum::Router<#private::AppState> {
                let router = #private::axum::Router::new();
                #(#routes)*
                router
            }

            fn endpoints() -> ::std::vec::Vec<::ferrest::Endpoint> {
                ::std::vec![#(#records),*]
            }
        }
    }
}

/// An `impl Endpoints` without routes, emitted beside compile errors.
pub fn fallback(block: &syn::ItemImpl) -> TokenStream {
    let self_ty = &block.self_ty;
    let private = quote!(::ferrest::__private);
    quote! {
        impl ::ferrest::Endpoints for #self_ty {
            fn routes() -> #private::axum::Router<#private::AppState> {
                #private::axum::Router::new()
            }
            fn endpoints() -> ::std::vec::Vec<::ferrest::Endpoint> {
                ::std::vec::Vec::new()
            }
        }
    }
}

/// The `Endpoint` of one method.
fn record(method: &Method, default_tag: &str, type_name: &str) -> TokenStream {
    let private = quote!(::ferrest::__private);
    let verb = &method.verb;
    let path = &method.path;
    let operation_id = method
        .operation_id
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| format!("{}{type_name}", camel_case(&method.ident.to_string())));
    let tag = method
        .tag
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| default_tag.to_owned());
    let (summary, description) = split_doc(method.doc.as_deref());
    let summary = option(summary);
    let description = option(description);
    let parameters = path_parameters(method);
    let body = method
        .args
        .last()
        .filter(|a| a.extractor().as_deref() == Some("Json"))
        .and_then(|a| a.inner())
        .map(|ty| quote_spanned!(ty.span()=> ::core::option::Option::Some(<#ty as ::ferrest::Documented>::schema())))
        .unwrap_or_else(|| quote!(::core::option::Option::None));
    let extractors: Vec<String> = method.args.iter().filter_map(|a| a.extractor()).collect();
    let rejects = extractors.iter().any(|e| e == "Path" || e == "Query");
    let reads_json = extractors.iter().any(|e| e == "Json");
    let output = match &method.output {
        Some(ty) => {
            quote_spanned!(ty.span()=> <#ty as ::ferrest::Responds>::responses(&mut responses);)
        }
        None => quote!(<() as ::ferrest::Responds>::responses(&mut responses);),
    };
    quote! {
        {
            let mut responses = ::std::vec::Vec::new();
            #output
            #private::rejections(&mut responses, #rejects, #reads_json);
            ::ferrest::Endpoint {
                method: #verb,
                path: #path,
                operation_id: #operation_id,
                tag: #tag,
                summary: #summary,
                description: #description,
                path_parameters: ::std::vec![#(#parameters),*],
                body: #body,
                responses,
            }
        }
    }
}

/// `(name, schema)` per `{param}` of the path, typed from the `Path` argument.
fn path_parameters(method: &Method) -> Vec<TokenStream> {
    let text = method.path.value();
    let names: Vec<&str> = text
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    let path = method
        .args
        .iter()
        .find(|a| a.extractor().as_deref() == Some("Path"));
    let bindings = path.and_then(|p| p.path_bindings()).unwrap_or_default();
    let types: Vec<syn::Type> = match path.and_then(|p| p.inner()) {
        Some(syn::Type::Tuple(tuple)) => tuple.elems.iter().cloned().collect(),
        Some(single) => vec![single.clone()],
        None => Vec::new(),
    };
    // One name bound to a tuple (`Path(pair): Path<(i64, i64)>`) takes the path's
    // parameters by position.
    let positional = bindings.len() == 1 && types.len() == names.len() && types.len() > 1;
    names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let position = if positional {
                Some(index)
            } else {
                bindings.iter().position(|b| b == name)
            };
            match position.and_then(|i| types.get(i)) {
                Some(ty) => {
                    quote_spanned!(ty.span()=> (#name, <#ty as ::ferrest::Documented>::schema()))
                }
                None => quote!((#name, <::std::string::String as ::ferrest::Documented>::schema())),
            }
        })
        .collect()
}

/// The first paragraph of a doc comment, and the rest.
fn split_doc(doc: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(doc) = doc else { return (None, None) };
    match doc.split_once("\n\n") {
        Some((summary, rest)) => (
            Some(summary.replace('\n', " ")),
            Some(rest.trim().to_owned()),
        ),
        None => (Some(doc.replace('\n', " ")), None),
    }
}

fn option(value: Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// `publish_book` -> `publishBook`.
fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
