//! Every supported field type, with a `Uuid` id and several nullable columns.

use ferrest::prelude::*;
use ferrest::spec::Kind;

/// The names a JSON column had before the prelude's `JsonValue`: still read as one.
mod earlier_names {
    pub type Json = ferrest::prelude::JsonValue;
    pub type Value = ferrest::prelude::JsonValue;
}

#[derive(Resource)]
pub struct Sample {
    #[rest(id)]
    pub id: Uuid,
    pub small: i16,
    pub medium: i32,
    pub large: i64,
    pub single: f32,
    pub double: f64,
    pub flag: bool,
    pub text: String,
    pub at: DateTimeUtc,
    pub local_at: NaiveDateTime,
    pub day: NaiveDate,
    pub time_of_day: NaiveTime,
    pub amount: Decimal,
    pub payload: JsonValue,
    pub maybe_medium: Option<i32>,
    pub maybe_text: Option<String>,
    pub maybe_at: Option<DateTimeUtc>,
    pub maybe_amount: Option<Decimal>,
    pub maybe_payload: Option<JsonValue>,
    pub legacy_payload: earlier_names::Json,
    pub serde_payload: Option<earlier_names::Value>,
}

fn main() {
    let spec = <Sample as Resource>::spec();
    assert_eq!(spec.path, "/samples");
    assert_eq!(spec.id_field().kind, Kind::Uuid);
    let kinds: Vec<(Kind, bool)> = spec.fields.iter().map(|f| (f.kind, f.nullable)).collect();
    assert_eq!(
        kinds,
        [
            (Kind::Uuid, false),
            (Kind::I16, false),
            (Kind::I32, false),
            (Kind::I64, false),
            (Kind::F32, false),
            (Kind::F64, false),
            (Kind::Bool, false),
            (Kind::String, false),
            (Kind::DateTime, false),
            (Kind::NaiveDateTime, false),
            (Kind::Date, false),
            (Kind::Time, false),
            (Kind::Decimal, false),
            (Kind::Json, false),
            (Kind::I32, true),
            (Kind::String, true),
            (Kind::DateTime, true),
            (Kind::Decimal, true),
            (Kind::Json, true),
            (Kind::Json, false),
            (Kind::Json, true),
        ]
    );
}
