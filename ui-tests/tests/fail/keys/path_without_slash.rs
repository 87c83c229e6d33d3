use ferrest::prelude::*;

#[derive(Resource)]
#[rest(path = "things")]
pub struct Thing {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
