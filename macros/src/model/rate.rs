//! `rate_limit = "100/minute"`, checked at compile time by the rules the runtime reads
//! `FERREST_RATE_LIMIT` with (`ferrest_shared::Rate`).

use syn::LitStr;

use crate::errors::Errors;

pub use ferrest_shared::Rate;

/// The rate of a `rate_limit = "..."` literal; `None` after reporting why not.
pub fn rate_from_lit(lit: &LitStr, errors: &mut Errors) -> Option<Rate> {
    let text = lit.value();
    let parsed = text.parse::<Rate>().ok();
    if parsed.is_none() {
        errors.spanned(
            lit,
            format!("`{text}` is not a rate; write requests per `second`, `minute`, `hour` or `day`, like \"100/minute\""),
        );
    }
    parsed
}
