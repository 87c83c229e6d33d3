//! Every validation rule, including negative and float range bounds and a custom
//! validator, which runs through `check_create` (on `Resource`'s hidden supertrait).

use ferrest::prelude::*;
use ferrest::spec::{Literal, Rule};

fn not_shouting(title: &str) -> Result<(), Invalid> {
    if title.chars().any(char::is_lowercase) {
        Ok(())
    } else {
        Err(Invalid::new("shouting", "must not be all capitals"))
    }
}

mod checks {
    use ferrest::Invalid;

    /// A validator reached through a module path, on a nullable field.
    pub fn no_plus(address: &str) -> Result<(), Invalid> {
        if address.contains('+') {
            Err(Invalid::new("plus", "must not contain `+`"))
        } else {
            Ok(())
        }
    }
}

#[derive(Resource)]
pub struct Review {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(min = 1, max = 200), with = not_shouting))]
    pub title: String,
    #[rest(validate(range(min = -10, max = 10)))]
    pub score: i32,
    #[rest(validate(range(min = -0.5, max = 99.95)))]
    pub ratio: f64,
    #[rest(validate(pattern = "^[0-9]{13}$"))]
    pub isbn: String,
    #[rest(validate(email, with = checks::no_plus))]
    pub contact: Option<String>,
    #[rest(validate(one_of("draft", "published")))]
    pub state: String,
    #[rest(validate(one_of(1, 2, 3, 4, 5)))]
    pub stars: i16,
}

fn main() {
    let spec = <Review as Resource>::spec();
    let rules = |name: &str| spec.field(name).expect("declared field").rules;

    assert!(matches!(
        rules("title"),
        [Rule::Length {
            min: Some(1),
            max: Some(200)
        }]
    ));
    assert!(matches!(
        rules("score"),
        [Rule::Range {
            min: Some(-10.0),
            max: Some(10.0)
        }]
    ));
    assert!(matches!(
        rules("ratio"),
        [Rule::Range {
            min: Some(-0.5),
            max: Some(99.95)
        }]
    ));
    assert!(matches!(rules("isbn"), [Rule::Pattern(p)] if p.is_match("9780306406157")));
    assert!(matches!(rules("contact"), [Rule::Email]));
    assert!(matches!(
        rules("state"),
        [Rule::OneOf([
            Literal::Str("draft"),
            Literal::Str("published")
        ])]
    ));
    assert!(matches!(
        rules("stars"),
        [Rule::OneOf([Literal::Int(1), .., Literal::Int(5)])]
    ));

    let input = ReviewCreate {
        title: "LOUD".to_owned(),
        score: 0,
        ratio: 1.0,
        isbn: "9780306406157".to_owned(),
        contact: None,
        state: "draft".to_owned(),
        stars: 5,
    };
    let mut errors = Vec::new();
    <Review as ferrest::__private::Generated<_, _, _>>::check_create(&input, &mut errors);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "shouting");
    assert_eq!(errors[0].pointer, "/title");

    let mut errors = Vec::new();
    let update = ReviewUpdate {
        title: Some("Quiet".to_owned()),
        contact: Some(Some("a+b@example.org".to_owned())),
        ..ReviewUpdate::default()
    };
    <Review as ferrest::__private::Generated<_, _, _>>::check_update(&update, &mut errors);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].pointer.as_str(), &*errors[0].code),
        ("/contact", "plus")
    );

    // An absent or cleared nullable field is not passed to its validator.
    let mut errors = Vec::new();
    let update = ReviewUpdate {
        contact: Some(None),
        ..ReviewUpdate::default()
    };
    <Review as ferrest::__private::Generated<_, _, _>>::check_update(&update, &mut errors);
    assert!(errors.is_empty());
}
