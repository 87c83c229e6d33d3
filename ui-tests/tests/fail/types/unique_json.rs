use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(unique)]
    pub metadata: JsonValue,
}

fn main() {}
