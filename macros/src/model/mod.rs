//! Stage 2: the validated model of a resource. Holds meaning and spans; emits no tokens.

mod access;
mod kind;
mod rate;
mod resource;
mod rules;

pub use access::{Access, Permission};
pub use kind::{FieldType, Kind, classify};
pub use rate::{Rate, rate_from_lit};
pub use resource::{
    BelongsTo, Field, FieldWrite, Literal, Pagination, Resource, Role, plural, snake_case,
};
pub use rules::Rule;
