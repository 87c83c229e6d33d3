//! Defaults of every literal kind, `unique`, and server-managed timestamps.

use ferrest::prelude::*;
use ferrest::spec::{Literal, Role};

#[derive(Resource)]
#[rest(table = "articles", path = "/articles", tag = "Articles")]
pub struct Article {
    #[rest(id)]
    pub id: i32,
    #[rest(unique)]
    pub slug: String,
    #[rest(unique)]
    pub number: i64,
    #[rest(default = false)]
    pub published: bool,
    #[rest(default = -1)]
    pub rank: i32,
    #[rest(default = 0.5)]
    pub weight: f64,
    #[rest(default = "draft")]
    pub state: String,
    #[rest(created_at)]
    pub created_at: DateTimeUtc,
    #[rest(updated_at)]
    pub updated_at: NaiveDateTime,
}

fn main() {
    let spec = <Article as Resource>::spec();
    let field = |name: &str| spec.field(name).expect("declared field");

    assert_eq!(field("published").default, Some(Literal::Bool(false)));
    assert_eq!(field("rank").default, Some(Literal::Int(-1)));
    assert_eq!(field("weight").default, Some(Literal::Float(0.5)));
    assert_eq!(field("state").default, Some(Literal::Str("draft")));
    assert!(!field("state").required_on_create());

    assert!(field("slug").unique && field("number").unique);
    // A unique string needs an index, so it gets the conventional bound.
    assert_eq!(field("slug").max_length(), Some(255));

    assert_eq!(field("created_at").role, Role::CreatedAt);
    assert_eq!(field("updated_at").role, Role::UpdatedAt);
    let writable: Vec<&str> = spec.writable_fields().map(|f| f.name).collect();
    assert_eq!(
        writable,
        ["slug", "number", "published", "rank", "weight", "state"]
    );
}
