//! Relations across modules, every filter operator where it applies, cursor paging.
use ferrest::prelude::*;

pub mod people {
    use ferrest::prelude::*;

    #[derive(Resource)]
    #[rest(has_many = crate::Book, include(books))]
    pub struct Author {
        #[rest(id)]
        pub id: Uuid,
        #[rest(filter(eq, ne, lt, lte, gt, gte, in, contains, starts_with), sort)]
        pub name: String,
    }
}

#[derive(Resource)]
#[rest(paginate = cursor, include(author, editor))]
pub struct Book {
    #[rest(id, filter(eq, in))]
    pub id: i64,
    #[rest(belongs_to = people::Author, filter(eq, in))]
    pub author_id: Uuid,
    #[rest(belongs_to = crate::people::Author, filter(eq, is_null))]
    pub editor_id: Option<Uuid>,
    #[rest(filter(eq, ne, lt, lte, gt, gte, in, is_null), sort)]
    pub price: Option<Decimal>,
    #[rest(filter(lt, gte), sort)]
    pub released: NaiveDate,
    #[rest(filter(eq, ne, in), sort)]
    pub hardcover: bool,
}

fn main() {
    let _ = ferrest::App::new()
        .resource::<people::Author>()
        .resource::<Book>()
        .openapi();
}
