//! `/projects/:slug/datasets/:dataset`: a dataset's files with download
//! links; upload (with a progress bar), rename and delete where the
//! caller's role allows. Upload and download go to `/files/…` directly.

use crate::api::data::*;
use crate::components::forms::{day_of, human_bytes, reload_to};
use crate::components::loaded::load;
use crate::model::url::encode_query_value;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn file_url(slug: &str, dataset: &str, file: &str) -> String {
    format!("/files/{}/{}/{}", encode_query_value(slug), encode_query_value(dataset), encode_query_value(file)).replace("%2F", "/")
}

#[component]
pub fn DatasetPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("slug").unwrap_or_default(), p.get("dataset").unwrap_or_default())
    };
    let rename = ServerAction::<RenameFile>::new();
    let delete = ServerAction::<DeleteFile>::new();
    let uploaded = RwSignal::new(0usize);
    // Kept outside the part that reloads after an upload, so its message stays.
    let upload_message: RwSignal<Option<Result<String, String>>> = RwSignal::new(None);
    let page = load(
        move || (key(), rename.version().get() + delete.version().get() + uploaded.get()),
        |((slug, dataset), _)| load_dataset(slug, dataset),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading dataset…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! {
                        <Title text="Dataset · Gatehouse"/>
                        <h1>"Dataset"</h1>
                        <p class="form-error" role="alert">{e.message()}</p>
                        <p><a href="/projects">"Back to projects"</a></p>
                    }.into_any(),
                    Ok(page) => view! { <Dataset page rename delete uploaded upload_message/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Dataset(
    page: DatasetPage,
    rename: ServerAction<RenameFile>,
    delete: ServerAction<DeleteFile>,
    uploaded: RwSignal<usize>,
    upload_message: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let (slug, dataset) = (page.project.slug.clone(), page.dataset.name.clone());
    let rights = page.rights.for_files();
    let action_error = move || {
        [rename.value().get().map(|r| r.map(|_| ())), delete.value().get()].into_iter().flatten().find_map(Result::err)
    };
    view! {
        <Title text=format!("{} · {} · Gatehouse", page.dataset.name, page.project.name)/>
        <p class="breadcrumb"><a href="/projects">"Projects"</a>" / "<a href=format!("/projects/{slug}")>{page.project.name.clone()}</a>" / "{dataset.clone()}</p>
        <h1>{page.dataset.name.clone()}</h1>
        {(!page.dataset.description.is_empty()).then(|| view! { <p>{page.dataset.description.clone()}</p> })}
        <p class="muted">{format!("{} file(s), {}", page.files.len(), human_bytes(page.dataset.total_bytes))}</p>
        {move || action_error().map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
        {if page.files.is_empty() {
            view! { <p class="empty">{if rights.create { "No files yet. Upload the first one below." } else { "No files yet." }}</p> }.into_any()
        } else {
            view! {
                <table class="files">
                    <caption class="visually-hidden">"Files"</caption>
                    <thead><tr><th scope="col">"File"</th><th scope="col" class="num">"Size"</th><th scope="col">"Uploaded by"</th><th scope="col">"Date"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {page.files.into_iter().map(|f| view! { <FileRow slug=slug.clone() dataset=dataset.clone() file=f rights rename delete/> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {rights.create.then(|| view! { <Upload slug=slug.clone() dataset=dataset.clone() uploaded message=upload_message/> })}
        {rights.delete.then(|| view! { <DeleteDatasetButton slug=slug.clone() dataset=dataset.clone()/> })}
    }
}

#[component]
fn FileRow(slug: String, dataset: String, file: FileInfo, rights: ProjectRights, rename: ServerAction<RenameFile>, delete: ServerAction<DeleteFile>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let new_name = RwSignal::new(file.name.clone());
    let href = file_url(&slug, &dataset, &file.name);
    let (slug2, dataset2, name2) = (slug.clone(), dataset.clone(), file.name.clone());
    let name = file.name.clone();
    let input_id = format!("rename-{}", file.id);
    view! {
        <tr>
            <td>{if rights.download_files {
                view! { <a href=href download>{file.name.clone()}</a> }.into_any()
            } else {
                view! { <span>{file.name.clone()}</span> }.into_any()
            }}</td>
            <td class="num">{human_bytes(file.size)}</td>
            <td>{file.uploaded_by.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{day_of(file.created_at)}</td>
            <td class="row-actions">
                {rights.update.then(|| {
                    let (slug, dataset, name) = (slug.clone(), dataset.clone(), name.clone());
                    let input_id = input_id.clone();
                    view! {
                        {move || if editing.get() {
                            let (slug, dataset, name) = (slug.clone(), dataset.clone(), name.clone());
                            view! {
                                <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    rename.dispatch(RenameFile { slug: slug.clone(), dataset: dataset.clone(), name: name.clone(), new_name: new_name.get_untracked() });
                                    editing.set(false);
                                }>
                                    <label class="visually-hidden" for=input_id.clone()>"New name"</label>
                                    <input id=input_id.clone() bind:value=new_name/>
                                    <button type="submit">"Save name"</button>
                                    <button type="button" class="plain" on:click=move |_| editing.set(false)>"Cancel"</button>
                                </form>
                            }.into_any()
                        } else {
                            view! { <button type="button" class="plain" on:click=move |_| editing.set(true)>{format!("Rename {}", name)}</button> }.into_any()
                        }}
                    }
                })}
                {rights.delete.then(|| view! {
                    <button type="button" class="plain" on:click=move |_| {
                        delete.dispatch(DeleteFile { slug: slug2.clone(), dataset: dataset2.clone(), name: name2.clone() });
                    }>{format!("Delete {}", file.name)}</button>
                })}
            </td>
        </tr>
    }
}

/// Uploads the chosen file with a progress bar; the server streams it to disk.
#[component]
fn Upload(slug: String, dataset: String, uploaded: RwSignal<usize>, message: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    let progress: RwSignal<Option<f64>> = RwSignal::new(None);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = input.get().and_then(|i| i.files()).and_then(|f| f.get(0)) else {
                message.set(Some(Err("Choose a file first".into())));
                return;
            };
            let url = file_url(&slug, &dataset, &file.name());
            let name = file.name();
            progress.set(Some(0.0));
            upload::send(&url, &file, progress, move |result| {
                progress.set(None);
                message.set(Some(result.map(|_| format!("Uploaded {name}."))));
                uploaded.update(|n| *n += 1);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&slug, &dataset, input, uploaded);
    };
    view! {
        <form class="card" on:submit=submit aria-labelledby="upload-title">
            <h2 id="upload-title">"Upload a file"</h2>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="form-error" role="alert">{text}</p> }.into_any(),
            })}
            <div class="field">
                <label for="upload_file">"File"</label>
                <p class="field-hint" id="upload_file-hint">"It counts against your storage quota."</p>
                <input id="upload_file" type="file" node_ref=input aria-describedby="upload_file-hint"/>
            </div>
            {move || progress.get().map(|p| view! {
                <label for="upload_progress">"Uploading…"</label>
                <progress id="upload_progress" max="100" value=format!("{:.0}", p * 100.0)>{format!("{:.0}%", p * 100.0)}</progress>
            })}
            <button type="submit" disabled=move || progress.get().is_some()>"Upload"</button>
        </form>
    }
}

#[component]
fn DeleteDatasetButton(slug: String, dataset: String) -> impl IntoView {
    let delete = ServerAction::<DeleteDataset>::new();
    let confirm = RwSignal::new(false);
    let back = format!("/projects/{slug}");
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            reload_to(&back);
        }
    });
    view! {
        <section class="card danger-zone" aria-labelledby="delete-dataset">
            <h2 id="delete-dataset">"Delete this dataset"</h2>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
            {move || if confirm.get() {
                let (slug, dataset) = (slug.clone(), dataset.clone());
                view! {
                    <p><strong>{format!("Delete {dataset} and all its files?")}</strong></p>
                    <button type="button" class="danger" on:click=move |_| { delete.dispatch(DeleteDataset { slug: slug.clone(), name: dataset.clone() }); }>"Delete for good"</button>
                    <button type="button" class="plain" on:click=move |_| confirm.set(false)>"Cancel"</button>
                }.into_any()
            } else {
                view! { <button type="button" class="danger" on:click=move |_| confirm.set(true)>"Delete dataset…"</button> }.into_any()
            }}
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod upload {
    //! The browser side of an upload: an XMLHttpRequest, for its progress events.

    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    pub fn send(url: &str, file: &web_sys::File, progress: RwSignal<Option<f64>>, done: impl Fn(Result<(), String>) + 'static) {
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            done(Err("This browser cannot upload files".into()));
            return;
        };
        if xhr.open("PUT", url).is_err() {
            done(Err("Could not start the upload".into()));
            return;
        }
        if let Ok(upload) = xhr.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress.set(Some(e.loaded() / e.total()));
                }
            });
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let done = std::rc::Rc::new(done);
        let (request, finished) = (xhr.clone(), done.clone());
        let on_load = Closure::<dyn FnMut()>::new(move || {
            let status = request.status().unwrap_or(0);
            if (200..300).contains(&status) {
                finished(Ok(()));
            } else {
                let text = request.response_text().ok().flatten().unwrap_or_default();
                let message = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                    .unwrap_or_else(|| format!("Upload failed (status {status})"));
                finished(Err(message));
            }
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || done(Err("The upload was interrupted; check your connection and try again".into())));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        if xhr.send_with_opt_blob(Some(file)).is_err() {
            progress.set(None);
        }
    }
}
