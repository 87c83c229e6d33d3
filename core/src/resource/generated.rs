//! `Generated`, the hidden supertrait of `Resource`: what `#[derive(Resource)]`
//! implements for the runtime and generated code alone.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait};

use super::endpoints::RegisterBlock;
use crate::problem::FieldError;
use crate::validate::Storage;

/// The half of [`Resource`](super::Resource) only generated code and the runtime call: conversions
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
    fn endpoint_block() -> Option<RegisterBlock> {
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
