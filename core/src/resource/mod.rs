//! The trait `#[derive(Resource)]` implements: the bridge from a user's struct to the
//! generic CRUD runtime in [`crate::http::crud`].

use sea_orm::{EntityTrait, IntoActiveModel, PrimaryKeyTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) mod endpoints;
// The helpers generated code reaches through `__private`: hidden, as that is.
#[doc(hidden)]
pub mod fallback;
mod generated;
#[doc(hidden)]
pub(crate) mod relation;
#[doc(hidden)]
pub(crate) mod values;

pub use generated::Generated;

use crate::spec::ResourceSpec;

/// The primary key value type of an entity.
pub type PrimaryKeyValue<E> = <<E as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType;

/// A type served as a REST resource. Implemented by `#[derive(Resource)]`; not meant
/// to be implemented by hand.
///
/// ```
/// use ferrest::prelude::*;
///
/// #[derive(Resource)]
/// #[rest(table = "tags")]
/// pub struct Tag {
///     #[rest(id)]
///     pub id: i64,
///     #[rest(validate(length(min = 1, max = 40)))]
///     pub label: String,
/// }
///
/// assert_eq!(<Tag as Resource>::spec().path, "/tags");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a ferrest resource",
    label = "not a resource",
    note = "add `#[derive(Resource)]` and a `#[rest(id)]` field to `{Self}`"
)]
pub trait Resource:
    Sized
    + Send
    + Sync
    + 'static
    + Generated<<Self as Resource>::Model, <Self as Resource>::Create, <Self as Resource>::Update>
{
    /// The generated sea-orm entity: `<Book as Resource>::Entity::find()`.
    type Entity: EntityTrait<Model = Self::Model, ActiveModel = Self::ActiveModel>;
    /// The row, also the read DTO on the wire.
    type Model: sea_orm::ModelTrait<Entity = Self::Entity>
        + sea_orm::FromQueryResult
        + IntoActiveModel<Self::ActiveModel>
        + Serialize
        + Clone
        + Send
        + Sync
        + 'static;
    /// `BookCreate`: the body of `POST`.
    type Create: DeserializeOwned + Serialize + Send + 'static;
    /// `BookUpdate`: the body of `PATCH`.
    type Update: DeserializeOwned + Serialize + Send + 'static;
    /// The primary key type, as it appears in the path.
    type Id: crate::query::path::PathValue + Into<PrimaryKeyValue<Self::Entity>> + Send + 'static;

    /// The static description that drives routes, validation and the document.
    fn spec() -> &'static ResourceSpec;
}

/// A resource with a `#[rest(belongs_to = P)]` field; `#[rest(has_many = Self)]` on `P`
/// needs it. Implemented by `#[derive(Resource)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no field that belongs to `{P}`",
    label = "no `belongs_to = {P}` field",
    note = "add `#[rest(belongs_to = {P})]` to the foreign-key field of `{Self}`, like `author_id`"
)]
pub trait BelongsTo<P>: Resource {
    /// The foreign-key field holding the primary key of a `P`.
    const FIELD: &'static str;
}
