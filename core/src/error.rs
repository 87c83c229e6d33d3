//! [`Error`]: why an app did not start or stopped serving, or a part of it (a JWT
//! key, an API key) was configured wrong.

use crate::redact::redact;

/// A startup failure: bad configuration, unreachable database, port in use.
///
/// Its `Display` is the whole message, with every credential masked, as `main`
/// returning it prints it; [`source`](std::error::Error::source) gives the database's or
/// the socket's own error to reporters and to `downcast_ref`.
///
/// ```
/// use std::error::Error as _;
/// let error = ferrest::Error::from(std::io::Error::other("address in use"));
/// assert_eq!(error.to_string(), "server: address in use");
/// assert!(error.source().unwrap().downcast_ref::<std::io::Error>().is_some());
/// ```
#[non_exhaustive]
pub enum Error {
    /// The database could not be reached or its schema could not be synchronised.
    Database(sea_orm::DbErr),
    /// Binding or serving the socket failed.
    Io(std::io::Error),
    /// A configuration value is malformed.
    Config(String),
    /// A migration run failed: a `migrate::MigrateError`, which `downcast_ref` gives
    /// back.
    #[cfg(feature = "migrate")]
    Migrate(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Messages quote URLs, and the errors of the libraries beneath may too.
            Error::Database(e) => write!(f, "database: {}", redact(&e.to_string())),
            Error::Io(e) => write!(f, "server: {}", redact(&e.to_string())),
            Error::Config(e) => write!(f, "configuration: {}", redact(e)),
            #[cfg(feature = "migrate")]
            Error::Migrate(e) => write!(f, "migration: {e}"),
        }
    }
}

/// Debug prints the message: `main` returning `Err` shows it to the user as is.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::Config(_) => None,
            #[cfg(feature = "migrate")]
            Error::Migrate(e) => Some(e.as_ref()),
        }
    }
}

impl Error {
    /// The message without the prefix that names the kind, for an error kept to be
    /// reported later as another kind's (a configuration problem found early is a
    /// `Config` error at start-up, and must not read "configuration: configuration:").
    pub(crate) fn message(&self) -> String {
        match self {
            Error::Config(message) => message.clone(),
            other => other.to_string(),
        }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::Database(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}
