use ferrest::prelude::*;

#[derive(Resource)]
pub enum Format {
    Paperback,
    Hardcover,
}

fn main() {}
