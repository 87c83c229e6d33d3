//! Doc comments on the struct and its fields reach the spec (and so the document).

use ferrest::prelude::*;

/// A note someone wrote.
///
/// Second paragraph.
#[derive(Resource)]
pub struct Note {
    /// The note's number.
    #[rest(id)]
    pub id: i64,
    /// What the note says.
    pub body: String,
    pub undocumented: bool,
}

fn main() {
    let spec = <Note as Resource>::spec();
    assert_eq!(spec.doc, Some("A note someone wrote.\n\nSecond paragraph."));
    assert_eq!(
        spec.field("id").and_then(|f| f.doc),
        Some("The note's number.")
    );
    assert_eq!(
        spec.field("body").and_then(|f| f.doc),
        Some("What the note says.")
    );
    assert_eq!(spec.field("undocumented").and_then(|f| f.doc), None);
}
