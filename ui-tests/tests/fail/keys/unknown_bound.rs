use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(mni = 1)))]
    pub title: String,
}

fn main() {}
