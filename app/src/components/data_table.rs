//! The shape every list of records on the site takes: a table in its
//! scrolling frame ([`DataTable`]), and a loaded list shown as one
//! ([`LoadedList`]: a line while it loads, the error if loading failed, a
//! line when it is empty).

use crate::components::loaded::Loaded;
use crate::model::AppError;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// A table in its scrolling frame (`div.table-wrap`). `class` names the
/// table (styles and the browser tests find it by it); `caption` is for
/// screen readers; `head` is the header row's cells, `children` the rows.
#[component]
pub fn DataTable<H: IntoView + 'static>(
    class: &'static str,
    #[prop(into)] caption: String,
    head: H,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class=class>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>{head}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// A loaded list: `loading` until it arrives, the error's message if
/// loading failed, `empty` (a `p.empty`) when it has no items, else what
/// `children` makes of the items (a [`DataTable`], usually).
#[component]
pub fn LoadedList<T, V, F>(list: Loaded<Result<Vec<T>, AppError>>, loading: &'static str, empty: &'static str, children: F) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(Vec<T>) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || view! { <p>{loading}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <p class="empty">{empty}</p> }.into_any(),
                        Ok(items) => children(items).into_any(),
                    }
                })
            }}
        </Transition>
    }
}
