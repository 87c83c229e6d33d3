use ferrest::prelude::*;

#[derive(Resource)]
#[rest(auth(reed = public, create = pubilc, update = role, delete = role(), list = public("x")))]
pub struct Note {
    #[rest(id)]
    pub id: i64,
}

#[derive(Resource)]
#[rest(auth(get = role("two words"), get = authenticated))]
pub struct Memo {
    #[rest(id)]
    pub id: i64,
}

fn main() {}
