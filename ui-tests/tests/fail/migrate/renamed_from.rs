use ferrest::prelude::*;

#[derive(Resource)]
#[rest(table = "books")]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(renamed_from = "title")]
    pub title: String,
    #[rest(renamed_from = "title")]
    pub name: String,
    #[rest(renamed_from = "")]
    pub subtitle: String,
}

fn main() {}
