use ferrest::prelude::*;
use ferrest::web::Json;

#[derive(Schema)]
pub struct Order {
    #[rest(validate(range(min = 1)), validate(range(max = 10)))]
    pub quantity: i64,
    #[rest(validate(length(max = 200)))]
    #[rest(validate(length(min = 1)))]
    pub note: String,
}

pub struct Orders;

// The type keeps its impls beside the errors: no follow-on error here.
#[ferrest::endpoints]
impl Orders {
    #[rest(post = "/orders")]
    async fn place(Valid(Json(order)): Valid<Json<Order>>) -> Json<Order> {
        Json(order)
    }
}

fn main() {}
