//! `pantau user add|list|disable` and `pantau key add|list|revoke`: the auth records from the
//! shell, for a city's first set-up (the superadmin, each tenant's first admin) and for
//! scripts. Tenant ids and category codes are checked against the configuration first, so a
//! typo never creates records nobody can reach.
//!
//! Output is plain text on stdout; `key add` prints only the secret there (one line, easy to
//! capture), its notice goes to stderr. Passwords are read from standard input with
//! `--password-stdin`, or prompted without echo (rpassword) on a terminal.

use crate::auth::store::{ApiKey, AuthStore, SessionLimits, User};
use crate::auth::Role;
use crate::config::{AdminConfig, KeyCommand, UserCommand};
use crate::tenant::Tenants;
use anyhow::{bail, Context};
use std::io::{BufRead, IsTerminal, Write};

/// Run `pantau user …`.
/// The actor of changes made at the command line (someone with access to the servers).
const CLI_ACTOR: &str = "system";

pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        UserCommand::Add(add) => {
            check_role_tenant(add.role, add.tenant.as_deref())?;
            let (_, store) = open(&add.admin, add.tenant.as_deref()).await?;
            let password = read_password(add.password_stdin)?;
            let user = store
                .add_user(add.tenant.as_deref(), &add.name, add.role, &password)
                .await?;
            let detail = format!("{} ({})", user.name, user.role);
            store
                .audit(add.tenant.as_deref(), CLI_ACTOR, "user_added", &detail)
                .await?;
            writeln!(
                out,
                "added {} ({}) to {}",
                user.name,
                user.role,
                realm_label(&user.tenant)
            )?;
        }
        UserCommand::List(list) => {
            let (_, store) = open(&list.admin, list.tenant.as_deref()).await?;
            let users = store.list_users(list.tenant.as_deref()).await?;
            out.write_all(user_table(&users).as_bytes())?;
        }
        UserCommand::Disable(disable) => {
            let (_, store) = open(&disable.admin, disable.tenant.as_deref()).await?;
            let user = store.disable_user(disable.tenant.as_deref(), &disable.name).await?;
            store
                .audit(disable.tenant.as_deref(), CLI_ACTOR, "user_disabled", &user.name)
                .await?;
            writeln!(out, "disabled {} in {}", user.name, realm_label(&user.tenant))?;
        }
    }
    Ok(())
}

/// Run `pantau key …`.
pub async fn key(command: KeyCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        KeyCommand::Add(add) => {
            let (tenants, store) = open(&add.admin, Some(&add.tenant)).await?;
            let tenant = tenants.get(&add.tenant).expect("open checked the tenant");
            if let Some(unknown) = add.categories.iter().find(|c| tenant.category(c).is_none()) {
                let known: Vec<&str> = tenant.categories.iter().map(|c| c.code.as_str()).collect();
                bail!(
                    "{} has no category {unknown:?} (it has {})",
                    add.tenant,
                    known.join(", ")
                );
            }
            let new = store.add_key(&add.tenant, &add.name, &add.categories).await?;
            store
                .audit(Some(&add.tenant), CLI_ACTOR, "key_added", &new.key.name)
                .await?;
            writeln!(out, "{}", new.secret)?;
            eprintln!(
                "key {} added to {}: the secret above is shown this once only",
                new.key.name, add.tenant
            );
        }
        KeyCommand::List(list) => {
            let (_, store) = open(&list.admin, Some(&list.tenant)).await?;
            out.write_all(key_table(&store.list_keys(&list.tenant).await?).as_bytes())?;
        }
        KeyCommand::Revoke(revoke) => {
            let (_, store) = open(&revoke.admin, Some(&revoke.tenant)).await?;
            let key = store.revoke_key(&revoke.tenant, &revoke.name).await?;
            store
                .audit(Some(&revoke.tenant), CLI_ACTOR, "key_revoked", &key.name)
                .await?;
            writeln!(out, "revoked {} in {}", key.name, revoke.tenant)?;
        }
    }
    Ok(())
}

/// Load the tenants, check `tenant` is one of them, connect to Redis.
async fn open(admin: &AdminConfig, tenant: Option<&str>) -> anyhow::Result<(Tenants, AuthStore)> {
    let tenants = Tenants::load(&admin.config_dir, &admin.assets_dir)
        .with_context(|| format!("reading the configuration in {}", admin.config_dir.display()))?;
    if let Some(id) = tenant {
        if tenants.get(id).is_none() {
            let known: Vec<&str> = tenants.iter().map(|t| t.id.as_str()).collect();
            bail!("no tenant {id:?} (configured: {})", known.join(", "));
        }
    }
    let store = AuthStore::connect(&admin.redis_url, SessionLimits::default())
        .await
        .with_context(|| format!("connecting to {}", admin.redis_url))?;
    Ok((tenants, store))
}

/// The new user's password: the first line of standard input, or typed twice at a prompt.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the password: pass --password-stdin and pipe it in");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if first != again {
        bail!("the passwords differ");
    }
    Ok(first)
}

/// `banjar`, or the superadmins' realm.
fn realm_label(tenant: &Option<String>) -> String {
    tenant.clone().unwrap_or_else(|| "the system (no tenant)".into())
}

/// Users as an aligned table: name, role, status, created.
fn user_table(users: &[User]) -> String {
    let rows = users.iter().map(|u| {
        let status = if u.disabled { "disabled" } else { "active" };
        [u.name.clone(), u.role.to_string(), status.into(), u.created_at.clone()]
    });
    table(["NAME", "ROLE", "STATUS", "CREATED"], rows)
}

/// Keys as an aligned table: name, categories (`*` for all), status, created.
fn key_table(keys: &[ApiKey]) -> String {
    let rows = keys.iter().map(|k| {
        let categories = if k.categories.is_empty() {
            "*".into()
        } else {
            k.categories.join(",")
        };
        let status = if k.revoked { "revoked" } else { "active" };
        [k.name.clone(), categories, status.into(), k.created_at.clone()]
    });
    table(["NAME", "CATEGORIES", "STATUS", "CREATED"], rows)
}

/// Columns padded to their widest cell, two spaces apart.
fn table(header: [&str; 4], rows: impl Iterator<Item = [String; 4]>) -> String {
    let mut all = vec![header.map(str::to_owned)];
    all.extend(rows);
    let widths: Vec<usize> = (0..4)
        .map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in &all {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// Whether `role` can be given on the command line with this `tenant` (checked again by the
/// store; here for the clearer message before a password is asked for).
fn check_role_tenant(role: Role, tenant: Option<&str>) -> anyhow::Result<()> {
    match (role, tenant) {
        (Role::Superadmin, Some(_)) => bail!("superadmin belongs to no tenant: omit --tenant"),
        (r, None) if r.is_tenant_role() => bail!("--tenant is required for role {r}"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tables align columns and mark keys for all categories with `*`.
    #[test]
    fn key_table_layout() {
        let keys = [
            ApiKey {
                name: "laksa".into(),
                categories: vec![],
                revoked: false,
                created_at: "2026-01-01T00:00:00.000Z".into(),
            },
            ApiKey {
                name: "call-centre".into(),
                categories: vec!["banjir".into(), "sampah".into()],
                revoked: true,
                created_at: "2026-01-02T00:00:00.000Z".into(),
            },
        ];
        let text = key_table(&keys);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME         CATEGORIES     STATUS   CREATED");
        assert_eq!(
            lines[1],
            "laksa        *              active   2026-01-01T00:00:00.000Z"
        );
        assert_eq!(
            lines[2],
            "call-centre  banjir,sampah  revoked  2026-01-02T00:00:00.000Z"
        );
    }

    /// Only superadmin goes without a tenant, and never with one.
    #[test]
    fn role_and_tenant() {
        assert!(check_role_tenant(Role::Superadmin, None).is_ok());
        assert!(check_role_tenant(Role::Admin, Some("banjar")).is_ok());
        assert!(check_role_tenant(Role::Superadmin, Some("banjar")).is_err());
        assert!(check_role_tenant(Role::Viewer, None).is_err());
    }
}
