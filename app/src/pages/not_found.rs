//! The page for unknown paths.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · Gatehouse"/>
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. "<a href="/">"Go to the start page"</a>"."</p>
        </section>
    }
}
