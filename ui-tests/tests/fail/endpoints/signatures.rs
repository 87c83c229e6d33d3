use ferrest::web::{Json, Path};

pub struct Shelf;

#[ferrest::endpoints]
impl Shelf {
    #[rest(get = "/shelves")]
    fn list() -> String {
        String::new()
    }

    #[rest(post = "/shelves/{id}")]
    async fn rename(&self, Path(id): Path<i64>) -> String {
        id.to_string()
    }

    #[rest(put = "/shelves/{id}")]
    async fn replace(Json(label): Json<String>, Path(id): Path<i64>) -> String {
        format!("{id}{label}")
    }

    #[rest(get = "/shelves")]
    async fn again() -> String {
        String::new()
    }

    #[rest(fetch = "/shelves/all", tags = "Shelves")]
    async fn all() -> String {
        String::new()
    }
}

fn main() {}
