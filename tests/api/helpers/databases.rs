//! The databases behind tests: a fresh SQLite file or a PostgreSQL copy of a migrated template
//! for each `TestApp`, and databases migrated from nothing for tests that read catalogues.

use std::path::Path;
use std::sync::Mutex;

use diesel::prelude::*;
use diesel::{Connection, PgConnection};
use thidua::db::{self, AnyConnection};

/// The database behind one test; dropped with it.
pub enum TestDb {
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

pub fn fresh_database() -> (String, TestDb) {
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
