use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(pattern = "^true$"))]
    pub published: bool,
}

fn main() {}
