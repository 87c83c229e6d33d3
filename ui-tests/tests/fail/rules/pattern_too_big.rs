use ferrest::prelude::*;

#[derive(Resource)]
pub struct Code {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(pattern = "^\\w{1000}\\w{1000}$"))]
    pub value: String,
}

fn main() {}
