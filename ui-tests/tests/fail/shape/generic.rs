use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book<T> {
    #[rest(id)]
    pub id: i64,
    pub extra: T,
}

fn main() {}
