use ferrest::prelude::*;

#[derive(Resource)]
pub struct Setting {
    #[rest(id)]
    pub id: i64,
    #[rest(filter(eq), sort)]
    pub value: JsonValue,
}

fn main() {}
