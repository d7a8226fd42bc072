//! Feature permissions (SPEC §6): the one place that decides whether a user
//! may use a feature in a project (or site-wide). Policy and every service
//! that gates a feature ask [`decide`]; nothing else reads the rules.
//!
//! Precedence, first match wins:
//! 1. the feature is unknown (no definition) → **off** (logged once);
//! 2. a **site-wide ban** → off for everyone;
//! 3. a **project ban** (in the project asked about) → off in that project;
//! 4. a **block** for any of the user's groups → off;
//! 5. an **enable** for any of the user's groups → on;
//! 6. the definition's `OnByDefault`.
//!
//! A user's groups: each site role as `role:<name>` (the `admin` role is
//! XNAT's `role:Administrator`), and in a project where they have a group,
//! that group both site-wide (`Owners`, `Members`, `Collaborators`: the group
//! in every project) and in the project (`{ID}_owner`, `{ID}_member`,
//! `{ID}_collaborator`). Without a project only the roles count.
//!
//! Admins are not exempt (as in XNAT): a ban binds them too, and a block
//! for `role:Administrator` or for a group they are in applies to them. An
//! admin who needs a banned feature lifts the ban on Admin → Features.
//!
//! Rules live in `feature_rules` and are read on every check, so a change
//! takes effect on the next request on every instance.

pub mod definitions;
pub mod properties;

use crate::backend::store::feature_rules::RuleRow;
use crate::model::ProjectRole;
use definitions::Definition;
use std::collections::HashSet;
use std::sync::Mutex;

/// The site's feature definitions, read once at start-up.
pub struct Catalog {
    /// Sorted by key.
    pub definitions: Vec<Definition>,
    unknown_asked: Mutex<HashSet<String>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new(definitions::built_in())
    }
}

impl Catalog {
    pub fn new(definitions: Vec<Definition>) -> Catalog {
        Catalog { definitions, unknown_asked: Mutex::default() }
    }

    /// The definition of `key`; an unknown key is logged the first time.
    pub fn find(&self, key: &str) -> Option<&Definition> {
        let found = self.definitions.iter().find(|d| d.key == key);
        if found.is_none() {
            let mut asked = self.unknown_asked.lock().unwrap_or_else(|e| e.into_inner());
            if asked.len() < 1000 && asked.insert(key.to_string()) {
                tracing::warn!(feature = %key.chars().take(100).collect::<String>(), "unknown feature asked for: it is off");
            }
        }
        found
    }
}

/// The group id XNAT uses for the whole site's bans.
pub const SITE_WIDE: &str = "_SITE_WIDE";
/// The admin role's XNAT group id and display name.
pub const ADMIN_GROUP: &str = "role:Administrator";
pub const ADMIN_DISPLAY: &str = "Role: Site Manager";

/// The site-wide group meaning `role` in every project.
pub fn site_wide_group(role: ProjectRole) -> &'static str {
    match role {
        ProjectRole::Owner => "Owners",
        ProjectRole::Member => "Members",
        ProjectRole::Collaborator => "Collaborators",
    }
}

/// The group id of a site role.
pub fn role_group(role: &str) -> String {
    if role == "admin" { ADMIN_GROUP.to_string() } else { format!("role:{role}") }
}

/// A project's group id, `{ID}_owner`.
pub fn project_group(slug: &str, role: ProjectRole) -> String {
    format!("{slug}_{}", role.as_str())
}

/// Who is asking, as far as features care.
#[derive(Clone, Debug)]
pub struct Caller<'a> {
    pub roles: &'a [String],
    /// The project asked about (its ID) and the user's group in it.
    pub project: Option<(&'a str, Option<ProjectRole>)>,
}

/// Why the answer is what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    Unknown,
    SiteBan,
    ProjectBan(String),
    Blocked(String),
    Enabled(String),
    OnByDefault,
    OffByDefault,
}

impl Reason {
    pub fn text(&self) -> String {
        match self {
            Reason::Unknown => "no such feature is defined".into(),
            Reason::SiteBan => "banned site-wide".into(),
            Reason::ProjectBan(id) => format!("banned in project {id}"),
            Reason::Blocked(group) => format!("blocked for group {group}"),
            Reason::Enabled(group) => format!("enabled for group {group}"),
            Reason::OnByDefault => "on by default".into(),
            Reason::OffByDefault => "off by default".into(),
        }
    }
}

/// The effective answer for `caller` and the feature `definition` (None:
/// unknown), given the site's rules and the project's (`rules` may hold
/// both; rules of other projects must not be in it).
pub fn decide(definition: Option<&Definition>, rules: &[RuleRow], caller: &Caller<'_>) -> (bool, Reason) {
    let Some(def) = definition else {
        return (false, Reason::Unknown);
    };
    let of_feature = || rules.iter().filter(|r| r.feature == def.key);
    let site = |r: &&RuleRow| r.project_id.is_none();
    if of_feature().filter(site).any(|r| r.grp.is_empty() && r.blocked) {
        return (false, Reason::SiteBan);
    }
    let project_role = caller.project.and_then(|(_, role)| role);
    if let Some((slug, _)) = caller.project {
        if of_feature().filter(|r| r.project_id.is_some()).any(|r| r.grp.is_empty() && r.blocked) {
            return (false, Reason::ProjectBan(slug.to_string()));
        }
    }
    let mut site_groups: Vec<String> = caller.roles.iter().map(|r| role_group(r)).collect();
    if let Some(role) = project_role {
        site_groups.push(site_wide_group(role).to_string());
    }
    // The group a rule applies to the caller through, by its XNAT id.
    let group_of = |r: &RuleRow| -> Option<String> {
        if r.grp.is_empty() {
            return None;
        }
        match (r.project_id, caller.project, project_role) {
            (None, _, _) => site_groups.contains(&r.grp).then(|| r.grp.clone()),
            (Some(_), Some((slug, _)), Some(role)) if r.grp == role.as_str() => Some(project_group(slug, role)),
            _ => None,
        }
    };
    if let Some(group) = of_feature().filter(|r| r.blocked).find_map(group_of) {
        return (false, Reason::Blocked(group));
    }
    if let Some(group) = of_feature().filter(|r| r.enabled).find_map(group_of) {
        return (true, Reason::Enabled(group));
    }
    if def.on_by_default { (true, Reason::OnByDefault) } else { (false, Reason::OffByDefault) }
}

#[cfg(test)]
mod tests;
