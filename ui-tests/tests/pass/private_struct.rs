//! A private resource: the generated DTOs and entity module stay private too.

use ferrest::prelude::*;

#[derive(Resource)]
struct Secret {
    #[rest(id)]
    id: i64,
    value: String,
}

fn main() {
    assert_eq!(<Secret as Resource>::spec().path, "/secrets");
    let input = SecretCreate {
        value: "hidden".to_owned(),
    };
    assert_eq!(input.value, "hidden");
    let secret = Secret {
        id: 1,
        value: input.value,
    };
    assert_eq!((secret.id, secret.value.as_str()), (1, "hidden"));
}
