use ferrest::prelude::*;

#[derive(Resource)]
pub struct Counter {
    #[rest(id)]
    pub id: i64,
    #[rest(default = 100000)]
    pub small: i16,
}

fn main() {}
