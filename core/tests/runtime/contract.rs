//! What the contract test of the bookstore (`.ci/contract.sh`, schemathesis) found
//! where the server and its document disagreed: each case here is data the document
//! calls valid (or invalid) and the server's answer to it.

use axum::http::Method;
use ferrest::prelude::*;
use ferrest::testing::TestClient;
use ferrest::web::{Json, Path};
use serde_json::{Value, json};

/// A meter with two sortable fields and a version.
#[derive(Resource)]
pub struct Meter {
    #[rest(id)]
    pub id: i64,
    #[rest(sort)]
    pub label: String,
    #[rest(sort)]
    pub reading: i64,
    #[rest(version)]
    pub version: i64,
}

/// A dial with one sortable field, and a meter it belongs to.
#[derive(Resource)]
pub struct Dial {
    #[rest(id)]
    pub id: i64,
    #[rest(sort)]
    pub name: String,
    #[rest(belongs_to = Meter)]
    pub meter_id: i64,
}

/// An adjustment of a meter's reading.
#[derive(Debug, Schema)]
pub struct Adjustment {
    /// Added to the reading.
    #[rest(validate(range(min = -1000, max = 1000)))]
    pub delta: i64,
    /// Applied this many times.
    pub times: Option<i32>,
}

#[ferrest::endpoints]
impl Meter {
    /// Adds `delta * times` to the reading.
    #[rest(post = "/meters/{id}/adjust")]
    pub async fn adjust(
        ctx: Ctx,
        Path(id): Path<i64>,
        Valid(Json(adjustment)): Valid<Json<Adjustment>>,
    ) -> Result<Json<Meter>, ApiError> {
        let meter: Meter = ctx.get(id).await?;
        let changes = MeterUpdate {
            reading: Some(
                meter.reading + adjustment.delta * i64::from(adjustment.times.unwrap_or(1)),
            ),
            ..MeterUpdate::default()
        };
        Ok(Json(ctx.update::<Meter>(id, changes).await?))
    }
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .resource::<Meter>()
        .resource::<Dial>()
        .endpoints::<Meter>()
}

ferrest::on_every_backend!(app = app;
    whole_floats_are_integers_in_endpoint_bodies,
    the_documented_sort_example_is_accepted,
    the_if_match_pattern_is_what_the_server_accepts,
);

fn document() -> Value {
    serde_json::to_value(app().openapi()).unwrap()
}

fn parameter<'d>(document: &'d Value, path: &str, method: &str, name: &str) -> &'d Value {
    document["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter `{name}`"))
}

/// JSON Schema counts `3.0` as an integer, so the document's `integer` admits it; the
/// body of a `#[derive(Schema)]` type took it as a type error (`422`, pointer ``).
async fn whole_floats_are_integers_in_endpoint_bodies(client: TestClient) {
    let created = client
        .post("/meters", json!({"label": "hall", "reading": 10.0}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/meters/{}/adjust", created.body["id"]);

    let adjusted = client
        .post(&path, json!({"delta": 3.0, "times": 2.0}))
        .await;
    assert_eq!(adjusted.status, 200, "{}", adjusted.text);
    assert_eq!(adjusted.body["reading"], 16);

    // A fraction is still no integer, and the rules see the number's value.
    let fraction = client.post(&path, json!({"delta": 2.5})).await;
    assert_eq!(fraction.status, 422, "{}", fraction.text);
    let range = client.post(&path, json!({"delta": 1001.0})).await;
    assert_eq!(range.status, 422, "{}", range.text);
    assert_eq!(range.body["errors"][0]["pointer"], "/delta");
    assert_eq!(range.body["errors"][0]["code"], "range");
}

/// `sort` names a field at most once (`label,-label` is a `400`), which the document
/// says with `maxItems` and, for several fields, one `maxContains` per field; its
/// description's example is one the server accepts (it was `-name,name` for a
/// resource with one sortable field).
async fn the_documented_sort_example_is_accepted(client: TestClient) {
    let document = document();
    for (list, field) in [("/meters", "label"), ("/dials", "name")] {
        let sort = parameter(&document, list, "get", "sort");
        let description = sort["description"].as_str().unwrap();
        let example = description
            .split('`')
            .find(|s| s.starts_with("sort="))
            .unwrap();
        let listed = client.get(&format!("{list}?{example}")).await;
        assert_eq!(listed.status, 200, "{example}: {}", listed.text);
        let twice = client.get(&format!("{list}?sort={field},-{field}")).await;
        assert_eq!(twice.status, 400, "{}", twice.text);
    }

    let meters = &parameter(&document, "/meters", "get", "sort")["schema"];
    assert_eq!(meters["maxItems"], 2);
    assert_eq!(
        meters["allOf"],
        json!([
            {"contains": {"enum": ["label", "-label"]}, "minContains": 0, "maxContains": 1},
            {"contains": {"enum": ["reading", "-reading"]}, "minContains": 0, "maxContains": 1},
        ])
    );
    let dials = &parameter(&document, "/dials", "get", "sort")["schema"];
    assert_eq!(dials["maxItems"], 1);
    assert!(dials.get("allOf").is_none(), "{dials}");

    // OpenAPI 3.0 has no `contains`: the rendering keeps `maxItems` and drops the rest.
    let v30 = ferrest::to_openapi_30(&document);
    let meters = &parameter(&v30, "/meters", "get", "sort")["schema"];
    assert_eq!(meters["maxItems"], 2);
    assert!(meters.get("allOf").is_none(), "{meters}");
}

/// Every `If-Match` value the document's pattern admits is read (a `412` when it names
/// no current version), and every value it refuses is a `400`: the header was a plain
/// string, and `"3",` or `3` came back `400`.
async fn the_if_match_pattern_is_what_the_server_accepts(client: TestClient) {
    let document = document();
    let if_match = parameter(&document, "/meters/{id}", "patch", "If-Match");
    let pattern = regex::Regex::new(if_match["schema"]["pattern"].as_str().unwrap()).unwrap();
    let created = client
        .post("/meters", json!({"label": "hall", "reading": 1}))
        .await;
    let path = format!("/meters/{}", created.body["id"]);
    for (value, well_formed) in [
        ("\"1\"", true),
        ("\"7\"", true),
        ("*", true),
        ("W/\"1\"", true),
        ("\"a b\", W/\"2\"", true),
        ("\"1\",", true),
        ("", true),
        (" , \"9\" ,", true),
        ("1", false),
        ("\"1", false),
        ("DTY,\"1\"", false),
        ("**", false),
        ("\"1\" x", false),
    ] {
        assert_eq!(pattern.is_match(value), well_formed, "pattern on {value:?}");
        let answer = client
            .send(
                Method::PATCH,
                &path,
                Some(json!({}).to_string()),
                &[("content-type", "application/json"), ("if-match", value)],
            )
            .await;
        let expected: &[u16] = if well_formed { &[200, 412] } else { &[400] };
        assert!(
            expected.contains(&answer.status.as_u16()),
            "If-Match {value:?}: {} {}",
            answer.status,
            answer.text
        );
    }
}

/// A reference to a missing row is a `422` of the foreign key; no schema can say which
/// ids exist, so the `422`'s description names the fields.
#[test]
fn the_422_of_a_body_names_its_references() {
    let document = document();
    for (path, method) in [("/dials", "post"), ("/dials/{id}", "patch")] {
        let description = document["paths"][path][method]["responses"]["422"]["description"]
            .as_str()
            .unwrap();
        assert!(
            description.contains("`meter_id` names no meter"),
            "{method} {path}: {description}"
        );
    }
    let description = document["paths"]["/meters"]["post"]["responses"]["422"]["description"]
        .as_str()
        .unwrap();
    assert!(!description.contains("names no"), "{description}");
}
