//! A field named with a raw identifier keeps its plain name on the wire.

use ferrest::prelude::*;

#[derive(Resource)]
pub struct Vehicle {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(one_of("car", "bike")))]
    pub r#type: String,
    pub r#match: Option<bool>,
}

fn main() {
    let spec = <Vehicle as Resource>::spec();
    assert!(spec.field("type").is_some());
    assert!(spec.field("match").is_some());
    assert!(spec.field("r#type").is_none());
    let create = VehicleCreate {
        r#type: "car".to_owned(),
        r#match: None,
    };
    assert_eq!(create.r#type, "car");
}
