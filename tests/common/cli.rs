//! The real binary's administration commands (`pantau user …`, `pantau key …`) against a
//! test Redis: how the harness creates the people and keys its requests authenticate with,
//! so every end-to-end run also exercises the CLI a city sets itself up with.

use crate::workspace_root;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

/// The `pantau` binary: `$PANTAU_BIN` or `target/debug/pantau`.
pub fn pantau_bin() -> PathBuf {
    std::env::var_os("PANTAU_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/pantau"))
}

/// What a run of the binary left: exit success, stdout, stderr.
pub struct CliRun {
    pub ok: bool,
    pub out: String,
    pub err: String,
}

/// Where the administration commands find Redis and the tenants' configuration (the same
/// directories the server under test was given).
#[derive(Clone, Debug)]
pub struct Cli {
    pub redis_url: String,
    pub config_dir: PathBuf,
    pub assets_dir: PathBuf,
}

impl Cli {
    /// Against `redis_url` with the shipped configuration and assets.
    pub fn new(redis_url: &str) -> Cli {
        let root = workspace_root();
        Cli {
            redis_url: redis_url.to_owned(),
            config_dir: root.join("config"),
            assets_dir: root.join("assets"),
        }
    }

    /// The same, reading tenants from `config_dir`.
    pub fn with_config_dir(mut self, config_dir: &Path) -> Cli {
        self.config_dir = config_dir.to_owned();
        self
    }

    /// Run `pantau <args> --redis-url … --config-dir … --assets-dir …` with `stdin` piped in.
    pub async fn run(&self, args: &[&str], stdin: &str) -> CliRun {
        let bin = pantau_bin();
        let mut child = tokio::process::Command::new(&bin)
            .args(args)
            .args(["--redis-url", &self.redis_url])
            .arg("--config-dir")
            .arg(&self.config_dir)
            .arg("--assets-dir")
            .arg(&self.assets_dir)
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
        CliRun {
            ok: output.status.success(),
            out: String::from_utf8(output.stdout).unwrap(),
            err: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// `pantau user add` (password through `--password-stdin`); `tenant` is `None` for a
    /// superadmin. The run, to check or to ignore "already exists".
    pub async fn user_add(&self, tenant: Option<&str>, name: &str, role: &str, password: &str) -> CliRun {
        let mut args = vec!["user", "add", "--name", name, "--role", role, "--password-stdin"];
        if let Some(tenant) = tenant {
            args.extend(["--tenant", tenant]);
        }
        self.run(&args, &format!("{password}\n")).await
    }

    /// `pantau user disable`, which must succeed.
    pub async fn user_disable(&self, tenant: Option<&str>, name: &str) {
        let mut args = vec!["user", "disable", "--name", name];
        if let Some(tenant) = tenant {
            args.extend(["--tenant", tenant]);
        }
        let run = self.run(&args, "").await;
        assert!(run.ok, "pantau user disable {name}: {}", run.err);
    }

    /// `pantau key add`, which must succeed; the secret it printed.
    pub async fn key_add(&self, tenant: &str, name: &str, categories: &[&str]) -> String {
        let joined = categories.join(",");
        let mut args = vec!["key", "add", "--tenant", tenant, "--name", name];
        if !categories.is_empty() {
            args.extend(["--categories", &joined]);
        }
        let run = self.run(&args, "").await;
        assert!(run.ok, "pantau key add {tenant} {name}: {}", run.err);
        run.out.trim().to_owned()
    }

    /// `pantau key revoke`, which must succeed.
    pub async fn key_revoke(&self, tenant: &str, name: &str) {
        let run = self
            .run(&["key", "revoke", "--tenant", tenant, "--name", name], "")
            .await;
        assert!(run.ok, "pantau key revoke {tenant} {name}: {}", run.err);
    }
}
