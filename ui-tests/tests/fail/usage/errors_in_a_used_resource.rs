use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    #[rest(uniqe)]
    pub isbn: String,
}

fn main() {
    // Only the attribute error above is reported, not a second one here.
    let _app = ferrest::App::new().resource::<Book>();
}
