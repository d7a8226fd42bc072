//! `/admin/security`: password expiry, the lockout and session lengths,
//! and the accounts locked now, each with an Unlock button.

use super::AdminNav;
use crate::api::settings::{get_security, locked_accounts, PreviewInactive, SaveSecurity};
use crate::api::users::UnlockUser;
use crate::components::data_table::{DataTable, LoadedList};
use crate::components::forms::{failure, field_error, form_error, BoundField, FormError, FormSuccess};
use crate::components::loaded::load;
use crate::model::{LockedAccount, SecurityForm};
use crate::components::reauth::sensitive;
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] =
    &["password_expiry_days", "lockout_threshold", "lockout_minutes", "session_idle_minutes", "session_lifetime_minutes", "inactive_days", "reauth_window_minutes"];

#[component]
pub fn AdminSecurityPage() -> impl IntoView {
    let save = sensitive(ServerAction::<SaveSecurity>::new());
    let unlock = ServerAction::<UnlockUser>::new();
    // Reload (for the new version) only after a successful save, so that a
    // refused one keeps what the admin typed next to its error.
    let saves = RwSignal::new(0);
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saves.update(|n| *n += 1);
        }
    });
    let settings = load(move || saves.get(), |_| get_security());
    let locked = load(move || unlock.version().get(), |_| locked_accounts());
    view! {
        <Title text="Security · Admin · Gatehouse"/>
        <AdminNav current="/admin/security"/>
        <h1>"Security"</h1>
        <p>"These apply at once to every instance of the site; session lengths apply to existing sessions from their next request. Every change is recorded in the "<a href="/admin/audit?action=settings_changed">"audit log"</a>"."</p>
        <Transition fallback=|| view! { <p>"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(form) => view! { <SecurityEditor form save/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="locked-title">
            <h2 id="locked-title">"Locked accounts"</h2>
            <FormError message=failure(unlock.value())/>
            <LoadedList list=locked loading="Loading…" let:list
                empty="No account is locked. Accounts lock after too many wrong passwords and unlock by themselves when the lock ends.">
                <LockedTable list unlock/>
            </LoadedList>
        </section>
    }
}

#[component]
fn LockedTable(list: Vec<LockedAccount>, unlock: ServerAction<UnlockUser>) -> impl IntoView {
    let head = view! {
        <th scope="col">"User"</th><th scope="col" class="num">"Failed sign-ins"</th><th scope="col">"Locked until (UTC)"</th><th scope="col">"Actions"</th>
    };
    let row = move |a: LockedAccount| {
        let name = a.username.clone();
        view! {
            <tr>
                <td><a href=format!("/admin/users/{}", a.username)>{a.username.clone()}</a></td>
                <td class="num">{a.failed_logins}</td>
                <td class="date">{a.locked_until.replace('T', " ").replace('Z', "")}</td>
                <td><button type="button" class="plain" aria-label=format!("Unlock {}", a.username)
                    on:click=move |_| { unlock.dispatch(UnlockUser { username: name.clone() }); }>"Unlock"</button></td>
            </tr>
        }
    };
    view! {
        <DataTable class="locked" caption="Accounts locked now" head>
            {list.into_iter().map(row).collect_view()}
        </DataTable>
    }
}

#[component]
fn SecurityEditor(form: SecurityForm, save: ServerAction<SaveSecurity>) -> impl IntoView {
    let version = form.version;
    let expiry = RwSignal::new(form.password_expiry_days);
    let threshold = RwSignal::new(form.lockout_threshold);
    let lock_minutes = RwSignal::new(form.lockout_minutes);
    let idle = RwSignal::new(form.session_idle_minutes);
    let lifetime = RwSignal::new(form.session_lifetime_minutes);
    let inactive = RwSignal::new(form.inactive_days);
    let reauth = RwSignal::new(form.reauth_window_minutes);
    let preview = ServerAction::<PreviewInactive>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))).then(|| "Security settings saved.".to_string()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSecurity {
            form: SecurityForm {
                version,
                password_expiry_days: expiry.get_untracked(),
                lockout_threshold: threshold.get_untracked(),
                lockout_minutes: lock_minutes.get_untracked(),
                session_idle_minutes: idle.get_untracked(),
                session_lifetime_minutes: lifetime.get_untracked(),
                inactive_days: inactive.get_untracked(),
                reauth_window_minutes: reauth.get_untracked(),
            },
        });
    };
    view! {
        <form class="card" on:submit=submit novalidate>
            <FormError message=form_error(error, FIELDS)/>
            <FormSuccess message=saved/>
            <fieldset class="checklist">
                <legend>"Passwords"</legend>
                <BoundField label="Password expiry (days)" id="password_expiry_days" kind="number" value=expiry required=true
                    hint="0 = passwords never expire. An expired password signs in only to choose a new one; scripts get 401. Accounts marked non-expiring are exempt."
                    error=field_error(error, "password_expiry_days")/>
            </fieldset>
            <fieldset class="checklist">
                <legend>"Lockout"</legend>
                <BoundField label="Failed sign-ins before a lock" id="lockout_threshold" kind="number" value=threshold required=true
                    error=field_error(error, "lockout_threshold")/>
                <BoundField label="Lock length (minutes)" id="lockout_minutes" kind="number" value=lock_minutes required=true
                    error=field_error(error, "lockout_minutes")/>
            </fieldset>
            <fieldset class="checklist">
                <legend>"Sessions"</legend>
                <BoundField label="Idle timeout (minutes)" id="session_idle_minutes" kind="number" value=idle required=true
                    hint="A session unused this long ends."
                    error=field_error(error, "session_idle_minutes")/>
                <BoundField label="Session lifetime (minutes)" id="session_lifetime_minutes" kind="number" value=lifetime required=true
                    hint="A session ends this long after sign-in, however active."
                    error=field_error(error, "session_lifetime_minutes")/>
                <BoundField label="Re-authentication window (minutes)" id="reauth_window_minutes" kind="number" value=reauth required=true
                    hint="Sensitive actions (passwords, second factors, tokens and keys, security settings, deleting users) need a sign-in proven this recently; after it, the password is asked again. Tokens never count."
                    error=field_error(error, "reauth_window_minutes")/>
            </fieldset>
            <fieldset class="checklist">
                <legend>"Inactive accounts"</legend>
                <BoundField label="Disable accounts unused for (days)" id="inactive_days" kind="number" value=inactive required=true
                    hint="0 = never. Checked hourly: an account nobody signed in to for this long (through any door) is disabled, and the audit log says why. The last enabled admin is never disabled."
                    error=field_error(error, "inactive_days")/>
                <button type="button" class="plain" disabled=move || preview.pending().get()
                    on:click=move |_| { preview.dispatch(PreviewInactive { days: inactive.get_untracked() }); }>
                    "Preview who this disables"
                </button>
                <div aria-live="polite">
                    {move || preview.value().get().map(|result| match result {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(p) if p.count == 0 => view! { <p class="preview" role="status">"This value disables no account now."</p> }.into_any(),
                        Ok(p) => {
                            let more = p.count - p.usernames.len() as i64;
                            view! {
                                <p class="preview" role="status">{format!("Saved as it is, this disables {} account(s) at the next hourly check: {}{}", p.count, p.usernames.join(", "), if more > 0 { format!(" and {more} more") } else { String::new() })}</p>
                            }.into_any()
                        }
                    })}
                </div>
            </fieldset>
            <button type="submit" disabled=move || save.pending().get()>"Save security settings"</button>
        </form>
    }
}
