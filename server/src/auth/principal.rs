//! Who is calling, once authenticated: a signed-in user, an ingest API key, or a paired
//! wall screen — and what each may do where. Pure: the HTTP guard and the socket build a
//! principal from a cookie, a bearer key or a display token, then ask [`Principal::may`].

use super::role::{allowed, allowed_in, Action, Role, KEY_ACTIONS};
use super::Actor;

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A person signed in; `tenant` is `None` for the superadmin.
    User {
        tenant: Option<String>,
        name: String,
        role: Role,
    },
    /// A source system's ingest key: its tenant, optionally narrowed to categories.
    Key {
        tenant: String,
        name: String,
        /// Category codes it may report in (empty: all).
        categories: Vec<String>,
    },
    /// A paired wall screen (a viewer that cannot sign in).
    Screen { tenant: String, id: String },
}

impl Principal {
    /// The actor its events carry (`user:<name>`, `key:<name>`, `screen:<id>`).
    pub fn actor(&self) -> Actor {
        match self {
            Principal::User { name, .. } => Actor::User(name.clone()),
            Principal::Key { name, .. } => Actor::Key(name.clone()),
            Principal::Screen { id, .. } => Actor::Screen(id.clone()),
        }
    }

    /// Its tenant (`None`: the superadmin, whose home is every tenant).
    pub fn home(&self) -> Option<&str> {
        match self {
            Principal::User { tenant, .. } => tenant.as_deref(),
            Principal::Key { tenant, .. } | Principal::Screen { tenant, .. } => Some(tenant),
        }
    }

    /// Whether it may do `action` in `tenant`.
    pub fn may(&self, action: Action, tenant: &str) -> bool {
        match self {
            Principal::User { tenant: home, role, .. } => allowed_in(*role, home.as_deref(), action, tenant),
            Principal::Key { tenant: home, .. } => home == tenant && KEY_ACTIONS.contains(&action),
            Principal::Screen { tenant: home, .. } => home == tenant && allowed(Role::Viewer, action),
        }
    }

    /// Whether it may report in `category` (keys may be narrowed; people are not).
    pub fn covers(&self, category: &str) -> bool {
        match self {
            Principal::Key { categories, .. } => categories.is_empty() || categories.iter().any(|c| c == category),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(tenant: Option<&str>, role: Role) -> Principal {
        Principal::User {
            tenant: tenant.map(str::to_owned),
            name: "ani".into(),
            role,
        }
    }

    /// Users act by their role at home only (the superadmin everywhere); keys only ingest, at
    /// home, within their categories; screens only watch, at home.
    #[test]
    fn each_kind_of_caller_is_scoped() {
        let operator = user(Some("tangerang"), Role::Operator);
        assert!(operator.may(Action::SetStatus, "tangerang"));
        assert!(!operator.may(Action::SetStatus, "banjar"));
        assert!(!operator.may(Action::Assign, "tangerang"));
        let root = user(None, Role::Superadmin);
        assert!(root.may(Action::Assign, "banjar") && root.may(Action::ManageUsers, "tangerang"));
        let key = Principal::Key {
            tenant: "tangerang".into(),
            name: "laksa".into(),
            categories: vec!["banjir".into()],
        };
        assert!(key.may(Action::IngestEvents, "tangerang"));
        assert!(!key.may(Action::IngestEvents, "banjar"));
        assert!(!key.may(Action::ReadTickets, "tangerang"));
        assert!(key.covers("banjir") && !key.covers("sampah"));
        assert_eq!(key.actor().to_string(), "key:laksa");
        let screen = Principal::Screen {
            tenant: "banjar".into(),
            id: "s1".into(),
        };
        assert!(screen.may(Action::Subscribe, "banjar"));
        assert!(!screen.may(Action::Subscribe, "tangerang"));
        assert!(!screen.may(Action::Comment, "banjar"));
        assert_eq!(screen.actor().to_string(), "screen:s1");
    }
}
