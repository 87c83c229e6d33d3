//! Test support: a fresh database per test on each backend, and an in-process client
//! that drives the real router.
//!
//! SQLite always runs; PostgreSQL and MySQL/MariaDB run when
//! `FERREST_TEST_POSTGRES_URL` / `FERREST_TEST_MYSQL_URL` name a server database the
//! tests may create databases from. With `FERREST_TEST_REQUIRE_ALL=1` (set by CI) a
//! missing URL fails the test instead of skipping it.
//!
//! ```no_run
//! # async fn demo(app: ferrest::App) {
//! use ferrest::testing::{Backend, TestDb, TestClient};
//! let Some(db) = TestDb::create(Backend::Sqlite).await else { return };
//! let client = TestClient::new(app.database_url(db.url()).into_router().await.unwrap());
//! let response = client.get("/books").await;
//! assert_eq!(response.status, 200);
//! db.drop().await;
//! # }
//! ```

use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tower::ServiceExt;

/// Runs each scenario on every backend: for `on_every_backend!(app = my_app; a, b)` it
/// generates the tests `a::sqlite`, `a::postgres`, `a::mysql`, `b::sqlite`, ... where
/// `my_app` is a `fn() -> App` and each scenario an `async fn(TestClient)`, run against
/// a fresh database through [`run`]. `on_every_backend!(backend; a)` instead calls
/// `async fn a(Backend)`, for scenarios that manage their own database. The test crate
/// needs `tokio` (with the `macros` and `rt` features) as a dev-dependency.
#[macro_export]
macro_rules! on_every_backend {
    (app = $app:path; $($scenario:ident),* $(,)?) => {$(
        $crate::on_every_backend!(@tests $scenario, |backend| {
            $crate::testing::run(backend, $app(), super::$scenario)
        });
    )*};
    (backend; $($scenario:ident),* $(,)?) => {$(
        $crate::on_every_backend!(@tests $scenario, |backend| super::$scenario(backend));
    )*};
    (@tests $scenario:ident, |$backend:ident| $test:expr) => {
        mod $scenario {
            #[allow(unused_imports)]
            use super::*;
            #[::tokio::test]
            async fn sqlite() {
                let $backend = $crate::testing::Backend::Sqlite;
                $test.await
            }
            #[::tokio::test]
            async fn postgres() {
                let $backend = $crate::testing::Backend::Postgres;
                $test.await
            }
            #[::tokio::test]
            async fn mysql() {
                let $backend = $crate::testing::Backend::MySql;
                $test.await
            }
        }
    };
}

/// Creates a database on `backend`, starts `app` on it, runs `scenario` with a client,
/// and drops the database even when the scenario panics. Skips (returns) when the
/// backend is not configured.
pub async fn run<F, Fut>(backend: Backend, app: crate::App, scenario: F)
where
    F: FnOnce(TestClient) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    // `RUST_LOG=ferrest=debug cargo test` shows the app's logs in failing tests.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let router = app
        .database_url(db.url())
        .into_router()
        .await
        .expect("the app starts");
    let outcome = tokio::spawn(scenario(TestClient::new(router))).await;
    db.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A database server kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// A temporary SQLite file; always available.
    Sqlite,
    /// PostgreSQL, from `FERREST_TEST_POSTGRES_URL`.
    Postgres,
    /// MySQL or MariaDB, from `FERREST_TEST_MYSQL_URL`.
    MySql,
}

impl Backend {
    /// The environment variable naming the server, if the backend needs one.
    pub fn url_variable(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("FERREST_TEST_POSTGRES_URL"),
            Backend::MySql => Some("FERREST_TEST_MYSQL_URL"),
        }
    }

    /// The feature of ferrest that compiles the backend in.
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        }
    }

    /// Whether this build of ferrest has the backend (see [`Backend::feature`]).
    pub fn compiled_in(self) -> bool {
        match self {
            Backend::Sqlite => cfg!(feature = "sqlite"),
            Backend::Postgres => cfg!(feature = "postgres"),
            Backend::MySql => cfg!(feature = "mysql"),
        }
    }
}

/// A database created for one test and dropped by [`TestDb::drop`].
#[derive(Debug)]
pub struct TestDb {
    backend: Backend,
    url: String,
    admin_url: Option<String>,
    name: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// Creates an empty database, or `None` when the backend is not configured or not
    /// compiled in (the test is then skipped, with a note on stderr).
    ///
    /// # Panics
    /// When the backend is not configured and `FERREST_TEST_REQUIRE_ALL=1`, or the
    /// server refuses to create the database.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        if !backend.compiled_in() {
            eprintln!(
                "skipped: ferrest is built without its `{}` feature",
                backend.feature()
            );
            return None;
        }
        // Random as well as counted: test processes in containers sharing `/tmp` (or a
        // database server) may have the same pid, and a stale file or database of an
        // earlier run must never be picked up.
        let name = format!(
            "ferrest_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let Some(variable) = backend.url_variable() else {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            return Some(TestDb {
                backend,
                url: format!("sqlite://{}?mode=rwc", path.display()),
                admin_url: None,
                name,
            });
        };
        let Ok(admin_url) = std::env::var(variable) else {
            if std::env::var("FERREST_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("{variable} is not set but FERREST_TEST_REQUIRE_ALL=1");
            }
            eprintln!("skipped: set {variable} to run this test on {backend:?}");
            return None;
        };
        let admin = Database::connect(admin_url.as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {variable}: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
        let _ = admin.close().await;
        Some(TestDb {
            backend,
            url: with_database(&admin_url, &name),
            admin_url: Some(admin_url),
            name,
        })
    }

    /// The URL of the fresh database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Drops the database (or deletes the SQLite file).
    pub async fn drop(self) {
        match &self.admin_url {
            None => {
                let path = std::env::temp_dir().join(format!("{}.db", self.name));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Some(admin_url) => {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let force = if self.backend == Backend::Postgres {
                        " WITH (FORCE)"
                    } else {
                        ""
                    };
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {}{force}",
                            self.name
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// `scheme://auth@host/olddb?params` with the database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{prefix}/{database}?{q}"),
        None => format!("{prefix}/{database}"),
    }
}

/// Sends requests to a router in process, through its full middleware stack.
#[derive(Debug, Clone)]
pub struct TestClient {
    router: Router,
    /// Sent with every request (credentials, mostly).
    headers: Vec<(String, String)>,
}

/// A response with its body parsed as JSON (`Value::Null` when empty).
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as JSON, or `Value::Null` when it is empty or not JSON.
    pub body: Value,
    /// The raw body.
    pub text: String,
}

impl TestResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestClient {
    /// Wraps a router.
    pub fn new(router: Router) -> Self {
        TestClient {
            router,
            headers: Vec::new(),
        }
    }

    /// The same client, sending `name: value` with every request.
    ///
    /// ```no_run
    /// # async fn demo(client: ferrest::testing::TestClient, token: &str) {
    /// let ada = client.with_header("authorization", &format!("Bearer {token}"));
    /// assert_eq!(ada.delete("/books/1").await.status, 204);
    /// # }
    /// ```
    pub fn with_header(&self, name: &str, value: &str) -> TestClient {
        let mut client = self.clone();
        client.headers.push((name.to_owned(), value.to_owned()));
        client
    }

    /// The same client without the headers [`TestClient::with_header`] added: an
    /// anonymous caller.
    pub fn anonymous(&self) -> TestClient {
        TestClient::new(self.router.clone())
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Method::GET, uri, None, &[]).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: &str, body: Value) -> TestResponse {
        self.send(
            Method::POST,
            uri,
            Some(body.to_string()),
            &[("content-type", "application/json")],
        )
        .await
    }

    /// `PATCH uri` with a JSON body.
    pub async fn patch(&self, uri: &str, body: Value) -> TestResponse {
        self.send(
            Method::PATCH,
            uri,
            Some(body.to_string()),
            &[("content-type", "application/json")],
        )
        .await
    }

    /// `DELETE uri`.
    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.send(Method::DELETE, uri, None, &[]).await
    }

    /// Any request, with raw body and headers.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("valid request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("routers are infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body reads");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            text,
        }
    }
}

/// A `redis-server` of a test's own, on a free port: a test that needs Redis to fail
/// stops, freezes or kills this one, never a shared server. Killed when dropped.
///
/// ```no_run
/// use ferrest::testing::OwnRedis;
/// let redis = OwnRedis::start(OwnRedis::free_port());
/// let url = redis.url();
/// redis.signal("-STOP"); // hangs: connections open, nothing answers
/// redis.signal("-CONT");
/// let port = redis.kill(); // refuses: nothing listens on the port
/// let _again = OwnRedis::start(port);
/// # drop(url);
/// ```
pub struct OwnRedis {
    port: u16,
    child: std::process::Child,
}

impl OwnRedis {
    /// A port nothing listens on now.
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("binds a free port")
            .port()
    }

    /// Starts `redis-server` on `port` (without persistence) and waits until it
    /// accepts connections. Panics if it is not installed or does not start.
    pub fn start(port: u16) -> OwnRedis {
        let mut child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect(
                "cannot run `redis-server`: install Redis (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`)",
            );
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return OwnRedis { port, child };
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not start on port {port}");
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends the server a signal (`kill`'s spelling: `-STOP`, `-CONT`).
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("runs `kill`");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Kills the server and waits for it to exit; gives its port, to start another on.
    pub fn kill(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        use super::with_database;
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("mysql://root@h:3306/test?ssl-mode=disabled", "x"),
            "mysql://root@h:3306/x?ssl-mode=disabled"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
