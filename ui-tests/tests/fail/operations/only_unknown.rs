use ferrest::prelude::*;

#[derive(Resource)]
#[rest(only(lst, get))]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
