//! Projects (the registry's organizations): accessibility, groups, members,
//! access requests, invitations, datasets and files, as both doors carry them.

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

/// One user in a project's groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMember {
    pub user_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: ProjectRole,
    pub enabled: bool,
    pub since: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
        }
    }

    pub fn parse(text: &str) -> RequestStatus {
        match text {
            "approved" => RequestStatus::Approved,
            "denied" => RequestStatus::Denied,
            _ => RequestStatus::Pending,
        }
    }
}

/// An access request, as its project's owners and its requester see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestInfo {
    pub id: i64,
    pub project_slug: String,
    pub project_name: String,
    pub username: String,
    pub display_name: Option<String>,
    pub message: String,
    pub status: RequestStatus,
    pub role: Option<ProjectRole>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Open,
    Accepted,
    Expired,
    Revoked,
}

/// An invitation as the project's owners see it (never its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub id: i64,
    pub email: String,
    pub role: ProjectRole,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub status: InvitationStatus,
    pub accepted_by: Option<String>,
}

/// What the invitation page shows the person holding the link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub project_slug: String,
    pub project_name: String,
    pub role: ProjectRole,
    pub email: String,
    pub invited_by: String,
    pub expires_at: i64,
    /// The link may create an account (otherwise only an existing account
    /// can accept it: registration is closed to this invitation).
    #[serde(default)]
    pub creates_account: bool,
}

/// The form that creates an account from an invitation link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSignUp {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub confirm: String,
}

/// Everything the project's Users tab shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPeople {
    pub members: Vec<ProjectMember>,
    pub requests: Vec<AccessRequestInfo>,
    pub invitations: Vec<InvitationInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DatasetInfo {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub file_count: i64,
    pub total_bytes: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub created_at: i64,
}

/// One dataset's page: the project, the dataset, its files and the caller's rights.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetPage {
    pub project: ProjectSummary,
    pub rights: ProjectRights,
    pub dataset: DatasetInfo,
    pub files: Vec<FileInfo>,
}

/// The registry's organization object (CONTRACTS §2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner: Option<String>,
    pub is_public: bool,
    pub accessibility: Accessibility,
    pub creation_date: String,
}

impl From<&ProjectSummary> for Org {
    fn from(p: &ProjectSummary) -> Org {
        Org {
            slug: p.slug.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            owner: p.owner.clone(),
            is_public: p.accessibility == Accessibility::Public,
            accessibility: p.accessibility,
            creation_date: crate::model::iso8601(p.created_at),
        }
    }
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
