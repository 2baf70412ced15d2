//! `TestApp`: a server on port 0 over a fresh database, and typed helpers to call it. The
//! databases themselves (fresh ones, the PostgreSQL template, migrated catalogues) are made in
//! `databases`.

mod databases;

use actix_web::http::Method;
use actix_web::web::Bytes;
use awc::http::header::HeaderMap;
use serde_json::{Value, json};
use thidua::config::Config;
use thidua::db::{self, AnyConnection};
use thidua::startup::Application;
use thidua::state::AppState;

use databases::{TestDb, fresh_database};
pub use databases::{migrated_postgres, migrated_sqlite, postgres_url_with_sslmode};

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const PASSWORD: &str = "a-long-enough-password";

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
