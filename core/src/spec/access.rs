//! Who may call what: the permissions a resource and its operations declare. Data
//! only; `auth` checks a caller against them (`Permission::allows`).

/// Who may call an operation. Declared on a resource with
/// `#[rest(auth(read = public, create = authenticated, delete = role("admin")))]` and on
/// an endpoint method with `#[rest(post = "/path", auth = role("editor"))]`.
///
/// ```
/// use ferrest::auth::{Permission, Principal};
/// let editors = Permission::Role(&["editor", "admin"]);
/// assert!(editors.allows(Some(&Principal::new("ada").with_roles(["admin"]))));
/// assert!(!editors.allows(Some(&Principal::new("bob"))));
/// assert!(!Permission::Authenticated.allows(None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Permission {
    /// Anyone, with or without credentials.
    #[default]
    Public,
    /// Any authenticated caller.
    Authenticated,
    /// A caller holding at least one of these roles.
    Role(&'static [&'static str]),
    /// A caller granted every one of these scopes.
    Scope(&'static [&'static str]),
}

/// The permission of each generated operation of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    /// `GET /books`, and nested lists of books.
    pub list: Permission,
    /// `GET /books/{id}`, and `?include=` of a book from another resource.
    pub get: Permission,
    /// `POST /books`.
    pub create: Permission,
    /// `PATCH /books/{id}`.
    pub update: Permission,
    /// `DELETE /books/{id}`.
    pub delete: Permission,
}

impl Access {
    /// Every operation open to everyone.
    pub const PUBLIC: Access = Access {
        list: Permission::Public,
        get: Permission::Public,
        create: Permission::Public,
        update: Permission::Public,
        delete: Permission::Public,
    };

    /// The permissions as the routes check them: creating a row with an owner needs an
    /// authenticated caller to own it, whatever `create` says.
    pub(crate) fn effective(self, owned: bool) -> Access {
        Access {
            create: match self.create {
                Permission::Public if owned => Permission::Authenticated,
                other => other,
            },
            ..self
        }
    }

    /// Whether any operation needs credentials.
    pub fn needs_credentials(&self) -> bool {
        [self.list, self.get, self.create, self.update, self.delete]
            .iter()
            .any(|p| *p != Permission::Public)
    }
}
