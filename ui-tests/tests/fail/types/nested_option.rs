use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    pub summary: Option<Option<String>>,
}

fn main() {}
