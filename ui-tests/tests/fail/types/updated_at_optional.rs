use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(updated_at)]
    pub updated_at: Option<DateTimeUtc>,
}

fn main() {}
