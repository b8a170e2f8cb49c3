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
    #[error("{status} from {url}: {detail}")]
    Status {
        /// The URL that was requested.
        url: String,
        /// The HTTP status.
        status: StatusCode,
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
    let detail = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|problem| {
            problem
                .get("detail")
                .or_else(|| problem.get("title"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .unwrap_or(text);
    Err(ClientError::Status {
        url: url.to_owned(),
        status,
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
