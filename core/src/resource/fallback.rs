//! What `#[derive(Resource)]` implements when the declaration has errors: a stand-in
//! entity, so code using the resource type still type-checks and the user sees the
//! macro's errors alone instead of a wall of follow-on "not a resource" errors. It is
//! never run: the crate does not compile.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "__ferrest_fallback")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
