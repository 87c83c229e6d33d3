//! `rate_limit = "100/minute"`, checked at compile time.

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

use crate::errors::Errors;

/// At most `requests` per `window_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub requests: u32,
    pub window_secs: u64,
}

impl Rate {
    /// `<requests>/<second|minute|hour|day>`, as the runtime reads `FERREST_RATE_LIMIT`.
    pub fn from_lit(lit: &LitStr, errors: &mut Errors) -> Option<Rate> {
        let text = lit.value();
        let parsed = text.split_once('/').and_then(|(requests, unit)| {
            let requests: u32 = requests.trim().parse().ok().filter(|n| *n > 0)?;
            let window_secs = match unit.trim() {
                "second" | "s" => 1,
                "minute" | "min" | "m" => 60,
                "hour" | "h" => 3600,
                "day" | "d" => 86_400,
                _ => return None,
            };
            Some(Rate {
                requests,
                window_secs,
            })
        });
        if parsed.is_none() {
            errors.spanned(
                lit,
                format!("`{text}` is not a rate; write requests per `second`, `minute`, `hour` or `day`, like \"100/minute\""),
            );
        }
        parsed
    }

    pub fn tokens(rate: Option<Rate>) -> TokenStream {
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
}
