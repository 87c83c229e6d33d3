pub struct Stats;

#[ferrest::endpoints(tag = "Stats", tag = "Numbers")]
impl Stats {
    #[rest(get = "/stats", tag = "Stats", tag = "Numbers")]
    async fn count() -> String {
        String::new()
    }

    #[rest(get = "/stats/top", operation_id = "top", operation_id = "best")]
    #[rest(rate_limit = "5/minute", rate_limit = "9/minute", auth = public, auth = authenticated)]
    async fn top() -> String {
        String::new()
    }
}

// The block keeps an `impl Endpoints` beside the errors: no follow-on error here.
fn main() {
    let _ = ferrest::App::new().endpoints::<Stats>();
    let _: fn() -> _ = Stats::count;
}
