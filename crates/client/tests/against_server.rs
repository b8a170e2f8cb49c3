//! The client against the real Router served over loopback HTTP, as a
//! connected desktop meets a cluster.

use flowdesk_client::{Client, ClientError};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::Dialect;
use http::{HeaderMap, HeaderValue, Method, StatusCode};

async fn serve(db: &TestDb) -> String {
    let router = flowdesk_api::router(db.store.clone(), flowdesk_api::ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

async fn create_admin(base: &str) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/auth/setup"))
        .json(&serde_json::json!({ "username": "ada", "password": "correct horse battery" }))
        .send()
        .await
        .expect("setup request");
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn signs_in_for_a_token_and_forwards_with_it() {
    let db = TestDb::fresh(Dialect::Sqlite).await;
    let base = serve(&db).await;
    create_admin(&base).await;

    let anonymous = Client::new(&base).expect("valid URL");
    let token = anonymous
        .sign_in_for_token("ada", "correct horse battery", "test desktop")
        .await
        .expect("sign in");
    assert!(
        token.starts_with("fd_"),
        "token {token:?} has the API-token prefix"
    );

    let client = anonymous.with_token(token);
    let me = client.me().await.expect("me with the token");
    assert_eq!(me.username, "ada");
    assert_eq!(me.role, "admin");

    let xml = include_str!("../../model/tests/fixtures/order-approval.bpmn");
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    let deployed = client
        .forward(
            Method::POST,
            "/api/definitions?name=order-approval.bpmn",
            &headers,
            xml.as_bytes().to_vec(),
        )
        .await
        .expect("forward deploy");
    assert_eq!(deployed.status, StatusCode::CREATED);
    assert!(String::from_utf8_lossy(&deployed.body).contains("order-approval"));
    db.finish().await;
}

#[tokio::test]
async fn wrong_password_and_bad_token_are_reported() {
    let db = TestDb::fresh(Dialect::Sqlite).await;
    let base = serve(&db).await;
    create_admin(&base).await;

    let error = Client::new(&base)
        .expect("valid URL")
        .sign_in_for_token("ada", "wrong", "test desktop")
        .await
        .expect_err("a wrong password is refused");
    assert!(
        matches!(
            error,
            ClientError::Status {
                status: StatusCode::UNAUTHORIZED,
                ..
            }
        ),
        "got {error:?}"
    );

    let forwarded = Client::new(&base)
        .expect("valid URL")
        .with_token("fd_not-a-token")
        .forward(
            Method::GET,
            "/api/definitions",
            &HeaderMap::new(),
            Vec::new(),
        )
        .await
        .expect("the cluster answers");
    assert_eq!(forwarded.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        forwarded
            .headers
            .get(http::header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
        Some(&b"application/problem+json"[..])
    );
    db.finish().await;
}

#[tokio::test]
async fn the_callers_cookies_are_not_forwarded() {
    let db = TestDb::fresh(Dialect::Sqlite).await;
    let base = serve(&db).await;
    create_admin(&base).await;
    let login = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "username": "ada", "password": "correct horse battery" }))
        .send()
        .await
        .expect("login request");
    let cookie = login
        .headers()
        .get(http::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie header"),
    );

    let forwarded = Client::new(&base)
        .expect("valid URL")
        .forward(Method::GET, "/api/auth/me", &headers, Vec::new())
        .await
        .expect("the cluster answers");
    assert_eq!(forwarded.status, StatusCode::UNAUTHORIZED);
    db.finish().await;
}

#[tokio::test]
async fn unreachable_cluster_and_bad_urls_are_errors_not_panics() {
    assert!(matches!(
        Client::new("ftp://example.com"),
        Err(ClientError::InvalidUrl { .. })
    ));
    assert!(matches!(
        Client::new("not a url"),
        Err(ClientError::InvalidUrl { .. })
    ));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let error = Client::new(&format!("http://{address}"))
        .expect("valid URL")
        .me()
        .await
        .expect_err("nothing listens there");
    assert!(
        matches!(error, ClientError::Unreachable { .. }),
        "got {error:?}"
    );
}
