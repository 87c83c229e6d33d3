use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(max = 10)))]
    pub pages: i64,
}

fn main() {}
