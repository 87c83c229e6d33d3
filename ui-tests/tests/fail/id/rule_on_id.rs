use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id, validate(range(min = 1)))]
    pub id: i64,
}

fn main() {}
