//! Authentication in the document: the schemes Swagger UI's "Authorize" dialog offers,
//! and for each operation what it requires and the `401`/`403` it may answer.

use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{HeaderBuilder, ObjectBuilder, OpenApi, ResponseBuilder, Type};

use super::{add_response, operation};
use crate::auth::{Authenticator, Permission};
use crate::rate_limit::RateLimit;

/// One routed operation and the permissions a caller needs for it.
pub(crate) struct Guarded<'a> {
    pub method: &'a str,
    pub path: String,
    pub permissions: Vec<Permission>,
    /// The resource's or endpoint's own rate limit.
    pub rate_limit: Option<RateLimit>,
}

/// Adds the app's schemes and each operation's requirement. An operation open to all
/// lists the empty requirement first, so clients may call it anonymously, and still
/// documents the `401` that wrong credentials get.
pub(crate) fn document(
    document: &mut OpenApi,
    authenticators: &[Box<dyn Authenticator>],
    operations: &[Guarded<'_>],
) {
    if authenticators.is_empty() {
        return;
    }
    let components = document.components.get_or_insert_with(Default::default);
    for authenticator in authenticators {
        components.security_schemes.insert(
            authenticator.name().to_owned(),
            authenticator.scheme().into(),
        );
    }
    for guarded in operations {
        let Some(operation) = operation(document, guarded.method, &guarded.path) else {
            continue;
        };
        let needed: Vec<Permission> = guarded
            .permissions
            .iter()
            .copied()
            .filter(|p| *p != Permission::Public)
            .collect();
        let names: Vec<&str> = needed
            .iter()
            .flat_map(|p| p.names().iter().copied())
            .collect();
        let mut requirements = Vec::new();
        if needed.is_empty() {
            requirements.push(SecurityRequirement::default());
        }
        for authenticator in authenticators {
            requirements.push(SecurityRequirement::new(
                authenticator.name(),
                names.iter().copied(),
            ));
        }
        operation.security = Some(requirements);
        let mut unauthorized = vec![
            "`invalid_credentials`: the credentials sent are not valid (an expired or \
             malformed token, a wrong signature, issuer or audience, an unknown key)."
                .to_owned(),
        ];
        if !needed.is_empty() {
            unauthorized.insert(
                0,
                "`unauthenticated`: the operation needs credentials and the request has none."
                    .to_owned(),
            );
        }
        add_response(operation, "401", &problem(&unauthorized.join("\n\n"), true));
        let forbidden: Vec<String> = needed
            .iter()
            .filter(|p| **p != Permission::Authenticated)
            .map(|p| format!("`forbidden`: the caller lacks {}.", p.describe()))
            .collect();
        if !forbidden.is_empty() {
            add_response(operation, "403", &problem(&forbidden.join("\n\n"), false));
        }
    }
}

fn problem(description: &str, challenge: bool) -> utoipa::openapi::Response {
    let mut response = super::operations::problem(description);
    if challenge {
        response = ResponseBuilder::from(response)
            .header(
                "WWW-Authenticate",
                HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
                    .description(Some("The credentials the operation accepts."))
                    .build(),
            )
            .build();
    }
    response
}

/// The `429` of each operation a limit applies to: the app's, and its own.
pub(crate) fn document_rate_limits(
    document: &mut OpenApi,
    app: Option<RateLimit>,
    operations: &[Guarded<'_>],
) {
    for guarded in operations {
        let limits: Vec<String> = [
            app.map(|l| format!("{l} to the API")),
            guarded
                .rate_limit
                .map(|l| format!("{l} to these operations")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if limits.is_empty() {
            continue;
        }
        let Some(operation) = operation(document, guarded.method, &guarded.path) else {
            continue;
        };
        let response = ResponseBuilder::from(super::operations::problem(&format!(
            "`rate_limited`: the caller (its principal, else its address) sent more than {}. \
             `RateLimit-Policy` and `RateLimit` describe the limit on every response.",
            limits.join(" and ")
        )))
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new().schema_type(Type::Integer).build(),
                ))
                .description(Some("Seconds until the caller may send again."))
                .build(),
        )
        .build();
        add_response(operation, "429", &response);
    }
}
