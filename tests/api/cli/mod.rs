//! The `thidua` binary itself: its subcommands, configuration errors and graceful shutdown.
//! These run the built executable on a temporary SQLite database, with a clean environment
//! and a working directory of their own so that no `.env` or stray variable leaks in.
//!
//! `commands` covers `migrate`, `user create` and `openapi`; `serve` starting, stopping and the
//! first admin; `docs` that the README and `.env.example` match what the binary reads. This
//! file holds the sandbox they run in.

mod commands;
mod docs;
mod serve;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub const ADMIN_PASSWORD: &str = "admin-password-for-cli-tests";
pub const USER_PASSWORD: &str = "a-long-enough-password";

/// A temporary directory holding the database; commands run inside it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("thidua.db")
    }

    /// `thidua` with only `PATH`, `DATABASE_URL` and `THIDUA_ADMIN_PASSWORD` set.
    pub fn thidua(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_thidua"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", self.db_path().display()),
            )
            .env("THIDUA_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "info")
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs a command with `input` on its standard input.
    pub fn run(&self, mut cmd: Command, input: &str) -> Output {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}
