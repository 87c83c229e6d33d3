//! The generated client against the bookstore on a real socket: every call goes through
//! progenitor's code, reqwest and HTTP, and errors arrive as typed `Problem`s.

use bookstore_client::types::{self, Problem};
use bookstore_client::{Client, Error, ResponseValue};
use ferrest::testing::{Backend, TestDb};
use tokio::net::TcpListener;

/// The bookstore serving a fresh database on a loopback port, until dropped.
struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ferrest::Error>>,
    db: TestDb,
}

impl Server {
    async fn start(backend: Backend) -> Option<Server> {
        let db = TestDb::create(backend).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(bookstore::app().database_url(db.url()).serve_with(
            listener,
            async move {
                let _ = stopped.await;
            },
        ));
        Some(Server {
            url,
            stop: Some(stop),
            task,
            db,
        })
    }

    /// A client signed in as `subject` with `roles`.
    fn client(&self, subject: &str, roles: &[&str]) -> Client {
        let token = bookstore::token(subject, roles).expect("a token");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("a header value"),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .expect("a reqwest client");
        Client::new_with_client(&self.url, http)
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task
            .await
            .expect("the server ran")
            .expect("the server stopped cleanly");
        self.db.drop().await;
    }
}

/// The problem a call failed with, and its status.
fn problem<T: std::fmt::Debug>(result: Result<ResponseValue<T>, Error<Problem>>) -> Problem {
    match result {
        Err(Error::ErrorResponse(response)) => {
            let status = response.status().as_u16();
            let problem = response.into_inner();
            assert_eq!(i64::from(problem.status), i64::from(status));
            problem
        }
        other => panic!("expected a problem, got {other:?}"),
    }
}

fn new_book(
    author_id: i64,
    title: &str,
    isbn: &str,
    price_cents: i64,
) -> types::builder::BookCreate {
    types::BookCreate::builder()
        .author_id(author_id)
        .title(title)
        .isbn(isbn)
        .price_cents(price_cents)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_round_trips() {
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        let Some(server) = Server::start(backend).await else {
            continue;
        };
        round_trip(&server).await;
        server.stop().await;
    }
}

async fn round_trip(server: &Server) {
    let client = server.client("client", &["editor", "admin"]);

    // Create an author, then books.
    let author = client
        .create_author()
        .body(
            types::AuthorCreate::builder()
                .name("Ursula K. Le Guin")
                .email("ursula@example.org"),
        )
        .send()
        .await
        .expect("creates the author")
        .into_inner();
    assert_eq!(author.version, 1);
    assert_eq!(&*author.name, "Ursula K. Le Guin");
    let mut ids = Vec::new();
    for (n, (title, price)) in [
        ("A Wizard of Earthsea", 899),
        ("The Dispossessed", 1299),
        ("The Left Hand of Darkness", 1099),
    ]
    .into_iter()
    .enumerate()
    {
        let created = client
            .create_book()
            .body(new_book(
                author.id,
                title,
                &format!("978000000000{n}"),
                price,
            ))
            .send()
            .await
            .expect("creates the book");
        assert_eq!(created.status().as_u16(), 201);
        let book = created.into_inner();
        assert_eq!(book.format, types::BookFormat::Paperback, "the default");
        assert!(!book.published);
        assert_eq!(&*book.added_by, "client");
        ids.push(book.id);
    }

    // Get one, with its author embedded.
    let book = client
        .get_book()
        .id(ids[1])
        .include(vec![types::GetBookIncludeItem::Author])
        .send()
        .await
        .expect("reads the book")
        .into_inner();
    assert_eq!(&*book.title, "The Dispossessed");
    assert_eq!(book.author.expect("included").id, author.id);

    // List with a filter, a sort and pages.
    let sort: types::ListBooksSortItem = "-price_cents".parse().expect("a sort key");
    let page = client
        .list_books()
        .price_cents_gte(1000)
        .sort(vec![sort])
        .limit(std::num::NonZeroU64::new(1).unwrap())
        .count(true)
        .send()
        .await
        .expect("lists")
        .into_inner();
    assert_eq!(page.total, Some(2));
    assert_eq!(page.items.len(), 1);
    assert_eq!(&*page.items[0].title, "The Dispossessed");
    let next = client
        .list_books()
        .price_cents_gte(1000)
        .sort(vec![sort])
        .limit(std::num::NonZeroU64::new(1).unwrap())
        .offset(1)
        .send()
        .await
        .expect("lists the next page")
        .into_inner();
    assert_eq!(&*next.items[0].title, "The Left Hand of Darkness");
    let contains = client
        .list_books()
        .title_contains("dark")
        .id_in(ids.clone())
        .send()
        .await
        .expect("filters")
        .into_inner();
    assert_eq!(contains.items.len(), 1);
    let nested = client
        .list_author_books()
        .author_id(author.id)
        .sort(vec!["title".parse().expect("a sort key")])
        .send()
        .await
        .expect("lists the author's books")
        .into_inner();
    let titles: Vec<&str> = nested.items.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "A Wizard of Earthsea",
            "The Dispossessed",
            "The Left Hand of Darkness"
        ]
    );

    // Update: only the fields sent change.
    let updated = client
        .update_book()
        .id(ids[0])
        .body(types::BookUpdate::builder().price_cents(Some(999)))
        .send()
        .await
        .expect("updates the book")
        .into_inner();
    assert_eq!(updated.price_cents, 999);
    assert_eq!(&*updated.title, "A Wizard of Earthsea");
    let published = client
        .publish_book()
        .id(ids[0])
        .send()
        .await
        .expect("publishes")
        .into_inner();
    assert!(published.published);
    assert_eq!(published.price_cents, 999);

    // Authors carry a version: a write names it with If-Match.
    let renamed = client
        .update_author()
        .id(author.id)
        .if_match("\"1\"")
        .body(types::AuthorUpdate::builder().bio(Some("Earthsea".parse().unwrap())))
        .send()
        .await
        .expect("updates the author");
    assert_eq!(renamed.headers()["etag"], "\"2\"");
    assert_eq!(renamed.into_inner().version, 2);
    let stale = problem(
        client
            .update_author()
            .id(author.id)
            .if_match("\"1\"")
            .body(types::AuthorUpdate::builder().name(Some("U. K. Le Guin".parse().unwrap())))
            .send()
            .await,
    );
    assert_eq!(
        (stale.status, stale.code.as_str()),
        (412, "precondition_failed")
    );

    // Delete, then the book is gone.
    let deleted = client
        .delete_book()
        .id(ids[2])
        .send()
        .await
        .expect("deletes");
    assert_eq!(deleted.status().as_u16(), 204);
    let gone = problem(client.get_book().id(ids[2]).send().await);
    assert_eq!((gone.status, gone.code.as_str()), (404, "not_found"));

    // A foreign key to no author: 422, naming the field.
    let orphan = problem(
        client
            .create_book()
            .body(new_book(author.id + 1000, "Orphan", "9780000000099", 100))
            .send()
            .await,
    );
    assert_eq!(
        (orphan.status, orphan.code.as_str()),
        (422, "validation_failed")
    );
    assert_eq!(orphan.errors[0].pointer, "/author_id");
    // A name of spaces passes the client's length check; the server's rule refuses it.
    let blank = problem(
        client
            .create_author()
            .body(
                types::AuthorCreate::builder()
                    .name("   ")
                    .email("blank@example.org"),
            )
            .send()
            .await,
    );
    assert_eq!(blank.status, 422);
    assert_eq!(blank.errors[0].pointer, "/name");
    // A second author with the same email: 409.
    let duplicate = problem(
        client
            .create_author()
            .body(
                types::AuthorCreate::builder()
                    .name("Someone else")
                    .email("ursula@example.org"),
            )
            .send()
            .await,
    );
    assert_eq!(
        (duplicate.status, duplicate.code.as_str()),
        (409, "conflict")
    );
    // Deleting a book needs the admin role.
    let reader = server.client("reader", &[]);
    let forbidden = problem(reader.delete_book().id(ids[0]).send().await);
    assert_eq!(
        (forbidden.status, forbidden.code.as_str()),
        (403, "forbidden")
    );
    // The client checks what it can before sending: an ISBN of letters never leaves.
    let refused = client
        .create_book()
        .body(new_book(author.id, "Bad", "not an isbn", 1))
        .send()
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidRequest(_))),
        "{refused:?}"
    );
}
