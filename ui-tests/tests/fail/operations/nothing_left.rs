use ferrest::prelude::*;

#[derive(Resource)]
#[rest(exclude(list, get, create, update, delete))]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
