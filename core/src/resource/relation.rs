//! The sea-orm relation of a `belongs_to` field, for the generated entity.

/// The foreign key of a `belongs_to` field: `column` of `E` refers to the primary key
/// of `P`.
pub fn foreign_key<E: sea_orm::EntityTrait, P: sea_orm::EntityTrait>(
    column: &str,
) -> sea_orm::RelationDef {
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    let from: E::Column = column
        .parse()
        .unwrap_or_else(|_| unreachable!("`{column}` is a column of the entity"));
    let to = P::PrimaryKey::iter()
        .next()
        .expect("every resource has a primary key")
        .into_column();
    E::belongs_to(P::default()).from(from).to(to).into()
}
