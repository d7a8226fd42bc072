//! Projects (the registry's organizations): accessibility, groups, the
//! caller's rights and a project's summary, as both doors carry them.
//! Members, access requests, invitations, data and the registry's `Org`
//! have their own modules.

use crate::model::AppError;
use serde::{Deserialize, Serialize};

/// Who may see a project (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Accessibility {
    Public,
    Protected,
    Private,
}

impl Accessibility {
    pub const ALL: [Accessibility; 3] = [Accessibility::Public, Accessibility::Protected, Accessibility::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Accessibility::Public => "public",
            Accessibility::Protected => "protected",
            Accessibility::Private => "private",
        }
    }

    pub fn parse(text: &str) -> Option<Accessibility> {
        Accessibility::ALL.into_iter().find(|a| a.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The choice as forms offer it: the word, then what it means.
    pub fn choice(self) -> &'static str {
        match self {
            Accessibility::Public => "Public: everyone signed in can see, download and add data",
            Accessibility::Protected => "Protected: listed to everyone; data needs a project role",
            Accessibility::Private => "Private: only the project's users know it exists",
        }
    }

    /// What the pages say about it.
    pub fn explain(self) -> &'static str {
        match self {
            Accessibility::Public => "Everyone signed in can see, download and add data",
            Accessibility::Protected => "Listed to everyone signed in; data needs a project role",
            Accessibility::Private => "Only the project's users know it exists",
        }
    }
}

/// A user's group in a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectRole {
    Owner,
    Member,
    Collaborator,
}

impl ProjectRole {
    pub const ALL: [ProjectRole; 3] = [ProjectRole::Owner, ProjectRole::Member, ProjectRole::Collaborator];

    /// Singular lower case, as stored and as XNAT's `role` column shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectRole::Owner => "owner",
            ProjectRole::Member => "member",
            ProjectRole::Collaborator => "collaborator",
        }
    }

    /// The group's name: `Owners`, `Members`, `Collaborators`.
    pub fn group(self) -> &'static str {
        match self {
            ProjectRole::Owner => "Owners",
            ProjectRole::Member => "Members",
            ProjectRole::Collaborator => "Collaborators",
        }
    }

    /// Reads a role or group name in any letter case: `owner`, `Owners`,
    /// or XNAT's `{project}_owner`.
    pub fn parse(text: &str, project: &str) -> Option<ProjectRole> {
        let lower = text.trim().to_ascii_lowercase();
        let prefix = format!("{}_", project.to_ascii_lowercase());
        let bare = lower.strip_prefix(&prefix).unwrap_or(&lower);
        ProjectRole::ALL.into_iter().find(|r| bare == r.as_str() || bare == r.group().to_ascii_lowercase())
    }

    /// [`ProjectRole::parse`] for a form field: an unknown name is a validation error.
    pub fn from_field(text: &str, project: &str, field: &str) -> Result<ProjectRole, AppError> {
        ProjectRole::parse(text, project).ok_or_else(|| AppError::validation(field, "Choose Owners, Members or Collaborators"))
    }
}

/// What the caller may do in one project; the pages show only these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRights {
    pub read: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
    pub manage: bool,
    /// May ask the owners for a role (signed in, not a member, protected,
    /// and the `request_access` feature on).
    pub request_access: bool,
    /// The features gating file actions and invitations (SPEC §6): the
    /// pages show Upload, Rename, Delete, Download and Invite only with them.
    #[serde(default)]
    pub manage_files: bool,
    #[serde(default)]
    pub download_files: bool,
    #[serde(default)]
    pub invite_members: bool,
}

impl ProjectRights {
    /// What the caller may do to files, with `manage_files` folded in: the
    /// data pages show Upload, Rename and Delete only then (the server
    /// refuses them by the same feature).
    pub fn for_files(self) -> ProjectRights {
        ProjectRights {
            create: self.create && self.manage_files,
            update: self.update && self.manage_files,
            delete: self.delete && self.manage_files,
            ..self
        }
    }
}

/// A project as lists and pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub accessibility: Accessibility,
    /// The first owner's username, if the project has an owner.
    pub owner: Option<String>,
    pub created_at: i64,
    pub my_role: Option<ProjectRole>,
    pub member_count: i64,
    pub dataset_count: i64,
}

/// One project's page: the summary, the caller's rights and the edit version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub summary: ProjectSummary,
    pub rights: ProjectRights,
    pub version: i64,
    /// The caller's pending access request, if any.
    pub pending_request: bool,
}

/// A new project from the browser or a script.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub accessibility: String,
}

/// Changes to a project; `None` keeps a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub accessibility: Option<Accessibility>,
    /// The version the editor saw; a stale one is refused.
    pub version: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names() {
        assert_eq!(ProjectRole::parse("Owners", "p1"), Some(ProjectRole::Owner));
        assert_eq!(ProjectRole::parse("members", "p1"), Some(ProjectRole::Member));
        assert_eq!(ProjectRole::parse("P1_collaborator", "p1"), Some(ProjectRole::Collaborator));
        assert_eq!(ProjectRole::parse("Ownerss", "p1"), None);
        assert_eq!(ProjectRole::parse("s", "p1"), None);
    }
}
