//! The command line's grammar: ferrest's commands, and the app's flattened beside them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::{App, Error, OpenApiVersion};

#[derive(Debug, Parser)]
pub(super) struct Cli<C: Subcommand> {
    #[command(subcommand)]
    pub command: Option<Command<C>>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command<C: Subcommand> {
    /// Serves the API (what runs without a command).
    Serve,
    /// Applies, reverts, lists and generates versioned migrations.
    #[command(subcommand)]
    Migrate(Migrate),
    /// Compares the database with the declared resources.
    #[command(subcommand)]
    Schema(Schema),
    /// Prints the OpenAPI document, as `/openapi.json` serves it.
    Openapi(Openapi),
    /// Lists every route: method, path, operation id, permission and rate limit.
    Routes,
    /// Checks the configuration, the database and its schema; lists every problem.
    Check,
    #[command(flatten)]
    App(C),
}

#[derive(Debug, Subcommand)]
pub(super) enum Migrate {
    /// Applies the pending migrations, oldest first.
    Up {
        /// Applies only the first N pending migrations.
        #[arg(value_name = "N")]
        count: Option<u32>,
    },
    /// Reverts the last applied migration, or the last N.
    Down {
        /// How many to revert.
        #[arg(value_name = "N", default_value_t = 1)]
        count: u32,
    },
    /// Lists the migrations and whether each is applied.
    Status,
    /// Drops every table and applies every migration: for development databases.
    Fresh {
        /// Confirms that every table and its rows may be dropped.
        #[arg(long)]
        yes: bool,
    },
    /// Writes the next migration: what the declarations add to the migrations' schema.
    Generate {
        /// The migration's name, in snake_case (`add_subtitle`).
        name: String,
        /// Also drops the tables and columns no resource declares any more.
        #[arg(long)]
        destructive: bool,
        /// `table.column=SQL`: what the rows already there get in a new `NOT NULL`
        /// column without a default, or where a column made `NOT NULL` holds `NULL`
        /// (and in a dropped one `down` adds back); repeatable.
        #[arg(long, value_name = "TABLE.COLUMN=SQL")]
        backfill: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum Schema {
    /// Prints how the database differs from the declarations; exits 1 when it does.
    Diff,
}

#[derive(Debug, Args)]
pub(super) struct Openapi {
    /// The OpenAPI 3.0.3 rendering instead of 3.1.
    #[arg(long = "3.0")]
    v3_0: bool,
    /// Writes the document to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl Openapi {
    pub(super) fn run(&self, app: &App) -> Result<(), Error> {
        let version = if self.v3_0 {
            OpenApiVersion::V3_0
        } else {
            OpenApiVersion::V3_1
        };
        let json = app.openapi_json(version)?;
        match &self.out {
            Some(path) => std::fs::write(path, json)
                .map_err(|e| Error::Config(format!("cannot write `{}`: {e}", path.display()))),
            None => {
                print!("{json}");
                Ok(())
            }
        }
    }
}
