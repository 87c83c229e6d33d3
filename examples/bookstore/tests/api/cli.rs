//! The bookstore's command line, run as a user runs it: the real binary, a real
//! database, its exit status and what it prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ferrest::testing::{Backend, TestDb};

/// Runs the bookstore with `args` in `directory`, on `database_url`.
fn bookstore(directory: &Path, database_url: &str, args: &[&str]) -> Output {
    bookstore_in_mode(directory, database_url, None, args)
}

/// [`bookstore`] with `FERREST_SCHEMA` set to `mode`.
fn bookstore_in_mode(
    directory: &Path,
    database_url: &str,
    mode: Option<&str>,
    args: &[&str],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bookstore"));
    match mode {
        Some(mode) => command.env("FERREST_SCHEMA", mode),
        None => command.env_remove("FERREST_SCHEMA"),
    };
    command
        .args(args)
        .current_dir(directory)
        .env("DATABASE_URL", database_url)
        .env_remove("FERREST_REDIS_URL")
        .env_remove("FERREST_RATE_LIMIT")
        .env_remove("FERREST_JWT_SECRET")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("the bookstore runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An empty working directory of this test's own.
fn directory(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!(
        "bookstore-cli-{name}-{}-{}",
        std::process::id(),
        uuid_suffix()
    ));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn uuid_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}")
}

#[test]
fn help_lists_ferrest_commands_and_the_apps_own() {
    let directory = directory("help");
    let output = bookstore(&directory, "sqlite://help.db?mode=rwc", &["--help"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let help = stdout(&output);
    for command in [
        "serve", "migrate", "schema", "openapi", "routes", "check", "token",
    ] {
        assert!(
            help.contains(&format!("\n  {command} ")),
            "{command}: {help}"
        );
    }
    let output = bookstore(
        &directory,
        "sqlite://help.db?mode=rwc",
        &["migrate", "--help"],
    );
    assert_eq!(output.status.code(), Some(0));
    for command in ["up", "down", "status", "fresh", "generate"] {
        assert!(
            stdout(&output).contains(&format!("\n  {command} ")),
            "{command}"
        );
    }
    assert!(
        !directory.join("help.db").exists(),
        "help opened the database"
    );
}

#[test]
fn a_malformed_command_line_exits_2_and_touches_nothing() {
    let directory = directory("malformed");
    for args in [
        &["migrate", "sideways"][..],
        &["--bogus"],
        &["migrate", "down", "many"],
        &["openapi", "--3.1"],
        &["token"],
    ] {
        let output = bookstore(&directory, "sqlite://malformed.db?mode=rwc", args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("error:"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
    let left: Vec<_> = std::fs::read_dir(&directory).unwrap().collect();
    assert!(left.is_empty(), "files appeared: {left:?}");
}

#[test]
fn routes_lists_method_path_operation_permission_and_limit() {
    let directory = directory("routes");
    let output = bookstore(&directory, "sqlite://routes.db?mode=rwc", &["routes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let table = stdout(&output);
    let line = |method: &str, path: &str| {
        table
            .lines()
            .find(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                cells.first() == Some(&method) && cells.get(1) == Some(&path)
            })
            .unwrap_or_else(|| panic!("no {method} {path} in\n{table}"))
            .to_owned()
    };
    assert!(table.starts_with("METHOD"), "{table}");
    let discount = line("POST", "/books/{id}/discount");
    assert!(discount.contains("discountBook"), "{discount}");
    assert!(discount.contains("role editor|admin"), "{discount}");
    assert!(discount.contains("60 requests per minute"), "{discount}");
    let delete = line("DELETE", "/authors/{id}");
    assert!(
        delete.contains("deleteAuthor") && delete.contains("role admin"),
        "{delete}"
    );
    assert!(line("GET", "/books").contains("public"));
    assert!(
        !directory.join("routes.db").exists(),
        "routes opened the database"
    );
}

#[test]
fn openapi_writes_the_committed_documents() {
    let directory = directory("openapi");
    let url = "sqlite://openapi.db?mode=rwc";
    let output = bookstore(&directory, url, &["openapi", "--out", "doc.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = std::fs::read_to_string(directory.join("doc.json")).unwrap();
    let committed = include_str!("../../openapi.json");
    assert!(
        written == committed,
        "`openapi --out` differs from openapi.json"
    );
    let output = bookstore(&directory, url, &["openapi", "--3.0"]);
    assert_eq!(stdout(&output), include_str!("../../openapi-3.0.json"));
}

#[test]
fn token_is_the_apps_own_command() {
    let directory = directory("token");
    let output = bookstore(
        &directory,
        "sqlite://t.db?mode=rwc",
        &["token", "ada", "editor"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim().split('.').count(), 3, "a JWT");
}

/// Two malformed settings: `check` lists both (and exits 1), where it once kept only
/// the last one read.
#[test]
fn check_lists_every_malformed_setting() {
    let directory = directory("settings");
    let output = Command::new(env!("CARGO_BIN_EXE_bookstore"))
        .arg("check")
        .current_dir(&directory)
        .env("DATABASE_URL", "sqlite://settings.db?mode=rwc")
        .env("FERREST_SCHEMA", "sideways")
        .env("FERREST_RATE_LIMIT", "many")
        .env_remove("FERREST_REDIS_URL")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("the bookstore runs");
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let printed = stdout(&output);
    for variable in ["FERREST_SCHEMA", "FERREST_RATE_LIMIT"] {
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with("problem  configuration: ") && l.contains(variable)),
            "{variable}: {printed}"
        );
    }
}

/// The workflow of the guide, on each backend: nothing applied, `migrate up`, in sync;
/// one migration down, the difference named; `check` agrees each time.
async fn migrations_go_up_and_down_through_the_command_line(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let directory = directory("migrate");
    let run = |args: &[&str]| bookstore(&directory, db.url(), args);

    let status = run(&["migrate", "status"]);
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    assert!(
        stdout(&status).lines().all(|l| l.starts_with("pending")),
        "{}",
        stdout(&status)
    );
    let check = run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "start-up applies them: {}",
        stdout(&check)
    );
    assert!(
        stdout(&check).contains("2 pending, applied at start"),
        "{}",
        stdout(&check)
    );
    let verify = bookstore_in_mode(&directory, db.url(), Some("verify"), &["check"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    assert!(stdout(&verify).contains("2 pending"), "{}", stdout(&verify));

    let up = run(&["migrate", "up"]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    assert!(
        stdout(&up).contains("applied m0001_initial"),
        "{}",
        stdout(&up)
    );
    assert!(
        stdout(&up).contains("applied m0002_add_subtitle"),
        "{}",
        stdout(&up)
    );
    let again = run(&["migrate", "up"]);
    assert_eq!(stdout(&again).trim(), "no migration is pending");
    let diff = run(&["schema", "diff"]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{}{}",
        stdout(&diff),
        stderr(&diff)
    );
    let check = run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));

    let down = run(&["migrate", "down"]);
    assert_eq!(stdout(&down).trim(), "reverted m0002_add_subtitle");
    let diff = run(&["schema", "diff"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stdout(&diff));
    assert!(
        stdout(&diff).contains("books") && stdout(&diff).contains("subtitle"),
        "{}",
        stdout(&diff)
    );
    let check = bookstore_in_mode(&directory, db.url(), Some("verify"), &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("m0002_add_subtitle"),
        "{}",
        stdout(&check)
    );
    assert!(stdout(&check).contains("subtitle"), "{}", stdout(&check));

    let fresh = run(&["migrate", "fresh"]);
    assert_eq!(fresh.status.code(), Some(1), "fresh without --yes refuses");
    assert!(stderr(&fresh).contains("--yes"), "{}", stderr(&fresh));
    let fresh = run(&["migrate", "fresh", "--yes"]);
    assert_eq!(fresh.status.code(), Some(0), "{}", stderr(&fresh));
    let diff = run(&["schema", "diff"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
    db.drop().await;
}

ferrest::on_every_backend!(backend; migrations_go_up_and_down_through_the_command_line);
