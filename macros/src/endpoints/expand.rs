//! `impl Endpoints`: the routes and the recorded operations of the block.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::argument::Argument;
use super::model::{Block, Hook, Method};

pub fn expand(block: &Block) -> TokenStream {
    let (methods, hooks) = (&block.methods, &block.hooks);
    let item = &block.item;
    let self_ty = &item.self_ty;
    let private = quote!(::ferrest::__private);
    let type_name = type_name(self_ty);
    let default_tag = block
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
        let permission = crate::expand::permission(&permission(m));
        let rate_limit = crate::expand::rate_limit(m.rate_limit);
        let operation_id = operation_id(m, &type_name);
        quote! {
            let router = router.route(#path, #private::limited(
                #private::axum::routing::#verb(#private::guard(
                    #private::#handler #generics(Self::#ident),
                    [#permission],
                )),
                #operation_id,
                #rate_limit,
            ));
        }
    });
    let records = methods.iter().map(|m| record(m, &default_tag, &type_name));
    let hooks = hook_set(self_ty, hooks);
    quote! {
        #item

        impl ::ferrest::Endpoints for #self_ty {
            fn routes() -> #private::axum::Router<#private::AppState> {
                let router = #private::axum::Router::new();
                #(#routes)*
                router
            }

            fn endpoints() -> ::std::vec::Vec<::ferrest::Endpoint> {
                ::std::vec![#(#records),*]
            }

            #hooks
        }
    }
}

/// `fn hooks()`: each hook behind a wrapper of the runtime's function type, which
/// calls the user's method with the user's argument types (a mismatch is reported at
/// the user's type) and makes its error a problem.
fn hook_set(self_ty: &syn::Type, hooks: &[Hook]) -> TokenStream {
    if hooks.is_empty() {
        return TokenStream::new();
    }
    let private = quote!(::ferrest::__private);
    let resource = quote!(<#self_ty as ::ferrest::Resource>);
    let registrations = hooks.iter().map(|hook| {
        let ident = &hook.ident;
        let kind = format_ident!("{}", hook.kind);
        let values: Vec<TokenStream> = match hook.kind.as_str() {
            "before_create" => vec![quote!(&'a mut #resource::Create)],
            "before_update" => vec![quote!(&'a #self_ty), quote!(&'a mut #resource::Update)],
            "read_filter" => vec![],
            _ => vec![quote!(&'a #self_ty)],
        };
        let names: Vec<_> = (0..values.len()).map(|i| format_ident!("value_{}", i)).collect();
        // Each value is first bound at the user's argument type, so a mismatch is
        // reported there, argument by argument.
        let declared = names.iter().zip(hook.args.iter().skip(1)).map(|(name, arg)| {
            let ty = without_self(&arg.ty, self_ty);
            let value = syn::Ident::new(&name.to_string(), arg.ty.span());
            quote_spanned!(arg.ty.span()=> let #name: #ty = #value;)
        });
        let ctx = match hook.args.first() {
            Some(arg) => {
                let ty = without_self(&arg.ty, self_ty);
                let value = syn::Ident::new("ctx", arg.ty.span());
                quote_spanned!(arg.ty.span()=> let ctx: #ty = #value;)
            }
            None => quote!(),
        };
        let success = if hook.kind == "read_filter" {
            quote!(#private::sea_orm::Condition)
        } else {
            quote!(())
        };
        // Both uses of the return type at its span: a wrong one is one error there.
        let (output, output_span) = match &hook.output {
            Some(ty) => (without_self(ty, self_ty), ty.span()),
            None => (quote!(()), hook.kind_span),
        };
        let output_errors = quote_spanned!(output_span=> <#output as #private::HookOutput<#success>>::errors());
        let into_result = quote_spanned!(output_span=> <#output as #private::HookOutput<#success>>::into_result(outcome));
        let register = quote_spanned!(hook.kind_span=> hooks.#kind);
        quote_spanned! {hook.kind_span=>
            let hooks = {
                #[allow(non_snake_case)]
                fn wrapper<'a>(
                    ctx: &'a ::ferrest::Ctx,
                    #(#names: #values),*
                ) -> #private::HookFuture<'a, #success> {
                    ::std::boxed::Box::pin(async move {
                        #ctx
                        #(#declared)*
                        let outcome = #self_ty::#ident(ctx, #(#names),*).await;
                        #into_result
                    })
                }
                #register(wrapper, #output_errors)
            };
        }
    });
    // Every use of the resource at the first hook's kind: hooks on a type that is not
    // a resource are reported there.
    quote_spanned! {hooks[0].kind_span=>
        fn hooks() -> ::core::option::Option<#private::HookSet> {
            let hooks = #private::Hooks::<#self_ty>::new();
            #(#registrations)*
            ::core::option::Option::Some(hooks.into_set())
        }
    }
}

/// `ty` with `Self` written as the type: the wrappers are items of their own, where
/// `Self` does not name the resource.
fn without_self(ty: &syn::Type, self_ty: &syn::Type) -> TokenStream {
    fn replace(tokens: TokenStream, self_ty: &syn::Type) -> TokenStream {
        tokens
            .into_iter()
            .flat_map(|token| match token {
                proc_macro2::TokenTree::Ident(ident) if ident == "Self" => {
                    quote_spanned!(ident.span()=> #self_ty)
                }
                proc_macro2::TokenTree::Group(group) => {
                    let mut inner = proc_macro2::Group::new(
                        group.delimiter(),
                        replace(group.stream(), self_ty),
                    );
                    inner.set_span(group.span());
                    proc_macro2::TokenTree::Group(inner).into()
                }
                other => other.into(),
            })
            .collect()
    }
    replace(quote!(#ty), self_ty)
}

/// `Book` for `impl Book` or `impl crate::Book`; empty for other self types.
pub fn type_name(self_ty: &syn::Type) -> String {
    match self_ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
    .unwrap_or_default()
}

/// The block as written (minus `#[rest]`) with an `impl Endpoints` without routes,
/// emitted beside compile errors: its methods and `App::endpoints::<T>()` stay
/// usable, so only the macro's errors show.
pub fn fallback(block: &Block) -> TokenStream {
    let item = &block.item;
    let self_ty = &item.self_ty;
    let private = quote!(::ferrest::__private);
    quote! {
        #item
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

/// `operationId`: given, or the method's name in camelCase and the type's name; also
/// the scope of the method's own rate limit.
fn operation_id(method: &Method, type_name: &str) -> String {
    method
        .operation_id
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| format!("{}{type_name}", lower_camel_case(&method.ident.to_string())))
}

/// The `Endpoint` of one method.
fn record(method: &Method, default_tag: &str, type_name: &str) -> TokenStream {
    let private = quote!(::ferrest::__private);
    let verb = &method.verb;
    let path = &method.path;
    let operation_id = operation_id(method, type_name);
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
        .and_then(|a| unwrap(a, "Json"))
        .map(|ty| quote_spanned!(ty.span()=> ::core::option::Option::Some(<#ty as ::ferrest::Documented>::schema())))
        .unwrap_or_else(|| quote!(::core::option::Option::None));
    let query = method
        .args
        .iter()
        .filter_map(|a| unwrap(a, "Query"))
        .map(|ty| quote_spanned!(ty.span()=> parameters.extend(<#ty as ::ferrest::QueryParameters>::parameters());));
    let rejects = method
        .args
        .iter()
        .any(|a| a.extractor().as_deref() == Some("Path") || unwrap(a, "Query").is_some());
    let reads_json = method.args.iter().any(|a| unwrap(a, "Json").is_some());
    let permission = crate::expand::permission(&permission(method));
    let rate_limit = crate::expand::rate_limit(method.rate_limit);
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
            let mut parameters = ::std::vec::Vec::new();
            #(#query)*
            ::ferrest::Endpoint {
                method: #verb,
                path: #path,
                operation_id: #operation_id,
                tag: #tag,
                summary: #summary,
                description: #description,
                path_parameters: ::std::vec![#(#parameters),*],
                query_parameters: parameters,
                body: #body,
                responses,
                permission: #permission,
                rate_limit: #rate_limit,
            }
        }
    }
}

/// The method's `auth`; without one, a method that takes a `Principal` needs an
/// authenticated caller (the extractor refuses others), and the document says so.
fn permission(method: &Method) -> crate::model::Permission {
    match &method.permission {
        Some(permission) => permission.clone(),
        None if method
            .args
            .iter()
            .any(|a| a.extractor().as_deref() == Some("Principal")) =>
        {
            crate::model::Permission::Authenticated
        }
        None => crate::model::Permission::Public,
    }
}

/// The `T` of a `Json<T>` argument (for `wrapper` `Json`), or of `Valid<Json<T>>`.
fn unwrap<'a>(arg: &'a Argument, wrapper: &str) -> Option<&'a syn::Type> {
    match arg.extractor().as_deref() {
        Some(name) if name == wrapper => arg.inner(),
        Some("Valid") => {
            let syn::Type::Path(path) = arg.inner()? else {
                return None;
            };
            let last = path.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            (last.ident == wrapper).then_some(())?;
            args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
        }
        _ => None,
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
fn lower_camel_case(snake: &str) -> String {
    heck::ToLowerCamelCase::to_lower_camel_case(snake.trim_start_matches("r#"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn operation_ids_are_lower_camel_case() {
        assert_eq!(super::lower_camel_case("publish_book"), "publishBook");
        assert_eq!(super::lower_camel_case("r#type"), "type");
        assert_eq!(super::lower_camel_case("stats_v2"), "statsV2");
        assert_eq!(super::lower_camel_case("publish"), "publish");
    }
}
