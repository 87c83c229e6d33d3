//! The management command line every ferrest app gets (feature `cli`), as `manage.py`
//! and `artisan` give theirs: `main` calls [`App::run`] (or [`App::run_with`] for
//! commands of the app's own), and the binary serves, migrates, compares schemas,
//! prints the document and the routes, and checks its configuration.
//!
//! A malformed command line gets clap's message and exit status 2 and touches nothing;
//! a command that fails prints `Error: ...` and exits 1; `schema diff` and `check` exit 1
//! when they find a difference or a problem.

mod check;
mod command;
mod routes;
mod schema;

use std::future::Future;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Subcommand};

use crate::{App, Error};
use command::{Cli, Command};

pub use clap;

/// The app commands of an app that has none: what [`App::run`] parses.
#[derive(Debug, Subcommand)]
pub enum NoCommands {}

impl App {
    /// Runs the command the process was started with: `serve` (also without a
    /// command), `migrate up | down [N] | status | fresh | generate NAME`, `schema diff`,
    /// `openapi [--3.0] [--out FILE]`, `routes` or `check`; `--help` lists them.
    ///
    /// ```no_run
    /// # use ferrest::prelude::*;
    /// # #[derive(Resource)] pub struct Book { #[rest(id)] pub id: i64 }
    /// #[tokio::main]
    /// async fn main() -> std::process::ExitCode {
    ///     ferrest::App::from_env().resource::<Book>().run().await
    /// }
    /// ```
    pub async fn run(self) -> ExitCode {
        self.run_with(|_app, command: NoCommands| async move { match command {} })
            .await
    }

    /// [`App::run`] with the app's own commands besides ferrest's: `C` is a clap
    /// [`Subcommand`] enum, and `handler` runs the one given, with the app.
    ///
    /// ```no_run
    /// # use ferrest::prelude::*;
    /// # #[derive(Resource)] pub struct Book { #[rest(id)] pub id: i64 }
    /// #[derive(clap::Subcommand)]
    /// enum Commands {
    ///     /// Prints a greeting.
    ///     Hello { name: String },
    /// }
    ///
    /// #[tokio::main]
    /// async fn main() -> std::process::ExitCode {
    ///     let app = ferrest::App::from_env().resource::<Book>();
    ///     app.run_with(|_app, command| async move {
    ///         match command {
    ///             Commands::Hello { name } => println!("hello, {name}"),
    ///         }
    ///         Ok(())
    ///     })
    ///     .await
    /// }
    /// ```
    pub async fn run_with<C, F, Fut>(self, handler: F) -> ExitCode
    where
        C: Subcommand,
        F: FnOnce(App, C) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        self.run_from(std::env::args_os(), handler).await
    }

    /// [`App::run_with`] on the given arguments (the first is the program's name).
    pub async fn run_from<C, F, Fut, I, T>(self, args: I, handler: F) -> ExitCode
    where
        C: Subcommand,
        F: FnOnce(App, C) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut args = args.into_iter().map(Into::into).peekable();
        let program = args
            .peek()
            .and_then(|arg| std::path::Path::new(arg).file_stem())
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "app".to_owned());
        let parsed = Cli::<C>::command()
            .name(program.clone())
            .bin_name(program)
            .about(self.title.clone())
            .version(self.version.clone())
            .try_get_matches_from(args)
            .and_then(|matches| Cli::<C>::from_arg_matches(&matches));
        let cli = match parsed {
            Ok(cli) => cli,
            // `--help` and `--version` end here too, with status 0.
            Err(error) => {
                let _ = error.print();
                return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
            }
        };
        let outcome = match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => self.serve().await.map(|()| ExitCode::SUCCESS),
            Command::Openapi(options) => options.run(&self).map(|()| ExitCode::SUCCESS),
            Command::Routes => {
                print!("{}", routes::table(&self));
                Ok(ExitCode::SUCCESS)
            }
            Command::Check => check::run(self).await,
            Command::Migrate(command) => schema::migrate(self, command).await,
            Command::Schema(command) => schema::schema(self, command).await,
            Command::App(command) => handler(self, command).await.map(|()| ExitCode::SUCCESS),
        };
        outcome.unwrap_or_else(|error| {
            eprintln!("Error: {error}");
            ExitCode::FAILURE
        })
    }
}
