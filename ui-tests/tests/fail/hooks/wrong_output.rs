use ferrest::prelude::*;

#[derive(Resource)]
pub struct Shelf {
    #[rest(id)]
    pub id: i64,
    pub label: String,
}

#[ferrest::endpoints]
impl Shelf {
    #[rest(before_delete)]
    async fn check(_ctx: &Ctx, shelf: &Shelf) -> Result<(), String> {
        if shelf.label.is_empty() { Err("empty".to_owned()) } else { Ok(()) }
    }
}

fn main() {}
