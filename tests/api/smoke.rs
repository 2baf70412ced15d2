use crate::helpers::TestApp;

#[actix_web::test]
async fn the_admin_logs_in_and_reads_their_account() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["username"], "admin");
    assert_eq!(res.json()["role"], "admin");
}
