use ferrest::prelude::*;

#[derive(Resource)]
#[rest(paginate = keyset)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(filter(eq, startswith, eq))]
    pub title: String,
}

fn main() {}
