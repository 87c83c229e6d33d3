use ferrest::prelude::*;

#[derive(Resource)]
pub struct Author {
    #[rest(id)]
    pub id: i64,
}

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Author)]
    pub author_id: i32,
}

fn main() {}
