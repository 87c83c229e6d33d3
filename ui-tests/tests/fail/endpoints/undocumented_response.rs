
pub struct Shelf;

pub struct Count(pub u64);

impl ferrest::__private::axum::response::IntoResponse for Count {
    fn into_response(self) -> ferrest::__private::axum::response::Response {
        ferrest::__private::axum::response::IntoResponse::into_response(self.0.to_string())
    }
}

#[ferrest::endpoints]
impl Shelf {
    #[rest(get = "/shelves/count")]
    async fn count() -> Count {
        Count(3)
    }
}

fn main() {}
