use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(default = "yes")]
    pub published: bool,
}

fn main() {}
