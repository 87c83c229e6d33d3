use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(one_of(0.5, 1.0)))]
    pub ratio: f64,
}

fn main() {}
