//! The admin panel's user and role server functions over HTTP: the list's
//! search, filters, sorts and keyset pages; edits with optimistic
//! concurrency; enable/disable, unlock, delete and their refusals.


use app::api::roles::*;
use app::api::users::*;
use app::model::*;
use crate::common::*;
use gatehouse_server::config::Config;

const ADMIN_PASSWORD: &str = "admin-password-1";

async fn admin(server: &TestServer) -> Client {
    let client = Client::new(&server.base);
    assert_eq!(client.login("admin", ADMIN_PASSWORD).await.status(), 200);
    client
}

async fn list(client: &Client, query: UserQuery) -> UserListPage {
    let res = client.call("/api/admin/users/list", &ListUsers { query }).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn edit_of(client: &Client, username: &str) -> UserEdit {
    let res = client.call("/api/admin/users/get", &GetUser { username: username.into() }).await;
    assert_eq!(res.status(), 200);
    res.json::<(UserEdit, UserFacts)>().await.unwrap().0
}

/// The usernames on every page of a list, following the cursors.
async fn all_pages(client: &Client, query: UserQuery) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = list(client, UserQuery { after, ..query.clone() }).await;
        seen.extend(page.items.into_iter().map(|u| u.username));
        match page.next {
            Some(cursor) => after = cursor,
            None => return seen,
        }
    }
}

/// A term matching more users than the index hands over walks the list in
/// its sort order; a rarer one fetches its candidates. Both page alike.
#[tokio::test]
async fn common_and_rare_search_terms_page_alike() {
    use app::backend::store::user_list::CANDIDATE_CAP;
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        let count = CANDIDATE_CAP + 120;
        server.create_many_users("walker", count, "walker-password").await;
        let client = admin(&server).await;
        let newest_first: Vec<String> = (0..count).rev().map(|n| format!("walker{n:03}")).collect();

        // First with the sample taken before the users existed (the index
        // offers too many candidates for "walker", so the list walks), then
        // with a fresh one (which plans the walk at once).
        for sampled in [false, true] {
            if sampled {
                app::backend::jobs::search_upkeep::resample(server.state()).await.unwrap();
            }
            for term in ["walker", "WA", "@example.org"] {
                let found = all_pages(&client, UserQuery { search: term.into(), ..UserQuery::default() }).await;
                assert_eq!(found, newest_first, "{} (sampled: {sampled}): every match once, newest first, for {term:?}", db.label);
            }
            let by_name = all_pages(&client, UserQuery { search: "walker".into(), sort: "username".into(), ..UserQuery::default() }).await;
            assert_eq!(by_name.first().map(String::as_str), Some("walker000"));
            assert_eq!(by_name.len(), count);

            let rare = all_pages(&client, UserQuery { search: "walker1".into(), ..UserQuery::default() }).await;
            let expected: Vec<String> = (100..200).rev().map(|n| format!("walker{n:03}")).collect();
            assert_eq!(rare, expected, "{}", db.label);
            let one = all_pages(&client, UserQuery { search: "er61".into(), sort: "username".into(), ..UserQuery::default() }).await;
            assert_eq!(one, (610..620).map(|n| format!("walker{n}")).collect::<Vec<_>>());
            assert!(all_pages(&client, UserQuery { search: "walker9999".into(), ..UserQuery::default() }).await.is_empty());
        }
    }
}

#[tokio::test]
async fn list_search_filter_sort_and_pages() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_many_users("member", 120, "member-password").await;
        let client = admin(&server).await;

        // Newest first by default, 50 a page, keyset cursors through all 121.
        let first = list(&client, UserQuery::default()).await;
        assert_eq!(first.items.len(), 50, "{}", db.label);
        assert_eq!(first.items[0].username, "member119");
        let seen = all_pages(&client, UserQuery::default()).await;
        assert_eq!(seen.len(), 121, "{}", db.label);
        assert_eq!(seen.last().map(String::as_str), Some("admin"));
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 121, "no row twice across pages");

        // Search by username, display name or email, in any case.
        let found = list(&client, UserQuery { search: "MEMBER11".into(), ..UserQuery::default() }).await;
        assert_eq!(found.items.len(), 10, "member110..member119");
        assert_eq!(list(&client, UserQuery { search: "fixture person".into(), ..UserQuery::default() }).await.items.len(), 50);
        let by_email = list(&client, UserQuery { search: "member007@EXAMPLE".into(), ..UserQuery::default() }).await;
        assert_eq!(by_email.items.len(), 1);
        assert_eq!(list(&client, UserQuery { search: "%".into(), ..UserQuery::default() }).await.items.len(), 0, "wildcards are literal");
        assert_eq!(list(&client, UserQuery { search: "1_".into(), ..UserQuery::default() }).await.items.len(), 0, "so is _");
        assert_eq!(list(&client, UserQuery { search: "r01".into(), ..UserQuery::default() }).await.items.len(), 10, "member010..member019");
        // The search index follows edits.
        server.execute("UPDATE users SET display_name = 'Zebra Quagga' WHERE username = 'member011'").await;
        let renamed = list(&client, UserQuery { search: "zebra q".into(), ..UserQuery::default() }).await;
        assert_eq!(renamed.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["member011"]);
        server.execute("UPDATE users SET display_name = 'Fixture Person' WHERE username = 'member011'").await;
        assert_eq!(list(&client, UserQuery { search: "zebra".into(), ..UserQuery::default() }).await.items.len(), 0);

        // Sort by username; filter by role and status.
        let by_name = list(&client, UserQuery { sort: "username".into(), ..UserQuery::default() }).await;
        assert_eq!(by_name.items[0].username, "admin");
        assert_eq!(by_name.items[1].username, "member000");
        let page2 = list(&client, UserQuery { sort: "username".into(), after: by_name.next.unwrap(), ..UserQuery::default() }).await;
        assert_eq!(page2.items[0].username, "member049");
        let admins = list(&client, UserQuery { role: "admin".into(), ..UserQuery::default() }).await;
        assert_eq!(admins.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["admin"]);
        assert_eq!(admins.items[0].active_sessions, 1, "the admin's own session counts");

        let res = client.call("/api/admin/users/enable", &SetUserEnabled { username: "member005".into(), enabled: false }).await;
        assert_eq!(res.status(), 200);
        let disabled = list(&client, UserQuery { status: "disabled".into(), ..UserQuery::default() }).await;
        assert_eq!(disabled.items.len(), 1);
        assert!(!disabled.items[0].enabled);
        assert_eq!(list(&client, UserQuery { status: "enabled".into(), ..UserQuery::default() }).await.items.len(), 50);

        // Locked accounts show up under "locked" and can be unlocked.
        let stranger = Client::new(&server.base);
        for _ in 0..5 {
            stranger.login("member006", "wrong").await;
        }
        let locked = list(&client, UserQuery { status: "locked".into(), ..UserQuery::default() }).await;
        assert_eq!(locked.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["member006"]);
        assert_eq!(client.call("/api/admin/users/unlock", &UnlockUser { username: "member006".into() }).await.status(), 200);
        assert_eq!(stranger.login("member006", "member-password").await.status(), 200, "{}", db.label);

        // Non-admins are refused.
        let member = Client::new(&server.base);
        member.login("member001", "member-password").await;
        let res = member.call("/api/admin/users/list", &ListUsers { query: UserQuery::default() }).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("Admin access required"));
    }
}

#[tokio::test]
async fn edits_are_checked_and_stale_ones_change_nothing() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("hana", "hana-password").await;
        let client = admin(&server).await;
        let hana = Client::new(&server.base);
        assert_eq!(hana.login("hana", "hana-password").await.status(), 200);

        let mut edit = edit_of(&client, "HANA").await;
        assert_eq!(edit.roles, ["user"]);
        edit.display_name = "Hana Sato".into();
        edit.email = "hana@example.org".into();
        edit.roles = vec!["user".into(), "all_data_access".into()];
        edit.max_storage_mb = "512".into();
        edit.metadata = r#"{"department": "Radiology"}"#.into();
        let stale = edit.clone();
        let res = client.call("/api/admin/users/save", &SaveUser { edit: edit.clone() }).await;
        assert_eq!(res.status(), 200, "{}: {}", db.label, res.text().await.unwrap());

        // Blank password kept the old one, and hana's session lives on.
        assert_eq!(hana.whoami().await.as_deref(), Some("hana"));
        let saved = edit_of(&client, "hana").await;
        assert_eq!(saved.display_name, "Hana Sato");
        assert_eq!(saved.max_storage_mb, "512");
        assert!(saved.metadata.contains("Radiology"));
        assert_eq!(saved.version, edit.version + 1);

        // The same edit again, from a stale page: 409 and nothing changes.
        let mut late = stale;
        late.display_name = "Someone Else".into();
        let res = client.call("/api/admin/users/save", &SaveUser { edit: late }).await;
        assert_eq!(res.status(), 409, "{}", db.label);
        assert!(res.text().await.unwrap().contains(STALE_EDIT));
        assert_eq!(edit_of(&client, "hana").await.display_name, "Hana Sato");

        // Validation names the field and keeps the data.
        for (mutate, field) in [
            (Box::new(|e: &mut UserEdit| e.email = "nope".into()) as Box<dyn Fn(&mut UserEdit)>, "email"),
            (Box::new(|e: &mut UserEdit| e.password = "short".into()), "password"),
            (Box::new(|e: &mut UserEdit| e.max_storage_mb = "-3".into()), "max_storage_mb"),
            (Box::new(|e: &mut UserEdit| e.metadata = "[1, 2]".into()), "metadata"),
            (Box::new(|e: &mut UserEdit| e.roles = vec!["ghost".into()]), "roles"),
        ] {
            let mut bad = saved.clone();
            mutate(&mut bad);
            let res = client.call("/api/admin/users/save", &SaveUser { edit: bad }).await;
            assert_eq!(res.status(), 400, "{field}");
            let err: AppError = res.json().await.unwrap();
            assert_eq!(err.field(), Some(field));
        }
        assert_eq!(edit_of(&client, "hana").await.version, saved.version, "failed saves change nothing");

        // A new password ends hana's sessions; the new one works.
        let mut new_password = saved.clone();
        new_password.password = "hana-new-password".into();
        assert_eq!(client.call("/api/admin/users/save", &SaveUser { edit: new_password }).await.status(), 200);
        assert!(hana.whoami().await.is_none(), "{}", db.label);
        assert_eq!(hana.login("hana", "hana-new-password").await.status(), 200);

        // Disabling through the edit form also ends sessions.
        let mut off = edit_of(&client, "hana").await;
        off.enabled = false;
        assert_eq!(client.call("/api/admin/users/save", &SaveUser { edit: off }).await.status(), 200);
        assert!(hana.whoami().await.is_none());
    }
}

#[tokio::test]
async fn refusals_for_self_and_the_last_admin() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("ivan", "ivan-password").await;
        let client = admin(&server).await;

        let res = client.call("/api/admin/users/enable", &SetUserEnabled { username: "admin".into(), enabled: false }).await;
        assert_eq!(res.status(), 409, "{}", db.label);
        assert!(res.text().await.unwrap().contains("cannot disable your own account"));
        let res = client.call("/api/admin/users/delete", &DeleteUser { username: "admin".into(), heir: String::new() }).await;
        assert_eq!(res.status(), 409);
        let mut demote = edit_of(&client, "admin").await;
        demote.roles = vec!["user".into()];
        let res = client.call("/api/admin/users/save", &SaveUser { edit: demote }).await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("last enabled admin"));

        // Disabling ivan logs his browser out on its next request.
        let ivan = Client::new(&server.base);
        ivan.login("ivan", "ivan-password").await;
        assert_eq!(client.call("/api/admin/users/enable", &SetUserEnabled { username: "ivan".into(), enabled: false }).await.status(), 200);
        assert!(ivan.whoami().await.is_none(), "{}", db.label);
        assert_eq!(ivan.get("/").await.status(), 303);
        assert_eq!(client.call("/api/admin/users/enable", &SetUserEnabled { username: "ivan".into(), enabled: true }).await.status(), 200);
        assert_eq!(ivan.login("ivan", "ivan-password").await.status(), 200);

        assert_eq!(client.call("/api/admin/users/delete", &DeleteUser { username: "ivan".into(), heir: String::new() }).await.status(), 200);
        assert!(ivan.whoami().await.is_none());
        let res = client.call("/api/admin/users/get", &GetUser { username: "ivan".into() }).await;
        assert_eq!(res.status(), 404);

        // Roles from the Roles page: field errors, then delete with force.
        let res = client.call("/api/admin/roles/create", &CreateRole { role_name: "curators".into() }).await;
        assert_eq!(res.status(), 200);
        let res = client.call("/api/admin/roles/create", &CreateRole { role_name: "Curators".into() }).await;
        assert_eq!(res.status(), 409, "a duplicate is a conflict on the field, as on REST");
        assert_eq!(res.json::<AppError>().await.unwrap().field(), Some("role_name"));
        let roles: Vec<RoleInfo> = client.call("/api/admin/roles/list", &ListRoles {}).await.json().await.unwrap();
        assert_eq!(roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["admin", "all_data_access", "user", "curators"]);
        assert_eq!(roles[0].holders, 1);
        assert_eq!(client.call("/api/admin/roles/delete", &DeleteRole { role_name: "curators".into(), force: true }).await.status(), 200);
    }
}

#[tokio::test]
async fn bulk_actions_report_each_user() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_many_users("bulk", 3, "bulk-password").await;
        let client = admin(&server).await;
        let victim = Client::new(&server.base);
        victim.login("bulk001", "bulk-password").await;

        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let bulk = |action: &str, role: &str, users: Vec<String>| BulkUsers { action: action.into(), role: role.into(), usernames: users };
        let res = client.call("/api/admin/users/bulk", &bulk("disable", "", names(&["bulk000", "admin", "bulk001", "ghost"]))).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        let report: Vec<BulkOutcome> = res.json().await.unwrap();
        let summary: Vec<(&str, bool)> = report.iter().map(|o| (o.username.as_str(), o.done)).collect();
        assert_eq!(summary, [("bulk000", true), ("admin", false), ("bulk001", true), ("ghost", false)]);
        assert!(report[1].message.contains("own account"), "{}", report[1].message);
        assert_eq!(report[3].message, "No such user: ghost");
        assert!(victim.whoami().await.is_none(), "{}: bulk disable ends sessions", db.label);

        let res = client.call("/api/admin/users/bulk", &bulk("add_role", "all_data_access", names(&["bulk002"]))).await;
        let report: Vec<BulkOutcome> = res.json().await.unwrap();
        assert!(report[0].done);
        assert_eq!(edit_of(&client, "bulk002").await.roles, ["all_data_access", "user"]);
        let res = client.call("/api/admin/users/bulk", &bulk("remove_role", "admin", names(&["admin"]))).await;
        let report: Vec<BulkOutcome> = res.json().await.unwrap();
        assert!(!report[0].done && report[0].message.contains("last enabled admin"), "{report:?}");
        let res = client.call("/api/admin/users/bulk", &bulk("delete", "", names(&["bulk000", "bulk001"]))).await;
        let report: Vec<BulkOutcome> = res.json().await.unwrap();
        assert!(report.iter().all(|o| o.done));
        assert_eq!(client.call("/api/admin/users/bulk", &bulk("explode", "", names(&["bulk002"]))).await.status(), 400);
    }
}

#[tokio::test]
async fn csv_export_follows_the_filters() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_many_users("csv", 1205, "csv-password").await;
        let client = admin(&server).await;

        let res = client.get("/admin/users/export.csv?search=CSV00&sort=username").await;
        assert_eq!(res.status(), 200, "{}", db.label);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let body = res.text().await.unwrap();
        let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "username,display_name,email,roles,enabled,verified,approved,created,last_login");
        assert_eq!(lines.len(), 11, "csv000..csv009 and the header");
        assert!(lines[1].starts_with("csv000,Fixture Person,csv000@example.org,user,true,true,true,"), "{}", lines[1]);

        // Every matching user, across more than one internal page.
        let all = client.get("/admin/users/export.csv").await.text().await.unwrap();
        assert_eq!(all.split("\r\n").filter(|l| !l.is_empty()).count(), 1 + 1206, "{}", db.label);

        let member = Client::new(&server.base);
        member.login("csv001", "csv-password").await;
        let res = member.get("/admin/users/export.csv").await;
        assert_eq!(res.status(), 403);
        assert_eq!(Client::new(&server.base).get("/admin/users/export.csv").await.status(), 401);
    }
}

#[tokio::test]
async fn csv_import_checks_then_applies_each_row_whole() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("existing", "existing-password").await;
        let client = admin(&server).await;
        let csv = "username,display_name,email,roles,enabled\n\
                   ana,Ana Lima,ana@example.org,user all_data_access,true\n\
                   bad name,Nobody,,,\n\
                   EXISTING,Clash,,,\n\
                   carl,Carl,not-an-email,,\n\
                   dina,\"Dina, PhD\",dina@example.org,ghost-role,\n\
                   eve,Eve,ANA@example.org,,false\n\
                   ana,Twice,,,\n\
                   finn,Finn,finn@example.org,,no\n";
        let call = |dry_run: bool| ImportUsers { csv: csv.into(), first_line: 2, dry_run };

        let res = client.call("/api/admin/users/import", &call(true)).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        let report: ImportReport = res.json().await.unwrap();
        assert_eq!((report.rows, report.created), (8, 2), "{}: {report:?}", db.label);
        let problems: Vec<(i64, &str)> = report.problems.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(problems, [
            (3, "Username may only contain letters, digits, dots, underscores and hyphens"),
            (4, "Username already exists"),
            (5, "Enter a valid email address, like name@example.org"),
            (6, "Unknown role: ghost-role"),
            (7, "Email already in use"),
            (8, "Username already exists"),
        ]);
        let page = client.call("/api/admin/users/list", &ListUsers { query: UserQuery::default() }).await;
        assert_eq!(page.json::<UserListPage>().await.unwrap().items.len(), 2, "a dry run changes nothing");

        let report: ImportReport = client.call("/api/admin/users/import", &call(false)).await.json().await.unwrap();
        assert_eq!(report.created, 2, "{}", db.label);
        let ana = edit_of(&client, "ana").await;
        assert_eq!(ana.roles, ["all_data_access", "user"]);
        assert_eq!(ana.display_name, "Ana Lima");
        assert!(!edit_of(&client, "finn").await.enabled);
        // Imported users have no password until an admin sets one.
        assert_eq!(Client::new(&server.base).login("ana", "!").await.status(), 401);

        // Importing again creates nothing new.
        let again: ImportReport = client.call("/api/admin/users/import", &call(false)).await.json().await.unwrap();
        assert_eq!(again.created, 0);

        let res = client.call("/api/admin/users/import", &ImportUsers { csv: "name,email\nx,y\n".into(), first_line: 2, dry_run: true }).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("username column"));
    }
}
