use ferrest::prelude::*;

#[derive(Resource)]
#[rest(rate_limit = "ten/minute")]
pub struct Search {
    #[rest(id)]
    pub id: i64,
}

pub struct Mail;

#[ferrest::endpoints]
impl Mail {
    #[rest(post = "/mail", rate_limit = "5/fortnight")]
    async fn send() {}
}

fn main() {}
