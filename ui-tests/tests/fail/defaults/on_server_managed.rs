use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(created_at, default = 0)]
    pub created_at: DateTimeUtc,
}

fn main() {}
