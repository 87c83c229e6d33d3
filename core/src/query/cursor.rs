//! Opaque cursors for keyset pagination: the sort the page was read with and the
//! sort-key values of its last row, base64url-encoded with a checksum. A cursor that
//! was cut, altered or issued for another sort is a 400, never a 500. The checksum
//! catches damage, not forgery: a forged cursor can only point at another position of
//! a list the client may read anyway, and its values are checked and bound like any
//! filter value.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::Value as SqlValue;
use serde_json::Value;

use super::sort::SortKey;
use super::value::from_json;
use crate::problem::ApiError;
use crate::spec::Role;
use crate::validate::Storage;

/// The cursor after a row: `row` is the row as serialized on the wire.
pub(crate) fn encode(keys: &[SortKey], row: &Value) -> String {
    let values: Vec<Value> = keys
        .iter()
        .map(|k| row.get(k.field.name).cloned().unwrap_or(Value::Null))
        .collect();
    let payload = serde_json::json!([spelling(keys), values]).to_string();
    let mut bytes = payload.into_bytes();
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum.to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The sort-key values a cursor holds, checked against the request's sort.
pub(crate) fn decode(
    keys: &[SortKey],
    cursor: &str,
    storage: Storage,
) -> Result<Vec<Option<SqlValue>>, ApiError> {
    let malformed = || {
        ApiError::invalid_parameter(
            "cursor",
            "is malformed or was altered; use a `next_cursor` exactly as returned",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| malformed())?;
    let split = bytes.len().checked_sub(8).ok_or_else(malformed)?;
    let (payload, sum) = bytes.split_at(split);
    if sum != checksum(payload).to_be_bytes() {
        return Err(malformed());
    }
    let (sort, values): (String, Vec<Value>) =
        serde_json::from_slice(payload).map_err(|_| malformed())?;
    if sort != spelling(keys) {
        let issued = if sort.is_empty() {
            "the default order (no `sort`)".to_owned()
        } else {
            format!("`sort={sort}`")
        };
        return Err(ApiError::invalid_parameter(
            "cursor",
            format!("was issued for {issued}; repeat that sort, or start again without a cursor"),
        ));
    }
    if values.len() != keys.len() {
        return Err(malformed());
    }
    keys.iter()
        .zip(&values)
        .map(|(key, value)| match value {
            Value::Null if key.field.nullable => Ok(None),
            value => from_json(key.field.kind, value, storage)
                .map(Some)
                .map_err(|_| malformed()),
        })
        .collect()
}

/// The sort as a client writes it: the keys without the primary-key tiebreaker, which
/// every sort ends with.
fn spelling(keys: &[SortKey]) -> String {
    let requested = match keys.split_last() {
        Some((last, rest)) if last.field.role == Role::Id && !last.descending => rest,
        _ => keys,
    };
    requested
        .iter()
        .map(SortKey::spelling)
        .collect::<Vec<_>>()
        .join(",")
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike std's hasher.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
