//! `thidua serve`: a clean stop on SIGTERM, the first admin from the environment or a generated
//! password, a busy port named, and the admin password ignored once users exist.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{ADMIN_PASSWORD, Sandbox};

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
