use ferrest::web::Path;

pub struct Shelf;

pub struct Label(pub String);

#[ferrest::endpoints]
impl Shelf {
    #[rest(get = "/shelves/{id}")]
    async fn get(label: Label, Path(id): Path<i64>) -> String {
        format!("{id}{}", label.0)
    }
}

fn main() {}
