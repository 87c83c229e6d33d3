//! Each `default` of a resource checked by its field's own rules, at registration.

use crate::spec::ResourceSpec;

impl ResourceSpec {
    /// Checks each `default` against its field's type and rules, as a client's value
    /// would be: the macro checks what it can at compile time, this covers the rest
    /// (`email`, exact bounds) with the runtime's own validation.
    pub fn check_defaults(&self) -> Result<(), String> {
        let mut errors = Vec::new();
        for field in self.fields {
            if let Some(value) = field.default_json() {
                crate::validate::check_value(
                    field,
                    &value,
                    crate::validate::Storage::EXACT,
                    &mut errors,
                );
            }
        }
        match errors.first() {
            None => Ok(()),
            Some(e) => Err(format!(
                "the default of `{}.{}` is refused by its own rules: {}",
                self.name,
                e.pointer.trim_start_matches('/'),
                e.detail
            )),
        }
    }
}
