use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id, validate(length(max = 3)))]
    pub id: i64,
}

fn main() {}
