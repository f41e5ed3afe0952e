//! The demo set-up of `pantau serve --demo-users` (what `scripts/run` starts): one user per
//! role in every tenant, with a known password, and one paired wall screen per tenant — so
//! a fresh checkout shows a live wall without a sign-in step, and every screen can be tried
//! as each role. Never for production: the passwords are printed and predictable.

use crate::auth::store::screens::{Layout, PollAnswer};
use crate::auth::store::AuthError;
use crate::auth::Role;
use crate::state::AppState;

/// The roles a demo tenant gets a user of (the user is named after the role).
pub const DEMO_ROLES: [Role; 5] = [
    Role::Viewer,
    Role::Operator,
    Role::Supervisor,
    Role::Executive,
    Role::Admin,
];

/// The name of the demo walls.
const DEMO_SCREEN: &str = "Demo wall";

/// The password of demo user `role` in `tenant`.
pub fn demo_password(tenant: &str, role: Role) -> String {
    format!("{tenant}-{}-demo", role.as_str())
}

/// A demo screen's wall link: the display token travels in the URL fragment (never sent to
/// the server, never in its logs); the wall keeps it and drops it from the address bar.
pub fn wall_link(base: &str, token: &str) -> String {
    format!("{base}/wall#token={token}")
}

/// Create what is missing (users that exist keep their passwords) and pair one screen per
/// tenant; print the users and the wall links.
pub async fn set_up(state: &AppState, base: &str) -> Result<(), AuthError> {
    let mut lines = vec![format!("Demo users (sign in at {base}/signin):")];
    for tenant in state.tenants.iter() {
        for role in DEMO_ROLES {
            let name = role.as_str();
            if state.auth.user(Some(&tenant.id), name).await?.is_none() {
                state
                    .auth
                    .add_user(Some(&tenant.id), name, role, &demo_password(&tenant.id, role))
                    .await?;
            }
            lines.push(format!(
                "  {:<10} {:<11} password {}",
                tenant.id,
                name,
                demo_password(&tenant.id, role)
            ));
        }
    }
    lines.push("Paired demo walls (open one; the screen keeps its token):".into());
    for tenant in state.tenants.iter() {
        // The previous start's demo walls give way to this start's (their tokens are gone).
        for old in state.auth.list_screens(&tenant.id).await? {
            if old.name == DEMO_SCREEN && !old.revoked {
                state
                    .auth
                    .update_screen(&tenant.id, &old.id, |s| s.revoked = true)
                    .await?;
            }
        }
        let pairing = state.auth.start_pairing().await?;
        let layout = Layout::default();
        state
            .auth
            .pair_screen(&tenant.id, &pairing.code, DEMO_SCREEN, layout)
            .await?;
        if let Some(PollAnswer::Paired { token, .. }) = state.auth.poll_pairing(&pairing.poll).await? {
            lines.push(format!("  {:<10} {}", tenant.id, wall_link(base, &token)));
        }
    }
    println!("\n{}\n", lines.join("\n"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Demo passwords are long enough for the password rule and name their tenant and role.
    #[test]
    fn demo_passwords_pass_the_rule() {
        for role in DEMO_ROLES {
            let p = demo_password("banjar", role);
            assert!(p.len() >= crate::auth::password::MIN_PASSWORD_CHARS, "{p}");
            assert!(p.contains(role.as_str()));
        }
        assert_eq!(
            wall_link("http://127.0.0.1:8080", "t.ab"),
            "http://127.0.0.1:8080/wall#token=t.ab"
        );
    }
}
