#[derive(Debug, ferrest::ApiError)]
pub enum PublishError {
    #[rest(status = 200)]
    Fine,
    #[rest(status = 404, code = "Not Found")]
    Missing,
    #[rest(stauts = 409)]
    Conflict,
    Unstated,
    #[rest(status = 410)]
    Lost,
    #[rest(status = 410, code = "lost")]
    Gone,
    #[rest(status = 422)]
    Positional(String),
}

fn main() {}
