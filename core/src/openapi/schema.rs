//! JSON Schemas of a resource's DTOs, rendered from its spec: the same rules that
//! validate a request appear here as `minLength`, `maximum`, `pattern`, `format`, `enum`.

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

use crate::spec::{
    FieldSpec, FieldWrite, Kind, Pagination, RelationKind, RelationSpec, ResourceSpec, Role, Rule,
};

/// Which DTO a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dto {
    Read,
    Create,
    Update,
}

/// Component names: `Book`, `BookCreate`, `BookUpdate`, `BookPage`.
pub(crate) fn name(spec: &ResourceSpec, dto: Dto) -> String {
    match dto {
        Dto::Read => spec.name.to_owned(),
        Dto::Create => format!("{}Create", spec.name),
        Dto::Update => format!("{}Update", spec.name),
    }
}

pub(crate) fn page_name(spec: &ResourceSpec) -> String {
    format!("{}Page", spec.name)
}

/// The object schema of one DTO.
pub(crate) fn dto_schema(spec: &ResourceSpec, dto: Dto) -> Schema {
    // Bodies refuse unknown fields. A read says nothing: clients should tolerate fields
    // a later version adds, and generators would give a declared `true` an index
    // signature that hides misspelled properties.
    let mut object = ObjectBuilder::new();
    if dto != Dto::Read {
        object = object.additional_properties(Some(AdditionalProperties::FreeForm(false)));
    }
    object = match (dto, spec.doc) {
        (Dto::Read, Some(doc)) => object.description(Some(doc)),
        (Dto::Create, _) => object.description(Some(format!("A new {}.", spec.name))),
        (Dto::Update, _) => object.description(Some(format!(
            "Changes to one {}: absent fields stay unchanged, `null` clears a nullable field.",
            spec.name
        ))),
        _ => object,
    };
    for field in spec.fields {
        if dto != Dto::Read && field.role != Role::Data {
            continue;
        }
        let required = match dto {
            Dto::Read => true,
            Dto::Create => field.required_on_create(),
            Dto::Update => false,
        };
        if required {
            object = object.required(field.name);
        }
        object = object.property(field.name, field_schema(field, dto));
    }
    if dto == Dto::Read {
        for name in spec.includes {
            let relation = spec.relation(name).expect("includes name relations");
            object = object.property(*name, relation_schema(spec, relation));
        }
    }
    object.build().into()
}

/// An included relation: the related resource, or a list of them for `has_many`.
/// Present only when the request's `include` names it.
fn relation_schema(spec: &ResourceSpec, relation: &RelationSpec) -> RefOr<Schema> {
    let target = (relation.target)();
    let reference = Ref::from_schema_name(target.name);
    let described = |text: String| Some(text);
    match relation.kind {
        RelationKind::BelongsTo { field } => {
            let nullable = spec.field(field).is_some_and(|f| f.nullable);
            let description = described(format!(
                "The {} that `{field}` refers to; present with `include={}`.",
                target.name, relation.name
            ));
            if nullable {
                RefOr::T(Schema::OneOf(
                    OneOfBuilder::new()
                        .item(reference)
                        .item(ObjectBuilder::new().schema_type(Type::Null))
                        .description(description)
                        .build(),
                ))
            } else {
                let mut reference = reference;
                reference.description = description.unwrap_or_default();
                RefOr::Ref(reference)
            }
        }
        RelationKind::HasMany { field } => ArrayBuilder::new()
            .items(reference)
            .description(described(format!(
                "The {} whose `{field}` is this {}'s id; present with `include={}`.",
                target.plural.to_lowercase(),
                spec.name.to_lowercase(),
                relation.name
            )))
            .build()
            .into(),
    }
}

/// The schema of one filter value of `kind`: its type, format and shape, without the
/// field's rules (a search for `ru` is fine where titles need 3 characters).
pub(crate) fn value_schema(kind: Kind) -> ObjectBuilder {
    let (ty, format) = type_and_format(kind);
    let mut schema = ObjectBuilder::new();
    if let Some(ty) = ty {
        schema = schema.schema_type(ty);
    }
    if let Some(format) = format {
        schema = schema.format(Some(format));
    }
    if let Some(pattern) = kind.pattern() {
        schema = schema.pattern(Some(pattern.source()));
    }
    if let Some((min, max)) = kind.integer_bounds().filter(|_| kind == Kind::I16) {
        schema = schema.minimum(Some(min)).maximum(Some(max));
    }
    schema
}

/// `{"items": [Book], "limit", "offset", "total"?}`, or with `next_cursor` in place of
/// `offset` in cursor mode.
pub(crate) fn page_schema(spec: &ResourceSpec) -> Schema {
    let integer = |description: &str| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .description(Some(description))
            .build()
    };
    let mut page = ObjectBuilder::new()
        .description(Some(format!("One page of {}.", spec.plural.to_lowercase())))
        .property(
            "items",
            ArrayBuilder::new().items(Ref::from_schema_name(spec.name)),
        )
        .required("items")
        .property("limit", integer("Page size used."))
        .required("limit");
    page = match spec.pagination {
        Pagination::Offset => page
            .property("offset", integer("Rows skipped before this page."))
            .required("offset"),
        Pagination::Cursor => page.property(
            "next_cursor",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "Pass as `cursor` for the next page; absent on the last page.",
                )),
        ),
    };
    page.property(
        "total",
        integer("Rows matching the request; present only with `count=true`."),
    )
    .additional_properties(Some(AdditionalProperties::FreeForm(false)))
    .build()
    .into()
}

fn field_schema(field: &FieldSpec, dto: Dto) -> RefOr<Schema> {
    let mut schema = ObjectBuilder::new();
    let (ty, format) = type_and_format(field.kind);
    // `null` is a valid value of a nullable field in every DTO: it clears the column.
    let nullable = field.nullable;
    schema = match (ty, nullable) {
        (Some(ty), true) => schema.schema_type(SchemaType::from_iter([ty, Type::Null])),
        (Some(ty), false) => schema.schema_type(ty),
        // Any JSON value; listed, so that a non-nullable one excludes `null`.
        (None, nullable) => {
            let mut types = vec![
                Type::Object,
                Type::Array,
                Type::String,
                Type::Number,
                Type::Boolean,
            ];
            if nullable {
                types.push(Type::Null);
            }
            schema.schema_type(SchemaType::from_iter(types))
        }
    };
    if let Some(format) = format {
        schema = schema.format(Some(format));
    }
    let declares_pattern = field.rules.iter().any(|r| matches!(r, Rule::Pattern(_)));
    if let Some(pattern) = field.kind.pattern().filter(|_| !declares_pattern) {
        schema = schema.pattern(Some(pattern.source()));
    }
    if let Some((min, max)) = field
        .kind
        .integer_bounds()
        .filter(|_| field.kind == Kind::I16)
    {
        schema = schema.minimum(Some(min)).maximum(Some(max));
    }
    if let Some(description) = description(field) {
        schema = schema.description(Some(description));
    }
    if field.role != Role::Data || field.write == FieldWrite::ReadOnly {
        schema = schema.read_only(true);
    }
    // The default is what an absent field becomes on create; on update an absent field
    // stays unchanged, and a read has every field (generators would fill it in).
    if let Some(default) = field.default_json().filter(|_| dto == Dto::Create) {
        schema = schema.default(Some(default));
    }
    let mut object = schema.build();
    apply_rules(
        &mut object,
        field.rules,
        field.kind == Kind::Decimal,
        nullable,
    );
    object.into()
}

/// The declared rules as schema keywords: what the validator checks, a client can see.
pub(crate) fn apply_rules(
    object: &mut utoipa::openapi::schema::Object,
    rules: &[Rule],
    decimal: bool,
    nullable: bool,
) {
    // Whole bounds print as integers (`60`, not `60.0`) whatever the kind.
    let number = |n: f64| -> utoipa::Number {
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            utoipa::Number::Int(n as isize)
        } else {
            utoipa::Number::Float(n)
        }
    };
    for rule in rules {
        match rule {
            Rule::Length { min, max } => {
                object.min_length = min.map(|n| n as usize);
                object.max_length = max.map(|n| n as usize);
            }
            // A decimal is a string in JSON, where `minimum` has no effect: its bounds
            // are in the description instead.
            Rule::Range { .. } if decimal => {}
            Rule::Range { min, max } => {
                if let Some(min) = min {
                    object.minimum = Some(number(*min));
                }
                if let Some(max) = max {
                    object.maximum = Some(number(*max));
                }
            }
            Rule::Pattern(pattern) => object.pattern = Some(pattern.source().to_owned()),
            Rule::Email => {
                object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
            }
            Rule::OneOf(values) => {
                let mut values: Vec<serde_json::Value> =
                    values.iter().map(|v| v.to_json()).collect();
                if nullable {
                    values.push(serde_json::Value::Null);
                }
                object.enum_values = Some(values);
            }
        }
    }
}

/// The doc comment, plus the bounds of a decimal's `range`, which no keyword can carry.
fn description(field: &FieldSpec) -> Option<String> {
    let bounds = field.rules.iter().find_map(|rule| match rule {
        Rule::Range { min, max } if field.kind == Kind::Decimal => Some(match (min, max) {
            (Some(min), Some(max)) => format!("Between {min} and {max}."),
            (Some(min), None) => format!("At least {min}."),
            (None, Some(max)) => format!("At most {max}."),
            (None, None) => String::new(),
        }),
        _ => None,
    });
    let writers = match field.write {
        FieldWrite::Anyone => None,
        FieldWrite::ReadOnly => {
            Some("Set by the service; a request body that sets it is a `422`.".to_owned())
        }
        FieldWrite::Permission(permission) => Some(format!(
            "Written only by callers with {}; a body from another caller that sets it is a `403`.",
            permission.describe()
        )),
    };
    let parts: Vec<String> = [field.doc.map(str::to_owned), bounds, writers]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn type_and_format(kind: Kind) -> (Option<Type>, Option<SchemaFormat>) {
    let known = |f| Some(SchemaFormat::KnownFormat(f));
    match kind {
        Kind::I16 | Kind::I32 => (Some(Type::Integer), known(KnownFormat::Int32)),
        Kind::I64 => (Some(Type::Integer), known(KnownFormat::Int64)),
        Kind::F32 => (Some(Type::Number), known(KnownFormat::Float)),
        Kind::F64 => (Some(Type::Number), known(KnownFormat::Double)),
        Kind::Bool => (Some(Type::Boolean), None),
        Kind::String => (Some(Type::String), None),
        Kind::DateTime => (Some(Type::String), known(KnownFormat::DateTime)),
        Kind::NaiveDateTime => (
            Some(Type::String),
            Some(SchemaFormat::Custom("naive-date-time".into())),
        ),
        Kind::Date => (Some(Type::String), known(KnownFormat::Date)),
        Kind::Time => (
            Some(Type::String),
            Some(SchemaFormat::Custom("partial-time".into())),
        ),
        Kind::Uuid => (Some(Type::String), known(KnownFormat::Uuid)),
        Kind::Decimal => (
            Some(Type::String),
            Some(SchemaFormat::Custom("decimal".into())),
        ),
        Kind::Json => (None, None),
    }
}

/// `Problem` and `FieldError`, the RFC 9457 bodies of every error response.
pub(crate) fn problem_schemas() -> [(&'static str, Schema); 2] {
    let string = |description: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .build()
    };
    let field_error = ObjectBuilder::new()
        .description(Some("One failing field of the request body."))
        .property("pointer", string("JSON Pointer (RFC 6901) to the field in the request body."))
        .required("pointer")
        .property("code", string("The rule that failed: `required`, `type`, `length`, `range`, `pattern`, `email`, `one_of`, `unique`, ..."))
        .required("code")
        .property("detail", string("What is wrong, for humans."))
        .required("detail")
        .build();
    let problem = ObjectBuilder::new()
        .description(Some("An RFC 9457 problem: every error response has this body, as `application/problem+json`."))
        .property("type", string("Always `about:blank`: the status code carries the meaning."))
        .required("type")
        .property("title", string("The HTTP status phrase."))
        .required("title")
        .property(
            "status",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .build(),
        )
        .required("status")
        .property("detail", string("What went wrong, for humans."))
        .required("detail")
        .property("code", string("What went wrong, for programs: `not_found`, `validation_failed`, `conflict`, `malformed_json`, ..."))
        .required("code")
        .property(
            "parameter",
            string("The query parameter at fault, for `invalid_parameter` and `unknown_parameter`."),
        )
        .property(
            "errors",
            ArrayBuilder::new()
                .items(Ref::from_schema_name("FieldError"))
                .max_items(Some(crate::problem::MAX_FIELD_ERRORS))
                .description(Some("The failing fields, for `validation_failed` and `conflict`: the first 50.")),
        )
        .property(
            "errors_omitted",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(1))
                .description(Some("How many more field errors there are than `errors` lists; absent when it lists them all.")),
        )
        .build();
    [
        ("Problem", problem.into()),
        ("FieldError", field_error.into()),
    ]
}
