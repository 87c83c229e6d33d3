//! Rules across the variants of an `ApiError` enum.

use super::model::ErrorEnum;
use crate::errors::Errors;

pub fn check(errors_enum: &ErrorEnum, errors: &mut Errors) {
    codes_are_unique(errors_enum, errors);
}

/// Clients tell errors apart by `code`; two variants with one code would be one
/// error to them, and one entry in the document.
fn codes_are_unique(errors_enum: &ErrorEnum, errors: &mut Errors) {
    for (i, variant) in errors_enum.variants.iter().enumerate() {
        if let Some(earlier) = errors_enum.variants[..i]
            .iter()
            .find(|v| v.code == variant.code)
        {
            errors.at(
                variant.code_span,
                format!(
                    "`{}` has the code `{}` of `{}`; each variant needs its own",
                    variant.ident, variant.code, earlier.ident
                ),
            );
        }
    }
}
