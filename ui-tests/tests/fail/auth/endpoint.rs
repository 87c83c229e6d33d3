use ferrest::prelude::*;

#[derive(Resource)]
pub struct Note {
    #[rest(id)]
    pub id: i64,
}

#[ferrest::endpoints]
impl Note {
    #[rest(before_create, auth = role("admin"))]
    async fn stamp(_ctx: &Ctx, _input: &mut NoteCreate) {}

    #[rest(post = "/notes/archive", auth = admin)]
    async fn archive() {}
}

fn main() {}
