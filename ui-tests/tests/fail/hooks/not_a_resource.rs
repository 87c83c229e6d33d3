use ferrest::Ctx;

pub struct Shelf;

#[ferrest::endpoints]
impl Shelf {
    #[rest(after_delete)]
    async fn gone(_ctx: &Ctx, _shelf: &Shelf) {}
}

fn main() {}
