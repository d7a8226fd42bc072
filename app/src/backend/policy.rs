//! The single authorization decision. Every server function, REST handler
//! and page guard asks here; nothing else decides who may do what.

use crate::backend::auth::{Credential, Principal};
use crate::backend::state::SiteSettings;
use crate::backend::time::{now_ms, DAY_MS, MINUTE_MS};
use crate::model::{Accessibility, AppError, ProjectRights, ProjectRole};

/// Something a caller wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See and use their own account pages.
    ViewOwnAccount,
    /// Change their own password (allowed even while a change is forced).
    ChangeOwnPassword,
    /// Anything an ordinary signed-in user may do on the site.
    UseSite,
    /// Open the admin panel and use admin functions.
    Administer,
    /// Read what the public pages show (is registration open, password rules).
    ReadPublicSiteInfo,
    /// Create an account at `/register` (the service checks that it is open).
    Register,
    /// Ask for a reset or verification link, follow one, reset a password.
    RecoverAccount,
    /// Issue, revoke or set one's own alias tokens, access tokens and
    /// service keys. Never through a token: only the password's credentials.
    ManageOwnCredentials,
    /// An admin setting someone's password, issuing or revoking their
    /// tokens, or setting the site's service keys; also anything that
    /// reveals a credential or a link granting one, or that gives an
    /// account a way in (`admin_change_action`). Never through a token.
    AdministerCredentials,
}

/// What an admin's change to accounts reaches beyond their records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountChange {
    /// Sets a password (including creating an account with one).
    pub sets_password: bool,
    /// Moves an account's email, where its reset links go.
    pub moves_email: bool,
    /// Makes an account an admin.
    pub grants_admin: bool,
    /// Lifts a lockout, so password guessing can go on.
    pub lifts_lockout: bool,
    /// Creates accounts (reachable by whoever holds their email).
    pub creates_accounts: bool,
}

/// The action an admin's change to accounts needs, by its effect: one that
/// sets a credential, or gives someone a way into an account (a new
/// address for its reset links, the admin role, a new account, another
/// round of guessing), needs the password's credentials, so a leaked
/// token cannot take over or keep an account.
pub fn admin_change_action(change: AccountChange) -> Action {
    if change == AccountChange::default() {
        Action::Administer
    } else {
        Action::AdministerCredentials
    }
}

pub const SIGN_IN_REQUIRED: &str = "Please sign in";
/// The answer of a password-only door (HTTP Basic, `/users/authenticate`
/// without `otp`, `/data/JSESSION`) to an account with a second factor,
/// given only after its password was verified.
pub const TWO_FACTOR_REQUIRED: &str = "This account uses two-factor sign-in: use an access token or an alias token";
pub const PASSWORD_EXPIRED: &str = "Password expired: sign in to the web page to choose a new one";

/// When a password set at `changed_at` expires under the site's expiry of
/// `days` (0 = passwords never expire); a `non_expiring` account's never does.
pub fn password_expires_at(changed_at: i64, non_expiring: bool, days: i64) -> Option<i64> {
    (days > 0 && !non_expiring).then(|| changed_at.saturating_add(days.saturating_mul(DAY_MS)))
}

/// The refusal for a caller who must sign in (or whose account is gone).
pub fn sign_in_required() -> AppError {
    AppError::Unauthenticated(SIGN_IN_REQUIRED.into())
}
pub const ADMIN_REQUIRED: &str = "Admin access required";
pub const PASSWORD_CHANGE_REQUIRED: &str = "You must change your password before continuing";
pub const TOKENS_CANNOT_MANAGE_CREDENTIALS: &str =
    "Alias and access tokens cannot change passwords, tokens or keys: sign in with your password for that";

/// What decides whether an account may act at all, whichever door and
/// credential it comes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub enabled: bool,
    pub verified: bool,
    pub approved: bool,
}

pub const ACCOUNT_DISABLED: &str = "This account is disabled. Contact an administrator.";
pub const EMAIL_UNVERIFIED: &str = "Please verify your email address first: follow the link in the email we sent you.";
pub const AWAITING_APPROVAL: &str = "Your account is waiting for approval by an administrator.";

/// Why an account may not act (`None`: it may). One answer for every door:
/// sign-in, a session, a JWT and HTTP Basic all ask here. What binds a
/// credential to the account (its generation, its username) is the
/// credential's own check, in `auth`.
pub fn account_refusal(standing: Standing) -> Option<&'static str> {
    if !standing.enabled {
        Some(ACCOUNT_DISABLED)
    } else if !standing.verified {
        Some(EMAIL_UNVERIFIED)
    } else if !standing.approved {
        Some(AWAITING_APPROVAL)
    } else {
        None
    }
}

pub fn may_act(standing: Standing) -> bool {
    account_refusal(standing).is_none()
}

/// Allows or refuses `action` for `principal`; returns the principal on success.
pub fn authorize(principal: Option<&Principal>, action: Action) -> Result<&Principal, AppError> {
    let Some(p) = principal else {
        return Err(sign_in_required());
    };
    if p.must_change_password && action != Action::ChangeOwnPassword {
        return Err(AppError::Forbidden(PASSWORD_CHANGE_REQUIRED.into()));
    }
    let about_credentials = matches!(action, Action::ChangeOwnPassword | Action::ManageOwnCredentials | Action::AdministerCredentials);
    if about_credentials && p.credential.is_delegated() {
        return Err(AppError::Forbidden(TOKENS_CANNOT_MANAGE_CREDENTIALS.into()));
    }
    match action {
        Action::ViewOwnAccount | Action::ChangeOwnPassword | Action::UseSite | Action::ManageOwnCredentials => Ok(p),
        Action::ReadPublicSiteInfo | Action::Register | Action::RecoverAccount => Ok(p),
        Action::Administer | Action::AdministerCredentials if p.is_admin() => Ok(p),
        Action::Administer | Action::AdministerCredentials => Err(AppError::Forbidden(ADMIN_REQUIRED.into())),
    }
}

/// The one check of every sensitive action ("sudo mode"): setting or
/// clearing a password or second factor, creating an account with a
/// password, changing one's own email, issuing tokens or service keys,
/// changing security settings or audit retention, deleting users, reading
/// another person's service key. It passes when the caller proved the
/// sign-in (password, and second factor when the account has one) within
/// the site's re-authentication window; a token or a JWT never has. Else
/// 403 `{"error": "Confirm your password to continue", "reauth": true}`,
/// which the page answers with its password dialog and a retry.
pub fn require_recent_sign_in(caller: &Principal, settings: &SiteSettings) -> Result<(), AppError> {
    let window = settings.reauth_window_minutes.max(0).saturating_mul(MINUTE_MS);
    let now = now_ms();
    // A JWT counts from its chain's password sign-in (seed 004's scripts
    // sign in and act at once); access and alias tokens never count.
    let by_sign_in = matches!(caller.credential, Credential::Session | Credential::Password | Credential::Jwt);
    match caller.proven_at {
        Some(at) if by_sign_in && now.saturating_sub(at) <= window => Ok(()),
        _ => Err(AppError::reauth()),
    }
}

/// Whether `caller` may resolve a site service key in clear whose
/// "may be read by" list is `readers`: admins, and holders of a named role.
pub fn may_read_site_key(caller: &Principal, readers: &[String]) -> bool {
    caller.is_admin() || readers.iter().any(|r| caller.has_role(r))
}

/// The action a change of site settings needs. A change that weakens
/// sign-in (Admin → Security's lockout, session and expiry values, a
/// shorter minimum password, tokens without expiry) or lets accounts in
/// without an admin (opening registration or invitations, dropping
/// verification or approval, guests without sign-in) is a credential
/// matter, which a token may not do: a leaked admin token could otherwise
/// open the door it is refused when creating accounts. Anything else is
/// plain administration.
pub fn settings_change_action(old: &SiteSettings, new: &SiteSettings) -> Action {
    let security = (old.password_expiry_days, old.lockout_threshold, old.lockout_minutes, old.session_idle_minutes, old.session_lifetime_minutes, old.inactive_days, old.reauth_window_minutes)
        != (new.password_expiry_days, new.lockout_threshold, new.lockout_minutes, new.session_idle_minutes, new.session_lifetime_minutes, new.inactive_days, new.reauth_window_minutes);
    let turned_on = |was: bool, is: bool| !was && is;
    let opens = turned_on(old.registration_open, new.registration_open)
        || turned_on(old.owners_may_invite_new_people, new.owners_may_invite_new_people)
        || turned_on(!old.require_email_verification, !new.require_email_verification)
        || turned_on(!old.require_admin_approval, !new.require_admin_approval)
        || turned_on(!old.require_login, !new.require_login)
        || turned_on(old.allow_non_expiring_tokens, new.allow_non_expiring_tokens)
        || new.password_min_length < old.password_min_length;
    if security || opens {
        Action::AdministerCredentials
    } else {
        Action::Administer
    }
}

/// Someone's sessions: the caller's own (`username` None or their own name)
/// or, for an admin, anyone's. Returns the caller and whether the account
/// is their own.
pub fn authorize_sessions_of<'p>(principal: Option<&'p Principal>, username: Option<&str>) -> Result<(&'p Principal, bool), AppError> {
    let caller = authorize(principal, Action::ViewOwnAccount)?;
    match username {
        Some(name) if !name.eq_ignore_ascii_case(&caller.username) => authorize(principal, Action::Administer).map(|c| (c, false)),
        _ => Ok((caller, true)),
    }
}

/// Whose sessions a caller may end by id: `None` = anyone's (admins).
pub fn session_revoke_scope(caller: &Principal) -> Option<i64> {
    (!caller.is_admin()).then_some(caller.user_id)
}

/// An account's storage or metadata (the registry's rule): one's own
/// (`named` false) for any signed-in user, a named account for admins only.
pub fn authorize_account_data(principal: Option<&Principal>, named: bool) -> Result<&Principal, AppError> {
    authorize(principal, if named { Action::Administer } else { Action::UseSite })
}

/// What a caller wants to do in one project: SPEC §3's rows, plus seeing
/// that the project exists, reading its user list, and asking for a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProjectAction {
    See,
    Read,
    Create,
    Update,
    Delete,
    Manage,
    ViewMembers,
    RequestAccess,
}

impl ProjectAction {
    pub const ALL: [ProjectAction; 8] = [
        ProjectAction::See,
        ProjectAction::Read,
        ProjectAction::Create,
        ProjectAction::Update,
        ProjectAction::Delete,
        ProjectAction::Manage,
        ProjectAction::ViewMembers,
        ProjectAction::RequestAccess,
    ];
}

/// The facts about one project that the decision needs.
#[derive(Clone, Copy, Debug)]
pub struct ProjectFacts<'a> {
    pub slug: &'a str,
    pub accessibility: Accessibility,
    /// The caller's group in the project, if any.
    pub role: Option<ProjectRole>,
}

pub const MEMBER_REQUIRED: &str = "Project member access required";
pub const OWNER_REQUIRED: &str = "Project owner access required";
pub const READ_NEEDS_ROLE: &str = "You need a role in this project to see its data; request access";
pub const REQUEST_NOT_NEEDED: &str = "Access requests are for protected projects you are not in";

/// SPEC §3's table: whether a group may do `action`.
fn role_allows(role: ProjectRole, action: ProjectAction) -> bool {
    use ProjectAction::*;
    match role {
        ProjectRole::Owner => action != RequestAccess,
        ProjectRole::Member => matches!(action, See | Read | Create | Update | ViewMembers),
        ProjectRole::Collaborator => matches!(action, See | Read | ViewMembers),
    }
}

/// What anyone signed in may do by the project's accessibility alone.
fn signed_in_allows(accessibility: Accessibility, action: ProjectAction) -> bool {
    use ProjectAction::*;
    match accessibility {
        Accessibility::Public => matches!(action, See | Read | Create | Update),
        Accessibility::Protected => matches!(action, See | RequestAccess),
        Accessibility::Private => false,
    }
}

/// Whether `principal` (None = anonymous guest) may do `action`; guests are
/// only ever let in when `require_login` is off, and then read public projects.
/// A member's group decides alone, as SPEC §3's table reads: a Collaborator
/// of a public project reads only, though a non-member could add data — an
/// owner who makes someone a Collaborator means "read only".
pub fn project_allows(principal: Option<&Principal>, require_login: bool, facts: &ProjectFacts, action: ProjectAction) -> bool {
    let Some(p) = principal else {
        return !require_login
            && facts.accessibility == Accessibility::Public
            && matches!(action, ProjectAction::See | ProjectAction::Read);
    };
    if p.must_change_password {
        return false;
    }
    if p.is_admin() {
        return action != ProjectAction::RequestAccess;
    }
    let by_role = match facts.role {
        Some(role) => role_allows(role, action),
        None => signed_in_allows(facts.accessibility, action),
    };
    let by_site_role = p.has_role("all_data_access") && matches!(action, ProjectAction::See | ProjectAction::Read);
    by_role || by_site_role
}

/// Allows `action` or says why not: an unseen project is 404, a guest is
/// asked to sign in, anyone else is told which role the action needs.
pub fn authorize_project(
    principal: Option<&Principal>,
    require_login: bool,
    facts: &ProjectFacts,
    action: ProjectAction,
) -> Result<(), AppError> {
    if let Some(p) = principal {
        authorize(Some(p), Action::UseSite)?;
    }
    if project_allows(principal, require_login, facts, action) {
        return Ok(());
    }
    let unseen = !project_allows(principal, require_login, facts, ProjectAction::See);
    if principal.is_none() && (require_login || facts.accessibility != Accessibility::Private) {
        return Err(sign_in_required());
    }
    if unseen {
        return Err(AppError::NotFound(format!("No such project: {}", facts.slug)));
    }
    let message = match action {
        ProjectAction::See | ProjectAction::Read => READ_NEEDS_ROLE,
        ProjectAction::Create | ProjectAction::Update | ProjectAction::ViewMembers => MEMBER_REQUIRED,
        ProjectAction::Delete | ProjectAction::Manage => OWNER_REQUIRED,
        ProjectAction::RequestAccess => REQUEST_NOT_NEEDED,
    };
    Err(AppError::Forbidden(message.into()))
}

/// Lets a caller look for projects at all: an anonymous guest only when
/// the site does not require login (asked before any lookup, so nothing
/// about which projects exist leaks); signed-in callers pass here and are
/// checked per project.
pub fn admit_to_projects(principal: Option<&Principal>, require_login: bool) -> Result<(), AppError> {
    match principal {
        None if require_login => Err(sign_in_required()),
        _ => Ok(()),
    }
}

/// Which projects a listing shows; a caller's own projects always show.
/// It is [`project_allows`]'s `See` answer for every project at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProjectListScope {
    /// Every project (admins and `all_data_access`).
    pub all: bool,
    /// Protected projects too (anyone signed in).
    pub protected: bool,
    /// Public projects (anyone allowed to browse).
    pub public: bool,
}

impl ProjectListScope {
    /// Whether a project of `accessibility` is listed, for a caller who
    /// is (or is not) in one of its groups.
    pub fn shows(&self, accessibility: Accessibility, in_project: bool) -> bool {
        self.all
            || in_project
            || match accessibility {
                Accessibility::Public => self.public,
                Accessibility::Protected => self.protected,
                Accessibility::Private => false,
            }
    }
}

/// The projects a listing may show `principal` (None = anonymous guest),
/// or why it may show none.
pub fn project_list_scope(principal: Option<&Principal>, require_login: bool) -> Result<ProjectListScope, AppError> {
    admit_to_projects(principal, require_login)?;
    let Some(p) = principal else {
        return Ok(ProjectListScope { all: false, protected: false, public: true });
    };
    authorize(Some(p), Action::UseSite)?;
    Ok(ProjectListScope { all: p.is_admin() || p.has_role("all_data_access"), protected: true, public: true })
}

/// Everything the caller may do in a project, for the pages to show.
pub fn project_rights(principal: Option<&Principal>, require_login: bool, facts: &ProjectFacts) -> ProjectRights {
    let can = |action| project_allows(principal, require_login, facts, action);
    ProjectRights {
        read: can(ProjectAction::Read),
        create: can(ProjectAction::Create),
        update: can(ProjectAction::Update),
        delete: can(ProjectAction::Delete),
        manage: can(ProjectAction::Manage),
        request_access: can(ProjectAction::RequestAccess),
        ..ProjectRights::default()
    }
}

/// What the caller sees of a project's people (the Users tab, XNAT's
/// project users), decided once per list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberView {
    viewer: Option<i64>,
    admin: bool,
    /// The pending access requests and the invitations, and the email
    /// addresses members shared by how they joined: the project's owners
    /// and admins.
    pub manages: bool,
}

/// How a membership began (`memberships.joined_by`): the project's
/// creator, an accepted invitation, an approved access request, added by
/// an owner, added by an admin.
pub const JOINED_CREATED: &str = "created";
pub const JOINED_INVITATION: &str = "invitation";
pub const JOINED_REQUEST: &str = "request";
pub const JOINED_ADDED: &str = "added";
pub const JOINED_ADMIN: &str = "admin";

/// The ways of joining by which a member shows their email address to the
/// project's owners: they answered an invitation sent to it, or asked to join.
pub const JOINS_SHARING_EMAIL: [&str; 2] = [JOINED_INVITATION, JOINED_REQUEST];

/// `joined_by` for a membership `principal` makes by adding someone.
pub fn joined_by_adding(principal: Option<&Principal>) -> &'static str {
    if principal.is_some_and(Principal::is_admin) { JOINED_ADMIN } else { JOINED_ADDED }
}

/// Whether a project owner (not an admin) may add someone by their email
/// address: only someone whose address the owner already sees (see
/// [`sees_person_email`]), so that the answer tells nothing new.
pub fn adds_by_email(principal: Option<&Principal>, person_id: i64, email_shared_with_caller: bool) -> bool {
    sees_person_email(principal, person_id, email_shared_with_caller)
}

/// Whether an invitation's link may create an account: an admin's always;
/// an owner's while registration is open or the site lets owners invite
/// new people (`owners_may_invite_new_people`).
pub fn invitation_creates_account(by_admin: bool, registration_open: bool, owners_may_invite_new_people: bool) -> bool {
    by_admin || registration_open || owners_may_invite_new_people
}

impl MemberView {
    fn of(principal: Option<&Principal>, require_login: bool, facts: &ProjectFacts) -> MemberView {
        MemberView {
            viewer: principal.map(|p| p.user_id),
            admin: principal.is_some_and(Principal::is_admin),
            manages: project_allows(principal, require_login, facts, ProjectAction::Manage),
        }
    }

    /// Whether the list shows `member_id`'s email address: their own
    /// always, anyone's to admins, and to the project's owners only when
    /// the member joined by invitation or request (`joined_by`).
    pub fn shows_email_of(&self, member_id: i64, joined_by: &str) -> bool {
        self.viewer == Some(member_id) || self.admin || (self.manages && JOINS_SHARING_EMAIL.contains(&joined_by))
    }
}

/// Whether the caller may see the project's member list (its members and
/// admins), and what of it: the one answer for a list of a project's people.
pub fn member_view(principal: Option<&Principal>, require_login: bool, facts: &ProjectFacts) -> Result<MemberView, AppError> {
    authorize_project(principal, require_login, facts, ProjectAction::ViewMembers)?;
    Ok(MemberView::of(principal, require_login, facts))
}

/// Whether the caller may read the email address of `member_id`, a person
/// in the project's groups who joined by `joined_by`: their own always;
/// other people's as an admin, or as one of the project's owners when the
/// member joined by invitation or request (members and collaborators see names).
pub fn sees_member_email(principal: Option<&Principal>, require_login: bool, facts: &ProjectFacts, member_id: i64, joined_by: &str) -> bool {
    MemberView::of(principal, require_login, facts).shows_email_of(member_id, joined_by)
}

/// Whom a site-wide list of people (XNAT's `/data/users`) shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeopleScope {
    /// The caller, who is always listed, with whoever shares a project with them.
    pub viewer: i64,
    /// Every account (admins).
    pub everyone: bool,
}

/// Signed-in callers may list people: admins everyone, others themselves
/// and whoever shares a project with them.
pub fn people_scope(principal: Option<&Principal>) -> Result<PeopleScope, AppError> {
    let p = authorize(principal, Action::UseSite)?;
    Ok(PeopleScope { viewer: p.user_id, everyone: p.is_admin() })
}

/// The same rule for a site-wide list of people (XNAT's `/data/users`):
/// an email shows to its owner, to admins, and to the owner of a project
/// the person joined by invitation or request (`email_shared_with_caller`).
pub fn sees_person_email(principal: Option<&Principal>, person_id: i64, email_shared_with_caller: bool) -> bool {
    principal.is_some_and(|p| p.user_id == person_id || p.is_admin() || email_shared_with_caller)
}

/// Allows or refuses an action that needs no sign-in: the public pages'
/// actions are open to anyone, signed in or not; any other action goes
/// through [`authorize`].
pub fn authorize_public(principal: Option<&Principal>, action: Action) -> Result<(), AppError> {
    match action {
        Action::ReadPublicSiteInfo | Action::Register | Action::RecoverAccount => Ok(()),
        other => authorize(principal, other).map(|_| ()),
    }
}

/// What a full page load of `path` should do for `principal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageAccess {
    Allow,
    /// Send to the sign-in page, then back to this path.
    SignIn,
    /// Send to the forced password change page.
    ChangePassword,
    /// Render the page, which shows the refusal.
    Forbidden,
}

pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

/// Pages anyone may open: signing in, registering, and account recovery
/// (the email links lead to `/verify` and `/reset`).
pub const PUBLIC_PAGES: &[&str] = &["/login", "/register", "/forgot", "/verify", "/reset"];

fn is_public_page(path: &str) -> bool {
    PUBLIC_PAGES.contains(&path) || path.starts_with("/invitations/")
}

fn is_project_page(path: &str) -> bool {
    path == "/projects" || path.starts_with("/projects/")
}

/// `guests_browse`: the "require login" setting is off, so anonymous
/// visitors may open the project pages (which show public projects only).
pub fn page_access(principal: Option<&Principal>, path: &str, guests_browse: bool) -> PageAccess {
    if is_public_page(path) || (principal.is_none() && guests_browse && is_project_page(path)) {
        return PageAccess::Allow;
    }
    let action = if path == CHANGE_PASSWORD_PATH {
        Action::ChangeOwnPassword
    } else if path == "/admin" || path.starts_with("/admin/") {
        Action::Administer
    } else {
        Action::UseSite
    };
    match authorize(principal, action) {
        Ok(_) => PageAccess::Allow,
        Err(AppError::Unauthenticated(_)) => PageAccess::SignIn,
        Err(AppError::Forbidden(m)) if m == PASSWORD_CHANGE_REQUIRED => PageAccess::ChangePassword,
        Err(_) => PageAccess::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[&str], must_change: bool) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: None,
            email: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            must_change_password: must_change,
            password_expires_at: None,
            session_key: None,
            credential: Credential::Session,
            proven_at: Some(now_ms()),
            own_storage: None,
        }
    }

    #[test]
    fn site_roles() {
        let admin = user(&["admin"], false);
        let plain = user(&["user"], false);
        let all = [Action::ViewOwnAccount, Action::ChangeOwnPassword, Action::UseSite, Action::Administer];
        for action in all {
            assert!(authorize(Some(&admin), action).is_ok(), "{action:?}");
            assert_eq!(
                authorize(None, action).unwrap_err(),
                AppError::Unauthenticated(SIGN_IN_REQUIRED.into())
            );
        }
        assert!(authorize(Some(&plain), Action::UseSite).is_ok());
        assert_eq!(
            authorize(Some(&plain), Action::Administer).unwrap_err(),
            AppError::Forbidden(ADMIN_REQUIRED.into())
        );
        // all_data_access reads data but does not administer.
        assert!(authorize(Some(&user(&["all_data_access"], false)), Action::Administer).is_err());
    }

    #[test]
    fn sensitive_actions_need_a_recent_proven_sign_in_never_a_token() {
        let settings = SiteSettings { reauth_window_minutes: 10, ..SiteSettings::default() };
        let at = |minutes_ago: i64| Some(now_ms() - minutes_ago * MINUTE_MS);
        let fresh = Principal { proven_at: at(9), ..user(&["admin"], false) };
        assert!(require_recent_sign_in(&fresh, &settings).is_ok());
        let stale = Principal { proven_at: at(11), ..user(&["admin"], false) };
        assert_eq!(require_recent_sign_in(&stale, &settings).unwrap_err(), AppError::reauth());
        assert!(require_recent_sign_in(&stale, &SiteSettings { reauth_window_minutes: 12, ..settings.clone() }).is_ok(), "the window is the setting's");
        let never = Principal { proven_at: None, ..user(&["admin"], false) };
        assert!(require_recent_sign_in(&never, &settings).unwrap_err().is_reauth());
        for credential in [Credential::AliasToken(1), Credential::AccessToken(1)] {
            let token = Principal { credential, proven_at: at(0), ..user(&["admin"], false) };
            assert!(require_recent_sign_in(&token, &settings).unwrap_err().is_reauth(), "{credential:?}");
        }
        // A JWT's proof is its chain's password sign-in: recent, then not.
        let jwt = |minutes_ago| Principal { credential: Credential::Jwt, proven_at: at(minutes_ago), ..user(&["admin"], false) };
        assert!(require_recent_sign_in(&jwt(9), &settings).is_ok());
        assert!(require_recent_sign_in(&jwt(11), &settings).unwrap_err().is_reauth());
        let wire = serde_json::to_value(AppError::reauth()).unwrap();
        assert_eq!(wire, serde_json::json!({"error": "Confirm your password to continue", "reauth": true}));
        assert_eq!(serde_json::from_value::<AppError>(wire).unwrap(), AppError::reauth(), "the client reads it back");
        let other: AppError = serde_json::from_str(r#"{"Forbidden":"x"}"#).unwrap();
        assert_eq!(other, AppError::Forbidden("x".into()));
    }

    #[test]
    fn tokens_act_as_their_user_but_never_manage_credentials() {
        for credential in [Credential::AliasToken(1), Credential::AccessToken(1)] {
            let admin = Principal { credential, ..user(&["admin"], false) };
            for action in [Action::ViewOwnAccount, Action::UseSite, Action::Administer] {
                assert!(authorize(Some(&admin), action).is_ok(), "{credential:?} {action:?}");
            }
            for action in [Action::ChangeOwnPassword, Action::ManageOwnCredentials, Action::AdministerCredentials] {
                assert_eq!(
                    authorize(Some(&admin), action).unwrap_err(),
                    AppError::Forbidden(TOKENS_CANNOT_MANAGE_CREDENTIALS.into()),
                    "{credential:?} {action:?}"
                );
            }
        }
        let token_admin = Principal { credential: Credential::AccessToken(1), ..user(&["admin"], false) };
        let reaches = [
            AccountChange { sets_password: true, ..Default::default() },
            AccountChange { moves_email: true, ..Default::default() },
            AccountChange { grants_admin: true, ..Default::default() },
            AccountChange { lifts_lockout: true, ..Default::default() },
            AccountChange { creates_accounts: true, ..Default::default() },
        ];
        for change in reaches {
            assert_eq!(admin_change_action(change), Action::AdministerCredentials, "{change:?}");
            assert!(authorize(Some(&token_admin), admin_change_action(change)).is_err(), "{change:?}");
        }
        assert!(authorize(Some(&token_admin), admin_change_action(AccountChange::default())).is_ok());
        for credential in [Credential::Session, Credential::Jwt, Credential::Password] {
            let plain = Principal { credential, ..user(&["user"], false) };
            assert!(authorize(Some(&plain), Action::ManageOwnCredentials).is_ok());
            assert_eq!(authorize(Some(&plain), Action::AdministerCredentials).unwrap_err(), AppError::Forbidden(ADMIN_REQUIRED.into()));
        }
    }

    #[test]
    fn settings_that_open_a_door_are_a_credential_matter() {
        use crate::backend::state::SiteSettings;
        let old = SiteSettings::default();
        let plain = SiteSettings { notify_admins: !old.notify_admins, password_min_length: old.password_min_length + 2, ..old.clone() };
        assert_eq!(settings_change_action(&old, &old), Action::Administer);
        assert_eq!(settings_change_action(&old, &plain), Action::Administer, "closing doors is plain administration");
        let opening = [
            SiteSettings { registration_open: true, ..old.clone() },
            SiteSettings { owners_may_invite_new_people: true, ..old.clone() },
            SiteSettings { require_email_verification: false, ..old.clone() },
            SiteSettings { require_admin_approval: false, ..old.clone() },
            SiteSettings { require_login: false, ..old.clone() },
            SiteSettings { password_min_length: old.password_min_length - 1, ..old.clone() },
            SiteSettings { lockout_threshold: old.lockout_threshold + 1, ..old.clone() },
            SiteSettings { session_idle_minutes: old.session_idle_minutes - 1, ..old.clone() },
            SiteSettings { inactive_days: old.inactive_days + 1, ..old.clone() },
        ];
        for new in &opening {
            assert_eq!(settings_change_action(&old, new), Action::AdministerCredentials, "{new:?}");
        }
        let no_expiry_off = SiteSettings { allow_non_expiring_tokens: false, ..old.clone() };
        assert_eq!(settings_change_action(&no_expiry_off, &old), Action::AdministerCredentials);
        assert_eq!(settings_change_action(&old, &no_expiry_off), Action::Administer);
    }

    #[test]
    fn forced_password_change_blocks_everything_else() {
        let fresh_admin = user(&["admin"], true);
        assert!(authorize(Some(&fresh_admin), Action::ChangeOwnPassword).is_ok());
        for action in [Action::ViewOwnAccount, Action::UseSite, Action::Administer] {
            assert_eq!(
                authorize(Some(&fresh_admin), action).unwrap_err(),
                AppError::Forbidden(PASSWORD_CHANGE_REQUIRED.into())
            );
        }
        assert_eq!(page_access(Some(&fresh_admin), "/", false), PageAccess::ChangePassword);
        assert_eq!(page_access(Some(&fresh_admin), "/admin", false), PageAccess::ChangePassword);
        assert_eq!(page_access(Some(&fresh_admin), CHANGE_PASSWORD_PATH, false), PageAccess::Allow);
    }

    #[test]
    fn member_emails_only_for_owners_admins_and_oneself() {
        let facts = |role| ProjectFacts { slug: "p", accessibility: Accessibility::Public, role };
        let me = user(&["user"], false);
        let owner = facts(Some(ProjectRole::Owner));
        for joined in JOINS_SHARING_EMAIL {
            assert!(sees_member_email(Some(&me), true, &owner, 2, joined), "{joined}");
        }
        for joined in [JOINED_CREATED, JOINED_ADDED, JOINED_ADMIN] {
            assert!(!sees_member_email(Some(&me), true, &owner, 2, joined), "an owner, {joined}");
            assert!(sees_member_email(Some(&user(&["admin"], false)), true, &facts(None), 2, joined), "an admin, {joined}");
        }
        for role in [Some(ProjectRole::Member), Some(ProjectRole::Collaborator), None] {
            assert!(!sees_member_email(Some(&me), true, &facts(role), 2, JOINED_INVITATION), "{role:?}");
            assert!(sees_member_email(Some(&me), true, &facts(role), me.user_id, JOINED_ADDED), "their own, as {role:?}");
        }
        assert!(!sees_member_email(Some(&user(&["all_data_access"], false)), true, &facts(None), 2, JOINED_INVITATION));
        assert!(!sees_member_email(None, false, &facts(None), 2, JOINED_INVITATION));
        assert!(sees_person_email(Some(&me), 2, true) && !sees_person_email(Some(&me), 2, false));
        assert!(sees_person_email(Some(&me), me.user_id, false));
        assert!(sees_person_email(Some(&user(&["admin"], false)), 2, false));
    }

    #[test]
    fn people_lists_by_site_role() {
        for (roles, everyone) in [(&["admin"][..], true), (&["all_data_access"], false), (&["user"], false)] {
            assert_eq!(people_scope(Some(&user(roles, false))).unwrap(), PeopleScope { viewer: 1, everyone }, "{roles:?}");
        }
        assert_eq!(people_scope(None).unwrap_err(), sign_in_required());
        assert!(people_scope(Some(&user(&["admin"], true))).is_err());
    }

    const ACCESSIBILITIES: [Accessibility; 3] = [Accessibility::Public, Accessibility::Protected, Accessibility::Private];
    const MEMBERSHIPS: [Option<ProjectRole>; 4] = [None, Some(ProjectRole::Owner), Some(ProjectRole::Member), Some(ProjectRole::Collaborator)];

    #[test]
    fn guests_reach_projects_only_when_login_is_not_required() {
        assert_eq!(admit_to_projects(None, true).unwrap_err(), sign_in_required());
        assert!(admit_to_projects(None, false).is_ok());
        for require_login in [true, false] {
            assert!(admit_to_projects(Some(&user(&["user"], false)), require_login).is_ok());
        }
        assert_eq!(project_list_scope(None, true).unwrap_err(), sign_in_required());
        assert_eq!(
            project_list_scope(Some(&user(&["admin"], true)), false).unwrap_err(),
            AppError::Forbidden(PASSWORD_CHANGE_REQUIRED.into())
        );
    }

    /// Site role × accessibility → listed to a non-member; and for every
    /// membership the list agrees with the one-project `See` decision.
    #[test]
    fn project_lists_show_what_each_caller_may_see() {
        let (admin, reader, plain) = (user(&["admin"], false), user(&["all_data_access"], false), user(&["user"], false));
        let table: [(&str, Option<&Principal>, bool, [bool; 3]); 5] = [
            ("guest, login not required", None, false, [true, false, false]),
            ("user", Some(&plain), false, [true, true, false]),
            ("user, login required", Some(&plain), true, [true, true, false]),
            ("all_data_access", Some(&reader), true, [true, true, true]),
            ("admin", Some(&admin), true, [true, true, true]),
        ];
        for (who, principal, require_login, listed) in table {
            let scope = project_list_scope(principal, require_login).unwrap();
            for (accessibility, listed) in ACCESSIBILITIES.into_iter().zip(listed) {
                assert_eq!(scope.shows(accessibility, false), listed, "{who}, {accessibility:?}");
                let memberships: &[Option<ProjectRole>] = if principal.is_some() { &MEMBERSHIPS } else { &[None] };
                for &role in memberships {
                    let facts = ProjectFacts { slug: "p", accessibility, role };
                    let sees = project_allows(principal, require_login, &facts, ProjectAction::See);
                    assert_eq!(scope.shows(accessibility, role.is_some()), sees, "{who}, {accessibility:?}, {role:?}");
                }
            }
        }
    }

    /// Caller × accessibility × membership → what the member list shows.
    #[test]
    fn member_lists_by_role_accessibility_and_membership() {
        fn answer(view: Result<MemberView, AppError>) -> &'static str {
            match view {
                Ok(v) if v.manages => "manages",
                Ok(_) => "names",
                Err(AppError::Unauthenticated(_)) => "sign in",
                Err(AppError::NotFound(_)) => "not found",
                Err(AppError::Forbidden(m)) if m == MEMBER_REQUIRED => "forbidden",
                Err(other) => panic!("{other:?}"),
            }
        }
        let (admin, reader, plain) = (user(&["admin"], false), user(&["all_data_access"], false), user(&["user"], false));
        let table: [(&str, Option<&Principal>, Option<ProjectRole>, [&str; 3]); 7] = [
            ("owner", Some(&plain), Some(ProjectRole::Owner), ["manages", "manages", "manages"]),
            ("member", Some(&plain), Some(ProjectRole::Member), ["names", "names", "names"]),
            ("collaborator", Some(&plain), Some(ProjectRole::Collaborator), ["names", "names", "names"]),
            ("outsider", Some(&plain), None, ["forbidden", "forbidden", "not found"]),
            ("all_data_access", Some(&reader), None, ["forbidden", "forbidden", "forbidden"]),
            ("admin", Some(&admin), None, ["manages", "manages", "manages"]),
            ("guest", None, None, ["sign in", "sign in", "not found"]),
        ];
        for (who, principal, role, answers) in table {
            for (accessibility, expected) in ACCESSIBILITIES.into_iter().zip(answers) {
                let facts = ProjectFacts { slug: "p", accessibility, role };
                assert_eq!(answer(member_view(principal, false, &facts)), expected, "{who}, {accessibility:?}");
            }
        }
        let as_member = member_view(Some(&plain), true, &ProjectFacts { slug: "p", accessibility: Accessibility::Private, role: Some(ProjectRole::Member) }).unwrap();
        assert!(as_member.shows_email_of(plain.user_id, JOINED_ADDED) && !as_member.shows_email_of(2, JOINED_INVITATION));
        let as_owner = member_view(Some(&plain), true, &ProjectFacts { slug: "p", accessibility: Accessibility::Private, role: Some(ProjectRole::Owner) }).unwrap();
        assert!(as_owner.shows_email_of(2, JOINED_REQUEST) && !as_owner.shows_email_of(2, JOINED_ADDED));
    }

    #[test]
    fn pages() {
        let plain = user(&["user"], false);
        assert_eq!(page_access(None, "/login", false), PageAccess::Allow);
        for public in ["/register", "/forgot", "/verify", "/reset"] {
            assert_eq!(page_access(None, public, false), PageAccess::Allow, "{public}");
        }
        assert!(authorize_public(None, Action::Register).is_ok());
        assert!(authorize_public(None, Action::RecoverAccount).is_ok());
        assert!(authorize_public(None, Action::Administer).is_err());
        assert_eq!(page_access(None, "/admin/settings", false), PageAccess::SignIn);
        assert_eq!(page_access(Some(&plain), "/admin/outbox", false), PageAccess::Forbidden);
        assert_eq!(page_access(None, "/", false), PageAccess::SignIn);
        assert_eq!(page_access(None, "/account", false), PageAccess::SignIn);
        assert_eq!(page_access(Some(&plain), "/account", false), PageAccess::Allow);
        assert_eq!(page_access(Some(&plain), "/admin", false), PageAccess::Forbidden);
        assert_eq!(page_access(Some(&plain), "/admin/users", false), PageAccess::Forbidden);
        assert_eq!(page_access(Some(&plain), "/administrator", false), PageAccess::Allow);
        assert_eq!(page_access(None, "/invitations/abc", false), PageAccess::Allow);
        assert_eq!(page_access(None, "/projects/x", false), PageAccess::SignIn);
        assert_eq!(page_access(None, "/projects/x", true), PageAccess::Allow);
        assert_eq!(page_access(None, "/account", true), PageAccess::SignIn);
    }
}
