use ferrest::prelude::*;

#[derive(Resource)]
#[rest(max_limit = 0)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
