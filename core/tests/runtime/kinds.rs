//! Every supported field type round-trips through create, read and update, with a
//! UUID primary key, on every backend.

use ferrest::prelude::*;
use ferrest::testing::TestClient;
use serde_json::{Value, json};

/// One field of each supported type.
#[derive(Resource)]
#[rest(table = "samples")]
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
    pub naive_at: NaiveDateTime,
    pub day: NaiveDate,
    pub time: NaiveTime,
    pub token: Uuid,
    pub amount: Decimal,
    pub payload: JsonValue,
    pub maybe_int: Option<i32>,
    pub maybe_day: Option<NaiveDate>,
    pub maybe_amount: Option<Decimal>,
    pub maybe_payload: Option<JsonValue>,
}

fn app() -> ferrest::App {
    ferrest::App::new().resource::<Sample>()
}

ferrest::on_every_backend!(app = app; every_kind_round_trips, kinds_are_type_checked, date_times_keep_range_and_precision, values_a_backend_would_change_are_refused);

fn sample() -> Value {
    json!({
        "small": -32768,
        "medium": 2147483647,
        "large": -9007199254740993_i64,
        "single": 1.5,
        "double": 0.1,
        "flag": true,
        "text": "naïve — 漢字 'quoted' \"double\" ; -- %_",
        "at": "2024-02-29T23:59:59Z",
        "naive_at": "2024-02-29T12:00:01",
        "day": "2024-02-29",
        "time": "23:59:58",
        "token": "67e55044-10b1-426f-9247-bb680e5fe0c8",
        "amount": "1234567.125",
        "payload": {"tags": ["a", "b"], "nested": {"n": 1, "ok": false}},
        "maybe_int": null,
        "maybe_day": "1999-12-31",
        "maybe_amount": "-0.5",
        "maybe_payload": [1, "two", null]
    })
}

async fn every_kind_round_trips(client: TestClient) {
    let sent = sample();
    let created = client.post("/samples", sent.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().expect("uuid id").to_owned();
    assert!(id.parse::<Uuid>().is_ok(), "{id}");
    assert_eq!(created.header("location"), Some(&*format!("/samples/{id}")));
    let mut expected = sent.clone();
    expected["id"] = json!(id);
    assert_eq!(created.body, expected);
    let fetched = client.get(&format!("/samples/{id}")).await;
    assert_eq!(fetched.body, expected);

    let changes = json!({
        "small": 32767, "single": -2.25, "amount": "0.001", "maybe_int": -1,
        "maybe_day": null, "maybe_amount": null, "maybe_payload": null, "payload": "just a string",
        "at": "2000-01-01T00:00:00+02:00"
    });
    let updated = client.patch(&format!("/samples/{id}"), changes).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["small"], 32767);
    assert_eq!(updated.body["single"], -2.25);
    assert_eq!(updated.body["amount"], "0.001");
    assert_eq!(updated.body["maybe_int"], -1);
    assert_eq!(updated.body["maybe_day"], Value::Null);
    assert_eq!(updated.body["maybe_amount"], Value::Null);
    assert_eq!(updated.body["maybe_payload"], Value::Null);
    assert_eq!(updated.body["payload"], "just a string");
    // Stored in UTC.
    assert_eq!(updated.body["at"], "1999-12-31T22:00:00Z");
    assert_eq!(
        client.get(&format!("/samples/{id}")).await.body,
        updated.body
    );

    let listed = client.get("/samples").await;
    assert_eq!(listed.body["items"][0], updated.body);
    assert_eq!(client.delete(&format!("/samples/{id}")).await.status, 204);
    // A malformed UUID in the path is a 400, not a 404 or a 500.
    let bad = client.get("/samples/not-a-uuid").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["code"], "invalid_path_parameter");
}

async fn kinds_are_type_checked(client: TestClient) {
    let mut body = sample();
    body["small"] = json!(32768);
    body["medium"] = json!(-2147483649_i64);
    body["single"] = json!("1.5");
    body["at"] = json!("2024-02-29 23:59:59");
    body["naive_at"] = json!("2024-02-29T12:00:01Z");
    body["day"] = json!("2024-02-30");
    body["time"] = json!("25:00:00");
    body["token"] = json!("67e55044");
    let refused = client.post("/samples", body).await;
    assert_eq!(refused.status, 422);
    let details: Vec<(String, String)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |pointer: &str, detail: &str| (pointer.to_owned(), detail.to_owned());
    assert_eq!(
        details,
        vec![
            expect(
                "/small",
                "expected an integer between -32768 and 32767, found an integer"
            ),
            expect(
                "/medium",
                "expected an integer between -2147483648 and 2147483647, found an integer"
            ),
            expect(
                "/single",
                "expected a number within the range of a 32-bit float, found a string"
            ),
            expect(
                "/at",
                "expected an RFC 3339 date-time with offset, in the years 0001 to 9999, to the microsecond at most, found a string"
            ),
            expect(
                "/naive_at",
                "expected a date-time like 2024-01-31T12:00:00, in the years 0001 to 9999, to the microsecond at most, found a string"
            ),
            expect(
                "/day",
                "expected a date like 2024-01-31, in the years 0001 to 9999, found a string"
            ),
            expect(
                "/time",
                "expected a time like 12:30:00, to the microsecond at most, found a string"
            ),
            expect("/token", "expected a UUID, found a string"),
        ]
    );
    // A decimal travels as a string, so no precision is lost in JSON.
    let mut body = sample();
    body["amount"] = json!(12.5);
    let number = client.post("/samples", body).await;
    let detail = number.body["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.starts_with("expected a decimal number as a string"),
        "{detail}"
    );
    assert!(detail.ends_with("found a number"), "{detail}");
    assert_eq!(client.get("/samples?count=true").await.body["total"], 0);
}

/// MySQL's defaults (`timestamp`, no fractional seconds) would lose both.
async fn date_times_keep_range_and_precision(client: TestClient) {
    for (at, naive_at, time) in [
        (
            "2050-06-01T12:34:56.123456Z",
            "2099-12-31T23:59:59.654321",
            "12:00:00.250",
        ),
        (
            "1960-01-01T00:00:00Z",
            "1000-01-01T00:00:00",
            "00:00:00.000001",
        ),
    ] {
        let mut body = sample();
        body["at"] = json!(at);
        body["naive_at"] = json!(naive_at);
        body["time"] = json!(time);
        let created = client.post("/samples", body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.body["id"].as_str().unwrap();
        let fetched = client.get(&format!("/samples/{id}")).await;
        assert_eq!(
            (
                &fetched.body["at"],
                &fetched.body["naive_at"],
                &fetched.body["time"]
            ),
            (&json!(at), &json!(naive_at), &json!(time))
        );
    }
    // More decimal places than the column keeps is refused, not rounded.
    let mut body = sample();
    body["amount"] = json!("0.12345678901");
    let refused = client.post("/samples", body).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["errors"][0]["pointer"], "/amount");
}

/// MySQL documents `datetime` from the year 1000; MariaDB stores earlier years too, and
/// what is stored reads back unchanged.
#[tokio::test]
async fn mysql_keeps_early_dates() {
    use ferrest::testing::{Backend, TestDb};
    let Some(db) = TestDb::create(Backend::MySql).await else {
        return;
    };
    let client = TestClient::new(app().database_url(db.url()).into_router().await.unwrap());
    let mut body = sample();
    body["naive_at"] = json!("0999-12-31T23:59:59");
    body["at"] = json!("1001-01-01T00:00:00.5Z");
    let created = client.post("/samples", body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    let fetched = client.get(&format!("/samples/{id}")).await;
    assert_eq!(fetched.body["naive_at"], "0999-12-31T23:59:59");
    assert_eq!(fetched.body["at"], "1001-01-01T00:00:00.500Z");
    db.drop().await;
}

/// Each of these would be stored differently (or not at all) by some backend, so every
/// backend refuses them with the same 422.
async fn values_a_backend_would_change_are_refused(client: TestClient) {
    let cases = [
        ("day", json!("+10000-01-01")),
        ("day", json!("0000-12-31")),
        ("naive_at", json!("+10000-01-01T00:00:00")),
        ("at", json!("9999-12-31T23:00:00-02:00")),
        ("at", json!("2016-12-31T23:59:60Z")),
        ("time", json!("23:59:60")),
        ("time", json!("12:00:00.999999999")),
        ("naive_at", json!("2024-01-01T00:00:00.0000001")),
        ("text", json!("a\u{0}b")),
        ("payload", json!({"k": ["x\u{0}"]})),
        ("amount", json!("1000000000000000000")),
        ("amount", json!("0.00000000001")),
        ("single", json!(1e39)),
        ("single", json!(1e-50)),
        (
            "payload",
            serde_json::from_str::<Value>(&format!("{}1{}", "[".repeat(31), "]".repeat(31)))
                .unwrap(),
        ),
        ("naive_at", json!("2024-01-01 00:00:00")),
        ("amount", json!("1e5")),
        ("amount", json!(".5")),
    ];
    for (field, value) in cases {
        let mut body = sample();
        body[field] = value.clone();
        let refused = client.post("/samples", body).await;
        assert_eq!(refused.status, 422, "{field} = {value}: {}", refused.text);
        assert_eq!(
            refused.body["errors"][0]["pointer"],
            format!("/{field}"),
            "{value}"
        );
        assert_eq!(refused.body["errors"][0]["code"], "type", "{value}");
    }
    // The edges themselves are accepted; `-0.0` is stored as `0.0` everywhere.
    let mut body = sample();
    body["payload"] =
        serde_json::from_str(&format!("{}1{}", "[".repeat(30), "]".repeat(30))).unwrap();
    body["double"] = json!(-0.0);
    body["single"] = json!(1e-37);
    body["day"] = json!("0001-01-01");
    body["at"] = json!("9999-12-31T23:59:59.999999Z");
    body["amount"] = json!("-12345678.1234567");
    let accepted = client.post("/samples", body).await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    assert_eq!(accepted.body["amount"], "-12345678.1234567");
    assert_eq!(accepted.body["at"], "9999-12-31T23:59:59.999999Z");
    assert_eq!(accepted.body["double"].to_string(), "0.0");
    assert_eq!(accepted.body["payload"], body_payload_depth_30());
    assert_eq!(client.get("/samples?count=true").await.body["total"], 1);
}

/// A decimal is stored exactly or refused: PostgreSQL and MySQL keep 28 digits; SQLite,
/// read back through an `f64`, keeps 15, and refuses more instead of rounding.
async fn decimals_are_exact_or_refused(backend: ferrest::testing::Backend) {
    use ferrest::testing::{Backend, TestDb};
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let client = TestClient::new(app().database_url(db.url()).into_router().await.unwrap());
    let mut body = sample();
    body["amount"] = json!("999999999999999999.9999999999");
    let response = client.post("/samples", body).await;
    if backend == Backend::Sqlite {
        assert_eq!(response.status, 422, "{}", response.text);
        assert!(
            response.body["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("15 significant digits")
        );
    } else {
        assert_eq!(response.status, 201, "{}", response.text);
        let id = response.body["id"].as_str().unwrap();
        let fetched = client.get(&format!("/samples/{id}")).await;
        assert_eq!(fetched.body["amount"], "999999999999999999.9999999999");
    }
    db.drop().await;
}

ferrest::on_every_backend!(backend; decimals_are_exact_or_refused);

fn body_payload_depth_30() -> Value {
    serde_json::from_str(&format!("{}1{}", "[".repeat(30), "]".repeat(30))).unwrap()
}
