//! Rules of a schema's fields.

use super::model::Schema;
use crate::errors::Errors;

/// Each rule fits its field's type, by the rules that judge a resource field's.
pub fn check(schema: &Schema, errors: &mut Errors) {
    for field in schema.fields.iter().filter_map(|f| f.validated.as_ref()) {
        crate::check::rules_fit(field, errors);
    }
}
