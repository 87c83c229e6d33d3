use ferrest::prelude::*;

#[derive(Debug, ApiError)]
pub enum PublishError {
    #[rest(status = 404, status = 410)]
    Missing,
    #[rest(status = 409, code = "taken")]
    #[rest(code = "in_use", detail = "taken", detail = "in use")]
    Taken,
}

// The enum keeps its impls beside the errors: no follow-on error here.
fn publish() -> Result<(), PublishError> {
    Err(PublishError::Missing)
}

fn main() {
    let _: ApiError = PublishError::Taken.into();
    let _ = publish();
}
