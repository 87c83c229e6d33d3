//! The static description of a resource that `#[derive(Resource)]` emits.
//!
//! One `ResourceSpec` drives the routes, the request validation and the OpenAPI
//! document, so the three cannot drift apart: the macro writes the facts down once,
//! as data, and the generic runtime reads them.
//!
//! The bottom of the crate's layers: it names nothing of the request path (see the
//! crate's module doc). Permissions and rates are data here; `auth` and `rate_limit`
//! check requests against them.

pub(crate) mod access;
pub(crate) mod rate;

use std::sync::OnceLock;

use access::{Access, Permission};
use rate::RateLimit;

/// Everything the runtime knows about one resource.
#[derive(Debug)]
pub struct ResourceSpec {
    /// Rust type name, also the schema name of the read DTO (`Book`).
    pub name: &'static str,
    /// Database table.
    pub table: &'static str,
    /// Collection path (`/books`).
    pub path: &'static str,
    /// The name in the plural (`Books`), for operation ids and summaries.
    pub plural: &'static str,
    /// OpenAPI tag of every generated operation.
    pub tag: &'static str,
    /// The struct's doc comment.
    pub doc: Option<&'static str>,
    /// Fields in declaration order.
    pub fields: &'static [FieldSpec],
    /// Which CRUD operations are routed.
    pub operations: Operations,
    /// Who may call each of them: `#[rest(auth(...))]`.
    pub access: Access,
    /// `#[rest(version(required))]`: updates and deletes without `If-Match` are `428`.
    pub require_if_match: bool,
    /// `#[rest(owner(bypass = ...))]`: who sees and changes every row, not only theirs.
    pub owner_bypass: Option<Permission>,
    /// `#[rest(owner(scope = writes))]`: which operations ownership limits.
    pub owner_scope: OwnerScope,
    /// `#[rest(rate_limit = "100/minute")]`: what a caller may send to all the
    /// resource's operations together.
    pub rate_limit: Option<RateLimit>,
    /// Largest `limit` a list request may ask for.
    pub max_limit: u64,
    /// How list requests page: by `offset` or by an opaque `cursor`.
    pub pagination: Pagination,
    /// Declared relations: `belongs_to` fields and `has_many` collections.
    pub relations: &'static [RelationSpec],
    /// Relations a client may ask for with `?include=`.
    pub includes: &'static [&'static str],
    /// Loads rows of this resource by a condition, as they appear on the wire; used to
    /// include related rows of other resources in one batched query.
    pub load: Loader,
}

/// Loads the wire form of at most `limit` rows matching a condition and the
/// resource's read filters, ordered by primary key. It receives the request's
/// [`Ctx`](crate::Ctx), named through [`RequestContext`].
pub type Loader = for<'a> fn(
    &'a <Runtime as RequestContext>::Ctx,
    sea_orm::Condition,
    u64,
) -> std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<Vec<serde_json::Value>, crate::problem::ApiError>>
            + Send
            + 'a,
    >,
>;

/// The request context a [`Loader`] receives, named without importing it: the spec is
/// plain data at the bottom of the crate, and the context belongs to the request path
/// above it, which binds it (`impl RequestContext for Runtime { type Ctx = Ctx; }`,
/// beside `Ctx`). The type is [`ferrest::Ctx`](crate::Ctx).
#[doc(hidden)]
pub trait RequestContext {
    /// The request's context.
    type Ctx;
}

/// The one implementor of [`RequestContext`].
#[doc(hidden)]
#[derive(Debug)]
pub enum Runtime {}

/// How a resource's list pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pagination {
    /// `?limit=&offset=` (the default).
    Offset,
    /// `?limit=&cursor=`: keyset pagination, stable under concurrent inserts.
    Cursor,
}

/// One relation of a resource.
#[derive(Debug)]
pub struct RelationSpec {
    /// The name in `?include=` and in the response: `author`, `books`.
    pub name: &'static str,
    /// Which side holds the foreign key.
    pub kind: RelationKind,
    /// The related resource.
    pub target: fn() -> &'static ResourceSpec,
}

/// Which side of a relation holds the foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RelationKind {
    /// This resource's field (`author_id`) holds the related row's primary key.
    BelongsTo {
        /// The foreign-key field of this resource.
        field: &'static str,
    },
    /// The related resource's field holds this resource's primary key.
    HasMany {
        /// The foreign-key field of the related resource.
        field: &'static str,
    },
}

impl RelationSpec {
    /// The foreign-key field, on whichever side it is.
    pub fn foreign_key(&self) -> &'static str {
        match self.kind {
            RelationKind::BelongsTo { field } | RelationKind::HasMany { field } => field,
        }
    }
}

impl ResourceSpec {
    /// The field marked `#[rest(id)]`.
    pub fn id_field(&self) -> &'static FieldSpec {
        self.fields
            .iter()
            .find(|f| f.role == Role::Id)
            .expect("#[derive(Resource)] guarantees exactly one id field")
    }

    /// Fields a client may write (everything that is not server managed).
    pub fn writable_fields(&self) -> impl Iterator<Item = &'static FieldSpec> {
        self.fields.iter().filter(|f| f.role == Role::Data)
    }

    /// The name with its indefinite article, for messages: `a Book`, `an Author`.
    pub fn a_name(&self) -> String {
        let article = if self
            .name
            .starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u'])
        {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.name)
    }

    /// Compiles every `pattern` now, so the first request does not pay for it.
    pub fn compile_patterns(&self) {
        for rule in self.fields.iter().flat_map(|f| f.rules) {
            if let Rule::Pattern(pattern) = rule {
                pattern.is_match("");
            }
        }
    }

    /// The field with this JSON name.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The relation with this name.
    pub fn relation(&self, name: &str) -> Option<&'static RelationSpec> {
        self.relations.iter().find(|r| r.name == name)
    }
}

/// One field of a resource: its column, its JSON property and its checks.
#[derive(Debug)]
pub struct FieldSpec {
    /// JSON property and column name.
    pub name: &'static str,
    /// What the field holds.
    pub kind: Kind,
    /// `Option<T>` in the struct: a nullable column, optional on create.
    pub nullable: bool,
    /// Who writes it.
    pub role: Role,
    /// Value used on create when the client omits the field.
    pub default: Option<Literal>,
    /// `#[rest(unique)]`: a unique index; duplicates answer 409.
    pub unique: bool,
    /// Declarative rules, checked on every write and rendered into the schema.
    pub rules: &'static [Rule],
    /// The field's doc comment.
    pub doc: Option<&'static str>,
    /// `filter(...)`: the operators a list request may filter this field by.
    pub filters: &'static [FilterOp],
    /// `sort`: a list request may order by this field.
    pub sort: bool,
    /// Who may write the field in a request body: `read_only` or `write = ...`.
    pub write: FieldWrite,
}

/// Who may write a field in a request body. Code (endpoints, hooks, `Ctx::create`
/// and `Ctx::update`) writes every data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FieldWrite {
    /// Every caller the operation admits.
    #[default]
    Anyone,
    /// `#[rest(read_only)]`: no request body; a body that sets it is a `422 read_only`.
    ReadOnly,
    /// `#[rest(write = role("editor"))]`: callers with this permission; a body from
    /// another caller that sets it is a `403` (a `401` without credentials).
    Permission(Permission),
}

impl FieldSpec {
    /// Create requests must carry this field.
    pub fn required_on_create(&self) -> bool {
        self.role == Role::Data && !self.nullable && self.default.is_none()
    }

    /// Upper bound on the length of a string field, if one is declared.
    pub fn max_length(&self) -> Option<u64> {
        self.rules.iter().find_map(|r| match r {
            Rule::Length { max, .. } => *max,
            _ => None,
        })
    }

    /// The default as a client would send it: decimals travel as strings, theirs too.
    pub fn default_json(&self) -> Option<serde_json::Value> {
        self.default
            .map(|default| match (self.kind, default.to_json()) {
                (Kind::Decimal, serde_json::Value::Number(n)) => n.to_string().into(),
                (_, json) => json,
            })
    }
}

/// Who writes a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// Written by clients.
    Data,
    /// Primary key, generated by the server (auto increment or a random UUID).
    Id,
    /// Set by the server when the row is created.
    CreatedAt,
    /// Set by the server on every write.
    UpdatedAt,
    /// The row's version: 1 on create, counted up by every update; the `ETag`.
    Version,
    /// The subject of the principal that created the row; reads and writes see only
    /// the caller's rows.
    Owner,
}

/// Which operations of an owned resource see only the caller's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OwnerScope {
    /// Every operation: rows of others do not exist for the caller (the default).
    #[default]
    All,
    /// Updates and deletes: everyone reads every row, only owners change theirs.
    Writes,
}

impl ResourceSpec {
    /// The `#[rest(version)]` field, if any.
    pub fn version_field(&self) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.role == Role::Version)
    }

    /// The `#[rest(owner)]` field, if any.
    pub fn owner_field(&self) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.role == Role::Owner)
    }
}

/// The value kinds a field can hold; each maps to a column type and a JSON Schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
    /// `String`.
    String,
    /// `DateTime<Utc>`: RFC 3339 with offset.
    DateTime,
    /// `NaiveDateTime`: RFC 3339 without offset.
    NaiveDateTime,
    /// `NaiveDate`: `2024-01-31`.
    Date,
    /// `NaiveTime`: `12:30:00`.
    Time,
    /// `uuid::Uuid`.
    Uuid,
    /// `rust_decimal::Decimal`, carried as a JSON string so no precision is lost.
    Decimal,
    /// Any JSON value.
    Json,
}

impl Kind {
    /// Numeric kinds accept `range`.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Kind::I16 | Kind::I32 | Kind::I64 | Kind::F32 | Kind::F64 | Kind::Decimal
        )
    }

    /// The pattern every value of the kind matches, where JSON Schema has no standard
    /// format that says as much: validation checks it, and the document shows it, so
    /// clients and the server agree on what is accepted.
    pub fn pattern(self) -> Option<&'static Pattern> {
        static DATE_TIME: Pattern = Pattern::new(
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$",
        );
        static NAIVE_DATE_TIME: Pattern =
            Pattern::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$");
        static TIME: Pattern = Pattern::new(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$");
        static DECIMAL: Pattern = Pattern::new(r"^-?[0-9]{1,18}(\.[0-9]{1,10})?$");
        static TEXT: Pattern = Pattern::new(r"^[^\x00]*$");
        match self {
            Kind::DateTime => Some(&DATE_TIME),
            Kind::NaiveDateTime => Some(&NAIVE_DATE_TIME),
            Kind::Time => Some(&TIME),
            Kind::Decimal => Some(&DECIMAL),
            Kind::String => Some(&TEXT),
            _ => None,
        }
    }

    /// Inclusive bounds of the integer kinds.
    pub fn integer_bounds(self) -> Option<(i64, i64)> {
        match self {
            Kind::I16 => Some((i16::MIN.into(), i16::MAX.into())),
            Kind::I32 => Some((i32::MIN.into(), i32::MAX.into())),
            Kind::I64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }
}

/// A filter operator of `#[rest(filter(...))]`; each declared one is a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterOp {
    /// `?field=v`: equal.
    Eq,
    /// `?field__ne=v`: not equal (rows where the field is null match too).
    Ne,
    /// `?field__lt=v`: less than.
    Lt,
    /// `?field__lte=v`: less than or equal.
    Lte,
    /// `?field__gt=v`: greater than.
    Gt,
    /// `?field__gte=v`: greater than or equal.
    Gte,
    /// `?field__in=a,b,c`: one of the listed values.
    In,
    /// `?field__contains=v`: contains the text, ignoring case.
    Contains,
    /// `?field__starts_with=v`: starts with the text, ignoring case.
    StartsWith,
    /// `?field__is_null=true|false`: the field is (not) null.
    IsNull,
}

impl FilterOp {
    /// Every operator, in the order the document lists them.
    pub const ALL: [FilterOp; 10] = [
        FilterOp::Eq,
        FilterOp::Ne,
        FilterOp::Lt,
        FilterOp::Lte,
        FilterOp::Gt,
        FilterOp::Gte,
        FilterOp::In,
        FilterOp::Contains,
        FilterOp::StartsWith,
        FilterOp::IsNull,
    ];

    /// The operator's name in the attribute and the parameter suffix.
    pub fn name(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Ne => "ne",
            FilterOp::Lt => "lt",
            FilterOp::Lte => "lte",
            FilterOp::Gt => "gt",
            FilterOp::Gte => "gte",
            FilterOp::In => "in",
            FilterOp::Contains => "contains",
            FilterOp::StartsWith => "starts_with",
            FilterOp::IsNull => "is_null",
        }
    }

    /// The query parameter for `field`: `price_cents__lt`, or the bare name for `eq`.
    pub fn parameter(self, field: &str) -> String {
        match self {
            FilterOp::Eq => field.to_owned(),
            other => format!("{field}__{}", other.name()),
        }
    }
}

/// A literal from an attribute (`default = false`, `one_of("a", "b")`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Literal {
    /// `true`, `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(&'static str),
}

impl Literal {
    /// The literal as JSON.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Literal::Bool(b) => b.into(),
            Literal::Int(i) => i.into(),
            Literal::Float(f) => f.into(),
            Literal::Str(s) => s.into(),
        }
    }
}

/// A declarative validation rule (`#[rest(validate(...))]`).
#[derive(Debug)]
#[non_exhaustive]
pub enum Rule {
    /// Length in characters (Unicode scalar values, as JSON Schema counts them).
    Length {
        /// Fewest characters.
        min: Option<u64>,
        /// Most characters.
        max: Option<u64>,
    },
    /// Inclusive numeric bounds.
    Range {
        /// Smallest value.
        min: Option<f64>,
        /// Largest value.
        max: Option<f64>,
    },
    /// A regular expression the whole value must match somewhere (anchor it to match all).
    Pattern(&'static Pattern),
    /// An e-mail address (`local@domain`, as HTML's `type=email` accepts).
    Email,
    /// One of a fixed set of values.
    OneOf(&'static [Literal]),
}

impl Rule {
    /// The stable `code` of the validation error this rule produces.
    pub fn code(&self) -> &'static str {
        match self {
            Rule::Length { .. } => "length",
            Rule::Range { .. } => "range",
            Rule::Pattern(_) => "pattern",
            Rule::Email => "email",
            Rule::OneOf(_) => "one_of",
        }
    }
}

/// A regex source compiled on first use; the macro has already checked that it parses.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<regex::Regex>,
}

impl Pattern {
    /// Wraps a pattern source; compiled lazily, once per process.
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the attribute.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                regex::Regex::new(self.source).expect("pattern checked by #[derive(Resource)]")
            })
            .is_match(text)
    }
}

/// The CRUD operations of a resource; `only(...)` and `exclude(...)` switch them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operations {
    /// `GET /books`.
    pub list: bool,
    /// `GET /books/{id}`.
    pub get: bool,
    /// `POST /books`.
    pub create: bool,
    /// `PATCH /books/{id}`.
    pub update: bool,
    /// `DELETE /books/{id}`.
    pub delete: bool,
}

impl Operations {
    /// All five operations.
    pub const ALL: Operations = Operations {
        list: true,
        get: true,
        create: true,
        update: true,
        delete: true,
    };
}
