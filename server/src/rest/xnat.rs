//! XNAT's `/data` paths (CONTRACTS.md §3), also served under `/REST`: the
//! session entry point, projects, accessibility, project users and users,
//! with XNAT's text error bodies and its JSON `ResultSet` / CSV listings.

use super::body::Body;
use super::xnat_prefixes::xnat_error;
use super::{ApiError, Caller};
use crate::ServerState;
use app::backend::auth::login::client_info_from;
use app::backend::csv_writer::CsvWriter;
use app::backend::service::{features, project_members, projects, sessions};
use app::model::*;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const TAG: &str = "xnat";

/// The routes with their OpenAPI operations (`rest::openapi`), mounted
/// under both `/data` and `/REST`.
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(open_session, close_session))
        .routes(routes!(list_projects))
        .routes(routes!(show_project, put_project, delete_project))
        .routes(routes!(accessibility))
        .routes(routes!(set_accessibility))
        .routes(routes!(project_users))
        .routes(routes!(add_user, remove_user))
        .routes(routes!(list_users))
        .fallback(no_such_path)
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

/// A listing as JSON: every value a string.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResultSet {
    #[serde(rename = "ResultSet")]
    result_set: Results,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Results {
    #[serde(rename = "Result")]
    result: Vec<BTreeMap<String, String>>,
    /// The row count, as a string.
    #[serde(rename = "totalRecords")]
    total_records: String,
}

/// `GET /data/projects/{ID}` in XNAT's item shape.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectItems {
    items: Vec<ProjectItem>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectItem {
    data_fields: ProjectDataFields,
    meta: ProjectMeta,
}

#[derive(Serialize, utoipa::ToSchema)]
#[allow(non_snake_case)]
pub struct ProjectDataFields {
    ID: String,
    secondary_ID: String,
    name: String,
    description: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectMeta {
    /// `xnat:projectData`.
    #[serde(rename = "xsi:type")]
    xsi_type: &'static str,
}

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

pub struct XnatError(AppError);

impl From<AppError> for XnatError {
    fn from(err: AppError) -> Self {
        XnatError(err)
    }
}

impl IntoResponse for XnatError {
    fn into_response(self) -> Response {
        xnat_error(&self.0)
    }
}

type XnatResult = Result<Response, XnatError>;

async fn no_such_path(uri: axum::http::Uri) -> Response {
    xnat_error(&AppError::NotFound(format!("No such resource: {}", uri.path())))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Format {
    /// `json` (the default) or `csv`, in any letter case.
    format: Option<String>,
}

/// Whether a listing is asked for as CSV (else JSON); asked before any
/// work. CSV is an export: it needs the `export_csv` feature, as the admin
/// exports do (403 otherwise; JSON stays open).
async fn wants_csv(s: &ServerState, caller: &Caller, format: &Format) -> Result<bool, AppError> {
    match format.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => {
            features::require(&s.app, caller.get(), None, features::EXPORT_CSV).await?;
            Ok(true)
        }
        Some(_) => Err(AppError::validation("format", "format: use json or csv")),
    }
}

/// A listing in the asked format: JSON `ResultSet` (all values strings) or
/// CSV with a header row always. `columns=` is ignored: every column comes back.
fn listing(csv: bool, columns: &[&str], rows: Vec<Vec<String>>) -> Response {
    if csv {
        let mut out = CsvWriter::with_header(columns, "\n");
        for row in &rows {
            out.row(row);
        }
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out.finish()).into_response();
    }
    let result: Vec<BTreeMap<String, String>> =
        rows.into_iter().map(|row| columns.iter().map(|c| c.to_string()).zip(row).collect()).collect();
    let total_records = result.len().to_string();
    axum::Json(ResultSet { result_set: Results { result, total_records } }).into_response()
}

/// XNAT keeps first and last names; Gatehouse splits its display name at
/// the first space.
fn split_name(display_name: Option<&str>) -> (String, String) {
    match display_name.map(str::trim).unwrap_or_default().split_once(' ') {
        Some((first, last)) => (first.to_string(), last.trim().to_string()),
        None => (display_name.unwrap_or_default().trim().to_string(), String::new()),
    }
}

/// Opens a session for a caller who came with a credential and answers its
/// id (also set as the `JSESSIONID` cookie); a session's own caller gets its id back.
#[utoipa::path(method(get, post), path = "/JSESSION", tag = TAG,
    responses((status = 200, body = String, content_type = "text/plain", headers(("set-cookie" = String, description = "`JSESSIONID=…`")))))]
async fn open_session(State(s): State<ServerState>, caller: Caller, session: tower_sessions::Session, parts: axum::http::request::Parts) -> XnatResult {
    let client = client_info_from(&parts);
    let id = sessions::open_for_caller(&s.app, caller.get(), &session, &client).await?;
    let secure = if s.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("JSESSIONID={id}; Path=/; HttpOnly; SameSite=Lax{secure}");
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()), (header::SET_COOKIE, cookie)], id).into_response())
}

/// Ends the caller's session.
#[utoipa::path(delete, path = "/JSESSION", tag = TAG, security((), ("basic" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = String, content_type = "text/plain", description = "Empty")))]
async fn close_session(State(s): State<ServerState>, caller: Caller, session: tower_sessions::Session) -> XnatResult {
    sessions::sign_out(caller.get(), &session, &s.app).await?;
    Ok(text(StatusCode::OK, String::new()))
}

const PROJECT_COLUMNS: &[&str] = &["ID", "secondary_ID", "name", "description", "pi_firstname", "pi_lastname", "URI"];

/// The projects the caller may see (`columns=` is ignored).
#[utoipa::path(get, path = "/projects", tag = TAG, params(Format),
    responses((status = 200, content((ResultSet = "application/json"), (String = "text/csv"))), (status = 403, description = "CSV needs the export_csv feature")))]
async fn list_projects(State(s): State<ServerState>, caller: Caller, Query(f): Query<Format>) -> XnatResult {
    let csv = wants_csv(&s, &caller, &f).await?;
    let rows = projects::list(&s.app, caller.get())
        .await?
        .into_iter()
        .map(|p| {
            let uri = format!("/data/projects/{}", p.slug);
            vec![p.slug.clone(), p.slug, p.name, p.description, String::new(), String::new(), uri]
        })
        .collect();
    Ok(listing(csv, PROJECT_COLUMNS, rows))
}

/// One project in XNAT's item shape.
#[utoipa::path(get, path = "/projects/{id}", tag = TAG, params(("id" = String, Path, description = "Project ID (any letter case)")),
    responses((status = 200, body = ProjectItems), (status = 404, description = "No such project (or not visible)")))]
async fn show_project(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> XnatResult {
    let p = projects::detail(&s.app, caller.get(), &id).await?.summary;
    let data_fields = ProjectDataFields { ID: p.slug.clone(), secondary_ID: p.slug, name: p.name, description: p.description };
    let item = ProjectItems { items: vec![ProjectItem { data_fields, meta: ProjectMeta { xsi_type: "xnat:projectData" } }] };
    Ok(axum::Json(item).into_response())
}

/// Project fields that `PUT /data/projects/{ID}` takes from the query or a
/// body (other query keys, such as `xsiType=xnat:projectData`, are ignored).
#[derive(Deserialize, Default, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ProjectFields {
    name: Option<String>,
    description: Option<String>,
    /// `public`, `protected` or `private`.
    accessibility: Option<String>,
}

impl ProjectFields {
    fn or(self, other: ProjectFields) -> ProjectFields {
        ProjectFields {
            name: self.name.or(other.name),
            description: self.description.or(other.description),
            accessibility: self.accessibility.or(other.accessibility),
        }
    }
}

/// Creates the project (201), or updates the given fields of one the
/// caller manages (200); the service decides which.
/// Creates a project (the caller owns it), or updates the given fields of
/// one the caller manages. Fields come from the query or the body.
#[utoipa::path(put, path = "/projects/{id}", tag = TAG, params(("id" = String, Path, description = "Project ID (any letter case)"), ProjectFields),
    request_body(content((ProjectFields = "application/json"), (ProjectFields = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = String, content_type = "text/plain", description = "Updated (empty body)"),
        (status = 201, body = String, content_type = "text/plain", description = "Created (empty body)"),
        (status = 400, description = "Invalid field"), (status = 403, description = "Not allowed"),
        (status = 409, description = "The ID is taken")))]
async fn put_project(
    State(s): State<ServerState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(from_query): Query<ProjectFields>,
    body: Result<Body<ProjectFields>, ApiError>,
) -> XnatResult {
    let body = body.map_err(|e| XnatError(e.0))?.0;
    let fields = from_query.or(body);
    let accessibility = fields.accessibility.as_deref().map(|text| parse_accessibility(text, "accessibility")).transpose()?;
    let changes = ProjectChanges { name: fields.name, description: fields.description, accessibility, version: None };
    let status = match projects::put(&s.app, caller.get(), &id, &changes).await? {
        projects::Put::Created => StatusCode::CREATED,
        projects::Put::Updated => StatusCode::OK,
    };
    Ok(text(status, String::new()))
}

/// Deletes a project and its data (owner or admin; `removeFiles` is accepted and ignored).
#[utoipa::path(delete, path = "/projects/{id}", tag = TAG, params(("id" = String, Path, description = "Project ID (any letter case)")),
    responses((status = 200, body = String, content_type = "text/plain", description = "Empty"), (status = 403, description = "Not allowed"),
        (status = 404, description = "No such project (or not visible)")))]
async fn delete_project(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> XnatResult {
    projects::delete(&s.app, caller.get(), &id).await?;
    Ok(text(StatusCode::OK, String::new()))
}

/// `public`, `protected` or `private`.
#[utoipa::path(get, path = "/projects/{id}/accessibility", tag = TAG, params(("id" = String, Path, description = "Project ID (any letter case)")),
    responses((status = 200, body = Accessibility, content_type = "text/plain"), (status = 404, description = "No such project (or not visible)")))]
async fn accessibility(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> XnatResult {
    let p = projects::detail(&s.app, caller.get(), &id).await?.summary;
    Ok(text(StatusCode::OK, p.accessibility.as_str().to_string()))
}

/// Sets a project's accessibility (owner or admin).
#[utoipa::path(put, path = "/projects/{id}/accessibility/{value}", tag = TAG, params(("id" = String, Path, description = "Project ID (any letter case)"), ("value" = String, Path, description = "`public`, `protected` or `private`")),
    responses((status = 200, body = Accessibility, content_type = "text/plain"), (status = 400, description = "Unknown value"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such project (or not visible)"),
        (status = 409, description = "Changed meanwhile")))]
async fn set_accessibility(State(s): State<ServerState>, caller: Caller, Path((id, value)): Path<(String, String)>) -> XnatResult {
    let accessibility = parse_accessibility(&value, "accessibility")?;
    let changes = ProjectChanges { accessibility: Some(accessibility), ..Default::default() };
    projects::update(&s.app, caller.get(), &id, &changes).await?;
    Ok(text(StatusCode::OK, accessibility.as_str().to_string()))
}

const PROJECT_USER_COLUMNS: &[&str] = &["role", "login", "firstname", "lastname", "email", "GROUP_ID", "displayname"];

/// A project's users, one row each (members and admins).
#[utoipa::path(get, path = "/projects/{id}/users", tag = TAG, params(("id" = String, Path, description = "Project ID (any letter case)"), Format),
    responses((status = 200, content((ResultSet = "application/json"), (String = "text/csv"))), (status = 403, description = "Not allowed"),
        (status = 404, description = "No such project (or not visible)")))]
async fn project_users(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>, Query(f): Query<Format>) -> XnatResult {
    let csv = wants_csv(&s, &caller, &f).await?;
    let slug = projects::detail(&s.app, caller.get(), &id).await?.summary.slug;
    let rows = project_members::members(&s.app, caller.get(), &slug)
        .await?
        .into_iter()
        .map(|m| {
            let (first, last) = split_name(m.display_name.as_deref());
            let group_id = format!("{slug}_{}", m.role.as_str());
            vec![m.role.as_str().into(), m.username, first, last, m.email.unwrap_or_default(), group_id, m.role.group().into()]
        })
        .collect();
    Ok(listing(csv, PROJECT_USER_COLUMNS, rows))
}

fn parse_group(group: &str, project: &str) -> Result<ProjectRole, AppError> {
    ProjectRole::parse(group, project)
        .ok_or_else(|| AppError::validation("group", format!("Unknown group {group}: use Owners, Members or Collaborators")))
}

/// Puts a user in a group of a project (moving them from another; owner or admin).
#[utoipa::path(put, path = "/projects/{id}/users/{group}/{login}", tag = TAG,
    params(("id" = String, Path, description = "Project ID (any letter case)"), ("group" = String, Path, description = "`Owners`, `Members` or `Collaborators` (any case; also `owner`, `{ID}_owner`…)"), ("login" = String, Path)),
    responses((status = 200, body = String, content_type = "text/plain", description = "Empty"), (status = 400, description = "Unknown group"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such project or user"),
        (status = 409, description = "The last owner cannot move")))]
async fn add_user(State(s): State<ServerState>, caller: Caller, Path((id, group, login)): Path<(String, String, String)>) -> XnatResult {
    let role = parse_group(&group, &id)?;
    project_members::set_member(&s.app, caller.get(), &id, &login, role).await?;
    Ok(text(StatusCode::OK, String::new()))
}

/// Takes a user out of a project (owner or admin).
#[utoipa::path(delete, path = "/projects/{id}/users/{group}/{login}", tag = TAG,
    params(("id" = String, Path, description = "Project ID (any letter case)"), ("group" = String, Path, description = "As for PUT"), ("login" = String, Path)),
    responses((status = 200, body = String, content_type = "text/plain", description = "Empty"), (status = 400, description = "Unknown group"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such project or user"),
        (status = 409, description = "The last owner")))]
async fn remove_user(State(s): State<ServerState>, caller: Caller, Path((id, group, login)): Path<(String, String, String)>) -> XnatResult {
    parse_group(&group, &id)?;
    project_members::remove_member(&s.app, caller.get(), &id, &login).await?;
    Ok(text(StatusCode::OK, String::new()))
}

const USER_COLUMNS: &[&str] = &["login", "firstname", "lastname", "email", "xdat_user_id", "enabled"];

/// Users: admins see all, others those sharing a project with them.
#[utoipa::path(get, path = "/users", tag = TAG, params(Format), responses((status = 200, content((ResultSet = "application/json"), (String = "text/csv"))),
    (status = 403, description = "CSV needs the export_csv feature")))]
async fn list_users(State(s): State<ServerState>, caller: Caller, Query(f): Query<Format>) -> XnatResult {
    let csv = wants_csv(&s, &caller, &f).await?;
    let rows = project_members::visible_people(&s.app, caller.get())
        .await?
        .into_iter()
        .map(|u| {
            let (first, last) = split_name(u.display_name.as_deref());
            vec![u.username, first, last, u.email.unwrap_or_default(), u.id.to_string(), u.enabled.to_string()]
        })
        .collect();
    Ok(listing(csv, USER_COLUMNS, rows))
}
