use ferrest::prelude::*;

#[derive(Resource)]
pub struct Page {
    #[rest(id)]
    pub id: i64,
    #[rest(version)]
    pub version: String,
    #[rest(version(requird))]
    pub revision: Option<i64>,
}

fn main() {}
