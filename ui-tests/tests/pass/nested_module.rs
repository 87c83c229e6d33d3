//! A resource inside nested modules, used from outside them.

mod catalogue {
    pub mod items {
        use ferrest::prelude::*;

        /// An item of the catalogue.
        #[derive(Resource)]
        #[rest(path = "/catalogue/items")]
        pub struct CatalogueItem {
            #[rest(id)]
            pub id: i64,
            #[rest(validate(length(max = 80)))]
            pub label: String,
        }
    }
}

use catalogue::items::{CatalogueItem, CatalogueItemCreate, CatalogueItemUpdate};
use ferrest::Resource;

fn main() {
    let spec = <CatalogueItem as Resource>::spec();
    assert_eq!(spec.path, "/catalogue/items");
    assert_eq!(spec.table, "catalogue_items");
    assert_eq!(spec.tag, "CatalogueItems");
    let create = CatalogueItemCreate {
        label: "lamp".to_owned(),
    };
    let update = CatalogueItemUpdate::default();
    assert!(update.label.is_none());
    assert_eq!(create.label, "lamp");
}
