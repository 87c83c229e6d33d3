//! `paginate = cursor`: keyset pages over every sort, nulls included, stable while
//! rows are inserted, and 400 for cursors that were altered or belong to another sort.

use std::cmp::Ordering;

use ferrest::prelude::*;
use ferrest::testing::TestClient;
use serde_json::{Value, json};

/// A reading of some sensor; paged by cursor.
#[derive(Resource)]
#[rest(paginate = cursor, max_limit = 50)]
pub struct Sample {
    #[rest(id, filter(eq, ne))]
    pub id: Uuid,
    #[rest(validate(length(min = 1, max = 40)), sort, filter(contains))]
    pub name: String,
    #[rest(sort, filter(is_null, lt))]
    pub score: Option<f64>,
    #[rest(sort)]
    pub price: Option<Decimal>,
    #[rest(sort, filter(gte))]
    pub taken: NaiveDate,
}

fn app() -> ferrest::App {
    ferrest::App::new().resource::<Sample>()
}

ferrest::on_every_backend!(app = app; pages_cover_every_row_once_in_order, cursors_are_checked);

fn sample(n: usize) -> Value {
    // Repeating names, scores and prices, with nulls, so that ties and nulls occur.
    let name = ["kiwi", "apple", "fig", "Banana"][n % 4];
    let score = [json!(1.5), Value::Null, json!(-2.0), json!(1.5), json!(10)][n % 5].clone();
    let price = [json!("9.99"), json!("0.10"), Value::Null][n % 3].clone();
    json!({
        "name": name,
        "score": score,
        "price": price,
        "taken": format!("2024-01-{:02}", 1 + n % 6),
    })
}

/// Reads every page of `query` through `next_cursor`, checking the `Link` header.
async fn walk(client: &TestClient, query: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut uri = format!("/samples?limit=4&{query}");
    loop {
        let page = client.get(&uri).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.text);
        assert!(page.body.get("offset").is_none());
        rows.extend(page.body["items"].as_array().unwrap().iter().cloned());
        let Some(cursor) = page.body["next_cursor"].as_str() else {
            assert_eq!(page.header("link"), None);
            return rows;
        };
        let link = page.header("link").expect("a next page has a Link");
        let next = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_owned();
        assert!(next.contains(&format!(
            "cursor={}",
            form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>()
        )));
        uri = next;
    }
}

/// The order the API promises: the keys in turn, nulls smallest, then the id.
fn compare(a: &Value, b: &Value, sort: &str) -> Ordering {
    let keys = sort.split(',').filter(|k| !k.is_empty());
    for key in keys.chain(["id"]) {
        let (name, descending) = match key.strip_prefix('-') {
            Some(name) => (name, true),
            None => (key, false),
        };
        let order = match (&a[name], &b[name]) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => Ordering::Less,
            (_, Value::Null) => Ordering::Greater,
            (Value::Number(x), Value::Number(y)) => {
                x.as_f64().unwrap().total_cmp(&y.as_f64().unwrap())
            }
            (Value::String(x), Value::String(y)) if name == "price" => x
                .parse::<f64>()
                .unwrap()
                .total_cmp(&y.parse::<f64>().unwrap()),
            (x, y) => x.as_str().unwrap().cmp(y.as_str().unwrap()),
        };
        let order = if descending { order.reverse() } else { order };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

async fn pages_cover_every_row_once_in_order(client: TestClient) {
    let mut all = Vec::new();
    for n in 0..23 {
        let created = client.post("/samples", sample(n)).await;
        assert_eq!(created.status, 201, "{}", created.text);
        all.push(created.body);
    }
    for sort in [
        "",
        "name",
        "-score",
        "score,-name",
        "-price,taken",
        "taken,-score,name",
    ] {
        let query = if sort.is_empty() {
            String::new()
        } else {
            format!("sort={sort}")
        };
        let got = walk(&client, &query).await;
        let mut expected = all.clone();
        expected.sort_by(|a, b| compare(a, b, sort));
        let ids = |rows: &[Value]| rows.iter().map(|r| r["id"].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&got), ids(&expected), "sort={sort}");
    }
    // Filters and count work alongside the cursor.
    let filtered = walk(&client, "score__is_null=false&sort=-score").await;
    assert_eq!(
        filtered.len(),
        all.iter().filter(|r| !r["score"].is_null()).count()
    );
    let counted = client.get("/samples?count=true&limit=1").await;
    assert_eq!(counted.body["total"], 23);

    // Rows inserted before the position of a client that pages do not shift its next
    // page: it starts after the last row seen, not after a number of rows.
    let mut by_name = all.clone();
    by_name.sort_by(|a, b| compare(a, b, "name"));
    let first = client.get("/samples?limit=5&sort=name").await;
    assert_eq!(first.body["items"].as_array().unwrap()[..], by_name[..5]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    for n in 0..3 {
        let mut row = sample(n);
        row["name"] = json!("Aardvark");
        assert_eq!(client.post("/samples", row).await.status, 201);
    }
    let second = client
        .get(&format!("/samples?limit=5&sort=name&cursor={cursor}"))
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.body["items"].as_array().unwrap()[..], by_name[5..10]);
}

async fn cursors_are_checked(client: TestClient) {
    for n in 0..6 {
        client.post("/samples", sample(n)).await;
    }
    let page = client.get("/samples?limit=2&sort=-score").await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let mut altered = cursor.clone().into_bytes();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for (query, fragment) in [
        (format!("sort=-score&cursor={altered}"), "malformed"),
        (
            format!("sort=-score&cursor={}", &cursor[..cursor.len() - 3]),
            "malformed",
        ),
        // Refused before it is decoded as a cursor: `%FF` is not UTF-8.
        ("sort=-score&cursor=%00%FF'%3B--".to_owned(), "not UTF-8"),
        ("sort=-score&cursor=%00'%3B--".to_owned(), "malformed"),
        ("cursor=bm90IGEgY3Vyc29y".to_owned(), "malformed"),
        (
            format!("sort=name&cursor={cursor}"),
            "issued for `sort=-score`",
        ),
        (format!("cursor={cursor}"), "issued for `sort=-score`"),
    ] {
        let response = client.get(&format!("/samples?{query}")).await;
        assert_eq!(response.status, 400, "{query}: {}", response.text);
        assert_eq!(response.body["parameter"], "cursor");
        assert!(
            response.body["detail"].as_str().unwrap().contains(fragment),
            "{query}: {}",
            response.body["detail"]
        );
    }
    let default_order = client.get("/samples?limit=2").await.body["next_cursor"].clone();
    let resorted = client
        .get(&format!(
            "/samples?sort=name&cursor={}",
            default_order.as_str().unwrap()
        ))
        .await;
    assert!(
        resorted.body["detail"]
            .as_str()
            .unwrap()
            .contains("the default order (no `sort`)"),
        "{}",
        resorted.text
    );
    let offset = client.get("/samples?offset=2").await;
    assert_eq!(offset.status, 400);
    assert_eq!(offset.body["code"], "unknown_parameter");
    // An empty cursor is the first page.
    assert_eq!(client.get("/samples?cursor=").await.status, 200);
    // The document describes the cursor page.
    let document = client.get("/openapi.json").await.body;
    let page = &document["components"]["schemas"]["SamplePage"]["properties"];
    assert!(page.get("next_cursor").is_some() && page.get("offset").is_none());
}
