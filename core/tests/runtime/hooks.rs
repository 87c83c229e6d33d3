//! Lifecycle hooks: each kind changes, refuses or follows up a write, in one
//! transaction with it. A failing hook leaves no row and none of the hook's own
//! writes behind. The read filter hides rows from every operation and every include.

use ferrest::prelude::*;
use ferrest::sea_orm::Condition;
use ferrest::sea_orm::sea_query::{Expr, ExprTrait};
use ferrest::testing::TestClient;
use ferrest::web::{Json, Path};
use serde_json::json;

/// A bank account; closed accounts are hidden unless `x-show-closed` is sent.
#[derive(Resource)]
#[rest(has_many = Card, include(cards))]
pub struct Account {
    #[rest(id)]
    pub id: i64,
    #[rest(filter(eq))]
    pub owner: String,
    #[rest(default = 0)]
    pub balance: i64,
    #[rest(default = false)]
    pub closed: bool,
}

/// A card of an account.
#[derive(Resource)]
#[rest(include(account))]
pub struct Card {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Account, filter(eq))]
    pub account_id: i64,
}

/// What the account hooks did, written in the write's transaction.
#[derive(Resource)]
pub struct Audit {
    #[rest(id)]
    pub id: i64,
    #[rest(filter(eq))]
    pub account: i64,
    pub action: String,
}

/// Why the bank refuses a write.
#[derive(Debug, ferrest::ApiError)]
pub enum BankRule {
    /// The owner name is reserved.
    #[rest(status = 409)]
    Reserved,
    /// A closed account does not change.
    #[rest(status = 409)]
    Closed,
    /// Only an empty account can be deleted.
    #[rest(status = 409)]
    NotEmpty,
    /// The balance may not go below zero.
    #[rest(status = 422)]
    Overdrawn,
    /// The audit refused the operation.
    #[rest(status = 503)]
    AuditDown,
}

impl From<ApiError> for BankRule {
    fn from(_: ApiError) -> Self {
        BankRule::AuditDown
    }
}

/// An audit entry, through the same `Ctx` (and so the same transaction).
async fn audit(ctx: &Ctx, account: i64, action: &str) -> Result<(), BankRule> {
    ctx.create::<Audit>(AuditCreate {
        account,
        action: action.to_owned(),
    })
    .await?;
    Ok(())
}

#[ferrest::endpoints]
impl Account {
    /// Owners are stored trimmed and lowercase; `root` is reserved.
    #[rest(before_create)]
    pub async fn normalize(_ctx: &Ctx, input: &mut AccountCreate) -> Result<(), BankRule> {
        input.owner = input.owner.trim().to_lowercase();
        if input.owner == "root" {
            return Err(BankRule::Reserved);
        }
        Ok(())
    }

    /// Every new account is audited; the audit of `doomed` accounts fails after it wrote.
    #[rest(after_create)]
    pub async fn audit_create(ctx: &Ctx, account: &Account) -> Result<(), BankRule> {
        audit(ctx, account.id, "open").await?;
        if account.owner == "doomed" {
            return Err(BankRule::AuditDown);
        }
        Ok(())
    }

    /// A closed account keeps its balance; owners stay lowercase.
    #[rest(before_update)]
    pub async fn guard(
        _ctx: &Ctx,
        current: &Account,
        changes: &mut AccountUpdate,
    ) -> Result<(), BankRule> {
        if current.closed && changes.balance.is_some() {
            return Err(BankRule::Closed);
        }
        if let Some(owner) = &mut changes.owner {
            *owner = owner.to_lowercase();
        }
        Ok(())
    }

    /// The stored result is checked and audited.
    #[rest(after_update)]
    pub async fn audit_update(ctx: &Ctx, account: &Account) -> Result<(), BankRule> {
        audit(ctx, account.id, "update").await?;
        if account.balance < 0 {
            return Err(BankRule::Overdrawn);
        }
        Ok(())
    }

    /// Money must be taken out first.
    #[rest(before_delete)]
    pub async fn only_empty(_ctx: &Ctx, account: &Account) -> Result<(), BankRule> {
        if account.balance != 0 {
            return Err(BankRule::NotEmpty);
        }
        Ok(())
    }

    /// Deletions are audited; `sticky` accounts fail after the row is gone.
    #[rest(after_delete)]
    pub async fn audit_delete(ctx: &Ctx, account: &Self) -> Result<(), BankRule> {
        audit(ctx, account.id, "close").await?;
        if account.owner == "sticky" {
            return Err(BankRule::AuditDown);
        }
        Ok(())
    }

    /// Closed accounts are hidden, unless the request asks for them.
    #[rest(read_filter)]
    pub async fn open_only(ctx: &Ctx) -> Condition {
        if ctx.headers().contains_key("x-show-closed") {
            Condition::all()
        } else {
            Condition::all().add(Expr::col("closed").eq(false))
        }
    }

    /// Adds money, as a `PATCH` of the balance would: with the update hooks.
    #[rest(post = "/accounts/{id}/deposit")]
    pub async fn deposit(
        ctx: Ctx,
        Path(id): Path<i64>,
        Json(amount): Json<i64>,
    ) -> Result<Json<Account>, ApiError> {
        let account: Account = ctx.get(id).await?;
        let changes = AccountUpdate {
            balance: Some(account.balance + amount),
            ..AccountUpdate::default()
        };
        Ok(Json(ctx.update::<Account>(id, changes).await?))
    }
}

#[ferrest::endpoints]
impl Card {
    /// Card numbers are audited too.
    #[rest(after_create)]
    pub async fn audit_card(ctx: &Ctx, card: &Card) -> Result<(), BankRule> {
        audit(ctx, card.account_id, "card").await
    }
}

/// Registering a resource registers its `#[ferrest::endpoints]` block: no
/// `.endpoints::<Account>()` here, and every hook below still runs.
fn app() -> ferrest::App {
    ferrest::App::new()
        .resource::<Account>()
        .resource::<Card>()
        .resource::<Audit>()
}

ferrest::on_every_backend!(app = app;
    before_create_changes_and_refuses,
    a_failing_after_create_rolls_back_the_row_and_its_audit,
    update_hooks_guard_change_and_roll_back,
    delete_hooks_refuse_and_roll_back,
    the_read_filter_hides_rows_everywhere,
    endpoints_run_the_hooks_of_the_writes_they_make,
    a_refused_foreign_key_in_a_hooked_write_is_a_422,
    concurrent_hooked_writes_all_land,
);

/// The insert runs in a savepoint, so after the database refuses the foreign key the
/// transaction can still look up which parent is missing.
async fn a_refused_foreign_key_in_a_hooked_write_is_a_422(client: TestClient) {
    let refused = client.post("/cards", json!({"account_id": 4242})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["pointer"], "/account_id");
    assert_eq!(refused.body["errors"][0]["code"], "not_found");
    assert_eq!(count(&client, "/audits").await, 0);
    let account = client.post("/accounts", json!({"owner": "ada"})).await.body["id"].clone();
    let card = client.post("/cards", json!({"account_id": account})).await;
    assert_eq!(card.status, 201, "{}", card.text);
    assert_eq!(audits(&client, &account).await, ["open", "card"]);
}

/// Writes with hooks hold a transaction each; at once, they wait for each other
/// rather than fail (SQLite takes its write lock when the transaction begins).
async fn concurrent_hooked_writes_all_land(client: TestClient) {
    let mut writes = Vec::new();
    for n in 0..12 {
        let client = client.clone();
        writes.push(tokio::spawn(async move {
            client
                .post("/accounts", json!({"owner": format!("owner{n}")}))
                .await
        }));
    }
    for write in writes {
        let response = write.await.expect("the write ran");
        assert_eq!(response.status, 201, "{}", response.text);
    }
    assert_eq!(count(&client, "/accounts").await, 12);
    assert_eq!(count(&client, "/audits").await, 12);
}

async fn count(client: &TestClient, path: &str) -> u64 {
    let response = client.get(&format!("{path}?count=true")).await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["total"].as_u64().expect("a total")
}

async fn audits(client: &TestClient, account: &serde_json::Value) -> Vec<String> {
    let response = client
        .get(&format!("/audits?account={account}&limit=100"))
        .await;
    response.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn before_create_changes_and_refuses(client: TestClient) {
    let created = client.post("/accounts", json!({"owner": "  Ada "})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["owner"], "ada");
    let id = created.body["id"].clone();
    assert_eq!(
        client.get(&format!("/accounts/{id}")).await.body["owner"],
        "ada"
    );
    assert_eq!(audits(&client, &id).await, ["open"]);

    let refused = client.post("/accounts", json!({"owner": "ROOT"})).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.body["code"], "reserved");
    // Declared validation runs before the hooks: a body the rules refuse never
    // reaches them.
    let invalid = client.post("/accounts", json!({"owner": 5})).await;
    assert_eq!(invalid.status, 422);
    assert_eq!(count(&client, "/accounts").await, 1);
    assert_eq!(count(&client, "/audits").await, 1);
}

async fn a_failing_after_create_rolls_back_the_row_and_its_audit(client: TestClient) {
    client.post("/accounts", json!({"owner": "ada"})).await;
    let failed = client.post("/accounts", json!({"owner": "doomed"})).await;
    assert_eq!(failed.status, 503, "{}", failed.text);
    assert_eq!(failed.body["code"], "audit_down");
    // A typed 503 says when to come back, as every 503 does.
    assert_eq!(failed.header("retry-after"), Some("1"));
    // Neither the account nor the audit the hook wrote before failing is stored.
    assert_eq!(count(&client, "/accounts").await, 1);
    assert_eq!(count(&client, "/audits").await, 1);
    let listed = client.get("/accounts?owner=doomed").await;
    assert_eq!(listed.body["items"], json!([]));
}

async fn update_hooks_guard_change_and_roll_back(client: TestClient) {
    let id = client
        .post("/accounts", json!({"owner": "ada", "balance": 10}))
        .await
        .body["id"]
        .clone();
    let path = format!("/accounts/{id}");

    let renamed = client.patch(&path, json!({"owner": "ADA LOVELACE"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["owner"], "ada lovelace");

    // after_update sees the stored row and refuses it: the write is undone.
    let overdrawn = client.patch(&path, json!({"balance": -5})).await;
    assert_eq!(overdrawn.status, 422, "{}", overdrawn.text);
    assert_eq!(overdrawn.body["code"], "overdrawn");
    assert_eq!(client.get(&path).await.body["balance"], 10);
    assert_eq!(audits(&client, &id).await, ["open", "update"]);

    // A closed account is hidden by the read filter; with the header it is found,
    // and before_update refuses to change its balance.
    let closed = client.patch(&path, json!({"closed": true})).await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let show = [("x-show-closed", "1")];
    let refused = client
        .send(
            axum::http::Method::PATCH,
            &path,
            Some(json!({"balance": 0}).to_string()),
            &[("x-show-closed", "1"), ("content-type", "application/json")],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.body["code"], "closed");
    assert_eq!(
        client
            .send(axum::http::Method::GET, &path, None, &show)
            .await
            .body["balance"],
        10
    );
}

async fn delete_hooks_refuse_and_roll_back(client: TestClient) {
    let full = client
        .post("/accounts", json!({"owner": "ada", "balance": 3}))
        .await
        .body["id"]
        .clone();
    let refused = client.delete(&format!("/accounts/{full}")).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.body["code"], "not_empty");
    assert_eq!(client.get(&format!("/accounts/{full}")).await.status, 200);

    let sticky = client
        .post("/accounts", json!({"owner": "sticky"}))
        .await
        .body["id"]
        .clone();
    let failed = client.delete(&format!("/accounts/{sticky}")).await;
    assert_eq!(failed.status, 503, "{}", failed.text);
    assert_eq!(client.get(&format!("/accounts/{sticky}")).await.status, 200);
    assert_eq!(audits(&client, &sticky).await, ["open"]);

    let empty = client.post("/accounts", json!({"owner": "bo"})).await.body["id"].clone();
    assert_eq!(
        client.delete(&format!("/accounts/{empty}")).await.status,
        204
    );
    assert_eq!(client.get(&format!("/accounts/{empty}")).await.status, 404);
    assert_eq!(audits(&client, &empty).await, ["open", "close"]);
    assert_eq!(
        client.delete(&format!("/accounts/{empty}")).await.status,
        404
    );
}

async fn the_read_filter_hides_rows_everywhere(client: TestClient) {
    let open = client.post("/accounts", json!({"owner": "ada"})).await.body["id"].clone();
    let closed = client.post("/accounts", json!({"owner": "bo"})).await.body["id"].clone();
    let card = client.post("/cards", json!({"account_id": closed})).await;
    assert_eq!(card.status, 201, "{}", card.text);
    let card = card.body["id"].clone();
    client.post("/cards", json!({"account_id": open})).await;
    client
        .patch(&format!("/accounts/{closed}"), json!({"closed": true}))
        .await;

    let path = format!("/accounts/{closed}");
    assert_eq!(client.get(&path).await.status, 404);
    assert_eq!(client.patch(&path, json!({"owner": "x"})).await.status, 404);
    assert_eq!(client.delete(&path).await.status, 404);
    assert_eq!(client.get(&format!("{path}/cards")).await.status, 404);
    assert_eq!(count(&client, "/accounts").await, 1);
    let listed = client.get("/accounts").await.body;
    assert_eq!(listed["items"][0]["id"], open);
    // An include does not leak the hidden account.
    let included = client.get(&format!("/cards/{card}?include=account")).await;
    assert_eq!(included.status, 200, "{}", included.text);
    assert_eq!(included.body["account"], serde_json::Value::Null);
    let cards = client.get("/cards?include=account").await.body;
    assert_eq!(cards["items"][0]["account"], serde_json::Value::Null);
    assert_eq!(cards["items"][1]["account"]["id"], open);

    // The filter reads the request: with the header the account is there.
    let show = [("x-show-closed", "1")];
    let found = client
        .send(axum::http::Method::GET, &path, None, &show)
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body["closed"], true);
}

async fn endpoints_run_the_hooks_of_the_writes_they_make(client: TestClient) {
    let id = client
        .post("/accounts", json!({"owner": "ada", "balance": 5}))
        .await
        .body["id"]
        .clone();
    let deposited = client
        .post(&format!("/accounts/{id}/deposit"), json!(7))
        .await;
    assert_eq!(deposited.status, 200, "{}", deposited.text);
    assert_eq!(deposited.body["balance"], 12);
    let overdrawn = client
        .post(&format!("/accounts/{id}/deposit"), json!(-20))
        .await;
    assert_eq!(overdrawn.status, 422, "{}", overdrawn.text);
    assert_eq!(
        client.get(&format!("/accounts/{id}")).await.body["balance"],
        12
    );
    assert_eq!(audits(&client, &id).await, ["open", "update"]);
}

/// The document lists what the hooks can answer on the operations they run in.
#[test]
fn hook_errors_are_documented_on_their_operations() {
    let document = serde_json::to_value(app().openapi()).expect("a document");
    let responses = |path: &str, method: &str| document["paths"][path][method]["responses"].clone();
    let create = responses("/accounts", "post");
    assert!(
        create["409"]["description"]
            .as_str()
            .unwrap()
            .contains("`reserved`")
    );
    assert!(
        create["503"]["description"]
            .as_str()
            .unwrap()
            .contains("`audit_down`")
    );
    let update = responses("/accounts/{id}", "patch");
    assert!(
        update["409"]["description"]
            .as_str()
            .unwrap()
            .contains("`closed`")
    );
    assert!(
        update["422"]["description"]
            .as_str()
            .unwrap()
            .contains("`overdrawn`")
    );
    let delete = responses("/accounts/{id}", "delete");
    let conflict = delete["409"]["description"].as_str().unwrap();
    assert!(conflict.contains("`not_empty`"));
    // Two hooks of one operation with one error type list each code once.
    assert_eq!(conflict.matches("`not_empty`").count(), 1, "{conflict}");
    // A read filter that cannot fail adds nothing; other resources are untouched.
    assert!(
        !responses("/accounts/{id}", "get")
            .to_string()
            .contains("`closed`")
    );
    assert!(
        responses("/cards", "post")
            .to_string()
            .contains("audit_down")
    );
    assert!(
        !responses("/audits", "post")
            .to_string()
            .contains("audit_down")
    );
}

/// Hooks cost nothing where there are none: a write of a resource without hooks is
/// one statement, and a read filter is a condition of the same statement.
#[tokio::test]
async fn writes_without_hooks_stay_one_statement() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let Some(db) = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite).await else {
        return;
    };
    let mut connection = ferrest::connect(db.url()).await.expect("connects");
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    connection.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let client = TestClient::new(app().router_on(connection).await.expect("starts"));
    let account = client.post("/accounts", json!({"owner": "ada"})).await.body["id"].clone();
    let measure =
        async |method: axum::http::Method, uri: String, body: Option<serde_json::Value>| {
            statements.store(0, Ordering::SeqCst);
            let response = client
                .send(
                    method,
                    &uri,
                    body.map(|b| b.to_string()),
                    &[("content-type", "application/json")],
                )
                .await;
            assert!(response.status.is_success(), "{}", response.text);
            (statements.load(Ordering::SeqCst), response.body)
        };
    let (created, audit) = measure(
        axum::http::Method::POST,
        "/audits".to_owned(),
        Some(json!({"account": account, "action": "note"})),
    )
    .await;
    assert_eq!(created, 1);
    let (deleted, _) = measure(
        axum::http::Method::DELETE,
        format!("/audits/{}", audit["id"]),
        None,
    )
    .await;
    assert_eq!(deleted, 1);
    let (read, _) = measure(
        axum::http::Method::GET,
        format!("/accounts/{account}"),
        None,
    )
    .await;
    assert_eq!(read, 1);
    let (listed, _) = measure(axum::http::Method::GET, "/accounts".to_owned(), None).await;
    assert_eq!(listed, 1);
    db.drop().await;
}
