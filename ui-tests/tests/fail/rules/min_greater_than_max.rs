use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(min = 10, max = 2)))]
    pub title: String,
}

fn main() {}
