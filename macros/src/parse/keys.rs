//! Every attribute key the macros accept, one constant each, so the parser, the
//! did-you-mean suggestions and the guide's attribute list share one spelling.

pub const REST: &str = "rest";

// container: #[rest(...)] on the struct
pub const TABLE: &str = "table";
pub const PATH: &str = "path";
pub const TAG: &str = "tag";
pub const ONLY: &str = "only";
pub const EXCLUDE: &str = "exclude";
pub const MAX_LIMIT: &str = "max_limit";
pub const PAGINATE: &str = "paginate";
pub const HAS_MANY: &str = "has_many";
pub const INCLUDE: &str = "include";
pub const AUTH: &str = "auth";
pub const RATE_LIMIT: &str = "rate_limit";
pub const CONTAINER_KEYS: &[&str] = &[
    TABLE, PATH, TAG, ONLY, EXCLUDE, MAX_LIMIT, PAGINATE, HAS_MANY, INCLUDE, AUTH, RATE_LIMIT,
];

// auth(...): which operations a permission covers; the most specific key wins
pub const ALL: &str = "all";
pub const READ: &str = "read";
pub const WRITE: &str = "write";
pub const ACCESS_KEYS: &[&str] = &[ALL, READ, WRITE, LIST, GET, CREATE, UPDATE, DELETE];

// permissions: auth(read = public, delete = role("admin"))
pub const PUBLIC: &str = "public";
pub const AUTHENTICATED: &str = "authenticated";
pub const ROLE: &str = "role";
pub const SCOPE: &str = "scope";
pub const PERMISSIONS: &[&str] = &[PUBLIC, AUTHENTICATED, ROLE, SCOPE];

// pagination modes: paginate = offset | cursor
pub const OFFSET: &str = "offset";
pub const CURSOR: &str = "cursor";
pub const PAGINATIONS: &[&str] = &[OFFSET, CURSOR];

// field: #[rest(...)] on a field
pub const ID: &str = "id";
pub const CREATED_AT: &str = "created_at";
pub const UPDATED_AT: &str = "updated_at";
pub const UNIQUE: &str = "unique";
pub const DEFAULT: &str = "default";
pub const VALIDATE: &str = "validate";
pub const FILTER: &str = "filter";
pub const SORT: &str = "sort";
pub const BELONGS_TO: &str = "belongs_to";
pub const VERSION: &str = "version";
pub const OWNER: &str = "owner";
/// Clients never write the field; endpoints and hooks may (`read_only`).
pub const READ_ONLY: &str = "read_only";
/// `renamed_from = "old"`: the column's former name, so sync and migrations rename it.
pub const RENAMED_FROM: &str = "renamed_from";
// `write = role("editor")`: who may write the field (the `WRITE` of `auth(...)` above)
pub const FIELD_KEYS: &[&str] = &[
    ID,
    CREATED_AT,
    UPDATED_AT,
    UNIQUE,
    DEFAULT,
    VALIDATE,
    FILTER,
    SORT,
    BELONGS_TO,
    VERSION,
    OWNER,
    READ_ONLY,
    WRITE,
    RENAMED_FROM,
];

// version(required): writes must send If-Match
pub const REQUIRED: &str = "required";
// owner(bypass = role("admin")): who sees and changes every row
pub const BYPASS: &str = "bypass";
// owner(scope = writes): ownership limits updates and deletes only (`all` by default)
pub const WRITES: &str = "writes";

// filter operators: filter(eq, lt, ...)
pub const FILTER_OPS: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "lte",
    "gt",
    "gte",
    "in",
    "contains",
    "starts_with",
    "is_null",
];

// rules: #[rest(validate(...))]
pub const LENGTH: &str = "length";
pub const RANGE: &str = "range";
pub const PATTERN: &str = "pattern";
pub const EMAIL: &str = "email";
pub const ONE_OF: &str = "one_of";
pub const WITH: &str = "with";
pub const RULE_KEYS: &[&str] = &[LENGTH, RANGE, PATTERN, EMAIL, ONE_OF, WITH];

// bounds: length(min = .., max = ..), range(min = .., max = ..)
pub const MIN: &str = "min";
pub const MAX: &str = "max";
pub const BOUND_KEYS: &[&str] = &[MIN, MAX];

// typed errors: #[rest(...)] on a variant of #[derive(ApiError)]
pub const STATUS: &str = "status";
pub const CODE: &str = "code";
pub const DETAIL: &str = "detail";
pub const ERROR_KEYS: &[&str] = &[STATUS, CODE, DETAIL];

// endpoints: #[rest(...)] on a method of an #[ferrest::endpoints] block
pub const VERBS: &[&str] = &["get", "post", "put", "patch", "delete"];
pub const OPERATION_ID: &str = "operation_id";
pub const HOOKS: &[&str] = &[
    "before_create",
    "after_create",
    "before_update",
    "after_update",
    "before_delete",
    "after_delete",
    "read_filter",
];
/// The keys of a route besides its verb.
pub const ROUTE_KEYS: &[&str] = &[TAG, OPERATION_ID, AUTH, RATE_LIMIT];

// operations named in only(...) / exclude(...)
pub const LIST: &str = "list";
pub const GET: &str = "get";
pub const CREATE: &str = "create";
pub const UPDATE: &str = "update";
pub const DELETE: &str = "delete";
pub const OPERATIONS: &[&str] = &[LIST, GET, CREATE, UPDATE, DELETE];

#[cfg(test)]
mod tests {
    /// Every key the macros accept is documented in the user guide.
    #[test]
    fn the_guide_documents_every_key() {
        let guide = include_str!("../../../docs/guide.md");
        let all = [
            super::CONTAINER_KEYS,
            super::FIELD_KEYS,
            super::RULE_KEYS,
            super::BOUND_KEYS,
            super::OPERATIONS,
            super::PAGINATIONS,
            super::FILTER_OPS,
            super::ERROR_KEYS,
            super::VERBS,
            super::ROUTE_KEYS,
            super::HOOKS,
            super::ACCESS_KEYS,
            &[super::REQUIRED, super::BYPASS, super::WRITES],
            super::PERMISSIONS,
        ];
        let missing: Vec<&str> = all
            .iter()
            .flat_map(|keys| keys.iter().copied())
            .filter(|key| {
                !(guide.contains(&format!("`{key}`"))
                    || guide.contains(&format!("`{key} ="))
                    || guide.contains(&format!("`{key}(")))
            })
            .collect();
        assert!(missing.is_empty(), "undocumented keys: {missing:?}");
    }
}
