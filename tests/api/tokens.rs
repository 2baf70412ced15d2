//! Forged, tampered and misused access tokens: every one is a plain 401 `unauthorized`.
//! The server runs with a known secret so that tests can sign whatever they like.

use actix_web::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use thidua::auth::jwt::{AUDIENCE, Claims, ISSUER, TOKEN_TYPE};

use crate::helpers::{ADMIN_PASSWORD, TestApp, TestResponse};

const ME: &str = "/api/v1/auth/me";

fn secret() -> String {
    "x".repeat(40)
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(|config| config.jwt_secret = Some(secret())).await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims the server accepts: the bootstrapped admin (id 1, token version 0).
fn good_claims() -> Value {
    let now = now();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "1",
        "exp": now + 600,
        "iat": now,
        "nbf": now,
        "ver": 0,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

/// `good_claims` with some fields replaced, or removed when the value is `null`.
fn claims_with(changes: Value) -> Value {
    let mut claims = good_claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn header(alg: Algorithm, typ: Option<&str>) -> Header {
    let mut header = Header::new(alg);
    header.typ = typ.map(str::to_owned);
    header
}

/// Signs any claims with any header and key.
fn sign(header: &Header, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

/// Signs like the server does (HS256, `typ: at+jwt`, the server's secret).
fn forge(claims: &Value) -> String {
    sign(
        &header(Algorithm::HS256, Some(TOKEN_TYPE)),
        claims,
        &secret(),
    )
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn me_with_authorization(app: &TestApp, authorization: Option<&str>) -> TestResponse {
    let mut req = app.request(Method::GET, ME);
    if let Some(value) = authorization {
        req = req.header("authorization", value);
    }
    req.send().await
}

fn assert_rejected(res: &TestResponse) {
    let problem = res.problem(401, "unauthorized");
    assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
    assert_eq!(problem["instance"], ME);
}

async fn assert_token_rejected(app: &TestApp, token: &str) {
    assert_rejected(&app.get(ME, token).await);
}

#[actix_web::test]
async fn a_correctly_forged_token_is_accepted() {
    let app = spawn().await;

    let res = app.get(ME, &forge(&good_claims())).await;

    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["id"], 1);
    assert_eq!(res.json()["username"], "admin");
}

#[actix_web::test]
async fn tokens_signed_through_the_server_keys_are_accepted() {
    let app = spawn().await;
    let now = now();
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: "1".into(),
        exp: now + 60,
        iat: now,
        nbf: now,
        ver: 0,
        jti: "control".into(),
    };

    let token = app.state.jwt.sign(&claims).unwrap();

    assert_eq!(app.state.jwt.verify(&token).unwrap(), claims);
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    let res = me_with_authorization(&app, Some(&format!("bearer {token}"))).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}

#[actix_web::test]
async fn requests_without_a_bearer_token_are_rejected() {
    let app = spawn().await;
    let token = forge(&good_claims());
    let other_scheme = format!("Token {token}");

    for authorization in [
        None,
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic YWRtaW46YWRtaW4="),
        Some("Basic xyz"),
        Some(token.as_str()),
        Some(other_scheme.as_str()),
    ] {
        let res = me_with_authorization(&app, authorization).await;
        assert_eq!(res.status, 401, "Authorization: {authorization:?}");
        assert_rejected(&res);
    }
}

#[actix_web::test]
async fn garbage_tokens_are_rejected() {
    let app = spawn().await;

    for token in ["garbage", "a.b.c", "..", "eyJhbGciOiJIUzI1NiJ9", "x y"] {
        assert_token_rejected(&app, token).await;
    }
}

#[actix_web::test]
async fn an_unsigned_alg_none_token_is_rejected() {
    let app = spawn().await;
    let claims = good_claims();

    for alg in ["none", "None", "NONE"] {
        let token = format!(
            "{}.{}.",
            b64(&json!({ "alg": alg, "typ": TOKEN_TYPE })),
            b64(&claims)
        );
        assert_token_rejected(&app, &token).await;
    }
}

#[actix_web::test]
async fn a_token_signed_with_another_secret_is_rejected() {
    let app = spawn().await;

    let token = sign(
        &header(Algorithm::HS256, Some(TOKEN_TYPE)),
        &good_claims(),
        &"y".repeat(40),
    );

    assert_token_rejected(&app, &token).await;
}

#[actix_web::test]
async fn a_token_with_tampered_claims_is_rejected() {
    let app = spawn().await;
    let token = forge(&claims_with(json!({ "ver": 5 })));
    let parts: Vec<&str> = token.split('.').collect();

    // The signature of the original claims over edited ones.
    let tampered = format!("{}.{}.{}", parts[0], b64(&good_claims()), parts[2]);

    assert_token_rejected(&app, &tampered).await;
}

#[actix_web::test]
async fn a_token_signed_with_the_server_secret_under_another_algorithm_is_rejected() {
    let app = spawn().await;

    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign(&header(alg, Some(TOKEN_TYPE)), &good_claims(), &secret());
        assert_token_rejected(&app, &token).await;
    }
}

#[actix_web::test]
async fn a_token_for_another_audience_or_issuer_is_rejected() {
    let app = spawn().await;

    for changes in [
        json!({ "aud": "some-other-api" }),
        json!({ "aud": ["some-other-api"] }),
        json!({ "iss": "someone-else" }),
        json!({ "iss": "THIDUA" }),
    ] {
        assert_token_rejected(&app, &forge(&claims_with(changes))).await;
    }
}

#[actix_web::test]
async fn an_expired_token_is_rejected() {
    let app = spawn().await;
    let now = now();

    let token = forge(&claims_with(
        json!({ "exp": now - 60, "iat": now - 960, "nbf": now - 960 }),
    ));

    assert_token_rejected(&app, &token).await;
}

#[actix_web::test]
async fn a_token_not_yet_valid_is_rejected() {
    let app = spawn().await;
    let now = now();

    let token = forge(&claims_with(
        json!({ "nbf": now + 120, "iat": now + 120, "exp": now + 1000 }),
    ));

    assert_token_rejected(&app, &token).await;
}

#[actix_web::test]
async fn a_token_issued_in_the_future_is_rejected() {
    let app = spawn().await;
    let now = now();

    let token = forge(&claims_with(
        json!({ "iat": now + 3600, "nbf": now, "exp": now + 600 }),
    ));

    assert_token_rejected(&app, &token).await;
}

#[actix_web::test]
async fn a_token_missing_a_required_claim_is_rejected() {
    let app = spawn().await;

    for claim in ["sub", "exp", "iat", "nbf", "iss", "aud", "ver"] {
        let mut claims = good_claims();
        claims.as_object_mut().unwrap().remove(claim);
        let token = forge(&claims);
        let res = app.get(ME, &token).await;
        assert_eq!(res.status, 401, "without {claim}");
        assert_rejected(&res);
    }
}

#[actix_web::test]
async fn a_jwt_that_is_not_typed_as_an_access_token_is_rejected() {
    let app = spawn().await;

    for typ in [Some("JWT"), Some("jwt"), Some("rt+jwt"), None] {
        let token = sign(&header(Algorithm::HS256, typ), &good_claims(), &secret());
        let res = app.get(ME, &token).await;
        assert_eq!(res.status, 401, "typ {typ:?}");
        assert_rejected(&res);
    }
}

#[actix_web::test]
async fn a_refresh_token_is_not_an_access_token() {
    let app = spawn().await;
    let res = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status, 200);
    let refresh = res.json()["refresh_token"].as_str().unwrap().to_owned();

    assert_token_rejected(&app, &refresh).await;
}

#[actix_web::test]
async fn a_token_for_a_user_that_does_not_exist_is_rejected() {
    let app = spawn().await;

    for sub in ["999", "0", "-1", "admin", "1.0", ""] {
        let token = forge(&claims_with(json!({ "sub": sub })));
        let res = app.get(ME, &token).await;
        assert_eq!(res.status, 401, "sub {sub:?}");
        assert_rejected(&res);
    }
}

#[actix_web::test]
async fn a_token_from_another_token_version_is_rejected() {
    let app = spawn().await;

    for ver in [1, -1] {
        assert_token_rejected(&app, &forge(&claims_with(json!({ "ver": ver })))).await;
    }
}

#[actix_web::test]
async fn a_token_whose_claims_have_the_wrong_types_is_rejected() {
    let app = spawn().await;

    for changes in [
        json!({ "sub": 1 }),
        json!({ "ver": "0" }),
        json!({ "exp": "later" }),
    ] {
        assert_token_rejected(&app, &forge(&claims_with(changes))).await;
    }
}
