//! Endpoint blocks on a resource and on a plain type, with every argument shape.
use ferrest::prelude::*;
use ferrest::web::{Json, Path, Query, StatusCode};

#[derive(Resource)]
pub struct Shelf {
    #[rest(id)]
    pub id: i64,
    pub label: String,
}

/// A label change.
#[derive(Schema)]
pub struct Relabel {
    pub label: String,
    pub note: Option<String>,
}

#[derive(Schema)]
pub struct Search {
    pub q: String,
}

pub struct Admin;

#[ferrest::endpoints(tag = "Shelves")]
impl Shelf {
    /// Relabel a shelf.
    #[rest(put = "/shelves/{id}/label", operation_id = "relabel")]
    pub async fn relabel(ctx: Ctx, Path(id): Path<i64>, Json(body): Json<Relabel>) -> Result<Json<Shelf>, ApiError> {
        let changes = ShelfUpdate { label: Some(body.label) };
        ctx.update::<Shelf>(id, changes).await.map(Json)
    }

    /// A book on a shelf.
    #[rest(get = "/shelves/{shelf}/books/{position}")]
    pub async fn book(Path((shelf, position)): Path<(i64, u32)>) -> String {
        format!("{shelf}:{position}")
    }

    /// Search the labels.
    #[rest(get = "/shelves/search")]
    pub async fn search(Query(search): Query<Search>) -> Json<Vec<String>> {
        Json(vec![search.q])
    }

    /// A plain method stays a plain method.
    pub fn helper() -> u32 {
        3
    }
}

#[ferrest::endpoints]
impl Admin {
    #[rest(delete = "/admin/cache")]
    async fn clear() -> StatusCode {
        StatusCode::NO_CONTENT
    }

    #[rest(post = "/admin/echo")]
    async fn echo(body: String) -> String {
        body
    }
}

fn main() {
    assert_eq!(Shelf::helper(), 3);
    let _ = ferrest::App::new()
        .resource::<Shelf>()
        .endpoints::<Shelf>()
        .endpoints::<Admin>()
        .openapi();
}
