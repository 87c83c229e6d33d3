use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(pattern = "[a-"))]
    pub code: String,
}

fn main() {}
