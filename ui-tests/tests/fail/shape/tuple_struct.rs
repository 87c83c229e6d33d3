use ferrest::prelude::*;

#[derive(Resource)]
pub struct Book(i64, String);

fn main() {}
