use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(with = not_empty))]
    pub title: String,
}

fn main() {}
