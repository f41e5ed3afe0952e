//! Roles and what each may do: the one permission table (pure, no I/O).
//!
//! [`allowed`] answers "may a user of this role do this action in its own tenant";
//! [`allowed_in`] adds the tenant: a tenant role acts only in its own tenant, the tenant-less
//! `superadmin` in every tenant. Ingest API keys are not users and have no role: they may do
//! exactly [`KEY_ACTIONS`]; a paired wall screen acts as a `viewer`.
//!
//! The roles are ordered by inclusion, and the table keeps to it (a test checks this):
//!
//! ```text
//! viewer ⊂ operator ⊂ supervisor ⊂ admin ⊂ superadmin
//! viewer ⊂ executive ⊂ admin
//! ```
//!
//! - `viewer`: read tickets, subscribe to the live feed (a wall, a guest screen).
//! - `operator`: + comment, set status.
//! - `supervisor`: + assign, change priority, bulk reassign. No KPIs or exports: those are
//!   the executive's (issue 12's split; the supervisor console shows workload instead).
//! - `executive`: + KPI view, exports. Not operator: executives look, they do not work tickets.
//! - `admin`: everything in its tenant — the union of supervisor and executive, plus users,
//!   keys, screens, the audit trail and posting raw events to the ingest API (back-filling;
//!   day to day, source systems post with keys).
//! - `superadmin`: everything, in every tenant (set-up: it creates each tenant's first admin).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do, by the role it was given in its tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Operator,
    Supervisor,
    Executive,
    Admin,
    /// Tenant-less: stored apart from every tenant and allowed everywhere.
    Superadmin,
}

impl Role {
    /// Every role, least to most allowed along the main line.
    pub const ALL: [Role; 6] = [
        Role::Viewer,
        Role::Operator,
        Role::Supervisor,
        Role::Executive,
        Role::Admin,
        Role::Superadmin,
    ];

    /// The wire and command-line name (`supervisor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Executive => "executive",
            Role::Admin => "admin",
            Role::Superadmin => "superadmin",
        }
    }

    /// Whether the role belongs to a tenant (every role but `superadmin`).
    pub fn is_tenant_role(self) -> bool {
        self != Role::Superadmin
    }

    /// Whether everything `other` may do, `self` may do too (the order in the module doc).
    pub fn includes(self, other: Role) -> bool {
        use Role::*;
        match self {
            Superadmin => true,
            Admin => other != Superadmin,
            Supervisor => matches!(other, Viewer | Operator | Supervisor),
            Executive => matches!(other, Viewer | Executive),
            Operator => matches!(other, Viewer | Operator),
            Viewer => other == Viewer,
        }
    }

    /// Whether a user of role `self` may give a user role `granted`: whoever manages users
    /// may give any tenant role; `superadmin` is only made from the command line.
    pub fn may_grant(self, granted: Role) -> bool {
        allowed(self, Action::ManageUsers) && granted.is_tenant_role()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a role.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (one of viewer, operator, supervisor, executive, admin, superadmin)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// What a caller does; each route and socket command maps to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read tickets, one ticket, SLA summaries.
    ReadTickets,
    /// Subscribe to the live feed over the socket.
    Subscribe,
    /// Post raw events to `POST /api/v1/{tenant}/events` (source systems, with a key).
    IngestEvents,
    /// Comment on a ticket.
    Comment,
    /// Move a ticket through its workflow.
    SetStatus,
    /// Route a ticket to an agency or officer.
    Assign,
    /// Change a ticket's priority.
    SetPriority,
    /// Reassign a selection of tickets at once.
    BulkReassign,
    /// The executive view's KPIs.
    ReadKpis,
    /// Download exports (CSV, reports).
    Export,
    /// Add, list, disable users.
    ManageUsers,
    /// Add, list, revoke ingest API keys.
    ManageKeys,
    /// Pair, rename, revoke wall screens.
    ManageScreens,
    /// Read the audit trail.
    ReadAudit,
    /// Verify a report in triage (disposition), ask the citizen, reject with a reason.
    Verify,
    /// Accept or refuse an agency's follow-up of a resolved ticket.
    Validate,
    /// Merge duplicate reports into one ticket, and undo it.
    Merge,
    /// Upload a photo to a ticket (people, and source systems with a key).
    UploadMedia,
    /// Read the outbound webhook delivery log.
    ManageWebhooks,
}

impl Action {
    /// Every action (the table must name each once).
    pub const ALL: [Action; 19] = [
        Action::ReadTickets,
        Action::Subscribe,
        Action::IngestEvents,
        Action::Comment,
        Action::SetStatus,
        Action::Assign,
        Action::SetPriority,
        Action::BulkReassign,
        Action::ReadKpis,
        Action::Export,
        Action::ManageUsers,
        Action::ManageKeys,
        Action::ManageScreens,
        Action::ReadAudit,
        Action::Verify,
        Action::Validate,
        Action::Merge,
        Action::UploadMedia,
        Action::ManageWebhooks,
    ];
}

use Role::{Admin, Executive, Operator, Superadmin, Supervisor, Viewer};

/// Everyone signed in.
const ALL_ROLES: &[Role] = &[Viewer, Operator, Supervisor, Executive, Admin, Superadmin];
/// Those who work tickets.
const WORKERS: &[Role] = &[Operator, Supervisor, Admin, Superadmin];
/// Those who route and prioritise.
const SUPERVISORS: &[Role] = &[Supervisor, Admin, Superadmin];
/// Those who see the numbers.
const EXECUTIVES: &[Role] = &[Executive, Admin, Superadmin];
/// Those who run the tenant.
const ADMINS: &[Role] = &[Admin, Superadmin];

/// The permission table: each action and the roles allowed it (in their own tenant).
pub const PERMISSIONS: &[(Action, &[Role])] = &[
    (Action::ReadTickets, ALL_ROLES),
    (Action::Subscribe, ALL_ROLES),
    (Action::Comment, WORKERS),
    (Action::SetStatus, WORKERS),
    (Action::Assign, SUPERVISORS),
    (Action::SetPriority, SUPERVISORS),
    (Action::BulkReassign, SUPERVISORS),
    (Action::ReadKpis, EXECUTIVES),
    (Action::Export, EXECUTIVES),
    (Action::IngestEvents, ADMINS),
    (Action::ManageUsers, ADMINS),
    (Action::ManageKeys, ADMINS),
    (Action::ManageScreens, ADMINS),
    (Action::ReadAudit, ADMINS),
    (Action::Verify, WORKERS),
    (Action::Validate, WORKERS),
    (Action::Merge, WORKERS),
    (Action::UploadMedia, WORKERS),
    (Action::ManageWebhooks, ADMINS),
];

/// What an ingest API key may do (in its own tenant, within its categories): post events
/// and upload photos (citizen apps with a report, agency systems with their follow-up).
pub const KEY_ACTIONS: &[Action] = &[Action::IngestEvents, Action::UploadMedia];

/// Whether `role` may do `action` in its own tenant.
pub fn allowed(role: Role, action: Action) -> bool {
    PERMISSIONS
        .iter()
        .find(|(a, _)| *a == action)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

/// Whether a user of `role` whose home is `home` (`None` for the superadmin) may do `action`
/// in `tenant`: a tenant role only at home, the superadmin everywhere.
pub fn allowed_in(role: Role, home: Option<&str>, action: Action, tenant: &str) -> bool {
    let in_scope = role == Superadmin || home == Some(tenant);
    in_scope && allowed(role, action)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table written out by hand, one row per role: `(role, actions allowed)`. If the
    /// table changes, this list must change with it.
    fn expected() -> Vec<(Role, Vec<Action>)> {
        use Action::*;
        let viewer = vec![ReadTickets, Subscribe];
        let operator = [
            viewer.clone(),
            vec![Comment, SetStatus, Verify, Validate, Merge, UploadMedia],
        ]
        .concat();
        let supervisor = [operator.clone(), vec![Assign, SetPriority, BulkReassign]].concat();
        let executive = [viewer.clone(), vec![ReadKpis, Export]].concat();
        let admin = Action::ALL.to_vec();
        vec![
            (Viewer, viewer),
            (Operator, operator),
            (Supervisor, supervisor),
            (Executive, executive),
            (Admin, admin),
            (Superadmin, Action::ALL.to_vec()),
        ]
    }

    /// Every role × action matches the hand-written expectations exactly.
    #[test]
    fn table_matches_the_hand_written_list() {
        for (role, actions) in expected() {
            for action in Action::ALL {
                assert_eq!(allowed(role, action), actions.contains(&action), "{role} × {action:?}");
            }
        }
    }

    /// The table names every action exactly once (a forgotten action would be denied to all).
    #[test]
    fn table_names_every_action_once() {
        for action in Action::ALL {
            let rows = PERMISSIONS.iter().filter(|(a, _)| *a == action).count();
            assert_eq!(rows, 1, "{action:?}");
        }
        assert_eq!(PERMISSIONS.len(), Action::ALL.len());
    }

    /// The table keeps to the inclusion order: a role that includes another may do all it may.
    #[test]
    fn table_respects_role_inclusion() {
        for wider in Role::ALL {
            for narrower in Role::ALL.into_iter().filter(|n| wider.includes(*n)) {
                for action in Action::ALL.into_iter().filter(|a| allowed(narrower, *a)) {
                    assert!(allowed(wider, action), "{wider} ⊇ {narrower} but not {action:?}");
                }
            }
        }
    }

    /// The inclusions the module doc promises, and the ones it rules out.
    #[test]
    fn inclusion_order() {
        assert!(Admin.includes(Supervisor) && Admin.includes(Executive));
        assert!(Supervisor.includes(Operator) && Operator.includes(Viewer));
        assert!(Executive.includes(Viewer));
        assert!(!Executive.includes(Operator) && !Supervisor.includes(Executive));
        assert!(!Admin.includes(Superadmin) && Superadmin.includes(Admin));
        for role in Role::ALL {
            assert!(role.includes(role) && role.includes(Viewer));
        }
    }

    /// A tenant role acts only in its own tenant; the superadmin in any; no home, no access.
    #[test]
    fn tenant_scope() {
        use Action::*;
        assert!(allowed_in(Admin, Some("banjar"), ManageUsers, "banjar"));
        assert!(!allowed_in(Admin, Some("banjar"), ManageUsers, "tangerang"));
        assert!(!allowed_in(Viewer, Some("banjar"), ReadTickets, "tangerang"));
        assert!(!allowed_in(Admin, None, ReadTickets, "banjar"));
        assert!(allowed_in(Superadmin, None, ReadAudit, "tangerang"));
        assert!(!allowed_in(Operator, Some("banjar"), Assign, "banjar"));
    }

    /// Keys ingest and upload photos, nothing else.
    #[test]
    fn keys_only_ingest() {
        assert_eq!(KEY_ACTIONS, &[Action::IngestEvents, Action::UploadMedia]);
    }

    /// Admins give tenant roles, never superadmin; nobody below admin gives any.
    #[test]
    fn who_may_grant_what() {
        assert!(Admin.may_grant(Admin) && Admin.may_grant(Viewer));
        assert!(!Admin.may_grant(Superadmin) && !Superadmin.may_grant(Superadmin));
        assert!(Superadmin.may_grant(Executive));
        assert!(!Supervisor.may_grant(Viewer));
    }

    /// Names round-trip through `FromStr`, `as_str` and serde (snake_case).
    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{role}\""));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        assert_eq!("Admin".parse::<Role>(), Err(UnknownRole("Admin".into())));
    }
}
