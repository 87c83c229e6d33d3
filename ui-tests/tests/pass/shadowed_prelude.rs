//! A user's own `Option`, `Result`, `Some`, `None`, `Ok`, `Err`, `String` and `Vec` in
//! scope do not capture the names the generated code uses.
#![allow(dead_code)]

mod shadow {
    pub struct Option<T>(pub T);
    pub struct Result<T, E>(pub T, pub E);
    pub struct String;
    pub struct Vec;
    pub struct Some;
    pub struct None;
    pub struct Ok;
    pub struct Err;
}

mod api {
    #[allow(unused_imports)]
    use super::shadow::*;
    use ferrest::prelude::*;

    #[derive(Resource)]
    pub struct Note {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 10)))]
        pub title: std::string::String,
        pub body: std::option::Option<std::string::String>,
        #[rest(default = 1)]
        pub rank: i32,
        #[rest(created_at)]
        pub created_at: DateTimeUtc,
    }
}

fn main() {
    assert_eq!(<api::Note as ferrest::Resource>::spec().path, "/notes");
}
