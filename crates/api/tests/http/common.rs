//! Helpers: a Router on a test store, requests with or without credentials.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use flowdesk_api::{router, ApiConfig};
use flowdesk_store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Cookie(String),
    Bearer(String),
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts a problem+json answer with this status and type slug.
    pub fn assert_problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/problem+json");
        let problem = self.json();
        assert_eq!(
            problem["type"],
            format!("https://flowdesk.dev/problems/{slug}")
        );
        assert_eq!(problem["status"], status);
        assert!(problem["title"].is_string());
        assert!(problem["detail"].is_string());
        problem
    }

    /// The session secret from Set-Cookie.
    pub fn session_cookie(&self) -> String {
        let cookie = self
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("a Set-Cookie header");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let first = cookie.split(';').next().unwrap_or_default();
        first
            .strip_prefix("flowdesk_session=")
            .expect("the session cookie")
            .to_string()
    }
}

pub fn app(store: &Store) -> Router {
    router(store.clone(), ApiConfig::default())
}

pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    auth: &Auth,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    match auth {
        Auth::None => {}
        Auth::Cookie(secret) => {
            request = request.header(header::COOKIE, format!("flowdesk_session={secret}"))
        }
        Auth::Bearer(secret) => {
            request = request.header(header::AUTHORIZATION, format!("Bearer {secret}"))
        }
    }
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = app
        .clone()
        .oneshot(request.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    // An event stream never ends: its body is not awaited (tests that read
    // one use a socket, see live.rs).
    let streaming = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    let body = if streaming {
        Vec::new()
    } else {
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &Router, uri: &str, auth: &Auth) -> Reply {
    send(app, Method::GET, uri, auth, None, Body::empty()).await
}

pub async fn post_json(app: &Router, uri: &str, auth: &Auth, body: Value) -> Reply {
    send(
        app,
        Method::POST,
        uri,
        auth,
        Some("application/json"),
        body.to_string(),
    )
    .await
}

pub async fn post_xml(app: &Router, uri: &str, auth: &Auth, xml: &str) -> Reply {
    send(
        app,
        Method::POST,
        uri,
        auth,
        Some("application/xml"),
        xml.to_string(),
    )
    .await
}

/// Runs first-run setup over HTTP and returns the admin's session cookie.
pub async fn setup_admin(app: &Router) -> Auth {
    let reply = post_json(
        app,
        "/api/auth/setup",
        &Auth::None,
        serde_json::json!({"username": "admin", "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    Auth::Cookie(reply.session_cookie())
}

/// Creates a user of `role` (as the admin) and signs them in.
pub async fn user_with_role(app: &Router, admin: &Auth, role: &str) -> Auth {
    let username = format!("{role}-user");
    let reply = post_json(
        app,
        "/api/users",
        admin,
        serde_json::json!({"username": username, "password": PASSWORD, "role": role}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    login(app, &username).await
}

pub async fn login(app: &Router, username: &str) -> Auth {
    let reply = post_json(
        app,
        "/api/auth/login",
        &Auth::None,
        serde_json::json!({"username": username, "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    Auth::Cookie(reply.session_cookie())
}

pub async fn count(store: &Store, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

pub const ORDER_APPROVAL: &str = include_str!("../../../model/tests/fixtures/order-approval.bpmn");
