use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(one_of(1, 2, "three")))]
    pub stars: i32,
}

fn main() {}
