//! The model of one `#[derive(Resource)]` struct, with the naming conventions applied.

use proc_macro2::Span;
use syn::{Ident, LitInt, Visibility};

use super::kind::{FieldType, classify};
use super::rules::Rule;
use crate::errors::{Errors, unknown_key_message};
use crate::parse::{RawContainer, RawField, keys};

pub struct Resource {
    pub ident: Ident,
    pub vis: Visibility,
    pub doc: Option<String>,
    pub table: String,
    pub path: String,
    /// Where `path = "..."` was written, if it was.
    pub path_span: Option<Span>,
    pub tag: String,
    pub operations: Operations,
    /// Where `only(...)`/`exclude(...)` was written (else the struct name), for errors.
    pub operations_span: Span,
    pub max_limit: u64,
    /// Where `max_limit = ..`'s value was written (else the struct name), for errors.
    pub max_limit_span: Span,
    pub pagination: Pagination,
    /// `has_many = Book`: the relations whose foreign key is on the other resource.
    pub has_many: Vec<HasMany>,
    /// `include(...)`: relation names allowed in `?include=`.
    pub includes: Vec<(String, Span)>,
    /// Who may call each operation.
    pub access: super::Access,
    /// `version(required)`: writes without `If-Match` are refused.
    pub require_if_match: bool,
    /// `owner(bypass = ...)`: who sees and changes every row.
    pub owner_bypass: Option<super::Permission>,
    /// `owner(scope = writes)`: ownership limits updates and deletes only.
    pub owner_writes_only: bool,
    /// `rate_limit = "100/minute"`.
    pub rate_limit: Option<super::Rate>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    Offset,
    Cursor,
}

/// `has_many = Book` on `Author`: `GET /authors/{author_id}/books` and `?include=books`.
pub struct HasMany {
    /// The child resource, as the user wrote it.
    pub path: syn::Path,
    /// `books`: the child's name, snake case, plural.
    pub name: String,
}

/// `belongs_to = Author` on `author_id`.
pub struct BelongsTo {
    /// The parent resource, as the user wrote it.
    pub path: syn::Path,
    /// `author`: the field name without `_id`.
    pub name: String,
}

pub struct Field {
    pub ident: Ident,
    /// JSON property and column name.
    pub name: String,
    pub ty: FieldType,
    pub role: Role,
    /// Where the role was declared (`#[rest(id)]`), for errors about it.
    pub role_span: Option<Span>,
    pub unique: Option<Span>,
    pub default: Option<(Literal, Span)>,
    pub rules: Vec<Rule>,
    pub doc: Option<String>,
    /// `filter(...)`: operator names, each checked against the known ones.
    pub filters: Vec<(String, Span)>,
    pub sort: Option<Span>,
    pub belongs_to: Option<BelongsTo>,
    /// Who may write the field in a request body, and where that was declared.
    pub write: Option<(FieldWrite, Span)>,
    /// `renamed_from = "old"`: the column's former name, where it was written.
    pub renamed_from: Option<(String, Span)>,
}

/// `read_only` or `write = ...` on a field.
#[derive(Debug, Clone)]
pub enum FieldWrite {
    /// Clients never write it; endpoints and hooks may.
    ReadOnly,
    /// Only callers with this permission write it.
    Permission(super::Permission),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Data,
    Id,
    CreatedAt,
    UpdatedAt,
    /// `version`: the row's version, for `ETag` and `If-Match`.
    Version,
    /// `owner`: the subject of the principal that created the row.
    Owner,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operations {
    pub list: bool,
    pub get: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

impl Resource {
    /// `None` when a field's type could not be understood; the errors say why.
    pub fn from_raw(raw: RawContainer, errors: &mut Errors) -> Option<Resource> {
        // Options of field roles that speak for the whole resource.
        let require_if_match = raw
            .fields
            .iter()
            .any(|f| f.version.as_ref().is_some_and(|(_, required)| *required));
        let mut owner_bypass = None;
        let mut owner_writes_only = false;
        for field in &raw.fields {
            if let Some((_, Some(bypass))) = &field.owner {
                owner_bypass = super::Permission::from_raw(bypass.clone(), errors);
            }
            match &field.owner_scope {
                Some(scope) if scope == keys::WRITES => owner_writes_only = true,
                Some(scope) if scope == keys::ALL => {}
                Some(scope) => errors.spanned(
                    scope,
                    unknown_key_message(
                        "ownership scope",
                        &scope.to_string(),
                        &[keys::ALL, keys::WRITES],
                    ),
                ),
                None => {}
            }
        }
        let name = raw.ident.to_string();
        let table = raw
            .table
            .map(|t| t.value())
            .unwrap_or_else(|| plural(&snake_case(&name)));
        let path_span = raw.path.as_ref().map(syn::LitStr::span);
        let path = raw
            .path
            .map(|p| p.value())
            .unwrap_or_else(|| format!("/{}", table.replace('_', "-")));
        let tag = raw.tag.map(|t| t.value()).unwrap_or_else(|| plural(&name));
        let max_limit_span = raw
            .max_limit
            .as_ref()
            .map_or(raw.ident.span(), LitInt::span);
        let operations_span = raw
            .only
            .as_ref()
            .or(raw.exclude.as_ref())
            .map_or(raw.ident.span(), |(_, span)| *span);
        let max_limit = match raw.max_limit {
            Some(lit) => lit.base10_parse::<u64>().unwrap_or_else(|e| {
                errors.push(e);
                100
            }),
            None => 100,
        };
        let operations = operations(raw.only, raw.exclude, errors);
        let pagination = match raw.paginate {
            None => Pagination::Offset,
            Some(mode) if mode == keys::OFFSET => Pagination::Offset,
            Some(mode) if mode == keys::CURSOR => Pagination::Cursor,
            Some(mode) => {
                errors.spanned(
                    &mode,
                    unknown_key_message("pagination", &mode.to_string(), keys::PAGINATIONS),
                );
                Pagination::Offset
            }
        };
        let has_many = raw
            .has_many
            .into_iter()
            .map(|path| HasMany {
                name: plural(&snake_case(&last_segment(&path))),
                path,
            })
            .collect();
        let includes = raw
            .include
            .map(|(names, _)| names.iter().map(|n| (n.to_string(), n.span())).collect())
            .unwrap_or_default();
        let rate_limit = raw
            .rate_limit
            .as_ref()
            .and_then(|lit| super::rate_from_lit(lit, errors));
        let access = raw
            .auth
            .map(|(entries, _)| super::Access::from_raw(entries, errors))
            .unwrap_or_default();
        let fields: Vec<Option<Field>> = raw
            .fields
            .into_iter()
            .map(|f| Field::from_raw(f, errors))
            .collect();
        let fields = fields.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Resource {
            ident: raw.ident,
            vis: raw.vis,
            doc: raw.doc,
            table,
            path,
            path_span,
            tag,
            operations,
            operations_span,
            max_limit,
            max_limit_span,
            pagination,
            has_many,
            includes,
            access,
            require_if_match,
            owner_bypass,
            owner_writes_only,
            rate_limit,
            fields,
        })
    }

    /// Every relation name with where it was declared: `belongs_to` fields, then
    /// `has_many` resources.
    pub fn relation_names(&self) -> Vec<(&str, Span)> {
        let fields = self.fields.iter().filter_map(|f| {
            f.belongs_to
                .as_ref()
                .map(|b| (b.name.as_str(), syn::spanned::Spanned::span(&b.path)))
        });
        let many = self
            .has_many
            .iter()
            .map(|h| (h.name.as_str(), syn::spanned::Spanned::span(&h.path)));
        fields.chain(many).collect()
    }

    pub fn id(&self) -> &Field {
        self.fields
            .iter()
            .find(|f| f.role == Role::Id)
            .expect("check.rs guarantees an id field")
    }
}

impl Field {
    fn from_raw(raw: RawField, errors: &mut Errors) -> Option<Field> {
        let ty = classify(&raw.ty, errors);
        let roles = [
            (raw.id, Role::Id),
            (raw.created_at, Role::CreatedAt),
            (raw.updated_at, Role::UpdatedAt),
            (raw.version.map(|(span, _)| span), Role::Version),
            (raw.owner.as_ref().map(|(span, _)| *span), Role::Owner),
        ];
        let mut declared = roles
            .iter()
            .filter_map(|(span, role)| span.map(|s| (s, *role)));
        let (role_span, role) = match declared.next() {
            Some((span, role)) => (Some(span), role),
            None => (None, Role::Data),
        };
        for (span, _) in declared {
            errors.at(
                span,
                "a field can be only one of `id`, `created_at`, `updated_at`, `version` and `owner`",
            );
        }
        let default = raw.default.as_ref().and_then(|expr| {
            let span = syn::spanned::Spanned::span(expr);
            default_literal(expr, errors).map(|lit| (lit, span))
        });
        let mut rules: Vec<Rule> = raw
            .rules
            .iter()
            .filter_map(|r| Rule::from_raw(r, errors))
            .collect();
        if let (Some(span), Some(ty)) = (raw.unique, &ty)
            && ty.kind == super::Kind::String
        {
            bound_unique_string(&mut rules, span);
        }
        let name = raw.ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
        let filters = raw
            .filters
            .iter()
            .filter_map(|op| {
                let text = op.to_string();
                let text = text.strip_prefix("r#").unwrap_or(&text).to_owned();
                if keys::FILTER_OPS.contains(&text.as_str()) {
                    Some((text, op.span()))
                } else {
                    errors.spanned(
                        op,
                        unknown_key_message("filter operator", &text, keys::FILTER_OPS),
                    );
                    None
                }
            })
            .collect();
        let write = match (raw.read_only, raw.write) {
            (Some(span), None) => Some((FieldWrite::ReadOnly, span)),
            (None, Some((span, permission))) => super::Permission::from_raw(permission, errors)
                .map(|permission| (FieldWrite::Permission(permission), span)),
            (Some(_), Some((span, _))) => {
                errors.at(
                    span,
                    "a field is either `read_only` or written by `write = ...` callers, not both",
                );
                None
            }
            (None, None) => None,
        };
        let belongs_to = raw.belongs_to.map(|path| BelongsTo {
            name: name.strip_suffix("_id").unwrap_or(&name).to_owned(),
            path,
        });
        Some(Field {
            name,
            ident: raw.ident,
            ty: ty?,
            role,
            role_span,
            unique: raw.unique,
            default,
            rules,
            doc: raw.doc,
            filters,
            sort: raw.sort,
            belongs_to,
            write,
            renamed_from: raw.renamed_from.map(|lit| (lit.value(), lit.span())),
        })
    }
}

/// Unique strings need an index, and MySQL indexes only bounded strings, so a unique
/// `String` without `length(max = ..)` gets the conventional `varchar(255)` bound,
/// enforced and documented like a declared one.
fn bound_unique_string(rules: &mut Vec<Rule>, span: Span) {
    for rule in rules.iter_mut() {
        if let Rule::Length { max, .. } = rule {
            max.get_or_insert(255);
            return;
        }
    }
    rules.push(Rule::Length {
        min: None,
        max: Some(255),
        span,
    });
}

fn default_literal(expr: &syn::Expr, errors: &mut Errors) -> Option<Literal> {
    match expr {
        syn::Expr::Lit(lit) => literal(&lit.lit, false, errors),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => match &**expr {
            syn::Expr::Lit(lit) => literal(&lit.lit, true, errors),
            other => {
                errors.spanned(
                    other,
                    "`default` must be a literal, like `false`, `0` or `\"draft\"`",
                );
                None
            }
        },
        other => {
            errors.spanned(
                other,
                "`default` must be a literal, like `false`, `0` or `\"draft\"`",
            );
            None
        }
    }
}

pub fn literal(lit: &syn::Lit, negative: bool, errors: &mut Errors) -> Option<Literal> {
    let sign = if negative { -1 } else { 1 };
    let parsed = match lit {
        syn::Lit::Bool(b) if !negative => Ok(Literal::Bool(b.value)),
        syn::Lit::Str(s) if !negative => Ok(Literal::Str(s.value())),
        syn::Lit::Int(i) => i.base10_parse::<i64>().map(|n| Literal::Int(sign * n)),
        syn::Lit::Float(f) => f
            .base10_parse::<f64>()
            .map(|n| Literal::Float(if negative { -n } else { n })),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a bool, integer, float or string literal",
        )),
    };
    parsed.map_err(|e| errors.push(e)).ok()
}

type OperationList = Option<(Vec<Ident>, Span)>;

fn operations(only: OperationList, exclude: OperationList, errors: &mut Errors) -> Operations {
    let mut validated = |list: &[Ident]| -> Vec<String> {
        let mut names = Vec::new();
        for op in list {
            let name = op.to_string();
            if keys::OPERATIONS.contains(&name.as_str()) {
                names.push(name);
            } else {
                errors.spanned(
                    op,
                    unknown_key_message("operation", &name, keys::OPERATIONS),
                );
            }
        }
        names
    };
    let has = |names: &[String], op: &str| names.iter().any(|n| n == op);
    match (only, exclude) {
        (Some((only, _)), Some((_, span))) => {
            validated(&only);
            errors.at(span, "use either `only(...)` or `exclude(...)`, not both");
            ALL
        }
        (Some((only, _)), None) => {
            let names = validated(&only);
            Operations {
                list: has(&names, keys::LIST),
                get: has(&names, keys::GET),
                create: has(&names, keys::CREATE),
                update: has(&names, keys::UPDATE),
                delete: has(&names, keys::DELETE),
            }
        }
        (None, Some((exclude, _))) => {
            let names = validated(&exclude);
            Operations {
                list: !has(&names, keys::LIST),
                get: !has(&names, keys::GET),
                create: !has(&names, keys::CREATE),
                update: !has(&names, keys::UPDATE),
                delete: !has(&names, keys::DELETE),
            }
        }
        (None, None) => ALL,
    }
}

const ALL: Operations = Operations {
    list: true,
    get: true,
    create: true,
    update: true,
    delete: true,
};

/// `BookReview` -> `book_review`, `HTTPLog` -> `http_log`: heck's word boundaries,
/// which keep an acronym one word.
pub fn snake_case(name: &str) -> String {
    heck::ToSnakeCase::to_snake_case(name.strip_prefix("r#").unwrap_or(name))
}

/// English plural for the common cases (`book` -> `books`, `category` -> `categories`,
/// `box` -> `boxes`); irregular nouns set `table`/`path`/`tag` explicitly.
pub fn plural(word: &str) -> String {
    let vowel_before_y = word
        .chars()
        .rev()
        .nth(1)
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    if word.ends_with('y') && !vowel_before_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|s| word.ends_with(s))
    {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// `crate::models::Book` -> `Book`.
fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{plural, snake_case};

    /// The default table of a resource: an acronym is one word, not a word per capital.
    #[test]
    fn default_table_names_keep_acronyms_whole() {
        let table = |name: &str| plural(&snake_case(name));
        assert_eq!(table("Book"), "books");
        assert_eq!(table("BookReview"), "book_reviews");
        assert_eq!(table("HTTPLog"), "http_logs");
        assert_eq!(table("APIKey"), "api_keys");
        assert_eq!(table("Category"), "categories");
        assert_eq!(snake_case("V2Book"), "v2_book");
        assert_eq!(snake_case("r#Type"), "type");
    }
}
