use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(created_at)]
    pub created_at: i64,
}

fn main() {}
