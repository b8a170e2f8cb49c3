//! The API bridge: answers the webview's `flowdesk://` requests.
//!
//! On this computer the request goes to the one `flowdesk-api` Router
//! in-process with `tower::ServiceExt::oneshot`: no socket is opened. In
//! connected mode it is forwarded to the cluster with `flowdesk-client`,
//! which adds the API token from the OS keyring. Either way the session
//! credential stays in Rust: the local session cookie is kept here and never
//! handed to JavaScript.

use std::path::Path;
use std::sync::Mutex;

use axum::body::Body;
use flowdesk_client::Client;
use http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use tower::ServiceExt;

/// The URI scheme the UI uses as its API base (`flowdesk://localhost` on
/// Linux and macOS, `http://flowdesk.localhost` on Windows).
pub const SCHEME: &str = "flowdesk";

/// Largest response body the bridge passes on (reports and exports included).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// Origins of the app's own webview; nothing else may call the bridge.
const OWN_ORIGINS: [&str; 3] = [
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

const SESSION_COOKIE: &str = "flowdesk_session";

/// Why the local workspace could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The SQLite database could not be opened or migrated.
    #[error("cannot open the local database {path}: {source}")]
    Store {
        /// Database file.
        path: String,
        /// What the store reported.
        #[source]
        source: flowdesk_store::StoreError,
    },
    /// The demo workspace could not be created.
    #[error("cannot create the demo workspace: {0}")]
    Demo(String),
    /// The data keys did not unlock with the master key from the keyring.
    #[error("cannot unlock the local database's data keys: {0}")]
    Keys(String),
}

/// Where requests go.
enum Target {
    /// The embedded Router on the local SQLite database.
    Local,
    /// A cluster, by profile name.
    Remote { profile: String, client: Client },
}

/// Where a live update stream comes from: the local Router with the kept
/// session cookie, or the cluster.
pub enum EventSource {
    /// The embedded Router.
    Local {
        /// The Router.
        router: axum::Router,
        /// `flowdesk_session=<secret>`, once signed in.
        cookie: Option<String>,
    },
    /// A cluster.
    Remote(Client),
}

/// Routes each webview request to the local Router or to a cluster.
pub struct Bridge {
    local: axum::Router,
    /// The local database, also home of the offline snapshots.
    store: flowdesk_store::Store,
    target: Mutex<Target>,
    /// `flowdesk_session=<secret>` of the local Router, once signed in.
    local_session: Mutex<Option<String>>,
}

impl Bridge {
    /// Opens (creating if needed) the SQLite workspace in `data_dir`, runs
    /// the migrations, unlocks its data keys with `master_key` (secrets such
    /// as TOTP seeds are sealed with them; without a key they cannot be
    /// stored), optionally adds the demo workspace, and builds the local Router.
    pub async fn open_local(
        data_dir: &Path,
        demo: bool,
        master_key: Option<flowdesk_vault::MasterKey>,
    ) -> Result<Self, OpenError> {
        let path = data_dir.join("flowdesk.db");
        let url = format!("sqlite:{}", path.display());
        let store_error = |source| OpenError::Store {
            path: path.display().to_string(),
            source,
        };
        let store = flowdesk_store::Store::connect(&url)
            .await
            .map_err(store_error)?;
        store.migrate().await.map_err(store_error)?;
        let store = match master_key {
            Some(master) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
                flowdesk_identity::keys::unlock(store, master, now)
                    .await
                    .map_err(|e| OpenError::Keys(e.to_string()))?
                    .0
            }
            None => store,
        };
        if demo {
            flowdesk_api::demo::seed(&store)
                .await
                .map_err(|e| OpenError::Demo(e.to_string()))?;
        }
        // Timers fire on the desktop as on a server node; the worker lives
        // as long as the app's runtime.
        flowdesk_api::spawn_workers(store.clone());
        let local = flowdesk_api::router(
            store.clone(),
            flowdesk_api::ApiConfig {
                ui_dir: None,
                secure_cookies: false,
                // The webview's origin is the app's own scheme, not a web
                // site a passkey could be bound to.
                passkeys: None,
            },
        );
        Ok(Self {
            local,
            store,
            target: Mutex::new(Target::Local),
            local_session: Mutex::new(None),
        })
    }

    /// Sends further requests to the cluster behind `client`.
    pub fn connect(&self, profile: String, client: Client) {
        *lock(&self.target) = Target::Remote { profile, client };
    }

    /// Sends further requests to the local Router again.
    pub fn disconnect(&self) {
        *lock(&self.target) = Target::Local;
    }

    /// The profile name requests currently go to; `None` for this computer.
    pub fn active_profile(&self) -> Option<String> {
        match &*lock(&self.target) {
            Target::Local => None,
            Target::Remote { profile, .. } => Some(profile.clone()),
        }
    }

    /// The active cluster's profile name and client; `None` on this computer.
    pub fn remote(&self) -> Option<(String, Client)> {
        match &*lock(&self.target) {
            Target::Local => None,
            Target::Remote { profile, client } => Some((profile.clone(), client.clone())),
        }
    }

    /// Whether someone is signed in: to the local workspace (the bridge
    /// holds its session) or to a cluster through a saved connection.
    pub fn signed_in(&self) -> bool {
        lock(&self.local_session).is_some() || self.active_profile().is_some()
    }

    /// The local database.
    pub fn store(&self) -> &flowdesk_store::Store {
        &self.store
    }

    /// Where GET /api/events is read from now (see [`crate::live`]).
    pub fn event_source(&self) -> EventSource {
        match &*lock(&self.target) {
            Target::Local => EventSource::Local {
                router: self.local.clone(),
                cookie: lock(&self.local_session).clone(),
            },
            Target::Remote { client, .. } => EventSource::Remote(client.clone()),
        }
    }

    /// Answers one webview request.
    pub async fn handle(
        self: std::sync::Arc<Self>,
        request: Request<Vec<u8>>,
    ) -> Response<Vec<u8>> {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(origin) = &origin {
            if !OWN_ORIGINS.contains(&origin.as_str()) {
                return plain(
                    StatusCode::FORBIDDEN,
                    "requests from other origins are refused",
                );
            }
        }
        let mut response = if request.method() == Method::OPTIONS {
            preflight()
        } else {
            let remote = match &*lock(&self.target) {
                Target::Local => None,
                Target::Remote { client, .. } => Some(client.clone()),
            };
            match remote {
                None => self.local(request).await,
                Some(client) => forward(&client, request).await,
            }
        };
        allow_origin(response.headers_mut(), origin.as_deref());
        response
    }

    async fn local(&self, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let (mut parts, body) = request.into_parts();
        parts.uri = match parts.uri.path_and_query() {
            Some(path) => path.as_str().parse().unwrap_or_default(),
            None => http::Uri::from_static("/"),
        };
        parts.headers.remove(header::COOKIE);
        parts.headers.remove(header::AUTHORIZATION);
        if let Some(cookie) = lock(&self.local_session).clone() {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                parts.headers.insert(header::COOKIE, value);
            }
        }
        let request = Request::from_parts(parts, Body::from(body));
        let response = match self.local.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (mut parts, body) = response.into_parts();
        self.keep_session(&mut parts.headers);
        match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(bytes) => Response::from_parts(parts, bytes.to_vec()),
            Err(error) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("reading the response failed: {error}"),
            ),
        }
    }

    /// Takes the session cookie out of a local response and keeps it here.
    fn keep_session(&self, headers: &mut HeaderMap) {
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            let Ok(cookie) = cookie.to_str() else {
                continue;
            };
            let mut attributes = cookie.split(';').map(str::trim);
            let Some(pair) = attributes.next() else {
                continue;
            };
            let Some(value) = pair
                .strip_prefix(SESSION_COOKIE)
                .and_then(|rest| rest.strip_prefix('='))
            else {
                continue;
            };
            let expired =
                value.is_empty() || attributes.any(|a| a.eq_ignore_ascii_case("Max-Age=0"));
            *lock(&self.local_session) = if expired { None } else { Some(pair.to_owned()) };
        }
    }
}

async fn forward(client: &Client, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    match client
        .forward(parts.method, &path, &parts.headers, body)
        .await
    {
        Ok(forwarded) => {
            let mut response = Response::new(forwarded.body);
            *response.status_mut() = forwarded.status;
            *response.headers_mut() = forwarded.headers;
            response
        }
        Err(error) => problem(
            StatusCode::BAD_GATEWAY,
            "cluster-unreachable",
            "Cluster unreachable",
            &error.to_string(),
        ),
    }
}

/// The answer while the app is still opening its workspace.
pub fn not_ready() -> Response<Vec<u8>> {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "not-ready",
        "Starting",
        "Flowdesk is still opening the workspace; try again in a moment.",
    )
}

fn preflight() -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, accept, x-request-id"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

fn allow_origin(headers: &mut HeaderMap, origin: Option<&str>) {
    let origin = origin.unwrap_or(OWN_ORIGINS[0]);
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

fn problem(status: StatusCode, slug: &str, title: &str, detail: &str) -> Response<Vec<u8>> {
    let body = serde_json::json!({
        "type": format!("https://flowdesk.dev/problems/{slug}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut response = Response::new(body.to_string().into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    problem(status, "forbidden", "Refused", text)
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it:
/// every value guarded here is replaced whole, never left half-updated.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn request(method: &str, path: &str, origin: &str, body: &str) -> Request<Vec<u8>> {
        Request::builder()
            .method(method)
            .uri(format!("flowdesk://localhost{path}"))
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.as_bytes().to_vec())
            .expect("valid request")
    }

    /// A bridge on a fresh workspace in a temporary folder named for the test.
    async fn bridge(test: &str) -> (Arc<Bridge>, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("flowdesk-bridge-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let bridge = Bridge::open_local(&dir, false, Some(flowdesk_vault::MasterKey::generate()))
            .await
            .expect("open local workspace");
        (Arc::new(bridge), dir)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn keeps_the_session_in_rust_and_never_hands_it_to_the_page() {
        let (bridge, dir) = bridge("session").await;
        let setup = bridge
            .clone()
            .handle(request(
                "POST",
                "/api/auth/setup",
                "tauri://localhost",
                r#"{"username":"ada","password":"correct horse battery"}"#,
            ))
            .await;
        assert_eq!(setup.status(), StatusCode::CREATED);
        assert!(
            setup.headers().get(header::SET_COOKIE).is_none(),
            "the cookie stays in Rust"
        );
        assert_eq!(
            setup
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(&b"tauri://localhost"[..])
        );

        let me = bridge
            .clone()
            .handle(request("GET", "/api/auth/me", "tauri://localhost", ""))
            .await;
        assert_eq!(
            me.status(),
            StatusCode::OK,
            "signed in through the kept cookie"
        );
        assert!(String::from_utf8_lossy(me.body()).contains("\"ada\""));

        let logout = bridge
            .clone()
            .handle(request("POST", "/api/auth/logout", "tauri://localhost", ""))
            .await;
        assert_eq!(logout.status(), StatusCode::NO_CONTENT);
        let me = bridge
            .clone()
            .handle(request("GET", "/api/auth/me", "tauri://localhost", ""))
            .await;
        assert_eq!(
            me.status(),
            StatusCode::UNAUTHORIZED,
            "signed out clears the kept cookie"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn refuses_other_origins_and_answers_preflight() {
        let (bridge, dir) = bridge("origins").await;
        let foreign = bridge
            .clone()
            .handle(request(
                "GET",
                "/api/auth/setup",
                "https://evil.example",
                "",
            ))
            .await;
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

        let preflight = bridge
            .clone()
            .handle(request(
                "OPTIONS",
                "/api/definitions",
                "tauri://localhost",
                "",
            ))
            .await;
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
        assert!(preflight
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_METHODS));
        let _ = std::fs::remove_dir_all(dir);
    }
}
