//! The single authorization decision. Every server function, REST handler
//! and page guard asks here; nothing else decides who may do what.

use crate::backend::auth::Principal;
use crate::model::AppError;

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
}

pub const SIGN_IN_REQUIRED: &str = "Please sign in";
pub const ADMIN_REQUIRED: &str = "Admin access required";
pub const PASSWORD_CHANGE_REQUIRED: &str = "You must change your password before continuing";

/// Allows or refuses `action` for `principal`; returns the principal on success.
pub fn authorize(principal: Option<&Principal>, action: Action) -> Result<&Principal, AppError> {
    let Some(p) = principal else {
        return Err(AppError::Unauthenticated(SIGN_IN_REQUIRED.into()));
    };
    if p.must_change_password && action != Action::ChangeOwnPassword {
        return Err(AppError::Forbidden(PASSWORD_CHANGE_REQUIRED.into()));
    }
    match action {
        Action::ViewOwnAccount | Action::ChangeOwnPassword | Action::UseSite => Ok(p),
        Action::ReadPublicSiteInfo | Action::Register | Action::RecoverAccount => Ok(p),
        Action::Administer if p.is_admin() => Ok(p),
        Action::Administer => Err(AppError::Forbidden(ADMIN_REQUIRED.into())),
    }
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
    PUBLIC_PAGES.contains(&path)
}

pub fn page_access(principal: Option<&Principal>, path: &str) -> PageAccess {
    if is_public_page(path) {
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
            session_key: None,
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
    fn forced_password_change_blocks_everything_else() {
        let fresh_admin = user(&["admin"], true);
        assert!(authorize(Some(&fresh_admin), Action::ChangeOwnPassword).is_ok());
        for action in [Action::ViewOwnAccount, Action::UseSite, Action::Administer] {
            assert_eq!(
                authorize(Some(&fresh_admin), action).unwrap_err(),
                AppError::Forbidden(PASSWORD_CHANGE_REQUIRED.into())
            );
        }
        assert_eq!(page_access(Some(&fresh_admin), "/"), PageAccess::ChangePassword);
        assert_eq!(page_access(Some(&fresh_admin), "/admin"), PageAccess::ChangePassword);
        assert_eq!(page_access(Some(&fresh_admin), CHANGE_PASSWORD_PATH), PageAccess::Allow);
    }

    #[test]
    fn pages() {
        let plain = user(&["user"], false);
        assert_eq!(page_access(None, "/login"), PageAccess::Allow);
        for public in ["/register", "/forgot", "/verify", "/reset"] {
            assert_eq!(page_access(None, public), PageAccess::Allow, "{public}");
        }
        assert!(authorize_public(None, Action::Register).is_ok());
        assert!(authorize_public(None, Action::RecoverAccount).is_ok());
        assert!(authorize_public(None, Action::Administer).is_err());
        assert_eq!(page_access(None, "/admin/settings"), PageAccess::SignIn);
        assert_eq!(page_access(Some(&plain), "/admin/outbox"), PageAccess::Forbidden);
        assert_eq!(page_access(None, "/"), PageAccess::SignIn);
        assert_eq!(page_access(None, "/account"), PageAccess::SignIn);
        assert_eq!(page_access(Some(&plain), "/account"), PageAccess::Allow);
        assert_eq!(page_access(Some(&plain), "/admin"), PageAccess::Forbidden);
        assert_eq!(page_access(Some(&plain), "/admin/users"), PageAccess::Forbidden);
        assert_eq!(page_access(Some(&plain), "/administrator"), PageAccess::Allow);
    }
}
