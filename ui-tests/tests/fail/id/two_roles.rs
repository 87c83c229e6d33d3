use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(created_at, updated_at)]
    pub stamped_at: DateTimeUtc,
}

fn main() {}
