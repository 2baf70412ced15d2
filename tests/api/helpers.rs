//! `TestApp`: a server on port 0 over a fresh database, and typed helpers to call it.

use std::path::Path;
use std::sync::Mutex;

use actix_web::http::Method;
use actix_web::web::Bytes;
use awc::http::header::HeaderMap;
use diesel::prelude::*;
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};
use thidua::config::Config;
use thidua::db::{self, AnyConnection};
use thidua::startup::Application;
use thidua::state::AppState;

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const PASSWORD: &str = "a-long-enough-password";

/// The database behind one test; dropped with it.
enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Best effort: a database left behind only costs disk space.
        if let TestDb::Postgres { base, name } = self
            && let Ok(mut c) = PgConnection::establish(base)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut c);
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub state: actix_web::web::Data<AppState>,
    pub database_url: String,
    client: awc::Client,
    server: actix_web::dev::ServerHandle,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the workers (and with them their pools) before the database goes away, so no
        // thread is still talking to it while the test process exits.
        drop(self.server.stop(false));
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts a problem document with this status and code, and returns it.
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status);
        assert!(body["request_id"].is_string(), "{body}");
        body
    }
}

/// A request being built: `app.request(Method::POST, "/api/v1/users").token(&t).json(&body).send()`.
pub struct Req<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

impl Req<'_> {
    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string().into_bytes())
    }

    pub fn merge_patch(self, body: &Value) -> Self {
        self.body(
            "application/merge-patch+json",
            body.to_string().into_bytes(),
        )
    }

    pub fn body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = Some((content_type.to_owned(), bytes));
        self
    }

    pub async fn send(self) -> TestResponse {
        let mut req = self
            .app
            .client
            .request(self.method, format!("{}{}", self.app.address, self.path));
        for (k, v) in &self.headers {
            req = req.insert_header((k.as_str(), v.as_str()));
        }
        let mut res = match self.body {
            Some((ct, bytes)) => {
                req.insert_header(("content-type", ct))
                    .send_body(bytes)
                    .await
            }
            None => req.send().await,
        }
        .expect("request failed");
        let body = res
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("reading body");
        TestResponse {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
        }
    }
}

impl TestApp {
    /// A server on a fresh database with the default test configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A server whose configuration `customize` may change first.
    pub async fn spawn_with(customize: impl FnOnce(&mut Config)) -> TestApp {
        let (database_url, db) = fresh_database();
        let url = database_url.clone();
        let mut config = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some(url.clone()),
            "THIDUA_BIND" => Some("127.0.0.1:0".into()),
            "THIDUA_ADMIN_PASSWORD" => Some(ADMIN_PASSWORD.into()),
            "THIDUA_DB_POOL_SIZE" => Some("4".into()),
            "THIDUA_WORKERS" => Some("2".into()),
            _ => None,
        })
        .expect("test configuration");
        customize(&mut config);
        // Logs only on request: TEST_LOG=1 cargo test.
        if std::env::var_os("TEST_LOG").is_some() {
            thidua::telemetry::init(config.log_format);
        }
        let app = Application::build(config).await.expect("building the app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        let server = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .finish();
        TestApp {
            address,
            state,
            database_url,
            client,
            server,
            _db: db,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            method,
            path: path.to_owned(),
            headers: vec![],
            body: None,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.request(Method::GET, path).token(token).send().await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.request(Method::POST, path)
            .token(token)
            .json(body)
            .send()
            .await
    }

    pub async fn login(&self, username: &str, password: &str) -> TestResponse {
        self.request(Method::POST, "/api/v1/auth/login")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
    }

    /// Logs in and returns the access token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let res = self.login(username, password).await;
        assert_eq!(
            res.status,
            200,
            "login of {username}: {}",
            String::from_utf8_lossy(&res.body)
        );
        res.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user (as the admin) with `PASSWORD`; `extra` adds or overrides fields.
    pub async fn create_user(
        &self,
        admin: &str,
        username: &str,
        role: &str,
        extra: Value,
    ) -> Value {
        let mut body = json!({"username": username, "password": PASSWORD, "role": role});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = self.post("/api/v1/users", admin, &body).await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        res.json()
    }

    /// A direct connection to the test database, for checks the API cannot make.
    pub fn connection(&self) -> AnyConnection {
        let manager = db::AnyManager::new(&self.database_url).unwrap();
        manager.establish().unwrap()
    }
}

fn fresh_database() -> (String, TestDb) {
    match std::env::var("THIDUA_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(base) => {
            let base = without_tls(&base);
            let name = format!("thidua_t_{}", uuid::Uuid::new_v4().simple());
            let template = postgres_template(&base);
            let mut c =
                PgConnection::establish(&base).expect("connecting to THIDUA_TEST_POSTGRES_URL");
            // Copying a template fails while another copy of it is being made; take turns.
            let _guard = TEMPLATE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
            diesel::sql_query("SELECT pg_advisory_lock(7468697475610002)")
                .execute(&mut c)
                .unwrap();
            let created = diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut c);
            diesel::sql_query("SELECT pg_advisory_unlock(7468697475610002)")
                .execute(&mut c)
                .unwrap();
            created.expect("creating the test database");
            (with_database(&base, &name), TestDb::Postgres { base, name })
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

static TEMPLATE_LOCK: Mutex<()> = Mutex::new(());

/// A migrated database to copy, named after a hash of the migrations so that a change to them
/// makes a new one. Built once, under a lock shared by every test process.
fn postgres_template(base: &str) -> String {
    let name = format!("thidua_tpl_{}", migrations_hash());
    let mut c = PgConnection::establish(base).expect("connecting to THIDUA_TEST_POSTGRES_URL");
    diesel::sql_query("SELECT pg_advisory_lock(7468697475610002)")
        .execute(&mut c)
        .unwrap();
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let exists = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
    ))
    .get_result::<Count>(&mut c)
    .unwrap()
    .n > 0;
    if !exists {
        let building = format!("{name}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut c)
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut c)
            .unwrap();
        {
            let mut t = db::AnyManager::new(&with_database(base, &building))
                .unwrap()
                .establish()
                .unwrap();
            db::migrate(&mut t).unwrap();
        }
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut c)
            .unwrap();
    }
    diesel::sql_query("SELECT pg_advisory_unlock(7468697475610002)")
        .execute(&mut c)
        .unwrap();
    name
}

fn with_database(base: &str, name: &str) -> String {
    let (head, query) = base
        .split_once('?')
        .map(|(h, q)| (h, Some(q)))
        .unwrap_or((base, None));
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let prefix = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Tests talk to a local server: without TLS, libpq never starts OpenSSL, whose cleanup at
/// process exit can crash while pool threads are still connected. An explicit `sslmode` wins.
fn without_tls(url: &str) -> String {
    match url.split_once('?') {
        Some((_, q)) if q.contains("sslmode=") => url.to_owned(),
        Some(_) => format!("{url}&sslmode=disable"),
        None => format!("{url}?sslmode=disable"),
    }
}

fn migrations_hash() -> String {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres"),
        &mut files,
    );
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap());
    }
    format!("{:x}", h.finalize())[..16].to_owned()
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out)
        } else {
            out.push(path)
        }
    }
}

impl TestApp {
    /// Posts a file to `/api/v1/imports/{what}{query}` (`query` starts with `?` or is empty).
    pub async fn import_file(
        &self,
        token: &str,
        what: &str,
        query: &str,
        content_type: &str,
        body: &[u8],
    ) -> TestResponse {
        self.request(Method::POST, &format!("/api/v1/imports/{what}{query}"))
            .token(token)
            .body(content_type, body.to_vec())
            .send()
            .await
    }
}
/// A freshly migrated database that a test reads directly (its catalogue, say) rather than
/// through the API; dropped with it.
pub struct MigratedDb {
    pub conn: AnyConnection,
    _db: TestDb,
}

/// A new SQLite file with every migration applied.
pub fn migrated_sqlite() -> MigratedDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let mut conn = db::AnyManager::new(&url).unwrap().establish().unwrap();
    db::migrate(&mut conn).unwrap();
    MigratedDb {
        conn,
        _db: TestDb::Sqlite(dir),
    }
}

/// With `THIDUA_TEST_POSTGRES_URL` set, a new PostgreSQL database migrated from nothing (not
/// copied from the test template, so that it shows what the migrations themselves build).
pub fn migrated_postgres() -> Option<MigratedDb> {
    let base = std::env::var("THIDUA_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())?;
    let base = without_tls(&base);
    let name = format!("thidua_t_{}", uuid::Uuid::new_v4().simple());
    let mut c = PgConnection::establish(&base).expect("connecting to THIDUA_TEST_POSTGRES_URL");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .expect("creating the test database");
    let guard = TestDb::Postgres {
        base: base.clone(),
        name: name.clone(),
    };
    let mut conn = db::AnyManager::new(&with_database(&base, &name))
        .unwrap()
        .establish()
        .unwrap();
    db::migrate(&mut conn).unwrap();
    Some(MigratedDb { conn, _db: guard })
}

/// `THIDUA_TEST_POSTGRES_URL` (if set) with its `sslmode` replaced by `mode`.
pub fn postgres_url_with_sslmode(mode: &str) -> Option<String> {
    let base = std::env::var("THIDUA_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())?;
    let (head, query) = base.split_once('?').unwrap_or((&base, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("sslmode="))
        .collect();
    let sslmode = format!("sslmode={mode}");
    params.push(&sslmode);
    Some(format!("{head}?{}", params.join("&")))
}
