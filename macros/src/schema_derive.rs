//! `#[derive(Schema)]`: a request or response type of a custom endpoint. It gets its
//! schema in the document, and serde's `Serialize`/`Deserialize` through ferrest, so
//! the user's crate needs no serde of its own.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::errors::{Errors, unknown_key_message};
use crate::model::{Field, Role, Rule};
use crate::parse::keys;

pub fn derive_schema(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let fields = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => named.named.iter().collect::<Vec<_>>(),
        _ => {
            errors.at(
                input.ident.span(),
                "`#[derive(Schema)]` applies to structs with named fields, like `struct Stats { books: u64 }`",
            );
            Vec::new()
        }
    };
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(Schema)]` does not support generic parameters",
        );
    }
    if let Err(error) = errors.finish() {
        return error.to_compile_error();
    }
    let mut errors = Errors::new();
    let mut validated: Vec<Option<Field>> = fields
        .iter()
        .map(|f| validated_field(f, &mut errors))
        .collect();
    // With a mistake in the rules, the type still gets its impls, without rules, so
    // the mistake is the only error.
    let reported = match errors.finish() {
        Ok(()) => TokenStream::new(),
        Err(error) => {
            validated.iter_mut().for_each(|v| *v = None);
            error.to_compile_error()
        }
    };
    let name = &input.ident;
    let name_text = name.to_string();
    let idents: Vec<_> = fields.iter().filter_map(|f| f.ident.as_ref()).collect();
    let types: Vec<_> = fields.iter().map(|f| &f.ty).collect();
    let names: Vec<String> = idents
        .iter()
        .map(|i| i.to_string().trim_start_matches("r#").to_owned())
        .collect();
    let required = fields
        .iter()
        .zip(&names)
        .filter(|(f, _)| !is_option(&f.ty))
        .map(|(_, n)| n);
    let descriptions = fields
        .iter()
        .map(|f| match crate::parse::doc_comment(&f.attrs) {
            Some(doc) => quote!(::core::option::Option::Some(#doc)),
            None => quote!(::core::option::Option::None),
        });
    let doc = match crate::parse::doc_comment(&input.attrs) {
        Some(doc) => quote!(::core::option::Option::Some(#doc)),
        None => quote!(::core::option::Option::None),
    };
    let private = quote!(::ferrest::__private);
    let serde = quote!(#private::serde);
    let mut patterns = Vec::new();
    let field_rules: Vec<TokenStream> = fields
        .iter()
        .zip(&names)
        .zip(&validated)
        .map(|((f, name), model)| {
            let required = !is_option(&f.ty);
            let mut rules = Vec::new();
            if let Some(m) = model {
                rules.extend(m.rules.iter().filter_map(|r| crate::expand::rule_tokens(m, r, &mut patterns)));
            }
            quote!(::ferrest::FieldRules { name: #name, required: #required, rules: &[#(#rules),*] })
        })
        .collect();
    let mut custom = Vec::new();
    for field in validated.iter().flatten() {
        let (ident, name) = (&field.ident, &field.name);
        for rule in &field.rules {
            let Rule::With { path } = rule else { continue };
            let check = crate::expand::typed_check(path, field);
            let call = quote!({
                #check
                #private::custom(errors, #name, value, __ferrest_check);
            });
            custom.push(if field.ty.nullable {
                quote!(if let ::core::option::Option::Some(value) = &self.#ident { #call })
            } else {
                quote!({ let value = &self.#ident; #call })
            });
        }
    }
    let field_count = field_rules.len();
    let owned = format_ident!("__FerrestOwned{}", name);
    let borrowed = format_ident!("__FerrestBorrowed{}", name);
    quote! {
        #reported
        const _: () = {
            impl ::ferrest::Documented for #name {
                fn schema() -> #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema> {
                    let fields: &[(&str, #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema>, ::core::option::Option<&str>)] =
                        &[#((#names, <#types as ::ferrest::Documented>::schema(), #descriptions)),*];
                    #private::object_schema(#name_text, #doc, fields, &[#(#required),*], <Self as ::ferrest::Validate>::fields())
                }
            }

            impl ::ferrest::QueryParameters for #name {
                fn parameters() -> ::std::vec::Vec<#private::utoipa::openapi::path::Parameter> {
                    #private::query_parameters(<Self as ::ferrest::Documented>::schema())
                }
            }

            impl ::ferrest::Validate for #name {
                fn fields() -> &'static [::ferrest::FieldRules] {
                    #(#patterns)*
                    static FIELDS: [::ferrest::FieldRules; #field_count] = [#(#field_rules),*];
                    &FIELDS
                }

                #[allow(unused_variables)]
                fn check_custom(&self, errors: &mut ::std::vec::Vec<::ferrest::FieldError>) {
                    #(#custom)*
                }
            }

            #[derive(#serde::Serialize)]
            #[serde(crate = "::ferrest::__private::serde", rename = #name_text)]
            struct #borrowed<'a> { #(#idents: &'a #types,)* }

            impl #serde::Serialize for #name {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    #serde::Serialize::serialize(&#borrowed { #(#idents: &self.#idents,)* }, serializer)
                }
            }

            #[derive(#serde::Deserialize)]
            #[serde(crate = "::ferrest::__private::serde", rename = #name_text, deny_unknown_fields)]
            struct #owned { #(#idents: #types,)* }

            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    let #owned { #(#idents,)* } = <#owned as #serde::Deserialize<'de>>::deserialize(deserializer)?;
                    ::core::result::Result::Ok(#name { #(#idents,)* })
                }
            }
        };
    }
}

/// The `#[rest(validate(...))]` rules of a field, checked against its type as a
/// resource field's are; `None` without rules.
fn validated_field(field: &syn::Field, errors: &mut Errors) -> Option<Field> {
    let mut raw = Vec::new();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident(keys::REST)) {
        let parsed = attr.parse_nested_meta(|meta| {
            let key = crate::parse::key_of(&meta);
            if key == keys::VALIDATE {
                raw.extend(crate::parse::parse_rules(&meta, errors)?);
            } else {
                errors.at(
                    meta.path.span(),
                    unknown_key_message("`#[derive(Schema)]` field key", &key, &[keys::VALIDATE]),
                );
                crate::parse::skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    if raw.is_empty() {
        return None;
    }
    let rules: Vec<Rule> = raw
        .iter()
        .filter_map(|r| Rule::from_raw(r, errors))
        .collect();
    // Rules check JSON values, so they apply to the types a value rule can judge.
    let ty = crate::model::classify(&field.ty, &mut Errors::new());
    let Some(ty) = ty else {
        errors.spanned(
            &field.ty,
            "`validate(...)` applies to fields of a scalar type (`String`, integers, floats, `Decimal`, ...) or an `Option` of one",
        );
        return None;
    };
    let ident = field.ident.clone()?;
    let model = Field {
        name: ident.to_string().trim_start_matches("r#").to_owned(),
        ident,
        ty,
        role: Role::Data,
        role_span: None,
        unique: None,
        default: None,
        rules,
        doc: None,
        filters: Vec::new(),
        sort: None,
        belongs_to: None,
        write: None,
    };
    crate::check::rules_fit(&model, errors);
    Some(model)
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}
