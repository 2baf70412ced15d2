//! Persistence: one connection type over SQLite and PostgreSQL, the pool, migrations and the
//! two ways into the database — [`Db::read`] and [`Db::write`] — which both leave the async
//! executor through [`run`].

pub mod audit;
pub mod blocs;
pub mod constraints;
pub mod covenants;
pub mod goals;
pub mod idempotency;
pub mod movements;
pub mod persons;
pub mod refs;
pub mod reviews;
pub mod schema;
pub mod scope;
pub mod score_sheets;
pub mod search;
pub mod settings;
pub mod sort;
pub mod throttle;
pub mod tokens;
pub mod types;
pub mod units;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The one connection type every query function takes.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL points at. Unknown schemes are refused rather than silently read as a
/// SQLite file name (a mistyped `postgress://` must not create an empty database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite://") {
            Ok(Backend::Sqlite)
        } else {
            Err("expected a URL starting with sqlite:// or postgres://".into())
        }
    }
}

/// Opens connections for r2d2, dispatching on the URL scheme so that PostgreSQL errors reach
/// the log unchanged (the derived `establish` would hide them behind a generic message).
#[derive(Debug)]
pub struct AnyManager {
    url: String,
    backend: Backend,
}

impl AnyManager {
    pub fn new(url: &str) -> Result<Self, String> {
        Ok(AnyManager {
            url: url.to_owned(),
            backend: Backend::from_url(url)?,
        })
    }

    pub fn establish(&self) -> ConnectionResult<AnyConnection> {
        match self.backend {
            Backend::Postgres => Ok(AnyConnection::Postgresql(PgConnection::establish(
                &self.url,
            )?)),
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                let mut c = SqliteConnection::establish(path)?;
                // busy_timeout must precede journal_mode, or concurrent opens see "locked".
                // synchronous=FULL: an acknowledged write survives a power loss, not only a crash.
                c.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
                )
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(AnyConnection::Sqlite(c))
            }
        }
    }
}

impl ManageConnection for AnyManager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        self.establish().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<AnyManager>;

/// Pool settings taken from the configuration.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub checkout_timeout: Duration,
}

/// The database handle shared by every handler: a pool plus, on SQLite, the single writer lock.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// SQLite allows one writer; queuing writers here instead of in `busy_timeout` means a
    /// writer never sees "database is locked" however many requests arrive at once.
    writer: Arc<parking_lot::Mutex<()>>,
    /// How long a writer waits for its turn (the pool's checkout timeout) before a 503.
    write_wait: Duration,
}

/// How often a PostgreSQL write is attempted when it keeps losing serialization conflicts.
const WRITE_ATTEMPTS: u32 = 10;

impl Db {
    /// Connects, creating the SQLite file if needed, and applies pending migrations.
    pub fn connect(url: &str, opts: &PoolOptions) -> anyhow::Result<Db> {
        let manager = AnyManager::new(url).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?;
        let backend = manager.backend;
        // One connection first: it reports the real error (the pool would only time out), and
        // on SQLite it switches the file to WAL before several connections race to open it.
        let mut first = manager.establish()?;
        migrate(&mut first)?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(opts.max_size)
            .min_idle(Some(opts.max_size.min(2)))
            .connection_timeout(opts.checkout_timeout)
            // After a PostgreSQL restart, pooled connections are dead; checking them on checkout
            // turns that into a reconnect instead of a failed request. SQLite files cannot go away.
            .test_on_check_out(backend == Backend::Postgres)
            .build(manager)?;
        Ok(Db {
            pool,
            backend,
            writer: Arc::new(parking_lot::Mutex::new(())),
            write_wait: opts.checkout_timeout,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The SQLite writer's turn, as write transactions take it; holding it pauses every writer
    /// of this process (tests use it to prove that waiting writers give up with a 503).
    pub fn writer_turn(&self) -> parking_lot::MutexGuard<'_, ()> {
        self.writer.lock()
    }

    /// Runs read-only work on a pooled connection, off the executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        run(move || f(&mut *checkout(&pool)?)).await
    }

    /// Runs `f` in one write transaction: `BEGIN IMMEDIATE` behind the writer lock on SQLite,
    /// SERIALIZABLE with retries on PostgreSQL. `f` may run more than once, so it must only
    /// touch the database.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        run(move || db.write_blocking(f)).await
    }

    /// The blocking body of [`Db::write`], also used by the command line.
    pub fn write_blocking<T, F>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut AnyConnection) -> Result<T, ApiError>,
    {
        if self.backend == Backend::Sqlite {
            // The lock first, then a connection: queued writers must not hold connections that
            // readers could use. Waiting is bounded like a pool checkout: a long write (a big
            // import) makes others fail fast with 503 + Retry-After instead of hanging.
            let _guard = self.writer.try_lock_for(self.write_wait).ok_or_else(|| {
                ApiError::Unavailable("timed out waiting for the SQLite writer".into())
            })?;
            let mut conn = checkout(&self.pool)?;
            return transaction(&mut conn, &mut f);
        }
        let mut conn = checkout(&self.pool)?;
        let mut attempt = 1;
        loop {
            match transaction(&mut conn, &mut f) {
                Err(ApiError::Database(DieselError::DatabaseError(kind, _)))
                    if is_retryable(&kind) && attempt < WRITE_ATTEMPTS =>
                {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                other => return other,
            }
        }
    }
}

fn is_retryable(kind: &DatabaseErrorKind) -> bool {
    matches!(kind, DatabaseErrorKind::SerializationFailure)
}

/// Jittered exponential backoff between serialization retries: 10–20 ms, 20–40 ms, … up to
/// 320–640 ms, about 2.5 s over all attempts.
fn backoff(attempt: u32) -> Duration {
    let base = 5u64 << attempt.min(6);
    Duration::from_millis(base + rand::random_range(0..=base))
}

fn checkout(pool: &Pool) -> Result<r2d2::PooledConnection<AnyManager>, ApiError> {
    pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))
}

/// Begins with the backend's own statement, then commits or rolls back through diesel's
/// transaction manager so that its bookkeeping stays right.
fn transaction<T, F>(conn: &mut AnyConnection, f: &mut F) -> Result<T, ApiError>
where
    F: FnMut(&mut AnyConnection) -> Result<T, ApiError>,
{
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        AnyConnection::Postgresql(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL SERIALIZABLE")?
        }
    }
    type Tm = <AnyConnection as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => match Tm::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                // A failed COMMIT (e.g. a serialization failure) may leave the transaction open.
                let _ = Tm::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Tm::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// The one place where blocking database work leaves the async executor.
pub async fn run<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    web::block(f)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}

/// Applies pending migrations and returns the names of those it applied (none when the
/// database was up to date). On PostgreSQL an advisory lock serialises instances that start
/// at the same time (diesel_migrations takes no lock of its own).
pub fn migrate(conn: &mut AnyConnection) -> anyhow::Result<Vec<String>> {
    const LOCK: &str = "SELECT pg_advisory_lock(7468697475610001)";
    const UNLOCK: &str = "SELECT pg_advisory_unlock(7468697475610001)";
    match conn {
        AnyConnection::Postgresql(c) => {
            c.batch_execute(LOCK)?;
            let result = c
                .run_pending_migrations(PG_MIGRATIONS)
                .map(|applied| migration_names::<diesel::pg::Pg>(PG_MIGRATIONS, &applied));
            c.batch_execute(UNLOCK)?;
            result.map_err(|e| anyhow::anyhow!("migrating PostgreSQL: {e}"))
        }
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|applied| migration_names::<diesel::sqlite::Sqlite>(SQLITE_MIGRATIONS, &applied))
            .map_err(|e| anyhow::anyhow!("migrating SQLite: {e}")),
    }
}

/// The folder names (`2026-11-25-000001_foundation`) of the applied versions, which diesel
/// reports only as bare version numbers.
fn migration_names<B: diesel::backend::Backend>(
    source: EmbeddedMigrations,
    applied: &[diesel::migration::MigrationVersion<'_>],
) -> Vec<String> {
    let known = diesel::migration::MigrationSource::<B>::migrations(&source).unwrap_or_default();
    applied
        .iter()
        .map(|version| {
            known
                .iter()
                .find(|m| m.name().version() == *version)
                .map_or_else(|| version.to_string(), |m| m.name().to_string())
        })
        .collect()
}

/// The current UTC time at the precision both databases keep (microseconds), so values and
/// the ETags derived from them are identical on either backend.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// `true` when the error is a unique-constraint violation that the `UNIQUE` table of
/// `src/error/mod.rs` gives no domain code (an idempotency key stored twice by racing retries).
pub fn is_unique_violation(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Database(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}
