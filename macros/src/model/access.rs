//! Who may call each operation: `auth(...)` resolved to one permission per operation.

use syn::Ident;

use crate::errors::{Errors, unknown_key_message};
use crate::parse::RawPermission;
use crate::parse::keys;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Permission {
    #[default]
    Public,
    Authenticated,
    Role(Vec<String>),
    Scope(Vec<String>),
}

impl Permission {
    /// `None` after reporting what is wrong with it.
    pub fn from_raw(raw: RawPermission, errors: &mut Errors) -> Option<Permission> {
        let kind = raw.kind.to_string();
        let takes_names = kind == keys::ROLE || kind == keys::SCOPE;
        match (&raw.names, takes_names) {
            (Some((_, span)), false) if keys::PERMISSIONS.contains(&kind.as_str()) => {
                errors.at(*span, format!("`{kind}` takes no arguments"));
                return None;
            }
            (None, true) => {
                errors.spanned(
                    &raw.kind,
                    format!("`{kind}` needs at least one name, like `{kind}(\"admin\")`"),
                );
                return None;
            }
            _ => {}
        }
        let mut names = || -> Option<Vec<String>> {
            let (names, span) = raw.names.as_ref()?;
            if names.is_empty() {
                errors.at(
                    *span,
                    format!("`{kind}` needs at least one name, like `{kind}(\"admin\")`"),
                );
                return None;
            }
            let mut values = Vec::new();
            for name in names {
                let value = name.value();
                if value.trim().is_empty() || value.chars().any(char::is_whitespace) {
                    errors.spanned(name, format!("a {kind} name is one word without spaces"));
                    return None;
                }
                values.push(value);
            }
            Some(values)
        };
        match kind.as_str() {
            keys::PUBLIC => Some(Permission::Public),
            keys::AUTHENTICATED => Some(Permission::Authenticated),
            keys::ROLE => names().map(Permission::Role),
            keys::SCOPE => names().map(Permission::Scope),
            other => {
                let message = match crate::errors::did_you_mean(other, keys::PERMISSIONS) {
                    Some(_) => unknown_key_message("permission", other, keys::PERMISSIONS),
                    // A bare role name is the usual slip: show where it goes.
                    None => format!(
                        "unknown permission `{other}`, expected `public`, `authenticated`, `role(\"{other}\")` or `scope(\"{other}\")`"
                    ),
                };
                errors.spanned(&raw.kind, message);
                None
            }
        }
    }
}

/// The permission of each CRUD operation.
#[derive(Clone, Debug, Default)]
pub struct Access {
    pub list: Permission,
    pub get: Permission,
    pub create: Permission,
    pub update: Permission,
    pub delete: Permission,
}

impl Access {
    /// The most specific key wins: `delete` over `write` over `all`.
    pub fn from_raw(entries: Vec<(Ident, RawPermission)>, errors: &mut Errors) -> Access {
        let mut resolved: Vec<(String, Permission)> = Vec::new();
        for (key, raw) in entries {
            if let Some(permission) = Permission::from_raw(raw, errors) {
                resolved.push((key.to_string(), permission));
            }
        }
        let pick = |operation: &str, group: &str| {
            [operation, group, keys::ALL]
                .iter()
                .find_map(|key| resolved.iter().find(|(k, _)| k == key))
                .map(|(_, p)| p.clone())
                .unwrap_or_default()
        };
        Access {
            list: pick(keys::LIST, keys::READ),
            get: pick(keys::GET, keys::READ),
            create: pick(keys::CREATE, keys::WRITE),
            update: pick(keys::UPDATE, keys::WRITE),
            delete: pick(keys::DELETE, keys::WRITE),
        }
    }
}
