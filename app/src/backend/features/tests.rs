//! The effective answer over (rules) × (who is asking): one table, and a
//! failure lists every cell that differs.

use super::*;

fn def(on_by_default: bool) -> Definition {
    Definition { key: "f".into(), name: "F".into(), description: String::new(), on_by_default, source: "test".into() }
}

fn site(grp: &str, blocked: bool, enabled: bool) -> RuleRow {
    RuleRow { project_id: None, grp: grp.into(), feature: "f".into(), blocked, enabled }
}

fn project(grp: &str, blocked: bool, enabled: bool) -> RuleRow {
    RuleRow { project_id: Some(1), grp: grp.into(), feature: "f".into(), blocked, enabled }
}

const CALLERS: [&str; 6] = ["owner", "member", "collaborator", "admin", "all_data_access", "outsider"];

fn caller_parts(who: &str) -> (Vec<String>, Option<ProjectRole>) {
    let user = |extra: &[&str]| extra.iter().chain(["user"].iter()).map(|s| s.to_string()).collect::<Vec<_>>();
    match who {
        "owner" => (user(&[]), Some(ProjectRole::Owner)),
        "member" => (user(&[]), Some(ProjectRole::Member)),
        "collaborator" => (user(&[]), Some(ProjectRole::Collaborator)),
        "admin" => (user(&["admin"]), None),
        "all_data_access" => (user(&["all_data_access"]), None),
        _ => (user(&[]), None),
    }
}

#[test]
fn effective_answer_table() {
    // (case, default, rules, expected for each of CALLERS, in order)
    let table: Vec<(&str, bool, Vec<RuleRow>, [bool; 6])> = vec![
        ("no rules, on by default", true, vec![], [true; 6]),
        ("no rules, off by default", false, vec![], [false; 6]),
        ("site ban", true, vec![site("", true, false)], [false; 6]),
        ("project ban", true, vec![project("", true, false)], [false; 6]),
        ("site ban beats an enable", false, vec![site("", true, false), site("Owners", false, true)], [false; 6]),
        ("project ban beats an enable", false, vec![project("", true, false), project("owner", false, true)], [false; 6]),
        ("Members blocked site-wide", true, vec![site("Members", true, false)], [true, false, true, true, true, true]),
        ("the project's member group blocked", true, vec![project("member", true, false)], [true, false, true, true, true, true]),
        ("Collaborators blocked", true, vec![site("Collaborators", true, false)], [true, true, false, true, true, true]),
        ("Owners enabled, off by default", false, vec![site("Owners", false, true)], [true, false, false, false, false, false]),
        ("project collaborators enabled", false, vec![project("collaborator", false, true)], [false, false, true, false, false, false]),
        ("all_data_access enabled", false, vec![site("role:all_data_access", false, true)], [false, false, false, false, true, false]),
        ("admins blocked", true, vec![site(ADMIN_GROUP, true, false)], [true, true, true, false, true, true]),
        ("admins enabled", false, vec![site(ADMIN_GROUP, false, true)], [false, false, false, true, false, false]),
        ("every user blocked", true, vec![site("role:user", true, false)], [false; 6]),
        ("a block beats an enable", true, vec![site("Members", false, true), project("member", true, false)], [true, false, true, true, true, true]),
        ("an enable for one group, a block for another", false, vec![site("role:user", false, true), site("Owners", true, false)], [false, true, true, true, true, true]),
        ("a cleared rule does nothing", true, vec![site("", false, false), site("Members", false, false)], [true; 6]),
        ("another feature's rule does nothing", true, vec![RuleRow { feature: "g".into(), ..site("", true, false) }], [true; 6]),
    ];
    let mut differing = Vec::new();
    for (case, default, rules, expected) in &table {
        let definition = def(*default);
        for (who, want) in CALLERS.iter().zip(expected) {
            let (roles, role) = caller_parts(who);
            let caller = Caller { roles: &roles, project: Some(("p", role)) };
            let (got, reason) = decide(Some(&definition), rules, &caller);
            if got != *want {
                differing.push(format!("{case} × {who}: expected {want}, got {got} ({})", reason.text()));
            }
        }
    }
    assert!(differing.is_empty(), "{} cells differ:\n{}", differing.len(), differing.join("\n"));
}

#[test]
fn reasons_name_the_rule_and_group() {
    let (roles, role) = caller_parts("member");
    let caller = Caller { roles: &roles, project: Some(("lab", role)) };
    let on = def(true);
    assert_eq!(decide(Some(&on), &[project("member", true, false)], &caller).1.text(), "blocked for group lab_member");
    assert_eq!(decide(Some(&on), &[site("Members", true, false)], &caller).1.text(), "blocked for group Members");
    assert_eq!(decide(Some(&on), &[project("", true, false)], &caller).1.text(), "banned in project lab");
    assert_eq!(decide(Some(&on), &[site("", true, false)], &caller).1, Reason::SiteBan);
    assert_eq!(decide(Some(&on), &[], &caller).1, Reason::OnByDefault);
    assert_eq!(decide(None, &[], &caller), (false, Reason::Unknown));
}

#[test]
fn without_a_project_only_roles_and_bans_count() {
    let roles = vec!["user".to_string()];
    let caller = Caller { roles: &roles, project: None };
    let on = def(true);
    assert!(decide(Some(&on), &[site("Members", true, false)], &caller).0, "a project group means nothing site-wide");
    assert!(!decide(Some(&on), &[site("role:user", true, false)], &caller).0);
    assert!(!decide(Some(&on), &[site("", true, false)], &caller).0);
}
