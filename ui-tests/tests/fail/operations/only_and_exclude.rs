use ferrest::prelude::*;

#[derive(Resource)]
#[rest(only(list, get), exclude(delete))]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
