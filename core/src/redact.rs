//! Credentials never reach a message or a log line: every URL or error text that
//! ferrest prints passes through [`redact`] first. Database and Redis URLs carry
//! passwords (`postgres://app:s3cret@db/shop`), and the errors of the libraries that
//! read them may quote them back.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// The password of a URL's userinfo: everything from the `:` after the user name to
/// the last `@` before a space or a quote, so a password holding an unescaped `@`, `/`
/// or `?` is masked whole (masking too much of a malformed URL beats leaking a part).
static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:@/`'"]*:)[^\s`'"]*@"#)
        .expect("a valid pattern")
});

/// A password given as a URL parameter (`?password=...`, which PostgreSQL and MySQL
/// URLs accept).
static PARAMETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?P<head>[?&](?:password|pass|pwd)=)[^&\s`'"]*"#).expect("a valid pattern")
});

/// `text` with every URL password in it replaced by `***`:
/// `postgres://app:s3cret@db/shop` becomes `postgres://app:***@db/shop`,
/// `redis://:s3cret@cache:6379` becomes `redis://:***@cache:6379`, and a `password=`
/// parameter loses its value. Text without one is returned as is, without a copy.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let masked = USERINFO.replace_all(text, "${head}***@");
    match PARAMETER.replace_all(&masked, "${head}***") {
        Cow::Borrowed(_) => masked,
        Cow::Owned(both) => Cow::Owned(both),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_masked_wherever_they_stand() {
        for (text, masked) in [
            ("postgres://u:pw@h/db", "postgres://u:***@h/db"),
            (
                "Redis at `redis://:hunter2@127.0.0.1:6380`: refused",
                "Redis at `redis://:***@127.0.0.1:6380`: refused",
            ),
            (
                "rediss://user:p@ss/w?rd@cache/0",
                "rediss://user:***@cache/0",
            ),
            (
                "mysql://root@h/db?password=hunter2&ssl-mode=disabled",
                "mysql://root@h/db?password=***&ssl-mode=disabled",
            ),
            (
                "two: postgres://a:x@h1/db and 'mysql://b:y@h2/db'",
                "two: postgres://a:***@h1/db and 'mysql://b:***@h2/db'",
            ),
        ] {
            assert_eq!(redact(text), masked);
        }
        // No password, nothing changed.
        for text in [
            "sqlite://x.db?mode=rwc",
            "postgres://postgres@127.0.0.1:5432/test",
            "redis://127.0.0.1:6379",
            "an error without a URL, mail to ops@example.org",
        ] {
            assert!(
                matches!(redact(text), std::borrow::Cow::Borrowed(_)),
                "{text}"
            );
        }
    }
}
