//! What a body check found: the field errors, at most
//! [`MAX_FIELD_ERRORS`](crate::MAX_FIELD_ERRORS) unknown keys among them, and a count
//! of the unknown keys past those.

use crate::problem::{ApiError, FieldError};

/// The failures a check found: the errors, and how many unknown keys past the first
/// [`MAX_FIELD_ERRORS`](crate::MAX_FIELD_ERRORS) it counted without making each an
/// error, so a body of many unknown keys costs no more than its parsing.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub listed: Vec<FieldError>,
    pub unlisted: usize,
    /// Unknown keys seen, listed or not.
    unknown: usize,
}

impl Found {
    /// One error about the body as a whole.
    pub(crate) fn one(error: FieldError) -> Found {
        Found {
            listed: vec![error],
            ..Found::default()
        }
    }

    /// An unknown key: the first one names the fields expected (only once: a body of
    /// many unknown keys would otherwise be answered with the same list many times).
    pub(super) fn unknown<'a>(&mut self, key: &str, expected: impl Iterator<Item = &'a str>) {
        self.unknown += 1;
        if self.unknown > crate::MAX_FIELD_ERRORS {
            self.unlisted += 1;
            return;
        }
        let detail = if self.unknown > 1 {
            format!("unknown field `{key}`")
        } else {
            let expected: Vec<_> = expected.collect();
            format!(
                "unknown field `{key}`, expected one of: {}",
                expected.join(", ")
            )
        };
        self.listed
            .push(FieldError::new(key, "unknown_field", detail));
    }

    /// `422` with these failures, or `Ok` when there are none.
    pub(crate) fn into_result(self) -> Result<(), ApiError> {
        if self.listed.is_empty() && self.unlisted == 0 {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    /// `422` with these failures.
    pub(crate) fn into_error(self) -> ApiError {
        ApiError::validation_counted(self.listed, self.unlisted)
    }
}

#[cfg(test)]
mod tests {
    use super::Found;

    /// Unknown keys past the first few are counted, not made into errors: the work of
    /// a body of many unknown keys is its parsing, and its answer stays small.
    #[test]
    fn unknown_keys_past_the_bound_are_counted() {
        let mut found = Found::default();
        for i in 0..10_000 {
            found.unknown(&format!("k{i}"), ["title", "isbn"].into_iter());
        }
        assert_eq!(found.listed.len(), crate::MAX_FIELD_ERRORS);
        assert_eq!(found.unlisted, 10_000 - crate::MAX_FIELD_ERRORS);
        assert_eq!(
            found.listed[0].detail,
            "unknown field `k0`, expected one of: title, isbn"
        );
        assert_eq!(found.listed[1].detail, "unknown field `k1`");
        let error = found.into_error();
        assert_eq!(error.errors_omitted(), 10_000 - crate::MAX_FIELD_ERRORS);
        assert_eq!(
            error.detail(),
            "10000 fields are invalid; the first 50 errors are listed"
        );
    }
}
