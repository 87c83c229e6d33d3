//! Compile-fail and compile-pass cases for `#[derive(Resource)]`.
//!
//! Regenerate `.stderr` files with `TRYBUILD=overwrite cargo test -p ui-tests`, then
//! read every changed file: each case must show one clear error at the user's token.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*/*.rs");
    t.pass("tests/pass/*.rs");
}
