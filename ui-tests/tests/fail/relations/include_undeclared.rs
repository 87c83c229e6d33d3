use ferrest::prelude::*;

#[derive(Resource)]
pub struct Author {
    #[rest(id)]
    pub id: i64,
}

#[derive(Resource)]
#[rest(include(autor, reviews))]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Author)]
    pub author_id: i64,
}

#[derive(Resource)]
#[rest(include(books))]
pub struct Shelf {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
