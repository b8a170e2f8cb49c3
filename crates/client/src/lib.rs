//! Typed HTTP client of the Flowdesk API.
//!
//! Used where the API is on another machine: the desktop in connected mode
//! forwards the webview's requests through [`Client::forward`], and the CLI's
//! `--server` mode calls the typed methods. It speaks only HTTP and the JSON
//! shapes of `docs/INTERFACES.md`; it must not depend on the server crates.

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::{Deserialize, Serialize};

/// Header names that are forwarded from the caller to the cluster. Cookies
/// and credentials are never forwarded: the client adds its own token.
const FORWARDED_REQUEST_HEADERS: [HeaderName; 3] = [
    http::header::CONTENT_TYPE,
    http::header::ACCEPT,
    http::header::ACCEPT_LANGUAGE,
];

/// Header names that are passed back from the cluster to the caller.
const FORWARDED_RESPONSE_HEADERS: [HeaderName; 4] = [
    http::header::CONTENT_TYPE,
    http::header::CACHE_CONTROL,
    http::header::CONTENT_DISPOSITION,
    http::header::ETAG,
];

/// What can go wrong talking to a cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL is not an absolute http(s) URL.
    #[error("invalid cluster URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The cluster could not be reached or the connection broke.
    #[error("cannot reach {url}: {source}")]
    Unreachable {
        /// The URL that was requested.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The cluster answered with an error status.
    #[error("{title}: {detail} ({status} from {url})")]
    Status {
        /// The URL that was requested.
        url: String,
        /// The HTTP status.
        status: StatusCode,
        /// The problem+json `title`, or the status' reason.
        title: String,
        /// The problem+json `detail` (or `title`), or the body text.
        detail: String,
    },
    /// The cluster answered 2xx with a body that is not the expected JSON.
    #[error("unexpected answer from {url}: {source}")]
    Decode {
        /// The URL that was requested.
        url: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// The signed-in user as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// User id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Role name (admin, designer, operator, analyst, viewer).
    pub role: String,
}

/// A freshly created API token; the secret is shown only this once.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedToken {
    /// The bearer secret (`fd_…`).
    pub secret: String,
}

/// A deployed definition version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    /// Id of this version.
    pub id: String,
    /// BPMN process id (or decision / form id).
    pub process_id: String,
    /// Display name.
    pub name: String,
    /// Version, from 1.
    pub version: i64,
    /// File it was deployed from.
    pub resource_name: String,
    /// `bpmn`, `dmn` or `form`.
    pub kind: String,
    /// Deployment time (RFC 3339).
    pub deployed_at: String,
    /// Who deployed it.
    pub deployed_by: String,
    /// The process's `zeebe:versionTag`, when it has one.
    #[serde(default)]
    pub version_tag: Option<String>,
}

/// A process instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Id.
    pub id: String,
    /// Definition version it runs.
    pub definition_id: String,
    /// BPMN process id.
    pub process_id: String,
    /// Name of the process.
    pub process_name: String,
    /// Definition version number.
    pub version: i64,
    /// `active`, `completed`, `cancelled` or `incident`.
    pub state: String,
    /// Process variables.
    pub variables: serde_json::Value,
    /// Start time (RFC 3339).
    pub started_at: String,
    /// End time, once finished.
    pub ended_at: Option<String>,
    /// Who started it.
    pub started_by: String,
    /// How many open incidents it has.
    #[serde(default)]
    pub open_incidents: i64,
}

/// A page of instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstancePage {
    /// Newest first.
    pub items: Vec<Instance>,
    /// How many match the filter in all.
    pub total: i64,
}

/// An incident: a step stuck until an operator resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// The incident key.
    pub key: i64,
    /// The process instance id.
    pub instance_id: String,
    /// The stuck element.
    pub element_id: String,
    /// The job, for job incidents.
    pub job_key: Option<i64>,
    /// Why: `jobNoRetries`, `expression`, `unhandledError`, …
    pub kind: String,
    /// What went wrong.
    pub message: String,
    /// `open` or `resolved`.
    pub state: String,
    /// When it was raised (RFC 3339).
    pub created_at: String,
    /// When it was resolved.
    pub resolved_at: Option<String>,
}

/// Where a published message went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCorrelated {
    /// The ids of the instances it was correlated to.
    pub instances: Vec<String>,
}

/// What a job or incident command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutcome {
    /// `applied`, or `already-done` when repeated (harmless).
    pub outcome: String,
}

/// An instance to start (POST /api/instances).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StartInstance {
    /// A definition version id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition_id: Option<String>,
    /// A process id: its latest version, or `version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_id: Option<String>,
    /// With `process_id`: this version instead of the latest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// With `process_id`: the version with this `zeebe:versionTag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_tag: Option<String>,
    /// Initial variables (a JSON object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<serde_json::Value>,
    /// Wait up to this many seconds for the instance to end or stop at an
    /// incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub await_seconds: Option<f64>,
}

/// A response passed through [`Client::forward`].
#[derive(Debug)]
pub struct Forwarded {
    /// HTTP status from the cluster.
    pub status: StatusCode,
    /// The response headers that are safe to pass on.
    pub headers: HeaderMap,
    /// The response body.
    pub body: Vec<u8>,
}

/// A client of one cluster, optionally authenticated with a bearer token.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Client {
    /// A client of the cluster at `base_url` (e.g. `https://flowdesk.example.com`).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let base = base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base).map_err(|e| ClientError::InvalidUrl {
            url: base_url.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ClientError::InvalidUrl {
                url: base_url.to_owned(),
                reason: "the scheme must be http or https".to_owned(),
            });
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("flowdesk-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ClientError::Unreachable {
                url: base.clone(),
                source,
            })?;
        Ok(Self {
            base,
            http,
            token: None,
        })
    }

    /// The same client, sending `Authorization: Bearer <token>` on every request.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The cluster's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Signs in with a password and creates a named API token for this
    /// client; returns the token secret, which the caller keeps in the OS
    /// keyring. The password is used for this one exchange only.
    pub async fn sign_in_for_token(
        &self,
        username: &str,
        password: &str,
        token_name: &str,
    ) -> Result<String, ClientError> {
        let url = format!("{}/api/auth/login", self.base);
        let response = self
            .http
            .post(&url)
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: url.clone(),
                source,
            })?;
        let response = check(&url, response).await?;
        let session = response
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with("flowdesk_session="))
            .map(str::to_owned)
            .ok_or_else(|| ClientError::Status {
                url: url.clone(),
                status: response.status(),
                title: "No session".to_owned(),
                detail: "the cluster did not start a session".to_owned(),
            })?;

        let url = format!("{}/api/tokens", self.base);
        let response = self
            .http
            .post(&url)
            .header(http::header::COOKIE, session)
            .json(&serde_json::json!({ "name": token_name }))
            .send()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: url.clone(),
                source,
            })?;
        let created: CreatedToken = decode(&url, check(&url, response).await?).await?;
        Ok(created.secret)
    }

    /// The user this client's token belongs to.
    pub async fn me(&self) -> Result<User, ClientError> {
        let url = format!("{}/api/auth/me", self.base);
        let response = self
            .authorized(self.http.get(&url))
            .send()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: url.clone(),
                source,
            })?;
        decode(&url, check(&url, response).await?).await
    }

    /// Sends one request to the cluster as it came from the UI (method,
    /// path with query, safe headers, body), with this client's token, and
    /// returns the cluster's answer whatever its status.
    pub async fn forward(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> Result<Forwarded, ClientError> {
        let url = format!("{}{}", self.base, path_and_query);
        let mut request = self.authorized(self.http.request(method, &url));
        for name in &FORWARDED_REQUEST_HEADERS {
            if let Some(value) = headers.get(name) {
                request = request.header(name, value);
            }
        }
        let response =
            request
                .body(body)
                .send()
                .await
                .map_err(|source| ClientError::Unreachable {
                    url: url.clone(),
                    source,
                })?;
        let status = response.status();
        let mut passed = HeaderMap::new();
        for name in &FORWARDED_RESPONSE_HEADERS {
            if let Some(value) = response.headers().get(name) {
                passed.insert(name, HeaderValue::clone(value));
            }
        }
        let body = response
            .bytes()
            .await
            .map_err(|source| ClientError::Unreachable { url, source })?;
        Ok(Forwarded {
            status,
            headers: passed,
            body: body.to_vec(),
        })
    }

    /// Opens GET /api/events (server-sent events) with `query`, resuming
    /// after `last_event_id`; read the answer chunk by chunk
    /// (`reqwest::Response::chunk`), it does not end by itself.
    pub async fn events(
        &self,
        query: &[(&str, &str)],
        last_event_id: Option<&str>,
    ) -> Result<reqwest::Response, ClientError> {
        let url = self.url("/api/events", query)?;
        let mut request = self
            .authorized(self.http.get(url.clone()))
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request
            .send()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: url.to_string(),
                source,
            })?;
        check(url.as_str(), response).await
    }

    /// Deploys a BPMN file: one definition per executable process (unchanged
    /// content keeps its version).
    pub async fn deploy(
        &self,
        resource_name: &str,
        xml: String,
    ) -> Result<Vec<Definition>, ClientError> {
        let url = self.url("/api/definitions", &[("name", resource_name)])?;
        let request = self
            .http
            .post(url)
            .header(http::header::CONTENT_TYPE, "application/xml")
            .body(xml);
        self.send(request).await
    }

    /// Definition versions, newest first; with `process_id` only its versions.
    pub async fn definitions(
        &self,
        process_id: Option<&str>,
    ) -> Result<Vec<Definition>, ClientError> {
        let query: Vec<(&str, &str)> = process_id.map(|p| ("process_id", p)).into_iter().collect();
        let url = self.url("/api/definitions", &query)?;
        self.send(self.http.get(url)).await
    }

    /// Starts an instance; with `await_seconds` the answer comes when it has
    /// ended or stopped at an incident, or when the time is up.
    pub async fn start(&self, start: &StartInstance) -> Result<Instance, ClientError> {
        let url = self.url("/api/instances", &[])?;
        self.send(self.http.post(url).json(start)).await
    }

    /// A page of instances, newest first.
    pub async fn instances(
        &self,
        process_id: Option<&str>,
        state: Option<&str>,
        limit: i64,
    ) -> Result<InstancePage, ClientError> {
        let limit = limit.to_string();
        let mut query = vec![("limit", limit.as_str())];
        query.extend(process_id.map(|p| ("process_id", p)));
        query.extend(state.map(|s| ("state", s)));
        let url = self.url("/api/instances", &query)?;
        self.send(self.http.get(url)).await
    }

    /// One instance.
    pub async fn instance(&self, id: &str) -> Result<Instance, ClientError> {
        let url = self.url(&format!("/api/instances/{}", segment(id)), &[])?;
        self.send(self.http.get(url)).await
    }

    /// The process variables of an instance.
    pub async fn variables(&self, id: &str) -> Result<serde_json::Value, ClientError> {
        let url = self.url(&format!("/api/instances/{}/variables", segment(id)), &[])?;
        let answer: serde_json::Value = self.send(self.http.get(url)).await?;
        Ok(answer
            .get("variables")
            .cloned()
            .unwrap_or(serde_json::Value::Null))
    }

    /// Sets variables of an active instance; returns the instance after.
    pub async fn set_variables(
        &self,
        id: &str,
        variables: serde_json::Value,
    ) -> Result<Instance, ClientError> {
        let url = self.url(&format!("/api/instances/{}/variables", segment(id)), &[])?;
        let body = serde_json::json!({ "variables": variables });
        self.send(self.http.put(url).json(&body)).await
    }

    /// Modifies an active instance: `activate` is a list of `{"element_id",
    /// "variables"?}`, `terminate` a list of element instance keys.
    pub async fn modify(
        &self,
        id: &str,
        activate: serde_json::Value,
        terminate: &[i64],
    ) -> Result<Instance, ClientError> {
        let url = self.url(&format!("/api/instances/{}/modify", segment(id)), &[])?;
        let body = serde_json::json!({ "activate": activate, "terminate": terminate });
        self.send(self.http.post(url).json(&body)).await
    }

    /// Cancels an active instance.
    pub async fn cancel(&self, id: &str) -> Result<Instance, ClientError> {
        let url = self.url(&format!("/api/instances/{}/cancel", segment(id)), &[])?;
        self.send(self.http.post(url)).await
    }

    /// Publishes a message to the instances waiting for it; with `ttl_ms >
    /// 0` it is kept that long for subscriptions opened later.
    pub async fn publish(
        &self,
        name: &str,
        correlation_key: &str,
        variables: serde_json::Value,
        ttl_ms: i64,
    ) -> Result<MessageCorrelated, ClientError> {
        let url = self.url("/api/messages", &[])?;
        let body = serde_json::json!({
            "name": name,
            "correlation_key": correlation_key,
            "variables": variables,
            "ttl_ms": ttl_ms,
        });
        self.send(self.http.post(url).json(&body)).await
    }

    /// Incidents newest first, optionally only in `state` and of one instance.
    pub async fn incidents(
        &self,
        state: Option<&str>,
        instance_id: Option<&str>,
    ) -> Result<Vec<Incident>, ClientError> {
        let mut query = vec![("limit", "500")];
        query.extend(state.map(|s| ("state", s)));
        query.extend(instance_id.map(|i| ("instance", i)));
        let url = self.url("/api/incidents", &query)?;
        self.send(self.http.get(url)).await
    }

    /// Resolves an incident: the stuck step is retried.
    pub async fn resolve_incident(&self, key: i64) -> Result<CommandOutcome, ClientError> {
        let url = self.url(&format!("/api/incidents/{key}/resolve"), &[])?;
        self.send(self.http.post(url)).await
    }

    /// The absolute URL of `path` with `query` encoded.
    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<reqwest::Url, ClientError> {
        let text = format!("{}{}", self.base, path);
        let mut url = reqwest::Url::parse(&text).map_err(|e| ClientError::InvalidUrl {
            url: text.clone(),
            reason: e.to_string(),
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// Sends an authorized request and decodes its JSON answer.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let request =
            self.authorized(request)
                .build()
                .map_err(|source| ClientError::Unreachable {
                    url: self.base.clone(),
                    source,
                })?;
        let url = request.url().to_string();
        let response =
            self.http
                .execute(request)
                .await
                .map_err(|source| ClientError::Unreachable {
                    url: url.clone(),
                    source,
                })?;
        decode(&url, check(&url, response).await?).await
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

async fn check(url: &str, response: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let problem = serde_json::from_str::<serde_json::Value>(&text).ok();
    let field = |name: &str| {
        problem
            .as_ref()
            .and_then(|problem| problem.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let title =
        field("title").unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
    let detail = field("detail").or_else(|| field("title")).unwrap_or(text);
    Err(ClientError::Status {
        url: url.to_owned(),
        status,
        title,
        detail,
    })
}

async fn decode<T: serde::de::DeserializeOwned>(
    url: &str,
    response: reqwest::Response,
) -> Result<T, ClientError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|source| ClientError::Unreachable {
            url: url.to_owned(),
            source,
        })?;
    serde_json::from_slice(&bytes).map_err(|source| ClientError::Decode {
        url: url.to_owned(),
        source,
    })
}

/// `text` as one URL path segment (ids are UUIDs, but a typo must not
/// change the path).
fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
