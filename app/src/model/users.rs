//! Users, roles, tokens and storage as the registry API (seed 004) shapes
//! them: camelCase JSON, ISO 8601 UTC times, byte counts as integers.

use serde::{Deserialize, Serialize};

/// A user in lists: `GET /users`, and what create and update return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub user_name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub organizations: Vec<String>,
}

/// `GET /users/detailed`: the summary plus storage and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDetailed {
    #[serde(flatten)]
    pub summary: UserSummary,
    pub storage_quota: Option<i64>,
    pub storage_used: i64,
    pub organization_count: i64,
    pub dataset_count: i64,
    pub created_date: String,
}

/// `POST /users` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserRequest {
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub roles: Option<Vec<String>>,
}

/// `PUT /users/{userName}` body: absent fields stay as they are; an empty
/// email removes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserRequest {
    pub email: Option<String>,
    pub roles: Option<Vec<String>>,
}

/// `POST /users/authenticate` body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthenticateRequest {
    pub username: Option<String>,
    pub password: Option<String>,
}

/// What `POST /users/authenticate` and its refresh return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    pub token: String,
    pub expires: String,
    pub user_name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
}

/// `POST /users/changepwd` and `PUT /users/{userName}/changepwd` bodies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub old_password: Option<String>,
    pub new_password: Option<String>,
}

/// `POST /users/roles` body and response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRequest {
    pub role_name: Option<String>,
}

/// `GET /users/storage`: quota in bytes (`None` = unlimited) and bytes used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageInfo {
    pub total: Option<i64>,
    pub used: i64,
}

/// ISO 8601 UTC with `Z`, to the second, from Unix milliseconds.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_705_314_600_000), "2024-01-15T10:30:00Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}

/// A role as the admin Roles page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    pub name: String,
    pub builtin: bool,
    pub holders: i64,
}
