//! `pantau user …` and `pantau key …`: the real binary against a real redis-server. Users
//! are added with `--password-stdin`, listed without their hashes, disabled; keys print their
//! secret once, are listed by name and scope only, revoked; typos in tenants, categories and
//! the role/tenant pairing are refused before anything is written.

use pantau_e2e::cli::{Cli, CliRun};
use pantau_e2e::{tenant_key, RedisServer};
use redis::AsyncCommands;

/// Run `pantau <args>` against `redis` with the shipped configuration, `stdin` piped in.
async fn pantau(redis: &RedisServer, args: &[&str], stdin: &str) -> CliRun {
    Cli::new(&redis.url).run(args, stdin).await
}

/// The line of a table that starts with `name`.
fn row<'a>(table: &'a str, name: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in\n{table}"))
}

/// A user added with `--password-stdin` is listed (no hash) and can be disabled; the
/// superadmin needs no tenant; bad tenants, pairings and duplicates fail and write nothing.
#[tokio::test]
async fn users_from_the_shell() {
    let redis = RedisServer::start().await;
    let add = [
        "user",
        "add",
        "--tenant",
        "banjar",
        "--name",
        "budi",
        "--role",
        "operator",
        "--password-stdin",
    ];
    let run = pantau(&redis, &add, "rahasia-banget\n").await;
    assert!(run.ok, "{}", run.err);
    assert!(run.out.contains("added budi (operator) to banjar"), "{}", run.out);
    let stored: String = redis
        .conn()
        .await
        .hget(tenant_key("banjar", "users"), "budi")
        .await
        .unwrap();
    assert!(
        stored.contains("$argon2id$") && !stored.contains("rahasia-banget"),
        "{stored}"
    );

    let list = pantau(&redis, &["user", "list", "--tenant", "banjar"], "").await;
    assert!(list.ok, "{}", list.err);
    let budi = row(&list.out, "budi");
    assert!(budi.contains("operator") && budi.contains("active"), "{budi}");
    assert!(
        !list.out.contains("argon2") && !list.out.contains("rahasia"),
        "{}",
        list.out
    );

    let disable = pantau(&redis, &["user", "disable", "--tenant", "banjar", "--name", "budi"], "").await;
    assert!(disable.ok, "{}", disable.err);
    let list = pantau(&redis, &["user", "list", "--tenant", "banjar"], "").await;
    assert!(row(&list.out, "budi").contains("disabled"), "{}", list.out);

    let root = [
        "user",
        "add",
        "--name",
        "root",
        "--role",
        "superadmin",
        "--password-stdin",
    ];
    assert!(pantau(&redis, &root, "kata-sandi-root\n").await.ok);
    let system = pantau(&redis, &["user", "list"], "").await;
    assert!(row(&system.out, "root").contains("superadmin"), "{}", system.out);
    let tenant_list = pantau(&redis, &["user", "list", "--tenant", "banjar"], "").await;
    assert!(!tenant_list.out.contains("root"), "{}", tenant_list.out);

    let refusals: [(&[&str], &str); 5] = [
        (
            &[
                "user",
                "add",
                "--tenant",
                "bandung",
                "--name",
                "x",
                "--role",
                "viewer",
                "--password-stdin",
            ],
            "no tenant",
        ),
        (
            &["user", "add", "--name", "x", "--role", "admin", "--password-stdin"],
            "--tenant is required",
        ),
        (
            &[
                "user",
                "add",
                "--tenant",
                "banjar",
                "--name",
                "x",
                "--role",
                "superadmin",
                "--password-stdin",
            ],
            "no tenant",
        ),
        (
            &[
                "user",
                "add",
                "--tenant",
                "banjar",
                "--name",
                "x",
                "--role",
                "boss",
                "--password-stdin",
            ],
            "unknown role",
        ),
        (&add, "already exists"),
    ];
    for (args, why) in refusals {
        let run = pantau(&redis, args, "rahasia-banget\n").await;
        assert!(!run.ok, "{args:?} should fail");
        assert!(run.err.contains(why), "{args:?}: {}", run.err);
    }
    let users: Vec<String> = redis.conn().await.hkeys(tenant_key("banjar", "users")).await.unwrap();
    assert_eq!(users, ["budi"], "refused commands wrote nothing");
}

/// `key add` prints only the secret on stdout; `key list` shows names and scope, never the
/// secret; `key revoke` marks it revoked; unknown categories and names are refused.
#[tokio::test]
async fn keys_from_the_shell() {
    let redis = RedisServer::start().await;
    let add = ["key", "add", "--tenant", "banjar", "--name", "laksa"];
    let run = pantau(&redis, &add, "").await;
    assert!(run.ok, "{}", run.err);
    let secret = run.out.trim();
    assert_eq!(run.out.lines().count(), 1, "{}", run.out);
    assert!(secret.starts_with("pk_") && secret.len() == 67, "{secret}");
    assert!(run.err.contains("shown this once"), "{}", run.err);

    let scoped = [
        "key",
        "add",
        "--tenant",
        "banjar",
        "--name",
        "bpbd",
        "--categories",
        "banjir,drainase",
    ];
    assert!(pantau(&redis, &scoped, "").await.ok);

    let list = pantau(&redis, &["key", "list", "--tenant", "banjar"], "").await;
    assert!(list.ok, "{}", list.err);
    assert!(!list.out.contains(&secret[3..]), "{}", list.out);
    assert!(row(&list.out, "laksa").contains('*') && row(&list.out, "laksa").contains("active"));
    assert!(row(&list.out, "bpbd").contains("banjir,drainase"), "{}", list.out);

    let revoke = pantau(&redis, &["key", "revoke", "--tenant", "banjar", "--name", "laksa"], "").await;
    assert!(revoke.ok, "{}", revoke.err);
    let list = pantau(&redis, &["key", "list", "--tenant", "banjar"], "").await;
    assert!(row(&list.out, "laksa").contains("revoked"), "{}", list.out);
    assert!(row(&list.out, "bpbd").contains("active"), "{}", list.out);

    let refusals: [(&[&str], &str); 4] = [
        (
            &[
                "key",
                "add",
                "--tenant",
                "banjar",
                "--name",
                "x",
                "--categories",
                "gempa",
            ],
            "no category",
        ),
        (&["key", "add", "--tenant", "mars", "--name", "x"], "no tenant"),
        (&["key", "revoke", "--tenant", "banjar", "--name", "nope"], "no key"),
        (&add, "already exists"),
    ];
    for (args, why) in refusals {
        let run = pantau(&redis, args, "").await;
        assert!(!run.ok, "{args:?} should fail");
        assert!(run.err.contains(why), "{args:?}: {}", run.err);
    }
    let names: Vec<String> = redis
        .conn()
        .await
        .hkeys(tenant_key("banjar", "key_names"))
        .await
        .unwrap();
    assert_eq!(names.len(), 2, "refused commands wrote nothing: {names:?}");
}
