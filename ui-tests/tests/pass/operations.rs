//! `only(...)` and `exclude(...)`, on two resources in one module.

use ferrest::prelude::*;

/// Read-only.
#[derive(Resource)]
#[rest(only(list, get))]
pub struct Country {
    #[rest(id)]
    pub id: i32,
    pub name: String,
}

/// Everything but delete.
#[derive(Resource)]
#[rest(exclude(delete))]
pub struct Order {
    #[rest(id)]
    pub id: i64,
    pub total_cents: i64,
}

fn main() {
    let ops = <Country as Resource>::spec().operations;
    assert!(ops.list && ops.get);
    assert!(!ops.create && !ops.update && !ops.delete);

    let ops = <Order as Resource>::spec().operations;
    assert!(ops.list && ops.get && ops.create && ops.update);
    assert!(!ops.delete);

    assert_eq!(<Country as Resource>::spec().path, "/countries");
    assert_eq!(<Order as Resource>::spec().path, "/orders");
}
