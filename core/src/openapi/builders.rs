//! Document builders the code of `#[derive(Schema)]` and `#[ferrest::endpoints]`
//! calls: a struct's object schema, its fields as query parameters, and the problems
//! axum's extractors answer with.

/// The object schema of a `#[derive(Schema)]` struct.
pub fn object_schema(
    title: &str,
    doc: Option<&str>,
    fields: &[(
        &str,
        utoipa::openapi::RefOr<utoipa::openapi::Schema>,
        Option<&str>,
    )],
    required: &[&str],
    rules: &[crate::FieldRules],
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder};
    let mut object = ObjectBuilder::new()
        .title(Some(title))
        .description(doc)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (name, schema, description) in fields {
        use utoipa::openapi::{RefOr, Schema};
        let mut schema = schema.clone();
        // The rules constrain the value; of an `Option`, the value beside `null`.
        let declared = rules
            .iter()
            .find(|r| r.name == *name)
            .map_or(&[][..], |r| r.rules);
        let value = match &mut schema {
            RefOr::T(Schema::Object(object)) => Some(object),
            RefOr::T(Schema::OneOf(one_of)) => match one_of.items.first_mut() {
                Some(RefOr::T(Schema::Object(object))) => Some(object),
                _ => None,
            },
            _ => None,
        };
        if let Some(object) = value {
            let decimal = matches!(object.format, Some(utoipa::openapi::SchemaFormat::Custom(ref f)) if f == "decimal");
            crate::openapi::apply_rules(object, declared, decimal, false);
        }
        match (&mut schema, description) {
            (RefOr::T(Schema::Object(object)), Some(text)) => {
                object.description = Some((*text).to_owned());
            }
            (RefOr::T(Schema::OneOf(one_of)), Some(text)) => {
                one_of.description = Some((*text).to_owned());
            }
            _ => {}
        }
        object = object.property(*name, schema);
    }
    for name in required {
        object = object.required(*name);
    }
    object.into()
}

/// The fields of a `#[derive(Schema)]` type as query parameters: the properties of its
/// object schema, each required unless an `Option`, and an `Option`'s value schema
/// without the `null` a query string cannot send.
pub fn query_parameters(
    object: utoipa::openapi::RefOr<utoipa::openapi::Schema>,
) -> Vec<utoipa::openapi::path::Parameter> {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{RefOr, Required, Schema};
    let RefOr::T(Schema::Object(object)) = object else {
        return Vec::new();
    };
    object
        .properties
        .into_iter()
        .map(|(name, schema)| {
            let required = object.required.contains(&name);
            let (schema, description) = match schema {
                RefOr::T(Schema::OneOf(mut one_of)) if one_of.items.len() == 2 => {
                    let description = one_of.description.take();
                    (one_of.items.swap_remove(0), description)
                }
                RefOr::T(Schema::Object(mut value)) => {
                    let description = value.description.take();
                    (RefOr::T(Schema::Object(value)), description)
                }
                other => (other, None),
            };
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(if required {
                    Required::True
                } else {
                    Required::False
                })
                .description(description)
                .schema(Some(schema))
                .build()
        })
        .collect()
}

/// The problems axum's extractors answer with before the method runs: a `400` for a
/// malformed path or query parameter or JSON body, `415` and `422` for a JSON body.
pub fn rejections(
    responses: &mut Vec<crate::resource::endpoints::DocumentedResponse>,
    parameters: bool,
    json: bool,
) {
    let mut add = |status: &str, description: &str| {
        if !responses.iter().any(|(s, _)| s == status) {
            responses.push((status.to_owned(), crate::openapi::problem(description)));
        }
    };
    if parameters || json {
        add(
            "400",
            "A path or query parameter, or the JSON body, is malformed.",
        );
    }
    if json {
        add("415", "The body is not `application/json`.");
        add(
            "422",
            "The JSON body does not have the expected shape, or breaks a validation rule (`validation_failed`, with an entry per field in `errors`).",
        );
    }
}
