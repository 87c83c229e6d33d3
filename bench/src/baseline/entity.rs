//! The bookstore's tables as an expert declares them for sea-orm by hand. The tables
//! themselves are created by the ferrest bookstore's migrations (see `seed`), so both
//! services read and write the very same rows.

/// The `books` table; its `Model` is also the JSON a book is answered with.
pub mod book {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "books")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        pub subtitle: Option<String>,
        #[sea_orm(unique)]
        pub isbn: String,
        pub price_cents: i64,
        pub published: bool,
        pub format: String,
        pub author_id: i64,
        pub summary: Option<String>,
        pub added_by: String,
        #[serde(serialize_with = "super::utc")]
        pub created_at: DateTimeWithTimeZone,
        #[serde(serialize_with = "super::utc")]
        pub updated_at: DateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `authors` table: the baseline serves no author routes, the seeding writes it.
pub mod author {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "authors")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        #[sea_orm(unique)]
        pub email: String,
        pub bio: Option<String>,
        pub version: i64,
        pub created_at: DateTimeWithTimeZone,
        pub updated_at: DateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Timestamps go out in UTC with a `Z` and as many fraction digits as they need, as
/// `DateTime<Utc>` writes them (the column holds `timestamptz`, read as a fixed offset).
fn utc<S: serde::Serializer>(
    value: &chrono::DateTime<chrono::FixedOffset>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(
        &value
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

/// Now, to the microsecond: what PostgreSQL keeps, so the answer equals a later read.
pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6).fixed_offset()
}
