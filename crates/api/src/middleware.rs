//! The middleware stack, outermost first: request id + access log ->
//! security headers and metrics -> authenticate -> authorize (route layer,
//! so it sees the matched route) -> handler.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn_with_state, map_response, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use flowdesk_identity::{rbac, Denial, Principal};
use tower::ServiceExt;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use axum::extract::RawPathParams;
use axum::RequestExt;
use flowdesk_identity::rbac::ResourceType;
use flowdesk_store::{definitions, instances};

use crate::access::{self, Access, ResourceOf};
use crate::extract::client_address;
use crate::{now_ms, ApiError, AppState};

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "flowdesk_session";

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                   script-src 'self'; connect-src 'self'";

pub(crate) fn wrap(api: Router<AppState>, state: AppState, ui_dir: Option<PathBuf>) -> Router {
    let ui = ui_dir.map(|dir| ServeDir::new(&dir).fallback(ServeFile::new(dir.join("index.html"))));
    let fallback = move |request: Request| {
        let ui = ui.clone();
        async move {
            match ui {
                Some(ui) if !request.uri().path().starts_with("/api") => {
                    match ui.oneshot(request).await {
                        Ok(response) => response.map(Body::new),
                        Err(never) => match never {},
                    }
                }
                _ => ApiError::NotFound(format!("no route for {}", request.uri().path()))
                    .into_response(),
            }
        }
    };

    api.fallback(fallback)
        .route_layer(from_fn_with_state(state.clone(), authorize))
        .layer(map_response(problems_for_plain_rejections))
        .layer(from_fn_with_state(state.clone(), authenticate))
        .layer(from_fn_with_state(state.clone(), record_metrics))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            // Only method, path (no query) and request id: never headers, so
            // cookies and Authorization never reach the log.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let request_id = request
                        .headers()
                        .get(HeaderName::from_static("x-request-id"))
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "http",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %request_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Turns the plain-text client errors of axum's own extractors and router
/// (a path parameter that does not parse, a wrong method, …) into
/// problem+json with the same status, like every other error of the API.
async fn problems_for_plain_rejections(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let (slug, title) = match status {
        StatusCode::NOT_FOUND => ("not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "Request body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        _ => ("invalid-request", "Invalid request"),
    };
    let problem = crate::ProblemDetails {
        problem_type: format!("{}{slug}", crate::error::PROBLEM_BASE),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        problems: None,
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    Response::from_parts(parts, Body::from(body))
}

async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    state
        .metrics
        .record(&method, &path, response.status().as_u16());
    response
}

/// The session secret from the `flowdesk_session` cookie, if any.
pub(crate) fn session_cookie(request: &Request) -> Option<String> {
    session_cookie_of(request.headers())
}

/// The session secret from the `flowdesk_session` cookie of `headers`, if any.
pub(crate) fn session_cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

fn bearer_token(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Origins of the desktop app's webview, which reaches the Router through
/// the `flowdesk://` bridge (the bridge itself refuses every other origin).
const DESKTOP_ORIGINS: [&str; 3] = [
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

/// Whether an unsafe request that does not carry a bearer token comes from
/// another site and must be refused (CSRF protection for cookie sessions).
///
/// The same rules as Go's `net/http.CrossOriginProtection`: browsers mark
/// every request with `Sec-Fetch-Site`, or at least (older ones) send `Origin`
/// on every non-GET request; a cross-site page cannot forge either. Requests
/// without both come from programs, not browsers, and carry no ambient
/// cookie a forger could ride on. Together with `SameSite=Strict` cookies.
pub(crate) fn is_cross_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| DESKTOP_ORIGINS.contains(&o)) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = origin else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    origin_host.is_none() || origin_host != host
}

/// Resolves the caller from a bearer token or the session cookie and inserts
/// `Option<Principal>`; refuses cross-origin unsafe requests that are not
/// bearer-authenticated (403 `cross-origin`); otherwise never rejects
/// (authorization decides).
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let now = now_ms();
    let bearer = bearer_token(&request);
    if bearer.is_none() && is_cross_origin(request.method(), request.headers()) {
        let resource = format!("{} {}", request.method(), request.uri().path());
        let address = client_address(request.extensions());
        record_denial(&state, "anonymous", Denial::CrossOrigin, &resource, address).await;
        return ApiError::CrossOrigin(
            "unsafe requests with a session cookie must come from this site".into(),
        )
        .into_response();
    }
    let result = if let Some(token) = bearer {
        Some(state.identity.authenticate_token(&token, now).await)
    } else if let Some(secret) = session_cookie(&request) {
        Some(state.identity.authenticate_session(&secret, now).await)
    } else {
        None
    };
    let principal = match result {
        Some(Ok(principal)) => Some(principal),
        Some(Err(flowdesk_identity::IdentityError::Unauthenticated)) | None => None,
        Some(Err(error)) => {
            tracing::warn!(%error, "authentication failed");
            None
        }
    };
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// Routes open to a user whose role requires a second factor they have not
/// enrolled yet: enough to enrol or leave.
const ENROLMENT_ROUTES: [(&str, &str); 6] = [
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/mfa/totp"),
    ("POST", "/api/auth/mfa/totp/confirm"),
    ("POST", "/api/account/passkeys/options"),
    ("POST", "/api/account/passkeys"),
];

/// Lets the request through when the access table allows it for the caller.
/// Every refusal (401 and 403) is recorded in the audit log.
async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method: Method = request.method().clone();
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let principal: Option<Principal> = request
        .extensions()
        .get::<Option<Principal>>()
        .cloned()
        .flatten();
    let address = client_address(request.extensions());
    let resource = format!("{method} {path}");
    let access = access::required_permission(&method, &path);
    if let (Some(principal), Access::Authenticated | Access::Requires(_)) = (&principal, access) {
        let open_to_enrolling = ENROLMENT_ROUTES
            .iter()
            .any(|(m, p)| *m == method.as_str() && *p == path);
        if principal.must_enrol_mfa && !open_to_enrolling {
            record_denial(
                &state,
                &principal.username,
                Denial::MfaEnrolment,
                &resource,
                address,
            )
            .await;
            return ApiError::MfaEnrolmentRequired(format!(
                "role {} requires a second factor: enrol TOTP at POST /api/auth/mfa/totp or register a passkey at POST /api/account/passkeys/options first",
                principal.role
            ))
            .into_response();
        }
    }
    match access {
        Access::Open => next.run(request).await,
        Access::Authenticated | Access::Requires(_) if principal.is_none() => {
            record_denial(
                &state,
                "anonymous",
                Denial::Unauthenticated,
                &resource,
                address,
            )
            .await;
            ApiError::Unauthenticated("sign in or send an API token".into()).into_response()
        }
        Access::Authenticated => next.run(request).await,
        Access::Requires(permission) => {
            let Some(principal) = principal else {
                return ApiError::Unauthenticated("sign in or send an API token".into())
                    .into_response();
            };
            match rbac::check(&principal, permission) {
                Ok(()) => next.run(request).await,
                Err(denied) => {
                    let request = match access::resource_of(&method, &path) {
                        Some(resource) => {
                            match granted_on_resource(
                                &state, &principal, permission, resource, request,
                            )
                            .await
                            {
                                Ok(request) => return next.run(request).await,
                                Err(request) => request,
                            }
                        }
                        None => request,
                    };
                    drop(request);
                    record_denial(
                        &state,
                        &principal.username,
                        Denial::Missing(permission),
                        &resource,
                        address,
                    )
                    .await;
                    ApiError::Forbidden(denied.to_string()).into_response()
                }
            }
        }
        Access::Deny => {
            let actor = principal
                .as_ref()
                .map(|p| p.username.as_str())
                .unwrap_or("anonymous");
            record_denial(&state, actor, Denial::NotInTable, &resource, address).await;
            ApiError::Forbidden(format!("{resource} is not open to anyone")).into_response()
        }
    }
}

/// Largest start request body read to find the process it names.
const START_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// `Ok(request)` when a resource grant of the principal's role allows
/// `permission` on the resource the request acts on; `Err(request)` when
/// none does or the resource cannot be told (an unknown instance or report,
/// a body that is not a start request): denied by default.
async fn granted_on_resource(
    state: &AppState,
    principal: &Principal,
    permission: flowdesk_identity::Permission,
    resource: ResourceOf,
    mut request: Request,
) -> Result<Request, Request> {
    let named = match resource {
        ResourceOf::StartBody => {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, START_BODY_LIMIT).await else {
                return Err(Request::from_parts(parts, Body::empty()));
            };
            let process = started_process(state, &bytes).await;
            request = Request::from_parts(parts, Body::from(bytes));
            process.map(|id| (ResourceType::Process, id))
        }
        ResourceOf::InstanceInPath => match path_param(&mut request, "id").await {
            Some(id) => instances::find(state.store.pool(), &id)
                .await
                .ok()
                .flatten()
                .map(|instance| (ResourceType::Process, instance.process_id)),
            None => None,
        },
        ResourceOf::DecisionInPath => path_param(&mut request, "decision_id")
            .await
            .map(|id| (ResourceType::Decision, id)),
        ResourceOf::ReportInPath => match path_param(&mut request, "id").await {
            Some(id_or_name) => flowdesk_insights::Insights::new(state.store.clone())
                .find_report(&id_or_name)
                .await
                .ok()
                .flatten()
                .map(|report| (ResourceType::Report, report.id)),
            None => None,
        },
    };
    let Some((resource_type, resource_id)) = named else {
        return Err(request);
    };
    match state
        .identity
        .allows_on_resource(principal, permission, resource_type, &resource_id)
        .await
    {
        Ok(true) => Ok(request),
        Ok(false) => Err(request),
        Err(error) => {
            tracing::error!(%error, "could not read the resource grants");
            Err(request)
        }
    }
}

/// The value of path parameter `name` of the matched route.
async fn path_param(request: &mut Request, name: &str) -> Option<String> {
    let params = request.extract_parts::<RawPathParams>().await.ok()?;
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The process a start request body names: its `process_id`, or the
/// process of its `definition_id`.
async fn started_process(state: &AppState, body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        process_id: Option<String>,
        definition_id: Option<String>,
    }
    let named: Named = serde_json::from_slice(body).ok()?;
    match (named.process_id, named.definition_id) {
        (Some(process_id), _) => Some(process_id),
        (None, Some(definition_id)) => definitions::find(state.store.pool(), &definition_id)
            .await
            .ok()
            .flatten()
            .map(|definition| definition.process_id),
        (None, None) => None,
    }
}

async fn record_denial(
    state: &AppState,
    actor: &str,
    reason: Denial,
    resource: &str,
    address: Option<String>,
) {
    if let Err(error) = state
        .identity
        .record_denial(actor, reason, resource, address.as_deref(), now_ms())
        .await
    {
        tracing::error!(%error, "could not record an access denial in the audit log");
    }
}
