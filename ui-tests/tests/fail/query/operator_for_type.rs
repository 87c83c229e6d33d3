use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(filter(eq, contains))]
    pub pages: i64,
    #[rest(filter(eq, lt))]
    pub published: bool,
    #[rest(filter(gte))]
    pub key: Uuid,
    #[rest(filter(is_null))]
    pub title: String,
}

fn main() {}
