use ferrest::prelude::*;

pub struct Publisher {
    pub id: i64,
}

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Publisher)]
    pub publisher_id: i64,
}

fn main() {}
