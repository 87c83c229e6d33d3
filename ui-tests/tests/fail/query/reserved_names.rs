use ferrest::prelude::*;

#[derive(Resource)]
#[rest(max_limit = 1000000)]
pub struct Entry {
    #[rest(id)]
    pub id: i64,
    #[rest(filter(eq))]
    pub count: i64,
    #[rest(filter(lt))]
    pub page__size: i64,
}

fn main() {}
