//! The methods of an `#[ferrest::endpoints]` block as axum handlers, one function per
//! argument count, so a wrong argument is reported as itself.

/// `f` as an axum handler of `N` arguments, bounded argument by argument, so that an
/// argument that is not an extractor is reported as such instead of as a `Handler`
/// that is not implemented.
macro_rules! handlers {
    ($($name:ident: $($arg:ident),* ;)*) => {$(
        #[allow(non_snake_case, clippy::too_many_arguments)]
        pub fn $name<F, Fut, M, $($arg,)* Last>(f: F) -> impl axum::handler::Handler<(M, $($arg,)* Last), crate::AppState>
        where
            F: Fn($($arg,)* Last) -> Fut + Clone + Send + Sync + 'static,
            Fut: std::future::Future + Send + 'static,
            Fut::Output: axum::response::IntoResponse,
            $($arg: axum::extract::FromRequestParts<crate::AppState> + Send + 'static,)*
            Last: axum::extract::FromRequest<crate::AppState, M> + Send + 'static,
            M: Send + 'static,
        {
            move |$($arg: $arg,)* last: Last| f($($arg,)* last)
        }
    )*};
}

handlers! {
    handler_1: ;
    handler_2: A1;
    handler_3: A1, A2;
    handler_4: A1, A2, A3;
    handler_5: A1, A2, A3, A4;
    handler_6: A1, A2, A3, A4, A5;
    handler_7: A1, A2, A3, A4, A5, A6;
    handler_8: A1, A2, A3, A4, A5, A6, A7;
}

/// A handler without arguments.
pub fn handler_0<F, Fut>(f: F) -> impl axum::handler::Handler<((),), crate::AppState>
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: axum::response::IntoResponse,
{
    move || f()
}
