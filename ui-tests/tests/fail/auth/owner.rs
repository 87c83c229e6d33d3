use ferrest::prelude::*;

#[derive(Resource)]
pub struct Diary {
    #[rest(id)]
    pub id: i64,
    #[rest(owner(bypas = role("admin")))]
    pub owner: bool,
    #[rest(owner, created_at)]
    pub writer: String,
}

#[derive(Resource)]
pub struct Note {
    #[rest(id)]
    pub id: i64,
    #[rest(owner(bypass = admin))]
    pub owner: String,
}

#[derive(Resource)]
pub struct Review {
    #[rest(id)]
    pub id: i64,
    #[rest(owner(scope = reads))]
    pub writer: String,
}

fn main() {}
