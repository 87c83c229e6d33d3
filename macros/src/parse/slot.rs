//! A key that may be given once: the second occurrence is reported, the first kept.

use proc_macro2::Span;

use crate::errors::Errors;

pub struct Slot<T> {
    key: &'static str,
    value: Option<(T, Span)>,
}

impl<T> Slot<T> {
    pub fn new(key: &'static str) -> Self {
        Slot { key, value: None }
    }

    pub fn set(&mut self, errors: &mut Errors, span: Span, value: T) {
        if self.value.is_some() {
            errors.at(span, format!("duplicate key `{}`", self.key));
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
