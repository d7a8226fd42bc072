//! The feature grid of Admin → Features and a project's Features tab: one
//! row per definition, a ban switch for the whole scope, and one choice per
//! group (default, blocked or enabled). Each change is saved at once and
//! the grid reloads; in a project the site's rules are shown, not editable.

use crate::api::features::SetFeature;
use crate::components::data_table::DataTable;
use crate::model::*;
use leptos::prelude::*;

/// A group's state for one feature.
fn state_of(group: &FeatureGroup, key: &str) -> &'static str {
    if group.blocked.iter().any(|k| k == key) {
        "blocked"
    } else if group.features.iter().any(|k| k == key) {
        "enabled"
    } else {
        "default"
    }
}

/// The changes that take a group from `from` to `to` (each one switch).
fn changes(group: &str, key: &str, from: &str, to: &str) -> Vec<FeatureChange> {
    let change = |banned, enabled| FeatureChange { group: group.into(), key: key.into(), banned, enabled };
    let mut out = Vec::new();
    if from == "blocked" && to != "blocked" {
        out.push(change(Some(false), None));
    }
    if from == "enabled" && to != "enabled" {
        out.push(change(None, Some(false)));
    }
    match to {
        "blocked" if from != "blocked" => out.push(change(Some(true), None)),
        "enabled" if from != "enabled" => out.push(change(None, Some(true))),
        _ => {}
    }
    out
}

/// What the site says about `key` for a project group, shown under its choice.
fn inherited(group: &FeatureGroup, key: &str) -> Option<&'static str> {
    if group.inherited_banned.iter().any(|k| k == key) {
        Some("blocked site-wide")
    } else if group.inherited_features.iter().any(|k| k == key) {
        Some("enabled site-wide")
    } else {
        None
    }
}

#[component]
pub fn FeatureGrid(scope: FeatureScope, in_project: bool, set: ServerAction<SetFeature>) -> impl IntoView {
    let scope_id = scope.id.clone();
    let ban_label = if in_project { "Banned in this project" } else { "Banned site-wide" };
    let groups = scope.groups.clone();
    let head = view! {
        <th scope="col">"Feature"</th>
        <th scope="col">"Default"</th>
        <th scope="col">{ban_label}</th>
        {groups.iter().map(|g| view! { <th scope="col">{g.display.clone()}</th> }).collect_view()}
    };
    let row = |def: &FeatureInfo| {
        let key = def.key.clone();
        let banned = scope.banned.contains(&key);
        let site_banned = scope.site_banned.contains(&key);
        let ban_id = format!("ban-{key}");
        let (ban_key, ban_group) = (key.clone(), scope_id.clone());
        view! {
            <tr>
                <th scope="row">
                    <div>{def.name.clone()}</div>
                    <div class="muted small"><code>{def.key.clone()}</code>" · "{def.source.clone()}</div>
                    <div class="small">{def.description.clone()}</div>
                </th>
                <td>{if def.on_by_default { "On" } else { "Off" }}</td>
                <td>
                    <input type="checkbox" id=ban_id.clone() prop:checked=banned
                        on:change=move |ev| {
                            set.dispatch(SetFeature { change: FeatureChange { group: ban_group.clone(), key: ban_key.clone(), banned: Some(event_target_checked(&ev)), enabled: None } });
                        }/>
                    <label class="visually-hidden" for=ban_id>{format!("Ban {} {}", def.name, if in_project { "in this project" } else { "site-wide" })}</label>
                    {site_banned.then(|| view! { <div class="badge warn">"Banned site-wide"</div> })}
                </td>
                {groups.iter().map(|group| view! { <FeatureCell group=group.clone() def=def.clone() in_project set/> }).collect_view()}
            </tr>
        }
    };
    let rows = scope.definitions.iter().map(row).collect_view();
    view! {
        <DataTable class="features" caption="Features and who may use them" head>
            {rows}
        </DataTable>
    }
}

/// A feature's state for one group, as a select.
#[component]
fn FeatureCell(group: FeatureGroup, def: FeatureInfo, in_project: bool, set: ServerAction<SetFeature>) -> impl IntoView {
    let (g, key) = (group, def.key.clone());
    let current = state_of(&g, &key);
    let select_id = format!("{}-{}", g.id, key).replace(':', "-");
    let (group_id, cell_key) = (g.id.clone(), key.clone());
    let note = if in_project { inherited(&g, &key) } else { None };
    view! {
        <td>
            <label class="visually-hidden" for=select_id.clone()>{format!("{} for {}", def.name, g.display)}</label>
            <select id=select_id on:change=move |ev| {
                for change in changes(&group_id, &cell_key, current, &event_target_value(&ev)) {
                    set.dispatch(SetFeature { change });
                }
            }>
                <option value="default" selected={current == "default"}>"Default"</option>
                <option value="blocked" selected={current == "blocked"}>"Blocked"</option>
                <option value="enabled" selected={current == "enabled"}>"Enabled"</option>
            </select>
            {note.map(|n| view! { <div class="muted small">{n}</div> })}
        </td>
    }
}

/// The outcome of the last change, for a status line.
pub fn last_change(set: ServerAction<SetFeature>) -> impl IntoView {
    move || {
        set.value().get().map(|result| match result {
            Ok(()) => view! { <p class="notice" role="status">"Saved. It applies from the next request."</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::changes;

    #[test]
    fn a_choice_becomes_the_switches_it_needs() {
        let sent = |from, to| changes("Members", "f", from, to).into_iter().map(|c| (c.banned, c.enabled)).collect::<Vec<_>>();
        assert_eq!(sent("default", "blocked"), vec![(Some(true), None)]);
        assert_eq!(sent("blocked", "default"), vec![(Some(false), None)]);
        assert_eq!(sent("blocked", "enabled"), vec![(Some(false), None), (None, Some(true))]);
        assert_eq!(sent("enabled", "default"), vec![(None, Some(false))]);
        assert!(sent("enabled", "enabled").is_empty());
    }
}
