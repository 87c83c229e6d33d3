use ferrest::prelude::*;

#[derive(Resource)]
#[rest(has_many = Book)]
pub struct Author {
    #[rest(id)]
    pub id: i64,
    pub name: String,
}

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    pub author_id: i64,
}

fn main() {}
