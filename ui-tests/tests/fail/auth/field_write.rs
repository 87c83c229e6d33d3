use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id, read_only)]
    pub id: i64,
    // A create body without it would be incomplete.
    #[rest(read_only)]
    pub status: String,
    #[rest(write = role("editor"))]
    pub price_cents: i64,
    #[rest(read_only, write = role("editor"), default = false)]
    pub published: bool,
    #[rest(write = editor, default = 0)]
    pub stock: i64,
    #[rest(read_only, read_only, default = 0)]
    pub rating: i64,
}

fn main() {}
