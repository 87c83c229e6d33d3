//! Start-up failures of the real binary: the message names what is wrong, the host
//! and the cause, and never a password.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the bookstore with `vars` until it exits (it must fail to start), and gives
/// what it wrote to stderr.
fn failed_start(vars: &[(&str, &str)]) -> String {
    let directory = std::env::temp_dir().join(format!("bookstore-start-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bookstore"));
    command
        .current_dir(&directory)
        .env_remove("FERREST_JWT_SECRET")
        .env_remove("FERREST_REDIS_URL")
        .env_remove("FERREST_RATE_LIMIT")
        .env("DATABASE_URL", "sqlite://start.db?mode=rwc")
        .env("BIND", "127.0.0.1")
        .env("PORT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the bookstore runs");
    // Bounded, so that a binary that starts after all cannot hang the suite.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("the bookstore started with {vars:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    stderr
}

/// A port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_unreachable_database_is_named_with_its_cause_and_no_password() {
    let port = closed_port();
    let stderr = failed_start(&[(
        "DATABASE_URL",
        &format!("postgres://bookstore:hunter2@127.0.0.1:{port}/shop"),
    )]);
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(
        stderr.contains(&format!("postgres://bookstore:***@127.0.0.1:{port}/shop")),
        "{stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("connection refused"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_redis_is_named_without_its_password() {
    let port = closed_port();
    let stderr = failed_start(&[(
        "FERREST_REDIS_URL",
        &format!("redis://:hunter2@127.0.0.1:{port}"),
    )]);
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(
        stderr.contains(&format!("Redis at `redis://:***@127.0.0.1:{port}`")),
        "{stderr}"
    );
}

#[test]
fn a_short_jwt_secret_says_so_once() {
    let stderr = failed_start(&[("FERREST_JWT_SECRET", "short")]);
    assert!(
        stderr.contains("configuration: FERREST_JWT_SECRET has 5 bytes; use at least 32"),
        "{stderr}"
    );
    assert!(!stderr.contains("configuration: configuration"), "{stderr}");
    assert!(
        !stderr.contains("short"),
        "the secret itself is not shown: {stderr}"
    );
}
