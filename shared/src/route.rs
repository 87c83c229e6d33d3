//! When axum takes two routes for one: it matches a path by its shape, so
//! `/books/{id}` and `/books/{book_id}` are the same route with different names.

/// `/books/{}/publish`: a path with its parameter names erased, as axum matches it.
///
/// ```
/// assert_eq!(ferrest_shared::route_shape("/books/{id}/publish"), "/books/{}/publish");
/// ```
pub fn route_shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether two `(method, path)` routes cannot both be served: the same method on the
/// same shape, or one shape spelled with different parameter names (axum refuses
/// those at start-up whatever the methods, as one path has one set of names).
///
/// ```
/// use ferrest_shared::routes_clash;
/// assert!(routes_clash(("post", "/books/{id}"), ("post", "/books/{id}")));
/// assert!(routes_clash(("get", "/books/{id}"), ("post", "/books/{book_id}")));
/// assert!(!routes_clash(("get", "/books/{id}"), ("post", "/books/{id}")));
/// assert!(!routes_clash(("get", "/books"), ("get", "/authors")));
/// ```
pub fn routes_clash(a: (&str, &str), b: (&str, &str)) -> bool {
    let ((method_a, path_a), (method_b, path_b)) = (a, b);
    route_shape(path_a) == route_shape(path_b) && (path_a != path_b || method_a == method_b)
}
