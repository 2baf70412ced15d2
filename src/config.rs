//! Configuration, read once from the environment (with `.env` honoured by `main`). A bad value
//! stops start-up with a message naming the variable; `.env.example` documents every one.

use std::net::SocketAddr;
use std::time::Duration;

use crate::db::Backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Login throttling: failures per account and per client address before a lockout, and the
/// first lockout's length (it doubles with every further failure, up to 15 minutes).
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    pub account_max_failures: u32,
    pub ip_max_failures: u32,
    pub lockout: Duration,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub admin_password: Option<String>,
    pub jwt_secret: Option<String>,
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    pub db_pool_size: u32,
    pub db_timeout: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub body_limit: usize,
    /// The largest CSV or XLSX file the import endpoints accept.
    pub import_limit: usize,
    pub workers: usize,
    pub shutdown_timeout: Duration,
    pub trust_forwarded: bool,
    pub throttle: ThrottleConfig,
    pub docs: bool,
}

/// The minimum length of `THIDUA_JWT_SECRET`: 256 bits for HS256 (RFC 8725 §3.5).
pub const MIN_JWT_SECRET: usize = 32;

impl Config {
    /// Reads every variable, reporting all bad ones at once.
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let mut errors = Vec::new();
        let mut parse = |name: &str, default: &str, check: &dyn Fn(&str) -> Result<(), String>| {
            let value = get(name).unwrap_or_else(|| default.to_owned());
            if let Err(e) = check(&value) {
                // Secrets are never echoed, not even to the terminal that started us.
                if name.contains("SECRET") || name.contains("PASSWORD") {
                    errors.push(format!("{name}: {e}"));
                } else {
                    errors.push(format!("{name}: {e} (got {value:?})"));
                }
            }
            value
        };
        let database_url = parse("DATABASE_URL", "sqlite://thidua.db", &|v| {
            Backend::from_url(v).map(|_| ())
        });
        let backend = Backend::from_url(&database_url).unwrap_or(Backend::Sqlite);
        let bind = parse("THIDUA_BIND", "127.0.0.1:8080", &|v| {
            v.parse::<SocketAddr>()
                .map(|_| ())
                .map_err(|_| "expected host:port, e.g. 127.0.0.1:8080".into())
        });
        let secret = parse("THIDUA_JWT_SECRET", "", &|v| {
            if v.is_empty() || v.len() >= MIN_JWT_SECRET {
                Ok(())
            } else {
                Err(format!(
                    "must be at least {MIN_JWT_SECRET} bytes of random text, or unset"
                ))
            }
        });
        let cors = parse("THIDUA_CORS_ORIGINS", "", &|v| match v
            .split(',')
            .map(str::trim)
            .find(|o| !o.is_empty() && !is_origin(o))
        {
            Some(bad) => Err(format!(
                "{bad:?} is not an origin like https://app.example.vn"
            )),
            None => Ok(()),
        });
        let log_format = parse("THIDUA_LOG_FORMAT", "pretty", &|v| match v {
            "pretty" | "json" => Ok(()),
            _ => Err("expected pretty or json".into()),
        });
        let default_pool = if backend == Backend::Sqlite {
            "4"
        } else {
            "10"
        };
        let pool = parse("THIDUA_DB_POOL_SIZE", default_pool, &number(1, 1000));
        let db_timeout = parse("THIDUA_DB_TIMEOUT_SECS", "5", &number(1, 300));
        let access = parse("THIDUA_ACCESS_TOKEN_TTL_SECS", "900", &number(30, 86_400));
        let refresh = parse(
            "THIDUA_REFRESH_TOKEN_TTL_SECS",
            "1209600",
            &number(60, 31_536_000),
        );
        let body = parse(
            "THIDUA_BODY_LIMIT_BYTES",
            "65536",
            &number(1024, 64 * 1024 * 1024),
        );
        let import = parse(
            "THIDUA_IMPORT_LIMIT_BYTES",
            "10485760",
            &number(1024, 256 * 1024 * 1024),
        );
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .to_string();
        let workers = parse("THIDUA_WORKERS", &cores, &number(1, 256));
        let shutdown = parse("THIDUA_SHUTDOWN_TIMEOUT_SECS", "25", &number(1, 600));
        let trust = parse("THIDUA_TRUST_FORWARDED", "false", &boolean);
        let acc_fail = parse("THIDUA_LOGIN_MAX_FAILURES", "5", &number(1, 1000));
        let ip_fail = parse("THIDUA_LOGIN_IP_MAX_FAILURES", "20", &number(1, 100_000));
        let lockout = parse("THIDUA_LOGIN_LOCKOUT_SECS", "30", &number(1, 900));
        let docs = parse("THIDUA_DOCS", "true", &boolean);
        parse("THIDUA_ADMIN_PASSWORD", "", &|v| {
            if v.is_empty() || (12..=128).contains(&v.chars().count()) {
                Ok(())
            } else {
                Err("must be 12 to 128 characters, or unset to have one generated".into())
            }
        });
        if !errors.is_empty() {
            return Err(format!("invalid configuration:\n  {}", errors.join("\n  ")));
        }
        let n = |v: &str| v.parse::<u64>().unwrap_or_default();
        Ok(Config {
            database_url,
            bind: bind.parse().map_err(|_| "THIDUA_BIND")?,
            admin_password: get("THIDUA_ADMIN_PASSWORD"),
            jwt_secret: Some(secret).filter(|s| !s.is_empty()),
            cors_origins: cors
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            log_format: if log_format == "json" {
                LogFormat::Json
            } else {
                LogFormat::Pretty
            },
            db_pool_size: n(&pool) as u32,
            db_timeout: Duration::from_secs(n(&db_timeout)),
            access_token_ttl: Duration::from_secs(n(&access)),
            refresh_token_ttl: Duration::from_secs(n(&refresh)),
            body_limit: n(&body) as usize,
            import_limit: n(&import) as usize,
            workers: n(&workers) as usize,
            shutdown_timeout: Duration::from_secs(n(&shutdown)),
            trust_forwarded: trust == "true",
            throttle: ThrottleConfig {
                account_max_failures: n(&acc_fail) as u32,
                ip_max_failures: n(&ip_fail) as u32,
                lockout: Duration::from_secs(n(&lockout)),
            },
            docs: docs == "true",
        })
    }
}

fn number(min: u64, max: u64) -> impl Fn(&str) -> Result<(), String> {
    move |v| match v.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(()),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
}

fn boolean(v: &str) -> Result<(), String> {
    match v {
        "true" | "false" => Ok(()),
        _ => Err("expected true or false".into()),
    }
}

fn is_origin(o: &str) -> bool {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let c = with(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://thidua.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.db_pool_size, 4);
        assert_eq!(c.access_token_ttl.as_secs(), 900);
    }

    #[test]
    fn postgres_gets_a_larger_pool() {
        assert_eq!(
            with(&[("DATABASE_URL", "postgres://localhost/x")])
                .unwrap()
                .db_pool_size,
            10
        );
    }

    #[test]
    fn bad_values_are_reported_by_name() {
        let err = with(&[
            ("THIDUA_BIND", "nowhere"),
            ("THIDUA_JWT_SECRET", "short"),
            ("DATABASE_URL", "mysql://x"),
            ("THIDUA_ADMIN_PASSWORD", "short"),
        ])
        .unwrap_err();
        assert!(err.contains("THIDUA_BIND"), "{err}");
        assert!(err.contains("THIDUA_JWT_SECRET"), "{err}");
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(err.contains("THIDUA_ADMIN_PASSWORD"), "{err}");
    }

    #[test]
    fn imports_have_their_own_body_limit() {
        assert_eq!(with(&[]).unwrap().import_limit, 10 * 1024 * 1024);
        let c = with(&[("THIDUA_IMPORT_LIMIT_BYTES", "2048")]).unwrap();
        assert_eq!((c.import_limit, c.body_limit), (2048, 65536));
        let err = with(&[("THIDUA_IMPORT_LIMIT_BYTES", "12")]).unwrap_err();
        assert!(err.contains("THIDUA_IMPORT_LIMIT_BYTES"), "{err}");
    }

    #[test]
    fn cors_origins_are_checked() {
        assert!(with(&[("THIDUA_CORS_ORIGINS", "https://a.vn, http://localhost:3000")]).is_ok());
        assert!(with(&[("THIDUA_CORS_ORIGINS", "*")]).is_err());
    }
}
