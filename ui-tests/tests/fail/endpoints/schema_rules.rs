use ferrest::prelude::*;
use ferrest::web::Json;

#[derive(Schema)]
pub struct Order {
    #[rest(validate(length(max = 3)))]
    pub quantity: i64,
    #[rest(validate(range(min = 1)))]
    pub lines: Vec<String>,
    #[rest(unique)]
    pub note: Option<String>,
}

pub struct Orders;

#[ferrest::endpoints]
impl Orders {
    #[rest(post = "/orders")]
    async fn place(Valid(Json(order)): Valid<Json<Order>>) -> String {
        order.quantity.to_string()
    }
}

fn main() {}
