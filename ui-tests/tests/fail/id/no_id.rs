use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    pub title: String,
}

fn main() {}
