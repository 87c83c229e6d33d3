use ferrest::prelude::*;

#[derive(Resource)]
#[rest(tabel = "books")]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
