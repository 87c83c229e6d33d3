use ferrest::prelude::*;

pub struct Money {
    pub cents: i64,
}

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    pub price: Money,
}

fn main() {}
