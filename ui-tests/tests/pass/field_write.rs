//! `read_only` and `write = ...` fields: a default or an `Option` lets a create body
//! leave them out.
use ferrest::prelude::*;

#[derive(Resource)]
#[rest(auth(write = authenticated))]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(read_only, default = "draft")]
    pub status: String,
    #[rest(write = role("editor", "admin"), default = false)]
    pub published: bool,
    #[rest(write = scope("books:price"))]
    pub list_price: Option<i64>,
}

fn main() {
    use ferrest::spec::FieldWrite;
    let spec = <Book as Resource>::spec();
    assert_eq!(spec.field("status").unwrap().write, FieldWrite::ReadOnly);
    assert!(matches!(spec.field("published").unwrap().write, FieldWrite::Permission(_)));
    let body = BookCreate { status: Some("x".into()), published: None, list_price: Some(1) };
    assert_eq!(<Book as ferrest::__private::Generated<_, _, _>>::guarded_in_create(&body), ["status", "list_price"]);
}
