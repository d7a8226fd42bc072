//! "My storage": the caller's storage quota and how much of it their files use.

use crate::api::quota::my_storage;
use crate::components::forms::human_bytes;
use crate::components::loaded::load;
use leptos::prelude::*;

#[component]
pub fn MyStorage() -> impl IntoView {
    let storage = load(|| (), |_| my_storage());
    view! {
        <section class="card" aria-labelledby="storage-title">
            <h2 id="storage-title">"My storage"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    storage.await.ok().map(|s| match s.total {
                        Some(total) => {
                            let percent = if total > 0 { (s.used as f64 / total as f64 * 100.0).min(100.0) } else { 100.0 };
                            view! {
                                <p>{format!("{} of {} used ({percent:.0}%).", human_bytes(s.used), human_bytes(total))}</p>
                                <meter min="0" max="100" value=format!("{percent:.0}") aria-label="Storage used">{format!("{percent:.0}%")}</meter>
                            }.into_any()
                        }
                        None => view! { <p>{format!("{} used; no quota applies to you.", human_bytes(s.used))}</p> }.into_any(),
                    })
                })}
            </Transition>
        </section>
    }
}
