use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(range(min = "0")))]
    pub price_cents: i64,
}

fn main() {}
