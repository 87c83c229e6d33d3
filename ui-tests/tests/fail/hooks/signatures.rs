use ferrest::prelude::*;

#[derive(Resource)]
pub struct Shelf {
    #[rest(id)]
    pub id: i64,
    pub label: String,
}

#[ferrest::endpoints]
impl Shelf {
    #[rest(before_create)]
    fn label(_ctx: &Ctx, input: &mut ShelfCreate) -> Result<(), ApiError> {
        input.label = input.label.trim().to_owned();
        Ok(())
    }

    #[rest(after_create)]
    async fn announce(&self, _ctx: &Ctx) {}

    #[rest(before_update)]
    async fn check(_ctx: &Ctx, changes: &mut ShelfUpdate) {
        changes.label = None;
    }

    #[rest(before_delete, get = "/shelves/{id}/check")]
    async fn both(_ctx: &Ctx, _shelf: &Shelf) {}

    #[rest(after_delete, tag = "Shelves")]
    async fn tagged(_ctx: &Ctx, _shelf: &Shelf) {}

    #[rest(read_filtr)]
    async fn visible(_ctx: &Ctx) {}
}

fn main() {}
