use ferrest::prelude::*;
use ferrest::web::Path;

pub struct Shelf;

#[ferrest::endpoints]
impl Shelf {
    #[rest(get = "/shelves/{shelf_id}")]
    async fn get(Path(id): Path<i64>) -> String {
        id.to_string()
    }

    #[rest(get = "/shelves/{id}/books/{book}")]
    async fn book(Path((id, title)): Path<(i64, String)>) -> String {
        format!("{id}{title}")
    }

    #[rest(get = "/shelves/{id}/size")]
    async fn size(ctx: Ctx) -> String {
        format!("{:?}", ctx.db)
    }

    #[rest(get = "/shelves/{id")]
    async fn broken(Path(id): Path<i64>) -> String {
        id.to_string()
    }
}

fn main() {}
