//! Smoke checks: the admin logs in, Swagger UI calls no outside validator, and libpq has TLS
//! compiled in and uses it when asked.

use actix_web::http::Method;

use crate::helpers::{TestApp, postgres_url_with_sslmode};

#[actix_web::test]
async fn the_admin_logs_in_and_reads_their_account() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["username"], "admin");
    assert_eq!(res.json()["role"], "admin");
}

/// Swagger UI must not send the document to its default validator, an outside host.
#[actix_web::test]
async fn swagger_ui_has_no_outside_validator() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::GET, "/docs/swagger-initializer.js")
        .send()
        .await;
    assert_eq!(res.status, 200);
    let script = String::from_utf8_lossy(&res.body);
    assert!(script.contains(r#""validatorUrl": "none""#), "{script}");
}

/// libpq is built with TLS: without it, libpq refuses `sslmode=require` before connecting
/// ("invalid when SSL support is not compiled in"). Nothing listens on port 1, so this needs
/// no server.
#[test]
fn postgres_tls_is_compiled_in() {
    use diesel::Connection;
    let url = "postgres://thidua@127.0.0.1:1/thidua?sslmode=require&connect_timeout=2";
    let message = match diesel::PgConnection::establish(url) {
        Ok(_) => panic!("something answered on port 1"),
        Err(e) => e.to_string(),
    };
    assert!(!message.contains("not compiled in"), "{message}");
    assert!(message.contains("127.0.0.1"), "{message}");
}

/// With a PostgreSQL server that offers TLS, a `sslmode=require` connection is encrypted.
#[test]
fn postgres_connections_use_tls_when_required() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Answer {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let (Some(plain), Some(tls)) = (
        postgres_url_with_sslmode("disable"),
        postgres_url_with_sslmode("require"),
    ) else {
        eprintln!("THIDUA_TEST_POSTGRES_URL is not set: no TLS connection tried");
        return;
    };
    let ask = |url: &str, sql: &str| {
        let mut c = diesel::PgConnection::establish(url).unwrap();
        diesel::sql_query(sql)
            .get_result::<Answer>(&mut c)
            .unwrap()
            .value
    };
    if ask(&plain, "SELECT current_setting('ssl') AS value") != "on" {
        eprintln!("the PostgreSQL server has ssl = off: no TLS connection tried");
        return;
    }
    let sql = "SELECT ssl::text AS value FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    assert_eq!(ask(&tls, sql), "true");
}
