use ferrest::prelude::*;

#[derive(Resource)]
#[rest(table = books)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
