use ferrest::prelude::*;

#[derive(Resource)]
pub struct Note {
    #[rest(id)]
    pub id: i64,
    #[rest(default = "none")]
    pub body: Option<String>,
}

fn main() {}
