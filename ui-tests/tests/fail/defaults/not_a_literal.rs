use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(default = String::new())]
    pub title: String,
}

fn main() {}
