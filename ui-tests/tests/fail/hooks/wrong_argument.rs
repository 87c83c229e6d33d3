use ferrest::prelude::*;

#[derive(Resource)]
pub struct Shelf {
    #[rest(id)]
    pub id: i64,
    pub label: String,
}

#[ferrest::endpoints]
impl Shelf {
    #[rest(before_update)]
    async fn check(_ctx: &Ctx, changes: &mut ShelfCreate, _current: &Shelf) {
        changes.label.clear();
    }
}

fn main() {}
