use ferrest::prelude::*;

#[derive(Resource)]
pub struct Page {
    #[rest(id)]
    pub id: i64,
    #[rest(unique, validate(length(max = 1000)))]
    pub slug: String,
}

fn main() {}
