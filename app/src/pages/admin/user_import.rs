//! `/admin/users/import`: check a CSV file (dry run), then import it, in
//! chunks with a progress bar; every problem is listed with its row.

use super::AdminNav;
use crate::api::users::import_users;
use crate::model::*;
use crate::components::reauth::prompt;
use leptos::prelude::*;
use leptos_meta::Title;

/// Bytes per request, well under the server's 1 MiB body limit once encoded.
const CHUNK_BYTES: usize = 300 * 1024;
/// Problems listed on the page (all are counted).
const SHOWN_PROBLEMS: usize = 200;

#[derive(Clone, Default)]
struct Run {
    dry_run: bool,
    done_rows: usize,
    total_rows: usize,
    finished: bool,
    report: ImportReport,
    failure: Option<String>,
}

#[component]
pub fn ImportUsersPage() -> impl IntoView {
    let file = RwSignal::new(None::<String>);
    let run = RwSignal::new(None::<Run>);
    let busy = move || run.with(|r| r.as_ref().is_some_and(|r| !r.finished));
    let again = RwSignal::new(None::<bool>);
    let dialog = prompt();
    let start = move |dry_run: bool| {
        let Some(text) = file.get_untracked() else { return };
        let chunks = split_csv_chunks(&text, CHUNK_BYTES);
        let total_rows = count_csv_rows(&text);
        run.set(Some(Run { dry_run, total_rows, ..Run::default() }));
        leptos::task::spawn_local(async move {
            for (first_line, csv) in chunks {
                let rows = csv.lines().count().saturating_sub(1);
                let result = import_users(csv, first_line, dry_run).await;
                run.update(|r| {
                    let Some(r) = r else { return };
                    match result {
                        Ok(chunk) => {
                            r.report.rows += chunk.rows;
                            r.report.created += chunk.created;
                            r.report.problems.extend(chunk.problems);
                            r.done_rows += rows;
                        }
                        Err(e) => {
                            if let (true, Some(dialog)) = (e.is_reauth(), dialog) {
                                // Once the password is confirmed, the same run starts again.
                                dialog.open(move || again.set(Some(dry_run)));
                            }
                            r.failure = Some(e.message());
                        }
                    }
                });
                if run.with_untracked(|r| r.as_ref().is_some_and(|r| r.failure.is_some())) {
                    break;
                }
            }
            run.update(|r| {
                if let Some(r) = r {
                    r.finished = true;
                }
            });
        });
    };
    Effect::new(move |_| {
        if let Some(dry_run) = again.get() {
            again.set(None);
            start(dry_run);
        }
    });
    view! {
        <Title text="Import users · Admin · Gatehouse"/>
        <AdminNav current="/admin/users"/>
        <p><a href="/admin/users">"← All users"</a></p>
        <h1>"Import users from CSV"</h1>
        <section class="card">
            <p>"The first row names the columns: "<code>"username"</code>" (required), "<code>"display_name"</code>", "
               <code>"email"</code>", "<code>"roles"</code>" (separated by spaces or semicolons; "<code>"user"</code>
               " when empty) and "<code>"enabled"</code>" (true or false). Passwords are not imported: set one on each "
               "user's page before they can sign in. Check the file first; nothing changes until you import."</p>
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv" on:change=move |ev| {
                    run.set(None);
                    file.set(None);
                    #[cfg(feature = "hydrate")]
                    {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        leptos::task::spawn_local(async move {
                            if let Some(f) = input.files().and_then(|list| list.get(0)) {
                                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(f.text()).await {
                                    file.set(text.as_string());
                                }
                            }
                        });
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                }/>
            </div>
            {move || file.get().map(|text| view! { <p>{format!("{} rows in the file.", count_csv_rows(&text))}</p> })}
            <div class="actions">
                <button type="button" class="plain" disabled=move || file.with(Option::is_none) || busy() on:click=move |_| start(true)>
                    "Check file"
                </button>
                <button type="button" disabled=move || file.with(Option::is_none) || busy() on:click=move |_| start(false)>
                    "Import"
                </button>
            </div>
        </section>
        {move || run.get().map(|r| {
            let verb = if r.dry_run { "Checked" } else { "Imported" };
            let summary = if !r.finished {
                format!("{verb} {} of {} rows…", r.done_rows, r.total_rows)
            } else if r.dry_run {
                format!("Checked {} rows: {} can be created, {} have problems. Nothing was changed.", r.report.rows, r.report.created, r.report.problems.len())
            } else {
                format!("Imported {} rows: {} created, {} refused.", r.report.rows, r.report.created, r.report.problems.len())
            };
            let shown: Vec<ImportProblem> = r.report.problems.iter().take(SHOWN_PROBLEMS).cloned().collect();
            view! {
                <section class="card import-report" aria-labelledby="import-summary">
                    <progress max=r.total_rows.max(1) value=r.done_rows aria-label="Import progress"></progress>
                    <p id="import-summary" role="status">{summary}</p>
                    {r.failure.map(|f| view! { <p class="form-error" role="alert">{f}</p> })}
                    {(!shown.is_empty()).then(|| view! {
                        <table class="problems">
                            <caption>{format!("Problems ({} in all)", r.report.problems.len())}</caption>
                            <thead><tr><th scope="col">"Row"</th><th scope="col">"Problem"</th></tr></thead>
                            <tbody>
                                {shown.into_iter().map(|p| view! { <tr><td>{p.line}</td><td>{p.message}</td></tr> }).collect_view()}
                            </tbody>
                        </table>
                    })}
                </section>
            }
        })}
    }
}
