//! Idempotency keys in the document: the `Idempotency-Key` header every `POST`
//! operation reads, the `Idempotent-Replayed` header of a replayed answer, and the
//! `400`, `409` and `422` a key may answer.

use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{HeaderBuilder, ObjectBuilder, OpenApi, RefOr, Required, Type};

use super::add_response;
use super::operations::problem;
use crate::idempotency::{Idempotency, KEY_PATTERN, MAX_KEY_CHARS};

pub(crate) fn document(document: &mut OpenApi, idempotency: Idempotency) {
    let hours = idempotency.kept_for().as_secs_f64() / 3600.0;
    let kept = if hours >= 1.0 && hours.fract() == 0.0 {
        format!("{hours} hours")
    } else {
        format!("{} seconds", idempotency.kept_for().as_secs())
    };
    for item in document.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else {
            continue;
        };
        operation.parameters.get_or_insert_with(Vec::new).push(
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .max_length(Some(MAX_KEY_CHARS + 2))
                        .pattern(Some(KEY_PATTERN)),
                ))
                .description(Some(format!(
                    "A unique key (a UUID) that makes retries of this request safe: a retry with the same key and body gets the first answer (marked `Idempotent-Replayed: true`) instead of running again. Answers below `500` are kept for {kept}. Keys are the authenticated caller's own; an anonymous request's key is ignored (the request runs as without it)."
                )))
                .build()
                .into(),
        );
        for response in operation
            .responses
            .responses
            .iter_mut()
            .filter_map(|(status, response)| match response {
                RefOr::T(response) if status.starts_with('2') => Some(response),
                _ => None,
            })
        {
            response.headers.insert(
                "Idempotent-Replayed".to_owned(),
                HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["true"]))))
                    .description(Some(
                        "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                    ))
                    .build()
                    .into(),
            );
        }
        add_response(
            operation,
            "400",
            &problem(&format!(
                "`invalid_idempotency_key`: `Idempotency-Key` is not 1 to {MAX_KEY_CHARS} visible ASCII characters, or is sent twice."
            )),
        );
        add_response(
            operation,
            "409",
            &problem(
                "`idempotency_key_in_use`: a request with this `Idempotency-Key` is still running; retry after `Retry-After` seconds.\n\n`idempotency_key_applied`: the request with this key was applied but cut off before its answer was recorded; read the result instead of retrying.",
            ),
        );
        add_response(
            operation,
            "422",
            &problem(
                "`idempotency_key_reused`: this `Idempotency-Key` was used for a request with another method, path or body.",
            ),
        );
    }
}
