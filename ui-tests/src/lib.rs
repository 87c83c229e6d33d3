//! trybuild cases for ferrest's macros: `tests/fail/<category>/<case>.rs` with the
//! expected `.stderr`, and `tests/pass/*.rs`, which are compiled and run.
