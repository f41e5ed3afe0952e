//! The auth records over a real redis-server: users per tenant and the tenant-less
//! superadmin, sign-in checks, sessions (idle refresh, absolute expiry, sign-out, a disabled
//! user), ingest API keys (secret shown once and never stored, revocation, tenant scope).
//! Time is passed in, so no test waits for the clock.

use chrono::{Duration as Span, Utc};
use pantau_e2e::RedisServer;
use pantau_server::auth::store::{keys_key, users_key, AuthError, AuthStore, SessionLimits, SessionToken};
use pantau_server::auth::Role;
use redis::AsyncCommands;
use std::time::Duration;

const PASSWORD: &str = "rahasia-banget";

async fn store(redis: &RedisServer) -> AuthStore {
    let limits = SessionLimits {
        idle: Duration::from_secs(600),
        absolute: Duration::from_secs(3600),
    };
    AuthStore::connect(&redis.url, limits).await.unwrap()
}

/// Every key and every value in Redis, as one text (to look for what must not be stored).
async fn everything_stored(redis: &RedisServer) -> String {
    let mut conn = redis.conn().await;
    let keys: Vec<String> = conn.keys("*").await.unwrap();
    let mut text = keys.join("\n");
    for key in keys {
        let kind: String = redis::cmd("TYPE").arg(&key).query_async(&mut conn).await.unwrap();
        let value = match kind.as_str() {
            "hash" => {
                let all: Vec<(String, String)> = conn.hgetall(&key).await.unwrap();
                all.into_iter()
                    .map(|(f, v)| format!("{f}={v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            "string" => conn.get(&key).await.unwrap(),
            other => panic!("unexpected {other} at {key}"),
        };
        text.push('\n');
        text.push_str(&value);
    }
    text
}

/// Users live per tenant under the tenant's hash tag (the superadmin apart), names are
/// unique per tenant, the role/tenant pairing and the name and password rules are enforced,
/// and the stored hash is argon2id, never the password.
#[tokio::test]
async fn users_per_tenant() {
    let redis = RedisServer::start().await;
    let auth = store(&redis).await;
    let budi = auth
        .add_user(Some("banjar"), "budi", Role::Operator, PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        (budi.tenant.as_deref(), budi.role, budi.disabled),
        (Some("banjar"), Role::Operator, false)
    );
    auth.add_user(Some("tangerang"), "budi", Role::Admin, PASSWORD)
        .await
        .unwrap();
    auth.add_user(None, "root", Role::Superadmin, PASSWORD).await.unwrap();

    let again = auth.add_user(Some("banjar"), "budi", Role::Viewer, PASSWORD).await;
    assert!(matches!(again, Err(AuthError::UserExists(n)) if n == "budi"));
    assert!(matches!(
        auth.add_user(None, "ani", Role::Admin, PASSWORD).await,
        Err(AuthError::TenantRequired(Role::Admin))
    ));
    assert!(matches!(
        auth.add_user(Some("banjar"), "ani", Role::Superadmin, PASSWORD).await,
        Err(AuthError::SuperadminHasNoTenant)
    ));
    assert!(matches!(
        auth.add_user(Some("banjar"), "Ani Lestari", Role::Viewer, PASSWORD)
            .await,
        Err(AuthError::InvalidName(_))
    ));
    assert!(matches!(
        auth.add_user(Some("banjar"), "ani", Role::Viewer, "short").await,
        Err(AuthError::Password(_))
    ));

    let banjar = auth.list_users(Some("banjar")).await.unwrap();
    assert_eq!(banjar.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["budi"]);
    let system = auth.list_users(None).await.unwrap();
    assert_eq!(
        (system.len(), system[0].role, system[0].tenant.clone()),
        (1, Role::Superadmin, None)
    );

    let mut conn = redis.conn().await;
    let stored: String = conn.hget(users_key("banjar"), "budi").await.unwrap();
    assert!(stored.contains("\"password_hash\":\"$argon2id$"), "{stored}");
    assert!(!everything_stored(&redis).await.contains(PASSWORD));
    let _: String = conn.hget(users_key("_system"), "root").await.unwrap();
}

/// Sign-in: the right password gives the user; a wrong one, an unknown name, another
/// tenant's user and a disabled user are refused, each with its own reason.
#[tokio::test]
async fn sign_in_checks() {
    let redis = RedisServer::start().await;
    let auth = store(&redis).await;
    auth.add_user(Some("banjar"), "siti", Role::Supervisor, PASSWORD)
        .await
        .unwrap();

    let siti = auth.verify_login(Some("banjar"), "siti", PASSWORD).await.unwrap();
    assert_eq!(siti.role, Role::Supervisor);
    assert!(matches!(
        auth.verify_login(Some("banjar"), "siti", "rahasia-bangeT").await,
        Err(AuthError::WrongPassword)
    ));
    assert!(matches!(
        auth.verify_login(Some("tangerang"), "siti", PASSWORD).await,
        Err(AuthError::NoSuchUser(_))
    ));
    assert!(matches!(
        auth.verify_login(None, "siti", PASSWORD).await,
        Err(AuthError::NoSuchUser(_))
    ));

    let disabled = auth.disable_user(Some("banjar"), "siti").await.unwrap();
    assert!(disabled.disabled);
    assert!(matches!(
        auth.verify_login(Some("banjar"), "siti", PASSWORD).await,
        Err(AuthError::Disabled(_))
    ));
    assert!(matches!(
        auth.disable_user(Some("banjar"), "nobody").await,
        Err(AuthError::NoSuchUser(_))
    ));
}

/// A session is found by its token, its idle TTL restarts on each use, it ends at its
/// absolute expiry (and is deleted), at sign-out, and when its user is disabled; a token
/// never opens another tenant's session.
#[tokio::test]
async fn session_lifetime() {
    let redis = RedisServer::start().await;
    let auth = store(&redis).await;
    let mut conn = redis.conn().await;
    let user = auth
        .add_user(Some("banjar"), "dewi", Role::Executive, PASSWORD)
        .await
        .unwrap();
    let t0 = Utc::now();

    let token = auth.create_session(&user, t0).await.unwrap();
    let text = token.to_string();
    assert!(
        text.starts_with("banjar.") && text.len() == "banjar.".len() + 64,
        "{text}"
    );
    let session = auth.session(&token, t0).await.unwrap().expect("live session");
    assert_eq!(
        (session.tenant.as_deref(), session.name.as_str()),
        (Some("banjar"), "dewi")
    );
    assert_eq!(session.role, Role::Executive);

    let keys: Vec<String> = conn.keys("pantau:{banjar}:session:*").await.unwrap();
    assert_eq!(keys.len(), 1);
    assert!(!keys[0].contains(&text[7..]), "the id itself is not in Redis");
    let _: () = conn.expire(&keys[0], 5).await.unwrap();
    assert!(auth.session(&token, t0 + Span::minutes(1)).await.unwrap().is_some());
    let ttl: i64 = conn.ttl(&keys[0]).await.unwrap();
    assert!(ttl > 500, "idle TTL refreshed on use, got {ttl}");

    let other: SessionToken = text.replacen("banjar", "tangerang", 1).parse().unwrap();
    assert_eq!(auth.session(&other, t0).await.unwrap(), None);

    assert_eq!(auth.session(&token, t0 + Span::minutes(60)).await.unwrap(), None);
    let left: Vec<String> = conn.keys("pantau:{banjar}:session:*").await.unwrap();
    assert!(left.is_empty(), "an expired session is deleted");

    let token = auth.create_session(&user, t0).await.unwrap();
    assert!(auth.end_session(&token).await.unwrap());
    assert_eq!(auth.session(&token, t0).await.unwrap(), None);
    assert!(!auth.end_session(&token).await.unwrap());

    let token = auth.create_session(&user, t0).await.unwrap();
    auth.disable_user(Some("banjar"), "dewi").await.unwrap();
    assert_eq!(auth.session(&token, t0).await.unwrap(), None);
}

/// The session answers the user's current role, and the superadmin's session has no tenant.
#[tokio::test]
async fn session_follows_the_user_record() {
    let redis = RedisServer::start().await;
    let auth = store(&redis).await;
    let root = auth.add_user(None, "root", Role::Superadmin, PASSWORD).await.unwrap();
    let token = auth.create_session(&root, Utc::now()).await.unwrap();
    assert_eq!(token.tenant(), None);
    let session = auth.session(&token, Utc::now()).await.unwrap().unwrap();
    assert_eq!((session.tenant, session.role), (None, Role::Superadmin));

    let rina = auth
        .add_user(Some("tangerang"), "rina", Role::Supervisor, PASSWORD)
        .await
        .unwrap();
    let token = auth.create_session(&rina, Utc::now()).await.unwrap();
    let mut conn = redis.conn().await;
    let stored: String = conn.hget(users_key("tangerang"), "rina").await.unwrap();
    let demoted = stored.replace("\"role\":\"supervisor\"", "\"role\":\"viewer\"");
    let _: () = conn.hset(users_key("tangerang"), "rina", demoted).await.unwrap();
    let session = auth.session(&token, Utc::now()).await.unwrap().unwrap();
    assert_eq!(session.role, Role::Viewer);
}

/// A key's secret is printed once (`pk_` + 64 hex), found by the secret, never stored; the
/// name is unique; revocation refuses it at once; a key of one tenant is unknown in another;
/// config digests can be seeded.
#[tokio::test]
async fn api_keys() {
    let redis = RedisServer::start().await;
    let auth = store(&redis).await;
    let laksa = auth.add_key("banjar", "laksa", &[]).await.unwrap();
    assert!(
        laksa.secret.starts_with("pk_") && laksa.secret.len() == 67,
        "{}",
        laksa.secret
    );
    let flood = auth
        .add_key("banjar", "bpbd-sensor", &["banjir".to_owned()])
        .await
        .unwrap();
    assert_ne!(laksa.secret, flood.secret);

    let found = auth.key_by_secret("banjar", &laksa.secret).await.unwrap();
    assert_eq!((found.name.as_str(), found.revoked), ("laksa", false));
    let sensor = auth.key_by_secret("banjar", &flood.secret).await.unwrap();
    assert!(sensor.covers("banjir") && !sensor.covers("sampah"));
    assert!(matches!(
        auth.key_by_secret("tangerang", &laksa.secret).await,
        Err(AuthError::UnknownKey)
    ));
    assert!(matches!(
        auth.key_by_secret("banjar", "pk_guess").await,
        Err(AuthError::UnknownKey)
    ));
    assert!(matches!(
        auth.add_key("banjar", "laksa", &[]).await,
        Err(AuthError::KeyExists(_))
    ));
    let stored = everything_stored(&redis).await;
    assert!(!stored.contains(&laksa.secret[3..]) && !stored.contains(&flood.secret[3..]));

    let revoked = auth.revoke_key("banjar", "laksa").await.unwrap();
    assert!(revoked.revoked);
    assert!(matches!(
        auth.key_by_secret("banjar", &laksa.secret).await,
        Err(AuthError::KeyRevoked(n)) if n == "laksa"
    ));
    assert!(matches!(
        auth.add_key("banjar", "laksa", &[]).await,
        Err(AuthError::KeyExists(_))
    ));
    assert!(matches!(
        auth.revoke_key("banjar", "nope").await,
        Err(AuthError::NoSuchKey(_))
    ));

    let listed = auth.list_keys("banjar").await.unwrap();
    let summary: Vec<(&str, bool)> = listed.iter().map(|k| (k.name.as_str(), k.revoked)).collect();
    assert_eq!(summary, [("bpbd-sensor", false), ("laksa", true)]);

    // A key known only by its digest, as the tenants' config files hold them.
    let digest = pantau_server::auth::store::sha256_hex(b"demo-secret");
    assert!(auth.seed_key("tangerang", "demo-app", &digest).await.unwrap());
    assert!(!auth.seed_key("tangerang", "demo-app", &digest).await.unwrap());
    assert_eq!(
        auth.key_by_secret("tangerang", "demo-secret").await.unwrap().name,
        "demo-app"
    );
    let raw: Vec<(String, String)> = redis.conn().await.hgetall(keys_key("tangerang")).await.unwrap();
    assert_eq!(raw[0].0, digest);
}
