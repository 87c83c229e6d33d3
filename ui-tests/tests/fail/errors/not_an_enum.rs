#[derive(Debug, ferrest::ApiError)]
pub struct NotFound {
    pub id: i64,
}

fn main() {}
