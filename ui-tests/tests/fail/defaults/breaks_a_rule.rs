use ferrest::prelude::*;

#[derive(Resource)]
pub struct Ticket {
    #[rest(id)]
    pub id: i64,
    #[rest(default = "zzz", validate(length(max = 2), one_of("a", "b")))]
    pub state: String,
    #[rest(default = -5, validate(range(min = 0)))]
    pub count: i64,
}

fn main() {}
