use ferrest::prelude::*;

#[derive(Resource)]
pub struct Author {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(email, email))]
    pub email: String,
}

fn main() {}
