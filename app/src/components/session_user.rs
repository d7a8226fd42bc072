//! The signed-in user, loaded once per page load and shared through context.

use crate::api::account::who_am_i;
use crate::components::loaded::{load, Loaded};
use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;

pub type UserResource = Loaded<Result<Option<CurrentUser>, AppError>>;

pub fn provide_session_user() {
    let resource: UserResource = load(|| (), |_| who_am_i());
    provide_context(resource);
}

pub fn use_session_user() -> UserResource {
    expect_context::<UserResource>()
}
