//! The `thidua` binary itself: its subcommands, configuration errors and graceful shutdown.
//! These run the built executable on a temporary SQLite database, with a clean environment
//! and a working directory of their own so that no `.env` or stray variable leaks in.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ADMIN_PASSWORD: &str = "admin-password-for-cli-tests";
const USER_PASSWORD: &str = "a-long-enough-password";

/// A temporary directory holding the database; commands run inside it.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db_path(&self) -> PathBuf {
        self.dir.path().join("thidua.db")
    }

    /// `thidua` with only `PATH`, `DATABASE_URL` and `THIDUA_ADMIN_PASSWORD` set.
    fn thidua(&self, args: &[&str]) -> Command {
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
    fn run(&self, mut cmd: Command, input: &str) -> Output {
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Creates unit 1 (by importing a one-row CSV) and officer `lan` of it.
fn create_lan(sb: &Sandbox) -> Output {
    let csv = sb.dir.path().join("units.csv");
    if !csv.exists() {
        std::fs::write(
            &csv,
            "code,name,kind,valid_from\nSCT,Sở Công thương,administrative,2008-04-01\n",
        )
        .unwrap();
        let out = sb.run(sb.thidua(&["import", "units", csv.to_str().unwrap()]), "");
        assert!(out.status.success(), "{}", describe(&out));
    }
    sb.run(
        sb.thidua(&[
            "user",
            "create",
            "lan",
            "--role",
            "unit_officer",
            "--unit",
            "1",
        ]),
        &format!("{USER_PASSWORD}\n"),
    )
}

/// The migrations' folder names, as `thidua migrate` reports them.
fn migration_names() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migrate_creates_the_database_and_names_what_it_applied() {
    let sb = Sandbox::new();
    assert!(!sb.db_path().exists());
    let out = sb.run(sb.thidua(&["migrate"]), "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(sb.db_path().exists(), "no database file after migrate");
    let stdout = text(&out.stdout);
    let names = migration_names();
    assert!(
        stdout.contains(&format!("applied {} migration", names.len())),
        "{}",
        describe(&out)
    );
    for name in &names {
        assert!(
            stdout.contains(name.as_str()),
            "{name} not named:\n{}",
            describe(&out)
        );
    }
    assert!(!stdout.contains("up to date"), "{}", describe(&out));

    // Running it again is a no-op, and says so.
    let again = sb.run(sb.thidua(&["migrate"]), "");
    assert!(again.status.success(), "{}", describe(&again));
    let stdout = text(&again.stdout);
    assert!(stdout.contains("up to date"), "{}", describe(&again));
    assert!(!stdout.contains("applied"), "{}", describe(&again));
}

#[test]
fn user_create_help_lists_the_roles() {
    use strum::VariantArray;
    let sb = Sandbox::new();
    let out = sb.run(sb.thidua(&["user", "create", "--help"]), "");
    assert!(out.status.success(), "{}", describe(&out));
    let names: Vec<&str> = thidua::auth::Role::VARIANTS
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert!(
        text(&out.stdout).contains(&format!("[possible values: {}]", names.join(", "))),
        "{}",
        describe(&out)
    );
}

#[test]
fn user_create_prints_the_id_and_refuses_a_duplicate() {
    let sb = Sandbox::new();
    let out = create_lan(&sb);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    let id: i64 = stdout
        .split("(id ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no id in the output: {stdout}"));
    assert!(id > 0, "{stdout}");
    assert!(stdout.contains("lan"), "{stdout}");

    let twice = create_lan(&sb);
    assert!(!twice.status.success(), "{}", describe(&twice));
    assert!(
        text(&twice.stderr).contains("taken"),
        "{}",
        describe(&twice)
    );
}

#[test]
fn user_create_rejects_an_unknown_role() {
    let sb = Sandbox::new();
    let out = sb.run(
        sb.thidua(&["user", "create", "lan", "--role", "boss"]),
        &format!("{USER_PASSWORD}\n"),
    );
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(text(&out.stderr).contains("role"), "{}", describe(&out));
}

#[test]
fn user_create_rejects_a_short_password() {
    let sb = Sandbox::new();
    let out = sb.run(
        sb.thidua(&[
            "user",
            "create",
            "lan",
            "--role",
            "unit_officer",
            "--unit",
            "1",
        ]),
        "short\n",
    );
    assert!(!out.status.success(), "{}", describe(&out));
}

#[test]
fn openapi_prints_the_document() {
    let sb = Sandbox::new();
    let out = sb.run(sb.thidua(&["openapi"]), "");
    assert!(out.status.success(), "{}", describe(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/auth/login"].is_object());
    // It needs no database.
    assert!(!sb.db_path().exists());
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_variable() {
    let sb = Sandbox::new();
    let mut cmd = sb.thidua(&["serve"]);
    cmd.env("THIDUA_BIND", "nowhere");
    let out = sb.run(cmd, "");
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("THIDUA_BIND"),
        "{}",
        describe(&out)
    );
    assert!(!sb.db_path().exists(), "the database was opened anyway");
}

/// Kills the server if a test fails while it runs.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The status line of `GET path`, if the server answers.
fn get_status_line(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.lines().next().map(str::to_owned)
}

fn spawn_server(sb: &Sandbox, port: u16) -> Server {
    spawn_serve(sb, sb.thidua(&["serve"]), port)
}

/// Starts `cmd` (a `thidua serve`) on `port`, logging to `serve.log` in the sandbox.
fn spawn_serve(sb: &Sandbox, mut cmd: Command, port: u16) -> Server {
    let log = sb.dir.path().join("serve.log");
    let file = std::fs::File::create(&log).unwrap();
    let child = cmd
        .env("THIDUA_BIND", format!("127.0.0.1:{port}"))
        .env("THIDUA_WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .unwrap();
    Server { child, log }
}

fn wait_until_healthy(server: &mut Server, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!("the server exited early ({status}):\n{}", server.log());
        }
        if get_status_line(port, "/healthz").is_some_and(|l| l.contains(" 200 ")) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/healthz did not answer within 10 s:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let sb = Sandbox::new();
    let port = free_port();
    let mut server = spawn_server(&sb, port);
    wait_until_healthy(&mut server, port);
    assert!(
        get_status_line(port, "/readyz").is_some_and(|l| l.contains(" 200 ")),
        "{}",
        server.log()
    );

    let pid = server.child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());

    let status = wait_for_exit(&mut server);
    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(get_status_line(port, "/healthz").is_none());
}

/// Waits up to 10 s for the server to exit by itself.
fn wait_for_exit(server: &mut Server) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "still running after 10 s:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_creates_the_admin_from_the_environment() {
    let sb = Sandbox::new();
    let port = free_port();
    let mut server = spawn_server(&sb, port);
    wait_until_healthy(&mut server, port);
    let log = server.log();
    assert!(
        log.contains("THIDUA_ADMIN_PASSWORD"),
        "no bootstrap message:\n{log}"
    );
    assert!(
        !log.contains(ADMIN_PASSWORD),
        "the password was logged:\n{log}"
    );
}

/// A busy port used to cost the generated admin password: it was printed before the bind
/// failed, and never again. Now the bind comes first and the error names the address.
#[test]
fn a_busy_port_is_named_and_the_generated_password_is_shown_when_serving() {
    // Arrange: the port is taken, and no THIDUA_ADMIN_PASSWORD is set.
    let sb = Sandbox::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut cmd = sb.thidua(&["serve"]);
    cmd.env_remove("THIDUA_ADMIN_PASSWORD");

    // Act
    let mut server = spawn_serve(&sb, cmd, port);
    let status = wait_for_exit(&mut server);

    // Assert: it fails naming the address, before anything was created.
    let log = server.log();
    assert!(!status.success(), "{log}");
    assert!(log.contains(&format!("127.0.0.1:{port}")), "{log}");
    assert!(!log.contains("password"), "{log}");
    assert!(!sb.db_path().exists(), "the database was opened anyway");

    // Once the port is free, the first start that serves shows the generated password.
    drop(taken);
    let mut cmd = sb.thidua(&["serve"]);
    cmd.env_remove("THIDUA_ADMIN_PASSWORD");
    let mut server = spawn_serve(&sb, cmd, port);
    wait_until_healthy(&mut server, port);
    let log = server.log();
    assert!(log.contains("generated password"), "{log}");
}

#[test]
fn the_admin_password_is_ignored_once_users_exist_and_the_log_says_why() {
    let sb = Sandbox::new();
    let port = free_port();
    let mut first = spawn_server(&sb, port);
    wait_until_healthy(&mut first, port);
    assert!(!first.log().contains("ignored"), "{}", first.log());
    drop(first);

    let mut second = spawn_server(&sb, port);
    wait_until_healthy(&mut second, port);
    let log = second.log();
    assert!(
        log.contains("THIDUA_ADMIN_PASSWORD is set but ignored"),
        "no warning:\n{log}"
    );
    assert!(log.contains("has users already"), "{log}");
    assert!(
        !log.contains(ADMIN_PASSWORD),
        "the password was logged:\n{log}"
    );
}

/// The README's walk-through, followed literally on a fresh clone: the first start must set
/// the password that the curl session then logs in with.
#[test]
fn the_readme_starts_the_server_with_the_password_it_logs_in_with() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_start = readme
        .lines()
        .find(|l| l.contains("cargo run --release") && !l.contains("cargo run --release --"))
        .expect("no `cargo run --release` in the README");
    let password = first_start
        .split("THIDUA_ADMIN_PASSWORD='")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("the first start sets no THIDUA_ADMIN_PASSWORD: {first_start}"));
    let login = readme
        .lines()
        .find(|l| l.contains(r#""username": "admin""#))
        .expect("no admin login in the README");
    assert!(
        login.contains(&format!(r#""password": "{password}""#)),
        "the README starts with {password:?} but logs in with: {login}"
    );
}

/// The variables `src/config.rs` reads, found by their quoted names.
fn config_variables() -> Vec<String> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/config.rs")).unwrap();
    let mut names: Vec<String> = source
        .split('"')
        .filter(|s| {
            (s.starts_with("THIDUA_") || *s == "DATABASE_URL")
                && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        })
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `.env.example` and the README's table document every variable the configuration reads.
#[test]
fn every_variable_is_documented() {
    let names = config_variables();
    assert!(names.len() > 10, "{names:?}");
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/.env.example")).unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    for name in names.iter().map(String::as_str).chain(["RUST_LOG"]) {
        assert!(
            example.lines().any(|l| l
                .trim_start_matches(['#', ' '])
                .starts_with(&format!("{name}="))),
            ".env.example lacks {name}"
        );
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "the README's configuration table lacks {name}"
        );
    }
}
