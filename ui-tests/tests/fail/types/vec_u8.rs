use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    pub cover: Vec<u8>,
}

fn main() {}
