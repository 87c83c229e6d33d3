//! The trait `#[derive(Resource)]` implements: the bridge from a user's struct to the
//! generic CRUD runtime in [`crate::crud`].

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, EntityTrait, IntoActiveModel, PrimaryKeyTrait,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::problem::FieldError;
use crate::spec::ResourceSpec;
use crate::validate::Storage;

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

/// The half of [`Resource`] only generated code and the runtime call: conversions
/// between the DTOs and the row, the typed checks, and what registering the resource
/// registers with it. A supertrait of `Resource`, so a user's `impl` comes from
/// `#[derive(Resource)]` alone and the public trait shows what users name. Its type
/// parameters are `Resource`'s `Model`, `Create` and `Update`: a supertrait cannot
/// name its subtrait's associated types.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a ferrest resource",
    label = "not a resource",
    note = "add `#[derive(Resource)]` and a `#[rest(id)]` field to `{Self}`"
)]
pub trait Generated<Model: sea_orm::ModelTrait, Create, Update>: Sized {
    /// The sea-orm active model used for writes.
    type ActiveModel: ActiveModelTrait<Entity = Model::Entity>
        + ActiveModelBehavior
        + Send
        + Sync
        + 'static;

    /// The resource of a row: what hooks and `Ctx::get` hand to user code.
    fn from_model(model: Model) -> Self;

    /// The primary key of a row, rendered for the `Location` header.
    fn id_of(model: &Model) -> String;

    /// A new row from a validated create body, with server-managed fields set.
    fn new_row(input: Create) -> Self::ActiveModel;

    /// Merges a validated update body into a row: absent fields stay unchanged.
    fn apply_update(input: Update, row: &mut Self::ActiveModel);
    /// The row's `#[rest(version)]`, if the resource has one.
    fn version_of(_model: &Model) -> Option<i64> {
        None
    }

    /// Whether a create body, as its DTO holds it, passes every declared check; `false`
    /// when the typed value cannot tell (see `Checked`), and the body is then checked as
    /// JSON. The default sends every body there.
    fn create_passes(_input: &Create, _storage: Storage) -> bool {
        false
    }

    /// [`Generated::create_passes`] for an update body.
    fn update_passes(_input: &Update, _storage: Storage) -> bool {
        false
    }

    /// Runs the custom validators (`validate(with = ...)`) on a create body.
    fn check_create(_input: &Create, _errors: &mut Vec<FieldError>) {}

    /// Runs the custom validators on an update body.
    fn check_update(_input: &Update, _errors: &mut Vec<FieldError>) {}

    /// How to register the type's `#[ferrest::endpoints]` block, when it has one:
    /// [`App::resource`](crate::App::resource) registers it with the resource.
    fn endpoint_block() -> Option<crate::endpoints::RegisterBlock> {
        None
    }

    /// The `read_only` and `write = ...` fields a create body sets, for
    /// `auth::fields::check`.
    fn guarded_in_create(_input: &Create) -> Vec<&'static str> {
        Vec::new()
    }

    /// [`Generated::guarded_in_create`] for an update body.
    fn guarded_in_update(_input: &Update) -> Vec<&'static str> {
        Vec::new()
    }

    /// Adds the nested list routes of `#[rest(has_many = ...)]` relations.
    fn nested_routes(router: axum::Router<crate::AppState>) -> axum::Router<crate::AppState> {
        router
    }
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
