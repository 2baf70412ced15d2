//! Building and running the server: database, bootstrap, middleware, routes.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::api;
use crate::auth::jwt::JwtKeys;
use crate::auth::{self, Actor, Role, password};
use crate::config::Config;
use crate::db::{self, Db, PoolOptions, settings, users};
use crate::http::{self, KnownRoutes, request_id};
use crate::state::AppState;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

/// Opens (creating and migrating) the configured database.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
    let opts = PoolOptions {
        max_size: config.db_pool_size,
        checkout_timeout: config.db_timeout,
    };
    Db::connect(&config.database_url, &opts)
}

impl Application {
    /// Binds the listener, connects, migrates, and bootstraps the first admin last: a
    /// generated password is shown only once, so nothing may fail after it is printed (a busy
    /// port used to lose it, and restarts never showed it again).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {} (THIDUA_BIND)", config.bind))?;
        let port = listener.local_addr()?.port();
        let db = open_database(&config)?;
        let admin_password = config.admin_password.clone();
        let secret = jwt_secret(&db, config.jwt_secret.clone(), &config.database_url)?;
        let state = web::Data::new(AppState {
            db: db.clone(),
            jwt: JwtKeys::new(&secret, config.access_token_ttl),
            refresh_ttl: config.refresh_token_ttl,
            throttle: config.throttle.clone(),
            trust_forwarded: config.trust_forwarded,
            import_limit: config.import_limit,
            imports: Default::default(),
        });
        // One document for the 405 answers and the one served: `api::openapi()` carries the
        // API's info, tags and security scheme, which the routes alone do not.
        let spec = api::openapi();
        let routes = web::Data::new(KnownRoutes::from_openapi(&spec));
        let metrics = http::metrics::middleware(db.pool())?;
        let registry = web::Data::new(metrics.registry.clone());
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            let (docs, spec) = (config.docs, spec.clone());
            // The first `wrap` is the innermost: the query check answers inside CORS (so a
            // browser can read its refusal), and `problems` sees every answer but the request
            // id's, turning those actix or CORS built into problem documents.
            App::new()
                .wrap(from_fn(auth::denied::audit))
                .wrap(from_fn(http::edge::query_text))
                .wrap(cors(&config.cors_origins))
                .wrap(metrics.clone())
                .wrap(
                    DefaultHeaders::new()
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                        .add((header::CACHE_CONTROL, "no-store")),
                )
                .wrap(from_fn(http::edge::problems))
                .wrap(from_fn(request_id::middleware))
                .app_data(app_state.clone())
                .app_data(routes.clone())
                .app_data(registry.clone())
                .app_data(http::query_config())
                .app_data(http::path_config())
                .app_data(web::PayloadConfig::new(config.body_limit))
                // Before the `/api/v1` scope, which would otherwise take `/api/v1/openapi.json`.
                .configure(move |cfg| {
                    if docs {
                        // No validator badge: by default Swagger UI sends the document to
                        // validator.swagger.io, an outside host that must not see it.
                        cfg.service(
                            SwaggerUi::new("/docs/{_:.*}")
                                .url("/api/v1/openapi.json", spec)
                                .config(SwaggerConfig::default().validator_url("none")),
                        );
                        cfg.route(
                            "/docs",
                            web::get().to(|| async {
                                HttpResponse::PermanentRedirect()
                                    .insert_header((header::LOCATION, "/docs/"))
                                    .finish()
                            }),
                        );
                    } else {
                        cfg.route(
                            "/api/v1/openapi.json",
                            web::get().to(move || {
                                let spec = spec.clone();
                                async move { HttpResponse::Ok().json(spec) }
                            }),
                        );
                    }
                })
                .into_utoipa_app()
                .configure(api::configure)
                .into_app()
                .default_service(web::to(http::fallback))
        })
        .workers(config.workers)
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .listen(listener)?
        .run();
        if let Err(e) = bootstrap_admin(&db, admin_password) {
            server.handle().stop(false).await;
            return Err(e);
        }
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests stop theirs before dropping the database).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The shared state (tests use it to forge tokens with the server's key).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGTERM or SIGINT; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// CORS from an allowlist only; with none configured, browsers get no cross-origin access.
fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT,
        ])
        .allowed_header("idempotency-key")
        .allowed_header("x-request-id")
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .expose_headers(["x-request-id"])
        .max_age(3600)
}

/// Creates the first admin when there are no users: with `THIDUA_ADMIN_PASSWORD`, or with a
/// generated password printed once to the log.
pub fn bootstrap_admin(db: &Db, configured: Option<String>) -> anyhow::Result<()> {
    let existing = db.write_blocking(|c| Ok(users::count(c)?))?;
    if existing > 0 {
        // Said out loud: a password that silently does nothing looks like a broken login.
        if configured.is_some() {
            tracing::warn!(
                users = existing,
                "THIDUA_ADMIN_PASSWORD is set but ignored: it only sets the password of the first \
                 admin, created when the database has no users, and this one has users already; \
                 log in with the existing password (change it with POST /api/v1/auth/password)"
            );
        }
        return Ok(());
    }
    let generated = configured.is_none();
    let password = configured.unwrap_or_else(|| URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>()));
    let hash = password::hash(&password)?;
    let new = users::NewUser {
        username: "admin".into(),
        full_name: Some("Quản trị hệ thống".into()),
        role: Role::Admin,
        unit_id: None,
        bloc_ids: vec![],
        password_hash: hash,
    };
    let actor = Actor {
        username: Some("system".into()),
        ..Actor::default()
    };
    let created = db.write_blocking(|c| {
        if users::count(c)? > 0 {
            return Ok(false);
        }
        crate::ops::users::create(c, &actor, &new, "user.bootstrap")?;
        Ok(true)
    });
    match created {
        Ok(true) if generated => tracing::warn!(
            username = "admin",
            password = %password,
            "created the first admin with a generated password, shown only this once; log in and \
             change it with POST /api/v1/auth/password, or set THIDUA_ADMIN_PASSWORD before the first start"
        ),
        Ok(true) => tracing::info!(
            username = "admin",
            "created the first admin from THIDUA_ADMIN_PASSWORD"
        ),
        Ok(false) => {}
        // Another instance starting at the same moment created it (the unique username,
        // mapped to its code like any other write's).
        Err(e) if e.code() == "username_taken" => {}
        Err(e) => return Err(anyhow::anyhow!("creating the first admin: {e:?}")),
    }
    Ok(())
}

/// The token signing key: `THIDUA_JWT_SECRET`, else one generated once and kept in the
/// database so that restarts and other instances use the same key.
fn jwt_secret(db: &Db, configured: Option<String>, database_url: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.into_bytes());
    }
    let fresh = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let get = |c: &mut db::AnyConnection| Ok(settings::get_or_insert(c, "jwt_secret", &fresh)?);
    let secret = match db.write_blocking(get) {
        Err(e) if db::is_unique_violation(&e) => db.write_blocking(get),
        other => other,
    }
    .map_err(|e| anyhow::anyhow!("reading the token key: {e:?}"))?;
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        protect_key_file(path, secret == fresh)?;
    }
    Ok(secret.into_bytes())
}

/// On SQLite the signing key lives in the database file, so whoever reads the file can mint
/// tokens: when this start stored the key, the file and its WAL companions become 0600 (owner
/// only); on later starts a file readable by others is reported, not changed, since the
/// operator may have chosen that on purpose (a backup group, say).
#[cfg(unix)]
fn protect_key_file(path: &str, created: bool) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for file in [
        path.to_owned(),
        format!("{path}-wal"),
        format!("{path}-shm"),
    ] {
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        if created && mode != 0o600 {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| anyhow::anyhow!("restricting {file:?} to its owner: {e}"))?;
        } else if !created && mode & 0o077 != 0 {
            tracing::warn!(
                file = ?file,
                mode = format!("{mode:o}"),
                "the database holds the token signing key but others can read it; chmod 600 it \
                 or set THIDUA_JWT_SECRET"
            );
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn protect_key_file(_path: &str, _created: bool) -> anyhow::Result<()> {
    Ok(())
}
