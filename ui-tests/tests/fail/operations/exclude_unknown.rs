use ferrest::prelude::*;

#[derive(Resource)]
#[rest(exclude(delet))]
pub struct Book {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
