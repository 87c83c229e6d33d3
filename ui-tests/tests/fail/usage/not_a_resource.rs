pub struct Book {
    pub id: i64,
}

fn main() {
    let _app = ferrest::App::new().resource::<Book>();
}
