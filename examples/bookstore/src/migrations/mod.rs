//! The app's migrations, oldest first; `migrate generate` keeps this list.

mod m0001_initial;
mod m0002_add_subtitle;

pub fn all() -> ferrest::migrate::Migrations {
    ferrest::migrations![m0001_initial, m0002_add_subtitle]
}
