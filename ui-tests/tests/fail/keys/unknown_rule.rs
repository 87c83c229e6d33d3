use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(lenght(max = 200)))]
    pub title: String,
}

fn main() {}
