//! `pantau user …` and `pantau key …`: the real binary against a real redis-server. Users
//! are added with `--password-stdin`, listed without their hashes, disabled; keys print their
//! secret once, are listed by name and scope only, revoked; typos in tenants, categories and
//! the role/tenant pairing are refused before anything is written.

use pantau_e2e::{tenant_key, workspace_root, RedisServer};
use redis::AsyncCommands;
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

/// What a run of the binary left: exit success, stdout, stderr.
struct Run {
    ok: bool,
    out: String,
    err: String,
}

/// Run `pantau <args>` against `redis` with the shipped configuration, `stdin` piped in.
async fn pantau(redis: &RedisServer, args: &[&str], stdin: &str) -> Run {
    let root = workspace_root();
    let bin = std::env::var_os("PANTAU_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/debug/pantau"));
    let mut child = tokio::process::Command::new(&bin)
        .args(args)
        .args(["--redis-url", &redis.url])
        .arg("--config-dir")
        .arg(root.join("config"))
        .arg("--assets-dir")
        .arg(root.join("assets"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} (cargo build -p pantau-server): {e}", bin.display()));
    let mut input = child.stdin.take().expect("stdin is piped");
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let output = child.wait_with_output().await.unwrap();
    Run {
        ok: output.status.success(),
        out: String::from_utf8(output.stdout).unwrap(),
        err: String::from_utf8(output.stderr).unwrap(),
    }
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
