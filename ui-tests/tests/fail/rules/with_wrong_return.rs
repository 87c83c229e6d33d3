use ferrest::prelude::*;

fn not_empty(title: &String) -> bool {
    !title.is_empty()
}

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(with = not_empty))]
    pub title: String,
}

fn main() {}
