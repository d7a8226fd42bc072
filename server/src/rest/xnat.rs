//! XNAT's `/data` paths (CONTRACTS.md §3), also served under `/REST`: the
//! session entry point, projects, accessibility, project users and users,
//! with XNAT's text error bodies and its JSON `ResultSet` / CSV listings.

use super::body::Body;
use super::Caller;
use crate::ServerState;
use app::backend::auth::login::client_info_from;
use app::backend::csv_writer::CsvWriter;
use app::backend::service::{project_members, projects, sessions};
use app::model::*;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;

/// The routes, mounted under both `/data` and `/REST`.
pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/JSESSION", get(open_session).post(open_session).delete(close_session))
        .route("/projects", get(list_projects))
        .route("/projects/{id}", get(show_project).put(put_project).delete(delete_project))
        .route("/projects/{id}/accessibility", get(accessibility))
        .route("/projects/{id}/accessibility/{value}", put(set_accessibility))
        .route("/projects/{id}/users", get(project_users))
        .route("/projects/{id}/users/{group}/{login}", put(add_user).delete(remove_user))
        .route("/users", get(list_users))
        .fallback(no_such_path)
}

/// The only 401 body that makes pyxnat report a wrong password.
pub const XNAT_UNAUTHENTICATED: &str = "The request requires user authentication";

/// An error as XNAT clients expect it: plain text, never HTML, never the
/// words "Not Found" (pyxnat reads those as a broken connection).
pub fn xnat_error(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match err {
        AppError::Unauthenticated(_) => XNAT_UNAUTHENTICATED.to_string(),
        other => other.message().replace("Not Found", "Missing").replace("not found", "missing"),
    };
    text(status, body)
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

#[derive(Deserialize, Default)]
struct Format {
    format: Option<String>,
}

/// A listing in the asked format: JSON `ResultSet` (all values strings) or
/// CSV with a header row always. `columns=` is ignored: every column comes back.
fn listing(format: &Format, columns: &[&str], rows: Vec<Vec<String>>) -> Response {
    if format.format.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("csv")) {
        let mut out = CsvWriter::with_header(columns, "\n");
        for row in &rows {
            out.row(row);
        }
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out.finish()).into_response();
    }
    let results: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|row| serde_json::Value::Object(columns.iter().map(|c| c.to_string()).zip(row.into_iter().map(Into::into)).collect()))
        .collect();
    let total = results.len().to_string();
    axum::Json(serde_json::json!({ "ResultSet": { "Result": results, "totalRecords": total } })).into_response()
}

/// XNAT keeps first and last names; Gatehouse splits its display name at
/// the first space.
fn split_name(display_name: Option<&str>) -> (String, String) {
    match display_name.map(str::trim).unwrap_or_default().split_once(' ') {
        Some((first, last)) => (first.to_string(), last.trim().to_string()),
        None => (display_name.unwrap_or_default().trim().to_string(), String::new()),
    }
}

async fn open_session(State(s): State<ServerState>, caller: Caller, session: tower_sessions::Session, parts: axum::http::request::Parts) -> XnatResult {
    let client = client_info_from(&parts);
    let id = sessions::open_for_caller(&s.app, caller.get(), &session, &client).await?;
    let secure = if s.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("JSESSIONID={id}; Path=/; HttpOnly; SameSite=Lax{secure}");
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()), (header::SET_COOKIE, cookie)], id).into_response())
}

async fn close_session(State(s): State<ServerState>, caller: Caller, session: tower_sessions::Session) -> XnatResult {
    sessions::sign_out(caller.get(), &session, &s.app).await?;
    Ok(text(StatusCode::OK, String::new()))
}

const PROJECT_COLUMNS: &[&str] = &["ID", "secondary_ID", "name", "description", "pi_firstname", "pi_lastname", "URI"];

async fn list_projects(State(s): State<ServerState>, caller: Caller, Query(f): Query<Format>) -> XnatResult {
    let rows = projects::list(&s.app, caller.get())
        .await?
        .into_iter()
        .map(|p| {
            let uri = format!("/data/projects/{}", p.slug);
            vec![p.slug.clone(), p.slug, p.name, p.description, String::new(), String::new(), uri]
        })
        .collect();
    Ok(listing(&f, PROJECT_COLUMNS, rows))
}

async fn show_project(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> XnatResult {
    let p = projects::detail(&s.app, caller.get(), &id).await?.summary;
    let item = serde_json::json!({
        "items": [{
            "data_fields": { "ID": p.slug, "secondary_ID": p.slug, "name": p.name, "description": p.description },
            "meta": { "xsi:type": "xnat:projectData" }
        }]
    });
    Ok(axum::Json(item).into_response())
}

/// Project fields that `PUT /data/projects/{ID}` takes from the query or a body.
#[derive(Deserialize, Default)]
struct ProjectFields {
    name: Option<String>,
    description: Option<String>,
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
async fn put_project(
    State(s): State<ServerState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Body<ProjectFields>, super::ApiError>,
) -> XnatResult {
    let body = body.map_err(|e| XnatError(e.0))?.0;
    let from_query = ProjectFields {
        name: query.get("name").cloned(),
        description: query.get("description").cloned(),
        accessibility: query.get("accessibility").cloned(),
    };
    let fields = from_query.or(body);
    let accessibility = fields.accessibility.as_deref().map(|text| parse_accessibility(text, "accessibility")).transpose()?;
    let changes = ProjectChanges { name: fields.name, description: fields.description, accessibility, version: None };
    let status = match projects::put(&s.app, caller.get(), &id, &changes).await? {
        projects::Put::Created => StatusCode::CREATED,
        projects::Put::Updated => StatusCode::OK,
    };
    Ok(text(status, String::new()))
}

async fn delete_project(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> XnatResult {
    projects::delete(&s.app, caller.get(), &id).await?;
    Ok(text(StatusCode::OK, String::new()))
}

async fn accessibility(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> XnatResult {
    let p = projects::detail(&s.app, caller.get(), &id).await?.summary;
    Ok(text(StatusCode::OK, p.accessibility.as_str().to_string()))
}

async fn set_accessibility(State(s): State<ServerState>, caller: Caller, Path((id, value)): Path<(String, String)>) -> XnatResult {
    let accessibility = parse_accessibility(&value, "accessibility")?;
    let changes = ProjectChanges { accessibility: Some(accessibility), ..Default::default() };
    projects::update(&s.app, caller.get(), &id, &changes).await?;
    Ok(text(StatusCode::OK, accessibility.as_str().to_string()))
}

const PROJECT_USER_COLUMNS: &[&str] = &["role", "login", "firstname", "lastname", "email", "GROUP_ID", "displayname"];

async fn project_users(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>, Query(f): Query<Format>) -> XnatResult {
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
    Ok(listing(&f, PROJECT_USER_COLUMNS, rows))
}

fn parse_group(group: &str, project: &str) -> Result<ProjectRole, AppError> {
    ProjectRole::parse(group, project)
        .ok_or_else(|| AppError::validation("group", format!("Unknown group {group}: use Owners, Members or Collaborators")))
}

async fn add_user(State(s): State<ServerState>, caller: Caller, Path((id, group, login)): Path<(String, String, String)>) -> XnatResult {
    let role = parse_group(&group, &id)?;
    project_members::set_member(&s.app, caller.get(), &id, &login, role).await?;
    Ok(text(StatusCode::OK, String::new()))
}

async fn remove_user(State(s): State<ServerState>, caller: Caller, Path((id, group, login)): Path<(String, String, String)>) -> XnatResult {
    parse_group(&group, &id)?;
    project_members::remove_member(&s.app, caller.get(), &id, &login).await?;
    Ok(text(StatusCode::OK, String::new()))
}

const USER_COLUMNS: &[&str] = &["login", "firstname", "lastname", "email", "xdat_user_id", "enabled"];

async fn list_users(State(s): State<ServerState>, caller: Caller, Query(f): Query<Format>) -> XnatResult {
    let rows = project_members::visible_people(&s.app, caller.get())
        .await?
        .into_iter()
        .map(|u| {
            let (first, last) = split_name(u.display_name.as_deref());
            vec![u.username, first, last, u.email.unwrap_or_default(), u.id.to_string(), u.enabled.to_string()]
        })
        .collect();
    Ok(listing(&f, USER_COLUMNS, rows))
}
