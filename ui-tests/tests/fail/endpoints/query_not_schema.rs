use ferrest::web::Query;

pub struct Page {
    pub number: u32,
}

pub struct Pages;

#[ferrest::endpoints]
impl Pages {
    #[rest(get = "/pages")]
    async fn list(Query(page): Query<Page>) -> String {
        page.number.to_string()
    }
}

fn main() {}
