//! Request bodies whose objects name a member twice. JSON leaves such a body's meaning
//! open (RFC 8259 §4: names "SHOULD be unique"), and parsers disagree on it: serde
//! keeps the last value, others the first or both. A gateway that checked the first
//! `"role"` and a service that stores the last is a known way past a check, so
//! ferrest refuses the body with `422` and a field error `duplicate_key` at the second
//! occurrence's pointer instead of picking one.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::problem::{ApiError, FieldError};

/// `422 validation_failed` with a `duplicate_key` field error when an object in `body`
/// (at any depth) names a member twice. A body that is not JSON passes: its parser
/// reports that.
pub(crate) fn refuse_duplicate_keys(body: &[u8]) -> Result<(), ApiError> {
    match duplicate_key(body) {
        None => Ok(()),
        Some(pointer) => {
            let name = pointer.rsplit('/').next().unwrap_or("");
            let name = name.replace("~1", "/").replace("~0", "~");
            Err(ApiError::validation(vec![FieldError {
                pointer,
                code: "duplicate_key".into(),
                detail: format!("the member `{name}` is given more than once"),
            }]))
        }
    }
}

/// The JSON Pointer (RFC 6901) of the first member whose object already has one of
/// its name, if any.
pub(crate) fn duplicate_key(body: &[u8]) -> Option<String> {
    let mut walk = Walk {
        path: Vec::new(),
        found: None,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    // An error is either the duplicate (then `found` says where) or bad JSON.
    let _ = (&mut walk).deserialize(&mut deserializer);
    walk.found
}

/// Walks one JSON value without building it; `path` is where it is.
struct Walk {
    path: Vec<String>,
    found: Option<String>,
}

impl Walk {
    fn pointer(&self) -> String {
        self.path
            .iter()
            .map(|step| format!("/{}", step.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl<'de> DeserializeSeed<'de> for &mut Walk {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Walk {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0_usize;
        loop {
            self.path.push(index.to_string());
            let more = seq.next_element_seed(&mut *self)?;
            self.path.pop();
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut names = Names::default();
        while let Some(name) = map.next_key::<Name<'de>>()? {
            let name = name.0;
            if names.contains(&name) {
                self.path.push(name.into_owned());
                self.found = Some(self.pointer());
                return Err(de::Error::custom("duplicate key"));
            }
            self.path.push(name.to_string());
            map.next_value_seed(&mut *self)?;
            self.path.pop();
            names.insert(name);
        }
        Ok(())
    }
}

/// The names an object has given so far. Most objects are small, and a linear search
/// beats hashing for a few names; a body of many names (a megabyte of keys is about
/// 100,000) is looked up in a hash set, so the walk stays linear in the body's size.
#[derive(Default)]
struct Names<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> Names<'de> {
    const FEW: usize = 16;

    fn contains(&self, name: &str) -> bool {
        if self.many.is_empty() {
            self.few.iter().any(|seen| seen == name)
        } else {
            self.many.contains(name)
        }
    }

    fn insert(&mut self, name: Cow<'de, str>) {
        if self.few.len() < Self::FEW {
            self.few.push(name);
        } else {
            if self.many.is_empty() {
                self.many.extend(self.few.drain(..));
            }
            self.many.insert(name);
        }
    }
}

/// A member's name, borrowed from the body unless it has escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::duplicate_key;

    #[test]
    fn finds_the_second_occurrence_at_any_depth() {
        assert_eq!(duplicate_key(br#"{"a": 1, "b": 2}"#), None);
        assert_eq!(duplicate_key(br#"{"a": 1, "a": 2}"#).as_deref(), Some("/a"));
        // Escapes spell the same name.
        assert_eq!(
            duplicate_key(br#"{"role": 1, "\u0072ole": 2}"#).as_deref(),
            Some("/role")
        );
        assert_eq!(
            duplicate_key(br#"{"x": [{"k": 1}, {"k": 1, "a/b": 2, "a/b": 3}]}"#).as_deref(),
            Some("/x/1/a~1b")
        );
        // Equal names in different objects are no duplicates.
        assert_eq!(duplicate_key(br#"{"a": {"a": {"a": 1}}}"#), None);
        assert_eq!(duplicate_key(b"not json"), None);
        assert_eq!(duplicate_key(b"[1, 2, 3]"), None);
    }

    /// A megabyte of distinct names is walked in time linear in its size: with a
    /// search of every earlier name per name, 100,000 names take about 5 * 10^9
    /// comparisons (minutes in a debug build), not a fraction of a second.
    #[test]
    fn many_names_are_checked_in_one_pass() {
        let many = |extra: &str| {
            let members: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": 1")).collect();
            format!("{{{}{extra}}}", members.join(", "))
        };
        assert_eq!(duplicate_key(many("").as_bytes()), None);
        assert_eq!(
            duplicate_key(many(", \"k5\": 2").as_bytes()).as_deref(),
            Some("/k5")
        );
        // Past the first few names and before: both lookups find a repeat.
        assert_eq!(
            duplicate_key(br#"{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1,"q":1,"a":2}"#).as_deref(),
            Some("/a")
        );
    }
}
