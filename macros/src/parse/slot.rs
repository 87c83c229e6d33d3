//! A key that may be given once: the second occurrence is reported, the first kept.
//! Every macro reads its keys through `Slot`, so a repeated key is an error
//! everywhere instead of quietly keeping one of the values.

use proc_macro2::Span;

use crate::errors::Errors;

pub struct Slot<T> {
    /// What a second occurrence is told.
    repeated: String,
    value: Option<(T, Span)>,
}

impl<T> Slot<T> {
    /// A key reported as "duplicate key `key`" when repeated.
    pub fn new(key: &'static str) -> Self {
        Slot {
            repeated: format!("duplicate key `{key}`"),
            value: None,
        }
    }

    /// A slot that several keys fill (a method's verb: `get`, `post`, ...), with the
    /// message a second one gets.
    pub fn with_message(repeated: &'static str) -> Self {
        Slot {
            repeated: repeated.to_owned(),
            value: None,
        }
    }

    pub fn set(&mut self, errors: &mut Errors, span: Span, value: T) {
        if self.value.is_some() {
            errors.at(span, &self.repeated);
        } else {
            self.value = Some((value, span));
        }
    }

    pub fn get(self) -> Option<(T, Span)> {
        self.value
    }

    pub fn value(self) -> Option<T> {
        self.value.map(|(v, _)| v)
    }
}
