//! A valid write body is read straight into its DTO and checked there
//! (`create_passes`, on `Resource`'s hidden supertrait `__private::Generated`); every
//! other is checked as JSON. The two must agree: wherever the typed check passes a
//! body, the JSON checks find nothing in it and read the same value.

// The methods under test are generated code's, on the hidden supertrait of `Resource`.
use ferrest::__private::Generated as _;
use ferrest::prelude::*;
use ferrest::validate::{Storage, Write, check_body_in, normalize_numbers};
use serde_json::Value;

/// Every kind with every rule that applies to it; optional and defaulted fields.
#[derive(Resource)]
#[rest(table = "checked_things")]
pub struct Thing {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(min = 2, max = 4)))]
    pub text: String,
    #[rest(validate(pattern = "^[a-z]+$"))]
    pub word: Option<String>,
    #[rest(validate(email))]
    pub mail: Option<String>,
    #[rest(validate(range(min = -5, max = 9007199254740992_i64)))]
    pub large: i64,
    #[rest(validate(range(min = 1, max = 3)))]
    pub small: Option<i16>,
    #[rest(default = 2, validate(one_of(1, 2, 3)))]
    pub medium: i32,
    #[rest(validate(range(min = 0.5, max = 9007199254740992.0)))]
    pub double: Option<f64>,
    pub plain: Option<f64>,
    pub single: Option<f32>,
    #[rest(default = false)]
    pub flag: bool,
    #[rest(default = "a", validate(one_of("a", "b")))]
    pub choice: String,
    pub day: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub naive_at: Option<NaiveDateTime>,
    pub token: Option<Uuid>,
    pub at: Option<DateTimeUtc>,
    pub amount: Option<Decimal>,
    pub payload: Option<JsonValue>,
    pub required_payload: JsonValue,
}

/// Bodies that differ from a valid one in one member each: the edges of every check.
const CHANGES: &[&str] = &[
    r#""text": "ab""#,
    r#""text": "abcde""#,
    r#""text": "a""#,
    r#""text": "ab\u0000""#,
    r#""text": "ñüé漢""#,
    r#""text": null"#,
    r#""word": "abc""#,
    r#""word": "aB""#,
    r#""word": null"#,
    r#""mail": "ada@example.org""#,
    r#""mail": "ada@""#,
    r#""large": -5"#,
    r#""large": -6"#,
    r#""large": -5.0"#,
    r#""large": 9007199254740992"#,
    r#""large": 9007199254740993"#,
    r#""large": 18446744073709551615"#,
    r#""large": 1e2"#,
    r#""small": 3"#,
    r#""small": 4"#,
    r#""small": 40000"#,
    r#""small": null"#,
    r#""medium": 3"#,
    r#""medium": 4"#,
    r#""medium": 3.0"#,
    r#""medium": null"#,
    r#""double": 0.5"#,
    r#""double": 0.49"#,
    r#""double": 1"#,
    r#""double": 9007199254740992"#,
    r#""double": 9007199254740993"#,
    r#""double": -0.0"#,
    r#""plain": -0.0"#,
    r#""plain": 0.0"#,
    r#""plain": 1e308"#,
    r#""plain": 12345678901234567890"#,
    r#""single": 1.5"#,
    r#""single": 0.0"#,
    r#""single": 1e-50"#,
    r#""single": 3e-39"#,
    r#""single": 1e39"#,
    r#""flag": true"#,
    r#""flag": null"#,
    r#""flag": 1"#,
    r#""choice": "b""#,
    r#""choice": "c""#,
    r#""choice": null"#,
    r#""day": "2024-02-29""#,
    r#""day": "2023-02-29""#,
    r#""day": "0000-01-01""#,
    r#""day": "+10000-01-01""#,
    r#""time": "23:59:59.123456""#,
    r#""time": "23:59:59.1234567""#,
    r#""time": "23:59:60""#,
    r#""naive_at": "2024-01-31T12:00:00""#,
    r#""naive_at": "2024-01-31 12:00:00""#,
    r#""naive_at": "0000-01-31T12:00:00""#,
    r#""token": "67e55044-10b1-426f-9247-bb680e5fe0c8""#,
    r#""token": "{67e55044-10b1-426f-9247-bb680e5fe0c8}""#,
    r#""token": "67e55044""#,
    r#""at": "2024-01-31T12:00:00Z""#,
    r#""at": "2024-01-31 12:00:00Z""#,
    r#""amount": "12.50""#,
    r#""amount": 12.5"#,
    r#""payload": {"a": [1, "b\u0000"]}"#,
    r#""payload": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
    r#""payload": null"#,
    r#""required_payload": null"#,
    r#""required_payload": {"ok": true}"#,
    r#""id": 1"#,
    r#""unknown": 1"#,
    r#""text": "abc", "text": "ab""#,
];

const VALID: &str = r#""text": "abc", "large": 7, "required_payload": 1"#;

fn bodies() -> Vec<String> {
    let mut bodies = vec![format!("{{{VALID}}}"), "{}".to_owned()];
    for change in CHANGES {
        bodies.push(format!("{{{VALID}, {change}}}"));
        bodies.push(format!("{{{change}}}"));
    }
    bodies.push(r#"["abc", null, null, 7]"#.to_owned());
    bodies
}

/// Where `passes` admits a body, the JSON checks find nothing and read the same value.
fn agree<T>(mode: Write, passes: fn(&T, Storage) -> bool) -> usize
where
    T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let mut admitted = 0;
    for storage in [Storage::EXACT, Storage::SQLITE] {
        for text in bodies() {
            let Ok(typed) = serde_json::from_str::<T>(&text) else {
                continue;
            };
            let mut body: Value = serde_json::from_str(&text).unwrap();
            if !body.is_object() || !passes(&typed, storage) {
                continue;
            }
            admitted += 1;
            let errors = check_body_in(Thing::spec(), &body, mode, storage);
            assert!(
                errors.is_empty(),
                "{text} passed typed, not as JSON: {errors:?}"
            );
            normalize_numbers(Thing::spec(), &mut body);
            let read: T = serde_json::from_value(body).unwrap();
            assert_eq!(read, typed, "{text} reads differently as JSON");
        }
    }
    admitted
}

#[test]
fn typed_checks_pass_only_what_the_json_checks_pass() {
    let created = agree::<ThingCreate>(Write::Create, Thing::create_passes);
    let updated = agree::<ThingUpdate>(Write::Update, Thing::update_passes);
    // The fast path is taken, on both storages, by every valid body but those with a
    // decimal, a date-time with offset, a whole float in an integer field, a zero
    // `f32` or a name given twice: 21 create bodies, and 47 update bodies, which may
    // leave out required fields.
    assert_eq!((created, updated), (2 * 21, 2 * 47));
}

/// What no JSON body holds but a value built in code (`Ctx::create`) may: the JSON
/// checks decide, and refuse it.
#[test]
fn floats_that_json_cannot_hold_take_the_json_checks() {
    let valid = format!("{{{VALID}}}");
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut input: ThingCreate = serde_json::from_str(&valid).unwrap();
        assert!(Thing::create_passes(&input, Storage::EXACT));
        input.plain = Some(value);
        assert!(!Thing::create_passes(&input, Storage::EXACT), "{value}");
    }
}

#[test]
fn typed_checks_refuse_what_the_json_checks_refuse() {
    let admitted = |change: &str| {
        let text = format!("{{{VALID}, {change}}}");
        let typed: Option<ThingCreate> = serde_json::from_str(&text).ok();
        typed.is_some_and(|t| Thing::create_passes(&t, Storage::EXACT))
    };
    for change in [
        r#""text": "a""#,
        r#""large": -6"#,
        r#""medium": 4"#,
        r#""choice": "c""#,
        r#""double": -0.0"#,
        r#""single": 1e-50"#,
        r#""flag": null"#,
        r#""required_payload": null"#,
    ] {
        assert!(!admitted(change), "{change} passed typed");
    }
}
